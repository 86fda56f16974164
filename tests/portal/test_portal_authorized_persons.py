"""Administrar autorizados in the portal (manual §5, Pasos 1–6), in a real Chromium, acting as the delegate: sign
in, choose the company's role in "Mi lista de roles", "Comenzar" from the home page, "Nuevo" (the error summary
first, then the Ministry's CCF role not active yet, then saved), the person listed, the same person again (the
API's 409 as a message), the authorization notice read from the mailbox, and the revocation after its
confirmation page with the suggestion to change the consumer password. axe-core and the other page checks on
every page; the main form once more with JavaScript off.

Set up over the API by the other actors (local/journeys.py): the legal representative registers the company and
names the delegate, who registers; the Ministry activates the CCF role mid-test. Seed data used by no other
portal module: the second free CCF company (with its reserved legal representative) and FREE[-40], [-41], [-42]."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from browser_support import FREE, TIMEOUT_MS, check, new_page

from local import journeys

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - requirements/dev.txt pins it
    pytest.skip("playwright is not installed", allow_module_level=True)

pytestmark = pytest.mark.e2e
expect.set_options(timeout=TIMEOUT_MS)

PASSWORD = "autorizados desde el portal 2026"
COMPANY = [c for c in journeys.seed()["scenarios"]["free"]["companies"] if c["isCcf"]][1]
NIT = COMPANY["nit"]
DELEGATE = journeys.person(FREE[-40])
AUTHORIZED = journeys.person(FREE[-41])
SECOND_AUTHORIZED = journeys.person(FREE[-42])
CORPORATE_EMAIL = "talento.humano@caja-autorizados.example.com"
AUTHORIZED_EMAIL = "servicios.web@caja-autorizados.example.com"
SECOND_EMAIL = "servicios.web.2@caja-autorizados.example.com"


@pytest.fixture(scope="module")
def api(local_runtime: dict[str, Any]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=local_runtime["api_url"], timeout=journeys.HTTP_TIMEOUT) as client:
        yield client


@pytest.fixture(scope="module")
def company(api: httpx.Client, local_runtime: dict[str, Any]) -> dict[str, Any]:
    """The legal representative registers the company (matching the RUT source), names the delegate and
    confirms; the delegate registers from the invitation. All over the API: other actors' preconditions."""
    mailbox = journeys.Mailbox(local_runtime["mailbox_url"])
    found = journeys.company(NIT)
    representative = journeys.person(COMPANY["legalRepresentative"])
    headers = journeys.bearer(journeys.register_citizen(api, mailbox, representative, PASSWORD))
    api.post("/employers", json=journeys.employer_data(found), headers=headers).raise_for_status()
    delegate = journeys.person_data(DELEGATE, CORPORATE_EMAIL)
    api.put(f"/employers/{NIT}/delegate", json=delegate, headers=headers).raise_for_status()
    office = journeys.headquarters_for(found, CORPORATE_EMAIL)
    api.put(f"/employers/{NIT}/headquarters", json=office, headers=headers).raise_for_status()
    api.post(f"/employers/{NIT}/confirmation", headers=headers).raise_for_status()
    journeys.register_citizen(api, mailbox, DELEGATE, PASSWORD)
    return {**found, "office": office["name"], "mailbox": mailbox}


def activate_ccf_role(api: httpx.Client, local_runtime: dict[str, Any]) -> None:
    """The Ministry, over the API; 409 CCF_ALREADY_ACTIVE when an earlier test of the module did it."""
    ministry = journeys.bearer(journeys.ministry_session(api, local_runtime["ministry_login"]))
    answer = api.post("/admin/ccfs", json={"nit": NIT}, headers=ministry)
    assert answer.status_code == 201 or answer.json().get("code") == "CCF_ALREADY_ACTIVE", answer.text


def sign_in_with_the_company_role(page: Any, portal_url: str) -> None:
    page.goto(f"{portal_url}/ingreso")
    page.get_by_label("Tipo de documento").select_option(DELEGATE["documentType"])
    page.get_by_label("Número de documento").fill(DELEGATE["documentNumber"])
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("heading", name="Mi lista de roles")).to_be_visible()
    page.get_by_label(re.compile(f"Empleador persona jurídica.*NIT {NIT}", re.S)).check()
    page.get_by_role("button", name="Seleccionar rol").click()
    expect(page.get_by_role("status").get_by_text("Empleador persona jurídica")).to_be_visible()


def fill_person(page: Any, someone: dict[str, Any], email: str, office: str) -> None:
    page.get_by_label("Tipo de documento").select_option(someone["documentType"])
    page.get_by_label("Número de documento").fill(someone["documentNumber"])
    page.get_by_label("Primer nombre").fill(someone["firstName"])
    page.get_by_label("Segundo nombre (opcional)").fill(someone.get("middleName") or "")
    page.get_by_label("Primer apellido").fill(someone["firstSurname"])
    page.get_by_label("Segundo apellido (opcional)").fill(someone.get("secondSurname") or "")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Sede").select_option(label=office)
    page.get_by_label("Rol autorizado").select_option(label="CAJA DE SUBSIDIO FAMILIAR")
    page.get_by_label("Perfil autorizado").select_option(label="Autorizado para administrar servicios web externos")


def full_name(someone: dict[str, Any]) -> str:
    parts = (someone["firstName"], someone.get("middleName"), someone["firstSurname"], someone.get("secondSurname"))
    return " ".join(part for part in parts if part)


def test_the_delegate_authorizes_a_person_sees_them_listed_and_revokes_them(
    browser: Any, api: httpx.Client, local_runtime: dict[str, Any], company: dict[str, Any]
) -> None:
    portal_url = str(local_runtime["portal_url"])
    page = new_page(browser)
    sign_in_with_the_company_role(page, portal_url)
    check(page)

    # Paso 3: "¿Qué está buscando?" and "Comenzar"
    page.goto(portal_url)
    page.get_by_label("¿Qué está buscando?").fill("Administrar autorizados")
    page.get_by_role("button", name="Buscar").click()
    page.get_by_role("link", name="Comenzar: Administración de autorizados").click()
    expect(page).to_have_url(f"{portal_url}/empleadores/{NIT}/autorizados")
    expect(page.get_by_text("La empresa aún no tiene personas autorizadas.")).to_be_visible()
    check(page)

    # Pasos 4–5: "Nuevo"; the error summary links to each field
    page.get_by_role("link", name="Nuevo").click()
    expect(page.get_by_role("heading", name="Nuevo autorizado")).to_be_visible()
    check(page)
    page.get_by_role("button", name="Guardar").click()
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading", name="Hay un problema")).to_be_visible()
    summary.get_by_role("link", name="Escriba el primer nombre.").click()
    assert page.evaluate("() => document.activeElement.id") == "firstName"
    check(page)

    # before the Ministry activates the CCF role, the API's 409 is the message, linked to "Rol autorizado"
    fill_person(page, AUTHORIZED, AUTHORIZED_EMAIL, company["office"])
    page.get_by_role("button", name="Guardar").click()
    not_active = page.get_by_role("alert").get_by_role("link", name=re.compile("no ha activado el rol"))
    expect(not_active).to_be_visible()
    expect(not_active).to_have_attribute("href", "#role")
    check(page)

    activate_ccf_role(api, local_runtime)  # the Ministry, over the API
    page.get_by_role("button", name="Guardar").click()  # the form kept what was typed
    expect(page).to_have_url(f"{portal_url}/empleadores/{NIT}/autorizados")
    expect(page.get_by_role("status")).to_contain_text("La persona quedó autorizada")
    expect(page.get_by_role("heading", name=full_name(AUTHORIZED))).to_be_visible()
    expect(page.get_by_text("Autorizado para administrar servicios web externos").first).to_be_visible()
    check(page)

    # the same person again (a second tab, or the form submitted twice): the API's conditional write answers
    # 409, shown as a message; the list still has the person once
    page.goto(f"{portal_url}/empleadores/{NIT}/autorizados/nuevo")
    fill_person(page, AUTHORIZED, AUTHORIZED_EMAIL, company["office"])
    page.get_by_role("button", name="Guardar").click()
    already = page.get_by_role("alert").get_by_role("link", name=re.compile("ya tiene asignado este rol"))
    expect(already).to_have_attribute("href", "#documentNumber")
    check(page)
    page.get_by_role("link", name="Cancelar").click()
    expect(page.get_by_role("heading", name=full_name(AUTHORIZED))).to_have_count(1)

    # the authorized person's notice, from the local mailbox: not registered yet, so it leads to /registro
    notice = company["mailbox"].wait_for(AUTHORIZED_EMAIL, "authorization-notice")
    assert notice["data"]["nit"] == NIT
    assert notice["data"]["enlace"].endswith("/registro")
    assert notice["data"]["perfil"] == "Autorizado para administrar servicios web externos"

    # revocation after a confirmation page; the suggestion to change the consumer password
    page.get_by_role("link", name=f"Revocar la autorización de {full_name(AUTHORIZED)}").click()
    expect(page.get_by_role("heading", name="Revocar autorización")).to_be_visible()
    confirmation_url = page.url
    check(page)
    page.get_by_role("button", name="Revocar").click()
    expect(page.get_by_role("status")).to_contain_text("La autorización fue revocada")
    rotate = page.get_by_role("status").get_by_role("link", name="Administración de servicios web externos")
    expect(rotate).to_have_attribute("href", f"/ccfs/{NIT}/servicios")
    expect(page.get_by_text("Revocada", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Revocar"))).to_have_count(0)
    check(page)

    # the confirmation page again (back, bookmark): nothing left to revoke
    page.goto(confirmation_url)
    expect(page.get_by_text("La autorización no existe o ya fue revocada.")).to_be_visible()
    check(page)
    page.context.close()


def test_the_main_form_works_without_javascript(
    browser: Any, api: httpx.Client, local_runtime: dict[str, Any], company: dict[str, Any]
) -> None:
    portal_url = str(local_runtime["portal_url"])
    activate_ccf_role(api, local_runtime)
    page = new_page(browser, java_script_enabled=False)
    sign_in_with_the_company_role(page, portal_url)
    page.goto(f"{portal_url}/empleadores/autorizados")  # "Comenzar": the company chosen in Mi lista de roles
    page.get_by_role("link", name="Nuevo").click()
    fill_person(page, SECOND_AUTHORIZED, SECOND_EMAIL, company["office"])
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_role("status")).to_contain_text("La persona quedó autorizada")
    expect(page.get_by_role("heading", name=full_name(SECOND_AUTHORIZED))).to_be_visible()
    assert company["mailbox"].wait_for(SECOND_EMAIL, "authorization-notice")["data"]["nit"] == NIT
    page.context.close()
