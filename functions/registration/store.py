"""Items of the registration area in the main table (layout in docs/decisions/0020-registration-items.md).

PK                      SK                  what
REGISTRATION#<id>       REGISTRATION        one registration attempt: basic data, state, question bank and set
PERSON#<TYPE>-<NUMBER>  REGISTRATION_CLAIM  at most one registration in progress per document (conditional put)
PERSON#<TYPE>-<NUMBER>  IDENTITY_CHECK      failed question sets in the 30-day memory, lockedUntil (0026; the
                                            help desk removes lockedUntil only, 0091)
PERSON#<TYPE>-<NUMBER>  QUESTION_SEED       random seed and the person's question bank: the same options (0026)
PERSON#<TYPE>-<NUMBER>  ACCOUNT             PASSWORD_PENDING/ACTIVE, current set-password token hash, e-mail quota
PERSON#<TYPE>-<NUMBER>  PROFILE             names, document, e-mail, contact data, consents summary
PERSON#<TYPE>-<NUMBER>  LOGIN_DELAY#<src>   failed logins from one source (IP, IPv6 /64) and its delayUntil (0028)
PERSON#<TYPE>-<NUMBER>  MFA_TOTP            TOTP enrolment: status, KMS-encrypted secret, last used step (0029)
MFACHALLENGE#<sha256>   MFA_CHALLENGE       a sign-in waiting for its TOTP code: username, encrypted refresh token
PERSON#<TYPE>-<NUMBER>  ROLE#<ROLE>[#<NIT>] the roles later areas grant (employer, delegate, CCF authorized)
SETPWD#<sha256(token)>  TOKEN               set-password token: username, registrationId (welcome) or
                                            purpose RESET (password reset, 0075) or OPERATOR_INVITE (an
                                            operator's invitation, 0090), expiresAt
PERSON#<TYPE>-<NUMBER>  PASSWORD_RESET      reset requests in the current hour (any document, TTL; 0075)
PERSON#<TYPE>-<NUMBER>  EMAIL_CHANGE        the pending e-mail change: new address, token hash, quota (0076)
EMAILCHG#<sha256(token)> TOKEN              e-mail change token: username, new address, expiresAt (0076)

Times are stored twice where a person reads them: epoch seconds (comparisons, TTL `expiresAt`) and ISO
8601. DynamoDB TTL deletes late (and moto never), so every read compares times in code.
"""

import time
from typing import Any

from sat_common.items import ItemStore, plain

BATCH_GET_MAX = 100  # DynamoDB's BatchGetItem limit

REGISTRATION = "REGISTRATION"
CLAIM = "REGISTRATION_CLAIM"
IDENTITY_CHECK = "IDENTITY_CHECK"
QUESTION_SEED = "QUESTION_SEED"
ACCOUNT = "ACCOUNT"
PROFILE = "PROFILE"
LOGIN_DELAY_PREFIX = "LOGIN_DELAY#"
MFA_CHALLENGE = "MFA_CHALLENGE"
ROLE_PREFIX = "ROLE#"
TOKEN = "TOKEN"  # noqa: S105 (a sort key)
PASSWORD_RESET = "PASSWORD_RESET"  # noqa: S105 (a sort key)
EMAIL_CHANGE = "EMAIL_CHANGE"


def username_of(document_type: str, document_number: str) -> str:
    return f"{document_type}-{document_number}"


def person_key(username: str, sort_key: str) -> dict[str, str]:
    return {"PK": f"PERSON#{username}", "SK": sort_key}


def registration_key(registration_id: str) -> dict[str, str]:
    return {"PK": f"REGISTRATION#{registration_id}", "SK": REGISTRATION}


def token_key(token_hash: str) -> dict[str, str]:
    return {"PK": f"SETPWD#{token_hash}", "SK": TOKEN}


def email_change_token_key(token_hash: str) -> dict[str, str]:
    return {"PK": f"EMAILCHG#{token_hash}", "SK": TOKEN}


def login_delay_key(username: str, source: str) -> dict[str, str]:
    return person_key(username, f"{LOGIN_DELAY_PREFIX}{source}")


def mfa_challenge_key(session_hash: str) -> dict[str, str]:
    return {"PK": f"MFACHALLENGE#{session_hash}", "SK": MFA_CHALLENGE}


class Store(ItemStore):
    def person_items(self, username: str) -> dict[str, dict[str, Any]]:
        """Every item of one person, by sort key: one strongly consistent Query."""
        items = self.query_all(
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": f"PERSON#{username}"},
            ConsistentRead=True,
        )
        return {str(item["SK"]): item for item in items}

    def batch_get(self, keys: list[dict[str, str]]) -> list[dict[str, Any]]:
        """The items of `keys` that exist (at most 100 keys: one BatchGetItem, again only for unprocessed keys)."""
        assert len(keys) <= BATCH_GET_MAX
        found: list[dict[str, Any]] = []
        request = {self.table_name: {"Keys": keys, "ConsistentRead": True}} if keys else {}
        for attempt in range(5):
            if not request:
                return found
            if attempt:
                time.sleep(0.05 * 2**attempt)  # throttled: back off before asking for the rest
            response = self.table.meta.client.batch_get_item(RequestItems=request)
            found += [plain(item) for item in response.get("Responses", {}).get(self.table_name, [])]
            request = response.get("UnprocessedKeys") or {}
        raise RuntimeError("BatchGetItem kept leaving keys unprocessed")

    def roles(self, username: str) -> list[dict[str, Any]]:
        return self.query_all(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :role)",
            ExpressionAttributeValues={":pk": f"PERSON#{username}", ":role": ROLE_PREFIX},
        )
