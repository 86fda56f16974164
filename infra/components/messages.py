"""The Spanish texts of the errors API Gateway answers itself, read from the functions' own messages file
(layers/common/python/sat_common/messages/problems.json), so one edit changes the functions' and the gateway's."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from infra.config import REPO_ROOT

PROBLEMS_FILE = REPO_ROOT / "layers" / "common" / "python" / "sat_common" / "messages" / "problems.json"
GATEWAY = "gateway"  # an entry's variant for API Gateway: no placeholders, no field list
PORTAL_PAGE = "portalPage"  # an entry's variant for the portal's gateway error page (decision 0088)


@cache
def _entries() -> dict[str, dict[str, Any]]:
    data = json.loads(PROBLEMS_FILE.read_text(encoding="utf-8"))
    return {
        code: entry
        for section, items in data.items()
        if not section.startswith("$")
        for code, entry in items.items()
        if not code.startswith("$")
    }


def gateway_problem(code: str, lang: str = "es") -> tuple[str, str, str]:
    """(code, title, detail) as API Gateway answers it: the entry's `gateway` variant over its own texts."""
    entry = _entries()[code]
    texts = {**entry[lang], **entry.get(GATEWAY, {}).get(lang, {})}
    return code, texts["title"], texts["detail"]


def portal_page(code: str) -> tuple[str, str]:
    """(title, text) of the portal's error page for a problem code."""
    page = _entries()[code][PORTAL_PAGE]["es"]
    return page["title"], page["text"]
