"""Entry point of the portal function: the routes of the pages; the work is in the page modules."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from portal import password_setup, public_pages, registration, roles, sign_in
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
}
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
        handler = ROUTES.get(("GET" if request.method == "HEAD" else request.method, path))
        response = handler(page) if handler else public_pages.not_found(page)
    except CsrfRejected:
        response = public_pages.forbidden(page)
    except ApiUnavailable as error:
        # the path only: queries may carry a token (the set-password link)
        logger.warning("API unavailable for %s %s: %s", request.method, path, error)
        response = public_pages.unavailable(page)
    return response.to_proxy()
