"""The RUT slot asked for the portal (`POST /employers/{nit}/rut?returnTo=portal`) signs a fixed
`success_action_redirect` to the company's portal page into the presigned POST (decision 0086): a browser posting
the form straight to S3 comes back to the portal. Without it the slot is what it was (S3 answers 204)."""

import base64
import json

from tests.integration.test_delegation_flow import (  # noqa: F401 (the env fixture)
    MISMATCH_NIT,
    PORTAL,
    _mismatch,
    delegation_env,
)


def _policy(slot):
    return json.loads(base64.b64decode(slot["fields"]["policy"]))


def test_a_portal_slot_redirects_to_the_company_page_and_the_policy_pins_it(env):
    rep, first = _mismatch(env)
    assert "success_action_redirect" not in first["fields"]
    assert not any("success_action_redirect" in json.dumps(c) for c in _policy(first)["conditions"])

    status, slot = env.api("POST", f"/employers/{MISMATCH_NIT}/rut", user=rep, query={"returnTo": "portal"})
    assert status == 201, slot
    wanted = f"{PORTAL}/empleadores/{MISMATCH_NIT}"
    assert slot["fields"]["success_action_redirect"] == wanted
    assert {"success_action_redirect": wanted} in _policy(slot)["conditions"]


def test_a_redirect_elsewhere_cannot_be_asked_for(env):
    rep, _first = _mismatch(env)
    status, body = env.api(
        "POST", f"/employers/{MISMATCH_NIT}/rut", user=rep, query={"returnTo": "https://evil.example/"}
    )
    assert status == 422, body
