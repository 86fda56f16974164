"""Administración de autorizados (manual §5) on moto: CCF activation required, once per person (also under
concurrency), e-mail/invitation, paginated list, revocation effective at once, other companies' objects 404."""

import threading
from collections import Counter

from tests.integration.test_delegation_flow import (
    CCF_NIT,
    DELEGATE,
    FREE_COMPANIES,
    LEGAL_REP,
    delegation_env,  # noqa: F401 (fixture "env")
    free_person,
    person_data,
    username,
)

PATH = f"/employers/{CCF_NIT}/authorizations"


def authorization(ref, **changes):
    return {
        **person_data(ref),
        "office": "Sede Norte",
        "role": "CAJA_DE_SUBSIDIO_FAMILIAR",
        "profile": "ADMINISTRAR_SERVICIOS_WEB_EXTERNOS",
        **changes,
    }


def _ready(env, activate=True):
    rep, delegate = env.confirmed_company(CCF_NIT, LEGAL_REP, DELEGATE)
    if activate:
        env.activate_ccf(CCF_NIT)
    env.emails()
    return rep, delegate


def test_the_role_needs_the_ministrys_ccf_activation(env):
    _rep, delegate = _ready(env, activate=False)
    status, body = env.api("POST", PATH, authorization(free_person(10)), user=delegate)
    assert (status, body["code"]) == (409, "CCF_ROLE_NOT_ACTIVE")
    assert "no ha activado" in body["detail"]


def test_the_delegate_authorizes_a_registered_person_who_gets_the_role(env):
    _rep, delegate = _ready(env)
    target = free_person(10)
    user = env.register_account(target)
    status, body = env.api("POST", PATH, authorization(target), user=delegate)
    assert status == 201, body
    assert body["status"] == "ACTIVE" and body["registered"] is True and body["office"] == "Sede Norte"
    assert len(body["authorizationId"]) == 26
    grant = env.role(user, "CAJA_DE_SUBSIDIO_FAMILIAR", CCF_NIT)
    assert grant["status"] == "ACTIVE" and grant["profile"] == "ADMINISTRAR_SERVICIOS_WEB_EXTERNOS"
    assert grant["name"] == "Caja de Compensación Familiar" and grant["authorizationId"] == body["authorizationId"]
    assert (grant["GSI1PK"], grant["GSI1SK"]) == (f"ROLE#CAJA_DE_SUBSIDIO_FAMILIAR#{CCF_NIT}", f"PERSON#{user}")
    assert ("CAJA_DE_SUBSIDIO_FAMILIAR", CCF_NIT, "ADMINISTRAR_SERVICIOS_WEB_EXTERNOS") in env.active_roles(user)
    mails = env.emails()
    assert [(m["template"], m["to"]) for m in mails] == [("authorization-notice", person_data(target)["email"])]
    assert set(mails[0]["data"]) == {"nombre", "razonSocial", "nit", "rol", "perfil", "enlace"}
    assert "AUTHORIZATION_CREATED" in env.audit(CCF_NIT)


def test_an_unregistered_person_is_invited(env):
    rep, _ = _ready(env)
    status, body = env.api("POST", PATH, authorization(free_person(11)), user=rep)
    assert status == 201 and body["registered"] is False
    assert env.emails()[0]["data"]["enlace"].endswith("/registro")


def test_a_person_holds_the_role_once(env):
    rep, delegate = _ready(env)
    target = free_person(12)
    assert env.api("POST", PATH, authorization(target), user=delegate)[0] == 201
    status, body = env.api("POST", PATH, authorization(target, office="Otra sede"), user=rep)
    assert (status, body["code"]) == (409, "ALREADY_AUTHORIZED")


def test_concurrent_assignments_exactly_one_wins(env):
    rep, delegate = _ready(env)
    target = free_person(13)
    results: list[int] = []
    barrier = threading.Barrier(8)

    def attempt(index: int) -> None:
        barrier.wait()
        status, _ = env.api(
            "POST", PATH, authorization(target, office=f"Sede {index}"), user=(rep, delegate)[index % 2]
        )
        results.append(status)

    threads = [threading.Thread(target=attempt, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Counter(results) == {201: 1, 409: 7}
    listed = env.api("GET", PATH, user=rep, query={"limit": "100"})[1]["items"]
    assert len(listed) == 1


def test_person_data_is_checked_and_role_and_profile_are_fixed(env):
    rep, _ = _ready(env)
    status, body = env.api("POST", PATH, authorization(free_person(14), firstSurname="Distinto"), user=rep)
    assert (status, body["code"]) == (422, "PERSON_NOT_VERIFIED")
    status, body = env.api("POST", PATH, authorization(free_person(14), role="EMPLEADOR"), user=rep)
    assert status == 422 and body["errors"][0]["field"] == "role"
    status, body = env.api("POST", PATH, authorization(free_person(14), profile="OTRO"), user=rep)
    assert status == 422 and body["errors"][0]["field"] == "profile"
    assert (
        env.api("POST", PATH, {k: v for k, v in authorization(free_person(14)).items() if k != "office"}, user=rep)[0]
        == 422
    )


def test_list_is_paginated_with_an_opaque_token(env):
    rep, delegate = _ready(env)
    for index in range(15, 20):
        assert env.api("POST", PATH, authorization(free_person(index)), user=delegate)[0] == 201
    seen, token, pages = [], None, 0
    while True:
        query = {"limit": "2", **({"nextToken": token} if token else {})}
        status, page = env.api("GET", PATH, user=rep, query=query)
        assert status == 200 and len(page["items"]) <= 2
        seen += [item["documentNumber"] for item in page["items"]]
        pages += 1
        token = page["nextToken"]
        if not token:
            break
    assert sorted(seen) == sorted(free_person(index)["documentNumber"] for index in range(15, 20))
    assert pages >= 3
    status, body = env.api("GET", PATH, user=rep, query={"nextToken": "bm90LWEtdG9rZW4"})
    assert status == 422 and body["errors"][0]["field"] == "nextToken"
    assert env.api("GET", PATH, user=rep, query={"limit": "0"})[0] == 422
    assert env.api("GET", PATH, user=rep, query={"limit": "101"})[0] == 422


def test_another_companys_token_is_refused(env):
    rep, _delegate = _ready(env)
    other = FREE_COMPANIES[5]
    other_rep, _ = env.confirmed_company(other["nit"], other["legalRepresentative"], free_person(20))
    env.activate_ccf(other["nit"])
    for index in (21, 22):
        env.api("POST", f"/employers/{other['nit']}/authorizations", authorization(free_person(index)), user=other_rep)
    token = env.api("GET", f"/employers/{other['nit']}/authorizations", user=other_rep, query={"limit": "1"})[1][
        "nextToken"
    ]
    assert token
    assert env.api("GET", PATH, user=rep, query={"nextToken": token})[0] == 422


def test_revocation_is_immediate_and_the_person_can_be_authorized_again(env):
    rep, delegate = _ready(env)
    target = free_person(23)
    user = env.register_account(target)
    created = env.api("POST", PATH, authorization(target), user=delegate)[1]
    path = f"{PATH}/{created['authorizationId']}"
    status, body = env.api("DELETE", path, user=rep)
    assert (status, body) == (204, None)
    grant = env.role(user, "CAJA_DE_SUBSIDIO_FAMILIAR", CCF_NIT)
    assert grant["status"] == "REVOKED" and grant["revokedAt"]
    assert ("CAJA_DE_SUBSIDIO_FAMILIAR", CCF_NIT, "ADMINISTRAR_SERVICIOS_WEB_EXTERNOS") not in env.active_roles(user)
    assert env.api("DELETE", path, user=rep)[0] == 404
    listed = env.api("GET", PATH, user=rep)[1]["items"]
    assert [(item["status"], bool(item["revokedAt"])) for item in listed] == [("REVOKED", True)]
    assert "AUTHORIZATION_REVOKED" in env.audit(CCF_NIT)
    again = env.api("POST", PATH, authorization(target), user=rep)
    assert again[0] == 201 and again[1]["authorizationId"] != created["authorizationId"]
    assert env.role(user, "CAJA_DE_SUBSIDIO_FAMILIAR", CCF_NIT)["status"] == "ACTIVE"


def test_another_companys_authorization_is_not_found(env):
    rep, delegate = _ready(env)
    created = env.api("POST", PATH, authorization(free_person(24)), user=delegate)[1]
    other = FREE_COMPANIES[6]
    other_rep, _ = env.confirmed_company(other["nit"], other["legalRepresentative"], free_person(25))
    # the other company's legal representative, with this company's authorization id, on either NIT
    assert (
        env.api("DELETE", f"/employers/{other['nit']}/authorizations/{created['authorizationId']}", user=other_rep)[0]
        == 404
    )
    assert env.api("DELETE", f"{PATH}/{created['authorizationId']}", user=other_rep)[0] == 404
    assert env.api("GET", PATH, user=other_rep)[0] == 404
    assert env.role(username(free_person(24)), "CAJA_DE_SUBSIDIO_FAMILIAR", CCF_NIT)["status"] == "ACTIVE"
    assert env.api("DELETE", f"{PATH}/01ARZ3NDEKTSV4RRFFQ69G5FAV", user=rep)[0] == 404
    assert env.api("DELETE", f"{PATH}/not-an-id", user=rep)[0] == 422
