"""Entry point of the portal function: the routes of the pages; the work is in the page modules."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from portal import (
    authorized_persons,
    ccf_routes,
    employers,
    forgotten_password,
    guide,
    ministry_audit,
    ministry_ccfs,
    ministry_help_desk,
    ministry_home,
    ministry_operators,
    ministry_rut,
    ministry_services,
    ministry_tramites,
    my_information,
    password_setup,
    public_pages,
    registration,
    roles,
    sign_in,
)
from portal.api_client import ApiUnavailable
from portal.config import deps
from portal.context import Page
from portal.csrf import CsrfRejected
from portal.web import SESSION_COOKIE, Request, Response

logger = logging.getLogger("portal")
logger.setLevel(logging.INFO)

PageHandler = Callable[[Page], Response]
ROUTES: dict[tuple[str, str], PageHandler] = {
    ("GET", "/"): public_pages.home,
    ("GET", "/ayuda"): public_pages.help_page,
    ("GET", guide.PATH): guide.show,  # the manual's Anexo 1 (decision 0109)
    ("GET", "/ingreso"): sign_in.show,
    ("POST", "/ingreso"): sign_in.submit,
    ("GET", "/ingreso/verificacion"): sign_in.show_code,
    ("POST", "/ingreso/verificacion"): sign_in.submit_code,
    ("POST", "/salir"): sign_in.sign_out,
    ("GET", "/mis-roles"): roles.show,
    ("POST", "/mis-roles"): roles.choose,
    ("GET", "/registro"): registration.show,
    ("POST", "/registro"): registration.submit,
    ("GET", "/asignar-contrasena"): password_setup.show,
    ("POST", "/asignar-contrasena"): password_setup.submit,
    ("GET", "/olvide-contrasena"): forgotten_password.show,
    ("POST", "/olvide-contrasena"): forgotten_password.submit,
    ("GET", "/mi-informacion"): my_information.show,
    ("POST", "/mi-informacion"): my_information.submit,
    ("GET", "/empleadores/autorizados"): authorized_persons.start,
    ("GET", "/empleadores/nuevo"): employers.show_new,
    ("POST", "/empleadores/nuevo"): employers.submit_new,
    ("GET", ccf_routes.START): ccf_routes.route,
    # the Ministry's back office, part 1 (decision 0096): home, RUT review, CCFs, service catalog
    ("GET", "/ministerio"): ministry_home.show,
    ("GET", "/ministerio/rut"): ministry_rut.show_queue,
    ("GET", "/ministerio/ccfs"): ministry_ccfs.show_list,
    ("POST", "/ministerio/ccfs"): ministry_ccfs.submit_activation,
    ("GET", "/ministerio/servicios"): ministry_services.show_list,
    ("GET", "/ministerio/servicios/nuevo"): ministry_services.show_new,
    ("POST", "/ministerio/servicios/nuevo"): ministry_services.submit_new,
    # the Ministry's back office, part 2 (decision 0097): trámites, audit, operators, help desk
    ("GET", "/ministerio/tramites"): ministry_tramites.show_list,
    ("POST", "/ministerio/tramites/reintentar"): ministry_tramites.redrive_failed,
    ("GET", "/ministerio/auditoria"): ministry_audit.show,
    ("POST", "/ministerio/auditoria"): ministry_audit.search,
    ("POST", "/ministerio/auditoria/csv"): ministry_audit.export_csv,
    ("GET", "/ministerio/operadores"): ministry_operators.show_list,
    ("POST", "/ministerio/operadores/pagina"): ministry_operators.next_list_page,
    ("GET", "/ministerio/operadores/nuevo"): ministry_operators.show_new,
    ("POST", "/ministerio/operadores/nuevo"): ministry_operators.submit_new,
    ("POST", "/ministerio/operadores/modificar"): ministry_operators.edit,
    ("GET", "/ministerio/mesa-de-ayuda"): ministry_help_desk.show,
    ("POST", "/ministerio/mesa-de-ayuda"): ministry_help_desk.unlock,
}
# Pages whose path carries a value (a company's NIT, an id): the page module reads it from request.path.
PATTERN_ROUTES: list[tuple[str, re.Pattern[str], PageHandler]] = [
    # the guide's sample files, by the names guide.samples() lists (decision 0109)
    ("GET", re.compile(re.escape(guide.SAMPLES_PATH) + r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+){0,3}"), guide.show_sample),
    ("GET", re.compile(r"/empleadores/[0-9]{9}/autorizados"), authorized_persons.show_list),
    ("GET", re.compile(r"/empleadores/[0-9]{9}/autorizados/nuevo"), authorized_persons.show_new),
    ("POST", re.compile(r"/empleadores/[0-9]{9}/autorizados/nuevo"), authorized_persons.submit_new),
    ("GET", re.compile(r"/empleadores/[0-9]{9}/autorizados/[0-9A-Z]{26}/revocar"), authorized_persons.show_revoke),
    ("POST", re.compile(r"/empleadores/[0-9]{9}/autorizados/[0-9A-Z]{26}/revocar"), authorized_persons.submit_revoke),
    # manual §5 "Registrar rol empleador persona jurídica" and "Actualizar datos" (employers.py)
    ("GET", re.compile(r"/empleadores/[0-9]{9}"), employers.show_company),
    ("POST", re.compile(r"/empleadores/[0-9]{9}"), employers.submit_update),
    ("POST", re.compile(r"/empleadores/[0-9]{9}/confirmacion"), employers.submit_confirmation),
    ("POST", re.compile(r"/empleadores/[0-9]{9}/rut"), employers.submit_rut),
    ("GET", re.compile(r"/empleadores/[0-9]{9}/delegado"), employers.show_delegate),
    ("POST", re.compile(r"/empleadores/[0-9]{9}/delegado"), employers.submit_delegate),
    ("GET", re.compile(r"/empleadores/[0-9]{9}/sede"), employers.show_headquarters),
    ("POST", re.compile(r"/empleadores/[0-9]{9}/sede"), employers.submit_headquarters),
    # manual §6: ccf_routes matches the rest of the path (service and shared-service ids, a key's kid) itself
    ("GET", re.compile(r"/ccfs/[0-9]{9}/servicios(/[^/]+){0,5}"), ccf_routes.route),
    ("POST", re.compile(r"/ccfs/[0-9]{9}/servicios(/[^/]+){0,5}"), ccf_routes.route),
    # the back office, part 1 (decision 0096): a company's RUT, a CCF, a catalog service
    ("GET", re.compile(r"/ministerio/rut/[0-9]{9}"), ministry_rut.show_company),
    ("POST", re.compile(r"/ministerio/rut/[0-9]{9}/decision"), ministry_rut.submit_decision),
    ("GET", re.compile(r"/ministerio/ccfs/[0-9]{9}"), ministry_ccfs.show_ccf),
    ("POST", re.compile(r"/ministerio/ccfs/[0-9]{9}/servicios"), ministry_ccfs.submit_assignment),
    ("GET", ministry_ccfs.REVOCATION, ministry_ccfs.show_revocation),
    ("POST", ministry_ccfs.REVOCATION, ministry_ccfs.submit_revocation),
    ("GET", re.compile(r"/ministerio/ccfs/[0-9]{9}/estado"), ministry_ccfs.show_state),
    ("POST", re.compile(r"/ministerio/ccfs/[0-9]{9}/estado"), ministry_ccfs.submit_state),
    ("POST", re.compile(r"/ministerio/servicios/[a-z0-9][a-z0-9-]{1,39}/estado"), ministry_services.submit_state),
    # a trámite of the back office (ministry_tramites.py): its number is the API's pattern
    ("GET", re.compile(r"/ministerio/tramites/[0-9]{1,20}"), ministry_tramites.show_detail),
    ("POST", re.compile(r"/ministerio/tramites/[0-9]{1,20}/reintentar"), ministry_tramites.redrive),
]
STATIC_PREFIX = "/static/"


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request = Request.from_event(event)
    path = request.path.rstrip("/") or "/"
    if request.method in ("GET", "HEAD") and path.startswith(STATIC_PREFIX):
        asset = public_pages.static(path[len(STATIC_PREFIX) :])
        if asset is not None:
            return asset.to_proxy()
    dependencies = deps()
    page = Page(request, dependencies, None, [])
    try:
        page.session = dependencies.store.load(request.cookie(SESSION_COOKIE))
        method = "GET" if request.method == "HEAD" else request.method
        handler = ROUTES.get((method, path)) or _by_pattern(method, path)
        response = handler(page) if handler else public_pages.not_found(page)
    except CsrfRejected:
        response = public_pages.forbidden(page)
    except ApiUnavailable as error:
        # the path only: queries may carry a token (the set-password link)
        logger.warning("API unavailable for %s %s: %s", request.method, path, error)
        response = public_pages.unavailable(page)
    return response.to_proxy()


def _by_pattern(method: str, path: str) -> PageHandler | None:
    return next((h for m, pattern, h in PATTERN_ROUTES if m == method and pattern.fullmatch(path)), None)
