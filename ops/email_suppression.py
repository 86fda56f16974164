"""`python -m ops email unsuppress ADDRESS`: an address SES reported as bounced or complained about
(decision 0072) may receive e-mail again, once its owner says it works: the main table's suppression item
(GET /me stops showing emailStatus BOUNCED) and, on AWS, SES's account-level suppression list entry."""

from __future__ import annotations

from ops import target as outputs
from ops.errors import USAGE, OpsError
from ops.target import Target


def unsuppress(target: Target, address: str, *, dry_run: bool) -> tuple[str, bool]:
    """(the status the address had, whether SES's list held it)."""
    from pydantic_core import PydanticCustomError

    from ops.repositories.suppressions import SuppressionRepository
    from sat_common.fields import email_address

    try:
        address = email_address(address)
    except PydanticCustomError:
        raise OpsError("not an e-mail address", USAGE) from None
    suppressions = target.store(SuppressionRepository, outputs.MAIN_TABLE)
    item = suppressions.suppression(address) or {}
    in_ses = False if target.local else _in_ses_list(target, address)
    if not dry_run:
        suppressions.remove_suppression(address)
        if in_ses:
            target.client("sesv2").delete_suppressed_destination(EmailAddress=address)
    return str(item.get("status", "OK")), in_ses


def _in_ses_list(target: Target, address: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        target.client("sesv2").get_suppressed_destination(EmailAddress=address)
        return True
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "NotFoundException":
            return False
        raise
