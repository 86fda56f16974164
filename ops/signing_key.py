"""`python -m ops signing-key status|rotate`: the Ministry's notification signing keys (decision 0104).

Three KMS aliases name the keys (`<base>-current`, `-next`, `-previous`; base = the stack output
NotificationSigningAlias). The notifications worker signs with `current`; `GET /.well-known/jwks.json` publishes
all three. A rotation:

1. creates a new RSA_2048 SIGN_VERIFY key (tagged, described);
2. points `previous` at the current key (still published: notifications signed just before still verify);
3. points `current` at `next` (published since the last rotation, so every receiver already knows it);
4. points `next` at the new key;
5. schedules the deletion of the key `previous` named before (no alias, no longer published; KMS keeps it
   for the pending window, so `aws kms cancel-key-deletion` can bring it back).

It refuses while `next` has been published for less than `min_published_seconds` (receivers cache the JWKS, the
route says max-age=300), so a key never signs before receivers could have seen it, and `previous` stays published
at least as long. An interrupted rotation (current and next on the same key) is finished by running it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ops.errors import NO_TARGET, OpsError
from ops.target import Target

SIGNING_ALIAS = "NotificationSigningAlias"  # stack output: the aliases' common prefix
SLOTS = ("current", "next", "previous")
MIN_PUBLISHED_SECONDS = 3600
DELETION_WINDOW_DAYS = 30


@dataclass(frozen=True)
class SlotKey:
    alias: str
    key_id: str
    created: datetime
    state: str


def aliases(target: Target) -> dict[str, str]:
    base = target.output(SIGNING_ALIAS)
    return {slot: f"{base}-{slot}" for slot in SLOTS}


def _slot(kms: Any, alias: str) -> SlotKey | None:
    from botocore.exceptions import ClientError

    try:
        meta = kms.describe_key(KeyId=alias)["KeyMetadata"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "NotFoundException":
            return None
        raise
    created = meta["CreationDate"]
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    return SlotKey(alias=alias, key_id=meta["KeyId"], created=created, state=meta.get("KeyState", "Enabled"))


def status(target: Target) -> dict[str, SlotKey | None]:
    kms = target.client("kms")
    return {slot: _slot(kms, alias) for slot, alias in aliases(target).items()}


def _point(kms: Any, alias: str, key_id: str, exists: bool) -> None:
    if exists:
        kms.update_alias(AliasName=alias, TargetKeyId=key_id)
    else:
        kms.create_alias(AliasName=alias, TargetKeyId=key_id)


def rotate(
    target: Target,
    *,
    dry_run: bool,
    min_published_seconds: int = MIN_PUBLISHED_SECONDS,
    deletion_window_days: int = DELETION_WINDOW_DAYS,
    now: datetime | None = None,
) -> list[str]:
    """Rotate once; returns what was (or would be) done, one line each."""
    kms = target.client("kms")
    names = aliases(target)
    slots = {slot: _slot(kms, alias) for slot, alias in names.items()}
    current, upcoming, previous = slots["current"], slots["next"], slots["previous"]
    if current is None or upcoming is None:
        raise OpsError(f"alias {names['current']} or {names['next']} is missing: deploy the stack first", NO_TARGET)
    done: list[str] = []
    resuming = upcoming.key_id == current.key_id  # a rotation stopped after step 3
    if not resuming:
        age = ((now or datetime.now(UTC)) - upcoming.created).total_seconds()
        if age < min_published_seconds:
            raise OpsError(
                f"the next key has been published for {int(age)} s only; receivers cache the JWKS: wait until "
                f"{min_published_seconds} s have passed (or pass --min-published-seconds)"
            )
    if dry_run:
        return [
            "would create a new signing key (RSA_2048, SIGN_VERIFY)",
            *([] if resuming else [f"would point {names['previous']} at {current.key_id}"]),
            *([] if resuming else [f"would point {names['current']} at {upcoming.key_id}"]),
            f"would point {names['next']} at the new key",
            *(
                [f"would schedule the deletion of {previous.key_id} ({deletion_window_days} days)"]
                if previous and not resuming and previous.key_id not in (current.key_id, upcoming.key_id)
                else []
            ),
        ]
    new_key = kms.create_key(
        KeySpec="RSA_2048",
        KeyUsage="SIGN_VERIFY",
        Description="SAT-CCF trámite notification signing key (RS256, JWKS), created by ops signing-key rotate",
        Tags=[{"TagKey": "sat-ccf", "TagValue": "notification-signing"}],
    )["KeyMetadata"]["KeyId"]
    done.append(f"created signing key {new_key}")
    if not resuming:
        _point(kms, names["previous"], current.key_id, exists=previous is not None)
        done.append(f"{names['previous']} -> {current.key_id}")
        kms.update_alias(AliasName=names["current"], TargetKeyId=upcoming.key_id)
        done.append(f"{names['current']} -> {upcoming.key_id}")
    kms.update_alias(AliasName=names["next"], TargetKeyId=new_key)
    done.append(f"{names['next']} -> {new_key}")
    if previous and not resuming and previous.key_id not in (current.key_id, upcoming.key_id, new_key):
        kms.schedule_key_deletion(KeyId=previous.key_id, PendingWindowInDays=deletion_window_days)
        done.append(f"scheduled the deletion of {previous.key_id} in {deletion_window_days} days")
    return done
