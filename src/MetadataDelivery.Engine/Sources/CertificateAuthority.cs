using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MetadataDelivery.Domain.Ids;

namespace MetadataDelivery.Engine.Sources;

/// <summary>The built-in CA: an ECDSA P-256 root whose key lives in <c>&lt;DataDir&gt;/ca</c> (created on first
/// use, mode 0600) and issues one real leaf certificate + key per node.</summary>
public sealed class CertificateAuthority : IDisposable
{
    private readonly X509Certificate2 _root;
    private readonly ECDsa _rootKey;
    private readonly string _rootPem;

    public CertificateAuthority(string dataDir)
    {
        var dir = Path.Combine(dataDir, "ca");
        var certPath = Path.Combine(dir, "ca.crt");
        var keyPath = Path.Combine(dir, "ca.key");
        if (!File.Exists(certPath) || !File.Exists(keyPath)) CreateRoot(dir, certPath, keyPath);
        _rootKey = ECDsa.Create();
        _rootKey.ImportFromPem(File.ReadAllText(keyPath));
        _root = X509Certificate2.CreateFromPem(File.ReadAllText(certPath));
        _rootPem = _root.ExportCertificatePem();
    }

    public string RootPem => _rootPem;

    private static void CreateRoot(string dir, string certPath, string keyPath)
    {
        Directory.CreateDirectory(dir);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Metadata Delivery System CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var root = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));
        WriteAtomically(keyPath, key.ExportPkcs8PrivateKeyPem(), secret: true);
        WriteAtomically(certPath, root.ExportCertificatePem(), secret: false);
    }

    private static void WriteAtomically(string path, string content, bool secret)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, content);
        if (secret && !OperatingSystem.IsWindows()) File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(tmp, path, overwrite: true);
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
