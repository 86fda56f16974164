"""Every link of every e-mail template opens a portal page (issue "The portal"; manual §5 and §6 send people
from their e-mails to the portal).

Two halves, so that adding a template, or changing the link a function builds, to a path the portal does not
serve fails here:
- the code: every portal link a function (or `ops`) builds under `PORTAL_BASE_URL` matches a GET route of
  `functions/portal/handler.py`;
- the templates: each template (HTML and text parts) is rendered with realistic data (its `enlace` as its
  sender builds it; the welcome e-mail's is a real one from the local mailbox), every link is opened against the
  local runtime's portal and must end, following the portal's own redirects, on a 200 page: the link's page, or
  /ingreso when the page needs a session. Never a 404.
People: FREE[-90] of browser_support's CC pool, which no other module uses."""

from __future__ import annotations

import html
import re
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from browser_support import FREE
from portal import handler

from infra.components.email import TEMPLATE_KEYS, read_template
from local import journeys

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"{{\s*([A-Za-z][A-Za-z0-9]*)\s*}}")
HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
URL = re.compile(r"https?://[^\s<>\"']+")
SEED = journeys.seed()["scenarios"]["free"]["companies"]
CCF_NIT = next(c["nit"] for c in SEED if c["isCcf"])
EMPLOYER_NIT = next(c["nit"] for c in SEED if not c["isCcf"])
# a token as the API makes them (opaque, URL-safe); the page must answer before it checks anything
SAMPLE_TOKEN = "Hq3xZ0pV8sWm2LrT9bNc4KfYd6Ge1JuA7oRiEvXy5Ql"
PORTAL = "https://portal.example.gov.co"  # replaced by the runtime's portal_url when the link is opened

# The links each template's sender builds, one per kind of recipient (functions/registration/notices.py,
# functions/delegation/employers.py, rut.py, authorizations.py, functions/catalog/ccf.py, functions/share/notices.py,
# functions/notifications/notices.py, ops/ministry_admin.py). A new template with a link needs its entry here: the
# tests below fail until it has one.
CCF_SERVICES = f"{PORTAL}/ccfs/{CCF_NIT}/servicios"
TRAMITE = "1000000001"
LINKS: dict[str, tuple[str, ...]] = {
    "welcome": (f"{PORTAL}/asignar-contrasena?token={SAMPLE_TOKEN}",),
    "password-reset": (f"{PORTAL}/asignar-contrasena?token={SAMPLE_TOKEN}",),
    "operator-invitation": (f"{PORTAL}/asignar-contrasena?token={SAMPLE_TOKEN}",),
    "email-change": (f"{PORTAL}/mi-informacion?confirmarCorreo={SAMPLE_TOKEN}",),
    "delegate-invitation": (f"{PORTAL}/registro",),
    "employer-confirmation": (f"{PORTAL}/empleadores/{EMPLOYER_NIT}",),
    "rut-review-result": (f"{PORTAL}/empleadores/{EMPLOYER_NIT}",),
    "authorization-notice": (f"{PORTAL}/ingreso", f"{PORTAL}/registro"),  # registered or not yet
    "consumer-password-changed": (CCF_SERVICES,),
    "shared-service-changed": (CCF_SERVICES,),
    "authorization-revoked": (CCF_SERVICES,),
    # the CCF's authorized persons, and the Ministry's operators (the trámite's page, or the list)
    "notification-failed": (CCF_SERVICES, f"{PORTAL}/ministerio/tramites/{TRAMITE}"),
    "notification-endpoint-disabled": (CCF_SERVICES, f"{PORTAL}/ministerio/tramites"),
    "notification-service-missing": (CCF_SERVICES, f"{PORTAL}/ministerio/tramites/{TRAMITE}"),
}
# Realistic values of the other data keys (infra/email_templates/README.md)
VALUES: dict[str, str] = {
    "nombre": "Ana María Gómez",
    "razonSocial": "CAJA DE COMPENSACION FAMILIAR DEL EJEMPLO",
    "nit": CCF_NIT,
    "rol": "CAJA DE SUBSIDIO FAMILIAR",
    "perfil": "Autorizado para administrar servicios web externos",
    "fecha": "21/11/2026 10:00 a. m. (hora de Colombia)",
    "bloqueadoHasta": "22/11/2026 10:00 a. m. (hora de Colombia)",
    "correo": "a***@example.com",
    "transicion": "La contraseña anterior seguirá funcionando durante 24 horas.",
    "resultado": "APROBADO",
    "motivo": "-",
    "caja": "CAJA DE COMPENSACION FAMILIAR DEL EJEMPLO",
    "numeroTransaccion": "1000000001",
    "fechaEfectiva": "01/12/2026",
    "radicado": "RAD-2026-0001",
    "servicio": "SERVICIO SOLICITUD AFILIACION",
    "cambios": "URL del servicio",
    "persona": "Carlos Pérez",
    "intentos": "8",
}
# Where a function builds a portal link: `{settings.portal_base_url}/path`, `portal_base_url + "/path"`,
# `{portal}/path` (ops); the `{expression}` parts of the path are NITs in every sender today.
SENDERS = sorted([*(REPO / "functions").rglob("*.py"), *(REPO / "ops").glob("*.py")])
BUILT_LINK = re.compile(r"""(?:portal_base_url\}?|\{portal\})\s*(?:\+\s*\(?\s*)?["']?(/[^"'?#<>;\s]*)""")
EXPRESSION = re.compile(r"/\{[^{}]*\}")
ALSO_BUILT = re.compile(r"""portal_base_url\s*\+\s*\(.*?["'](/[^"']*)["'].*?else\s*["'](/[^"']*)["']""")


def render(template: str, data: dict[str, str], escape: bool) -> str:
    """SES (Handlebars) `{{key}}`; a key the data lacks fails, as SES drops such a message."""

    def value(match: re.Match[str]) -> str:
        found = data[match.group(1)]
        return html.escape(found) if escape else found

    return PLACEHOLDER.sub(value, template)


def links_of(key: str, data: dict[str, str]) -> set[str]:
    _, html_part, text_part = read_template(key)
    rendered_html = render(html_part, data, escape=True)
    found = {html.unescape(href) for href in HREF.findall(rendered_html)}
    found |= {html.unescape(url) for url in URL.findall(rendered_html)}
    found |= {url.rstrip(".,;:)") for url in URL.findall(render(text_part, data, escape=False))}
    return {link for link in found if not link.startswith("mailto:")}


def template_links(key: str, enlaces: tuple[str, ...] | None = None) -> set[str]:
    """The links of the template rendered for each kind of recipient (each `enlace` its sender builds)."""
    _, html_part, text_part = read_template(key)
    if "enlace" not in PLACEHOLDER.findall(html_part + text_part):
        return links_of(key, VALUES)
    assert key in LINKS, f"{key}: add the links its sender builds to LINKS"
    return set().union(*(links_of(key, {**VALUES, "enlace": enlace}) for enlace in enlaces or LINKS[key]))


def served(path: str) -> bool:
    return ("GET", path) in handler.ROUTES or handler._by_pattern("GET", path) is not None


def built_paths() -> dict[str, set[str]]:
    paths: dict[str, set[str]] = {}
    for source in SENDERS:
        for line in source.read_text(encoding="utf-8").splitlines():
            line = EXPRESSION.sub("/" + CCF_NIT, line)
            found = set(BUILT_LINK.findall(line))
            for pair in ALSO_BUILT.findall(line):
                found |= set(pair)
            for path in found:
                paths.setdefault(path, set()).add(source.relative_to(REPO).as_posix())
    return paths


def test_every_portal_link_a_sender_builds_is_a_portal_page() -> None:
    paths = built_paths()
    # the senders known today: a regular expression that stopped finding them would make this test empty
    assert {"/asignar-contrasena", "/mi-informacion", "/registro", "/ingreso"} <= set(paths), paths
    assert f"/empleadores/{CCF_NIT}" in paths and f"/ccfs/{CCF_NIT}/servicios" in paths, paths
    missing = {path: sources for path, sources in paths.items() if not served(path)}
    assert missing == {}, f"links built to paths the portal does not serve: {missing}"


def test_every_template_link_is_a_link_its_sender_builds() -> None:
    built = set(built_paths())
    for key in TEMPLATE_KEYS:
        for link in template_links(key):
            assert link.startswith(PORTAL + "/"), f"{key}: {link} is not under PORTAL_BASE_URL"
            path = urlsplit(link).path
            assert served(path), f"{key}: the portal serves no page at {path}"
            # a sender may add a trámite number to a path it builds (functions/notifications/notices.py)
            base = path.replace(EMPLOYER_NIT, CCF_NIT).removesuffix(f"/{TRAMITE}")
            assert base in built, f"{key}: no sender builds {path}"


def test_a_template_linking_elsewhere_would_fail() -> None:
    """The checks above are not vacuous: a path the portal does not serve, or a link outside the portal."""
    assert not served("/definir-clave") and not served(f"/ccfs/{CCF_NIT}/contrasena")
    assert served(f"/ccfs/{CCF_NIT}/servicios/contrasena") and served("/asignar-contrasena")
    assert template_links("welcome", (f"{PORTAL}/definir-clave?token=x",)) == {f"{PORTAL}/definir-clave?token=x"}


def open_link(portal_url: str, link: str) -> list[tuple[int, str]]:
    """GET the link's path (and query) on the runtime's portal, following the portal's redirects and a 401 page
    whose only way on is "Ingresar" (the e-mail change link in a signed-out browser, decision 0076); returns the
    (status, path) of each answer."""
    parts = urlsplit(link)
    url = f"{portal_url}{parts.path}" + (f"?{parts.query}" if parts.query else "")
    hops: list[tuple[int, str]] = []
    cookies: dict[str, str] = {}  # kept by hand: httpx sends no Secure (__Host-) cookie over http, a browser does
    with httpx.Client(timeout=journeys.HTTP_TIMEOUT, headers={"User-Agent": "sat-ccf-tests"}) as client:
        for _ in range(5):
            jar = "; ".join(f"{name}={value}" for name, value in cookies.items())
            answer = client.get(url, headers={"Cookie": jar} if jar else {})
            for header in answer.headers.get_list("set-cookie"):
                parsed = SimpleCookie(header)
                cookies.update({name: morsel.value for name, morsel in parsed.items()})
            hops.append((answer.status_code, urlsplit(url).path))
            if answer.status_code == 401 and 'href="/ingreso"' in answer.text:
                url = f"{portal_url}/ingreso"  # "Ingrese ...": the page itself sends to Ingreso, as a redirect would
                continue
            if answer.status_code not in (301, 302, 303, 307, 308):
                assert "Página no encontrada" not in answer.text, f"{link}: {hops}"
                return hops
            url = urljoin(url, answer.headers["location"])
            assert url.startswith(portal_url), f"{link} leaves the portal: {url}"
    pytest.fail(f"{link}: too many redirects {hops}")


@pytest.fixture(scope="module")
def real_welcome_link(local_runtime: dict[str, Any]) -> str:
    someone = journeys.person(FREE[-90])
    with httpx.Client(base_url=local_runtime["api_url"], timeout=journeys.HTTP_TIMEOUT) as api:
        return journeys.welcome_link(api, journeys.Mailbox(local_runtime["mailbox_url"]), someone)


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_each_link_of_the_template_opens_a_portal_page(
    key: str, local_runtime: dict[str, Any], real_welcome_link: str
) -> None:
    portal_url = str(local_runtime["portal_url"]).rstrip("/")
    enlaces = None
    if key == "welcome":  # the e-mail the local runtime really sent, under whatever portal URL it names
        parts = urlsplit(real_welcome_link)
        enlaces = (f"{PORTAL}{parts.path}?{parts.query}",)
    for link in template_links(key, enlaces):
        hops = open_link(portal_url, link)
        status, final = hops[-1]
        assert status == 200, f"{key}: {link} ended with {hops}"
        assert final in (urlsplit(link).path, "/ingreso"), f"{key}: {link} ended on another page: {hops}"
