"""Load the synthetic reference data (local/seed/reference-data.json, docs/seed.md) into moto.

Reference-table items come from the common layer's `sat_common.reference.seed.items_from_seed`
(imported from the template's common-code layer dir, else `layers/common/python`), so the runtime
writes exactly what the DynamoDB adapter reads. The Ministry users go to the people pool:
username `<TYPE>-<NUMBER>`, verified e-mail, permanent password, the groups the seed gives each (the
administrator `ministerio`, then one operator per other group: decision 0090), and TOTP enabled
(`enrol_ministry_totp`, as PUT /me/mfa/totp leaves it: decision 0029).
"""

from __future__ import annotations

import base64
import importlib
import json
import secrets
import string
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from local import aws

REPO_ROOT = Path(__file__).resolve().parent.parent
SEED_FILE = REPO_ROOT / "local" / "seed" / "reference-data.json"
MINISTRY_GROUP = "ministerio"


def _items_from_seed(doc: dict[str, Any], layer_dirs: Iterable[Path]) -> list[dict[str, Any]]:
    for path in [*layer_dirs, REPO_ROOT / "layers" / "common" / "python"]:
        if (path / "sat_common").is_dir():
            if str(path) not in sys.path:
                sys.path.insert(0, str(path))
            break
    module = importlib.import_module("sat_common.reference.seed")
    return list(module.items_from_seed(doc))


def load_reference_items(
    endpoint: str, region: str, table: str, doc: dict[str, Any], layer_dirs: Iterable[Path] = ()
) -> int:
    items = _items_from_seed(doc, layer_dirs)
    ddb = aws.resource("dynamodb", endpoint, region)
    with ddb.Table(table).batch_writer() as batch:
        for item in items:
            batch.put_item(Item=item)
    return len(items)


def generate_password() -> str:
    """16 characters with upper, lower, digit and symbol: passes any Cognito password policy."""
    alphabet = string.ascii_letters + string.digits
    core = "".join(secrets.choice(alphabet) for _ in range(12))
    return (
        core
        + secrets.choice(string.ascii_uppercase)
        + secrets.choice(string.ascii_lowercase)
        + secrets.choice(string.digits)
        + "!"
    )


def create_ministry_users(
    endpoint: str, region: str, pool_id: str, users: list[dict[str, Any]], password: str
) -> list[str]:
    """Each seed operator in the groups it names (`ministerio` when it names none; decision 0090)."""
    idp = aws.client("cognito-idp", endpoint, region)
    groups = {g["GroupName"] for g in idp.list_groups(UserPoolId=pool_id)["Groups"]}
    for group in sorted({g for user in users for g in user.get("groups", [MINISTRY_GROUP])} - groups):
        idp.create_group(UserPoolId=pool_id, GroupName=group)
    names = []
    for user in users:
        username = f"{user['documentType']}-{user['documentNumber']}"
        attributes = [{"Name": "email", "Value": user["email"]}, {"Name": "email_verified", "Value": "true"}]
        if user.get("firstName"):
            attributes.append({"Name": "given_name", "Value": user["firstName"]})
        if user.get("firstSurname"):
            attributes.append({"Name": "family_name", "Value": user["firstSurname"]})
        idp.admin_create_user(
            UserPoolId=pool_id, Username=username, UserAttributes=attributes, MessageAction="SUPPRESS"
        )
        idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)
        for group in user.get("groups", [MINISTRY_GROUP]):
            idp.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)
        names.append(username)
    return names


# The encryption context functions/registration/mfa.py decrypts a TOTP secret with (TOTP_SECRET_PURPOSE).
TOTP_SECRET_PURPOSE = "totp-secret"  # noqa: S105 (an encryption-context value)


def enrol_ministry_totp(
    endpoint: str, region: str, table: str, key_id: str, usernames: list[str], secret: str | None = None
) -> str:
    """TOTP enabled for the seeded operators, written as PUT /me/mfa/totp leaves it (PERSON#<u>/MFA_TOTP, the
    secret encrypted with the MFA key for that person). One secret for all of them, returned for the banner
    and ready.json (`secret` keeps the one an authenticator app already has, e.g. LOCAL_MINISTRY_TOTP_SECRET)."""
    import pyotp

    secret = secret or pyotp.random_base32()
    kms = aws.client("kms", endpoint, region)
    items = aws.resource("dynamodb", endpoint, region).Table(table)
    for username in usernames:
        blob = kms.encrypt(
            KeyId=key_id,
            Plaintext=secret.encode(),
            EncryptionContext={"purpose": TOTP_SECRET_PURPOSE, "username": username},
        )["CiphertextBlob"]
        items.put_item(
            Item={
                "PK": f"PERSON#{username}",
                "SK": "MFA_TOTP",
                "status": "ENABLED",
                "secret": base64.b64encode(blob).decode(),
                "enabledAt": "seed",
            }
        )
    return secret


def read_seed(path: Path = SEED_FILE) -> dict[str, Any] | None:
    return json.loads(path.read_text()) if path.exists() else None


def load_services(endpoint: str, region: str, table: str, path: Path | None = None) -> list[str]:
    """Put the Ministry's services into the main table (the same code as `python -m ops bootstrap`);
    returns their ids."""
    from ops.services_catalog import SERVICES_FILE, now_iso, put_services, read_services, service_items

    path = path or SERVICES_FILE
    if not path.exists():
        return []
    items = service_items(read_services(path), now_iso())
    created, existing = put_services(aws.resource("dynamodb", endpoint, region).Table(table), items)
    return created + existing


def service_items(doc: dict[str, Any], now: str) -> list[dict[str, Any]]:
    """Kept for callers of the old location: ops.services_catalog.service_items."""
    from ops.services_catalog import service_items as items

    return items(doc, now)
