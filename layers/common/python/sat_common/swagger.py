"""Swagger UI page with its assets inlined (Powertools ships them): no CDN, works offline."""

from functools import cache
from importlib import resources

from aws_lambda_powertools.event_handler.openapi.swagger_ui.html import generate_swagger_html

_ASSETS = "aws_lambda_powertools.event_handler.openapi.swagger_ui"


@cache
def _assets() -> tuple[str, str]:
    folder = resources.files(_ASSETS)
    return (
        folder.joinpath("swagger-ui-bundle.min.js").read_text(encoding="utf-8"),
        folder.joinpath("swagger-ui.min.css").read_text(encoding="utf-8"),
    )


def swagger_page(openapi_json: str) -> str:
    script, style = _assets()
    # The document is inlined in a <script>: keep "</" from closing it early.
    spec = openapi_json.replace("</", "<\\/")
    return generate_swagger_html(spec, script, style, swagger_base_url="", oauth2_config=None)
