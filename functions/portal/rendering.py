"""Jinja2 templates and the static assets with content-hashed names (cached for a year, immutable)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from sat_common.colombian_time import colombian_time

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
ASSET_TYPES = {".css": "text/css; charset=utf-8", ".woff2": "font/woff2"}
IMMUTABLE = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Asset:
    name: str  # versioned: portal.3f2a9c1b.css
    content: bytes
    content_type: str


def _versioned(name: str, content: bytes) -> str:
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.{hashlib.sha256(content).hexdigest()[:12]}{dot}{ext}"


def _load_assets() -> tuple[dict[str, Asset], dict[str, str]]:
    """Fonts first, then the stylesheet with its font URLs rewritten to their versioned names."""
    by_name: dict[str, Asset] = {}
    urls: dict[str, str] = {}
    for path in sorted((STATIC_DIR / "fonts").glob("*.woff2")):
        content = path.read_bytes()
        asset = Asset(_versioned(path.name, content), content, ASSET_TYPES[".woff2"])
        by_name[asset.name] = asset
        urls[f"fonts/{path.name}"] = f"/static/{asset.name}"
    text = (STATIC_DIR / "portal.css").read_text(encoding="utf-8")
    css = re.sub(r'url\("(fonts/[^"]+)"\)', lambda m: f'url("{urls[m.group(1)]}")', text).encode()
    asset = Asset(_versioned("portal.css", css), css, ASSET_TYPES[".css"])
    by_name[asset.name] = asset
    urls["portal.css"] = f"/static/{asset.name}"
    return by_name, urls


ASSETS, ASSET_URLS = _load_assets()

_ENV = Environment(
    loader=FileSystemLoader(str(HERE / "templates")),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.globals["static_url"] = lambda name: ASSET_URLS[name]
# A time from the API as people read it, "21/11/2026 10:00 a. m. (hora de Colombia)" (decision 0008).
_ENV.filters["colombian_time"] = colombian_time


def render(template: str, **context: Any) -> str:
    context.setdefault("errors", [])
    context.setdefault("field_errors", {})
    context.setdefault("values", {})
    return _ENV.get_template(template).render(**context)
