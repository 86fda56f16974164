"""Settings of the outbox worker, read on the first message (tooling imports the handler without them)."""

from functools import cache

from sat_common.settings import EmailSettings


class DeliverySettings(EmailSettings):
    """MAIN_TABLE_NAME (the idempotency records, the e-mail suppression items), the SES sender and templates."""


@cache
def settings() -> DeliverySettings:
    return DeliverySettings()  # type: ignore[call-arg]
