using System.Globalization;
using System.Net.Http.Headers;
using MetadataDelivery.Domain.Delivery;

namespace MetadataDelivery.Bench;

/// <summary>A push request as CONTRACT §3 describes it, for the baselines that push without the engine.</summary>
public static class SignedPush
{
    public static HttpRequestMessage Create(Uri target, byte[] body, string secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        request.Headers.TryAddWithoutValidation(PushSignature.TimestampHeader, ts.ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(PushSignature.SignatureHeader, PushSignature.Sign(secret, ts, body));
        return request;
    }
}
