"""The portal's edge in the local runtime (decision 0088): a request the portal's web ACL blocks is a Spanish page
that passes the same checks as every other page, and the runtime says that it does not apply the CAPTCHA rule."""

from __future__ import annotations

from typing import Any

import httpx
from browser_support import check, expect, new_page


def test_the_runtime_says_it_does_not_apply_the_captcha(local_runtime: dict[str, Any]) -> None:
    assert local_runtime["waf_not_emulated"] == {"sat-ccf-dev-portal": ["BotProtectionForms (Captcha)"]}
    log = local_runtime["log_path"].read_text()
    assert "WAF sat-ccf-dev-portal: not applied locally: BotProtectionForms (Captcha)" in log
    # and the form it guards answers as usual
    page = httpx.get(f"{local_runtime['portal_url']}/ingreso", headers={"User-Agent": "Mozilla/5.0"}, timeout=60)
    assert page.status_code == 200 and "Ingresar" in page.text


def test_a_request_the_portals_waf_blocks_is_an_accessible_spanish_page(
    browser: Any, local_runtime: dict[str, Any]
) -> None:
    portal_url = local_runtime["portal_url"]
    body = {"csrf": "x", "documentNumber": "1" * 9000}  # over the portal's 8 KB body rule
    answer = httpx.post(f"{portal_url}/ingreso", data=body, headers={"User-Agent": "Mozilla/5.0"}, timeout=60)
    assert answer.status_code == 403
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert '<html lang="es">' in answer.text and "<h1>Solicitud bloqueada</h1>" in answer.text
    assert answer.headers["x-amzn-requestid"] in answer.text  # the id the help desk asks for

    page = new_page(browser)
    # a query over the common rule set's 2 KB: what a browser meets when the WAF blocks it
    response = page.goto(f"{portal_url}/?q=" + "a" * 2100)
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="Solicitud bloqueada")).to_be_visible()
    expect(page.get_by_role("link", name="Volver al inicio de Mi Seguridad Social")).to_be_visible()
    check(page)  # axe-core at 360 px and 1280 px, weight, no token anywhere
    page.get_by_role("link", name="Volver al inicio de Mi Seguridad Social").click()
    expect(page).to_have_url(f"{portal_url}/")
    page.context.close()
