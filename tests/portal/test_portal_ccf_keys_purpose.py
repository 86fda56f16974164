"""The notification service's purpose, the CCF's public keys and a disabled endpoint enabled by a test notification
(decisions 0102, 0105, 0106) in a real Chromium, acting as the CCF's authorized person, with the sample CCF system
(examples/sample_ccf) as the receiver.

The person sees that no service receives the notifications, registers one choosing "Recibir las notificaciones de
trámites del Ministerio" (key 1 in the form), its OAuth 2.0 credentials and the connection test; a second
notification service is refused in the error summary, linked to the purpose's radio buttons. On the keys page a
bad key is refused, the sample CCF's new key is added (the pulls use it), and — with JavaScript off — the old
one is removed after its confirmation page. The sample CCF then answers 410 and the delivery disables the service;
fixed, one "Enviar notificación de prueba" is acknowledged and enables it again, and the next trámite is delivered
and its pull decrypted with the new key. axe-core and the page checks on every page.

Seed entities no other module uses: the free non-CCF company [-28] (made a CCF here, and the trámites' employer)
and FREE["people"][-183] (the authorized person) and [-184] (the trámites' legal representative)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from examples.sample_ccf import Config, SampleCcf
from local import exchange_journey, journeys
from local.testing import free_port

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - requirements/dev.txt pins it
    pytest.skip("playwright is not installed", allow_module_level=True)

from browser_support import TIMEOUT_MS, check, new_page

pytestmark = pytest.mark.e2e
expect.set_options(timeout=TIMEOUT_MS)

FREE = journeys.seed()["scenarios"]["free"]
NIT = [c["nit"] for c in FREE["companies"] if not c["isCcf"]][-28]
PERSON, LEGAL_REP = FREE["people"][-183], FREE["people"][-184]
PASSWORD = "la caja cambia sus llaves sin pausa 2026"
CONSUMER_PASSWORD = "integracion segura de afiliaciones 2026"  # not the NIT nor the name
WAIT_SECONDS = 120  # generous: the local runtime delivers within seconds
NOTIFY = "Recibir las notificaciones de trámites del Ministerio"


def _until(api: httpx.Client, headers: dict[str, str], path: str, done: Any) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT_SECONDS
    last: Any = None
    while time.monotonic() < deadline:
        answer = api.get(path, headers=headers)
        last = answer.json() if answer.status_code == 200 else answer.text
        if answer.status_code == 200 and done(last):
            return last
        time.sleep(1)
    raise AssertionError(f"{path} did not reach the expected state within {WAIT_SECONDS} s: {last}")


@pytest.fixture(scope="module")
def world(local_runtime: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The company made a CCF with its services; the person authorized, terms accepted, consumer password set;
    the sample CCF running (it approves what it pulls). Nothing shared yet: the person does it in the browser."""
    info = local_runtime
    person = exchange_journey.prepare_ccf_world_directly_in_moto(info, NIT, PERSON, PASSWORD)
    ministry = exchange_journey.ministry_headers(info)
    api = httpx.Client(base_url=info["api_url"], timeout=journeys.HTTP_TIMEOUT)
    client_ids = exchange_journey.activate_and_assign(api, ministry, person, NIT, CONSUMER_PASSWORD)
    config = Config(
        port=free_port(), api_url=info["api_url"], pull_client_id=client_ids["solicitud-afiliacion"],
        answer_client_id=client_ids["respuesta-tramite-ccf"], password=CONSUMER_PASSWORD, nit=NIT, decision="approve",
    )  # fmt: skip
    ccf = SampleCcf(config).start()
    try:
        yield {"info": info, "api": api, "person": person, "ministry": ministry, "ccf": ccf}
    finally:
        ccf.stop()
        api.close()


def _sign_in(page: Any, portal_url: str) -> None:
    page.goto(f"{portal_url}/ingreso")
    page.get_by_label("Tipo de documento").select_option(PERSON["documentType"])
    page.get_by_label("Número de documento").fill(PERSON["documentNumber"])
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("heading", name="Mi lista de roles")).to_be_visible()
    page.get_by_label(re.compile(f"NIT {NIT}")).check()
    page.get_by_role("button", name="Seleccionar rol").click()
    expect(page.get_by_role("status").get_by_text(f"NIT {NIT}")).to_be_visible()


def _file(world: dict[str, Any]) -> str:
    request = exchange_journey.tramite_request(NIT, NIT, LEGAL_REP, "llaves@example.com")
    filed = world["api"].post("/admin/tramites", json=request, headers=world["ministry"])
    assert filed.status_code == 201, filed.text
    return str(filed.json()["numeroTransaccion"])


def test_the_ccf_chooses_the_notification_service_rotates_its_key_and_enables_it_again(
    browser: Any, world: dict[str, Any]
) -> None:
    portal_url, ccf = str(world["info"]["portal_url"]), world["ccf"]
    page = new_page(browser)
    _sign_in(page, portal_url)

    # no notification service yet: said in words on the list
    page.goto(f"{portal_url}/ccfs/{NIT}/servicios")
    page.get_by_role("link", name="Compartir Servicios Entidad").click()
    expect(
        page.get_by_text("Atención: ningún servicio de la caja recibe las notificaciones de trámites")
    ).to_be_visible()
    check(page)

    # the notification service, its purpose chosen, key 1 in the form
    page.get_by_label("Nombre del servicio").fill("ReceptorTramites")
    page.get_by_label("Descripción del servicio").fill("Recepción de las notificaciones de trámites del SAT")
    page.get_by_label("URL del servicio").fill(ccf.notification_url)
    page.get_by_label("Tipo de Operación").select_option("POST")
    page.get_by_role("group", name="Uso del servicio").get_by_label(NOTIFY).check()
    page.get_by_label("Llave pública (opcional)").fill(ccf.public_key_pem)
    page.get_by_role("button", name="Guardar servicio").click()
    expect(page.get_by_role("heading", level=1, name="ReceptorTramites")).to_be_visible()
    expect(page.get_by_text("Uso: Recibe las notificaciones de trámites")).to_be_visible()
    service_url = page.url
    page.get_by_label("Nombre del Token").fill("Servidor de token de la caja")
    page.get_by_label("URL del token").fill(ccf.token_url)
    page.get_by_label("ClientID", exact=True).fill(ccf.config.token_client_id)
    page.get_by_label("Client Secret", exact=True).fill(ccf.config.token_client_secret)
    page.get_by_role("button", name="Aceptar", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("credenciales OAuth 2.0 quedaron guardadas")
    page.get_by_role("button", name="Probar conexión").click()
    expect(page.locator("#prueba-de-conexion + [role=status]")).to_contain_text("Conexión exitosa")
    check(page)

    # a second notification service: the API's 409 in the summary, linked to the radio buttons
    page.get_by_role("link", name="Volver a Compartir Servicios Entidad").click()
    expect(page.get_by_text("llegan al servicio ReceptorTramites")).to_be_visible()
    page.get_by_label("Nombre del servicio").fill("OtroReceptor")
    page.get_by_label("Descripción del servicio").fill("Un segundo receptor")
    page.get_by_label("URL del servicio").fill(ccf.notification_url)
    page.get_by_label("Tipo de Operación").select_option("POST")
    page.get_by_role("group", name="Uso del servicio").get_by_label(NOTIFY).check()
    page.get_by_role("button", name="Guardar servicio").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("ya tiene un servicio que recibe las notificaciones de trámites")
    check(page)
    summary.get_by_role("link").first.click()
    assert page.evaluate("() => document.activeElement.id") == "purpose"
    expect(page.get_by_role("table").get_by_role("link", name=re.compile("OtroReceptor"))).to_have_count(0)

    # the keys: key 1 is the newest; a bad key refused; the sample CCF's new key added
    page.goto(service_url)
    page.get_by_role("link", name="Ver, registrar o quitar llaves públicas").click()
    expect(page.get_by_role("heading", level=1, name="Llaves públicas")).to_be_visible()
    expect(page.get_by_role("heading", level=3, name=re.compile(r"\(la más reciente\)"))).to_have_count(1)
    check(page)
    page.get_by_label("Llave pública nueva").fill("esto no es una llave")
    page.get_by_role("button", name="Registrar llave").click()
    expect(page.get_by_role("alert").get_by_role("link")).to_have_count(1)
    expect(page.get_by_label("Llave pública nueva")).to_have_attribute("aria-invalid", "true")
    check(page)
    old_kid = ccf.private_key.thumbprint()
    page.get_by_label("Llave pública nueva").fill(ccf.add_key())
    page.get_by_role("button", name="Registrar llave").click()
    expect(page.get_by_role("status")).to_contain_text("quedó registrada y es la más reciente")
    newest = page.get_by_role("region", name=re.compile(r"\(la más reciente\)"))
    expect(newest).to_contain_text(ccf.private_key.thumbprint())
    expect(page.get_by_text(old_kid)).to_be_visible()
    expect(page.get_by_text("Ya hay 2 llaves registradas.")).to_be_visible()
    check(page)

    # the old key removed after its confirmation page, with JavaScript off
    plain = new_page(browser, java_script_enabled=False)
    _sign_in(plain, portal_url)
    plain.goto(f"{service_url}/llaves")
    plain.get_by_role("link", name=f"Quitar la llave {old_kid[:8]}…{old_kid[-4:]}").click()
    expect(plain.get_by_role("heading", level=1, name="Quitar llave pública")).to_be_visible()
    expect(plain.get_by_text(old_kid)).to_be_visible()
    plain.get_by_role("button", name="Quitar la llave").click()
    expect(plain.get_by_role("status")).to_contain_text("Se quitó la llave")
    expect(plain.get_by_text(old_kid)).to_have_count(0)
    plain.context.close()
    ccf.drop_key(old_kid)
    page.reload()
    expect(page.get_by_role("heading", level=3)).to_have_count(1)
    check(page)

    # the receiver answers 410: the delivery disables the service
    api, person = world["api"], world["person"]
    shared_id = service_url.rsplit("/", 1)[-1]
    ccf.set_fault("410")
    _file(world)
    _until(api, person, f"/ccfs/{NIT}/shared-services/{shared_id}", lambda s: s["status"] == "DISABLED")
    page.get_by_role("link", name="Volver a Compartir Servicios Entidad").click()
    expect(page.get_by_text("hoy no las recibe")).to_be_visible()
    check(page)

    # fixed: an acknowledged test notification enables it again
    ccf.set_fault("none")
    page.goto(service_url)
    expect(page.get_by_text(re.compile("^Estado: Deshabilitado"))).to_be_visible()
    page.get_by_role("button", name="Enviar notificación de prueba").click()
    result = page.get_by_role("status").filter(has_text="acusó recibo")
    expect(result).to_contain_text("quedó activo de nuevo")
    expect(page.get_by_text("Estado: Activo", exact=True)).to_be_visible()
    check(page)
    page.context.close()

    # the next trámite is delivered, and its pull decrypted with the new key
    numero = _file(world)
    done = _until(api, person, f"/ccfs/{NIT}/tramites/{numero}", lambda t: t["estado"] == "APROBADA")
    assert done["deliveries"][-1]["outcome"] == "ACUSADA", done["deliveries"]
    seen = ccf.summary()
    assert seen["pulled"][numero]["encrypted"] is True and seen["errors"] == [], seen
