"""Administración de servicios web externos (manual §6) in a real Chromium, acting as the CCF's authorized
person: sign in and choose the CCF role, decline then accept the terms, the catalog, "Información Servicio" and
the service's documentation, "Asignar contraseña", and "Compartir Servicios Entidad" (the service, its OAuth 2.0
credentials, the connection test against an unreachable token URL). axe-core and the page checks on every page;
the main form once more with JavaScript off.

Preconditions set up for other actors (local/exchange_journey.py): the company's CCF role activated by the
Ministry over the API, with the three services assigned; the person's account and CCF authorization written
into the local runtime as §5's flows leave them. This module uses the first free CCF company and
FREE["people"][-140]; no other module does."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from local import exchange_journey, journeys

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - requirements/dev.txt pins it
    pytest.skip("playwright is not installed", allow_module_level=True)

from browser_support import TIMEOUT_MS, check, new_page

pytestmark = pytest.mark.e2e
expect.set_options(timeout=TIMEOUT_MS)

FREE = journeys.seed()["scenarios"]["free"]
NIT = next(c["nit"] for c in FREE["companies"] if c["isCcf"])
PERSON = FREE["people"][-140]
PASSWORD = "la persona autorizada entra al portal 2026"
CONSUMER_PASSWORD = "integracion segura de afiliaciones 2026"  # not the NIT nor the name
UNREACHABLE_TOKEN_URL = "http://127.0.0.1:9/oauth/token"  # loopback is allowed only by the local runtime


def _public_key_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@pytest.fixture(scope="module")
def world(local_runtime: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The Ministry activates the CCF and assigns its services; the person is authorized for it."""
    exchange_journey.prepare_ccf_world_directly_in_moto(local_runtime, NIT, PERSON, PASSWORD)
    ministry = exchange_journey.ministry_headers(local_runtime)
    with httpx.Client(base_url=local_runtime["api_url"], timeout=journeys.HTTP_TIMEOUT) as api:
        assert api.post("/admin/ccfs", json={"nit": NIT}, headers=ministry).status_code in (201, 409)
        for service_id in exchange_journey.SERVICES:
            answer = api.post(f"/admin/ccfs/{NIT}/services", json={"serviceId": service_id}, headers=ministry)
            assert answer.status_code in (201, 409), answer.text
    yield {"portal_url": str(local_runtime["portal_url"]), "api_url": str(local_runtime["api_url"])}


def sign_in_as_the_ccf(page: Any, portal_url: str) -> None:
    page.goto(f"{portal_url}/ingreso")
    page.get_by_label("Tipo de documento").select_option(PERSON["documentType"])
    page.get_by_label("Número de documento").fill(PERSON["documentNumber"])
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("heading", name="Mi lista de roles")).to_be_visible()
    page.get_by_label(re.compile(f"NIT {NIT}")).check()
    page.get_by_role("button", name="Seleccionar rol").click()
    expect(page.get_by_role("status").get_by_text(f"NIT {NIT}")).to_be_visible()


def test_the_authorized_person_administers_the_ccfs_web_services(browser: Any, world: dict[str, Any]) -> None:
    portal_url = world["portal_url"]
    page = new_page(browser)
    sign_in_as_the_ccf(page, portal_url)

    # Paso 2: the functionality from the home page; Paso 3: the terms, declined first
    page.goto(portal_url)
    page.get_by_role("link", name="Comenzar: Administración de servicios web externos").click()
    expect(page).to_have_url(f"{portal_url}/ccfs/{NIT}/servicios")
    expect(page.get_by_role("heading", level=1, name=re.compile("Condiciones de uso"))).to_be_visible()
    expect(page.get_by_role("heading", name="2. Política de privacidad y retención")).to_be_visible()
    check(page)
    page.get_by_role("button", name="No acepto").click()
    expect(page.get_by_role("heading", name="No puede usar la funcionalidad")).to_be_visible()
    check(page)
    for blocked in ("contrasena", "compartir", "informacion/solicitud-afiliacion"):  # nothing behind the terms
        page.goto(f"{portal_url}/ccfs/{NIT}/servicios/{blocked}")
        expect(page.get_by_role("button", name="Acepto", exact=True)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("no aceptó")
    check(page)
    page.get_by_role("button", name="Acepto", exact=True).click()

    # Paso 4: the menu and the catalog the Ministry assigned
    expect(page.get_by_role("heading", name="Administración de servicios web externos")).to_be_visible()
    catalog = page.get_by_role("table")
    for name in ("Respuesta TramiteCCF", "SERVICIO SOLICITUD AFILIACION", "RECEPCION TRASLADO CAJA"):
        expect(catalog.get_by_text(name, exact=True)).to_be_visible()
    check(page)

    page.get_by_role("link", name="Información Servicio: SERVICIO SOLICITUD AFILIACION").click()
    expect(page.get_by_role("heading", name="SERVICIO SOLICITUD AFILIACION")).to_be_visible()
    client_id = page.locator("dt:has-text('Client ID') + dd").inner_text().strip()
    assert re.fullmatch(r"[A-Za-z0-9]{20,}", client_id), client_id
    expect(page.locator("dt:has-text('URL del token') + dd")).to_contain_text("/oauth2/token")
    expect(page.locator("dt:has-text('Endpoint') + dd")).to_contain_text("/sat/solicitud-afiliacion")
    expect(page.locator("dt:has-text('Estado') + dd")).to_have_text("Activo")
    check(page)

    # the documentation, rendered on the server from the OpenAPI document fetched with the person's token
    page.get_by_role("link", name="Ver la documentación del servicio").click()
    expect(page.get_by_role("heading", name="POST /sat/solicitud-afiliacion")).to_be_visible()
    expect(page.get_by_role("heading", name="Cuerpo de la solicitud")).to_be_visible()
    expect(page.get_by_role("rowheader", name="numeroTransaccion").first).to_be_visible()
    expect(page.locator("pre").first).to_contain_text("numeroTransaccion")
    check(page)
    page.get_by_role("link", name="Volver al menú de la funcionalidad").click()

    # Asignar contraseña: a mismatch first, then the password with the "immediate" option
    page.get_by_role("link", name="Asignar contraseña").click()
    page.get_by_label("Nueva contraseña").fill(CONSUMER_PASSWORD)
    page.get_by_label("Confirmar contraseña").fill(CONSUMER_PASSWORD + " otra")
    page.get_by_role("button", name="Asignar", exact=True).click()
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading", name="Hay un problema")).to_be_visible()
    summary.get_by_role("link").first.click()
    assert page.evaluate("() => document.activeElement.id") == "passwordConfirmation"
    check(page)
    page.get_by_label("Nueva contraseña").fill(CONSUMER_PASSWORD)
    page.get_by_label("Confirmar contraseña").fill(CONSUMER_PASSWORD)
    page.get_by_label("Dejar sin efecto de inmediato la contraseña anterior").check()
    page.get_by_role("button", name="Asignar", exact=True).click()
    expect(page.get_by_role("heading", name="Contraseña asignada")).to_be_visible()
    expect(page.get_by_text("dejaron de funcionar")).to_be_visible()
    check(page)
    with httpx.Client(timeout=journeys.HTTP_TIMEOUT) as direct:  # what the CCF's systems now do with it
        token = direct.post(
            world["api_url"] + "/oauth2/token",
            data={"grant_type": "client_credentials"},
            auth=(client_id, CONSUMER_PASSWORD),
        )
    assert token.status_code == 200, token.text
    page.get_by_role("link", name="Volver al menú").click()

    # Compartir Servicios Entidad: the service (an error first), then its OAuth 2.0 credentials
    page.get_by_role("link", name="Compartir Servicios Entidad").click()
    expect(page.get_by_role("heading", name="Compartir Servicios Entidad")).to_be_visible()
    check(page)
    page.get_by_label("Nombre del servicio").fill("Notificaciones Caja")  # a space is not allowed
    page.get_by_label("Descripción del servicio").fill("Recepción de notificaciones de trámites del SAT")
    page.get_by_label("URL del servicio").fill("http://127.0.0.1:9/sat/notificaciones")
    page.get_by_label("Tipo de Operación").select_option("POST")
    page.get_by_label("Llave pública").fill(_public_key_pem())
    page.get_by_label("Ejemplo del servicio").fill('{"numero_transaccion": "20260315000123"}')
    page.get_by_role("button", name="Guardar servicio").click()
    expect(page.get_by_role("alert").get_by_role("link", name=re.compile("."))).to_have_count(1)
    expect(page.get_by_label("Nombre del servicio")).to_have_attribute("aria-invalid", "true")
    check(page)
    page.get_by_label("Nombre del servicio").fill("NotificacionesCaja")
    page.get_by_role("button", name="Guardar servicio").click()
    expect(page.get_by_role("heading", name="NotificacionesCaja")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("quedaron guardados")
    edit_url = page.url
    check(page)

    # the same service submitted again (a second click, or the form reopened): the API's 409 as a message,
    # and no duplicate
    page.get_by_role("link", name="Volver a Compartir Servicios Entidad").click()
    expect(page.get_by_label("Nombre del servicio")).to_be_visible()
    page.get_by_label("Nombre del servicio").fill("NotificacionesCaja")
    page.get_by_label("Descripción del servicio").fill("Recepción de notificaciones de trámites del SAT")
    page.get_by_label("URL del servicio").fill("http://127.0.0.1:9/sat/notificaciones")
    page.get_by_label("Tipo de Operación").select_option("POST")
    page.get_by_role("button", name="Guardar servicio").click()
    expect(page.get_by_role("alert")).to_contain_text("NotificacionesCaja")
    expect(page.get_by_role("table").get_by_role("link", name=re.compile("NotificacionesCaja"))).to_have_count(1)
    page.goto(edit_url)

    page.get_by_label("Nombre del Token").fill("Servidor de token de la caja")
    page.get_by_label("URL del token").fill(UNREACHABLE_TOKEN_URL)
    page.get_by_label("Username (opcional)", exact=True).fill("sat-ministerio")
    page.get_by_label("Password (opcional)", exact=True).fill("la clave del usuario del ministerio")
    page.get_by_label("ClientID", exact=True).fill("mi-seguridad-social")
    page.get_by_label("Client Secret", exact=True).fill("el secreto del cliente oauth de prueba")
    page.get_by_label("Scope (opcional)", exact=True).fill("sat.notificaciones")
    page.get_by_role("button", name="Aceptar", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("credenciales OAuth 2.0 quedaron guardadas")
    # secrets are never shown back: only that they are stored
    expect(page.get_by_label("Password (opcional)", exact=True)).to_have_value("")
    expect(page.get_by_label("Client Secret", exact=True)).to_have_value("")
    expect(page.get_by_text("Guardada. Deje el campo en blanco para conservarla.")).to_be_visible()
    assert "el secreto del cliente" not in page.content()
    check(page)

    # the connection test against a token URL nobody answers: its failure and detail
    page.get_by_role("button", name="Probar conexión").click()
    result = page.locator("#prueba-de-conexion + [role=status]")
    expect(result).to_contain_text("La conexión falló")
    assert len(result.inner_text().strip()) > len("La conexión falló") + 10
    check(page)
    page.context.close()


def test_the_consumer_password_form_works_without_javascript(browser: Any, world: dict[str, Any]) -> None:
    portal_url = world["portal_url"]
    page = new_page(browser, java_script_enabled=False)
    sign_in_as_the_ccf(page, portal_url)
    page.goto(f"{portal_url}/ccfs/servicios")  # "Comenzar": the CCF of the chosen role
    accept = page.get_by_role("button", name="Acepto", exact=True)
    if accept.count():  # run alone: this module's first test did not accept them
        accept.click()
    expect(page.get_by_role("heading", name="Administración de servicios web externos")).to_be_visible()
    page.get_by_role("link", name="Asignar contraseña").click()
    page.get_by_role("button", name="Asignar", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Escriba la nueva contraseña")
    page.get_by_label("Nueva contraseña").fill(CONSUMER_PASSWORD + " sin javascript")
    page.get_by_label("Confirmar contraseña").fill(CONSUMER_PASSWORD + " sin javascript")
    page.get_by_role("button", name="Asignar", exact=True).click()
    expect(page.get_by_role("heading", name="Contraseña asignada")).to_be_visible()
    expect(page.get_by_text("periodo de transición")).to_be_visible()
    page.context.close()


def test_another_ccf_and_bad_ids_are_not_found(browser: Any, world: dict[str, Any]) -> None:
    portal_url = world["portal_url"]
    page = new_page(browser)
    sign_in_as_the_ccf(page, portal_url)
    other = [c["nit"] for c in FREE["companies"] if c["isCcf"]][2]
    page.goto(f"{portal_url}/ccfs/{other}/servicios")  # not authorized for it: the API's 404
    expect(page.get_by_role("link", name="Ir a Mi lista de roles")).to_be_visible()
    check(page)
    for path in ("informacion/..%2Fadmin", "documentacion/NO_ES_UN_ID", "compartir/123"):
        answer = page.request.get(f"{portal_url}/ccfs/{NIT}/servicios/{path}")
        assert answer.status == 404, path
    answer = page.request.post(f"{portal_url}/ccfs/{NIT}/servicios/contrasena", form={"password": "x"})
    assert answer.status == 403  # no form token
    page.context.close()
