// Cliente de ejemplo de una CCF para los servicios web del SAT (Anexo 1, docs/guia-servicios-web.md).
//
// Hace lo que hace el sistema de una caja con cada trámite:
//   1. verifica la notificación firmada del Ministerio (JWS separado en la cabecera X-JWS-Signature);
//   2. obtiene un token (client_credentials, client_secret_basic con codificación de formulario, RFC 6749 §2.3.1);
//   3. consulta la solicitud (pull): un JWE para la llave pública de la caja, descifrado con su llave privada;
//   4. responde el trámite (Respuesta TramiteCCF).
//
// Node.js 20 o superior (fetch incluido) y la librería `jose` 6.2 (npm install jose@6.2.18). Uso:
//   node sat-ccf-client.mjs verificar notificacion.json
//   node sat-ccf-client.mjs procesar notificacion.json [aprobar|rechazar]
// donde notificacion.json es {"headers": {"X-JWS-Signature": ..., "Idempotency-Key": ...}, "body": "<cuerpo exacto>"}
// y la configuración llega en variables de entorno (ver CONFIG abajo).

import { createPublicKey } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import {
  base64url,
  calculateJwkThumbprint,
  compactDecrypt,
  compactVerify,
  createLocalJWKSet,
  decodeProtectedHeader,
  importPKCS8,
} from 'jose';

const TYP = 'sat-notificacion+jws';
const MAX_SKEW_SECONDS = 300; // ventana de `iat`: 5 minutos hacia atrás o hacia adelante
const TIMEOUT_MS = 15_000; // toda llamada HTTP lleva un límite

/** La notificación no se procesa: firma, `typ`, `aud`, `iat` o `jti` no son válidos (responda 400). */
export class NotificationRejected extends Error {}

/** El `jti` ya se procesó: un reintento o una repetición. Responda el mismo acuse, sin procesar de nuevo. */
export class AlreadyProcessed extends NotificationRejected {}

async function checked(response) {
  if (!response.ok) {
    throw new Error(`${response.url}: HTTP ${response.status} ${await response.text()}`);
  }
  return response;
}

// ------------------------------------------------------------------ 1. verificar la notificación
/** Las llaves públicas del Ministerio (actual, siguiente y anterior). En un servidor use
 * createRemoteJWKSet(new URL(`${apiUrl}/.well-known/jwks.json`)): guarda en caché y vuelve a pedirlas
 * cuando llega un `kid` desconocido (rotación de la llave del Ministerio). */
export async function ministryJwks(apiUrl) {
  const response = await checked(await fetch(`${apiUrl}/.well-known/jwks.json`, { signal: AbortSignal.timeout(TIMEOUT_MS) }));
  return response.json();
}

/**
 * Verifica la notificación y devuelve su encabezado protegido; lanza NotificationRejected si algo falla.
 * `signature` es la cabecera X-JWS-Signature (`<encabezado>..<firma>`, RFC 7515 apéndice F) y `body` los bytes
 * exactos del cuerpo. Primero la firma; solo con la firma válida cuentan `typ`, `aud` (el NIT propio: una
 * notificación capturada para otra caja se rechaza), `iat` (reciente) y `jti` (= Idempotency-Key, una sola vez).
 */
export async function verifyNotification({ signature, body, jwks, ownNit, seenJti, now, idempotencyKey }) {
  const parts = String(signature ?? '').split('.');
  if (parts.length !== 3 || parts[1] !== '') {
    throw new NotificationRejected('la cabecera X-JWS-Signature no es un JWS compacto separado');
  }
  let header;
  try {
    // El cuerpo vuelve entre los dos puntos: así se verifica un JWS separado.
    ({ protectedHeader: header } = await compactVerify(
      `${parts[0]}.${base64url.encode(body)}.${parts[2]}`,
      createLocalJWKSet(jwks),
      { algorithms: ['RS256'] },
    ));
  } catch (error) {
    throw new NotificationRejected(`firma inválida: ${error.message}`);
  }
  if (header.typ !== TYP) throw new NotificationRejected('typ inesperado: no es una notificación del SAT');
  if (!ownNit || header.aud !== ownNit) throw new NotificationRejected('la notificación es para otra caja (aud)');
  if (!Number.isInteger(header.iat) || Math.abs(now - header.iat) > MAX_SKEW_SECONDS) {
    throw new NotificationRejected('la firma es demasiado vieja o del futuro (iat)');
  }
  if (typeof header.jti !== 'string' || !header.jti) throw new NotificationRejected('falta jti');
  if (idempotencyKey !== undefined && header.jti !== idempotencyKey) {
    throw new NotificationRejected('jti no coincide con la cabecera Idempotency-Key');
  }
  if (seenJti.has(header.jti)) throw new AlreadyProcessed(`jti ya procesado: ${header.jti}`);
  return header;
}

// ------------------------------------------------------------------ 2. token
/** Token de acceso para UN servicio (el del Client ID). client_secret_basic: Client ID y contraseña se codifican
 * como formulario (RFC 6749 §2.3.1) antes de Basic; así una contraseña con `+`, `%` o tildes llega igual. */
export async function getToken(apiUrl, clientId, consumerPassword) {
  const form = (value) => new URLSearchParams({ v: value }).toString().slice(2);
  const basic = Buffer.from(`${form(clientId)}:${form(consumerPassword)}`).toString('base64');
  const response = await checked(await fetch(`${apiUrl}/oauth2/token`, {
    method: 'POST',
    headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  }));
  return (await response.json()).access_token;
}

// ------------------------------------------------------------------ 3. consultar y descifrar
/** SERVICIO SOLICITUD AFILIACION: la solicitud completa como JWE compacto (`application/jose`). */
export async function pull(apiUrl, token, numeroTransaccion) {
  const response = await checked(await fetch(`${apiUrl}/sat/solicitud-afiliacion`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/jose' },
    body: JSON.stringify({ numeroTransaccion }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  }));
  return response.text();
}

/** Las llaves privadas (PEM PKCS#8) con su `kid`: la huella RFC 7638 de la llave pública. */
export async function loadPrivateKeys(pems) {
  return Promise.all(pems.map(async (pem) => ({
    pem,
    kid: await calculateJwkThumbprint(createPublicKey(pem).export({ format: 'jwk' })),
  })));
}

/** Descifra con la llave privada que nombra el `kid` del JWE (en una rotación hay dos registradas). */
export async function decrypt(compactJwe, privateKeys) {
  const { kid, alg } = decodeProtectedHeader(compactJwe);
  const key = privateKeys.find((candidate) => candidate.kid === kid);
  if (!key) throw new Error(`no hay llave privada para el kid ${kid}`);
  const { plaintext } = await compactDecrypt(compactJwe, await importPKCS8(key.pem, alg), {
    keyManagementAlgorithms: ['RSA-OAEP-256', 'ECDH-ES+A256KW'],
    contentEncryptionAlgorithms: ['A256GCM'],
  });
  return JSON.parse(new TextDecoder().decode(plaintext));
}

// ------------------------------------------------------------------ 4. responder
/** Respuesta TramiteCCF: 1 aprobado (con fecha efectiva) o 2 no aprobado (con motivo). */
export function buildAnswer(request, approved, radicado, reason = '') {
  return {
    NumeroTransaccion: request.numeroTransaccion,
    TipoDocumentoEmpleador: request.empleador.tipoDocumento,
    NumeroDocumentoEmpleador: request.empleador.numeroDocumento,
    SerialSat: request.serialSat,
    ResultadoTramite: approved ? 1 : 2,
    FechaEfectivaAfiliacion: approved ? new Date().toISOString().slice(0, 10) : null,
    MotivoRechazo: approved ? null : reason,
    NumeroRadicadoSolicitud: radicado,
  };
}

/** Repetir la misma respuesta es seguro (mismo acuse); una distinta se rechaza con 409. */
export async function answer(apiUrl, token, body) {
  const response = await checked(await fetch(`${apiUrl}/sat/respuesta-tramite-ccf`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  }));
  return response.json();
}

// ------------------------------------------------------------------ el programa
const CONFIG = {
  SAT_API_URL: 'URL base del API del Ministerio',
  SAT_CCF_NIT: 'NIT de la caja (9 dígitos, sin dígito de verificación)',
  SAT_CLIENT_ID_SOLICITUD: 'Client ID de SERVICIO SOLICITUD AFILIACION',
  SAT_CLIENT_ID_RESPUESTA: 'Client ID de Respuesta TramiteCCF',
  SAT_CONSUMER_PASSWORD: 'contraseña de consumo asignada en el portal',
  SAT_PRIVATE_KEYS: 'archivos PEM (PKCS#8) de las llaves privadas, separados por comas',
  SAT_SEEN_JTI_FILE: 'archivo con los jti ya procesados, uno por línea',
};

async function main([command, file, decision = 'aprobar']) {
  if (!['verificar', 'procesar'].includes(command) || !file) {
    console.error('Uso: node sat-ccf-client.mjs verificar|procesar notificacion.json [aprobar|rechazar]');
    return 2;
  }
  const missing = Object.keys(CONFIG).filter((name) => !process.env[name]);
  if (missing.length) {
    console.error(`Faltan variables de entorno: ${missing.map((n) => `${n} (${CONFIG[n]})`).join(', ')}`);
    return 2;
  }
  const env = process.env;
  const apiUrl = env.SAT_API_URL.replace(/\/+$/, '');
  const notification = JSON.parse(await readFile(file, 'utf8'));
  const headers = Object.fromEntries(Object.entries(notification.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const body = new TextEncoder().encode(notification.body);
  const seen = new Set((await readFile(env.SAT_SEEN_JTI_FILE, 'utf8').catch(() => '')).split(/\s+/).filter(Boolean));
  let header;
  try {
    header = await verifyNotification({
      signature: headers['x-jws-signature'],
      body,
      jwks: await ministryJwks(apiUrl),
      ownNit: env.SAT_CCF_NIT,
      seenJti: seen,
      now: Math.floor(Date.now() / 1000),
      idempotencyKey: headers['idempotency-key'] ?? '',
    });
  } catch (error) {
    if (!(error instanceof NotificationRejected)) throw error;
    console.error(`Notificación rechazada: ${error.message}`);
    return 1;
  }
  const result = { verificada: header };
  if (command === 'procesar') {
    const numero = String(JSON.parse(notification.body).numero_transaccion);
    const pems = await Promise.all(env.SAT_PRIVATE_KEYS.split(',').map((path) => readFile(path, 'utf8')));
    let token = await getToken(apiUrl, env.SAT_CLIENT_ID_SOLICITUD, env.SAT_CONSUMER_PASSWORD);
    const request = await decrypt(await pull(apiUrl, token, numero), await loadPrivateKeys(pems));
    const reply = buildAnswer(request, decision === 'aprobar', `CCF-${numero.slice(-6)}`, 'Documentación incompleta');
    token = await getToken(apiUrl, env.SAT_CLIENT_ID_RESPUESTA, env.SAT_CONSUMER_PASSWORD);
    Object.assign(result, { numeroTransaccion: request.numeroTransaccion, acuse: await answer(apiUrl, token, reply) });
  }
  await appendFile(env.SAT_SEEN_JTI_FILE, `${header.jti}\n`); // procesado: el mismo jti no se procesa de nuevo
  console.log(JSON.stringify(result));
  return 0;
}

// Como programa (no cuando otro módulo lo importa).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
