using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MetadataDelivery.Domain.Ids;

namespace MetadataDelivery.Engine.Sources;

/// <summary>The built-in CA: an ECDSA P-256 root (created on first use, kept by an <see cref="ICaKeyStore"/>: files
/// under the data directory embedded, a row in PostgreSQL for a cluster) that issues one real leaf certificate
/// + key per node.</summary>
public sealed class CertificateAuthority : IDisposable
{
    private readonly X509Certificate2 _root;
    private readonly ECDsa _rootKey;
    private readonly string _rootPem;

    public CertificateAuthority(ICaKeyStore store)
    {
        var (certPem, keyPem) = store.GetOrCreate(CreateRoot);
        _rootKey = ECDsa.Create();
        _rootKey.ImportFromPem(keyPem);
        _root = X509Certificate2.CreateFromPem(certPem);
        _rootPem = _root.ExportCertificatePem();
    }

    public string RootPem => _rootPem;

    private static (string CertPem, string KeyPem) CreateRoot()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Metadata Delivery System CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var root = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));
        return (root.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>Issues a leaf for <paramref name="node"/> valid from now to now + ttl. Returns PEM: leaf, CA, key.</summary>
    public byte[] Issue(string tenant, string service, string node, DateTimeOffset now, TimeSpan ttl)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddOrganizationName(tenant);
        subject.AddOrganizationalUnitName(service);
        subject.AddCommonName(node);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var san = new SubjectAlternativeNameBuilder();
        if (Uri.CheckHostName(node) == UriHostNameType.Dns) san.AddDnsName(node);
        san.AddUri(new Uri($"urn:mds:{Uri.EscapeDataString(tenant)}:{Uri.EscapeDataString(service)}:{Uri.EscapeDataString(node)}"));
        request.CertificateExtensions.Add(san.Build());

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var leaf = request.Create(_root.SubjectName, X509SignatureGenerator.CreateForECDsa(_rootKey),
            now.AddMinutes(-1), now + ttl, serial);
        var pem = new StringBuilder()
            .Append(leaf.ExportCertificatePem()).Append('\n')
            .Append(_rootPem).Append('\n')
            .Append(key.ExportPkcs8PrivateKeyPem()).Append('\n');
        return Encoding.ASCII.GetBytes(pem.ToString());
    }

    public void Dispose()
    {
        _root.Dispose();
        _rootKey.Dispose();
    }
}
