"""Texts that end users read: Spanish by default, English when the request asks for it.

The messages live in data files, not here: sat_common/messages/problems.json (problem code -> language -> title and
detail, grouped by area; also read by the API Gateway's own responses in infra/components/api.py and the portal's
gateway error pages) and sat_common/messages/fields.json (pydantic error type or message key -> language ->
message). Add or edit texts there; this module loads both once at import.
"""

import json
import os
import string
from collections.abc import Mapping
from typing import Any

from sat_common.colombian_time import colombian_time

SPANISH = "es"
ENGLISH = "en"
LANGUAGES = (SPANISH, ENGLISH)
MESSAGES_DIR = os.path.join(os.path.dirname(__file__), "messages")  # os.path: pathlib is a cold-start cost


def language(headers: Mapping[str, str] | None) -> str:
    """Pick the answer language from Accept-Language: English only when it is preferred over Spanish."""
    for key, value in (headers or {}).items():
        if key.lower() == "accept-language" and value:
            for part in value.split(","):
                tag = part.split(";")[0].strip().lower()
                if tag.startswith(ENGLISH):
                    return ENGLISH
                if tag.startswith(SPANISH):
                    return SPANISH
    return SPANISH


def load(name: str) -> dict[str, Any]:
    """A messages file as it is: section -> key -> entry, and `$` notes."""
    with open(os.path.join(MESSAGES_DIR, name), encoding="utf-8") as file:
        data: dict[str, Any] = json.load(file)
    return data


def entries(name: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """A messages file's entries, its sections flattened; keys starting with `$` are notes, not entries."""
    found: dict[str, Any] = {}
    for section, items in data.items():
        if section.startswith("$"):
            continue
        for key, entry in items.items():
            if key.startswith("$"):
                continue
            if key in found:
                raise ValueError(f"{name}: {key} is in two sections")
            found[key] = entry
    return found


# code -> language -> (title, detail). Details may hold str.format placeholders ({name:time}: see render).
PROBLEMS: dict[str, dict[str, tuple[str, str]]] = {
    code: {lang: (entry[lang]["title"], entry[lang]["detail"]) for lang in LANGUAGES}
    for code, entry in entries("problems.json", load("problems.json")).items()
}
_fields = load("fields.json")
# pydantic error type -> language -> message (placeholders from the error's ctx).
FIELD_MESSAGES: dict[str, dict[str, str]] = {
    key: {lang: entry[lang] for lang in LANGUAGES} for key, entry in entries("fields.json", _fields).items()
}
FALLBACK_FIELD_MESSAGE: dict[str, str] = _fields["$fallback"]


class _Formatter(string.Formatter):
    """str.format, plus the `time` spec: an RFC 3339 instant shown to people in Colombian time, in their words
    (the problem's extension members keep RFC 3339 UTC)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: object, format_spec: str) -> str:
        if format_spec == "time":
            return colombian_time(value, self.lang)
        return super().format_field(value, format_spec)


_FORMATTERS = {lang: _Formatter(lang) for lang in LANGUAGES}


def render(template: str, params: Mapping[str, object] | None, lang: str) -> str:
    """A message's template filled with its params (KeyError when one is missing)."""
    return _FORMATTERS.get(lang, _FORMATTERS[SPANISH]).vformat(template, (), dict(params or {}))


def field_message(error_type: str, ctx: Mapping[str, object] | None, lang: str) -> str:
    template = FIELD_MESSAGES.get(error_type, FALLBACK_FIELD_MESSAGE)[lang]
    try:
        return render(template, {key: _plain(value) for key, value in (ctx or {}).items()}, lang)
    except (KeyError, IndexError):
        return FALLBACK_FIELD_MESSAGE[lang]


def _plain(value: object) -> str:
    return str(value)
