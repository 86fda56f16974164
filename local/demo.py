"""`make demo`: start the local runtime and walk through every implemented step of the manual.

Each step says who acts, the call, and the answer (secrets masked). With --base-url the same walk
runs against a deployed stack instead of starting the local runtime.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from local import journeys
from local.iam import enforcement as iam
from local.runtime import DEFAULT_PORTAL_PORT
from local.testing import free_port, port_free

REPO_ROOT = Path(__file__).resolve().parent.parent
SECRET_FIELDS = {"password", "passwordConfirmation", "accessToken", "idToken", "refreshToken", "token"}


@dataclass
class Outcome:
    step: str
    actor: str
    ok: bool
    note: str


@dataclass
class Demo:
    api: httpx.Client
    mailbox_url: str | None
    ministry_login: dict[str, Any] = field(default_factory=dict)
    outcomes: list[Outcome] = field(default_factory=list)
    total: int = 0
    world: dict[str, Any] = field(default_factory=dict)  # what earlier steps produced (sessions, ids)

    def mailbox(self) -> journeys.Mailbox:
        if self.mailbox_url is None:
            raise RuntimeError("no local mailbox on a deployed stack: open the e-mail and use its link")
        return journeys.Mailbox(self.mailbox_url)

    def show_mail(self, mail: dict[str, Any], hide: str = "") -> None:
        text = mail["text"].replace(hide, "****") if hide else mail["text"]
        print(f"  ✉ to {', '.join(mail['to'])}: «{mail['subject']}»")
        print("    " + shorten(text, 150))

    def step(self, title: str, actor: str, run: Callable[[], str]) -> None:
        number = len(self.outcomes) + 1
        print(f"\n\033[1m[{number}/{self.total}] {title}\033[0m  ·  {actor}")
        try:
            note = run()
            self.outcomes.append(Outcome(title, actor, True, note))
            print(f"  \033[32m✔ {note}\033[0m")
        except Exception as error:  # a demo step reports and goes on
            self.outcomes.append(Outcome(title, actor, False, str(error)))
            print(f"  \033[31m✘ {error}\033[0m")

    def call(self, method: str, path: str, expect: int, **kwargs: Any) -> httpx.Response:
        shown = f"{method} {path}"
        if "params" in kwargs:
            shown += "?" + "&".join(f"{key}={value}" for key, value in kwargs["params"].items())
        print(
            f"  → {shown}" + (f"  {json.dumps(mask(kwargs['json']), ensure_ascii=False)}" if "json" in kwargs else "")
        )
        response = self.api.request(method, path, **kwargs)
        body = response.text
        if response.content and "json" in response.headers.get("content-type", ""):
            body = json.dumps(mask(response.json()), ensure_ascii=False)
        print(f"  ← {response.status_code} {response.headers.get('content-type', '')}  {shorten(body)}")
        if response.status_code != expect:
            raise AssertionError(f"expected {expect}, got {response.status_code}")
        return response

    def summary(self) -> bool:
        print("\n\033[1mSummary\033[0m")
        width = max(len(outcome.step) for outcome in self.outcomes)
        actors = max(len(outcome.actor) for outcome in self.outcomes)
        for number, outcome in enumerate(self.outcomes, 1):
            mark = "✔" if outcome.ok else "✘"
            note = shorten(outcome.note, 70)
            print(f"  {number:>2}. {mark} {outcome.step:<{width}}  {outcome.actor:<{actors}}  {note}")
        failed = sum(not outcome.ok for outcome in self.outcomes)
        print(f"\n{len(self.outcomes) - failed} steps passed, {failed} failed")
        return failed == 0


def mask(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: "****" if key in SECRET_FIELDS else mask(item) for key, item in value.items()}
    if isinstance(value, list):
        return [mask(item) for item in value]
    return value


def shorten(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def platform_steps(demo: Demo) -> None:
    def health() -> str:
        body = demo.call("GET", "/health", 200).json()
        return f"the API answers: status {body['status']}, stage {body['stage']}"

    def document_types() -> str:
        body = demo.call("GET", "/catalogs/document-types", 200).json()
        people = [item["code"] for item in body["items"] if item.get("appliesTo") == "person"]
        return f"{body['count']} document types; persons use {', '.join(people)}"

    def departments() -> str:
        body = demo.call("GET", "/catalogs/departments", 200).json()
        return f"{body['count']} DIVIPOLA departments (source: {shorten(body['source'], 50)})"

    def municipalities() -> str:
        everything = demo.call("GET", "/catalogs/municipalities", 200).json()
        antioquia = demo.call("GET", "/catalogs/municipalities", 200, params={"department": "05"}).json()
        return f"{everything['count']} municipalities in all, {antioquia['count']} in Antioquia"

    def other_catalogs() -> str:
        counts = []
        for name in ("zones", "ciiu", "arl", "pila-operators", "contributor-types", "company-types"):
            counts.append(f"{name} {demo.call('GET', f'/catalogs/{name}', 200).json()['count']}")
        return ", ".join(counts)

    def errors() -> str:
        spanish = demo.call("GET", "/catalogs/planetas", 404).json()
        english = demo.call("GET", "/catalogs/planetas", 404, headers={"Accept-Language": "en"}).json()
        invalid = demo.call("GET", "/catalogs/municipalities", 422, params={"department": "10"}).json()
        return f"problem+json: «{spanish['title']}» / «{english['title']}»; 422 names '{invalid['errors'][0]['field']}'"

    def openapi() -> str:
        document = demo.call("GET", "/openapi.json", 200).json()
        page = demo.call("GET", "/docs", 200)
        size = len(page.content) // 1024
        return f"OpenAPI {document['openapi']} with {len(document['paths'])} paths; Swagger UI page {size} KiB"

    demo.step("Health", "anyone", health)
    demo.step("Catalog: document types", "anyone", document_types)
    demo.step("Catalog: DIVIPOLA departments", "anyone", departments)
    demo.step("Catalog: municipalities by department", "anyone", municipalities)
    demo.step("Catalogs: zones, CIIU, ARL, PILA, types", "anyone", other_catalogs)
    demo.step("Errors in Spanish and English", "anyone", errors)
    demo.step("OpenAPI document and Swagger UI", "anyone", openapi)


def citizen_steps(demo: Demo) -> None:
    """Manual §5 "Registro de ciudadano", Pasos 1–6, for the demo scenario's citizen."""
    citizen = journeys.person(journeys.seed()["scenarios"]["demo"]["citizen"])
    name = f"{citizen['firstName']} {citizen['firstSurname']}"
    password = CITIZEN_PASSWORD
    state: dict[str, Any] = {}

    def basic_data() -> str:
        wrong = {**journeys.basic_data(citizen), "expeditionDate": "2001-01-01"}
        demo.call("POST", "/registrations", 422, json=wrong)
        body = demo.call("POST", "/registrations", 201, json=journeys.basic_data(citizen)).json()
        state["registration"] = body
        return f"a mismatch gets one generic 422; the right data gets {len(body['questions'])} identity questions"

    def questions() -> str:
        registration = state["registration"]
        path = f"/registrations/{registration['registrationId']}/answers"
        wrong = journeys.answers_for(citizen, registration["questions"], wrong=True)
        retry = demo.call("POST", path, 422, json={"answers": wrong}).json()
        answers = journeys.answers_for(citizen, retry["questions"])
        body = demo.call("POST", path, 200, json={"answers": answers}).json()
        return (
            f"wrong answers: {retry['attemptsLeft']} attempts left and new questions; right answers: {body['status']}"
        )

    def contact() -> str:
        path = f"/registrations/{state['registration']['registrationId']}/contact"
        body = demo.call("PUT", path, 202, json=journeys.contact_for(citizen)).json()
        return f"contact data and both consents recorded; set-password link sent to {body['email']}"

    def welcome_email() -> str:
        mail = demo.mailbox().wait_for(citizen["email"], "welcome")
        state["token"] = journeys.link_token(mail)
        demo.show_mail(mail, hide=state["token"])
        return "the «Bienvenido» e-mail arrived (outbox queue → delivery function → SES template)"

    def set_password() -> str:
        weak = {"token": state["token"], "password": "password1234", "passwordConfirmation": "password1234"}
        rule = demo.call("POST", "/password-setup", 422, json=weak).json()
        strong = {"token": state["token"], "password": password, "passwordConfirmation": password}
        demo.call("POST", "/password-setup", 204, json=strong)
        demo.call("POST", "/password-setup", 400, json=strong)
        return f"a common password is refused («{shorten(rule['errors'][0]['message'], 50)}»); the link works once"

    def sign_in() -> str:
        login = {"documentType": citizen["documentType"], "documentNumber": citizen["documentNumber"]}
        demo.call("POST", "/sessions", 401, json={**login, "password": "no es la clave"})
        session = demo.call("POST", "/sessions", 200, json={**login, "password": password}).json()
        state["session"] = session
        return f"Cognito tokens issued ({session['tokenType']}, {session['expiresIn']} s)"

    def roles() -> str:
        headers = journeys.bearer(state["session"])
        me = demo.call("GET", "/me", 200, headers=headers).json()
        listed = demo.call("GET", "/me/roles", 200, headers=headers).json()["roles"]
        return f"{me['firstName']} {me['firstSurname']} holds: {', '.join(role['name'] for role in listed)}"

    actor = f"citizen {name}"
    demo.step("Paso 2 · Basic data checked against the reference source", actor, basic_data)
    demo.step("Paso 3 · Identity questions", actor, questions)
    demo.step("Paso 4 · Contact data and consents", actor, contact)
    demo.step("Paso 5 · «Bienvenido» e-mail with the set-password link", actor, welcome_email)
    demo.step("Paso 5 · Set the password", actor, set_password)
    demo.step("Paso 6 · Sign in", actor, sign_in)
    demo.step("Mi lista de roles", actor, roles)


DEMO = journeys.seed()["scenarios"]["demo"]
PASSWORDS = {"person": "Atardecer en el río Magdalena 2026", "consumer": "integración segura entre sistemas 2026"}


def register_quietly(demo: Demo, who: str) -> dict[str, Any]:
    """Pasos 1–6 for another person of the story, already shown step by step above."""
    someone = journeys.person(DEMO[who])
    session = journeys.register_citizen(demo.api, demo.mailbox(), someone, PASSWORDS["person"])
    demo.world[who] = {"person": someone, "headers": journeys.bearer(session)}
    return someone


def employer_steps(demo: Demo) -> None:
    """Manual §5 "Registro de rol empleador persona jurídica – designación de delegado"."""
    nit = DEMO["ccfNit"]
    company = journeys.company(nit)
    corporate = "talento.humano@caja-demo.example.com"

    def legal_representative_registers() -> str:
        someone = register_quietly(demo, "legalRepresentative")
        return f"{someone['firstName']} {someone['firstSurname']} registered and signed in (Pasos 1–6 as above)"

    def basic_data() -> str:
        headers = demo.world["legalRepresentative"]["headers"]
        body = demo.call("POST", "/employers", 201, json=journeys.employer_data(company), headers=headers).json()
        return f"NIT {nit}-{company['dv']} «{company['businessName']}» matches the RUT source: status {body['status']}"

    def rut_upload() -> str:
        other = journeys.company(DEMO["mismatchCompanyNit"])
        someone = register_quietly(demo, "mismatchLegalRepresentative")
        headers = demo.world["mismatchLegalRepresentative"]["headers"]
        data = journeys.employer_data(other, DEMO["mismatchBusinessName"])
        created = demo.call("POST", "/employers", 201, json=data, headers=headers).json()
        print(f"  ⇪ {someone['firstName']} uploads the RUT (PDF) to the presigned S3 form")
        journeys.upload_rut(created["upload"], journeys.rut_pdf())
        journeys.wait_for_employer(demo.api, other["nit"], headers, "PENDING_REVIEW")
        ministry = demo.world["ministry"] = journeys.bearer(journeys.ministry_session(demo.api, demo.ministry_login))
        review = {"decision": "APPROVE"}
        path = f"/admin/employers/{other['nit']}/rut-review"
        reviewed = demo.call("POST", path, 200, json=review, headers=ministry).json()
        demo.show_mail(demo.mailbox().wait_for(someone["email"], "rut-review-result"))
        return (
            f"a mismatching name asks for the RUT; checked server-side, reviewed by the Ministry: {reviewed['status']}"
        )

    def delegate() -> str:
        headers = demo.world["legalRepresentative"]["headers"]
        someone = journeys.person(DEMO["delegate"])
        body = journeys.person_data(someone, corporate)
        named = demo.call("PUT", f"/employers/{nit}/delegate", 200, json=body, headers=headers).json()
        demo.show_mail(demo.mailbox().wait_for(corporate, "delegate-invitation"))
        return f"delegate named; not registered yet ({named['registered']}), so an invitation was e-mailed"

    def headquarters() -> str:
        headers = demo.world["legalRepresentative"]["headers"]
        early = demo.call("POST", f"/employers/{nit}/confirmation", 409, headers=headers).json()
        body = journeys.headquarters_for(company, corporate)
        demo.call("PUT", f"/employers/{nit}/headquarters", 200, json=body, headers=headers)
        return f"confirming too early lists what is missing ({', '.join(early['missingSteps'])}); main office saved"

    def confirm() -> str:
        headers = demo.world["legalRepresentative"]["headers"]
        done = demo.call("POST", f"/employers/{nit}/confirmation", 200, headers=headers).json()
        demo.show_mail(demo.mailbox().wait_for(corporate, "employer-confirmation"))
        return f"role «Empleador persona jurídica» created: status {done['status']}"

    def delegate_registers() -> str:
        someone = register_quietly(demo, "delegate")
        headers = demo.world["delegate"]["headers"]
        roles = demo.call("GET", "/me/roles", 200, headers=headers).json()["roles"]
        held = [f"{role['name']} ({role.get('profile')}, NIT {role['nit']})" for role in roles if role.get("nit")]
        return f"{someone['firstName']} registered from the invitation and holds: {'; '.join(held)}"

    demo.step("Legal representative registers as a citizen", "legal representative", legal_representative_registers)
    demo.step("Paso 2 · Company basic data as in the RUT", "legal representative", basic_data)
    demo.step("Paso 2 · RUT upload when the data does not match", "legal rep. + Ministry", rut_upload)
    demo.step("Paso 3 · Delegate", "legal representative", delegate)
    demo.step("Paso 4 · Main office and general data", "legal representative", headquarters)
    demo.step("Confirm · role «Empleador persona jurídica»", "legal representative", confirm)
    demo.step("The delegate registers from the invitation", "delegate", delegate_registers)


def authorization_steps(demo: Demo) -> None:
    """Manual §5 "Administración de autorizados" (and the Ministry's activation of the CCF role)."""
    nit = DEMO["ccfNit"]
    authorized = journeys.person(DEMO["authorized"])
    email = "servicios.web@caja-demo.example.com"

    def not_yet() -> str:
        headers = demo.world["delegate"]["headers"]
        body = journeys.authorization_for(authorized, email)
        refused = demo.call("POST", f"/employers/{nit}/authorizations", 409, json=body, headers=headers).json()
        return f"the CCF role is not active yet: {refused['code']}"

    def activate() -> str:
        ministry = demo.world["ministry"]
        demo.call("POST", "/admin/ccfs", 201, json={"nit": nit}, headers=ministry)
        listed = demo.call("GET", "/admin/ccfs", 200, headers=ministry).json()["items"]
        return f"the Ministry activated the «Caja de Compensación Familiar» role; {len(listed)} CCF(s) active"

    def authorize() -> str:
        headers = demo.world["delegate"]["headers"]
        body = journeys.authorization_for(authorized, email)
        demo.call("POST", f"/employers/{nit}/authorizations", 201, json=body, headers=headers)
        again = demo.call("POST", f"/employers/{nit}/authorizations", 409, json=body, headers=headers).json()
        listed = demo.call("GET", f"/employers/{nit}/authorizations", 200, headers=headers).json()["items"]
        demo.show_mail(demo.mailbox().wait_for(email, "authorization-notice"))
        return f"{len(listed)} authorized person(s); assigning the same person twice: {again['code']}"

    def authorized_registers() -> str:
        register_quietly(demo, "authorized")
        roles = demo.call("GET", "/me/roles", 200, headers=demo.world["authorized"]["headers"]).json()["roles"]
        ccf = next(role for role in roles if role["role"] == "CAJA_DE_SUBSIDIO_FAMILIAR")
        return f"{authorized['firstName']} holds «{ccf['name']}» ({ccf['profile']}) for NIT {ccf['nit']}"

    demo.step("Paso 5 · Authorize before the CCF role is active", "delegate", not_yet)
    demo.step("Activate the CCF role of the company", "Ministerio", activate)
    demo.step("Pasos 4–6 · New authorized person", "delegate", authorize)
    demo.step("The authorized person registers and sees the role", "authorized person", authorized_registers)


def catalog_steps(demo: Demo) -> None:
    """Manual §6 "Administración de servicios web externos": terms, catalog, information, docs, password."""
    nit = DEMO["ccfNit"]

    def assign() -> str:
        ministry = demo.world["ministry"]
        services = demo.call("GET", "/admin/services", 200, headers=ministry).json()["items"]
        demo.world["clientIds"] = {}
        for service in services:
            body = {"serviceId": service["serviceId"]}
            assigned = demo.call("POST", f"/admin/ccfs/{nit}/services", 201, json=body, headers=ministry).json()
            demo.world["clientIds"][service["serviceId"]] = assigned["clientId"]
        return f"{len(services)} services assigned, each with its own Client ID"

    def terms() -> str:
        headers = demo.world["authorized"]["headers"]
        blocked = demo.call("GET", f"/ccfs/{nit}/services", 403, headers=headers).json()
        shown = demo.call("GET", f"/ccfs/{nit}/terms", 200, headers=headers).json()
        decision = {"version": shown["version"], "decision": "ACCEPT"}
        demo.call("POST", f"/ccfs/{nit}/terms", 200, json=decision, headers=headers)
        return f"before accepting: {blocked['code']}; terms version {shown['version']} accepted (kept as evidence)"

    def catalog() -> str:
        headers = demo.world["authorized"]["headers"]
        listed = demo.call("GET", f"/ccfs/{nit}/services", 200, headers=headers).json()["items"]
        return "; ".join(f"{item['name']} ({item['state']})" for item in listed)

    def information() -> str:
        headers = demo.world["authorized"]["headers"]
        path = f"/ccfs/{nit}/services/solicitud-afiliacion"
        info = demo.call("GET", path, 200, headers=headers).json()
        document = demo.call("GET", f"{path}/openapi.json", 200, headers=headers).json()
        demo.call("GET", f"{path}/docs", 200, headers=headers)
        operations = [f"{method.upper()} {route}" for route, item in document["paths"].items() for method in item]
        return f"Client ID {info['clientId']}, {info['operation']} {info['endpointUrl']}; Swagger: {operations[0]}"

    def password() -> str:
        headers = demo.world["authorized"]["headers"]
        secret = PASSWORDS["consumer"]
        mismatch = {"password": secret, "passwordConfirmation": "otra cosa"}
        demo.call("PUT", f"/ccfs/{nit}/consumer-password", 422, json=mismatch, headers=headers)
        body = {"password": secret, "passwordConfirmation": secret}
        demo.call("PUT", f"/ccfs/{nit}/consumer-password", 204, json=body, headers=headers)
        authorized = demo.world["authorized"]["person"]
        demo.show_mail(demo.mailbox().wait_for(authorized["email"], "consumer-password-changed"))
        return "the consumer password is set (stored only as a hash); the authorized persons are notified"

    def system_token() -> str:
        client_id = demo.world["clientIds"]["solicitud-afiliacion"]
        form = {"grant_type": "client_credentials"}
        wrong = journeys.basic_auth(client_id, "no es la clave")
        demo.call("POST", "/oauth2/token", 401, data=form, headers=wrong)
        good = journeys.basic_auth(client_id, PASSWORDS["consumer"])
        token = demo.call("POST", "/oauth2/token", 200, data=form, headers=good).json()
        bearer = {"Authorization": f"Bearer {token['access_token']}"}
        session = demo.call("GET", "/sat/session", 200, headers=bearer).json()
        service, ccf = session["serviceId"], session["ccfNit"]
        return f"Client ID + password → a {token['expires_in']} s token for {service} of NIT {ccf}"

    demo.step("Assign the three services to the CCF", "Ministerio", assign)
    demo.step("Paso 3 · Terms of use and privacy policy", "authorized person", terms)
    demo.step("Paso 4 · The CCF's service catalog", "authorized person", catalog)
    demo.step("Ver información de servicio · info, OpenAPI, Swagger", "authorized person", information)
    demo.step("Asignación de contraseña", "authorized person", password)
    demo.step("A CCF system gets a token and calls a service", "CCF system", system_token)


def exchange_steps(demo: Demo) -> None:
    """The SAT ⇄ CCF exchange with the sample CCF system (examples/sample_ccf) on 127.0.0.1."""
    from examples.sample_ccf import Config, SampleCcf
    from local import exchange_journey

    nit = DEMO["ccfNit"]
    employer_nit = DEMO["mismatchCompanyNit"]  # the company registered with its RUT above
    employer_email = "talento.humano@empleador-demo.example.com"
    state: dict[str, Any] = {}

    def world() -> str:
        if demo.mailbox_url is None:
            raise RuntimeError("the sample CCF runs on this machine: the exchange steps need the local runtime")
        if {"authorized", "ministry"} <= set(demo.world) and demo.world.get("clientIds"):
            state.update(person=demo.world["authorized"]["headers"], ministry=demo.world["ministry"])
            state.update(clientIds=demo.world["clientIds"], consumer=PASSWORDS["consumer"])
            return "the CCF, its authorized person, services and consumer password come from the steps above"
        info = demo.api.get("/_local/info").json()
        ministry = exchange_journey.ministry_headers(info)
        person = exchange_journey.prepare_ccf_world_directly_in_moto(info, nit, DEMO["authorized"], PASSWORDS["person"])
        ids = exchange_journey.activate_and_assign(demo.api, ministry, person, nit, PASSWORDS["consumer"])
        state.update(person=person, ministry=ministry, clientIds=ids, consumer=PASSWORDS["consumer"])
        return "earlier steps missing: company and authorized person written into moto, the rest over the API"

    def share() -> str:
        config = Config(
            port=free_port(),
            api_url=str(demo.api.base_url).rstrip("/"),
            pull_client_id=state["clientIds"]["solicitud-afiliacion"],
            answer_client_id=state["clientIds"]["respuesta-tramite-ccf"],
            password=state["consumer"],
            nit=nit,
        )
        ccf = state["ccf"] = SampleCcf(config).start()
        print(f"  ▶ sample CCF system on {ccf.base_url} (Authlib token endpoint + notification receiver)")
        shared = exchange_journey.share_notification_endpoint(demo.api, state["person"], nit, ccf)
        return f"«NotificacionTramite» → {ccf.notification_url} with OAuth and a public key: {shared['status']}"

    def jwks() -> str:
        keys = demo.call("GET", "/.well-known/jwks.json", 200).json()["keys"]
        return f"{len(keys)} key(s) for the signed notifications: {keys[0]['alg']} kid {keys[0]['kid'][:12]}…"

    def file_and_notify() -> str:
        request = exchange_journey.tramite_request(
            nit, employer_nit, DEMO["mismatchLegalRepresentative"], employer_email
        )
        state["request"] = request
        filed = demo.call("POST", "/admin/tramites", 201, json=request, headers=state["ministry"]).json()
        numero = state["first"] = filed["numeroTransaccion"]
        waiter = state["waiter"] = exchange_journey.Waiter(demo.api, state["ministry"])
        done = waiter.until(numero, lambda t: t.get("acknowledgement") is not None)
        delivery = done["deliveries"][0]
        return (
            f"trámite {numero}: signed notification acknowledged ({delivery['statusCode']}, {delivery['latencyMs']} ms)"
        )

    def answered() -> str:
        numero = state["first"]
        done = state["waiter"].until(numero, lambda t: t["estado"] in ("APROBADA", "RECHAZADA"))
        pulled = state["ccf"].summary()["pulled"].get(numero, {})
        demo.show_mail(demo.mailbox().wait_for(employer_email, "tramite-result"))
        encrypted = "a JWE decrypted with its private key" if pulled.get("encrypted") else "JSON"
        return f"the CCF pulled the request ({encrypted}) and answered: {done['estado']}"

    def dead_letter() -> str:
        # A stopped endpoint is retried for at least 24 h (decision 0105); a permanent refusal fails at once.
        state["ccf"].set_fault("400")
        print("  ■ the sample CCF's endpoint refuses every notification with 400 (permanent)")
        filed = demo.call("POST", "/admin/tramites", 201, json=state["request"], headers=state["ministry"]).json()
        numero = state["second"] = filed["numeroTransaccion"]
        failed = state["waiter"].until(numero, lambda t: t["estado"] == "FALLIDA", timeout=120)
        reasons = sorted({d.get("reason") or "-" for d in failed["deliveries"]})
        return (
            f"trámite {numero}: {failed['attempts']} attempt ({', '.join(reasons)}), dead-lettered: FALLIDA; the "
            "CCF's authorized persons and the exchange operators are e-mailed (notification-failed)"
        )

    def redrive() -> str:
        state["ccf"].set_fault("none")
        print("  ▶ the endpoint is fixed")
        numero = state["second"]
        demo.call("POST", f"/admin/tramites/{numero}/redrive", 202, headers=state["ministry"])
        done = state["waiter"].until(numero, lambda t: t["estado"] in ("APROBADA", "RECHAZADA"))
        state["ccf"].stop()
        return f"redriven (generation {done['generation']}, same Idempotency-Key) and answered: {done['estado']}"

    demo.step("Exchange · the CCF's world", "—", world)
    demo.step("Share the notification endpoint and verify it", "authorized person", share)
    demo.step("The Ministry's public keys (JWKS)", "anyone", jwks)
    demo.step("File a trámite · signed notification", "Ministerio → CCF system", file_and_notify)
    demo.step("Pull, decrypt and answer · APROBADA", "CCF system", answered)
    demo.step("Endpoint refuses (400) · DLQ, FALLIDA, e-mails", "Ministerio", dead_letter)
    demo.step("Endpoint fixed · redrive · completes", "Ministerio", redrive)


def backoffice_steps(demo: Demo) -> None:
    """The Ministry's back office sees the queues and searches the audit trail (decisions 0094, 0095)."""
    from local import exchange_journey

    nit = DEMO["ccfNit"]

    def ministry() -> dict[str, str]:
        if "ministry" not in demo.world:
            demo.world["ministry"] = journeys.bearer(journeys.ministry_session(demo.api, demo.ministry_login))
        return dict(demo.world["ministry"])

    def auditor() -> tuple[dict[str, str], str]:
        """The seeded auditor (ministerio-auditor) when the runtime has one, else the administrator."""
        login = demo.ministry_login
        operator = next((o for o in login.get("operators") or [] if o["groups"] == ["ministerio-auditor"]), None)
        if operator is None or demo.mailbox_url is None:
            return ministry(), "ministerio"
        info = demo.api.get("/_local/info").json()
        token = exchange_journey.id_token(info, operator["username"], login["password"])
        return {"Authorization": token}, "ministerio-auditor"

    def rut_queue() -> str:
        params = {"status": "PENDING_REVIEW", "limit": 10}
        page = demo.call("GET", "/admin/employers", 200, params=params, headers=ministry()).json()
        return f"{len(page.get('items', []))} compan(y/ies) waiting for the RUT review, oldest first"

    def tramites() -> str:
        headers = ministry()
        failed = demo.call("GET", "/admin/tramites", 200, params={"state": "FALLIDA", "ccfNit": nit}, headers=headers)
        page = demo.call("GET", "/admin/tramites", 200, params={"ccfNit": nit, "limit": 10}, headers=headers).json()
        states = ", ".join(f"{i['numeroTransaccion']} {i['state']} ({i['lastOutcome'] or '-'})" for i in page["items"])
        return f"failed now: {len(failed.json()['items'])}; the CCF's trámites: {states or 'none'}"

    def audit_search() -> str:
        headers, group = auditor()
        page = demo.call("GET", "/admin/audit", 200, params={"nit": nit, "limit": 20}, headers=headers).json()
        actions = sorted({item["action"] for item in page["items"]})
        export = demo.call("GET", "/admin/audit", 200, params={"nit": nit}, headers={**headers, "Accept": "text/csv"})
        rows = max(0, len(export.text.splitlines()) - 1)
        shown = ", ".join(actions[:4]) + (", …" if len(actions) > 4 else "")
        return f"as {group}: {len(page['items'])} newest entries ({shown}); CSV export of all: {rows} rows"

    demo.step("Back office · the RUT review queue", "Ministerio", rut_queue)
    demo.step("Back office · the CCF's trámites and the failed ones", "Ministerio", tramites)
    demo.step("Back office · audit search for the CCF, and its CSV", "Ministerio (auditor)", audit_search)


CITIZEN_PASSWORD = "Montañas verdes de Boyacá 2026"  # noqa: S105 - the demo citizen's password (shown masked)

STEP_GROUPS: list[tuple[int, Callable[[Demo], None]]] = [
    (7, platform_steps),
    (7, citizen_steps),
    (7, employer_steps),
    (4, authorization_steps),
    (6, catalog_steps),
    (7, exchange_steps),
    (3, backoffice_steps),
]


def start_local_runtime(workdir: Path) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    ready = workdir / "ready.json"
    command = [sys.executable, "-m", "local", "--workdir", str(workdir)]
    # The portal on its configured port when it is free (the URL people expect); e-mail links name whichever
    # port the runtime gets (decision 0088).
    portal_port = DEFAULT_PORTAL_PORT if port_free(DEFAULT_PORTAL_PORT) else free_port()
    command += ["--api-port", str(free_port()), "--moto-port", str(free_port()), "--portal-port", str(portal_port)]
    command += ["--quiet"]
    print("Starting the local runtime (moto + the synthesized stack)…")
    # The runtime's output goes to a file: a pipe nobody reads would fill up and stall the runtime.
    log_path = workdir / "runtime.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while not ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            output = log_path.read_text(errors="replace")[-4000:]
            raise SystemExit(f"the local runtime did not start within 180 s:\n{output}")
        time.sleep(0.1)
    info = json.loads(ready.read_text())
    print(f"Local runtime ready in {info['ready_seconds']} s: API {info['api_url']}, mailbox {info['mailbox_url']}")
    return process, info


def try_by_hand(info: dict[str, Any]) -> None:
    """The portal's URL and who can sign in there; in a terminal, the runtime stays up until Enter."""
    citizen = journeys.person(journeys.seed()["scenarios"]["demo"]["citizen"])
    login = info.get("ministry_login") or {}
    print(f"\n\033[1mTry it by hand\033[0m: the portal at {info.get('portal_url', '(no portal in this template)')}")
    document = f"{citizen['documentType']} {citizen['documentNumber']}"
    print(f"  citizen registered above: {document}, password {CITIZEN_PASSWORD}")
    if login:
        print(
            f"  Ministry operators, password {login['password']} "
            "(a TOTP code: python -c \"import pyotp; print(pyotp.TOTP('SECRET').now())\"):"
        )
        admin = {"username": login["usernames"][0], "groups": ["ministerio"], "totp_secret": login.get("totp_secret")}
        default = [admin]
        for operator in login.get("operators") or default:  # one per group (decision 0090)
            groups = ", ".join(operator["groups"])
            print(f"    {operator['username']} ({groups}), TOTP secret {operator.get('totp_secret') or '(none)'}")
    print(f"  API {info['api_url']}, mailbox {info['mailbox_url']}")
    if sys.stdin.isatty():
        with contextlib.suppress(EOFError, KeyboardInterrupt):
            input("Press Enter to stop the local runtime… ")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", help="walk a deployed stack at this URL instead of starting the local runtime")
    parser.add_argument(
        "--ministry-user",
        default="CC-63173063",
        help="with --base-url: the Ministry operator (password: DEMO_MINISTRY_PASSWORD)",
    )
    args = parser.parse_args(argv)

    process = None
    with tempfile.TemporaryDirectory(prefix="sat-ccf-demo-") as scratch:
        if args.base_url:
            base_url, mailbox_url = args.base_url.rstrip("/"), None
            ministry_login = {
                "usernames": [args.ministry_user],
                "password": os.environ.get("DEMO_MINISTRY_PASSWORD", ""),
            }
        else:
            process, info = start_local_runtime(Path(scratch))
            base_url, mailbox_url = info["api_url"], info["mailbox_url"]
            ministry_login = info["ministry_login"]
        try:
            with httpx.Client(base_url=base_url, timeout=journeys.HTTP_TIMEOUT) as client:
                total = sum(count for count, _ in STEP_GROUPS)
                demo = Demo(api=client, mailbox_url=mailbox_url, ministry_login=ministry_login, total=total)
                for _, group in STEP_GROUPS:
                    group(demo)
                ok = demo.summary()
            if process is not None:
                try_by_hand(info)
        finally:
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
                print("Local runtime stopped.")
                decisions = Path(scratch) / iam.LOG_NAME
                if decisions.exists():  # every AWS call of the functions, checked against their own roles
                    print(iam.summary(decisions))
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
