"""Registro ciudadano in the portal (manual §5 Pasos 2–5), in a real Chromium, acting as a person: basic data
(with the error summary first), the identity questions answered from what the person knows, contact data with
the municipality list reloaded for the chosen department (no JavaScript needed), the two consents, and the
confirmation naming the e-mail the welcome message goes to. axe-core and the other page checks on every step."""

from __future__ import annotations

from typing import Any

import pytest

from local import journeys

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - requirements/dev.txt pins it
    pytest.skip("playwright is not installed", allow_module_level=True)

from browser_support import FREE, TIMEOUT_MS, check, new_page

pytestmark = pytest.mark.e2e
expect.set_options(timeout=TIMEOUT_MS)


def register(page: Any, portal_url: str, someone: dict[str, Any], checks: bool) -> str:
    """Pasos 2–5 through the pages; returns the e-mail the confirmation names. `checks`: run `check` on each
    step (axe-core needs JavaScript, so not in a browser with it off)."""

    def checked() -> None:
        if checks:
            check(page)

    page.goto(portal_url)
    page.get_by_role("link", name="Comenzar: Registro ciudadano").click()
    expect(page.get_by_text("Paso 2 de 5")).to_be_visible()
    checked()
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_role("alert").get_by_role("link").first).to_be_visible()
    checked()

    page.get_by_label("Tipo de documento").select_option(someone["documentType"])
    page.get_by_label("Número de documento").fill(someone["documentNumber"])
    page.get_by_label("Primer nombre").fill(someone["firstName"])
    if someone.get("middleName"):
        page.get_by_label("Segundo nombre").fill(someone["middleName"])
    page.get_by_label("Primer apellido").fill(someone["firstSurname"])
    if someone.get("secondSurname"):
        page.get_by_label("Segundo apellido").fill(someone["secondSurname"])
    page.get_by_label("Fecha de nacimiento").fill(someone["birthDate"])
    page.get_by_label("Fecha de expedición del documento").fill(someone["expeditionDate"])
    page.get_by_role("button", name="Continuar").click()

    expect(page.get_by_text("Paso 3 de 5")).to_be_visible()
    checked()
    for index in range(page.locator("fieldset").count()):
        group = page.locator("fieldset").nth(index)
        text = group.locator("legend").inner_text()
        kind = next(kind for marker, kind in journeys.QUESTION_KINDS.items() if marker in text)
        known = journeys.what_they_know(someone, kind)
        option = group.get_by_label(known, exact=True)
        (option if option.count() else group.get_by_label(journeys.NONE_OF_THE_ABOVE, exact=True)).check()
    page.get_by_role("button", name="Continuar").click()

    expect(page.get_by_text("Paso 4 de 5")).to_be_visible()
    checked()
    contact = journeys.contact_for(someone)
    municipality = page.get_by_label("Municipio")
    expect(municipality.locator(f'option[value="{contact["municipalityCode"]}"]')).to_have_count(0)
    page.get_by_label("Departamento").select_option(contact["departmentCode"])
    page.get_by_role("button", name="Cargar municipios del departamento").click()
    expect(page.get_by_label("Departamento")).to_have_value(contact["departmentCode"])
    # only the chosen departamento's municipios, reloaded by the server
    expect(municipality.locator(f'option[value="{contact["municipalityCode"]}"]')).to_have_count(1)
    codes = municipality.locator("option").evaluate_all("options => options.map(o => o.value)") if checks else []
    assert all(code.startswith(contact["departmentCode"]) for code in codes if code)
    municipality.select_option(contact["municipalityCode"])
    page.get_by_label("Zona").select_option(contact["zone"])
    page.get_by_label("Dirección de contacto").fill(contact["address"])
    page.get_by_label("Teléfono", exact=True).fill(contact["phone"])
    page.get_by_label("Celular").fill(contact["mobile"])
    page.get_by_label("Correo electrónico").fill(contact["email"])
    page.locator("#consentEmail").get_by_label("Sí acepto").check()
    page.locator("#consentSms").get_by_label("No acepto").check()
    checked()
    page.get_by_role("button", name="Continuar").click()

    expect(page.get_by_role("status")).to_contain_text(contact["email"])
    checked()
    return str(contact["email"])


def test_a_citizen_registers_through_the_pages(browser: Any, local_runtime: dict[str, Any]) -> None:
    page = new_page(browser)
    email = register(page, str(local_runtime["portal_url"]), journeys.person(FREE[-2]), checks=True)
    mailbox = journeys.Mailbox(local_runtime["mailbox_url"])
    assert mailbox.wait_for(email, "welcome")["data"]["enlace"]
    page.context.close()


def test_registration_works_without_javascript(browser: Any, local_runtime: dict[str, Any]) -> None:
    page = new_page(browser, java_script_enabled=False)
    register(page, str(local_runtime["portal_url"]), journeys.person(FREE[-3]), checks=False)
    page.context.close()
