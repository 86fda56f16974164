"""Registro ciudadano with the keyboard only (manual §5 Pasos 2–6; WCAG 2.1.1, 2.4.3, 2.4.7, 3.3.1): from the
home page's "Comenzar" through the basic data, the identity questions, the contact data (departamento, the
municipios reloaded, municipio, consents), the confirmation, the welcome e-mail's link, "Asignar contraseña"
and "Ingreso". Only Tab / Shift+Tab, typing, Space / Enter and arrow keys: no clicks, no `fill`. Where it
matters the focus is checked: the skip link first, every field reached in reading order, the error summary
taking the focus and its links moving it to their fields, and the focus always visible.
People: FREE[-91] of browser_support's CC pool, which no other module uses."""

from __future__ import annotations

from typing import Any

import pytest
from browser_support import FREE, TIMEOUT_MS, check, new_page

from local import journeys

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - requirements/dev.txt pins it
    pytest.skip("playwright is not installed", allow_module_level=True)

pytestmark = pytest.mark.e2e
expect.set_options(timeout=TIMEOUT_MS)

PERSON = journeys.person(FREE[-91])
PASSWORD = "una frase para el teclado 2026"
MAX_TABS = 120  # more Tab presses than any page has stops: a bound, so a lost focus fails instead of looping

FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return {id: "", tag: "BODY", text: "", visible: false};
  const style = getComputedStyle(e);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  return {id: e.id, tag: e.tagName, name: e.getAttribute("name") || "", value: e.value || "",
          text: (e.getAttribute("aria-label") || e.textContent || "").trim(), href: e.getAttribute("href") || "",
          visible: outline || style.boxShadow !== "none"};
}"""


def focused(page: Any) -> dict[str, Any]:
    found: dict[str, Any] = page.evaluate(FOCUSED)
    return found


def tab_until(page: Any, wanted: Any, key: str = "Tab") -> list[dict[str, Any]]:
    """Press Tab until `wanted(focused element)`; returns the stops on the way (the last one is the wanted)."""
    stops = []
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        now = focused(page)
        stops.append(now)
        if wanted(now):
            assert now["visible"], f"the focus is not visible on {now}"
            return stops
    pytest.fail(f"{key} never reached the element; stops: {[s['id'] or s['text'][:30] for s in stops]}")


def tab_to(page: Any, element_id: str) -> list[str]:
    """Tab to the element with this id; returns the ids of the form fields passed on the way (in order)."""
    stops = tab_until(page, lambda now: now["id"] == element_id)
    return [s["id"] for s in stops if s["tag"] in ("INPUT", "SELECT", "TEXTAREA") and s["id"]]


def tab_to_button(page: Any, text: str) -> None:
    tab_until(page, lambda now: now["tag"] == "BUTTON" and now["text"] == text)


def type_into(page: Any, element_id: str, text: str) -> None:
    tab_to(page, element_id)
    page.keyboard.press("Control+A")  # a value the server kept (after an error) is replaced, as a person would
    page.keyboard.type(text)


def choose(page: Any, element_id: str, value: str) -> None:
    """A closed <select>: arrow keys from the current option to the wanted one."""
    tab_to(page, element_id)
    values = page.locator(f"#{element_id} option").evaluate_all("options => options.map(o => o.value)")
    current = values.index(page.locator(f"#{element_id}").input_value())
    target = values.index(value)
    for _ in range(abs(target - current)):
        page.keyboard.press("ArrowDown" if target > current else "ArrowUp")
    assert page.locator(f"#{element_id}").input_value() == value


def pick_radio(page: Any, group_id: str, label: str) -> None:
    """Tab into the radio group (the first radio, none checked yet), Space on it, arrows to the wanted one."""
    labels = page.locator(f"#{group_id} label").all_inner_texts()
    target = [text.strip() for text in labels].index(label)
    tab_until(page, lambda now: now["tag"] == "INPUT" and now["id"].startswith(f"{group_id}-"))
    page.keyboard.press("Space")
    for _ in range(target):
        page.keyboard.press("ArrowDown")
    assert page.locator(f"#{group_id} input:checked + label").inner_text().strip() == label


def date_order(browser: Any) -> str:
    """The order of a date field's segments in this Chromium (its own locale, not the page's): typed once."""
    page = new_page(browser)
    page.set_content('<label for="d">Fecha</label><input type="date" id="d">')
    page.keyboard.press("Tab")
    page.keyboard.type("01022003")
    order = {"2003-01-02": "MDY", "2003-02-01": "DMY"}[page.locator("#d").input_value()]
    page.context.close()
    return order


def type_date(page: Any, element_id: str, iso: str, order: str) -> list[str]:
    year, month, day = iso.split("-")
    passed = tab_to(page, element_id)
    page.keyboard.type(month + day + year if order == "MDY" else day + month + year)
    assert page.locator(f"#{element_id}").input_value() == iso
    return passed


def summary_takes_focus_and_links_to(page: Any, field_id: str) -> None:
    """The error summary has the focus on load; Tab reaches its link to the field, Enter moves the focus there."""
    expect(page.get_by_role("alert").get_by_role("heading", name="Hay un problema")).to_be_visible()
    now = focused(page)
    assert "resumen-errores" in page.evaluate("() => document.activeElement.className"), now
    assert now["visible"], "the error summary has the focus but does not show it"
    tab_until(page, lambda now: now["tag"] == "A" and now["href"] == f"#{field_id}")
    page.keyboard.press("Enter")
    after = focused(page)
    assert after["id"] == field_id, f"the summary's link left the focus on {after}"


def test_registration_with_the_keyboard_only(browser: Any, local_runtime: dict[str, Any]) -> None:
    portal_url = str(local_runtime["portal_url"])
    order = date_order(browser)
    page = new_page(browser)
    page.goto(portal_url)
    page.keyboard.press("Tab")
    first = focused(page)
    assert first["text"] == "Saltar al contenido principal" and first["visible"], first
    tab_until(page, lambda now: now["tag"] == "A" and now["text"] == "Comenzar: Registro ciudadano")
    page.keyboard.press("Enter")

    # Paso 2: nothing typed first, then the basic data
    expect(page.get_by_text("Paso 2 de 5")).to_be_visible()
    tab_to_button(page, "Continuar")
    page.keyboard.press("Enter")
    summary_takes_focus_and_links_to(page, "documentType")
    check(page)
    page.keyboard.press("ArrowDown")  # "Cédula de ciudadanía", the first document type
    assert page.locator("#documentType").input_value() == PERSON["documentType"]
    passed = ["documentType"]
    for field in ("documentNumber", "firstName", "middleName", "firstSurname", "secondSurname"):
        passed += tab_to(page, field)
        page.keyboard.press("Control+A")
        page.keyboard.type(PERSON.get(field) or "")
    for field in ("birthDate", "expeditionDate"):
        passed += type_date(page, field, PERSON[field], order)
    expected = ["documentType", "documentNumber", "firstName", "middleName", "firstSurname", "secondSurname"]
    assert list(dict.fromkeys(passed)) == [*expected, "birthDate", "expeditionDate"], "fields in reading order"
    tab_to_button(page, "Continuar")
    page.keyboard.press("Enter")

    # Paso 3: each question's group reached by Tab, the answer chosen with Space and the arrows
    expect(page.get_by_text("Paso 3 de 5")).to_be_visible()
    check(page)
    groups = page.locator("form fieldset")
    for index in range(groups.count()):
        group = groups.nth(index)
        text = group.locator("legend").inner_text()
        kind = next(kind for marker, kind in journeys.QUESTION_KINDS.items() if marker in text)
        known = journeys.what_they_know(PERSON, kind)
        options = [label.strip() for label in group.locator("label").all_inner_texts()]
        pick_radio(page, str(group.get_attribute("id")), known if known in options else journeys.NONE_OF_THE_ABOVE)
    tab_to_button(page, "Continuar")
    page.keyboard.press("Enter")

    # Paso 4: departamento, the municipios reloaded by the second button, the rest and the consents
    expect(page.get_by_text("Paso 4 de 5")).to_be_visible()
    contact = journeys.contact_for(PERSON)
    choose(page, "departmentCode", contact["departmentCode"])
    tab_to_button(page, "Cargar municipios del departamento")
    page.keyboard.press("Enter")
    expect(page.locator(f'#municipalityCode option[value="{contact["municipalityCode"]}"]')).to_have_count(1)
    check(page)
    choose(page, "municipalityCode", contact["municipalityCode"])
    choose(page, "zone", contact["zone"])
    type_into(page, "address", contact["address"])
    type_into(page, "phone", contact["phone"])
    type_into(page, "mobile", contact["mobile"])
    type_into(page, "email", contact["email"])
    pick_radio(page, "consentEmail", "Sí acepto")
    pick_radio(page, "consentSms", "No acepto")
    tab_to_button(page, "Continuar")
    page.keyboard.press("Enter")

    # Paso 5: the confirmation names the e-mail; the welcome e-mail's link opens "Asignar contraseña"
    expect(page.get_by_role("status")).to_contain_text(contact["email"])
    check(page)
    link = journeys.Mailbox(local_runtime["mailbox_url"]).wait_for(contact["email"], "welcome")["data"]["enlace"]
    page.goto(link)  # opening the e-mail's link: the browser's address, not a page control
    expect(page.get_by_role("heading", name="Asignar contraseña")).to_be_visible()
    type_into(page, "password", PASSWORD)
    type_into(page, "passwordConfirmation", PASSWORD + " otra")
    page.keyboard.press("Enter")  # Enter in a field submits its form
    summary_takes_focus_and_links_to(page, "passwordConfirmation")
    check(page)
    page.keyboard.press("Control+A")
    page.keyboard.type(PASSWORD)
    tab_until(page, lambda now: now["id"] == "password", key="Shift+Tab")  # the server never sends it back
    page.keyboard.type(PASSWORD)
    tab_to_button(page, "Asignar contraseña")
    page.keyboard.press("Space")  # Space presses a button too
    expect(page.get_by_role("heading", name="Contraseña asignada")).to_be_visible()
    check(page)

    # Paso 6: Ingreso from the confirmation's link
    tab_until(page, lambda now: now["tag"] == "A" and now["text"] == "Ingresar" and now["href"] == "/ingreso")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Ingreso")).to_be_visible()
    choose(page, "documentType", PERSON["documentType"])
    type_into(page, "documentNumber", PERSON["documentNumber"])
    type_into(page, "password", PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Mi lista de roles")).to_be_visible()
    check(page)
    page.context.close()
