"""/ (functionalities and "¿Qué está buscando?"), /ayuda, the static assets and the pages for errors."""

from __future__ import annotations

from portal.context import Page
from portal.functionalities import FUNCTIONALITIES, search
from portal.rendering import ASSETS, IMMUTABLE
from portal.web import Response

MAX_QUERY = 100


def home(page: Page) -> Response:
    query = page.request.query.get("q", "").strip()[:MAX_QUERY]
    return page.render(
        "home.html",
        title="Inicio",
        query=query,
        results=search(query) if query else [],
        functionalities=FUNCTIONALITIES,
    )


def help_page(page: Page) -> Response:
    return page.render("help.html", title="Ayuda", functionalities=FUNCTIONALITIES)


def static(name: str) -> Response | None:
    asset = ASSETS.get(name)
    if asset is None:
        return None
    return Response(
        status=200,
        body=asset.content,
        headers={
            "Content-Type": asset.content_type,
            "Cache-Control": IMMUTABLE,
            "X-Content-Type-Options": "nosniff",
        },
    )


def not_found(page: Page) -> Response:
    return page.message(
        404, "Página no encontrada", ["La página que busca no existe."], {"href": "/", "text": "Ir al inicio"}
    )


def forbidden(page: Page) -> Response:
    return page.message(
        403,
        "No se pudo procesar el formulario",
        [
            "El formulario venció o no se envió desde esta página. Vuelva a la página, recárguela y envíelo de nuevo.",
        ],
        {"href": "/", "text": "Ir al inicio"},
    )


def unavailable(page: Page) -> Response:
    return page.message(
        503,
        "Servicio no disponible",
        ["El servicio no está disponible en este momento. Intente de nuevo más tarde."],
        {"href": "/", "text": "Ir al inicio"},
    )
