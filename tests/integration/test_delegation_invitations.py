"""Ministry e-mails that go to addresses a user typed (docs/security.md "Ministry e-mails to typed addresses"),
on moto through the real lambda_handler: the company name in them is the business reference source's, never the
one typed at Paso 2 (a RUT mismatch lets it be anything), and delegate invitations are limited per company and
Colombian day (429 with Retry-After past the limit; a conditional counter item with TTL)."""

import uuid
from datetime import timedelta

import pytest

from sat_common import clock
from tests.conftest import FakeContext, api_event
from tests.integration.test_delegation_authorizations import authorization
from tests.integration.test_delegation_flow import (
    CCF_NIT,
    DELEGATE,
    FREE_COMPANIES,
    HEADQUARTERS,
    LEGAL_REP,
    MISMATCH_NIT,
    MISMATCH_REP,
    START,
    basic_data,
    company,
    delegation_env,  # noqa: F401 (fixture "env")
    free_person,
    make_pdf,
    person,
    person_data,
    username,
)

BAIT = "PREMIO: reclame $5.000.000 en https://estafa.example/pago"
LIMIT = 5  # DelegationSettings.delegate_invitations_per_day default


def _bait_company(env) -> str:
    """The legal representative of the mismatch company types a business name of their own: RUT_REQUIRED."""
    rep = username(MISMATCH_REP)
    env.register_account(MISMATCH_REP)
    status, body = env.api("POST", "/employers", basic_data(MISMATCH_NIT, businessName=BAIT), user=rep)
    assert (status, body["status"]) == (201, "RUT_REQUIRED"), body
    return rep


def _no_bait(mails: list[dict]) -> None:
    for mail in mails:
        assert BAIT not in str(mail), mail


def test_an_invitation_carries_the_reference_business_name_not_the_typed_one(env):
    rep = _bait_company(env)
    invited = free_person(0)
    typed = person_data(invited, firstName=person(invited)["firstName"].upper())  # as typed: any case
    status, _view = env.api("PUT", f"/employers/{MISMATCH_NIT}/delegate", typed, user=rep)
    assert status == 200
    mails = env.emails()
    assert [(m["template"], m["to"]) for m in mails] == [("delegate-invitation", typed["email"])]
    assert mails[0]["data"]["razonSocial"] == company(MISMATCH_NIT)["businessName"]
    assert mails[0]["data"]["nombre"] == f"{person(invited)['firstName']} {person(invited)['firstSurname']}"
    _no_bait(mails)


def test_the_review_result_and_the_confirmation_carry_the_reference_name_too(env):
    rep = _bait_company(env)
    slot = env.api("POST", f"/employers/{MISMATCH_NIT}/rut", user=rep)[1]
    env.upload(slot, make_pdf())
    path = f"/admin/employers/{MISMATCH_NIT}/rut-review"
    assert env.api("POST", path, {"decision": "APPROVE"}, user="CC-1000000001", ministry=True)[0] == 200
    assert env.api("PUT", f"/employers/{MISMATCH_NIT}/delegate", person_data(free_person(1)), user=rep)[0] == 200
    assert env.api("PUT", f"/employers/{MISMATCH_NIT}/headquarters", HEADQUARTERS, user=rep)[0] == 200
    assert env.api("POST", f"/employers/{MISMATCH_NIT}/confirmation", user=rep)[0] == 200
    mails = env.emails()
    assert [m["template"] for m in mails] == ["rut-review-result", "delegate-invitation", "employer-confirmation"]
    assert {m["data"]["razonSocial"] for m in mails} == {company(MISMATCH_NIT)["businessName"]}
    _no_bait(mails)


def test_an_authorization_notice_carries_the_reference_name(env):
    rep, _delegate = env.confirmed_company(CCF_NIT, LEGAL_REP, DELEGATE)
    env.table.update_item(  # the stored (typed) name differs from the source's, as after a RUT review
        Key={"PK": f"EMPLOYER#{CCF_NIT}", "SK": "PROFILE"},
        UpdateExpression="SET businessName = :bait",
        ExpressionAttributeValues={":bait": BAIT},
    )
    env.activate_ccf(CCF_NIT)
    env.emails()
    assert env.api("POST", f"/employers/{CCF_NIT}/authorizations", authorization(free_person(2)), user=rep)[0] == 201
    mails = env.emails()
    assert [m["template"] for m in mails] == ["authorization-notice"]
    assert mails[0]["data"]["razonSocial"] == company(CCF_NIT)["businessName"]
    _no_bait(mails)


def _claims(user: str) -> dict[str, str]:
    return {"cognito:username": user, "sub": str(uuid.uuid5(uuid.NAMESPACE_DNS, user))}


def _name(env, rep: str, index: int) -> tuple[int, dict, dict]:
    response = env.api("PUT", f"/employers/{CCF_NIT}/delegate", person_data(free_person(index)), user=rep)
    return response[0], response[1], env.employer(CCF_NIT)


def test_invitations_are_limited_per_company_and_colombian_day(env):
    rep = env.register_company(CCF_NIT, LEGAL_REP)
    for index in range(LIMIT):
        assert _name(env, rep, index)[0] == 200
    assert len(env.emails()) == LIMIT

    status, body, employer = _name(env, rep, LIMIT)
    assert (status, body["code"]) == (429, "DELEGATE_INVITATIONS_LIMITED")
    assert "5 invitaciones" in body["detail"]
    assert employer["delegate"]["username"] == username(free_person(LIMIT - 1))  # nothing changed
    assert env.emails() == []  # and nothing sent
    assert env.role(username(free_person(LIMIT)), "EMPLEADOR_PERSONA_JURIDICA", CCF_NIT) is None
    event = api_event(
        "PUT", f"/employers/{CCF_NIT}/delegate", body=person_data(free_person(LIMIT)), claims=_claims(rep)
    )
    raw = env.module.lambda_handler(event, FakeContext())
    headers = {**{k: v[-1] for k, v in (raw.get("multiValueHeaders") or {}).items()}, **(raw.get("headers") or {})}
    # START is 10:00 in Colombia (UTC-5): the next invitation can go at midnight, 14 hours later
    assert raw["statusCode"] == 429 and headers["Retry-After"] == str(14 * 3600)
    assert headers["Content-Type"] == "application/problem+json"
    status, body = env.api(
        "PUT", f"/employers/{CCF_NIT}/delegate", person_data(free_person(LIMIT)), user=rep, lang="en"
    )
    assert body["title"] == "Too many invitations"

    # A registered delegate gets no invitation, so naming one is not limited
    env.register_account(DELEGATE)
    assert env.api("PUT", f"/employers/{CCF_NIT}/delegate", person_data(DELEGATE), user=rep)[0] == 200

    counter = env.item(f"EMPLOYER#{CCF_NIT}", "INVITATIONS#2026-11-20")
    assert counter["count"] == LIMIT
    assert counter["expiresAt"] == int((START + timedelta(hours=14 + 24)).timestamp())  # TTL: gone the day after

    clock.advance(timedelta(hours=14))  # midnight in Bogotá: a new day
    assert _name(env, rep, LIMIT)[0] == 200
    assert [m["template"] for m in env.emails()] == ["delegate-invitation"]


def test_the_limit_is_per_company(env):
    rep = env.register_company(CCF_NIT, LEGAL_REP)
    for index in range(LIMIT):
        assert _name(env, rep, index)[0] == 200
    other = FREE_COMPANIES[0]
    other_rep = env.register_company(other["nit"], other["legalRepresentative"])
    path = f"/employers/{other['nit']}/delegate"
    assert env.api("PUT", path, person_data(free_person(6)), user=other_rep)[0] == 200


@pytest.mark.parametrize("limit", ["2"])
def test_the_limit_is_configurable(env, monkeypatch, limit):
    from delegation import config

    monkeypatch.setenv("DELEGATE_INVITATIONS_PER_DAY", limit)
    config.settings.cache_clear()
    config.deps.cache_clear()
    rep = env.register_company(CCF_NIT, LEGAL_REP)
    assert [_name(env, rep, index)[0] for index in range(3)] == [200, 200, 429]
