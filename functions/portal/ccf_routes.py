"""The paths under /ccfs/ (product.md "The portal": /ccfs/{nit}/servicios), which carry ids and so are matched
here rather than in handler.ROUTES. Every id is checked against the API's own pattern before it goes into an
API path; anything else is the 404 page. Every page needs a signed-in person; every POST its form token."""

from __future__ import annotations

from collections.abc import Callable

from portal import ccf_catalog, ccf_deliveries, ccf_keys, ccf_sharing, ccf_terms, public_pages
from portal.ccf_common import NIT, NUMERO, SERVICE_ID, SHARED_SERVICE_ID
from portal.context import Page
from portal.sign_in import require_signed_in
from portal.web import Response

START = "/ccfs/servicios"  # the home page's "Comenzar": the CCF comes from the role chosen in /mis-roles


def route(page: Page) -> Response:
    method = "GET" if page.request.method == "HEAD" else page.request.method
    path = page.request.path.rstrip("/")
    if method == "POST":
        page.check_csrf(page.request.form())
    if (gone := require_signed_in(page)) is not None:
        return gone
    if path == START and method == "GET":
        return ccf_catalog.start(page)
    parts = path.split("/")[1:]  # ccfs, nit, servicios, ...
    if len(parts) < 3 or parts[0] != "ccfs" or not NIT.match(parts[1]) or parts[2] != "servicios":
        return public_pages.not_found(page)
    handler = _handler(method, parts[1], parts[3:])
    return handler(page) if handler else public_pages.not_found(page)


def _handler(method: str, nit: str, rest: list[str]) -> Callable[[Page], Response] | None:
    if method == "GET":
        match rest:
            case []:
                return lambda page: ccf_catalog.home(page, nit)
            case ["informacion", service_id] if SERVICE_ID.match(service_id):
                return lambda page: ccf_catalog.info(page, nit, service_id)
            case ["documentacion", service_id] if SERVICE_ID.match(service_id):
                return lambda page: ccf_catalog.documentation(page, nit, service_id)
            case ["contrasena"]:
                return lambda page: ccf_catalog.show_password(page, nit)
            case ["compartir"]:
                return lambda page: ccf_sharing.list_page(page, nit)
            case ["compartir", shared_id] if SHARED_SERVICE_ID.match(shared_id):
                return lambda page: ccf_sharing.edit_page(page, nit, shared_id)
            case ["compartir", shared_id, "llaves"] if SHARED_SERVICE_ID.match(shared_id):  # decision 0102
                return lambda page: ccf_keys.keys_page(page, nit, shared_id)
            case ["compartir", shared_id, "llaves", kid, "quitar"] if SHARED_SERVICE_ID.match(shared_id) and (
                ccf_keys.KID.match(kid)
            ):
                return lambda page: ccf_keys.confirm_remove(page, nit, shared_id, kid)
            case ["tramites"]:  # "Trámites y entregas" (decision 0107)
                return lambda page: ccf_deliveries.list_page(page, nit)
            case ["tramites", numero] if NUMERO.match(numero):
                return lambda page: ccf_deliveries.detail_page(page, nit, numero)
    if method == "POST":
        match rest:
            case ["condiciones"]:
                return lambda page: ccf_terms.decide(page, nit)
            case ["contrasena"]:
                return lambda page: ccf_catalog.set_password(page, nit)
            case ["compartir"]:
                return lambda page: ccf_sharing.create(page, nit)
            case ["compartir", shared_id] if SHARED_SERVICE_ID.match(shared_id):
                return lambda page: ccf_sharing.update(page, nit, shared_id)
            case ["compartir", shared_id, "oauth"] if SHARED_SERVICE_ID.match(shared_id):
                return lambda page: ccf_sharing.save_oauth(page, nit, shared_id)
            case ["compartir", shared_id, "verificacion"] if SHARED_SERVICE_ID.match(shared_id):
                return lambda page: ccf_sharing.verify(page, nit, shared_id)
            case ["compartir", shared_id, "notificacion-prueba"] if SHARED_SERVICE_ID.match(shared_id):
                return lambda page: ccf_deliveries.send_test(page, nit, shared_id)
            case ["compartir", shared_id, "llaves"] if SHARED_SERVICE_ID.match(shared_id):
                return lambda page: ccf_keys.add(page, nit, shared_id)
            case ["compartir", shared_id, "llaves", kid, "quitar"] if SHARED_SERVICE_ID.match(shared_id) and (
                ccf_keys.KID.match(kid)
            ):
                return lambda page: ccf_keys.remove(page, nit, shared_id, kid)
            case ["tramites", numero, "entregar"] if NUMERO.match(numero):
                return lambda page: ccf_deliveries.redeliver(page, nit, numero)
    return None
