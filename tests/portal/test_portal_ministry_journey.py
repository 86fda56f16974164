"""The Ministry's back office in a real Chromium, acting as its operators (labelled fields, buttons, links):

- the RUT reviewer (`ministerio-revisor`) signs in with the verification code, opens the RUT queue, opens a
  company's RUT (the link's target answers application/pdf), rejects it — the error summary first, without a
  reason — and the legal representative then reads the rejection and its reason on the company page;
- the exchange operator (`ministerio-intercambio`) finds a failed trámite with the filters (an invalid NIT
  first), opens it (every delivery attempt), presses "Reintentar"; when it fails again, "Reintentar fallidos de
  la CCF" reports the count;
- the auditor (`ministerio-auditor`) searches the audit trail (nothing typed first), finds that redrive, and
  downloads the CSV with no filter in the URL;
- the administrator (`ministerio`) invites an operator, changes their groups and disables them with a reason
  (required), and unlocks a person at the help desk.
axe-core, page weight and no token in URL/storage on every page (browser_support.check).

Seed entities no other portal module uses: the free non-CCF companies [-20] (typed with another business name, so
the RUT is required) and [-21] (registered, then made a CCF here), with their reserved legal representatives;
FREE[-75], FREE[-76], FREE[-77] (CC pool): the CCF's delegate, the invited operator, the person unlocked. The CCF
has no notification service, so its trámite fails at the first attempt (`SIN_SERVICIO_NOTIFICACION`,
functions/notifications/delivery.py)."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from browser_support import FREE, TIMEOUT_MS, check, new_page

from local import exchange_journey, journeys
from sat_common.colombian_time import COLOMBIA

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - requirements/dev.txt pins it
    pytest.skip("playwright is not installed", allow_module_level=True)

pytestmark = pytest.mark.e2e
expect.set_options(timeout=TIMEOUT_MS)

PASSWORD = "una frase de prueba para el back office 2026"
FREE_COMPANIES = journeys.seed()["scenarios"]["free"]["companies"]
NON_CCF = [c for c in FREE_COMPANIES if not c["isCcf"]]
RUT_COMPANY, CCF = NON_CCF[-20], NON_CCF[-21]
CCF_DELEGATE = journeys.person(FREE[-75])
NEW_OPERATOR = journeys.person(FREE[-76])
CORPORATE_EMAIL = "talento.humano@caja-backoffice.example.com"
REJECTION = "El RUT adjunto corresponde a otra razón social"
REVIEWER, EXCHANGE, AUDITOR = "ministerio-revisor", "ministerio-intercambio", "ministerio-auditor"


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
def world(api: httpx.Client, local_runtime: dict[str, Any]) -> dict[str, Any]:
    """Other actors' preconditions, over the API: a company whose RUT waits for review, and an active CCF with
    one failed trámite."""
    mailbox = journeys.Mailbox(local_runtime["mailbox_url"])
    # the RUT: the legal representative types another business name, uploads the PDF, the check queues it
    rut_company = journeys.company(RUT_COMPANY["nit"])
    representative = journeys.person(RUT_COMPANY["legalRepresentative"])
    headers = journeys.bearer(journeys.register_citizen(api, mailbox, representative, PASSWORD))
    rut_name = f"{rut_company['businessName']} Sucursal Norte"
    data = journeys.employer_data(rut_company, rut_name)
    created = api.post("/employers", json=data, headers=headers)
    assert created.status_code == 201, created.text
    assert journeys.upload_rut(created.json()["upload"], journeys.rut_pdf()) in (200, 201, 204)
    journeys.wait_for_employer(api, rut_company["nit"], headers, "PENDING_REVIEW")

    # the CCF: registered by its legal representative, its CCF role activated by the administrator
    ccf = journeys.company(CCF["nit"])
    ccf_headers = journeys.bearer(
        journeys.register_citizen(api, mailbox, journeys.person(CCF["legalRepresentative"]), PASSWORD)
    )
    api.post("/employers", json=journeys.employer_data(ccf), headers=ccf_headers).raise_for_status()
    delegate = journeys.person_data(CCF_DELEGATE, CORPORATE_EMAIL)
    api.put(f"/employers/{ccf['nit']}/delegate", json=delegate, headers=ccf_headers).raise_for_status()
    office = journeys.headquarters_for(ccf, CORPORATE_EMAIL)
    api.put(f"/employers/{ccf['nit']}/headquarters", json=office, headers=ccf_headers).raise_for_status()
    api.post(f"/employers/{ccf['nit']}/confirmation", headers=ccf_headers).raise_for_status()
    administrator = journeys.bearer(journeys.ministry_session(api, local_runtime["ministry_login"]))
    activated = api.post("/admin/ccfs", json={"nit": ccf["nit"]}, headers=administrator)
    assert activated.status_code == 201 or activated.json().get("code") == "CCF_ALREADY_ACTIVE", activated.text

    # a trámite for it fails at once: the CCF shared no notification service
    request = exchange_journey.tramite_request(ccf["nit"], rut_company["nit"], representative, CORPORATE_EMAIL)
    filed = api.post("/admin/tramites", json=request, headers=administrator)
    assert filed.status_code == 201, filed.text
    numero = filed.json()["numeroTransaccion"]
    waiter = exchange_journey.Waiter(api, administrator)
    waiter.until(numero, lambda t: t["estado"] == "FALLIDA")
    return {
        "rut_nit": rut_company["nit"],
        "rut_name": rut_name,
        "representative": representative,
        "ccf_nit": ccf["nit"],
        "numero": numero,
        "waiter": waiter,
    }


# --- acting as people ------------------------------------------------------------------------------------------
def sign_in_as_operator(browser: Any, portal_url: str, login: dict[str, Any], group: str | None, **options: Any) -> Any:
    """Document, password, then the verification code of a step the API has not seen from this operator."""
    if group is None:
        username, secret = login["usernames"][0], login["totp_secret"]
    else:
        operator = next(o for o in login["operators"] if o["groups"] == [group])
        username, secret = operator["username"], operator["totp_secret"]
    document_type, document_number = username.split("-", 1)
    page = new_page(browser, **options)
    page.goto(f"{portal_url}/ingreso")
    page.get_by_label("Tipo de documento").select_option(document_type)
    page.get_by_label("Número de documento").fill(document_number)
    page.get_by_label("Contraseña").fill(login["password"])
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("heading", name="Código de verificación")).to_be_visible()
    _enter_code(page, secret)
    expect(page.get_by_role("heading", name="Mi lista de roles")).to_be_visible()
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
    raise AssertionError("the verification code was refused three times")


def sign_in_as_person(browser: Any, portal_url: str, someone: dict[str, Any]) -> Any:
    page = new_page(browser)
    page.goto(f"{portal_url}/ingreso")
    page.get_by_label("Tipo de documento").select_option(someone["documentType"])
    page.get_by_label("Número de documento").fill(someone["documentNumber"])
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("heading", name="Mi lista de roles")).to_be_visible()
    return page


def open_menu(page: Any, portal_url: str, link: str) -> None:
    """The back office's navigation (the /ministerio frame) leads to each page."""
    page.goto(f"{portal_url}/ministerio")
    page.get_by_role("navigation", name=re.compile("Ministerio")).get_by_role("link", name=link).click()


# --- the journey -----------------------------------------------------------------------------------------------
def test_the_reviewer_rejects_a_rut_and_the_legal_representative_reads_why(
    browser: Any, portal_url: str, local_runtime: dict[str, Any], world: dict[str, Any]
) -> None:
    nit, name = world["rut_nit"], world["rut_name"]
    page = sign_in_as_operator(browser, portal_url, local_runtime["ministry_login"], REVIEWER)
    open_menu(page, portal_url, "Revisión de RUT")
    expect(page.get_by_role("heading", name="Revisión de RUT")).to_be_visible()
    check(page)
    for _ in range(20):  # oldest first: other modules' companies may come before this one
        link = page.get_by_role("link", name=name, exact=True)
        if link.count() or not page.get_by_role("link", name="Siguiente").count():
            break
        page.get_by_role("link", name="Siguiente").click()
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    check(page)
    opened = page.get_by_role("link", name=re.compile("Abrir el RUT"))
    pdf = page.request.get(opened.get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"].startswith("application/pdf"), pdf.headers
    assert pdf.body().startswith(b"%PDF")
    frame = page.locator("iframe[title^='RUT adjunto']")
    assert frame.get_attribute("src") == opened.get_attribute("href")

    page.get_by_label(re.compile("^Rechazar")).check()
    page.get_by_role("button", name="Registrar decisión").click()
    expect(page.get_by_role("alert")).to_contain_text("motivo del rechazo")
    check(page)
    page.get_by_label(re.compile("^Rechazar")).check()
    page.get_by_label("Motivo del rechazo").fill(REJECTION)
    page.get_by_role("button", name="Registrar decisión").click()
    expect(page.get_by_role("status")).to_contain_text("El RUT fue rechazado")
    check(page)
    page.context.close()

    page = sign_in_as_person(browser, portal_url, world["representative"])
    page.goto(f"{portal_url}/empleadores/{nit}")
    expect(page.get_by_text(f"El Ministerio rechazó el RUT. Motivo: {REJECTION}.")).to_be_visible()
    check(page)
    page.context.close()


def test_the_exchange_operator_redrives_a_failed_tramite(
    browser: Any, portal_url: str, local_runtime: dict[str, Any], world: dict[str, Any]
) -> None:
    numero, ccf_nit = world["numero"], world["ccf_nit"]
    page = sign_in_as_operator(browser, portal_url, local_runtime["ministry_login"], EXCHANGE)
    open_menu(page, portal_url, "Trámites")
    expect(page.get_by_role("heading", name="Trámites", exact=True)).to_be_visible()
    check(page)

    page.get_by_label("Estado").select_option(label="Fallida")
    page.get_by_label("NIT de la CCF").fill("12345")
    page.get_by_role("button", name="Buscar").click()
    expect(page.get_by_role("alert").get_by_role("link", name=re.compile("NIT de la CCF"))).to_be_visible()
    check(page)
    page.get_by_label("NIT de la CCF").fill(ccf_nit)
    page.get_by_role("button", name="Buscar").click()
    row = page.get_by_role("row", name=re.compile(numero))
    expect(row).to_contain_text("Fallida")
    check(page)

    row.get_by_role("link", name=numero).click()
    expect(page.get_by_role("heading", name=f"Trámite {numero}")).to_be_visible()
    attempts = page.get_by_role("region", name="Intentos de entrega")
    expect(attempts.get_by_role("cell", name=re.compile("^SIN_SERVICIO_NOTIFICACION")).first).to_be_visible()
    # when, in Colombian time and people's words (the column header says "hora de Colombia")
    when = re.compile(r"^\d{2}/\d{2}/\d{4} \d{1,2}:\d{2}:\d{2} [ap]\. m\.$")
    expect(attempts.get_by_role("rowheader").first).to_have_text(when)
    check(page)
    page.get_by_role("button", name="Reintentar").click()
    expect(page.get_by_role("status")).to_contain_text("volvió a estado Pendiente")
    check(page)

    # it fails again (the CCF still shares no notification service)
    world["waiter"].until(numero, lambda t: t["estado"] == "FALLIDA" and t["generation"] == 1)
    page.reload()
    expect(page.get_by_role("button", name="Reintentar")).to_be_visible()

    # the bulk redrive from the list of the CCF's failed trámites: the count, and whether more remain
    page.goto(f"{portal_url}/ministerio/tramites?state=FALLIDA&ccfNit={ccf_nit}")
    page.get_by_role("button", name="Reintentar fallidos de la CCF").click()
    expect(page.get_by_role("status")).to_contain_text("Se reintentó 1 trámite fallido de la CCF.")
    check(page)
    world["waiter"].until(numero, lambda t: t["generation"] == 2)
    page.context.close()


def test_the_auditor_finds_the_redrive_and_downloads_the_csv(
    browser: Any, portal_url: str, local_runtime: dict[str, Any], world: dict[str, Any]
) -> None:
    numero, ccf_nit = world["numero"], world["ccf_nit"]
    page = sign_in_as_operator(browser, portal_url, local_runtime["ministry_login"], AUDITOR)
    open_menu(page, portal_url, "Auditoría")
    expect(page.get_by_role("heading", name="Auditoría")).to_be_visible()
    check(page)
    page.get_by_role("button", name="Buscar").click()
    expect(page.get_by_role("alert").get_by_role("link", name=re.compile("NIT"))).to_be_visible()
    check(page)

    page.get_by_label("NIT", exact=True).fill(ccf_nit)
    page.get_by_label("Acción").fill("TRAMITE_REDRIVEN")
    page.get_by_role("button", name="Buscar").click()
    results = page.get_by_role("region", name="Resultados")
    expect(results.get_by_role("row", name=re.compile(f"TRAMITE#{numero}")).first).to_be_visible()
    assert "?" not in page.url  # the filters travelled in the form's body
    check(page)

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Descargar CSV").click()
    download = download_info.value
    assert re.fullmatch(r"auditoria-\d{8}-\d{6}\.csv", download.suggested_filename)
    assert ccf_nit not in download.url and "?" not in download.url
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert {row["action"] for row in rows} == {"TRAMITE_REDRIVEN"}
    assert f"TRAMITE#{numero}" in {row["entity"] for row in rows}
    page.context.close()


def test_the_administrator_manages_an_operator_and_unlocks_a_person(
    browser: Any, portal_url: str, local_runtime: dict[str, Any]
) -> None:
    page = sign_in_as_operator(browser, portal_url, local_runtime["ministry_login"], None)
    open_menu(page, portal_url, "Operadores")
    expect(page.get_by_role("heading", name="Operadores", exact=True)).to_be_visible()
    check(page)
    page.get_by_role("link", name="Nuevo").click()
    expect(page.get_by_role("heading", name="Nuevo operador")).to_be_visible()
    check(page)
    page.get_by_role("button", name="Crear operador").click()
    expect(page.get_by_role("alert").get_by_role("link", name="Seleccione al menos un grupo.")).to_be_visible()
    check(page)
    page.get_by_label("Tipo de documento").select_option(NEW_OPERATOR["documentType"])
    page.get_by_label("Número de documento").fill(NEW_OPERATOR["documentNumber"])
    page.get_by_label("Correo electrónico").fill("operador.nuevo@minsalud.example.gov.co")
    page.get_by_label(re.compile("Auditores del Ministerio")).check()
    page.get_by_role("button", name="Crear operador").click()
    expect(page.get_by_role("status")).to_contain_text("Le enviamos un correo electrónico")
    mail = journeys.Mailbox(local_runtime["mailbox_url"]).wait_for(
        "operador.nuevo@minsalud.example.gov.co", "operator-invitation"
    )
    assert "/asignar-contrasena?token=" in mail["text"]

    number = NEW_OPERATOR["documentNumber"]
    row = page.get_by_role("row", name=re.compile(number))
    expect(row).to_contain_text("Invitado")
    assert number not in page.url
    row.get_by_role("button", name=re.compile("Modificar")).click()
    expect(page.get_by_role("heading", name="Modificar operador")).to_be_visible()
    assert number not in page.url
    check(page)
    page.get_by_label(re.compile("Operadores del intercambio")).check()
    page.get_by_label(re.compile("Deshabilitada")).check()
    page.get_by_role("button", name="Guardar cambios").click()
    expect(page.get_by_role("alert").get_by_role("link", name=re.compile("motivo"))).to_be_visible()
    check(page)
    page.get_by_label("Motivo del cambio").fill("Cambio de funciones; cuenta suspendida mientras tanto")
    page.get_by_role("button", name="Guardar cambios").click()
    expect(page.get_by_role("status")).to_contain_text("quedaron guardados")
    row = page.get_by_role("row", name=re.compile(number))
    expect(row).to_contain_text("Deshabilitado")
    expect(row).to_contain_text("Operadores del intercambio")
    check(page)

    open_menu(page, portal_url, "Mesa de ayuda")
    expect(page.get_by_role("heading", name="Desbloquear persona")).to_be_visible()
    check(page)
    page.get_by_role("button", name="Desbloquear").click()
    expect(page.get_by_role("alert").get_by_role("link", name="Escriba el número de documento.")).to_be_visible()
    check(page)
    locked = journeys.person(FREE[-77])
    page.get_by_label("Tipo de documento").select_option(locked["documentType"])
    page.get_by_label("Número de documento").fill(locked["documentNumber"])
    page.get_by_label("Motivo").fill("Llamada a la mesa de ayuda; identidad verificada por videollamada")
    page.get_by_role("button", name="Desbloquear").click()
    expect(page.get_by_role("status")).to_contain_text("Solicitud registrada")
    assert locked["documentNumber"] not in page.url
    check(page)
    page.context.close()


def test_the_back_office_forms_work_without_javascript(
    browser: Any, portal_url: str, local_runtime: dict[str, Any], world: dict[str, Any]
) -> None:
    """The administrator, JavaScript off: the trámites' GET form and detail, the audit's POST search and its CSV."""
    numero, ccf_nit = world["numero"], world["ccf_nit"]
    page = sign_in_as_operator(browser, portal_url, local_runtime["ministry_login"], None, java_script_enabled=False)
    page.goto(f"{portal_url}/ministerio/tramites")
    page.get_by_label("NIT de la CCF").fill(ccf_nit)
    today = datetime.now(COLOMBIA).date()  # the operator's day, in Colombia
    page.get_by_label("Desde").fill((today - timedelta(days=1)).isoformat())
    page.get_by_label("Hasta").fill(today.isoformat())
    page.get_by_role("button", name="Buscar").click()
    page.get_by_role("row", name=re.compile(numero)).get_by_role("link", name=numero).click()
    expect(page.get_by_role("heading", name=f"Trámite {numero}")).to_be_visible()
    attempts = page.get_by_role("region", name="Intentos de entrega")
    expect(attempts.get_by_role("cell", name=re.compile("^SIN_SERVICIO_NOTIFICACION")).first).to_be_visible()

    page.goto(f"{portal_url}/ministerio/auditoria")
    page.get_by_label("Acción").fill("tramites_bulk_redriven")  # upper case is the page's job
    page.get_by_role("button", name="Buscar").click()
    expect(page.get_by_role("row", name=re.compile(f"CCF#{ccf_nit}")).first).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Descargar CSV").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    assert text.startswith("at,action,entity,actor,nit,sourceIp,userAgent,details") and f"CCF#{ccf_nit}" in text
    page.context.close()
