"""Bodies the API cannot read, over real HTTP through the local runtime (WAF, API Gateway emulation, the
function's process): never a 5xx (sat_common.json_body; docs/security.md "Unreadable request bodies").

The WAF blocks bodies over 8 KB except on /admin/services (OpenAPI documents, up to the API's 64 KB), so the
30,000-deep body goes there with the Ministry's token; a public route gets one just under 8 KB.
"""

import httpx
import pytest

from local import journeys

pytestmark = pytest.mark.e2e

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def api(local_runtime):
    with httpx.Client(base_url=local_runtime["api_url"], timeout=journeys.HTTP_TIMEOUT) as client:
        yield client


def test_a_text_plain_body_on_a_json_route_is_415(api):
    response = api.post(
        "/registrations",
        content=b'{"documentType": "CC", "documentNumber": "1"}',
        headers={"Content-Type": "text/plain"},
    )
    assert response.status_code == 415, response.text
    assert response.headers["Content-Type"] == PROBLEM
    assert response.json()["code"] == "UNSUPPORTED_MEDIA_TYPE"
    english = api.post("/registrations", content=b"{}", headers={"Content-Type": "text/plain", "Accept-Language": "en"})
    assert english.json()["title"] == "Unsupported media type"


def test_deep_json_on_a_public_route_is_422(api):
    depth = 4_000  # 8,000 bytes: under the WAF's 8 KB body rule, far past Python's parser recursion limit
    response = api.post(
        "/registrations", content=("[" * depth + "]" * depth).encode(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert response.headers["Content-Type"] == PROBLEM
    too_deep = "El JSON tiene más de 32 niveles de anidamiento."
    assert response.json()["errors"] == [{"field": "body", "message": too_deep}]


def test_json_nested_30000_deep_is_422(api, local_runtime):
    ministry = journeys.bearer(journeys.ministry_session(api, local_runtime["ministry_login"]))
    depth = 30_000
    response = api.post(
        "/admin/services",
        content=("[" * depth + "]" * depth).encode(),
        headers={**ministry, "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "VALIDATION_FAILED"
    assert [error["field"] for error in response.json()["errors"]] == ["body"]
