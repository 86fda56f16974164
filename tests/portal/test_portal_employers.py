"""Registrar rol empleador persona jurídica (manual §5 Pasos 1–4) and "Actualizar datos" in a real Chromium,
acting as the legal representative: the basic data as in the RUT (error summary first), the confirmation's 409
listing the missing steps as links, the delegate, the sede principal (municipios reloaded for the departamento
and the CIIU searched server-side, no JavaScript needed), "Confirmar" naming the e-mail the confirmation
reaches, its link opening "Actualizar datos", and a second submit of "Confirmar" answered with a clear message.
A company that needs the RUT: the PDF posted by the browser straight to the local S3 (presigned POST), S3
sending the browser back to the company page, the review state, and the Ministry's approval shown.

Seed entities no other module uses: the free non-CCF companies [-14] (matches the reference data) and [-15]
(typed with another business name, so the RUT is required), with their reserved legal representatives, and
FREE[-50] as the delegate. Preconditions over the API (local/journeys.py): the representatives registered as
citizens, the Ministry's approval."""

from __future__ import annotations

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

PASSWORD = "una frase de prueba para el empleador 2026"
COMPANIES = [c for c in journeys.seed()["scenarios"]["free"]["companies"] if not c["isCcf"]]
MATCHING, NEEDS_RUT = COMPANIES[-14], COMPANIES[-15]
DELEGATE = journeys.person(FREE[-50])


@pytest.fixture(scope="module")
def api(local_runtime: dict[str, Any]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=local_runtime["api_url"], timeout=journeys.HTTP_TIMEOUT) as client:
        yield client


@pytest.fixture(scope="module")
def portal_url(local_runtime: dict[str, Any]) -> str:
    url = local_runtime.get("portal_url")
    assert url, "the local runtime serves no portal (ready.json has no portal_url)"
    return str(url)


def representative(api: httpx.Client, local_runtime: dict[str, Any], company: dict[str, Any]) -> dict[str, Any]:
    someone = journeys.person(company["legalRepresentative"])
    journeys.register_citizen(api, journeys.Mailbox(local_runtime["mailbox_url"]), someone, PASSWORD)
    return someone


def signed_in_page(browser: Any, portal_url: str, someone: dict[str, Any], **options: Any) -> Any:
    page = new_page(browser, **options)
    # links built by the functions (e-mails, the RUT form's success_action_redirect) name this runtime's portal
    page.goto(f"{portal_url}/ingreso")
    page.get_by_label("Tipo de documento").select_option(someone["documentType"])
    page.get_by_label("Número de documento").fill(someone["documentNumber"])
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("heading", name="Mi lista de roles")).to_be_visible()
    return page


def basic_data(page: Any, found: dict[str, Any], business_name: str) -> None:
    page.get_by_label("NIT").fill(found["nit"])
    page.get_by_label("DV").fill(found["dv"])
    page.get_by_label("Razón social").fill(business_name)
    page.get_by_label("Tipo de sociedad").select_option(found["companyType"])
    page.get_by_role("button", name="Siguiente").click()


def test_the_legal_representative_registers_a_matching_company(
    browser: Any, api: httpx.Client, local_runtime: dict[str, Any], portal_url: str
) -> None:
    found = journeys.company(MATCHING["nit"])
    nit = found["nit"]
    someone = representative(api, local_runtime, MATCHING)
    page = signed_in_page(browser, portal_url, someone)

    # Paso 1: the functionality, "Comenzar"
    page.goto(portal_url)
    page.get_by_label("¿Qué está buscando?").fill("empleador persona jurídica")
    page.get_by_role("button", name="Buscar").click()
    page.get_by_role("link", name="Comenzar: Registro de rol empleador persona jurídica").click()
    expect(page.get_by_role("heading", name="Registrar rol empleador persona jurídica")).to_be_visible()
    check(page)

    # Paso 2: nothing typed, then a wrong check digit (the API's message), then the RUT's data
    page.get_by_role("button", name="Siguiente").click()
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("link")).to_have_count(4)
    check(page)
    wrong_dv = str((int(found["dv"]) + 1) % 10)
    basic_data(page, {**found, "dv": wrong_dv}, found["businessName"])
    expect(page.get_by_role("alert")).to_contain_text("dígito de verificación")
    expect(page.get_by_label("DV")).to_have_attribute("aria-invalid", "true")
    check(page)
    basic_data(page, found, found["businessName"])
    expect(page).to_have_url(f"{portal_url}/empleadores/{nit}")
    expect(page.get_by_text("Registro en curso")).to_be_visible()
    check(page)

    # "Confirmar" too early: the API's 409 lists the missing steps, each linking to its place
    page.get_by_role("button", name="Confirmar").click()
    alert = page.get_by_role("alert")
    expect(alert.get_by_role("link", name="Registre la información del delegado.")).to_be_visible()
    expect(alert.get_by_role("link", name="Registre los datos de contacto de la sede principal.")).to_be_visible()
    check(page)

    # Paso 3: the delegate
    page.get_by_role("link", name="Registrar delegado").click()
    check(page)
    page.get_by_label("Tipo documento").select_option(DELEGATE["documentType"])
    page.get_by_label("Número documento").fill(DELEGATE["documentNumber"])
    page.get_by_label("Primer nombre").fill(DELEGATE["firstName"])
    if DELEGATE.get("middleName"):
        page.get_by_label("Segundo nombre").fill(DELEGATE["middleName"])
    page.get_by_label("Primer apellido").fill(DELEGATE["firstSurname"])
    if DELEGATE.get("secondSurname"):
        page.get_by_label("Segundo apellido").fill(DELEGATE["secondSurname"])
    page.get_by_label("Correo electrónico").fill(DELEGATE["email"])
    page.get_by_role("button", name="Siguiente").click()
    expect(page.get_by_role("status")).to_contain_text("Registramos al delegado")
    check(page)

    # Paso 4: the sede principal
    page.get_by_role("link", name="Registrar datos de contacto").click()
    check(page)
    corporate = f"contacto.{nit}@example.com"
    fill_headquarters(page, found, corporate)
    check(page)
    page.get_by_role("button", name="Siguiente").click()
    expect(page.get_by_role("status")).to_contain_text("Registramos los datos de contacto")

    # a second tab on the same page: the double submit of "Confirmar"
    second = page.context.new_page()
    second.goto(f"{portal_url}/empleadores/{nit}")
    page.get_by_role("button", name="Confirmar").click()
    expect(page.get_by_role("status")).to_contain_text(corporate)
    expect(page.get_by_role("heading", name="Actualizar datos")).to_be_visible()
    check(page)
    second.get_by_role("button", name="Confirmar").click()
    expect(second.get_by_role("alert")).to_contain_text("ya fue confirmado")
    second.close()

    # the confirmation e-mail's link opens "Actualizar datos"
    mail = journeys.Mailbox(local_runtime["mailbox_url"]).wait_for(corporate, "employer-confirmation")
    page.goto(mail["data"]["enlace"])
    expect(page).to_have_url(f"{portal_url}/empleadores/{nit}")
    expect(page.get_by_label("Número de empleados")).to_have_value("250")
    page.get_by_label("Número de empleados").fill("0")
    page.get_by_role("button", name="Guardar cambios").click()
    expect(page.get_by_label("Número de empleados")).to_have_attribute("aria-invalid", "true")
    check(page)
    page.get_by_label("Número de empleados").fill("300")
    page.get_by_role("button", name="Guardar cambios").click()
    expect(page.get_by_role("status")).to_contain_text("actualizados")
    expect(page.get_by_label("Número de empleados")).to_have_value("300")
    page.context.close()

    # "Actualizar datos" with JavaScript off: the municipios reloaded by the server, the change saved
    quiet = signed_in_page(browser, portal_url, someone, java_script_enabled=False)
    quiet.goto(f"{portal_url}/empleadores/{nit}")
    quiet.get_by_role("button", name="Cargar municipios del departamento").click()
    expect(quiet.get_by_label("Municipio")).to_have_value(found["municipalityCode"])
    quiet.get_by_label("Número de empleados").fill("310")
    quiet.get_by_role("button", name="Guardar cambios").click()
    expect(quiet.get_by_role("status")).to_contain_text("actualizados")
    expect(quiet.get_by_label("Número de empleados")).to_have_value("310")
    quiet.context.close()


def fill_headquarters(page: Any, found: dict[str, Any], email: str) -> None:
    data = journeys.headquarters_for(found, email)
    municipality = page.get_by_label("Municipio")
    page.get_by_label("Nombre sede principal").fill(data["name"])
    page.get_by_label("Departamento").select_option(data["departmentCode"])
    page.get_by_role("button", name="Cargar municipios del departamento").click()
    expect(municipality.locator(f'option[value="{data["municipalityCode"]}"]')).to_have_count(1)
    codes = municipality.locator("option").evaluate_all("options => options.map(o => o.value)")
    assert all(code.startswith(data["departmentCode"]) for code in codes if code)
    expect(page.get_by_label("Nombre sede principal")).to_have_value(data["name"])  # kept across the reload
    municipality.select_option(data["municipalityCode"])
    page.get_by_label("Dirección principal").fill(data["address"])
    page.get_by_label("Código postal").fill(data["postalCode"])
    page.get_by_label("Teléfono fijo").fill(data["phone"])
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Tipo aportante").select_option(data["contributorType"])
    page.get_by_label("Tipo sociedad").select_option(data["companyType"])
    page.get_by_label("Número de empleados").fill(str(data["employees"]))
    page.get_by_label("Consulta de código CIIU").fill("seguridad social de afiliación obligatoria")
    page.get_by_role("button", name="Buscar actividad económica").click()
    activity = page.get_by_label("Actividad económica")
    expect(activity.locator(f'option[value="{data["ciiu"]}"]')).to_have_count(1)
    activity.select_option(data["ciiu"])
    page.get_by_label("ARL").select_option(data["arl"])
    page.get_by_label("ARUS (SuAporte)").check()


def test_a_company_that_needs_the_rut_uploads_it_and_sees_the_review(
    browser: Any, api: httpx.Client, local_runtime: dict[str, Any], portal_url: str
) -> None:
    found = journeys.company(NEEDS_RUT["nit"])
    nit = found["nit"]
    someone = representative(api, local_runtime, NEEDS_RUT)
    page = signed_in_page(browser, portal_url, someone)
    page.goto(f"{portal_url}/empleadores/nuevo")
    basic_data(page, found, f"{found['businessName']} Sucursal")
    expect(page.get_by_text("adjunte el RUT")).to_be_visible()
    check(page)

    page.get_by_role("button", name="Adjuntar RUT").click()
    expect(page.get_by_text("máximo 1 MB").first).to_be_visible()  # the limits, before sending
    check(page)
    page.get_by_label("Archivo del RUT (PDF, máximo 1 MB)").set_input_files(
        {"name": "rut.pdf", "mimeType": "application/pdf", "buffer": journeys.rut_pdf()}
    )
    page.get_by_role("button", name="Cargar RUT").click()
    # S3 answered the browser with its redirect to the company page (this runtime's portal, as it is), which
    # drops S3's query
    expect(page).to_have_url(f"{portal_url}/empleadores/{nit}")

    # the PDF is checked asynchronously (S3 event → queue → function): wait over the API, then the page shows it
    headers = journeys.bearer(journeys.sign_in(api, someone, PASSWORD))
    journeys.wait_for_employer(api, nit, headers, "PENDING_REVIEW")
    page.reload()
    expect(page.get_by_text("RUT en revisión")).to_be_visible()
    check(page)

    ministry = journeys.bearer(journeys.ministry_session(api, local_runtime["ministry_login"]))
    approved = api.post(f"/admin/employers/{nit}/rut-review", json={"decision": "APPROVE"}, headers=ministry)
    assert approved.status_code == 200, approved.text
    page.reload()
    expect(page.get_by_text("RUT aprobado")).to_be_visible()
    expect(page.get_by_role("link", name="Registrar delegado")).to_be_visible()
    check(page)
    page.context.close()
