"""Every key of the three tables, built in one place. It mirrors docs/data-model.md table by table (a test
checks that each key that document names is built here and nowhere else): repositories build keys with these
functions, never by typing a prefix.

Partition keys are `<ENTITY>#<id>`; sort keys name the item kind (`PROFILE`, `ACCOUNT`…) or `<KIND>#<id>` for
collections under one partition, so one Query with `begins_with(SK, <KIND>#)` lists them.
"""

# --------------------------------------------------------------------------- main table: partitions
PERSON = "PERSON#"
EMPLOYER = "EMPLOYER#"
CCF = "CCF#"
SERVICE = "SERVICE#"
CLIENT = "CLIENT#"
TRAMITE = "TRAMITE#"
TRASLADO = "TRASLADO#"
REGISTRATION = "REGISTRATION#"
SETPWD = "SETPWD#"
EMAILCHG = "EMAILCHG#"
MFACHALLENGE = "MFACHALLENGE#"
EMAIL = "EMAIL#"
PORTAL_SESSION = "PORTAL_SESSION#"

# --------------------------------------------------------------------------- main table: sort-key kinds
PROFILE = "PROFILE"
ROLE = "ROLE#"
AUTH = "AUTH#"
ASSIGN = "ASSIGN#"
SHARED = "SHARED#"
DELIVERY = "DELIVERY#"
PULL = "PULL#"
LOGIN_DELAY = "LOGIN_DELAY#"
FAILURES = "FAILURES"
ANSWER = "ANSWER"  # a trámite's answer from its CCF
NOTIFYMISSING = "NOTIFYMISSING"  # the day's claim of the "no notification service" e-mail
# a person's registration-area items (docs/data-model.md), and the one item of a registration or token partition
ACCOUNT = "ACCOUNT"
REGISTRATION_CLAIM = "REGISTRATION_CLAIM"
IDENTITY_CHECK = "IDENTITY_CHECK"
QUESTION_SEED = "QUESTION_SEED"
MFA_TOTP = "MFA_TOTP"
PASSWORD_RESET = "PASSWORD_RESET"  # noqa: S105 (a sort key)
EMAIL_CHANGE = "EMAIL_CHANGE"
REGISTRATION_ATTEMPT = "REGISTRATION"  # the SK under REGISTRATION#<id>
MFA_CHALLENGE = "MFA_CHALLENGE"
TOKEN = "TOKEN"  # noqa: S105 (the SK under SETPWD# and EMAILCHG#)
SUPPRESSION = "SUPPRESSION"  # the SK under EMAIL#<address> (decision 0072)

# --------------------------------------------------------------------------- index partitions
CCFS = "CCFS"  # GSI1: the Ministry's list of CCFs
SERVICES = "SERVICES"  # GSI1: the Ministry's catalog
EMPSTATUS = "EMPSTATUS#"  # GSI1: employers by status (the RUT review queue)
TRAMSTATE = "TRAMSTATE#"  # GSI2: trámites by state
TRASSTATE = "TRASSTATE#"  # GSI2: transfer requests by state


def person(username: str) -> str:
    """A person's partition: `PERSON#<DOCTYPE>-<NUMBER>` (the Cognito username)."""
    return f"{PERSON}{username}"


def employer(nit: str) -> str:
    return f"{EMPLOYER}{nit}"


def ccf(nit: str) -> str:
    return f"{CCF}{nit}"


def service(service_id: str) -> str:
    return f"{SERVICE}{service_id}"


def client(client_id: str) -> str:
    return f"{CLIENT}{client_id}"


def tramite(numero: str) -> str:
    return f"{TRAMITE}{numero}"


def traslado(numero: str) -> str:
    return f"{TRASLADO}{numero}"


def registration(registration_id: str) -> str:
    return f"{REGISTRATION}{registration_id}"


def set_password_token(token_hash: str) -> str:
    return f"{SETPWD}{token_hash}"


def email_change_token(token_hash: str) -> str:
    return f"{EMAILCHG}{token_hash}"


def mfa_challenge(session_hash: str) -> str:
    return f"{MFACHALLENGE}{session_hash}"


def email_address(address: str) -> str:
    """An e-mail address's partition (suppressions): case and surrounding blanks do not make another one."""
    return f"{EMAIL}{address.strip().lower()}"


def portal_session(session_hash: str) -> str:
    return f"{PORTAL_SESSION}{session_hash}"


def role(role_name: str, nit: str) -> str:
    """A person's role for a company or CCF: `ROLE#<ROLE>#<NIT>` (also the GSI1 key of a CCF's people)."""
    return f"{ROLE}{role_name}#{nit}"


def authorization(authorization_id: str) -> str:
    return f"{AUTH}{authorization_id}"


def assignment(service_id: str) -> str:
    return f"{ASSIGN}{service_id}"


def shared_service(shared_service_id: str) -> str:
    return f"{SHARED}{shared_service_id}"


def shared_service_name(name: str) -> str:
    """Names are unique per CCF regardless of case."""
    return f"SHAREDNAME#{name.lower()}"


def shared_service_purpose(purpose: str) -> str:
    return f"SHAREDPURPOSE#{purpose}"


def shared_service_verification(shared_service_id: str) -> str:
    return f"SHAREDVERIFY#{shared_service_id}"


def terms_decision(username: str) -> str:
    return f"TERMS#{username}"


def delegate_invitations(day: str) -> str:
    """One Colombian day's delegate invitations (`yyyy-mm-dd`)."""
    return f"INVITATIONS#{day}"


def login_delay(source: str) -> str:
    return f"{LOGIN_DELAY}{source}"


def token_failures(source: str | None = None) -> str:
    """A client's token failures: of every source, or of one (`FAILURES#<sha256(ip)[:16]>`)."""
    return FAILURES if source is None else f"{FAILURES}#{source}"


def redelivery(numero: str) -> str:
    return f"REDELIVERY#{numero}"


def redelivery_hour(hour_epoch: int) -> str:
    return f"REDELIVERY_HOUR#{hour_epoch}"


def test_notification(shared_service_id: str) -> str:
    return f"TESTNOTIFICATION#{shared_service_id}"


def delivery_attempt(at: str, attempt_id: str) -> str:
    return f"{DELIVERY}{at}#{attempt_id}"


def pull(at: str, pull_id: str) -> str:
    return f"{PULL}{at}#{pull_id}"


def employers_by_status(status: str) -> str:
    return f"{EMPSTATUS}{status}"


def tramites_by_state(state: str) -> str:
    return f"{TRAMSTATE}{state}"


def traslados_by_state(state: str) -> str:
    return f"{TRASSTATE}{state}"


def idempotency(function: str) -> str:
    """Powertools idempotency's static partition of one function."""
    return f"IDEMPOTENCY#{function}"


# --------------------------------------------------------------------------- reference table
COMPANY = "COMPANY#"  # a company's partition (people's is PERSON#<TYPE>#<NUMBER>)


def reference_person(document_type: str, document_number: str) -> str:
    return f"{PERSON}{document_type}#{document_number}"


def reference_company(nit: str) -> str:
    return f"{COMPANY}{nit}"


def population(kind: str) -> str:
    return f"POPULATION#{kind}"


# --------------------------------------------------------------------------- audit table
def audit(entity: str) -> str:
    """An entity's audit partition, e.g. audit(employer(nit))."""
    return f"AUDIT#{entity}"


def consent(username: str) -> str:
    """The audit entity of a person's consents (Ley 1581 evidence)."""
    return f"CONSENT#{username}"


def audit_nit(nit: str) -> str:
    """The ByNit index's key."""
    return f"NIT#{nit}"


def audit_document(document_number: str) -> str:
    """The ByActor/BySubject indexes' key."""
    return f"DOC#{document_number}"
