"""The guide page (/guia-servicios-web, the manual's Anexo 1) through the portal's entry point, without a session:
public, rendered from docs/guia-servicios-web.md with its table of contents and working anchors, and the sample
files it links served as text by their names only (decision 0109)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from portal import handler

REPO = Path(__file__).resolve().parents[2]
GUIDE_MD = REPO / "docs/guia-servicios-web.md"


@dataclass
class NoApi:
    """The guide needs no API call: any call fails the test."""

    def call(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the guide page called the API")


@dataclass
class NoSessions:
    created: list[str] = field(default_factory=list)

    def load(self, cookie_value: str | None) -> None:
        return None

    def create(self, **tokens: Any) -> Any:
        raise AssertionError("the guide page created a session")


@dataclass
class Deps:
    api: NoApi = field(default_factory=NoApi)
    store: NoSessions = field(default_factory=NoSessions)


@pytest.fixture(autouse=True)
def no_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handler, "deps", Deps)


def get(path: str) -> dict[str, Any]:
    event = {"httpMethod": "GET", "path": path, "headers": {}, "requestContext": {"identity": {"sourceIp": "1.2.3.4"}}}
    return handler.lambda_handler(event, None)


def test_the_guide_is_public_with_its_title_contents_and_working_anchors() -> None:
    answer = get("/guia-servicios-web")
    assert answer["statusCode"] == 200 and answer["headers"]["Content-Type"].startswith("text/html")
    assert "multiValueHeaders" not in answer  # no session cookie
    page = answer["body"]
    assert "<h1>Documento Guía para consumo de servicios web</h1>" in page
    headings = re.findall(r"^## (.+)$", GUIDE_MD.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert len(headings) >= 10
    contents = page[page.index('id="indice-titulo"') : page.index("</nav>", page.index('id="indice-titulo"'))]
    for heading in headings:
        assert f">{heading}</a></li>" in contents, heading
    ids = set(re.findall(r'id="([^"]+)"', page))
    for target in re.findall(r'href="#([^"]+)"', page):
        assert unquote(target) in ids, f"#{target} points nowhere"  # browsers decode the fragment
    assert 'href="../' not in page  # repository paths are not links in the portal


def test_code_blocks_scroll_inside_themselves_and_take_the_keyboard() -> None:
    page = get("/guia-servicios-web")["body"]
    blocks = re.findall(r"<pre[^>]*>", page)
    assert blocks and all('tabindex="0"' in block and 'class="codigo"' in block for block in blocks)
    assert "&lt;encabezado&gt;" in page or "&quot;" in page  # content escaped, never raw HTML


def test_the_samples_the_guide_links_are_served_as_text_by_name_only() -> None:
    page = get("/guia-servicios-web")["body"]
    links = set(re.findall(r'href="(/guia-servicios-web/ejemplos/[^"]+)"', page))
    assert "/guia-servicios-web/ejemplos/python/sat_ccf_client.py" in links
    assert "/guia-servicios-web/ejemplos/node/sat-ccf-client.mjs" in links
    for link in links:
        answer = get(link)
        source = REPO / "examples/guide" / link.removeprefix("/guia-servicios-web/ejemplos/")
        assert answer["statusCode"] == 200, link
        assert answer["headers"]["Content-Type"] == "text/plain; charset=utf-8"
        assert answer["body"] == source.read_text(encoding="utf-8")
    for unknown in ("/guia-servicios-web/ejemplos/python/otro.py", "/guia-servicios-web/ejemplos/../../README.md"):
        assert get(unknown)["statusCode"] == 404, unknown


def test_the_help_page_links_the_guide() -> None:
    assert 'href="/guia-servicios-web"' in get("/ayuda")["body"]
