"""Items of the delegation area in the main table (docs/data-model.md, docs/decisions/0030-*), and every read and
write of them: the use cases (employers, rut, authorizations, representative, review_queue) call the named
operations here and never see an expression.

PK                       SK                                   what
EMPLOYER#<nit>           PROFILE                              the company: RUT basic data, status, delegate,
                                                              headquarters, current RUT upload, version
EMPLOYER#<nit>           AUTH#<authorizationId>               one authorization of a person for the CCF
PERSON#<username>        ROLE#EMPLEADOR_PERSONA_JURIDICA#<nit> the legal representative's / delegate's grant
PERSON#<username>        ROLE#CAJA_DE_SUBSIDIO_FAMILIAR#<nit>  the authorized person's grant (also the
                                                              "once per person and CCF" uniqueness item)
EMPLOYER#<nit>           INVITATIONS#<yyyy-mm-dd>             delegate invitations sent that (Colombian) day:
                                                              a conditional counter; TTL expiresAt
CCF#<nit>                ACTIVATION                           written by the catalog area; read here

Every /employers/{nit} request is authorized by the caller's own ROLE item, read with the company in one
BatchGetItem: rights come from stored grants, never from the request.
"""

from collections.abc import Sequence
from typing import Any

from sat_common import ccf_access, keys
from sat_common.items import ItemStore, Transaction

PROFILE = keys.PROFILE
EMPLOYER_ROLE = "EMPLEADOR_PERSONA_JURIDICA"
CCF_ROLE = "CAJA_DE_SUBSIDIO_FAMILIAR"
LEGAL_REP = "REPRESENTANTE_LEGAL"
DELEGATE = "DELEGADO"
CCF_PROFILE = "ADMINISTRAR_SERVICIOS_WEB_EXTERNOS"
ROLE_NAMES = {EMPLOYER_ROLE: "Empleador persona jurídica", CCF_ROLE: "Caja de Compensación Familiar"}

# Grant (ROLE item) states. /me/roles lists ACTIVE only; the catalog area accepts ACTIVE only.
ACTIVE = "ACTIVE"
PENDING_CONFIRMATION = "PENDING_CONFIRMATION"  # the company's registration is not confirmed yet
REVOKED = "REVOKED"
# Grant states that let a person act on /employers/{nit}. PENDING_CONFIRMATION: named before the
# company's registration was confirmed (the role is not in /me/roles yet, but the steps can be done).
EMPLOYER_ACCESS = (ACTIVE, PENDING_CONFIRMATION)

# Employer states
DRAFT = "DRAFT"
RUT_REQUIRED = "RUT_REQUIRED"
PENDING_REVIEW = "PENDING_REVIEW"
RUT_REJECTED = "RUT_REJECTED"
REGISTERED = "REGISTERED"

# The RUT upload slot's states (employer.rut.status; rut.py has the transitions)
AWAITING_UPLOAD = "AWAITING_UPLOAD"
FILE_REJECTED = "FILE_REJECTED"
UPLOADED = "UPLOADED"
EXPIRED = "EXPIRED"
APPROVED = "APPROVED"
REJECTED = "REJECTED"

# The legal representative re-check (decision 0033): when the reference source was last asked
CHECKED_AT = "legalRepresentativeCheckedAt"

Item = dict[str, Any]
_STATUS = {"#status": "status"}


def employer_key(nit: str) -> dict[str, str]:
    return {"PK": keys.employer(nit), "SK": PROFILE}


def authorization_key(nit: str, authorization_id: str) -> dict[str, str]:
    return {"PK": keys.employer(nit), "SK": keys.authorization(authorization_id)}


def invitations_key(nit: str, day: str) -> dict[str, str]:
    return {"PK": keys.employer(nit), "SK": keys.delegate_invitations(day)}


def role_key(username: str, role: str, nit: str) -> dict[str, str]:
    return {"PK": keys.person(username), "SK": keys.role(role, nit)}


def status_index(status: str, since: str, nit: str) -> dict[str, str]:
    """GSI1 of an employer: its status, then when it entered it and the NIT, so `GSI1PK = EMPSTATUS#<status>`
    reads a status's companies oldest first (the RUT review queue, decision 0092). Set with every status change."""
    return {"GSI1PK": keys.employers_by_status(status), "GSI1SK": f"{since}#{nit}"}


def ccf_grant_index(username: str, nit: str) -> dict[str, str]:
    """GSI1 of an authorized person's grant: the catalog area finds a CCF's authorized persons through it."""
    return {"GSI1PK": keys.role(CCF_ROLE, nit), "GSI1SK": keys.person(username)}


def is_authorization_key(nit: str, key: dict[str, str]) -> bool:
    """A page token's key belongs to this company's authorizations."""
    return key["PK"] == keys.employer(nit) and key["SK"].startswith(keys.AUTH)


def is_employer_key(partition_key: str) -> bool:
    return partition_key.startswith(keys.EMPLOYER)


class DelegationRepository(ItemStore):
    # --------------------------------------------------------------------------- reads
    def employer(self, nit: str) -> Item | None:
        return self.get(employer_key(nit))

    def grant(self, username: str, nit: str) -> Item | None:
        """A person's grant on a company (legal representative or delegate)."""
        return self.get(role_key(username, EMPLOYER_ROLE, nit))

    def grant_and_employer(self, username: str, nit: str) -> tuple[Item | None, Item | None]:
        """The caller's grant and the company, in one read (every /employers/{nit} request starts here)."""
        grant, employer = self.get_many([role_key(username, EMPLOYER_ROLE, nit), employer_key(nit)])
        return grant, employer

    def ccf_grant(self, username: str, nit: str) -> Item | None:
        """A person's authorized-person grant for the CCF."""
        return self.get(role_key(username, CCF_ROLE, nit))

    def person_item(self, username: str, kind: str) -> Item | None:
        """The registration area's items of a person: ACCOUNT, PROFILE."""
        return self.get({"PK": keys.person(username), "SK": kind})

    def ccf_activation(self, nit: str) -> Item | None:
        return self.get(ccf_access.activation_key(nit))

    def authorization(self, nit: str, authorization_id: str) -> Item | None:
        return self.get(authorization_key(nit, authorization_id))

    def authorizations_page(self, nit: str, limit: int, start: dict[str, Any] | None) -> tuple[list[Item], Any]:
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": {":pk": keys.employer(nit), ":prefix": keys.AUTH},
            "Limit": limit,
            "ConsistentRead": True,
        }
        if start:
            kwargs["ExclusiveStartKey"] = start
        return self.query(**kwargs)

    def employers_in_status(self, status: str, limit: int, start: dict[str, Any] | None) -> tuple[list[Item], Any]:
        """One page of the companies in `status`, oldest first (GSI1)."""
        kwargs: dict[str, Any] = {
            "IndexName": "GSI1",
            "KeyConditionExpression": "GSI1PK = :pk",
            "ExpressionAttributeValues": {":pk": keys.employers_by_status(status)},
            "ScanIndexForward": True,
            "Limit": limit,
        }
        if start:
            kwargs["ExclusiveStartKey"] = start
        return self.query(**kwargs)

    def invitations(self, nit: str, day: str) -> int:
        return int((self.get(invitations_key(nit, day)) or {}).get("count", 0))

    # --------------------------------------------------------------------------- Paso 2 (manual §5)
    def create_employer(self, employer: Item, legal_representative_grant: Item) -> None:
        """The company and its legal representative's grant; ConditionFailed when the company exists."""
        tx = self.tx()
        tx.put(employer, condition="attribute_not_exists(PK)")
        tx.put(legal_representative_grant)
        tx.commit()

    # --------------------------------------------------------------------------- Paso 3
    def name_delegate(
        self,
        nit: str,
        version: int,
        delegate: Item,
        grant: Item,
        previous: str | None,
        invitation: tuple[str, int, int] | None,
        now: str,
    ) -> None:
        """The delegate on the company, their grant, the previous delegate's grant revoked and, for an invitation
        (day, TTL, limit), one more on the day's counter: all or nothing (ConditionFailed)."""
        tx = self.tx()
        tx.update(
            employer_key(nit),
            "SET delegate = :d, updatedAt = :now, version = version + :one",
            condition="version = :v",
            values={":d": delegate, ":now": now, ":one": 1, ":v": version},
        )
        tx.put(grant)
        if previous:
            self._revoke_grant(tx, previous, nit, now)
        if invitation:
            day, ttl, limit = invitation
            tx.update(
                invitations_key(nit, day),
                "SET expiresAt = :ttl ADD #count :one",
                condition="attribute_not_exists(#count) OR #count < :limit",
                names={"#count": "count"},
                values={":ttl": ttl, ":one": 1, ":limit": limit},
            )
        tx.commit()

    @staticmethod
    def _revoke_grant(tx: Transaction, username: str, nit: str, now: str) -> None:
        tx.update(
            role_key(username, EMPLOYER_ROLE, nit),
            "SET #status = :revoked, revokedAt = :now",
            condition="attribute_exists(PK)",
            names=_STATUS,
            values={":revoked": REVOKED, ":now": now},
        )

    # --------------------------------------------------------------------------- Paso 4
    def save_headquarters(self, nit: str, version: int, data: Item, now: str) -> None:
        self.update(
            employer_key(nit),
            "SET headquarters = :h, updatedAt = :now, version = version + :one",
            condition="version = :v",
            values={":h": data, ":now": now, ":one": 1, ":v": version},
        )

    def confirm(self, nit: str, version: int, usernames: Sequence[str], business_name: str, now: str) -> None:
        """REGISTERED, and the pending grants of `usernames` active (legal representative and delegate)."""
        tx = self.tx()
        tx.update(
            employer_key(nit),
            "SET #status = :registered, GSI1PK = :gsi, GSI1SK = :gsisk, confirmedAt = :now, updatedAt = :now,"
            " version = version + :one",
            condition="version = :v AND #status = :draft",
            names=_STATUS,
            values={**self._status_values(":registered", REGISTERED, now, nit), ":v": version, ":draft": DRAFT},
        )
        for username in usernames:
            tx.update(
                role_key(username, EMPLOYER_ROLE, nit),
                "SET #status = :active, grantedAt = :now, businessName = :name",
                condition="#status = :pending",
                names=_STATUS,
                values={":active": ACTIVE, ":now": now, ":name": business_name, ":pending": PENDING_CONFIRMATION},
            )
        tx.commit()

    @staticmethod
    def _status_values(name: str, status: str, now: str, nit: str) -> dict[str, Any]:
        index = status_index(status, now, nit)
        return {name: status, ":gsi": index["GSI1PK"], ":gsisk": index["GSI1SK"], ":now": now, ":one": 1}

    # --------------------------------------------------------------------------- the legal representative (0033)
    def mark_representative_checked(self, nit: str, username: str, now: str) -> None:
        """The reference source still names `username`; ConditionFailed when someone took the company over."""
        self.update(
            employer_key(nit),
            f"SET {CHECKED_AT} = :now",
            condition="legalRepresentative = :me",
            values={":now": now, ":me": username},
        )

    def revoke_representative(
        self, nit: str, username: str, reason: str, now: str, audit_table: str, audit_entry: Item
    ) -> None:
        """The legal representative's grant revoked with its audit entry; ConditionFailed when it is not a
        working legal representative's grant any more."""
        tx = self.tx()
        tx.update(
            role_key(username, EMPLOYER_ROLE, nit),
            "SET #status = :revoked, revokedAt = :now, revokedReason = :reason",
            condition="profile = :legal AND #status IN (:active, :pending)",
            names=_STATUS,
            values={
                ":revoked": REVOKED,
                ":now": now,
                ":reason": reason,
                ":legal": LEGAL_REP,
                ":active": ACTIVE,
                ":pending": PENDING_CONFIRMATION,
            },
        )
        tx.audit(audit_table, audit_entry)
        tx.commit()

    def take_over(
        self,
        employer: Item,
        username: str,
        grant: Item,
        revoked_reason: str,
        now: str,
        audit_table: str,
        audit_entry: Item,
    ) -> None:
        """`username` becomes the company's legal representative: the company (without them as delegate), their
        grant, the previous one's grant revoked and the audit entry, all or nothing (ConditionFailed)."""
        nit = str(employer["nit"])
        previous = str(employer["legalRepresentative"])
        was_delegate = (employer.get("delegate") or {}).get("username") == username
        expression = f"SET legalRepresentative = :new, {CHECKED_AT} = :now, updatedAt = :now, version = version + :one"
        tx = self.tx()
        tx.update(
            employer_key(nit),
            expression + (" REMOVE delegate" if was_delegate else ""),
            condition="version = :v AND legalRepresentative = :old",
            values={":new": username, ":now": now, ":one": 1, ":v": employer["version"], ":old": previous},
        )
        tx.put(grant)
        if previous != username:
            tx.update(
                role_key(previous, EMPLOYER_ROLE, nit),
                "SET #status = :revoked, revokedAt = if_not_exists(revokedAt, :now), revokedReason = :reason",
                condition="attribute_exists(PK)",
                names=_STATUS,
                values={":revoked": REVOKED, ":now": now, ":reason": revoked_reason},
            )
        tx.audit(audit_table, audit_entry)
        tx.commit()

    # --------------------------------------------------------------------------- authorized persons (manual §5)
    def create_authorization(
        self, authorization: Item, grant: Item, by: str, audit_table: str, audit_entry: Item
    ) -> None:
        """Once per person and CCF: the person's grant is the uniqueness item, written with the authorization,
        its audit entry and checks of the CCF's activation and of the caller's own grant (ConditionFailed)."""
        nit = str(authorization["nit"])
        tx = self.tx()
        tx.check(ccf_access.activation_key(nit), "#status = :active", names=_STATUS, values={":active": ACTIVE})
        tx.check(
            role_key(by, EMPLOYER_ROLE, nit),
            "#status IN (:a, :b)",
            names=_STATUS,
            values={":a": EMPLOYER_ACCESS[0], ":b": EMPLOYER_ACCESS[1]},
        )
        tx.put(grant, condition="attribute_not_exists(PK) OR #status = :revoked", names=_STATUS,
               values={":revoked": REVOKED})  # fmt: skip
        tx.put(authorization, condition="attribute_not_exists(PK)")
        tx.audit(audit_table, audit_entry)
        tx.commit()

    def revoke_authorization(self, nit: str, authorization_id: str, username: str, by: str, now: str) -> None:
        """The authorization and the person's grant revoked together; ConditionFailed when it was not active."""
        tx = self.tx()
        tx.update(
            authorization_key(nit, authorization_id),
            "SET #status = :revoked, revokedAt = :now, revokedBy = :by",
            condition="#status = :active",
            names=_STATUS,
            values={":revoked": REVOKED, ":now": now, ":by": by, ":active": ACTIVE},
        )
        tx.update(
            role_key(username, CCF_ROLE, nit),
            "SET #status = :revoked, revokedAt = :now",
            condition="authorizationId = :id",
            names=_STATUS,
            values={":revoked": REVOKED, ":now": now, ":id": authorization_id},
        )
        tx.commit()

    # --------------------------------------------------------------------------- the RUT (decision 0031)
    def issue_rut_slot(self, nit: str, version: int, slot: Item, now: str) -> None:
        self.update(
            employer_key(nit),
            "SET rut = :rut, #status = :required, GSI1PK = :gsi, GSI1SK = :gsisk, updatedAt = :now,"
            " version = version + :one",
            condition="version = :v",
            names=_STATUS,
            values={":rut": slot, **self._status_values(":required", RUT_REQUIRED, now, nit), ":v": version},
        )

    def reject_rut_file(self, nit: str, upload_id: str, reason: str, size: int, now: str) -> None:
        self.update(
            employer_key(nit),
            "SET rut.#status = :rejected, rut.rejection = :reason, rut.sizeBytes = :size, rut.uploadedAt = :now,"
            " updatedAt = :now, version = version + :one",
            condition="rut.uploadId = :id AND rut.#status = :awaiting",
            names=_STATUS,
            values={
                ":rejected": FILE_REJECTED,
                ":reason": reason,
                ":size": size,
                ":now": now,
                ":one": 1,
                ":id": upload_id,
                ":awaiting": AWAITING_UPLOAD,
            },
        )

    def accept_rut_file(self, nit: str, upload_id: str, size: int, version_id: str, digest: str, now: str) -> None:
        """The file passed the check: the company waits for the Ministry's review (oldest file first)."""
        self.update(
            employer_key(nit),
            "SET #status = :review, GSI1PK = :gsi, GSI1SK = :gsisk, rut.#status = :uploaded, rut.sizeBytes = :size,"
            " rut.uploadedAt = :now, rut.versionId = :version, rut.sha256 = :digest, updatedAt = :now,"
            " version = version + :one",
            condition="rut.uploadId = :id AND rut.#status = :awaiting AND #status = :required",
            names=_STATUS,
            values={
                **self._status_values(":review", PENDING_REVIEW, now, nit),
                ":uploaded": UPLOADED,
                ":size": size,
                ":version": version_id,
                ":digest": digest,
                ":id": upload_id,
                ":awaiting": AWAITING_UPLOAD,
                ":required": RUT_REQUIRED,
            },
        )

    def expire_rut_slot(self, nit: str, upload_id: str, now: str) -> None:
        self.update(
            employer_key(nit),
            "SET rut.#status = :expired, updatedAt = :now, version = version + :one",
            condition="rut.uploadId = :id AND rut.#status = :awaiting",
            names=_STATUS,
            values={":expired": EXPIRED, ":now": now, ":one": 1, ":id": upload_id, ":awaiting": AWAITING_UPLOAD},
        )

    def record_rut_review(
        self, nit: str, version: int, status: str, rut_status: str, by: str, reason: str | None, now: str
    ) -> None:
        """The Ministry's decision: the company's new status and the slot's; ConditionFailed when the company
        changed or left PENDING_REVIEW meanwhile."""
        values: dict[str, Any] = {
            **self._status_values(":status", status, now, nit),
            ":rut": rut_status,
            ":by": by,
            ":v": version,
            ":review": PENDING_REVIEW,
        }
        expression = (
            "SET #status = :status, GSI1PK = :gsi, GSI1SK = :gsisk, rut.#status = :rut, rut.reviewedAt = :now,"
            " rut.reviewedBy = :by, updatedAt = :now, version = version + :one"
        )
        if reason is not None:
            expression += ", rut.rejection = :reason"
            values[":reason"] = reason
        self.update(
            employer_key(nit), expression, condition="version = :v AND #status = :review", names=_STATUS, values=values
        )
