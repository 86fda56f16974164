"""The e-mail template files: placeholders match the data keys documented in the README."""

from __future__ import annotations

import re

import pytest

from infra.components.email import TEMPLATE_KEYS, TEMPLATES_DIR, read_template

PLACEHOLDER = re.compile(r"{{\s*([A-Za-z][A-Za-z0-9]*)\s*}}")


def _documented_keys() -> dict[str, set[str]]:
    readme = (TEMPLATES_DIR / "README.md").read_text(encoding="utf-8")
    keys: dict[str, set[str]] = {}
    for line in readme.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].strip("`") in TEMPLATE_KEYS:
            keys[cells[0].strip("`")] = set(re.findall(r"`([A-Za-z][A-Za-z0-9]*)`", cells[2]))
    return keys


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_placeholders_are_the_documented_data_keys(key: str) -> None:
    subject, html, text = read_template(key)
    used = set(PLACEHOLDER.findall(subject + html + text))
    assert used == _documented_keys()[key]
    assert set(PLACEHOLDER.findall(html)) == set(PLACEHOLDER.findall(text)), "HTML and text parts carry the same data"


def test_welcome_has_link_and_name() -> None:
    _, html, text = read_template("welcome")
    for part in (html, text):
        assert "{{enlace}}" in part and "{{nombre}}" in part


def test_no_triple_braces() -> None:  # {{{x}}} would disable HTML escaping of personal data
    for key in TEMPLATE_KEYS:
        assert "{{{" not in "".join(read_template(key))
