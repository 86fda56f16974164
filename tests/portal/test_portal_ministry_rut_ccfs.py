"""The back office's first pages in a real Chromium, acting as the Ministry's operators (labelled fields, buttons,
links; decision 0096):

- the RUT reviewer (`ministerio-revisor`) chooses the Ministry role in "Mi lista de roles" and lands on
  /ministerio, whose navigation offers only its sections and whose RUT card counts the queue with its oldest
  wait; opens the queue and the company, whose differences with the reference source are told in words, sees
  the PDF inline (its origin in `frame-src` of that page only) and opens it; the decision without a choice, and
  a rejection without a reason, are error summaries; "Aprobar" gives the notice, and the same form sent again
  is the API's 409 in the error summary; a section of another group is the API's 403 as a page;
- the catalog operator (`ministerio-catalogo`) activates a company's CCF role (a malformed NIT first), assigns a
  service (its Client ID in the notice; the same one again is a 409), revokes it after its confirmation page,
  suspends the CCF (a reason required, behind a confirmation page; the API then agrees) and reactivates it;
  creates a service with "Nuevo" (the error summary first, then a document that is not JSON) and deactivates and
  activates it again;
- the auditor (`ministerio-auditor`) reads the company without the PDF and without the decision form, and the
  form sent anyway is refused by the API (403 as a page); the CCFs without "Activar rol CCF";
- the RUT decision form once more with JavaScript off.
axe-core, page weight and no token in URL or storage on every page (browser_support.check).

Seed entities no other portal module uses: the free non-CCF companies [-25] (typed with another business name, so
its RUT is required), [-26] (likewise, for the auditor and JavaScript off) and [-27] (registered, then made a CCF
here), with their reserved legal representatives; FREE[-85] as [-27]'s delegate."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pyotp
import pytest
from browser_support import FREE, TIMEOUT_MS, check, new_page

from local import journeys

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - requirements/dev.txt pins it
    pytest.skip("playwright is not installed", allow_module_level=True)

pytestmark = pytest.mark.e2e
expect.set_options(timeout=TIMEOUT_MS)

PASSWORD = "una frase de prueba para revisar el RUT 2026"
NON_CCF = [c for c in journeys.seed()["scenarios"]["free"]["companies"] if not c["isCcf"]]
RUT_COMPANY, SECOND_RUT_COMPANY, NEW_CCF = NON_CCF[-25], NON_CCF[-26], NON_CCF[-27]
DELEGATE = journeys.person(FREE[-85])
CORPORATE_EMAIL = "gestion.humana@caja-nueva.example.com"
REVIEWER, CATALOG, AUDITOR = "ministerio-revisor", "ministerio-catalogo", "ministerio-auditor"
SERVICE_CODE = "CONSULTA_PRUEBA_H6"
OPENAPI = (
    '{"openapi": "3.1.0", "info": {"title": "Consulta de prueba", "version": "1.0"}, '
    '"paths": {"/sat/consulta-prueba": {"post": {"responses": {"200": {"description": "Resultado"}}}}}}'
)


@pytest.fixture(scope="module")
def api(local_runtime: dict[str, Any]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=local_runtime["api_url"], timeout=journeys.HTTP_TIMEOUT) as client:
        yield client


@pytest.fixture(scope="module")
def portal_url(local_runtime: dict[str, Any]) -> str:
    url = local_runtime.get("portal_url")
    assert url, "the local runtime serves no portal (ready.json has no portal_url)"
    return str(url)


def _pending_rut(api: httpx.Client, mailbox: journeys.Mailbox, seeded: dict[str, Any]) -> dict[str, Any]:
    """The legal representative types another business name, so the RUT is required; the PDF goes to S3."""
    company = journeys.company(seeded["nit"])
    headers = journeys.bearer(
        journeys.register_citizen(api, mailbox, journeys.person(seeded["legalRepresentative"]), PASSWORD)
    )
    created = api.post(
        "/employers", json=journeys.employer_data(company, f"{company['businessName']} Norte"), headers=headers
    )
    assert created.status_code == 201, created.text
    assert journeys.upload_rut(created.json()["upload"], journeys.rut_pdf()) in (200, 201, 204)
    journeys.wait_for_employer(api, company["nit"], headers, "PENDING_REVIEW")
    return {"nit": company["nit"], "businessName": f"{company['businessName']} Norte", "headers": headers}


@pytest.fixture(scope="module")
def world(api: httpx.Client, local_runtime: dict[str, Any]) -> dict[str, Any]:
    """Other actors' preconditions, over the API: two RUTs waiting for review, and a registered company."""
    mailbox = journeys.Mailbox(local_runtime["mailbox_url"])
    rut = _pending_rut(api, mailbox, RUT_COMPANY)
    second = _pending_rut(api, mailbox, SECOND_RUT_COMPANY)
    company = journeys.company(NEW_CCF["nit"])
    headers = journeys.bearer(
        journeys.register_citizen(api, mailbox, journeys.person(NEW_CCF["legalRepresentative"]), PASSWORD)
    )
    api.post("/employers", json=journeys.employer_data(company), headers=headers).raise_for_status()
    delegate = journeys.person_data(DELEGATE, CORPORATE_EMAIL)
    api.put(f"/employers/{company['nit']}/delegate", json=delegate, headers=headers).raise_for_status()
    office = journeys.headquarters_for(company, CORPORATE_EMAIL)
    api.put(f"/employers/{company['nit']}/headquarters", json=office, headers=headers).raise_for_status()
    api.post(f"/employers/{company['nit']}/confirmation", headers=headers).raise_for_status()
    return {"rut": rut, "second": second, "ccf_nit": company["nit"], "ccf_name": company["businessName"]}


# --- acting as operators -----------------------------------------------------------------------------------
def sign_in_as_operator(browser: Any, portal_url: str, login: dict[str, Any], group: str, **options: Any) -> Any:
    """Document, password, the verification code of a step the API has not seen from this operator, then the
    Ministry role in "Mi lista de roles", which leads to the back office."""
    operator = next(o for o in login["operators"] if o["groups"] == [group])
    document_type, document_number = operator["username"].split("-", 1)
    page = new_page(browser, **options)
    page.goto(f"{portal_url}/ingreso")
    page.get_by_label("Tipo de documento").select_option(document_type)
    page.get_by_label("Número de documento").fill(document_number)
    page.get_by_label("Contraseña").fill(login["password"])
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("heading", name="Código de verificación")).to_be_visible()
    _enter_code(page, operator["totp_secret"])
    page.get_by_label(re.compile("Ministerio de Salud")).check()
    page.get_by_role("button", name="Seleccionar rol").click()
    expect(page.get_by_role("heading", name="Administración del Ministerio")).to_be_visible()
    return page


def _enter_code(page: Any, secret: str) -> None:
    """Each step is good once per person (decision 0029): the next unused one, as local.journeys does over HTTP."""
    totp = pyotp.TOTP(secret, interval=journeys.TOTP_STEP)
    for _ in range(3):
        step = max(int(time.time()) // journeys.TOTP_STEP, journeys._last_totp_step.get(secret, -1) + 1)
        journeys._wait_until_step_is_accepted(step)
        journeys._last_totp_step[secret] = step
        page.get_by_label("Código de verificación").fill(totp.at(step * journeys.TOTP_STEP))
        page.get_by_role("button", name="Continuar").click()
        roles = page.get_by_role("heading", name="Mi lista de roles")
        expect(roles.or_(page.get_by_role("alert"))).to_be_visible()
        if roles.count():
            return
    raise AssertionError("no verification code was accepted in three steps")


def menu(page: Any) -> Any:
    return page.get_by_role("navigation", name="Menú del Ministerio")


def open_company(page: Any, name: str) -> None:
    """The queue is oldest first and other modules' companies may come before: "Siguiente" until it is listed."""
    for _ in range(20):
        if (
            page.get_by_role("link", name=name, exact=True).count()
            or not page.get_by_role("link", name="Siguiente").count()
        ):
            break
        page.get_by_role("link", name="Siguiente").click()
    page.get_by_role("link", name=name, exact=True).click()


def csrf_of(page: Any) -> str:
    return str(page.locator("input[name=csrf]").first.get_attribute("value"))


# --- RUT review -------------------------------------------------------------------------------------------------
def test_the_reviewer_reviews_a_rut_from_the_dashboard_and_a_second_submit_is_refused(
    browser: Any, portal_url: str, local_runtime: dict[str, Any], world: dict[str, Any]
) -> None:
    rut = world["rut"]
    page = sign_in_as_operator(browser, portal_url, local_runtime["ministry_login"], REVIEWER)
    expect(page).to_have_url(re.compile(r"/ministerio$"))
    expect(menu(page).get_by_role("link")).to_have_text(["Inicio", "Revisión de RUT"])
    card = page.get_by_role("link", name=re.compile("RUT pendientes de revisión"))
    expect(card).to_have_text(re.compile(r"[1-9][0-9]*( o más)? RUT pendientes de revisión"))
    expect(page.get_by_text(re.compile("La más antigua lleva esperando"))).to_be_visible()
    check(page)
    card.click()
    expect(page.get_by_role("heading", name="Revisión de RUT", exact=True)).to_be_visible()
    check(page)
    open_company(page, rut["businessName"])
    expect(page.get_by_role("heading", name=rut["businessName"])).to_be_visible()
    expect(page.get_by_text("Hay 1 diferencia con la fuente de referencia: Razón social.")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("Razón social"))
    expect(row).to_contain_text("No: es diferente")
    expect(page.get_by_title("RUT adjunto por la empresa (PDF)")).to_be_attached()
    response = page.request.get(page.url)
    policy = response.headers["content-security-policy"]
    link = page.get_by_role("link", name=re.compile(r"Abrir el RUT \(PDF"))
    href = str(link.get_attribute("href"))
    origin = re.match(r"^https?://[^/]+", href)
    assert origin and f"frame-src {origin.group(0)}" in policy, policy
    pdf = page.request.get(href)
    assert pdf.status == 200 and pdf.headers["content-type"].startswith("application/pdf"), pdf.headers
    assert pdf.body().startswith(b"%PDF")
    check(page)
    queue_policy = page.request.get(f"{portal_url}/ministerio/rut").headers["content-security-policy"]
    assert "frame-src" not in queue_policy  # only the company's page frames the bucket

    page.get_by_role("button", name="Registrar decisión").click()
    expect(page.get_by_role("alert")).to_contain_text("Seleccione si aprueba o rechaza el RUT.")
    check(page)
    page.get_by_label(re.compile("^Rechazar")).check()
    page.get_by_role("button", name="Registrar decisión").click()
    expect(page.get_by_role("alert")).to_contain_text("motivo del rechazo")
    page.get_by_role("alert").get_by_role("link").click()
    expect(page.get_by_label("Motivo del rechazo")).to_be_focused()
    check(page)
    form = {"csrf": csrf_of(page), "decision": "APPROVE", "reason": ""}
    page.get_by_label(re.compile("^Aprobar")).check()
    page.get_by_role("button", name="Registrar decisión").click()
    expect(page.get_by_role("status")).to_contain_text("El RUT fue aprobado.")
    expect(page.get_by_role("button", name="Registrar decisión")).to_have_count(0)
    check(page)
    again = page.request.post(f"{portal_url}/ministerio/rut/{rut['nit']}/decision", form=form)
    assert again.status == 409, again.status
    assert "Hay un problema" in again.text()

    page.goto(f"{portal_url}/ministerio/ccfs")  # not a section of this group: the API's 403 is the page
    expect(page.get_by_role("heading", name="No tiene permiso para esta sección")).to_be_visible()
    check(page)
    page.context.close()


def test_the_auditor_reads_without_actions_and_the_api_refuses_a_decision(
    browser: Any, portal_url: str, local_runtime: dict[str, Any], world: dict[str, Any]
) -> None:
    second = world["second"]
    page = sign_in_as_operator(browser, portal_url, local_runtime["ministry_login"], AUDITOR)
    menu(page).get_by_role("link", name="Revisión de RUT").click()
    open_company(page, second["businessName"])
    expect(page.get_by_text("Sus grupos de operador no permiten ver el archivo del RUT.")).to_be_visible()
    expect(page.get_by_text("permiten consultarlo, no decidir")).to_be_visible()
    expect(page.get_by_role("button", name="Registrar decisión")).to_have_count(0)
    check(page)
    decision = {"csrf": csrf_of(page), "decision": "APPROVE"}  # the form sent anyway: the API decides
    refused = page.request.post(f"{portal_url}/ministerio/rut/{second['nit']}/decision", form=decision)
    assert refused.status == 403 and "No tiene permiso para esta sección" in refused.text()
    menu(page).get_by_role("link", name="Cajas (CCF)").click()
    expect(page.get_by_role("heading", name="Cajas (CCF)", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Activar rol CCF")).to_have_count(0)
    check(page)
    page.context.close()


def test_the_decision_form_without_javascript(
    browser: Any, portal_url: str, local_runtime: dict[str, Any], world: dict[str, Any]
) -> None:
    second = world["second"]
    login = local_runtime["ministry_login"]
    page = sign_in_as_operator(browser, portal_url, login, REVIEWER, java_script_enabled=False)
    page.goto(f"{portal_url}/ministerio/rut/{second['nit']}")
    page.get_by_label(re.compile("^Rechazar")).check()
    page.get_by_label("Motivo del rechazo").fill("El RUT adjunto es de otra empresa")
    page.get_by_role("button", name="Registrar decisión").click()
    expect(page.get_by_role("status")).to_contain_text("El RUT fue rechazado.")
    expect(page.get_by_text("El RUT adjunto es de otra empresa")).to_be_visible()
    page.context.close()


# --- CCFs and the catalog ----------------------------------------------------------------------------------------
def test_the_catalog_operator_activates_a_ccf_assigns_revokes_suspends_and_reactivates(
    browser: Any, api: httpx.Client, portal_url: str, local_runtime: dict[str, Any], world: dict[str, Any]
) -> None:
    nit = world["ccf_nit"]
    page = sign_in_as_operator(browser, portal_url, local_runtime["ministry_login"], CATALOG)
    expect(menu(page).get_by_role("link")).to_have_text(["Inicio", "Cajas (CCF)", "Catálogo de servicios"])
    menu(page).get_by_role("link", name="Cajas (CCF)").click()
    expect(page.get_by_role("heading", name="Cajas (CCF)", exact=True)).to_be_visible()
    check(page)
    page.get_by_label("NIT de la empresa").fill("12345")
    page.get_by_role("button", name="Activar rol CCF").click()
    expect(page.get_by_role("alert")).to_contain_text("9 dígitos")
    check(page)
    page.get_by_label("NIT de la empresa").fill(nit)
    page.get_by_role("button", name="Activar rol CCF").click()
    expect(page.get_by_role("status")).to_contain_text("Se activó el rol CCF de la empresa.")
    expect(page.get_by_role("heading", name=world["ccf_name"])).to_be_visible()
    check(page)

    page.get_by_label("Servicio para asignar").select_option(
        label="SERVICIO SOLICITUD AFILIACION (SOLICITUD_AFILIACION)"
    )
    form = {"csrf": csrf_of(page), "serviceId": page.get_by_label("Servicio para asignar").input_value()}
    page.get_by_role("button", name="Asignar").click()
    expect(page.get_by_role("status")).to_contain_text("Su Client ID para esta CCF es")
    check(page)
    again = page.request.post(f"{portal_url}/ministerio/ccfs/{nit}/servicios", form=form)
    assert again.status == 409 and "Hay un problema" in again.text(), again.status

    page.get_by_role("link", name=re.compile(r"^Revocar SERVICIO SOLICITUD AFILIACION")).click()
    expect(page.get_by_role("heading", name="Revocar el servicio")).to_be_visible()
    check(page)
    page.get_by_role("button", name="Revocar").click()
    expect(page.get_by_role("status")).to_contain_text("Se revocó el servicio")

    page.get_by_role("link", name="Suspender la CCF").click()
    expect(page.get_by_role("heading", name="Suspender la CCF")).to_be_visible()
    page.get_by_role("button", name="Confirmar: suspender").click()
    expect(page.get_by_role("alert")).to_contain_text("Escriba el motivo")
    check(page)
    page.get_by_label("Motivo").fill("Incumplimiento del acuerdo de uso, oficio 2026-321")
    page.get_by_role("button", name="Confirmar: suspender").click()
    expect(page.get_by_role("status")).to_contain_text("La CCF quedó suspendida.")
    expect(page.get_by_text("Incumplimiento del acuerdo de uso, oficio 2026-321")).to_be_visible()
    check(page)
    operator = journeys.bearer(journeys.operator_session(api, local_runtime["ministry_login"], CATALOG))
    listed = {c["nit"]: c for c in api.get("/admin/ccfs?limit=100", headers=operator).json()["items"]}
    assert listed[nit]["status"] == "SUSPENDED"

    page.get_by_role("link", name="Cajas (CCF)").first.click()
    expect(page.get_by_role("row", name=re.compile(nit))).to_contain_text("Suspendida: Incumplimiento del acuerdo")
    page.get_by_role("link", name=world["ccf_name"]).click()
    page.get_by_role("link", name="Reactivar la CCF").click()
    page.get_by_label("Motivo").fill("Acuerdo de uso firmado de nuevo")
    page.get_by_role("button", name="Confirmar: reactivar").click()
    expect(page.get_by_role("status")).to_contain_text("La CCF quedó activa de nuevo.")
    page.context.close()


def test_the_catalog_operator_creates_a_service_and_deactivates_it(
    browser: Any, portal_url: str, local_runtime: dict[str, Any]
) -> None:
    page = sign_in_as_operator(browser, portal_url, local_runtime["ministry_login"], CATALOG)
    menu(page).get_by_role("link", name="Catálogo de servicios").click()
    expect(page.get_by_role("heading", name="Catálogo de servicios", exact=True)).to_be_visible()
    check(page)
    page.get_by_role("link", name="Nuevo", exact=True).click()
    page.get_by_role("button", name="Guardar").click()
    summary = page.get_by_role("alert")
    for message in ("Escriba el código", "Escriba el nombre", "Seleccione la operación", "documento OpenAPI"):
        expect(summary).to_contain_text(message)
    check(page)
    page.get_by_label("Código").fill(SERVICE_CODE)
    page.get_by_label("Nombre").fill("Consulta de prueba")
    page.get_by_label("Descripción").fill("Servicio de prueba del catálogo")
    page.get_by_label("Operación").select_option("POST")
    page.get_by_label("Documento OpenAPI (JSON)").fill("openapi: 3.1.0")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_role("alert")).to_contain_text("formato JSON")
    expect(page.get_by_label("Código")).to_have_value(SERVICE_CODE)
    page.get_by_label("Documento OpenAPI (JSON)").fill(OPENAPI)
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_role("status")).to_contain_text("Se creó el servicio")
    row = page.get_by_role("row", name=re.compile(SERVICE_CODE))
    expect(row).to_contain_text("POST /sat/consulta-prueba")
    expect(row).to_contain_text("Activo")
    check(page)
    row.get_by_role("button", name=re.compile("^Desactivar")).click()
    expect(page.get_by_role("status")).to_contain_text("quedó inactivo")
    expect(page.get_by_role("row", name=re.compile(SERVICE_CODE))).to_contain_text("Inactivo")
    page.get_by_role("row", name=re.compile(SERVICE_CODE)).get_by_role("button", name=re.compile("^Activar")).click()
    expect(page.get_by_role("status")).to_contain_text("quedó activo")
    page.context.close()
