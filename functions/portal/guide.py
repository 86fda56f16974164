"""/guia-servicios-web: the manual's Anexo 1 ("Documento Guía para consumo de servicios web"), public.

One source (decision 0109): docs/guia-servicios-web.md and the samples in examples/guide/ reach the function's
asset through the symlinks in portal/guia/ (the asset follows them at synth). The markdown is rendered once per
process with markdown-it-py (CommonMark + tables, raw HTML off): headings get ids and the h2s make the table of
contents; code blocks scroll sideways inside themselves (phones) and take the keyboard focus; links to the
samples point at /guia-servicios-web/ejemplos/..., other links into the repository become plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markupsafe import Markup

from portal.context import Page
from portal.public_pages import not_found
from portal.web import PAGE_HEADERS, Response

PATH = "/guia-servicios-web"
SAMPLES_PATH = f"{PATH}/ejemplos/"
SOURCE_DIR = Path(__file__).resolve().parent / "guia"
GUIDE_FILE = SOURCE_DIR / "guia-servicios-web.md"
SAMPLES_DIR = SOURCE_DIR / "ejemplos"
REPO_SAMPLES_PREFIX = "../examples/guide/"  # how the markdown (in docs/) links the samples
SAMPLE_TYPES = {".py", ".mjs", ".js", ".java", ".cs", ".php", ".md", ".txt", ".json", ".xml", ".csproj"}
SKIPPED_DIRS = {"node_modules", "__pycache__", "vendor", "bin", "obj", "target"}


@dataclass(frozen=True)
class Guide:
    title: str
    contents: list[dict[str, str]]  # the h2s: {"id", "text"}
    body: Markup


def slug(text: str) -> str:
    """GitHub's heading anchors (lowercase, letters/digits/spaces/hyphens kept, spaces as hyphens), so the
    markdown's own `#...` links work both on the repository and here."""
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


@cache
def samples() -> dict[str, Path]:
    """The sample files that may be served, by their path under examples/guide/ (the only names accepted)."""
    if not SAMPLES_DIR.is_dir():
        return {}
    found: dict[str, Path] = {}
    for path in sorted(SAMPLES_DIR.rglob("*")):
        relative = path.relative_to(SAMPLES_DIR)
        if path.is_file() and path.suffix in SAMPLE_TYPES and not SKIPPED_DIRS & set(relative.parts):
            found[relative.as_posix()] = path
    return found


def _text_of(inline: Any) -> str:
    return "".join(child.content for child in inline.children or [] if child.type in ("text", "code_inline"))


def _rewrite_links(inline: Any) -> None:
    """Samples: to the portal's copy. Other repository paths: plain text (the portal does not serve them)."""
    children = inline.children or []
    kept: list[Any] = []
    open_links: list[bool] = []  # per open link: whether it was kept
    for child in children:
        if child.type == "link_open":
            href = str(child.attrGet("href") or "")
            if href.startswith(REPO_SAMPLES_PREFIX) and href[len(REPO_SAMPLES_PREFIX) :] in samples():
                child.attrSet("href", SAMPLES_PATH + href[len(REPO_SAMPLES_PREFIX) :])
                open_links.append(True)
            else:
                open_links.append(href.startswith(("https://", "http://", "#", "/", "mailto:")))
            if open_links[-1]:
                kept.append(child)
        elif child.type == "link_close":
            if open_links.pop():
                kept.append(child)
        else:
            kept.append(child)
    inline.children = kept


def _fence(renderer: Any, tokens: list[Any], idx: int, options: Any, env: dict[str, Any]) -> str:
    token = tokens[idx]
    language = token.info.strip().split(" ")[0]
    label = f"Ejemplo en {language}" if language else "Ejemplo"
    css = f' class="language-{escapeHtml(language)}"' if language else ""
    # tabindex: a block wider than a phone scrolls inside itself and must be reachable by keyboard (WCAG 2.1.1)
    return (
        f'<pre class="codigo" tabindex="0" aria-label="{escapeHtml(label)}"><code{css}>'
        f"{escapeHtml(token.content)}</code></pre>\n"
    )


def _table_open(renderer: Any, tokens: list[Any], idx: int, options: Any, env: dict[str, Any]) -> str:
    env["tables"] = env.get("tables", 0) + 1
    label = f"Tabla {env['tables']}"
    return f'<div class="tabla-contenedor" role="region" aria-label="{label}" tabindex="0">\n<table>\n'


def _table_close(renderer: Any, tokens: list[Any], idx: int, options: Any, env: dict[str, Any]) -> str:
    return "</table>\n</div>\n"


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    md.add_render_rule("fence", _fence)
    md.add_render_rule("code_block", _fence)
    md.add_render_rule("table_open", _table_open)
    md.add_render_rule("table_close", _table_close)
    return md


@cache
def guide() -> Guide:
    md = _markdown()
    tokens = md.parse(GUIDE_FILE.read_text(encoding="utf-8"))
    title, contents = "", []
    for index, token in enumerate(tokens):
        if token.type == "inline":
            _rewrite_links(token)
        if token.type == "heading_open":
            text = _text_of(tokens[index + 1])
            token.attrSet("id", slug(text))
            if token.tag == "h2":
                contents.append({"id": slug(text), "text": text})
            elif token.tag == "h1" and not title:
                title = text
    # The page's own <h1> and table of contents come from the template: drop the markdown's first h1.
    first = next((i for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h1"), None)
    body = tokens if first is None else tokens[:first] + tokens[first + 3 :]
    html = md.renderer.render(body, md.options, {})
    return Guide(title=title, contents=contents, body=Markup(html))  # noqa: S704 - escaped by markdown-it, html off


def show(page: Page) -> Response:
    current = guide()
    return page.render("guide.html", title=current.title, guide=current)


def show_sample(page: Page) -> Response:
    """A sample file as plain text (what the guide links), so a CCF developer reading the portal can copy it."""
    path = samples().get(page.request.path[len(SAMPLES_PATH) :])
    if path is None:
        return not_found(page)
    headers = {**PAGE_HEADERS, "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "public, max-age=300"}
    return Response(status=200, body=path.read_text(encoding="utf-8"), headers=headers)
