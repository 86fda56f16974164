"""What people do with the API, step by step, as a client would: shared by `make demo` and the e2e tests.

A person answers the identity questions from what they know about themselves; here that knowledge
is the seed file (the same data the reference sources hold), never the server's answer key.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
SEED = REPO_ROOT / "local/seed/reference-data.json"
CATALOGS = REPO_ROOT / "layers/common/python/sat_common/catalogs/data"
NONE_OF_THE_ABOVE = "Ninguna de las anteriores"
# Bounds of every wait over HTTP (a request; an e-mail or a state to appear). Generous on purpose: a
# loaded 2-core machine runs the whole stack many times slower than usual, and a bound only decides
# how long a real failure takes to be reported.
HTTP_TIMEOUT = 120.0
PATIENCE = 180.0
# Question texts (Spanish) → the fact they ask about.
QUESTION_KINDS = {
    "EPS": "eps",
    "fondo de pensiones": "pensionFund",
    "empresa": "employer",
    "año": "affiliationYear",
    "municipio": "municipality",
}


@cache
def seed() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SEED.read_text(encoding="utf-8"))
    return document


@cache
def _catalog(name: str) -> dict[str, dict[str, Any]]:
    raw = json.loads((CATALOGS / f"{name}.json").read_text(encoding="utf-8"))
    return {item["code"]: item for item in raw["items"]}


def person(ref: dict[str, str]) -> dict[str, Any]:
    """The seed's record of a person referenced as {documentType, documentNumber}."""
    for candidate in seed()["people"]:
        if (candidate["documentType"], candidate["documentNumber"]) == (ref["documentType"], ref["documentNumber"]):
            return dict(candidate)
    raise KeyError(f"{ref['documentType']}-{ref['documentNumber']} is not in the seed")


def company(nit: str) -> dict[str, Any]:
    return next(dict(candidate) for candidate in seed()["companies"] if candidate["nit"] == nit)


def username(someone: dict[str, Any]) -> str:
    return f"{someone['documentType']}-{someone['documentNumber']}"


def basic_data(someone: dict[str, Any]) -> dict[str, Any]:
    keys = ("documentType", "documentNumber", "firstName", "middleName", "firstSurname", "secondSurname")
    data = {key: someone[key] for key in keys if someone.get(key) is not None}
    return {**data, "birthDate": someone["birthDate"], "expeditionDate": someone["expeditionDate"]}


def what_they_know(someone: dict[str, Any], kind: str) -> str:
    """The option text the person would pick for a question about `kind`."""
    facts = someone["facts"]
    if kind == "eps":
        return str(_catalog("eps")[facts["eps"]]["name"])
    if kind == "pensionFund":
        return (
            str(_catalog("pension-funds")[facts["pensionFund"]]["name"]) if facts["pensionFund"] else NONE_OF_THE_ABOVE
        )
    if kind == "employer":
        return company(facts["employerNit"])["businessName"] if facts.get("employerNit") else NONE_OF_THE_ABOVE
    if kind == "affiliationYear":
        return str(facts["affiliationYear"])
    municipality = _catalog("municipalities")[facts["municipalityCode"]]
    return f"{municipality['name']} ({_catalog('departments')[municipality['departmentCode']]['name']})"


def answers_for(someone: dict[str, Any], questions: list[dict[str, Any]], wrong: bool = False) -> list[dict[str, str]]:
    chosen = []
    for question in questions:
        kind = next(kind for marker, kind in QUESTION_KINDS.items() if marker in question["text"])
        known = what_they_know(someone, kind)
        if all(option["text"] != known for option in question["options"]):
            known = NONE_OF_THE_ABOVE  # their answer is not among the options (decision 0026)
        matching = [option for option in question["options"] if option["text"] == known]
        others = [option for option in question["options"] if option["text"] != known]
        pick = (others if wrong or not matching else matching)[0]
        chosen.append({"questionId": question["questionId"], "optionId": pick["optionId"]})
    return chosen


def contact_for(someone: dict[str, Any]) -> dict[str, Any]:
    municipality = someone["facts"]["municipalityCode"]
    return {
        "departmentCode": municipality[:2],
        "municipalityCode": municipality,
        "zone": "URBANA",
        "address": "Calle 26 # 13-19",
        "phone": "6017330000",
        "mobile": "3001234567",
        "email": someone["email"],
        "consentEmail": True,
        "consentSms": False,
    }


@dataclass
class Mailbox:
    url: str

    def messages(self, to: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = httpx.get(self.url, params={"to": to}, timeout=HTTP_TIMEOUT).json()
        return found

    def wait_for(self, to: str, template: str, count: int = 1, timeout: float = PATIENCE) -> dict[str, Any]:
        """The newest e-mail with this template once at least `count` have arrived (SQS → worker → SES)."""
        deadline = time.monotonic() + timeout
        while True:
            matching = [mail for mail in self.messages(to) if mail.get("template", "").endswith(template)]
            if len(matching) >= count:
                return matching[-1]
            if time.monotonic() > deadline:
                raise TimeoutError(f"no '{template}' e-mail for {to} after {timeout} s")
            time.sleep(0.2)


def link_token(mail: dict[str, Any]) -> str:
    return parse_qs(urlparse(mail["data"]["enlace"]).query)["token"][0]


def welcome_link(api: httpx.Client, mailbox: Mailbox, someone: dict[str, Any]) -> str:
    """Pasos 2–4 of "Registro de ciudadano" over HTTP; returns the set-password link of the welcome e-mail
    (a portal URL: the portal's tests open it in a browser)."""
    started = api.post("/registrations", json=basic_data(someone))
    started.raise_for_status()
    registration = started.json()
    answers = answers_for(someone, registration["questions"])
    api.post(f"/registrations/{registration['registrationId']}/answers", json={"answers": answers}).raise_for_status()
    previous = len([m for m in mailbox.messages(someone["email"]) if m.get("template", "").endswith("welcome")])
    api.put(f"/registrations/{registration['registrationId']}/contact", json=contact_for(someone)).raise_for_status()
    link: str = mailbox.wait_for(someone["email"], "welcome", count=previous + 1)["data"]["enlace"]
    return link


def register_citizen(api: httpx.Client, mailbox: Mailbox, someone: dict[str, Any], password: str) -> dict[str, Any]:
    """Pasos 2–6 of "Registro de ciudadano", all over HTTP; returns the session tokens."""
    started = api.post("/registrations", json=basic_data(someone))
    started.raise_for_status()
    registration = started.json()
    answers = answers_for(someone, registration["questions"])
    api.post(f"/registrations/{registration['registrationId']}/answers", json={"answers": answers}).raise_for_status()
    previous = len([m for m in mailbox.messages(someone["email"]) if m.get("template", "").endswith("welcome")])
    contact = api.put(f"/registrations/{registration['registrationId']}/contact", json=contact_for(someone))
    contact.raise_for_status()
    welcome = mailbox.wait_for(someone["email"], "welcome", count=previous + 1)
    setup = {"token": link_token(welcome), "password": password, "passwordConfirmation": password}
    api.post("/password-setup", json=setup).raise_for_status()
    return sign_in(api, someone, password)


def sign_in(
    api: httpx.Client, someone: dict[str, Any], password: str, totp_secret: str | None = None
) -> dict[str, Any]:
    """POST /sessions; with TOTP on (decision 0029) the challenge is answered with a code from `totp_secret`."""
    login = {"documentType": someone["documentType"], "documentNumber": someone["documentNumber"], "password": password}
    response = api.post("/sessions", json=login)
    response.raise_for_status()
    session: dict[str, Any] = response.json()
    if session.get("challenge") == "SOFTWARE_TOKEN_MFA":
        if not totp_secret:
            raise RuntimeError(f"{login['documentType']}-{login['documentNumber']} signs in with TOTP: give its secret")
        return answer_totp(api, str(session["session"]), totp_secret)
    return session


TOTP_STEP = 30
_last_totp_step: dict[str, int] = {}  # secret -> last time step this process answered with (each is good once)


def answer_totp(api: httpx.Client, challenge: str, secret: str) -> dict[str, Any]:
    """POST /sessions/mfa with the code of the current step, or of a later one when this process (or another
    client) used it already: the API accepts each step once and one step of drift ahead."""
    import pyotp

    totp = pyotp.TOTP(secret, interval=TOTP_STEP)
    step = max(int(time.time()) // TOTP_STEP, _last_totp_step.get(secret, -1) + 1)
    reply: httpx.Response | None = None
    for candidate in (step, step + 1):
        _wait_until_step_is_accepted(candidate)
        reply = api.post("/sessions/mfa", json={"session": challenge, "code": totp.at(candidate * TOTP_STEP)})
        if reply.status_code == 200:
            _last_totp_step[secret] = candidate
            answer: dict[str, Any] = reply.json()
            return answer
    assert reply is not None
    reply.raise_for_status()
    raise RuntimeError(f"POST /sessions/mfa answered {reply.status_code}")


def _wait_until_step_is_accepted(step: int) -> None:
    deadline = time.monotonic() + 2 * TOTP_STEP + 5  # at most two steps ahead of the clock are ever asked for
    while step > int(time.time()) // TOTP_STEP + 1:
        if time.monotonic() > deadline:
            raise TimeoutError(f"TOTP step {step} never came within the accepted drift")
        time.sleep(0.5)


def bearer(session: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {session['idToken']}"}


# --- Registro de rol empleador persona jurídica, autorizados (manual §5) --------------------------


def ministry_session(api: httpx.Client, login: dict[str, Any]) -> dict[str, Any]:
    """The seeded Ministry operator signs in like anyone else: POST /sessions, then its TOTP code
    (`totp_secret` of the runtime's ministry_login, decision 0029)."""
    document_type, document_number = login["usernames"][0].split("-", 1)
    someone = {"documentType": document_type, "documentNumber": document_number}
    return sign_in(api, someone, login["password"], login.get("totp_secret"))


def operator_session(api: httpx.Client, login: dict[str, Any], group: str) -> dict[str, Any]:
    """The seeded operator of `group` (ready.json's ministry_login["operators"], decision 0090) signs in."""
    operator = next(o for o in login["operators"] if o["groups"] == [group])
    document_type, document_number = operator["username"].split("-", 1)
    someone = {"documentType": document_type, "documentNumber": document_number}
    return sign_in(api, someone, login["password"], operator.get("totp_secret"))


def employer_data(found: dict[str, Any], business_name: str | None = None) -> dict[str, Any]:
    """The RUT's basic data as the legal representative types it (manual §5, Paso 2)."""
    return {
        "nit": found["nit"],
        "dv": found["dv"],
        "businessName": business_name or found["businessName"],
        "companyType": found["companyType"],
    }


def person_data(someone: dict[str, Any], email: str) -> dict[str, Any]:
    keys = ("documentType", "documentNumber", "firstName", "middleName", "firstSurname", "secondSurname")
    return {**{key: someone[key] for key in keys if someone.get(key) is not None}, "email": email}


def headquarters_for(found: dict[str, Any], email: str) -> dict[str, Any]:
    """Main office data (manual §5, Paso 4); the postal code starts with the department's DIVIPOLA code."""
    municipality = found["municipalityCode"]
    return {
        "name": "Sede principal",
        "departmentCode": municipality[:2],
        "municipalityCode": municipality,
        "address": "Carrera 7 # 32-16",
        "postalCode": f"{municipality[:2]}0001",
        "phone": "6013305000",
        "email": email,
        "contributorType": found["contributorType"],
        "companyType": found["companyType"],
        "employees": 250,
        "ciiu": "8430",
        "arl": "14-4",
        "pilaOperators": ["ARUS"],
    }


def authorization_for(someone: dict[str, Any], email: str) -> dict[str, Any]:
    return {
        **person_data(someone, email),
        "office": "Sede principal",
        "role": "CAJA_DE_SUBSIDIO_FAMILIAR",
        "profile": "ADMINISTRAR_SERVICIOS_WEB_EXTERNOS",
    }


def rut_pdf() -> bytes:
    """A one-page PDF created now (the RUT must have been issued within the last year)."""
    import io
    from datetime import UTC, datetime

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    writer.add_metadata({"/CreationDate": datetime.now(UTC).strftime("D:%Y%m%d%H%M%S+00'00'")})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload_rut(slot: dict[str, Any], content: bytes) -> int:
    """POST the file to the presigned S3 form, as a browser would."""
    sent = httpx.post(slot["url"], data=slot["fields"], files={"file": ("rut.pdf", content, "application/pdf")})
    return sent.status_code


def wait_for_employer(
    api: httpx.Client, nit: str, headers: dict[str, str], wanted: str, timeout: float = PATIENCE
) -> dict[str, Any]:
    """The RUT is checked asynchronously (S3 event → queue → function): poll the company's state."""
    deadline = time.monotonic() + timeout
    while True:
        body: dict[str, Any] = api.get(f"/employers/{nit}", headers=headers).json()
        if wanted in (body.get("status"), (body.get("rut") or {}).get("status")):
            return body
        if time.monotonic() > deadline:
            raise TimeoutError(f"{nit} did not reach {wanted}: {body.get('status')}")
        time.sleep(0.3)


def basic_auth(client_id: str, secret: str) -> dict[str, str]:
    import base64

    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}
