"""The CCF guide in the portal (/guia-servicios-web, the manual's Anexo 1; decision 0109): reached from /ayuda
without signing in, its table of contents leads to each section, code blocks scroll inside themselves on a 360 px
phone while the page does not, axe-core finds nothing at phone and desktop widths, and the sample it links opens."""

from __future__ import annotations

from typing import Any

from browser_support import VIEWPORTS, check, expect, new_page


def test_the_guide_from_the_help_page_on_phone_and_desktop(browser: Any, local_runtime: dict[str, Any]) -> None:
    portal_url = local_runtime["portal_url"]
    page = new_page(browser)
    page.goto(f"{portal_url}/ayuda")
    page.get_by_role("link", name="Leer el Documento Guía para consumo de servicios web").click()
    expect(page).to_have_url(f"{portal_url}/guia-servicios-web")
    expect(page.get_by_role("heading", level=1, name="Documento Guía para consumo de servicios web")).to_be_visible()
    check(page)  # axe-core at 360 px and 1280 px, weight, no token anywhere

    contents = page.get_by_role("navigation", name="Contenido")
    contents.get_by_role("link", name="Verificar la notificación").click()
    expect(page).to_have_url(f"{portal_url}/guia-servicios-web#verificar-la-notificaci%C3%B3n")
    expect(page.get_by_role("heading", level=2, name="Verificar la notificación")).to_be_in_viewport()

    page.set_viewport_size(VIEWPORTS[0])
    widths = page.evaluate(
        """() => ({
            page: document.documentElement.scrollWidth,
            viewport: window.innerWidth,
            blocks: [...document.querySelectorAll('pre.codigo')].map(b => [b.scrollWidth, b.clientWidth]),
        })"""
    )
    assert widths["page"] <= widths["viewport"], widths  # no sideways scroll of the whole page on a phone
    assert any(scroll > client for scroll, client in widths["blocks"]), widths  # long lines scroll in their block
    wide_block = page.locator("pre.codigo").first
    wide_block.focus()  # reachable by keyboard, so it can be scrolled without a mouse
    expect(wide_block).to_be_focused()
    page.set_viewport_size(VIEWPORTS[1])

    page.get_by_role("link", name="examples/guide/python/sat_ccf_client.py").click()
    expect(page.locator("body")).to_contain_text("def verify_notification(")
    page.context.close()


def test_the_guide_opens_directly_without_an_account(browser: Any, local_runtime: dict[str, Any]) -> None:
    """The guide is public: a CCF developer without a portal account opens it directly."""
    page = new_page(browser)
    response = page.goto(f"{local_runtime['portal_url']}/guia-servicios-web")
    assert response is not None and response.status == 200
    expect(page.get_by_role("link", name="examples/guide/node/sat-ccf-client.mjs")).to_be_visible()
    page.context.close()
