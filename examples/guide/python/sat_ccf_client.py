"""Cliente de ejemplo de una CCF para los servicios web del SAT (Anexo 1, docs/guia-servicios-web.md).

Hace lo que hace el sistema de una caja con cada trámite:
  1. verifica la notificación firmada del Ministerio (JWS separado en la cabecera X-JWS-Signature);
  2. obtiene un token (client_credentials, client_secret_basic con codificación de formulario, RFC 6749 §2.3.1);
  3. consulta la solicitud (pull): un JWE para la llave pública de la caja, descifrado con su llave privada;
  4. responde el trámite (Respuesta TramiteCCF).

Librerías: requests 2.34 y joserfc 1.8 (requirements.txt al lado). Uso:
  python sat_ccf_client.py verificar notificacion.json
  python sat_ccf_client.py procesar notificacion.json [aprobar|rechazar]
donde notificacion.json es {"headers": {"X-JWS-Signature": ..., "Idempotency-Key": ...}, "body": "<cuerpo exacto>"}
y la configuración llega en variables de entorno (ver CONFIG abajo).
"""

from __future__ import annotations

import base64
import json
import os
import sys
import time
from collections.abc import Container
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import requests
from joserfc import jwe, jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet, RSAKey
from joserfc.registry import HeaderParameter

TYP = "sat-notificacion+jws"
MAX_SKEW_SECONDS = 300  # ventana de `iat`: 5 minutos hacia atrás o hacia adelante
TIMEOUT = 15  # segundos; toda llamada HTTP lleva un límite

# El encabezado protegido repite iat, aud y jti como parámetros (RFC 7519 §5.3); joserfc los acepta declarados.
REGISTRY = jws.JWSRegistry(
    header_registry={
        "iat": HeaderParameter("Emitida (segundos)", "int", required=True),
        "aud": HeaderParameter("NIT de la caja destinataria", "str", required=True),
        "jti": HeaderParameter("Idempotency-Key de la notificación", "str", required=True),
    }
)


class NotificationRejected(Exception):
    """La notificación no se procesa: firma, `typ`, `aud`, `iat` o `jti` no son válidos (responda 400)."""


class AlreadyProcessed(NotificationRejected):
    """El `jti` ya se procesó: un reintento del Ministerio o una repetición. Responda el mismo acuse, sin procesar."""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url_json(segment: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


# ---------------------------------------------------------------- 1. verificar la notificación
def ministry_jwks(api_url: str) -> dict[str, Any]:
    """Las llaves públicas del Ministerio (actual, siguiente y anterior). Guárdelas en caché hasta 5 minutos y
    vuelva a pedirlas cuando una notificación nombre un `kid` desconocido (rotación de la llave del Ministerio)."""
    response = requests.get(f"{api_url}/.well-known/jwks.json", timeout=TIMEOUT)
    response.raise_for_status()
    jwks: dict[str, Any] = response.json()
    return jwks


def verify_notification(
    signature: str,
    body: bytes,
    jwks: dict[str, Any],
    own_nit: str,
    seen_jti: Container[str],
    now: float,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """Verifica la notificación y devuelve su encabezado protegido; lanza NotificationRejected si algo falla.

    `signature` es la cabecera X-JWS-Signature (`<encabezado>..<firma>`, JWS separado, RFC 7515 apéndice F) y
    `body` los bytes exactos del cuerpo recibido. Primero la firma; solo con la firma válida cuentan `typ`, `aud`
    (el NIT propio: una notificación capturada para otra caja se rechaza), `iat` (reciente: una notificación
    vieja repetida se rechaza) y `jti` (= Idempotency-Key, procesado una sola vez)."""
    parts = signature.split(".")
    if len(parts) != 3 or parts[1] != "":
        raise NotificationRejected("la cabecera X-JWS-Signature no es un JWS compacto separado")
    try:
        header = _b64url_json(parts[0])
    except ValueError as error:
        raise NotificationRejected("encabezado JWS ilegible") from error
    if not isinstance(header, dict) or header.get("alg") != "RS256":
        raise NotificationRejected("algoritmo inesperado (se espera RS256)")
    try:
        jws.deserialize_compact(
            f"{parts[0]}.{_b64url(body)}.{parts[2]}",
            KeySet.import_key_set(jwks),  # type: ignore[arg-type]
            algorithms=["RS256"],
            registry=REGISTRY,
        )
    except (JoseError, ValueError) as error:
        raise NotificationRejected(f"firma inválida: {error}") from error
    if header.get("typ") != TYP:
        raise NotificationRejected("typ inesperado: no es una notificación del SAT")
    if not own_nit or header.get("aud") != own_nit:
        raise NotificationRejected("la notificación es para otra caja (aud)")
    iat = header.get("iat")
    if not isinstance(iat, int) or isinstance(iat, bool) or abs(now - iat) > MAX_SKEW_SECONDS:
        raise NotificationRejected("la firma es demasiado vieja o del futuro (iat)")
    jti = header.get("jti")
    if not isinstance(jti, str) or not jti:
        raise NotificationRejected("falta jti")
    if idempotency_key is not None and jti != idempotency_key:
        raise NotificationRejected("jti no coincide con la cabecera Idempotency-Key")
    if jti in seen_jti:
        raise AlreadyProcessed(f"jti ya procesado: {jti}")
    return header


# ---------------------------------------------------------------- 2. token
def get_token(api_url: str, client_id: str, consumer_password: str) -> str:
    """Token de acceso para UN servicio (el del Client ID). client_secret_basic: Client ID y contraseña se
    codifican como formulario (RFC 6749 §2.3.1) antes de Basic; así una contraseña con `+`, `%` o tildes llega
    igual. Guarde el token hasta poco antes de `expires_in`."""
    response = requests.post(
        f"{api_url}/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=(quote_plus(client_id), quote_plus(consumer_password)),
        timeout=TIMEOUT,
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


# ---------------------------------------------------------------- 3. consultar y descifrar
def pull(api_url: str, token: str, numero_transaccion: str) -> str:
    """SERVICIO SOLICITUD AFILIACION: la solicitud completa como JWE compacto (`application/jose`)."""
    response = requests.post(
        f"{api_url}/sat/solicitud-afiliacion",
        json={"numeroTransaccion": numero_transaccion},
        headers={"Authorization": f"Bearer {token}", "Accept": "application/jose"},
        timeout=TIMEOUT,
    )
    response.raise_for_status()
    return response.text


def decrypt(compact_jwe: str, private_keys: list[RSAKey | ECKey]) -> dict[str, Any]:
    """Descifra con la llave privada cuyo huella RFC 7638 es el `kid` del JWE (durante una rotación la caja tiene
    dos llaves registradas; el Ministerio cifra para la más nueva y la nombra)."""
    kid = _b64url_json(compact_jwe.split(".")[0]).get("kid")
    key = next((k for k in private_keys if k.thumbprint() == kid), None)
    if key is None:
        raise ValueError(f"no hay llave privada para el kid {kid}")
    algorithms = ["RSA-OAEP-256", "ECDH-ES+A256KW", "A256GCM"]
    plaintext = jwe.decrypt_compact(compact_jwe, key, algorithms=algorithms).plaintext
    document: dict[str, Any] = json.loads(plaintext or b"{}")
    return document


# ---------------------------------------------------------------- 4. responder
def build_answer(request: dict[str, Any], approved: bool, radicado: str, reason: str = "") -> dict[str, Any]:
    """Respuesta TramiteCCF: 1 aprobado (con fecha efectiva) o 2 no aprobado (con motivo)."""
    return {
        "NumeroTransaccion": request["numeroTransaccion"],
        "TipoDocumentoEmpleador": request["empleador"]["tipoDocumento"],
        "NumeroDocumentoEmpleador": request["empleador"]["numeroDocumento"],
        "SerialSat": request["serialSat"],
        "ResultadoTramite": 1 if approved else 2,
        "FechaEfectivaAfiliacion": date.today().isoformat() if approved else None,
        "MotivoRechazo": None if approved else reason,
        "NumeroRadicadoSolicitud": radicado,
    }


def answer(api_url: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
    """Repetir la misma respuesta es seguro (mismo acuse); una distinta se rechaza con 409."""
    response = requests.post(
        f"{api_url}/sat/respuesta-tramite-ccf",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=TIMEOUT,
    )
    response.raise_for_status()
    ack: dict[str, Any] = response.json()
    return ack


# ---------------------------------------------------------------- el programa
CONFIG = {
    "SAT_API_URL": "URL base del API del Ministerio",
    "SAT_CCF_NIT": "NIT de la caja (9 dígitos, sin dígito de verificación)",
    "SAT_CLIENT_ID_SOLICITUD": "Client ID de SERVICIO SOLICITUD AFILIACION",
    "SAT_CLIENT_ID_RESPUESTA": "Client ID de Respuesta TramiteCCF",
    "SAT_CONSUMER_PASSWORD": "contraseña de consumo asignada en el portal",
    "SAT_PRIVATE_KEYS": "archivos PEM de las llaves privadas, separados por comas",
    "SAT_SEEN_JTI_FILE": "archivo con los jti ya procesados, uno por línea",
}


def _config() -> dict[str, str]:
    missing = [name for name in CONFIG if not os.environ.get(name)]
    if missing:
        raise SystemExit("Faltan variables de entorno: " + ", ".join(f"{n} ({CONFIG[n]})" for n in missing))
    return {name: os.environ[name] for name in CONFIG}


def _load_key(path: str) -> RSAKey | ECKey:
    pem = Path(path).read_bytes()
    try:
        return RSAKey.import_key(pem)
    except (JoseError, ValueError, TypeError):
        return ECKey.import_key(pem)


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in ("verificar", "procesar"):
        print(__doc__, file=sys.stderr)
        return 2
    config = _config()
    api_url = config["SAT_API_URL"].rstrip("/")
    notification = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    headers = {name.lower(): value for name, value in notification["headers"].items()}
    body = notification["body"].encode()
    seen_file = Path(config["SAT_SEEN_JTI_FILE"])
    seen = set(seen_file.read_text(encoding="utf-8").split()) if seen_file.exists() else set()
    try:
        header = verify_notification(
            headers.get("x-jws-signature", ""),
            body,
            ministry_jwks(api_url),
            config["SAT_CCF_NIT"],
            seen,
            time.time(),
            idempotency_key=headers.get("idempotency-key", ""),
        )
    except NotificationRejected as error:
        print(f"Notificación rechazada: {error}", file=sys.stderr)
        return 1
    result: dict[str, Any] = {"verificada": header}
    if argv[0] == "procesar":
        numero = str(json.loads(body)["numero_transaccion"])
        keys = [_load_key(path) for path in config["SAT_PRIVATE_KEYS"].split(",")]
        token = get_token(api_url, config["SAT_CLIENT_ID_SOLICITUD"], config["SAT_CONSUMER_PASSWORD"])
        request = decrypt(pull(api_url, token, numero), keys)
        approved = (argv[2] if len(argv) > 2 else "aprobar") == "aprobar"
        body_answer = build_answer(request, approved, f"CCF-{numero[-6:]}", "Documentación incompleta")
        token = get_token(api_url, config["SAT_CLIENT_ID_RESPUESTA"], config["SAT_CONSUMER_PASSWORD"])
        result |= {"numeroTransaccion": request["numeroTransaccion"], "acuse": answer(api_url, token, body_answer)}
    with seen_file.open("a", encoding="utf-8") as out:  # procesado: el mismo jti no se procesa de nuevo
        out.write(header["jti"] + "\n")
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
