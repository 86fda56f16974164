"""E-mails about deliveries that did not happen (decision 0105), queued on the outbox (templates in
infra/email_templates, Spanish):

- `notification-failed`: a trámite's delivery gave up (FALLIDA: a permanent refusal, or no acknowledgement after
  the whole schedule); to the CCF's authorized persons and the Ministry's exchange operators.
- `notification-endpoint-disabled`: the CCF's notification endpoint was disabled (410 Gone, or failing for days);
  to the same people.
- `notification-service-missing`: a trámite was filed for a CCF with no ACTIVE notification service; to the CCF's
  authorized persons, at most once a day per CCF (a claim item with a TTL), however many trámites fail meanwhile.

Best effort: the delivery's outcome is stored first; an e-mail that cannot be queued is logged (no address).
The exchange operators are the members of the Cognito group `ministerio-intercambio` in the people pool, read
live (decision 0090): an operator added or removed is e-mailed, or not, from the next notice on.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from notifications.repository import DeliveryRepository
from sat_common import aws, ccf_person_access, clock
from sat_common.colombian_time import colombian_time
from sat_common.observability import logger
from sat_common.operator_groups import EXCHANGE
from sat_common.outbox import EmailTemplate, OutboxEmail, enqueue_email

MISSING_NOTICE_INTERVAL_SECONDS = 24 * 3600
COGNITO_PAGE = 60  # ListUsersInGroup's maximum

# What each reason code means, in the portal's words (the attempt list shows the code itself).
REASONS_ES = {
    "SIN_SERVICIO_NOTIFICACION": "la caja no tiene un servicio compartido de notificación de trámites",
    "SERVICIO_NOTIFICACION_INACTIVO": "el servicio de notificación de la caja no está activo",
    "HTTP_410": "el servicio de la caja respondió 410 (ya no existe)",
    "REDIRECCION_NO_SEGUIDA": "el servicio de la caja respondió con una redirección",
    "UNSAFE_URL": "la URL del servicio de la caja no está permitida",
    "CONNECT_FAILED": "no se pudo conectar con el servicio de la caja",
    "ACUSE_INVALIDO": "el servicio de la caja respondió sin el número de transacción",
    "TIMEOUT": "el servicio de la caja no respondió a tiempo",
    "TOKEN_UNREACHABLE": "no se pudo conectar con el servicio de token de la caja",
    "FALLA_PROLONGADA": "el servicio de la caja falló durante varios días seguidos",
}


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    link: str


def reason_es(reason: str | None) -> str:
    if not reason:
        return "sin respuesta válida"
    if reason in REASONS_ES:
        return REASONS_ES[reason]
    if reason.startswith("HTTP_"):
        return f"el servicio de la caja respondió HTTP {reason[5:]}"
    return f"falla de conexión ({reason})"


class Notices:
    def __init__(self, settings: Any) -> None:
        self.settings = settings

    # ----------------------------------------------------------------- recipients
    def _ccf_people(self, nit: str) -> list[Recipient]:
        link = f"{self.settings.portal_base_url}/ccfs/{nit}/servicios"
        people = ccf_person_access.authorized_people(self.settings.main_table_name, nit)
        return [Recipient(p.email.lower(), p.name, link) for p in people if p.email]

    def _exchange_operators(self, numero: str | None) -> list[Recipient]:
        pool = self.settings.people_user_pool_id
        if not pool:
            return []
        link = f"{self.settings.portal_base_url}/ministerio/tramites" + (f"/{numero}" if numero else "")
        found: list[Recipient] = []
        request: dict[str, Any] = {"UserPoolId": pool, "GroupName": EXCHANGE, "Limit": COGNITO_PAGE}
        idp = aws.client("cognito-idp")
        while True:
            try:
                response = idp.list_users_in_group(**request)
            except idp.exceptions.ResourceNotFoundException:  # no such group in this pool: nobody to tell
                return found
            for user in response.get("Users", []):
                attributes = {a["Name"]: a["Value"] for a in user.get("Attributes", [])}
                if not user.get("Enabled", True) or not attributes.get("email"):
                    continue
                names = " ".join(p for p in (attributes.get("given_name"), attributes.get("family_name")) if p)
                found.append(Recipient(attributes["email"].lower(), names or "Operador del Ministerio", link))
            if not response.get("NextToken"):
                return found
            request["NextToken"] = response["NextToken"]

    def _business_name(self, nit: str) -> str:
        item = DeliveryRepository(self.settings.main_table_name).ccf_activation(nit)
        return str((item or {}).get("businessName") or nit)

    def _send(self, template: EmailTemplate, key: str, recipients: list[Recipient], data: dict[str, str]) -> int:
        sent: set[str] = set()
        for recipient in recipients:
            if recipient.email in sent:  # an operator who is also an authorized person gets one e-mail
                continue
            digest = hashlib.sha256(recipient.email.encode()).hexdigest()[:16]
            enqueue_email(
                self.settings.outbox_queue_url,
                OutboxEmail(
                    id=f"{template}-{key}-{digest}",
                    template=template,
                    to=recipient.email,
                    data={**data, "nombre": recipient.name, "enlace": recipient.link},
                ),
            )
            sent.add(recipient.email)
        return len(sent)

    def _safely(self, what: str, send: Any) -> int:
        try:
            return int(send())
        except Exception as error:
            logger.warning("delivery notice not queued", extra={"notice": what, "errorType": type(error).__name__})
            return 0

    # ----------------------------------------------------------------- the notices
    def delivery_failed(self, nit: str, numero: str, generation: int, reason: str | None, attempts: int) -> int:
        def send() -> int:
            recipients = self._ccf_people(nit) + self._exchange_operators(numero)
            data = {
                "razonSocial": self._business_name(nit),
                "nit": nit,
                "numeroTransaccion": numero,
                "motivo": reason_es(reason),
                "intentos": str(attempts),
                "fecha": colombian_time(clock.now()),
            }
            return self._send("notification-failed", f"{numero}-{generation}", recipients, data)

        return self._safely("notification-failed", send)

    def endpoint_disabled(self, nit: str, service_name: str, shared_service_id: str, reason: str) -> int:
        def send() -> int:
            recipients = self._ccf_people(nit) + self._exchange_operators(None)
            data = {
                "razonSocial": self._business_name(nit),
                "nit": nit,
                "servicio": service_name,
                "motivo": reason_es(reason),
                "fecha": colombian_time(clock.now()),
            }
            stamp = clock.now().strftime("%Y%m%d%H%M")
            return self._send("notification-endpoint-disabled", f"{shared_service_id}-{stamp}", recipients, data)

        return self._safely("notification-endpoint-disabled", send)

    def service_missing(self, nit: str, numero: str, reason: str) -> int:
        """At most one per CCF per MISSING_NOTICE_INTERVAL_SECONDS (a conditional put claims the day)."""

        def send() -> int:
            if not self._claim_missing_notice(nit):
                return 0
            data = {
                "razonSocial": self._business_name(nit),
                "nit": nit,
                "numeroTransaccion": numero,
                "motivo": reason_es(reason),
            }
            day = clock.now().strftime("%Y%m%d")
            return self._send("notification-service-missing", f"{nit}-{day}", self._ccf_people(nit), data)

        return self._safely("notification-service-missing", send)

    def _claim_missing_notice(self, nit: str) -> bool:
        store = DeliveryRepository(self.settings.main_table_name)
        return store.claim_missing_notice(nit, clock.epoch(), MISSING_NOTICE_INTERVAL_SECONDS)
