// Cliente de ejemplo de una CCF para el intercambio del SAT (.NET 8, ASP.NET Core mínimo, HttpClient,
// Microsoft.IdentityModel.JsonWebTokens para la firma y jose-jwt para el JWE).
//
// Hace lo mismo que examples/sample_ccf (Python): recibe la notificación firmada del Ministerio, la verifica,
// acusa recibo y después consulta la solicitud (JWE), la descifra y envía la respuesta del trámite.
// Ejecutar: dotnet run (ver SatCcfClient.csproj).
//
// Variables de entorno:
//   SAT_API_URL              URL base de la API del Ministerio (p. ej. https://api.sat.minsalud.gov.co)
//   SAT_CLIENT_ID_SOLICITUD  Client ID del servicio "SERVICIO SOLICITUD AFILIACION"
//   SAT_CLIENT_ID_RESPUESTA  Client ID del servicio "Respuesta TramiteCCF"
//   SAT_CONSUMER_PASSWORD    la contraseña de consumo asignada en el portal (manual §6)
//   SAT_CCF_NIT              el NIT de la CCF, 9 dígitos sin dígito de verificación (el `aud` de la firma)
//   SAT_PRIVATE_KEYS         archivos PEM de las llaves privadas (RSA o EC, PKCS#8) separados por comas. Dos mientras
//                            rota sus llaves: el Ministerio cifra a la más reciente registrada.
//   PORT                     puerto del receptor (8090)

using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jose;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

var client = new SatCcfClient(
    Environment.GetEnvironmentVariable("SAT_API_URL")!,
    Environment.GetEnvironmentVariable("SAT_CLIENT_ID_SOLICITUD")!,
    Environment.GetEnvironmentVariable("SAT_CLIENT_ID_RESPUESTA")!,
    Environment.GetEnvironmentVariable("SAT_CONSUMER_PASSWORD")!,
    Environment.GetEnvironmentVariable("SAT_CCF_NIT")!,
    (Environment.GetEnvironmentVariable("SAT_PRIVATE_KEYS") ?? "")
        .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(SatCcfClient.LoadPrivateKey)
        .ToList());

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseUrls($"http://0.0.0.0:{Environment.GetEnvironmentVariable("PORT") ?? "8090"}");
var app = builder.Build();
// Antes de esto valide el Bearer que su propio servidor de autorización emitió al Ministerio (AddAuthentication).
app.MapPost("/notificaciones", (HttpRequest request) => client.ReceiveAsync(request));
app.Run();

public sealed class SatCcfClient
{
    const string SignatureHeader = "X-JWS-Signature";
    const string NotificationTyp = "sat-notificacion+jws";
    const long MaxClockSkewSeconds = 300; // `iat` a no más de 5 minutos del reloj propio

    readonly string apiUrl, pullClientId, answerClientId, password, nit;
    readonly List<AsymmetricAlgorithm> privateKeys; // RSA o ECDiffieHellman
    readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(15) };
    readonly ConcurrentDictionary<string, (string Token, DateTimeOffset Expires)> tokens = new();
    // jti ya procesados -> acuse entregado. En producción: una tabla con llave única (sobrevive reinicios).
    readonly ConcurrentDictionary<string, string> seen = new();
    JsonWebKeySet? ministryKeys;

    public SatCcfClient(string apiUrl, string pullClientId, string answerClientId, string password, string nit,
                        List<AsymmetricAlgorithm> privateKeys)
    {
        this.apiUrl = apiUrl.TrimEnd('/');
        this.pullClientId = pullClientId;
        this.answerClientId = answerClientId;
        this.password = password;
        this.nit = nit;
        this.privateKeys = privateKeys;
    }

    // ------------------------------------------------------------------ 1. token (client_credentials)
    /// <summary>Token del Ministerio para un Client ID: RFC 6749 §4.4 con client_secret_basic (§2.3.1).</summary>
    public async Task<string> TokenAsync(string clientId)
    {
        if (tokens.TryGetValue(clientId, out var cached) && cached.Expires > DateTimeOffset.UtcNow.AddSeconds(30))
            return cached.Token;
        // RFC 6749 §2.3.1: el id y el secreto se codifican como formulario (form-urlencoded) antes de Base64.
        var basic = $"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(password)}";
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{apiUrl}/oauth2/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(basic)));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"El servicio de token respondió HTTP {(int)response.StatusCode}");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var token = (string)body["access_token"]!;
        var expiresIn = body["expires_in"]?.GetValue<int>() ?? 300;
        tokens[clientId] = (token, DateTimeOffset.UtcNow.AddSeconds(expiresIn));
        return token;
    }

    // ------------------------------------------------------------------ 2. verificar la notificación
    /// <summary>
    /// Verifica la firma desacoplada (RFC 7515 apéndice F) sobre los bytes exactos del cuerpo y lo que la cabecera
    /// protegida vincula (decision 0103): alg (lista permitida), kid (JWKS), typ, aud = NIT propio, iat, jti.
    /// Lanza SecurityTokenException si algo no cuadra (responda 400: la entrega queda FALLIDA, sin reintentos).
    /// </summary>
    public async Task VerifyAsync(byte[] body, string? detachedSignature, string? idempotencyKey)
    {
        var parts = (detachedSignature ?? "").Split('.');
        if (parts.Length != 3 || parts[1].Length != 0)
            throw new SecurityTokenException("la firma no es un JWS compacto desacoplado");
        // El cuerpo, en base64url, va entre los dos puntos; el JWS resultante se valida como un JWT cuyo payload
        // es la notificación (no trae exp, iss ni aud en el payload: esos controles se hacen en la cabecera).
        var attached = $"{parts[0]}.{Base64UrlEncoder.Encode(body)}.{parts[2]}";
        var header = new JsonWebToken(attached);
        var keys = await MinistryKeysAsync(header.Kid);
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(attached, new TokenValidationParameters
        {
            IssuerSigningKeys = keys.GetSigningKeys(),
            ValidAlgorithms = new[] { SecurityAlgorithms.RsaSha256 }, // solo RS256: nunca "none" ni HS256
            ValidTypes = new[] { NotificationTyp },
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
            RequireSignedTokens = true,
        });
        if (!result.IsValid)
            throw new SecurityTokenException("firma inválida", result.Exception);
        // Solo con la firma válida los parámetros de la cabecera significan algo.
        if (!header.TryGetHeaderValue<string>("aud", out var aud) || aud != nit)
            throw new SecurityTokenException("la notificación es para otra CCF (aud)");
        if (!header.TryGetHeaderValue<long>("iat", out var iat)
            || Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - iat) > MaxClockSkewSeconds)
            throw new SecurityTokenException("firma vieja o del futuro (iat)");
        if (!header.TryGetHeaderValue<string>("jti", out var jti) || string.IsNullOrEmpty(idempotencyKey)
            || jti != idempotencyKey)
            throw new SecurityTokenException("jti distinto del encabezado Idempotency-Key");
    }

    /// <summary>El JWKS del Ministerio; se descarga de nuevo si no tiene el kid (rotación de llaves).</summary>
    async Task<JsonWebKeySet> MinistryKeysAsync(string kid)
    {
        if (ministryKeys is null || ministryKeys.Keys.All(key => key.Kid != kid))
            ministryKeys = new JsonWebKeySet(await http.GetStringAsync($"{apiUrl}/.well-known/jwks.json"));
        return ministryKeys;
    }

    // ------------------------------------------------------------------ 3. consultar y descifrar
    /// <summary>SERVICIO SOLICITUD AFILIACION: la solicitud completa, cifrada (JWE compacto) a la llave de la CCF.</summary>
    public async Task<JsonNode> PullAsync(string numero, string? url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post,
            string.IsNullOrEmpty(url) ? $"{apiUrl}/sat/solicitud-afiliacion" : url)
        {
            Content = new StringContent(JsonSerializer.Serialize(new { numeroTransaccion = numero }),
                Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(pullClientId));
        using var response = await http.SendAsync(request);
        // 409 CCF_KEY_NOT_ACTIVE: registre su llave pública en el portal.
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"La consulta respondió HTTP {(int)response.StatusCode}");
        return JsonNode.Parse(Decrypt(await response.Content.ReadAsStringAsync()))!;
    }

    /// <summary>Descifra con la llave privada cuyo thumbprint RFC 7638 es el `kid` del JWE (decision 0102).</summary>
    public string Decrypt(string compact)
    {
        var headers = JWT.Headers(compact);
        var kid = headers.TryGetValue("kid", out var value) ? value as string : null;
        var key = privateKeys.FirstOrDefault(candidate => Thumbprint(candidate) == kid)
            ?? throw new SecurityTokenException($"ninguna llave privada tiene el kid {kid}");
        // Lista permitida: RSA-OAEP-256 (llave RSA) o ECDH-ES+A256KW (llave EC), siempre con A256GCM.
        if (key is RSA rsa)
            return JWE.Decrypt(compact, rsa, JweAlgorithm.RSA_OAEP_256, JweEncryption.A256GCM).Plaintext;
        var ec = ((ECDiffieHellman)key).ExportParameters(true);
        var jwk = new Jwk(CurveName(ec), Base64Url.Encode(ec.Q.X), Base64Url.Encode(ec.Q.Y), Base64Url.Encode(ec.D));
        return JWE.Decrypt(compact, jwk, JweAlgorithm.ECDH_ES_A256KW, JweEncryption.A256GCM).Plaintext;
    }

    /// <summary>Thumbprint RFC 7638 (SHA-256, base64url) de la parte pública: el `kid` que el Ministerio usa.
    /// Los miembros obligatorios, en orden lexicográfico y sin espacios.</summary>
    public static string Thumbprint(AsymmetricAlgorithm key)
    {
        string json;
        if (key is RSA rsa)
        {
            var p = rsa.ExportParameters(false);
            json = $"{{\"e\":\"{Base64Url.Encode(p.Exponent)}\",\"kty\":\"RSA\",\"n\":\"{Base64Url.Encode(p.Modulus)}\"}}";
        }
        else
        {
            var p = ((ECDiffieHellman)key).ExportParameters(false);
            json = $"{{\"crv\":\"{CurveName(p)}\",\"kty\":\"EC\",\"x\":\"{Base64Url.Encode(p.Q.X)}\","
                + $"\"y\":\"{Base64Url.Encode(p.Q.Y)}\"}}";
        }
        return Base64Url.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
    }

    static string CurveName(ECParameters p) => p.Curve.Oid.FriendlyName switch
    {
        "nistP256" or "ECDSA_P256" => "P-256",
        "nistP384" or "ECDSA_P384" => "P-384",
        var other => throw new NotSupportedException($"curva {other}"),
    };

    // ------------------------------------------------------------------ 4. responder
    /// <summary>Respuesta TramiteCCF: ResultadoTramite 1 (aprobado, con fecha) o 2 (con motivo de rechazo).</summary>
    public async Task<int> AnswerAsync(JsonNode solicitud, bool approved, string radicado)
    {
        var body = new JsonObject
        {
            ["NumeroTransaccion"] = (string?)solicitud["numeroTransaccion"],
            ["TipoDocumentoEmpleador"] = (string?)solicitud["empleador"]!["tipoDocumento"],
            ["NumeroDocumentoEmpleador"] = (string?)solicitud["empleador"]!["numeroDocumento"],
            ["SerialSat"] = (string?)solicitud["serialSat"],
            ["ResultadoTramite"] = approved ? 1 : 2,
            ["FechaEfectivaAfiliacion"] = approved ? DateTime.UtcNow.ToString("yyyy-MM-dd") : null,
            ["MotivoRechazo"] = approved ? null : "Documentación incompleta",
            ["NumeroRadicadoSolicitud"] = radicado,
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{apiUrl}/sat/respuesta-tramite-ccf")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(answerClientId));
        using var response = await http.SendAsync(request);
        return (int)response.StatusCode; // 200: {"Estado":"RECIBIDA",...}
    }

    // ------------------------------------------------------------------ el receptor
    /// <summary>POST /notificaciones: verificar, acusar recibo (rápido) y trabajar después, fuera de la respuesta.</summary>
    public async Task<IResult> ReceiveAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray(); // los bytes exactos: la firma los cubre
        var key = request.Headers["Idempotency-Key"].ToString();
        try
        {
            await VerifyAsync(body, request.Headers[SignatureHeader].ToString(), key);
        }
        catch (Exception)
        {
            return Results.Json(new { error = "invalid_signature" }, statusCode: 400); // 4xx: no se reintenta
        }
        var notification = JsonNode.Parse(body)!;
        var numero = (string)notification["numero_transaccion"]!;
        var radicado = $"CCF-{numero[Math.Max(0, numero.Length - 6)..]}";
        var ack = new JsonObject { ["numero_transaccion"] = numero, ["estado"] = "RECIBIDA", ["radicado"] = radicado }
            .ToJsonString();
        // Un jti repetido (reintento tras un acuse perdido, o reenvío) recibe el mismo acuse y no se procesa otra vez.
        var first = seen.TryAdd(key, ack);
        if (first && (string?)notification["codigo_novedad"] != "PRUEBA") // la notificación de prueba no se consulta
        {
            _ = Task.Run(async () =>
            {
                try { await AnswerAsync(await PullAsync(numero, (string?)notification["url"]), true, radicado); }
                catch (Exception error) { Console.Error.WriteLine($"{numero}: {error.Message}"); }
            });
        }
        return Results.Content(seen[key], "application/json", Encoding.UTF8, 200);
    }

    /// <summary>Llave privada PEM: RSA (PKCS#8 o PKCS#1) o EC P-256/P-384 (PKCS#8 o SEC1).</summary>
    public static AsymmetricAlgorithm LoadPrivateKey(string path)
    {
        var pem = File.ReadAllText(path);
        try
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return rsa;
        }
        catch (Exception error) when (error is CryptographicException or ArgumentException)
        {
            var ec = ECDiffieHellman.Create(); // ECDH-ES: la llave EC se usa para el acuerdo de llaves
            ec.ImportFromPem(pem);
            return ec;
        }
    }
}
