"""The portal in a real Chromium, acting as a person: sign-in (with TOTP for the Ministry operator), "Mi lista
de roles", sign-out, the set-password page from the welcome e-mail, keyboard only, without JavaScript; axe-core
at 360 px and 1280 px on every page visited, each page's transfer, and no token where a browser keeps things."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pyotp
import pytest
from browser_support import FREE, MAX_PAGE_BYTES, check, checked_pages, new_page

from local import journeys

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - requirements/dev.txt pins it
    pytest.skip("playwright is not installed", allow_module_level=True)

pytestmark = pytest.mark.e2e

PASSWORD = "una frase de prueba para el portal 2026"


@pytest.fixture(scope="module")
def api(local_runtime: dict[str, Any]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=local_runtime["api_url"], timeout=journeys.HTTP_TIMEOUT) as client:
        yield client


@pytest.fixture(scope="module")
def portal_url(local_runtime: dict[str, Any]) -> str:
    url = local_runtime.get("portal_url")
    assert url, "the local runtime serves no portal (ready.json has no portal_url)"
    return str(url)


@pytest.fixture(scope="module")
def citizen(api: httpx.Client, local_runtime: dict[str, Any]) -> dict[str, Any]:
    """A person registered through the API (Pasos 2-4) whose welcome link has not been used yet."""
    someone = journeys.person(FREE[-1])
    link = journeys.welcome_link(api, journeys.Mailbox(local_runtime["mailbox_url"]), someone)
    return {**someone, "link": link}


def sign_in(page: Any, portal_url: str, someone: dict[str, Any], password: str) -> None:
    page.goto(f"{portal_url}/ingreso")
    page.get_by_label("Tipo de documento").select_option(someone["documentType"])
    page.get_by_label("Número de documento").fill(someone["documentNumber"])
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Ingresar").click()


def test_home_search_and_help(browser: Any, portal_url: str) -> None:
    page = new_page(browser)
    page.goto(portal_url)
    expect(page.get_by_role("link", name="GOV.CO", exact=True)).to_be_visible()
    check(page)
    page.get_by_label("¿Qué está buscando?").fill("contrasena")
    page.get_by_role("button", name="Buscar").click()
    expect(page.get_by_role("heading", name="Asignar contraseña")).to_be_visible()
    expect(page.get_by_role("heading", name="Registro ciudadano")).to_have_count(0)
    check(page)
    page.get_by_role("link", name="Ver tutorial: Asignar contraseña").click()
    expect(page).to_have_url(re.compile(r"/ayuda#asignar-contrasena$"))
    expect(page.get_by_text("Mesa de ayuda").first).to_be_visible()
    expect(page.get_by_text("miseguridadsocial@minsalud.gov.co").first).to_be_visible()
    check(page)
    page.goto(f"{portal_url}/no-existe")
    expect(page.get_by_role("heading", name="Página no encontrada")).to_be_visible()
    check(page)
    page.context.close()


def test_citizen_sets_password_from_the_email_signs_in_chooses_a_role_and_signs_out(
    browser: Any, portal_url: str, citizen: dict[str, Any]
) -> None:
    page = new_page(browser)
    link = citizen["link"]
    assert link.startswith(f"{portal_url}/asignar-contrasena?")  # the runtime hands the functions its portal URL
    page.goto(link)
    expect(page).to_have_url(f"{portal_url}/asignar-contrasena")  # the token left the URL on first load
    assert page.evaluate("() => history.length") >= 1
    check(page)
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    page.get_by_label("Confirmar contraseña").fill(PASSWORD + " distinta")
    page.get_by_role("button", name="Asignar contraseña").click()
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading", name="Hay un problema")).to_be_visible()
    summary.get_by_role("link").first.click()  # the summary links to the field
    assert page.evaluate("() => document.activeElement.id") in ("password", "passwordConfirmation")
    check(page)
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    page.get_by_label("Confirmar contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Asignar contraseña").click()
    expect(page.get_by_role("heading", name="Contraseña asignada")).to_be_visible()
    check(page)

    expect(page.get_by_role("link", name="Ingresar").last).to_have_attribute("href", "/ingreso")
    sign_in(page, portal_url, citizen, "no es la contraseña")
    expect(page.get_by_role("alert")).to_be_visible()
    check(page)
    sign_in(page, portal_url, citizen, PASSWORD)
    expect(page.get_by_role("heading", name="Mi lista de roles")).to_be_visible()
    expect(page.get_by_text("Persona natural").first).to_be_visible()
    check(page)
    page.get_by_role("button", name="Seleccionar rol").click()
    expect(page.get_by_role("alert").get_by_text("Seleccione el rol")).to_be_visible()
    page.get_by_label(re.compile("Persona natural")).check()
    page.get_by_role("button", name="Seleccionar rol").click()
    expect(page.get_by_role("status").get_by_text("Persona natural")).to_be_visible()
    check(page)
    page.get_by_role("button", name="Salir").click()
    expect(page.get_by_role("heading", name="Sesión finalizada")).to_be_visible()
    check(page)
    page.goto(f"{portal_url}/mis-roles")
    expect(page).to_have_url(f"{portal_url}/ingreso")  # a signed-out browser does not see the roles
    page.context.close()


def test_keyboard_only_sign_in_and_without_javascript(browser: Any, portal_url: str, citizen: dict[str, Any]) -> None:
    _ensure_password(browser, portal_url, citizen)
    page = new_page(browser)
    page.goto(f"{portal_url}/ingreso")
    for _ in range(30):  # Tab from the top until the first field of the form
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "documentType":
            break
    else:
        pytest.fail("Tab never reached the document type")
    page.keyboard.press("ArrowDown")  # "Cédula de ciudadanía", the first option
    assert page.get_by_label("Tipo de documento").input_value() == "CC"
    page.keyboard.press("Tab")
    page.keyboard.type(citizen["documentNumber"])
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Mi lista de roles")).to_be_visible()
    page.context.close()

    page = new_page(browser, java_script_enabled=False)
    sign_in(page, portal_url, citizen, PASSWORD)
    expect(page.get_by_role("heading", name="Mi lista de roles")).to_be_visible()
    page.get_by_role("button", name="Salir").click()
    expect(page.get_by_role("heading", name="Sesión finalizada")).to_be_visible()
    page.context.close()


def _ensure_password(browser: Any, portal_url: str, citizen: dict[str, Any]) -> None:
    """The previous test set it; run alone, this one sets it through the same page."""
    page = new_page(browser)
    page.goto(citizen["link"])
    if page.get_by_role("heading", name="Asignar contraseña").count():
        page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
        page.get_by_label("Confirmar contraseña").fill(PASSWORD)
        page.get_by_role("button", name="Asignar contraseña").click()
    page.context.close()


def test_ministry_operator_signs_in_with_the_verification_code(
    browser: Any, portal_url: str, local_runtime: dict[str, Any]
) -> None:
    login = local_runtime["ministry_login"]
    document_type, document_number = login["usernames"][0].split("-", 1)
    operator = {"documentType": document_type, "documentNumber": document_number}
    page = new_page(browser)
    sign_in(page, portal_url, operator, login["password"])
    expect(page.get_by_role("heading", name="Código de verificación")).to_be_visible()
    check(page)
    page.get_by_label("Código de verificación").fill("12")
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_role("alert").get_by_text("6 dígitos")).to_be_visible()
    check(page)
    totp = pyotp.TOTP(login["totp_secret"])
    page.get_by_label("Código de verificación").fill(totp.now())
    page.get_by_role("button", name="Continuar").click()
    roles_heading = page.get_by_role("heading", name="Mi lista de roles")
    expect(roles_heading.or_(page.get_by_role("alert"))).to_be_visible()
    if not roles_heading.count():  # the step turned over between typing and checking: the next code
        time.sleep(1)
        page.get_by_label("Código de verificación").fill(totp.at(time.time() + 30))
        page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_role("heading", name="Mi lista de roles")).to_be_visible()
    expect(page.get_by_text("Ministerio").first).to_be_visible()
    check(page)
    page.context.close()


def test_a_post_without_the_forms_token_is_refused(browser: Any, portal_url: str, citizen: dict[str, Any]) -> None:
    _ensure_password(browser, portal_url, citizen)
    page = new_page(browser)
    sign_in(page, portal_url, citizen, PASSWORD)
    expect(page.get_by_role("heading", name="Mi lista de roles")).to_be_visible()
    for form in ({}, {"csrf": "not-the-token"}):
        answer = page.request.post(f"{portal_url}/salir", form=form)
        assert answer.status == 403
        assert "No se pudo procesar el formulario" in answer.text()
    page.reload()
    expect(page.get_by_role("heading", name="Mi lista de roles")).to_be_visible()
    answer = page.request.post(f"{portal_url}/mis-roles", form={"role": "PERSONA_NATURAL"})
    assert answer.status == 403
    page.context.close()


def test_every_page_checked_stayed_small() -> None:
    """The figure for docs/portal.md: the heaviest page checked, with its assets."""
    if not checked_pages:
        pytest.skip("no page was checked in this run")
    heaviest = max(checked_pages.items(), key=lambda item: item[1])
    print(f"pages checked: {len(checked_pages)}; heaviest: {heaviest[0]!r} {heaviest[1]} bytes")
    assert heaviest[1] < MAX_PAGE_BYTES
