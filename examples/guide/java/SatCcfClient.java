// Cliente de ejemplo de una CCF para el intercambio del SAT (Java 17, Nimbus JOSE+JWT, java.net.http).
//
// Hace lo mismo que examples/sample_ccf (Python): recibe la notificación firmada del Ministerio, la verifica,
// acusa recibo y después consulta la solicitud (JWE), la descifra y envía la respuesta del trámite.
// Compilar y ejecutar: mvn -q package && java -jar target/sat-ccf-client-1.0.0.jar (ver pom.xml).
//
// Variables de entorno:
//   SAT_API_URL              URL base de la API del Ministerio (p. ej. https://api.sat.minsalud.gov.co)
//   SAT_CLIENT_ID_SOLICITUD  Client ID del servicio "SERVICIO SOLICITUD AFILIACION"
//   SAT_CLIENT_ID_RESPUESTA  Client ID del servicio "Respuesta TramiteCCF"
//   SAT_CONSUMER_PASSWORD    la contraseña de consumo asignada en el portal (manual §6)
//   SAT_CCF_NIT              el NIT de la CCF, 9 dígitos sin dígito de verificación (el `aud` de la firma)
//   SAT_PRIVATE_KEYS         archivos de las llaves privadas separados por comas: PEM PKCS#8 (RSA) o JWK (.json, RSA
//                            o EC). Dos mientras rota sus llaves: el Ministerio cifra a la más reciente registrada.
//   PORT                     puerto del receptor (8090)
package co.gov.minsalud.sat.ejemplo;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEDecrypter;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDHDecrypter;
import com.nimbusds.jose.crypto.RSADecrypter;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

public final class SatCcfClient {

    static final String SIGNATURE_HEADER = "X-JWS-Signature";
    static final JOSEObjectType NOTIFICATION_TYP = new JOSEObjectType("sat-notificacion+jws");
    static final long MAX_CLOCK_SKEW_SECONDS = 300; // `iat` a no más de 5 minutos del reloj propio

    final String apiUrl;
    final String pullClientId;
    final String answerClientId;
    final String password;
    final String nit;
    final List<JWK> privateKeys;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    final Map<String, String[]> tokens = new ConcurrentHashMap<>(); // clientId -> {token, vence (epoch s)}
    // jti ya procesados -> acuse entregado. En producción: una tabla con llave única (sobrevive reinicios).
    final Map<String, String> seen = new ConcurrentHashMap<>();
    volatile JWKSet ministryKeys;

    SatCcfClient(String apiUrl, String pullClientId, String answerClientId, String password, String nit,
                 List<JWK> privateKeys) {
        this.apiUrl = apiUrl.replaceAll("/+$", "");
        this.pullClientId = pullClientId;
        this.answerClientId = answerClientId;
        this.password = password;
        this.nit = nit;
        this.privateKeys = privateKeys;
    }

    // ------------------------------------------------------------------ 1. token (client_credentials)
    /** Token de acceso del Ministerio para un Client ID: RFC 6749 §4.4 con client_secret_basic (§2.3.1). */
    String token(String clientId) throws IOException, InterruptedException {
        String[] cached = tokens.get(clientId);
        if (cached != null && Long.parseLong(cached[1]) - 30 > Instant.now().getEpochSecond()) {
            return cached[0];
        }
        // RFC 6749 §2.3.1: el id y el secreto se codifican como formulario (form-urlencoded) antes de Base64.
        String basic = URLEncoder.encode(clientId, StandardCharsets.UTF_8) + ":"
                + URLEncoder.encode(password, StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(apiUrl + "/oauth2/token"))
                .timeout(Duration.ofSeconds(15))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        basic.getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("El servicio de token respondió HTTP " + response.statusCode());
        }
        Map<String, Object> body = parseJson(response.body());
        String accessToken = (String) body.get("access_token");
        long expiresIn = body.get("expires_in") instanceof Number n ? n.longValue() : 300;
        tokens.put(clientId, new String[] {accessToken, Long.toString(Instant.now().getEpochSecond() + expiresIn)});
        return accessToken;
    }

    // ------------------------------------------------------------------ 2. verificar la notificación
    /**
     * Verifica la firma desacoplada (RFC 7515 apéndice F) sobre los bytes exactos del cuerpo y lo que la cabecera
     * protegida vincula (decision 0103): alg (lista permitida), kid (JWKS), typ, aud = NIT propio, iat, jti.
     * Devuelve el jti; lanza SecurityException si algo no cuadra (responda 400: la entrega queda FALLIDA).
     */
    String verify(byte[] body, String detachedSignature, String idempotencyKey) throws Exception {
        if (detachedSignature == null || !detachedSignature.matches("[\\w-]+\\.\\.[\\w-]+")) {
            throw new SecurityException("la firma no es un JWS compacto desacoplado");
        }
        JWSObject jws = JWSObject.parse(detachedSignature, new Payload(body));
        if (!JWSAlgorithm.RS256.equals(jws.getHeader().getAlgorithm())) { // nunca "none" ni HS256
            throw new SecurityException("algoritmo no permitido");
        }
        String kid = jws.getHeader().getKeyID();
        JWK key = ministryKey(kid);
        if (!(key instanceof RSAKey rsa) || !jws.verify(new RSASSAVerifier(rsa))) {
            throw new SecurityException("firma inválida");
        }
        // Solo con la firma válida los parámetros de la cabecera significan algo.
        if (!NOTIFICATION_TYP.equals(jws.getHeader().getType())) {
            throw new SecurityException("typ inesperado");
        }
        if (!nit.equals(jws.getHeader().getCustomParam("aud"))) {
            throw new SecurityException("la notificación es para otra CCF (aud)");
        }
        Object iat = jws.getHeader().getCustomParam("iat");
        if (!(iat instanceof Number issued)
                || Math.abs(Instant.now().getEpochSecond() - issued.longValue()) > MAX_CLOCK_SKEW_SECONDS) {
            throw new SecurityException("firma vieja o del futuro (iat)");
        }
        Object jti = jws.getHeader().getCustomParam("jti");
        if (idempotencyKey == null || !idempotencyKey.equals(jti)) {
            throw new SecurityException("jti distinto del encabezado Idempotency-Key");
        }
        return idempotencyKey;
    }

    /** La llave del Ministerio con ese kid; si no está en el JWKS guardado, lo descarga de nuevo (rotación). */
    JWK ministryKey(String kid) throws Exception {
        JWKSet keys = ministryKeys;
        if (keys == null || keys.getKeyByKeyId(kid) == null) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(apiUrl + "/.well-known/jwks.json"))
                    .timeout(Duration.ofSeconds(10)).GET().build();
            keys = JWKSet.parse(http.send(request, HttpResponse.BodyHandlers.ofString()).body());
            ministryKeys = keys;
        }
        JWK key = keys.getKeyByKeyId(kid);
        if (key == null) {
            throw new SecurityException("kid desconocido");
        }
        return key;
    }

    // ------------------------------------------------------------------ 3. consultar y descifrar
    /** SERVICIO SOLICITUD AFILIACION: la solicitud completa, cifrada (JWE compacto) a la llave pública de la CCF. */
    Map<String, Object> pull(String numero, String url) throws Exception {
        String target = url == null || url.isEmpty() ? apiUrl + "/sat/solicitud-afiliacion" : url;
        HttpRequest request = HttpRequest.newBuilder(URI.create(target))
                .timeout(Duration.ofSeconds(15))
                .header("Authorization", "Bearer " + token(pullClientId))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        JSONObjectUtils.toJSONString(Map.of("numeroTransaccion", numero))))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) { // 409 CCF_KEY_NOT_ACTIVE: registre su llave pública en el portal
            throw new IOException("La consulta respondió HTTP " + response.statusCode() + ": " + response.body());
        }
        return parseJson(decrypt(response.body()));
    }

    /** Descifra con la llave privada cuyo thumbprint RFC 7638 es el `kid` del JWE (decision 0102). */
    String decrypt(String compact) throws Exception {
        JWEObject jwe = JWEObject.parse(compact);
        if (!EncryptionMethod.A256GCM.equals(jwe.getHeader().getEncryptionMethod())) {
            throw new SecurityException("enc no permitido");
        }
        String kid = jwe.getHeader().getKeyID();
        JWK chosen = null;
        for (JWK key : privateKeys) {
            if (key.computeThumbprint().toString().equals(kid)) {
                chosen = key;
            }
        }
        if (chosen == null) {
            throw new SecurityException("ninguna llave privada tiene el kid " + kid);
        }
        JWEAlgorithm alg = jwe.getHeader().getAlgorithm();
        JWEDecrypter decrypter;
        if (JWEAlgorithm.RSA_OAEP_256.equals(alg) && chosen instanceof RSAKey rsa) {
            decrypter = new RSADecrypter(rsa);
        } else if (JWEAlgorithm.ECDH_ES_A256KW.equals(alg) && chosen instanceof ECKey ec) {
            decrypter = new ECDHDecrypter(ec);
        } else {
            throw new SecurityException("alg no permitido: " + alg);
        }
        jwe.decrypt(decrypter);
        return jwe.getPayload().toString();
    }

    // ------------------------------------------------------------------ 4. responder
    /** Respuesta TramiteCCF: ResultadoTramite 1 (aprobado, con fecha efectiva) o 2 (con motivo de rechazo). */
    int answer(Map<String, Object> request, boolean approved, String radicado) throws Exception {
        @SuppressWarnings("unchecked")
        Map<String, Object> employer = (Map<String, Object>) request.get("empleador");
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("NumeroTransaccion", request.get("numeroTransaccion"));
        body.put("TipoDocumentoEmpleador", employer.get("tipoDocumento"));
        body.put("NumeroDocumentoEmpleador", employer.get("numeroDocumento"));
        body.put("SerialSat", request.get("serialSat"));
        body.put("ResultadoTramite", approved ? 1 : 2);
        body.put("FechaEfectivaAfiliacion", approved ? LocalDate.now().toString() : null);
        body.put("MotivoRechazo", approved ? null : "Documentación incompleta");
        body.put("NumeroRadicadoSolicitud", radicado);
        HttpRequest httpRequest = HttpRequest.newBuilder(URI.create(apiUrl + "/sat/respuesta-tramite-ccf"))
                .timeout(Duration.ofSeconds(15))
                .header("Authorization", "Bearer " + token(answerClientId))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSONObjectUtils.toJSONString(body)))
                .build();
        return http.send(httpRequest, HttpResponse.BodyHandlers.ofString()).statusCode(); // 200 RECIBIDA
    }

    // ------------------------------------------------------------------ el receptor
    /** POST /notificaciones: verificar, acusar recibo (rápido) y trabajar después, fuera de la respuesta. */
    void receive(HttpExchange exchange, ExecutorService work) throws IOException {
        // Antes de esto valide el Bearer que su propio servidor de autorización emitió al Ministerio.
        byte[] body = exchange.getRequestBody().readAllBytes();
        String key;
        try {
            key = verify(body, exchange.getRequestHeaders().getFirst(SIGNATURE_HEADER),
                    exchange.getRequestHeaders().getFirst("Idempotency-Key"));
        } catch (Exception error) {
            send(exchange, 400, "{\"error\":\"invalid_signature\"}"); // 4xx: el Ministerio no reintenta
            return;
        }
        Map<String, Object> notification;
        try {
            notification = parseJson(new String(body, StandardCharsets.UTF_8));
        } catch (Exception error) {
            send(exchange, 400, "{\"error\":\"invalid_body\"}");
            return;
        }
        String numero = String.valueOf(notification.get("numero_transaccion"));
        String radicado = "CCF-" + numero.substring(Math.max(0, numero.length() - 6));
        String ack = JSONObjectUtils.toJSONString(
                Map.of("numero_transaccion", numero, "estado", "RECIBIDA", "radicado", radicado));
        // Un jti repetido (reintento tras un acuse perdido, o reenvío) recibe el mismo acuse y no se procesa otra vez.
        String previous = seen.putIfAbsent(key, ack);
        if (previous == null && !"PRUEBA".equals(notification.get("codigo_novedad"))) { // la prueba no se consulta
            work.submit(() -> {
                try {
                    answer(pull(numero, (String) notification.get("url")), true, radicado);
                } catch (Exception error) {
                    System.err.println(numero + ": " + error);
                }
            });
        }
        send(exchange, 200, previous != null ? previous : ack);
    }

    static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    static Map<String, Object> parseJson(String json) throws java.text.ParseException {
        return JSONObjectUtils.parse(json);
    }

    /** PEM PKCS#8 (RSA; la parte pública se deriva) o JWK privado en JSON (RSA o EC). */
    static JWK loadPrivateKey(Path path) throws Exception {
        String text = Files.readString(path);
        if (text.trim().startsWith("{")) {
            return JWK.parse(text);
        }
        String base64 = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        KeyFactory factory = KeyFactory.getInstance("RSA");
        RSAPrivateCrtKey priv = (RSAPrivateCrtKey) factory.generatePrivate(
                new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        RSAPublicKey pub = (RSAPublicKey) factory.generatePublic(
                new RSAPublicKeySpec(priv.getModulus(), priv.getPublicExponent()));
        return new RSAKey.Builder(pub).privateKey(priv).build();
    }

    public static void main(String[] args) throws Exception {
        List<JWK> keys = new ArrayList<>();
        for (String file : System.getenv().getOrDefault("SAT_PRIVATE_KEYS", "").split(",")) {
            if (!file.isBlank()) {
                keys.add(loadPrivateKey(Path.of(file.trim())));
            }
        }
        SatCcfClient client = new SatCcfClient(System.getenv("SAT_API_URL"),
                System.getenv("SAT_CLIENT_ID_SOLICITUD"), System.getenv("SAT_CLIENT_ID_RESPUESTA"),
                System.getenv("SAT_CONSUMER_PASSWORD"), System.getenv("SAT_CCF_NIT"), keys);
        ExecutorService work = Executors.newFixedThreadPool(4);
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8090"));
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/notificaciones", exchange -> {
            if (!"POST".equals(exchange.getRequestMethod())) {
                send(exchange, 405, "{\"error\":\"method_not_allowed\"}");
                return;
            }
            client.receive(exchange, work);
        });
        server.start();
        System.out.println("Receptor de notificaciones en el puerto " + port + " (/notificaciones)");
    }
}
