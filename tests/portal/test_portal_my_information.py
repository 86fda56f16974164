""" "¿Olvidó su contraseña?" and "Actualizar mi información de contacto" in a real Chromium, acting as a person
(labelled fields, buttons by name, e-mails opened from the local mailbox): the forgotten password reset from
the e-mailed link, then the contact data (municipio list reloaded for the departamento without JavaScript), the
e-mail change confirmed from the link in the new mailbox, and the SMS consent withdrawn. axe-core at 360 px and
1280 px, the transfer and the storage checks on every page; the contact form once more with JavaScript off.
People: FREE[-30], FREE[-31] and FREE[-32] (never registered) of browser_support's CC pool, which no other
portal module uses. Their registration (and, for the first, the SMS consent given earlier) is the precondition,
set over the API."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from browser_support import FREE, MAX_PAGE_BYTES, TIMEOUT_MS, check, checked_pages, new_page

from local import journeys

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - requirements/dev.txt pins it
    pytest.skip("playwright is not installed", allow_module_level=True)

pytestmark = pytest.mark.e2e
expect.set_options(timeout=TIMEOUT_MS)

PASSWORD = "la ventana del patio da al jardín 2026"
NEW_PASSWORD = "el tren de la sabana sale a las nueve 2027"
NEW_EMAIL = "portal-mi-informacion-nuevo@example.com"
STRANGER = journeys.person(FREE[-32])  # never registered


@pytest.fixture(scope="module")
def api(local_runtime: dict[str, Any]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=local_runtime["api_url"], timeout=journeys.HTTP_TIMEOUT) as client:
        yield client


@pytest.fixture(scope="module")
def mailbox(local_runtime: dict[str, Any]) -> journeys.Mailbox:
    return journeys.Mailbox(local_runtime["mailbox_url"])


@pytest.fixture(scope="module")
def portal_url(local_runtime: dict[str, Any]) -> str:
    url = local_runtime.get("portal_url")
    assert url, "the local runtime serves no portal (ready.json has no portal_url)"
    return str(url)


def _registered(api: httpx.Client, mailbox: journeys.Mailbox, ref: dict[str, str]) -> dict[str, Any]:
    someone = journeys.person(ref)
    tokens = journeys.register_citizen(api, mailbox, someone, PASSWORD)
    return {**someone, "tokens": tokens}


def _other_place(someone: dict[str, Any]) -> tuple[str, str]:
    """A departamento and municipio other than where the person registered."""
    return ("05", "05001") if journeys.contact_for(someone)["departmentCode"] != "05" else ("17", "17001")


def _sign_in(page: Any, portal_url: str, someone: dict[str, Any], password: str) -> None:
    page.goto(f"{portal_url}/ingreso")
    page.get_by_label("Tipo de documento").select_option(someone["documentType"])
    page.get_by_label("Número de documento").fill(someone["documentNumber"])
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("heading", name="Mi lista de roles")).to_be_visible()


def _change_place_and_phone(page: Any, department: str, municipality: str, phone: str) -> None:
    municipio = page.get_by_label("Municipio")
    expect(municipio.locator(f'option[value="{municipality}"]')).to_have_count(0)
    page.get_by_label("Departamento").select_option(department)
    page.get_by_role("button", name="Cargar municipios del departamento").click()
    expect(page.get_by_label("Departamento")).to_have_value(department)
    expect(municipio.locator(f'option[value="{municipality}"]')).to_have_count(1)  # reloaded by the server
    municipio.select_option(municipality)
    page.get_by_label("Teléfono", exact=True).fill(phone)
    page.get_by_role("button", name="Guardar datos de contacto").click()


def test_a_citizen_resets_the_password_and_updates_their_information(
    browser: Any, api: httpx.Client, mailbox: journeys.Mailbox, portal_url: str
) -> None:
    citizen = _registered(api, mailbox, FREE[-30])
    # the precondition: the person had accepted SMS earlier (Paso 4 of journeys.contact_for said no)
    given = api.put(
        "/me/consents", json={"emailConsent": True, "smsConsent": True}, headers=journeys.bearer(citizen["tokens"])
    )
    assert given.status_code == 200, given.text
    page = new_page(browser)

    # ¿Olvidó su contraseña?
    page.goto(f"{portal_url}/ingreso")
    page.get_by_role("link", name="¿Olvidó su contraseña?").click()
    expect(page.get_by_role("heading", name="¿Olvidó su contraseña?")).to_be_visible()
    check(page)
    page.get_by_role("button", name="Enviar enlace").click()
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("link", name="Seleccione el tipo de documento.")).to_be_visible()
    summary.get_by_role("link").first.click()
    assert page.evaluate("() => document.activeElement.id") == "documentType"
    check(page)
    page.get_by_label("Tipo de documento").select_option(citizen["documentType"])
    page.get_by_label("Número de documento").fill(citizen["documentNumber"])
    page.get_by_role("button", name="Enviar enlace").click()
    expect(page.get_by_role("heading", name="Revise su correo electrónico")).to_be_visible()
    check(page)
    confirmation = page.locator("main").inner_text()
    page.goto(f"{portal_url}/olvide-contrasena")  # a document with no account gets the very same answer
    page.get_by_label("Tipo de documento").select_option(STRANGER["documentType"])
    page.get_by_label("Número de documento").fill(STRANGER["documentNumber"])
    page.get_by_role("button", name="Enviar enlace").click()
    expect(page.get_by_role("heading", name="Revise su correo electrónico")).to_be_visible()
    assert page.locator("main").inner_text() == confirmation

    reset = mailbox.wait_for(citizen["email"], "password-reset")
    page.goto(reset["data"]["enlace"])  # the e-mail's link as it is: the runtime's portal
    expect(page).to_have_url(f"{portal_url}/asignar-contrasena")  # the token left the URL on first load
    page.get_by_label("Contraseña", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmar contraseña").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Asignar contraseña").click()
    expect(page.get_by_role("heading", name="Contraseña asignada")).to_be_visible()
    _sign_in(page, portal_url, citizen, NEW_PASSWORD)

    # Actualizar mi información de contacto: the contact data, an API error first
    page.goto(portal_url)
    page.get_by_role("link", name="Comenzar: Actualizar mi información de contacto").click()
    expect(page.get_by_role("heading", name="Actualizar mi información de contacto")).to_be_visible()
    expect(page.get_by_label("Dirección de contacto")).to_have_value(journeys.contact_for(citizen)["address"])
    check(page)
    department, municipality = _other_place(citizen)
    _change_place_and_phone(page, department, municipality, "123")
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("link").first).to_be_visible()  # the API's message, linked to the field
    summary.get_by_role("link").first.click()
    assert page.evaluate("() => document.activeElement.id") == "phone"
    expect(page.get_by_label("Municipio")).to_have_value(municipality)  # what was typed stays
    check(page)
    page.get_by_label("Teléfono", exact=True).fill("6068870000")
    page.get_by_role("button", name="Guardar datos de contacto").click()
    expect(page.get_by_role("status")).to_contain_text("Sus datos de contacto quedaron actualizados")
    expect(page.get_by_label("Municipio")).to_have_value(municipality)
    expect(page.get_by_label("Teléfono", exact=True)).to_have_value(re.compile(r"6068870000$"))  # as the API keeps it
    check(page)

    # the e-mail change, confirmed from the link that reaches the new address
    page.get_by_label("Correo electrónico nuevo").fill(NEW_EMAIL)
    page.get_by_role("button", name="Cambiar correo").click()
    expect(page.get_by_role("status")).to_contain_text("Le enviamos un enlace de confirmación al correo nuevo")
    check(page)
    link = mailbox.wait_for(NEW_EMAIL, "email-change")["data"]["enlace"]
    page.goto(link)
    expect(page).to_have_url(f"{portal_url}/mi-informacion")  # the token left the URL at once
    check(page)
    page.get_by_role("button", name="Confirmar correo").click()
    expect(page.get_by_role("status")).to_contain_text("Su correo electrónico quedó actualizado")
    expect(page.get_by_text(f"Correo registrado: {NEW_EMAIL}")).to_be_visible()
    check(page)
    page.go_back()  # back to the page with the button: the link is spent, nothing to confirm again
    expect(page.get_by_role("heading", name="Actualizar mi información de contacto")).to_be_visible()
    expect(page.get_by_role("button", name="Confirmar correo")).to_have_count(0)
    assert mailbox.wait_for(citizen["email"], "email-changed")  # the old address is told

    # the SMS consent withdrawn
    page.goto(f"{portal_url}/mi-informacion")
    expect(page.locator("#smsConsent").get_by_label("Sí acepto")).to_be_checked()
    page.locator("#smsConsent").get_by_label("No acepto").check()
    page.get_by_role("button", name="Guardar autorizaciones").click()
    expect(page.get_by_role("status")).to_contain_text("Sus autorizaciones quedaron registradas")
    expect(page.locator("#smsConsent").get_by_label("No acepto")).to_be_checked()
    expect(page.locator("#emailConsent").get_by_label("Sí acepto")).to_be_checked()
    check(page)
    profile = api.get("/me", headers=journeys.bearer(journeys.sign_in(api, citizen, NEW_PASSWORD))).json()
    assert (profile["consents"]["email"], profile["consents"]["sms"]) == (True, False)
    assert profile["email"] == NEW_EMAIL and profile["contact"]["municipalityCode"] == municipality
    page.context.close()


def test_the_contact_data_form_works_without_javascript(
    browser: Any, api: httpx.Client, mailbox: journeys.Mailbox, portal_url: str
) -> None:
    citizen = _registered(api, mailbox, FREE[-31])
    page = new_page(browser, java_script_enabled=False)
    _sign_in(page, portal_url, citizen, PASSWORD)
    page.goto(f"{portal_url}/mi-informacion")
    department, municipality = _other_place(citizen)
    _change_place_and_phone(page, department, municipality, "6017330001")
    expect(page.get_by_role("status")).to_contain_text("Sus datos de contacto quedaron actualizados")
    expect(page.get_by_label("Municipio")).to_have_value(municipality)
    page.context.close()


def test_the_pages_checked_stayed_small() -> None:
    """The figure for docs/portal.md: the heaviest page checked in this module, with its assets."""
    if not checked_pages:
        pytest.skip("no page was checked in this run")
    heaviest = max(checked_pages.items(), key=lambda item: item[1])
    print(f"pages checked: {len(checked_pages)}; heaviest: {heaviest[0]!r} {heaviest[1]} bytes")
    assert heaviest[1] < MAX_PAGE_BYTES
