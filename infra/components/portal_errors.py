"""The portal's gateway errors as pages (decision 0088): what API Gateway answers itself in front of the portal (a
WAF block, throttling, any other 4xx or 5xx it produces) is a small Spanish HTML page, not API Gateway's JSON.

A gateway response cannot load the portal's templates, so each page is self-contained: the GOV.CO bar, a heading,
what to do next, the help desk of manual §7 and the request's id. Its few lines of CSS are inline and allowed by a
CSP hash in a <meta> (a header value cannot carry the CSP's own quotes). The page has no `#` or `$` but the one
`$context.requestId`: gateway response bodies are Velocity templates.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from aws_cdk import aws_apigateway as apigw

from infra.components.messages import portal_page

# GOV.CO blue bar and the portal's dark blue (functions/portal/static/portal.css), as rgb(): no `#` for Velocity.
STYLE = (
    "body{margin:0;font-family:'Work Sans',Arial,sans-serif;color:rgb(27,27,27);line-height:1.5}"
    ".govco{background:rgb(51,102,204);color:rgb(255,255,255);padding:0.75rem 1rem;font-weight:700}"
    "main,footer div{max-width:60rem;margin:0 auto;padding:1.5rem 1rem}"
    "h1{color:rgb(0,72,132);font-size:2rem;line-height:1.2;margin:0 0 1rem}"
    "a{color:rgb(0,72,132)}a:focus{outline:3px solid rgb(255,191,71);box-shadow:0 0 0 6px rgb(27,27,27)}"
    "footer{background:rgb(0,72,132);color:rgb(255,255,255)}footer a{color:rgb(255,255,255)}"
    "footer h2{font-size:1.25rem;margin:0 0 0.5rem}p{max-width:42rem}"
)
STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
CSP = f"default-src 'none'; style-src 'sha256-{STYLE_HASH}'; base-uri 'none'; form-action 'none'"

PAGE = """<!DOCTYPE html>
<html lang="es">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<title>{title} – Mi Seguridad Social</title>
<style>{style}</style>
</head>
<body>
<header><div class="govco">GOV.CO</div></header>
<main>
<h1>{title}</h1>
<p>{text}</p>
<p><a href="/">Volver al inicio de Mi Seguridad Social</a></p>
<p>Código de la solicitud: $context.requestId</p>
</main>
<footer><div>
<h2>Mesa de ayuda</h2>
<p>Correo electrónico: <a href="mailto:miseguridadsocial@minsalud.gov.co">miseguridadsocial@minsalud.gov.co</a><br>
Teléfono en Bogotá: (57-1) 5893750 · Línea gratuita: 01 8000 96 00 20</p>
</div></footer>
</body>
</html>
"""


@dataclass(frozen=True)
class ErrorPage:
    response_type: apigw.ResponseType
    status: str | None  # None: DEFAULT_4XX / DEFAULT_5XX keep the status of the error underneath
    code: str  # the problem whose `portalPage` texts it shows (sat_common/messages/problems.json)

    @property
    def title(self) -> str:
        return portal_page(self.code)[0]

    @property
    def text(self) -> str:
        return portal_page(self.code)[1]


# The same problem codes as the API's own gateway responses (infra/components/api.py GATEWAY_RESPONSES).
ERROR_PAGES = (
    ErrorPage(apigw.ResponseType.WAF_FILTERED, "403", "REQUEST_BLOCKED"),
    ErrorPage(apigw.ResponseType.THROTTLED, "429", "TOO_MANY_REQUESTS"),
    ErrorPage(apigw.ResponseType.DEFAULT_4_XX, None, "VALIDATION_FAILED"),
    ErrorPage(apigw.ResponseType.DEFAULT_5_XX, None, "INTERNAL_ERROR"),
)

HEADERS = {
    "Content-Type": "'text/html; charset=utf-8'",
    "Cache-Control": "'no-store'",
    "X-Content-Type-Options": "'nosniff'",
    "Referrer-Policy": "'no-referrer'",
    "X-Frame-Options": "'DENY'",
}


def render(page: ErrorPage) -> str:
    return PAGE.format(csp=CSP, style=STYLE, title=page.title, text=page.text)


def add_error_pages(rest_api: apigw.RestApi) -> None:
    for page in ERROR_PAGES:
        rest_api.add_gateway_response(
            f"GatewayResponse{page.response_type.response_type}",
            type=page.response_type,
            status_code=page.status,
            response_headers=HEADERS,
            templates={"text/html": render(page)},
        )
