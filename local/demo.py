"""`make demo`: start the local runtime and walk through every implemented step of the manual.

Each step says who acts, the call, and the answer (secrets masked). With --base-url the same walk
runs against a deployed stack instead of starting the local runtime.
"""

from __future__ import annotations

import argparse
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
from local.testing import free_port

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
    outcomes: list[Outcome] = field(default_factory=list)
    total: int = 0

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
    password = "Montañas verdes de Boyacá 2026"  # noqa: S105 - the demo person's new password, shown masked
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
        if demo.mailbox_url is None:
            raise RuntimeError("no local mailbox on a deployed stack: open the e-mail and use its link")
        mail = journeys.Mailbox(demo.mailbox_url).wait_for(citizen["email"], "welcome")
        state["token"] = journeys.link_token(mail)
        print(f"  ✉ to {citizen['email']}: «{mail['subject']}»")
        print("    " + shorten(mail["text"].replace(state["token"], "****"), 150))
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


STEP_GROUPS: list[tuple[int, Callable[[Demo], None]]] = [(7, platform_steps), (7, citizen_steps)]


def start_local_runtime(workdir: Path) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    ready = workdir / "ready.json"
    command = [sys.executable, "-m", "local", "--workdir", str(workdir)]
    command += ["--api-port", str(free_port()), "--moto-port", str(free_port()), "--quiet"]
    print("Starting the local runtime (moto + the synthesized stack)…")
    process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while not ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            output = process.stdout.read().decode() if process.stdout and process.poll() is not None else ""
            process.kill()
            raise SystemExit(f"the local runtime did not start:\n{output}")
        time.sleep(0.1)
    info = json.loads(ready.read_text())
    print(f"Local runtime ready in {info['ready_seconds']} s: API {info['api_url']}, mailbox {info['mailbox_url']}")
    return process, info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", help="walk a deployed stack at this URL instead of starting the local runtime")
    args = parser.parse_args(argv)

    process = None
    with tempfile.TemporaryDirectory(prefix="sat-ccf-demo-") as scratch:
        if args.base_url:
            base_url, mailbox_url = args.base_url.rstrip("/"), None
        else:
            process, info = start_local_runtime(Path(scratch))
            base_url, mailbox_url = info["api_url"], info["mailbox_url"]
        try:
            with httpx.Client(base_url=base_url, timeout=30) as client:
                demo = Demo(api=client, mailbox_url=mailbox_url, total=sum(count for count, _ in STEP_GROUPS))
                for _, group in STEP_GROUPS:
                    group(demo)
                ok = demo.summary()
        finally:
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
                print("Local runtime stopped.")
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
