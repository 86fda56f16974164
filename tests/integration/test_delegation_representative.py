"""The legal representative re-checked against the business reference source (decision 0033), on moto through
the real lambda_handler: the source names a new representative; the old one loses the employer role for that
NIT once the 24-hour check runs (at once when the new one takes over); the new one takes the company over with
POST /employers; the delegate and the authorizations stay."""

from datetime import timedelta
from typing import Any

import boto3
import pytest

from sat_common import clock
from tests.integration.test_delegation_authorizations import authorization
from tests.integration.test_delegation_flow import (
    AUDIT,
    CCF_NIT,
    DELEGATE,
    HEADQUARTERS,
    LEGAL_REP,
    REFERENCE,
    basic_data,
    company,
    delegation_env,  # noqa: F401 (fixture "env")
    free_person,
    person_data,
    username,
)

E = f"/employers/{CCF_NIT}"
ROLE = "EMPLEADOR_PERSONA_JURIDICA"
NEW_REP = free_person(20)


def name_representative(nit: str, ref: dict[str, str]) -> None:
    """The business reference source now names `ref` as the company's legal representative."""
    data: dict[str, Any] = {
        **company(nit),
        "legalRepresentative": {k: ref[k] for k in ("documentType", "documentNumber")},
    }
    boto3.resource("dynamodb").Table(REFERENCE).put_item(Item={"PK": f"COMPANY#{nit}", "SK": "PROFILE", "data": data})


@pytest.fixture(name="company_with_people")
def company_with_people_fixture(env):
    """CCF company confirmed by its legal representative; delegate named; a person authorized by the delegate."""
    rep, delegate = env.confirmed_company(CCF_NIT, LEGAL_REP, DELEGATE)
    env.activate_ccf(CCF_NIT)
    status, created = env.api("POST", f"{E}/authorizations", authorization(free_person(21)), user=delegate)
    assert status == 201, created
    env.emails()
    return rep, delegate, created["authorizationId"]


def test_the_old_representative_keeps_acting_only_until_the_cached_check_expires(env, company_with_people):
    rep, _delegate, _auth = company_with_people
    name_representative(CCF_NIT, NEW_REP)
    clock.advance(timedelta(hours=23, minutes=59))  # within the 24 h the last answer of the source is kept
    assert env.api("GET", E, user=rep)[0] == 200
    clock.advance(timedelta(minutes=2))  # past 24 h since the company was registered (the source was asked then)
    status, body = env.api("GET", E, user=rep)
    assert (status, body["code"]) == (404, "NOT_FOUND")
    grant = env.role(rep, ROLE, CCF_NIT)
    assert grant["status"] == "REVOKED" and grant["revokedReason"] == "NOT_IN_REFERENCE_SOURCE"
    assert env.active_roles(rep) == []  # "Mi lista de roles" no longer lists it
    assert "LEGAL_REPRESENTATIVE_REVOKED" in env.audit(CCF_NIT)


def test_the_old_representative_is_refused_everywhere_as_anyone_else(env, company_with_people):
    rep, _delegate, authorization_id = company_with_people
    name_representative(CCF_NIT, NEW_REP)
    clock.advance(timedelta(hours=25))
    requests = [
        ("GET", E, None, 404),
        ("PATCH", E, {"employees": 30}, 404),
        ("PUT", f"{E}/headquarters", HEADQUARTERS, 404),
        ("PUT", f"{E}/delegate", person_data(free_person(22)), 404),
        ("POST", f"{E}/confirmation", None, 404),
        ("POST", f"{E}/rut", None, 404),
        ("GET", f"{E}/authorizations", None, 404),
        ("POST", f"{E}/authorizations", authorization(free_person(23)), 404),
        ("DELETE", f"{E}/authorizations/{authorization_id}", None, 404),
        ("POST", "/employers", basic_data(CCF_NIT), 403),  # the source names someone else
    ]
    observed = [(method, path, env.api(method, path, body, user=rep)[0]) for method, path, body, _ in requests]
    assert observed == [(method, path, expected) for method, path, _, expected in requests]
    assert env.api("POST", "/employers", basic_data(CCF_NIT), user=rep)[1]["code"] == "NOT_LEGAL_REPRESENTATIVE"
    assert env.employer(CCF_NIT)["delegate"]["username"] == username(DELEGATE)  # nothing changed


def test_the_new_representative_takes_over_and_the_delegate_and_authorizations_stay(env, company_with_people):
    rep, delegate, authorization_id = company_with_people
    new = username(NEW_REP)
    name_representative(CCF_NIT, NEW_REP)
    # no clock advance: the take-over does not wait for the old representative's grant to be re-checked
    status, body = env.api("POST", "/employers", basic_data(CCF_NIT), user=new)
    assert (status, body) == (200, {"nit": CCF_NIT, "status": "REGISTERED", "upload": None})
    assert env.active_roles(new) == [(ROLE, CCF_NIT, "REPRESENTANTE_LEGAL")]
    assert env.role(rep, ROLE, CCF_NIT)["status"] == "REVOKED"
    assert env.api("GET", E, user=rep)[0] == 404  # at once, whatever the cache

    status, view = env.api("GET", E, user=new)
    assert status == 200 and view["yourProfile"] == "REPRESENTANTE_LEGAL" and view["legalRepresentative"] == new
    assert view["status"] == "REGISTERED" and view["headquarters"]["name"] == HEADQUARTERS["name"]
    # the legal representative's own steps are theirs now
    assert env.api("PUT", f"{E}/delegate", person_data(DELEGATE), user=new)[0] == 200
    # the delegate named by the old representative, and the person the delegate authorized, keep their rights
    assert env.api("GET", E, user=delegate)[0] == 200
    assert env.role(delegate, ROLE, CCF_NIT)["status"] == "ACTIVE"
    assert env.item(f"EMPLOYER#{CCF_NIT}", f"AUTH#{authorization_id}")["status"] == "ACTIVE"
    assert env.role(username(free_person(21)), "CAJA_DE_SUBSIDIO_FAMILIAR", CCF_NIT)["status"] == "ACTIVE"

    entries = _audit_entries(CCF_NIT)
    changed = [entry for entry in entries if entry["action"] == "EMPLOYER_REPRESENTATIVE_CHANGED"]
    assert len(changed) == 1
    assert changed[0]["details"] == {"previous": rep, "current": new} and changed[0]["actor"] == new
    # a second POST by the one who holds it now: registered already
    status, body = env.api("POST", "/employers", basic_data(CCF_NIT), user=new)
    assert (status, body["code"]) == (409, "EMPLOYER_ALREADY_EXISTS")


def test_a_company_not_confirmed_yet_is_taken_over_and_confirmed_by_the_new_representative(env):
    rep = env.register_company(CCF_NIT, LEGAL_REP)
    assert env.api("PUT", f"{E}/delegate", person_data(DELEGATE), user=rep)[0] == 200
    name_representative(CCF_NIT, NEW_REP)
    new = username(NEW_REP)
    status, body = env.api("POST", "/employers", basic_data(CCF_NIT), user=new)
    assert (status, body["status"]) == (200, "DRAFT")
    assert env.role(new, ROLE, CCF_NIT)["status"] == "PENDING_CONFIRMATION"
    assert env.api("PUT", f"{E}/headquarters", HEADQUARTERS, user=new)[0] == 200
    assert env.api("POST", f"{E}/confirmation", user=new)[0] == 200
    assert env.active_roles(new) == [(ROLE, CCF_NIT, "REPRESENTANTE_LEGAL")]
    assert env.active_roles(rep) == []
    assert env.active_roles(username(DELEGATE)) == [(ROLE, CCF_NIT, "DELEGADO")]


def test_the_delegate_named_as_representative_takes_over_and_is_no_longer_the_delegate(env, company_with_people):
    rep, delegate, _auth = company_with_people
    name_representative(CCF_NIT, DELEGATE)
    status, body = env.api("POST", "/employers", basic_data(CCF_NIT), user=delegate)
    assert (status, body["status"]) == (200, "REGISTERED")
    status, view = env.api("GET", E, user=delegate)
    assert view["yourProfile"] == "REPRESENTANTE_LEGAL" and view["delegate"] is None
    assert env.active_roles(delegate) == [(ROLE, CCF_NIT, "REPRESENTANTE_LEGAL")]
    assert env.api("GET", E, user=rep)[0] == 404
    changed = [entry for entry in _audit_entries(CCF_NIT) if entry["action"] == "EMPLOYER_REPRESENTATIVE_CHANGED"]
    assert changed[0]["details"] == {"previous": rep, "current": delegate, "delegateRemoved": delegate}


def test_an_unchanged_representative_is_asked_about_once_a_day(env, company_with_people):
    rep, _delegate, _auth = company_with_people
    first = env.employer(CCF_NIT)["legalRepresentativeCheckedAt"]
    clock.advance(timedelta(hours=25))
    assert env.api("GET", E, user=rep)[0] == 200
    checked = env.employer(CCF_NIT)["legalRepresentativeCheckedAt"]
    assert checked > first
    version = env.employer(CCF_NIT)["version"]
    clock.advance(timedelta(hours=1))
    assert env.api("GET", E, user=rep)[0] == 200
    assert env.employer(CCF_NIT)["legalRepresentativeCheckedAt"] == checked  # cached: not asked again
    assert env.employer(CCF_NIT)["version"] == version  # the check never disturbs a step in progress


def test_a_company_the_source_no_longer_knows_denies_without_revoking(env, company_with_people):
    rep, _delegate, _auth = company_with_people
    boto3.resource("dynamodb").Table(REFERENCE).delete_item(Key={"PK": f"COMPANY#{CCF_NIT}", "SK": "PROFILE"})
    clock.advance(timedelta(hours=25))
    assert env.api("GET", E, user=rep)[0] == 404
    assert env.role(rep, ROLE, CCF_NIT)["status"] == "ACTIVE"  # the source may be mid-update: nothing revoked
    name_representative(CCF_NIT, LEGAL_REP)  # known again, same person
    assert env.api("GET", E, user=rep)[0] == 200


def test_a_representative_named_again_after_losing_the_role_restores_it(env, company_with_people):
    rep, _delegate, _auth = company_with_people
    name_representative(CCF_NIT, NEW_REP)
    clock.advance(timedelta(hours=25))
    assert env.api("GET", E, user=rep)[0] == 404  # revoked
    name_representative(CCF_NIT, LEGAL_REP)
    status, body = env.api("POST", "/employers", basic_data(CCF_NIT), user=rep)
    assert (status, body["status"]) == (200, "REGISTERED")
    assert env.api("GET", E, user=rep)[0] == 200
    assert "LEGAL_REPRESENTATIVE_RESTORED" in env.audit(CCF_NIT)


def _audit_entries(nit: str) -> list[dict[str, Any]]:
    return (
        boto3.resource("dynamodb")
        .Table(AUDIT)
        .query(KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": f"AUDIT#EMPLOYER#{nit}"})["Items"]
    )
