<?php

/**
 * Cliente de ejemplo de una CCF para el intercambio del SAT (PHP 8.2, web-token/jwt-library, Guzzle).
 *
 * Hace lo mismo que examples/sample_ccf (Python): recibe la notificación firmada del Ministerio, la verifica,
 * acusa recibo y después consulta la solicitud (JWE), la descifra y envía la respuesta del trámite.
 * Instalar y ejecutar: composer install && php -S 0.0.0.0:8090 sat_ccf_client.php
 *
 * Variables de entorno:
 *   SAT_API_URL              URL base de la API del Ministerio (p. ej. https://api.sat.minsalud.gov.co)
 *   SAT_CLIENT_ID_SOLICITUD  Client ID del servicio "SERVICIO SOLICITUD AFILIACION"
 *   SAT_CLIENT_ID_RESPUESTA  Client ID del servicio "Respuesta TramiteCCF"
 *   SAT_CONSUMER_PASSWORD    la contraseña de consumo asignada en el portal (manual §6)
 *   SAT_CCF_NIT              el NIT de la CCF, 9 dígitos sin dígito de verificación (el `aud` de la firma)
 *   SAT_PRIVATE_KEYS         archivos PEM de las llaves privadas (RSA o EC) separados por comas. Dos mientras rota sus
 *                            llaves: el Ministerio cifra a la más reciente registrada.
 *   SAT_STATE_DIR            carpeta donde se guardan los jti ya procesados y el JWKS (por defecto, la temporal)
 */

declare(strict_types=1);

require __DIR__ . '/vendor/autoload.php';

use GuzzleHttp\Client;
use Jose\Component\Core\AlgorithmManager;
use Jose\Component\Core\JWK;
use Jose\Component\Core\JWKSet;
use Jose\Component\Encryption\Algorithm\ContentEncryption\A256GCM;
use Jose\Component\Encryption\Algorithm\KeyEncryption\ECDHESA256KW;
use Jose\Component\Encryption\Algorithm\KeyEncryption\RSAOAEP256;
use Jose\Component\Encryption\JWEDecrypter;
use Jose\Component\Encryption\Serializer\CompactSerializer as JweSerializer;
use Jose\Component\KeyManagement\JWKFactory;
use Jose\Component\Signature\Algorithm\RS256;
use Jose\Component\Signature\JWSVerifier;
use Jose\Component\Signature\Serializer\CompactSerializer as JwsSerializer;

final class SatCcfClient
{
    private const NOTIFICATION_TYP = 'sat-notificacion+jws';
    private const MAX_CLOCK_SKEW_SECONDS = 300; // `iat` a no más de 5 minutos del reloj propio

    private Client $http;

    /** @param list<JWK> $privateKeys */
    public function __construct(
        private string $apiUrl,
        private string $pullClientId,
        private string $answerClientId,
        private string $password,
        private string $nit,
        private array $privateKeys,
        private string $stateDir,
    ) {
        $this->apiUrl = rtrim($apiUrl, '/');
        $this->http = new Client(['timeout' => 15, 'connect_timeout' => 10, 'http_errors' => false]);
    }

    // ------------------------------------------------------------------ 1. token (client_credentials)
    /** Token del Ministerio para un Client ID: RFC 6749 §4.4 con client_secret_basic (§2.3.1). */
    public function token(string $clientId): string
    {
        $cache = $this->stateDir . '/token-' . hash('sha256', $clientId) . '.json';
        $cached = is_file($cache) ? json_decode((string) file_get_contents($cache), true) : null;
        if (is_array($cached) && $cached['expires'] - 30 > time()) {
            return $cached['token'];
        }
        // RFC 6749 §2.3.1: el id y el secreto se codifican como formulario (form-urlencoded) antes de Base64.
        $basic = base64_encode(rawurlencode($clientId) . ':' . rawurlencode($this->password));
        $response = $this->http->post($this->apiUrl . '/oauth2/token', [
            'headers' => ['Authorization' => 'Basic ' . $basic, 'Accept' => 'application/json'],
            'form_params' => ['grant_type' => 'client_credentials'],
        ]);
        if ($response->getStatusCode() !== 200) {
            throw new RuntimeException('El servicio de token respondió HTTP ' . $response->getStatusCode());
        }
        $body = json_decode((string) $response->getBody(), true, flags: JSON_THROW_ON_ERROR);
        $token = ['token' => $body['access_token'], 'expires' => time() + (int) ($body['expires_in'] ?? 300)];
        file_put_contents($cache, json_encode($token), LOCK_EX);
        return $token['token'];
    }

    // ------------------------------------------------------------------ 2. verificar la notificación
    /**
     * Verifica la firma desacoplada (RFC 7515 apéndice F) sobre los bytes exactos del cuerpo y lo que la cabecera
     * protegida vincula (decision 0103): alg (lista permitida), kid (JWKS), typ, aud = NIT propio, iat, jti.
     * Lanza RuntimeException si algo no cuadra (responda 400: la entrega queda FALLIDA, sin reintentos).
     */
    public function verify(string $body, string $detachedSignature, string $idempotencyKey): void
    {
        if (preg_match('/^[\w-]+\.\.[\w-]+$/', $detachedSignature) !== 1) {
            throw new RuntimeException('la firma no es un JWS compacto desacoplado');
        }
        $jws = (new JwsSerializer())->unserialize($detachedSignature);
        $header = $jws->getSignature(0)->getProtectedHeader();
        if (($header['alg'] ?? null) !== 'RS256') { // lista permitida: nunca "none" ni HS256
            throw new RuntimeException('algoritmo no permitido');
        }
        $verifier = new JWSVerifier(new AlgorithmManager([new RS256()]));
        if (!$verifier->verifyWithKeySet($jws, $this->ministryKeys((string) ($header['kid'] ?? '')), 0, $body)) {
            throw new RuntimeException('firma inválida');
        }
        // Solo con la firma válida los parámetros de la cabecera significan algo.
        if (($header['typ'] ?? null) !== self::NOTIFICATION_TYP) {
            throw new RuntimeException('typ inesperado');
        }
        if (($header['aud'] ?? null) !== $this->nit) {
            throw new RuntimeException('la notificación es para otra CCF (aud)');
        }
        if (!is_int($header['iat'] ?? null) || abs(time() - $header['iat']) > self::MAX_CLOCK_SKEW_SECONDS) {
            throw new RuntimeException('firma vieja o del futuro (iat)');
        }
        if ($idempotencyKey === '' || ($header['jti'] ?? null) !== $idempotencyKey) {
            throw new RuntimeException('jti distinto del encabezado Idempotency-Key');
        }
    }

    /** El JWKS del Ministerio; se descarga de nuevo si no tiene el kid (rotación de llaves). */
    private function ministryKeys(string $kid): JWKSet
    {
        $file = $this->stateDir . '/ministerio-jwks.json';
        $keys = is_file($file) ? JWKSet::createFromJson((string) file_get_contents($file)) : null;
        if ($keys === null || !$keys->has($kid)) {
            $json = (string) $this->http->get($this->apiUrl . '/.well-known/jwks.json')->getBody();
            $keys = JWKSet::createFromJson($json);
            file_put_contents($file, $json, LOCK_EX);
        }
        return $keys;
    }

    // ------------------------------------------------------------------ 3. consultar y descifrar
    /** SERVICIO SOLICITUD AFILIACION: la solicitud completa, cifrada (JWE compacto) a la llave de la CCF. */
    public function pull(string $numero, string $url = ''): array
    {
        $response = $this->http->post($url !== '' ? $url : $this->apiUrl . '/sat/solicitud-afiliacion', [
            'headers' => ['Authorization' => 'Bearer ' . $this->token($this->pullClientId)],
            'json' => ['numeroTransaccion' => $numero],
        ]);
        if ($response->getStatusCode() !== 200) { // 409 CCF_KEY_NOT_ACTIVE: registre su llave pública en el portal
            throw new RuntimeException('La consulta respondió HTTP ' . $response->getStatusCode());
        }
        return json_decode($this->decrypt((string) $response->getBody()), true, flags: JSON_THROW_ON_ERROR);
    }

    /** Descifra con la llave privada cuyo thumbprint RFC 7638 es el `kid` del JWE (decision 0102). */
    public function decrypt(string $compact): string
    {
        $jwe = (new JweSerializer())->unserialize($compact);
        $header = $jwe->getSharedProtectedHeader();
        // Lista permitida: RSA-OAEP-256 (llave RSA) o ECDH-ES+A256KW (llave EC), siempre con A256GCM.
        if (!in_array($header['alg'] ?? null, ['RSA-OAEP-256', 'ECDH-ES+A256KW'], true)
            || ($header['enc'] ?? null) !== 'A256GCM') {
            throw new RuntimeException('alg o enc no permitidos');
        }
        $kid = $header['kid'] ?? '';
        foreach ($this->privateKeys as $key) {
            if ($key->thumbprint('sha256') === $kid) {
                $algorithms = new AlgorithmManager([new RSAOAEP256(), new ECDHESA256KW(), new A256GCM()]);
                $decrypter = new JWEDecrypter($algorithms);
                if (!$decrypter->decryptUsingKey($jwe, $key, 0)) {
                    throw new RuntimeException('no se pudo descifrar');
                }
                return (string) $jwe->getPayload();
            }
        }
        throw new RuntimeException('ninguna llave privada tiene el kid ' . $kid);
    }

    // ------------------------------------------------------------------ 4. responder
    /** Respuesta TramiteCCF: ResultadoTramite 1 (aprobado, con fecha) o 2 (con motivo de rechazo). */
    public function answer(array $solicitud, bool $approved, string $radicado): int
    {
        $response = $this->http->post($this->apiUrl . '/sat/respuesta-tramite-ccf', [
            'headers' => ['Authorization' => 'Bearer ' . $this->token($this->answerClientId)],
            'json' => [
                'NumeroTransaccion' => $solicitud['numeroTransaccion'],
                'TipoDocumentoEmpleador' => $solicitud['empleador']['tipoDocumento'],
                'NumeroDocumentoEmpleador' => $solicitud['empleador']['numeroDocumento'],
                'SerialSat' => $solicitud['serialSat'],
                'ResultadoTramite' => $approved ? 1 : 2,
                'FechaEfectivaAfiliacion' => $approved ? gmdate('Y-m-d') : null,
                'MotivoRechazo' => $approved ? null : 'Documentación incompleta',
                'NumeroRadicadoSolicitud' => $radicado,
            ],
        ]);
        return $response->getStatusCode(); // 200: {"Estado":"RECIBIDA",...}
    }

    // ------------------------------------------------------------------ el receptor
    /** POST /notificaciones: verificar, acusar recibo y trabajar después de responder. */
    public function receive(): void
    {
        // Antes de esto valide el Bearer que su propio servidor de autorización emitió al Ministerio.
        $body = (string) file_get_contents('php://input'); // los bytes exactos: la firma los cubre
        $key = $_SERVER['HTTP_IDEMPOTENCY_KEY'] ?? '';
        try {
            $this->verify($body, $_SERVER['HTTP_X_JWS_SIGNATURE'] ?? '', $key);
            $notification = json_decode($body, true, flags: JSON_THROW_ON_ERROR);
        } catch (Throwable) {
            self::reply(400, ['error' => 'invalid_signature']); // 4xx: el Ministerio no reintenta
            return;
        }
        $numero = (string) $notification['numero_transaccion'];
        $radicado = 'CCF-' . substr($numero, -6);
        // Un jti repetido (reintento tras un acuse perdido, o reenvío) recibe el mismo acuse y no se procesa otra
        // vez. En producción: una tabla con llave única; aquí, un archivo creado en forma exclusiva por jti.
        $seen = $this->stateDir . '/jti-' . hash('sha256', $key) . '.json';
        $ack = ['numero_transaccion' => $numero, 'estado' => 'RECIBIDA', 'radicado' => $radicado];
        $handle = @fopen($seen, 'x');
        if ($handle === false) {
            self::reply(200, json_decode((string) file_get_contents($seen), true));
            return;
        }
        fwrite($handle, json_encode($ack));
        fclose($handle);
        self::reply(200, $ack);
        if (function_exists('fastcgi_finish_request')) {
            fastcgi_finish_request(); // PHP-FPM: el acuse sale ya; en producción, mejor una cola de trabajos
        }
        if (($notification['codigo_novedad'] ?? '') !== 'PRUEBA') { // la notificación de prueba no se consulta
            try {
                $this->answer($this->pull($numero, (string) ($notification['url'] ?? '')), true, $radicado);
            } catch (Throwable $error) {
                error_log($numero . ': ' . $error->getMessage());
            }
        }
    }

    private static function reply(int $status, array $body): void
    {
        http_response_code($status);
        header('Content-Type: application/json');
        echo json_encode($body, JSON_UNESCAPED_UNICODE);
    }
}

if (PHP_SAPI !== 'cli' && ($_SERVER['REQUEST_METHOD'] ?? '') === 'POST'
    && parse_url($_SERVER['REQUEST_URI'] ?? '', PHP_URL_PATH) === '/notificaciones') {
    $keys = array_map(
        static fn (string $file): JWK => JWKFactory::createFromKeyFile(trim($file)),
        array_filter(explode(',', (string) getenv('SAT_PRIVATE_KEYS'))),
    );
    $client = new SatCcfClient(
        (string) getenv('SAT_API_URL'),
        (string) getenv('SAT_CLIENT_ID_SOLICITUD'),
        (string) getenv('SAT_CLIENT_ID_RESPUESTA'),
        (string) getenv('SAT_CONSUMER_PASSWORD'),
        (string) getenv('SAT_CCF_NIT'),
        array_values($keys),
        getenv('SAT_STATE_DIR') ?: sys_get_temp_dir(),
    );
    $client->receive();
} elseif (PHP_SAPI !== 'cli') {
    http_response_code(404);
}
