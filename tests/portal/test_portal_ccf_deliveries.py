""" "Trámites y entregas" and "Enviar notificación de prueba" (decisions 0107, 0108) in a real Chromium, acting as
the CCF's authorized person, with the sample CCF system (examples/sample_ccf) receiving the notifications.

Over the API first (end to end through the local runtime): the CCF's list and detail of a trámite delivered to the
sample CCF. Then in the browser: the list, the trámite with its attempts, "Entregar de nuevo" (done, then the rate-limit
message in the error summary), and on the shared service's page "Enviar notificación de prueba" with "acusó
recibo"; last, over the API, the redelivery's attempt (REENVIO_ACUSADA, state kept). axe-core and the page checks
on every page.

Seed entities no other module uses: the free non-CCF company [-12] (made a CCF here) and FREE["people"][-171]."""

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
NIT = [c["nit"] for c in FREE["companies"] if not c["isCcf"]][-12]
PERSON = FREE["people"][-171]
PASSWORD = "la caja revisa sus entregas 2026"
CONSUMER_PASSWORD = "integracion segura de afiliaciones 2026"  # not the NIT nor the name
WAIT_SECONDS = 120  # generous: the local runtime delivers within seconds


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
    """The company made a CCF with its services; the person authorized, terms accepted; the sample CCF shared as
    the notification service and verified; one trámite filed and acknowledged (delivered once)."""
    info = local_runtime
    person = exchange_journey.prepare_ccf_world_directly_in_moto(info, NIT, PERSON, PASSWORD)
    ministry = exchange_journey.ministry_headers(info)
    api = httpx.Client(base_url=info["api_url"], timeout=journeys.HTTP_TIMEOUT)
    client_ids = exchange_journey.activate_and_assign(api, ministry, person, NIT, CONSUMER_PASSWORD)
    config = Config(
        port=free_port(), api_url=info["api_url"], pull_client_id=client_ids["solicitud-afiliacion"],
        answer_client_id=client_ids["respuesta-tramite-ccf"], password=CONSUMER_PASSWORD, nit=NIT, decision="none",
    )  # fmt: skip
    ccf = SampleCcf(config).start()
    try:
        shared = exchange_journey.share_notification_endpoint(api, person, NIT, ccf)
        assert shared["status"] == "AUTHORIZED", shared
        employer = [c for c in FREE["companies"] if not c["isCcf"]][-12]
        request = exchange_journey.tramite_request(NIT, employer["nit"], FREE["people"][-172], "entregas@example.com")
        filed = api.post("/admin/tramites", json=request, headers=ministry)
        assert filed.status_code == 201, filed.text
        numero = filed.json()["numeroTransaccion"]
        _until(api, person, f"/ccfs/{NIT}/tramites/{numero}", lambda t: t["estado"] == "NOTIFICADA")
        yield {"info": info, "api": api, "person": person, "ccf": ccf, "numero": numero,
               "sharedServiceId": shared["sharedServiceId"]}  # fmt: skip
    finally:
        ccf.stop()
        api.close()


def test_the_ccf_sees_and_redelivers_its_tramite_over_the_api(world: dict[str, Any]) -> None:
    api, person, numero = world["api"], world["person"], world["numero"]
    listed = api.get(f"/ccfs/{NIT}/tramites", params={"state": "NOTIFICADA"}, headers=person)
    assert listed.status_code == 200 and numero in [i["numeroTransaccion"] for i in listed.json()["items"]]
    detail = api.get(f"/ccfs/{NIT}/tramites/{numero}", headers=person).json()
    assert detail["deliveries"][0]["outcome"] == "ACUSADA" and detail["deliveries"][0]["statusCode"] == 200
    assert api.get(f"/ccfs/{NIT}/tramites", params={"ccfNit": NIT}, headers=person).status_code == 422
    assert api.get(f"/ccfs/{NIT}/tramites").status_code == 401


def test_the_authorized_person_reviews_deliveries_and_tests_the_service(browser: Any, world: dict[str, Any]) -> None:
    portal_url = str(world["info"]["portal_url"])
    numero = world["numero"]
    page = new_page(browser)
    page.goto(f"{portal_url}/ingreso")
    page.get_by_label("Tipo de documento").select_option(PERSON["documentType"])
    page.get_by_label("Número de documento").fill(PERSON["documentNumber"])
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("heading", name="Mi lista de roles")).to_be_visible()
    page.get_by_label(re.compile(f"NIT {NIT}")).check()
    page.get_by_role("button", name="Seleccionar rol").click()

    page.goto(f"{portal_url}/ccfs/{NIT}/servicios")
    page.get_by_role("link", name="Trámites y entregas").click()
    expect(page.get_by_role("heading", level=1, name="Trámites y entregas")).to_be_visible()
    check(page)
    page.get_by_label("Desde").fill("2026-12-31")  # after "Hasta": the error summary links to the field
    page.get_by_label("Hasta").fill("2026-01-01")
    page.get_by_role("button", name="Buscar").click()
    expect(page.get_by_role("alert").get_by_role("heading", name="Hay un problema")).to_be_visible()
    check(page)
    page.get_by_label("Desde").fill("")
    page.get_by_label("Hasta").fill("")
    page.get_by_label("Estado").select_option("NOTIFICADA")
    page.get_by_role("button", name="Buscar").click()
    page.get_by_role("link", name=numero).click()

    expect(page.get_by_role("heading", level=1, name=f"Trámite {numero}")).to_be_visible()
    attempts = page.get_by_role("region", name="Intentos de entrega")
    expect(attempts.get_by_text("Acusada por la CCF")).to_be_visible()
    check(page)
    page.get_by_role("button", name="Entregar de nuevo").click()
    expect(page.get_by_role("status")).to_contain_text("misma clave de idempotencia")
    check(page)
    page.get_by_role("button", name="Entregar de nuevo").click()  # within 5 minutes: the API's 429
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Intente de nuevo en")
    check(page)

    page.goto(f"{portal_url}/ccfs/{NIT}/servicios/compartir/{world['sharedServiceId']}")
    page.get_by_role("button", name="Enviar notificación de prueba").click()
    expect(page.get_by_role("status").filter(has_text="acusó recibo").first).to_be_visible()
    check(page)
    page.context.close()

    # behind the pages: the acknowledged notification went once more with the same key, and the test
    # notification's signature verified at the sample CCF
    api, person = world["api"], world["person"]
    detail = _until(api, person, f"/ccfs/{NIT}/tramites/{numero}",
                    lambda t: any(d["outcome"] == "REENVIO_ACUSADA" for d in t["deliveries"]))  # fmt: skip
    assert detail["estado"] == "NOTIFICADA" and detail["attempts"] == 1
    seen = world["ccf"].summary()
    assert seen["refused"] == [] and seen["errors"] == [], seen
