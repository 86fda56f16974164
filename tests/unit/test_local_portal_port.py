"""The local runtime serves each RestApi of the template on its own port (decision 0080): the API's routes on
--api-port, the portal's on --portal-port, each with only its own methods and behind the web ACL associated
with its own stage; a function handed the API's stage URL reaches the local API, the portal's URL the portal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from local.apigw import build_routes, rest_apis
from local.runtime import portal_rest_api
from local.template import Template
from local.waf import WebAcl

TEMPLATE = Path(__file__).resolve().parents[2] / "cdk.out" / "SatCcf-dev.template.json"


@pytest.fixture(scope="module")
def template() -> Template:
    if not TEMPLATE.exists():
        pytest.skip("synthesize first: python infra/app.py")
    return Template.load(TEMPLATE)


def test_each_rest_api_has_only_its_own_routes(template: Template) -> None:
    portal = portal_rest_api(template)
    assert portal is not None
    (api,) = [lid for lid in rest_apis(template) if lid != portal]
    portal_routes = build_routes(template, portal).routes()
    assert portal_routes == [("GET", "/"), ("POST", "/"), ("GET", "/{proxy+}"), ("POST", "/{proxy+}")]
    api_routes = build_routes(template, api).routes()
    assert ("POST", "/sessions") in api_routes and ("GET", "/{proxy+}") not in api_routes
    assert build_routes(template, api).match("/ingreso") is None  # a portal page is not an API route
    # every method of the template is served by exactly one of the two
    assert len(api_routes) + len(portal_routes) == len(build_routes(template).routes())


def test_both_stages_are_behind_the_web_acl(template: Template) -> None:
    portal = portal_rest_api(template)
    (api,) = [lid for lid in rest_apis(template) if lid != portal]
    assert WebAcl.from_template(template, portal) is not None
    assert WebAcl.from_template(template, api) is not None


def test_stage_urls_point_at_each_local_port(template: Template) -> None:
    portal = portal_rest_api(template)
    assert portal is not None
    urls = dict((api, url) for api, url in template.api_stage_urls())
    template.api_url = "http://127.0.0.1:3000"
    template.local_urls[portal] = "http://127.0.0.1:8000"
    for api, url in urls.items():
        expected = "http://127.0.0.1:8000" if api == portal else "http://127.0.0.1:3000"
        assert template.localize(url + "/x") == expected + "/x"
    function = next(
        r
        for r in template.of_type("AWS::Lambda::Function").values()
        if r["Properties"]["Handler"].startswith("portal.")
    )
    env = template.resolve(function["Properties"]["Environment"]["Variables"])
    assert template.localize(env["PUBLIC_API_BASE_URL"]) == "http://127.0.0.1:3000"
    assert json.dumps(env).count("execute-api") == 1  # the API's URL only; the portal needs no URL of its own
