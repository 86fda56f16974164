"""The Ministry's operators (docs/backoffice.md "Operators", decision 0090) through the registration lambda_handler
on moto: invitation with the set-password link, groups, disabling, the list, who may call, validation, audit.

People: the free pool's CC adults 90-94 (test_registration_flow.FREE_ADULTS_USED), fresh moto per test.
"""

import uuid

import boto3
import pytest

from registration.operators import OPERATOR_INVITE
from registration.repositories.accounts import link_key as token_key
from sat_common import ministry, tokens
from sat_common.operator_groups import ADMINISTRATOR, AUDITOR, CATALOG, OPERATOR_GROUPS, REVIEWER
from tests.integration.test_registration_flow import (
    GOOD_PASSWORD,
    aws_resources,  # noqa: F401  (the "aws" fixture)
    call,
    free_person,
    outbox_messages,
    registered,
    token_from,
)

ADMIN = "CC-79000001"
OTHER_ADMIN = "CC-79000002"


def claims(username: str, *groups: str) -> dict[str, str]:
    found = {"cognito:username": username, "sub": str(uuid.uuid5(uuid.NAMESPACE_DNS, username))}
    if groups:
        found["cognito:groups"] = ",".join(groups)
    return found


def operator_in_pool(pool_id: str, username: str, *groups: str, totp: bool = True) -> dict[str, str]:
    """An operator as the live check wants it: in the pool's `groups`, enabled, TOTP on."""
    idp = boto3.client("cognito-idp")
    idp.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=GOOD_PASSWORD, Permanent=True)
    for group in groups:
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)
    if totp:
        boto3.resource("dynamodb").Table("main").put_item(
            Item={"PK": f"PERSON#{username}", "SK": "MFA_TOTP", "status": "ENABLED"}
        )
    return claims(username, *groups)


@pytest.fixture(name="admin")
def administrator(aws) -> dict[str, str]:
    idp = boto3.client("cognito-idp")
    for group in sorted(OPERATOR_GROUPS - {ADMINISTRATOR}):  # the fixture's pool has only `ministerio`
        idp.create_group(UserPoolId=aws["pool_id"], GroupName=group)
    ministry.forget()  # a new pool: nothing remembered from another test
    return operator_in_pool(aws["pool_id"], ADMIN, ADMINISTRATOR)


def invite_body(someone: dict, *groups: str, **changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "documentType": someone["documentType"],
        "documentNumber": someone["documentNumber"],
        "email": f"operador.{someone['documentNumber']}@example.org",
        "groups": list(groups) or [REVIEWER],
    }
    return {**body, **changes}


def username_of(someone: dict) -> str:
    return f"{someone['documentType']}-{someone['documentNumber']}"


def groups_in_pool(pool_id: str, username: str) -> set[str]:
    listed = boto3.client("cognito-idp").admin_list_groups_for_user(UserPoolId=pool_id, Username=username)
    return {group["GroupName"] for group in listed["Groups"]}


def audit_entries(entity: str) -> list[dict]:
    table = boto3.resource("dynamodb").Table("audit")
    return table.query(KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": f"AUDIT#{entity}"})["Items"]


def test_an_invited_operator_sets_a_password_with_the_link_and_then_needs_totp(aws, admin):
    someone = free_person(90)
    username = username_of(someone)
    invited = call("POST", "/admin/operators", invite_body(someone, ADMINISTRATOR), claims=admin)
    assert invited.status == 201, invited
    assert invited.json == {
        "operatorId": username,
        "documentType": "CC",
        "documentNumber": someone["documentNumber"],
        "names": f"{someone['firstName']} {someone['firstSurname']}",  # the reference source's
        "email": f"operador.{someone['documentNumber']}@example.org",
        "groups": [ADMINISTRATOR],
        "enabled": True,
        "totpEnabled": False,
        "status": "INVITED",
        "invited": True,
    }
    assert groups_in_pool(aws["pool_id"], username) == {ADMINISTRATOR}
    (mail,) = outbox_messages(aws["queue_url"])
    assert mail["template"] == "operator-invitation" and mail["to"] == invited.json["email"]
    assert mail["data"]["nombre"] == invited.json["names"]
    token = token_from(mail)
    link = boto3.resource("dynamodb").Table("main").get_item(Key=token_key(tokens.token_hash(token)))["Item"]
    assert link["purpose"] == OPERATOR_INVITE and link["username"] == username
    (entry,) = [e for e in audit_entries(f"PERSON#{username}") if e["action"] == "OPERATOR_INVITED"]
    assert entry["actor"] == ADMIN and entry["sourceIp"] == "203.0.113.7" and entry["userAgent"] == "pytest"
    assert entry["details"] == {"operatorId": username, "groups": [ADMINISTRATOR], "invited": True}

    # before the password: no sign-in; the link sets it once
    login = {"documentType": "CC", "documentNumber": someone["documentNumber"], "password": GOOD_PASSWORD}
    assert call("POST", "/sessions", login).status == 401
    setup = {"token": token, "password": GOOD_PASSWORD, "passwordConfirmation": GOOD_PASSWORD}
    assert call("POST", "/password-setup", setup).status == 204
    assert call("POST", "/password-setup", setup).status == 400  # single use
    assert call("POST", "/sessions", login).status == 200
    # signed in, but /admin waits for TOTP (decision 0029), here the administrator's own route
    refused = call("GET", "/admin/operators", claims=claims(username, ADMINISTRATOR))
    assert refused.status == 403 and refused.json["code"] == "MFA_REQUIRED"
    listed = call("GET", "/admin/operators", claims=admin).json["items"]
    assert {item["operatorId"]: item["status"] for item in listed} == {ADMIN: "ACTIVE", username: "ACTIVE"}


def test_a_registered_person_only_joins_the_groups_and_an_operator_is_not_invited_twice(aws, admin):
    someone = free_person(91)
    registered(someone, aws["queue_url"])
    username = username_of(someone)
    body = invite_body(someone, CATALOG, AUDITOR, names="Nombre Tecleado", email="otro@example.org")
    joined = call("POST", "/admin/operators", body, claims=admin)
    assert joined.status == 201, joined
    assert joined.json["invited"] is False and joined.json["status"] == "ACTIVE"
    assert joined.json["email"] == someone["email"]  # their own e-mail stays; the typed one is not used
    assert joined.json["groups"] == sorted([CATALOG, AUDITOR])
    assert groups_in_pool(aws["pool_id"], username) == {CATALOG, AUDITOR}
    assert outbox_messages(aws["queue_url"]) == []
    again = call("POST", "/admin/operators", body, claims=admin)
    assert again.status == 409 and again.json["code"] == "OPERATOR_EXISTS"


def test_inviting_again_before_the_password_sends_a_new_link_and_the_old_one_stops_working(aws, admin):
    someone = free_person(92)
    assert call("POST", "/admin/operators", invite_body(someone, REVIEWER), claims=admin).status == 201
    first = token_from(outbox_messages(aws["queue_url"])[0])
    again = call("POST", "/admin/operators", invite_body(someone, AUDITOR), claims=admin)
    assert again.status == 201 and again.json["invited"] is True and again.json["groups"] == [AUDITOR]
    second = token_from(outbox_messages(aws["queue_url"])[0])
    setup = {"password": GOOD_PASSWORD, "passwordConfirmation": GOOD_PASSWORD}
    assert call("POST", "/password-setup", {"token": first, **setup}).status == 400
    assert call("POST", "/password-setup", {"token": second, **setup}).status == 204


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"groups": []}, "groups"),
        ({"groups": ["ministerio-otro"]}, "groups.0"),
        ({"groups": [REVIEWER, REVIEWER]}, "groups"),
        ({"email": "no-es-correo"}, "email"),
        ({"documentType": "XX"}, "documentType"),
        ({"role": "admin"}, "role"),
        ({"names": "R2D2"}, "names"),
    ],
)
def test_invitations_are_validated_field_by_field(aws, admin, changes, field):
    answer = call("POST", "/admin/operators", invite_body(free_person(93), **changes), claims=admin)
    assert answer.status == 422, answer
    assert field in {error["field"] for error in answer.json["errors"]}, answer.json


def test_a_document_the_reference_source_does_not_know_needs_the_names(aws, admin):
    stranger = {"documentType": "CC", "documentNumber": "1099999999"}
    missing = call("POST", "/admin/operators", invite_body(stranger), claims=admin)
    assert missing.status == 422 and missing.json["errors"][0]["field"] == "names"
    named = call("POST", "/admin/operators", invite_body(stranger, names="Ana María Ruiz"), claims=admin)
    assert named.status == 201 and named.json["names"] == "Ana María Ruiz"


def test_only_the_administrator_group_reaches_these_routes(aws, admin):
    target = username_of(free_person(94))
    routes = [
        ("GET", "/admin/operators", None),
        ("POST", "/admin/operators", invite_body(free_person(94))),
        ("PATCH", f"/admin/operators/{ADMIN}", {"groups": [ADMINISTRATOR], "reason": "Prueba de permisos"}),
        ("POST", "/admin/people/CC/12345678/unlock", {"reason": "Prueba de permisos"}),
    ]
    callers = [
        operator_in_pool(aws["pool_id"], f"CC-7900001{i}", group)
        for i, group in enumerate(sorted(OPERATOR_GROUPS - {ADMINISTRATOR}))
    ]
    callers.append(claims("CC-79000020"))  # a citizen
    callers.append(claims("CC-79000021", ADMINISTRATOR))  # a token that claims the group the pool does not give
    for method, path, body in routes:
        for caller in callers:
            answer = call(method, path, body, claims=caller)
            assert (answer.status, answer.json["code"]) == (403, "FORBIDDEN"), (method, path, caller)
        assert call(method, path, body).status == 401
    assert (
        boto3.client("cognito-idp").list_users(UserPoolId=aws["pool_id"], Filter=f'username = "{target}"')["Users"]
        == []
    )  # the refused invitation created nothing


def test_groups_change_with_a_reason_and_the_administrator_cannot_lock_themselves_out(aws, admin):
    other = operator_in_pool(aws["pool_id"], OTHER_ADMIN, ADMINISTRATOR)
    change = {"groups": [CATALOG, AUDITOR], "reason": "Pasa al grupo de catálogo"}
    changed = call("PATCH", f"/admin/operators/{OTHER_ADMIN}", change, claims=admin)
    assert changed.status == 200, changed
    assert changed.json["groups"] == sorted([CATALOG, AUDITOR])
    assert groups_in_pool(aws["pool_id"], OTHER_ADMIN) == {CATALOG, AUDITOR}
    (entry,) = [e for e in audit_entries(f"PERSON#{OTHER_ADMIN}") if e["action"] == "OPERATOR_UPDATED"]
    assert entry["actor"] == ADMIN and entry["details"]["reason"] == "Pasa al grupo de catálogo"
    assert entry["details"]["groupsBefore"] == [ADMINISTRATOR]
    assert entry["details"]["groupsAfter"] == sorted([CATALOG, AUDITOR])
    # the one demoted is refused at once by this container's check (a refusal is never remembered)...
    ministry.forget()
    assert call("GET", "/admin/operators", claims=other).status == 403

    for body in (
        {"groups": [CATALOG], "reason": "Me quito el grupo"},
        {"enabled": False, "reason": "Me deshabilito"},
    ):
        refused = call("PATCH", f"/admin/operators/{ADMIN}", body, claims=admin)
        assert refused.status == 409 and refused.json["code"] == "OPERATOR_SELF_LOCKOUT", refused
    assert groups_in_pool(aws["pool_id"], ADMIN) == {ADMINISTRATOR}
    keeps = call(
        "PATCH", f"/admin/operators/{ADMIN}", {"groups": [ADMINISTRATOR, AUDITOR], "reason": "Auditoría"}, claims=admin
    )
    assert keeps.status == 200 and keeps.json["groups"] == [ADMINISTRATOR, AUDITOR]


def test_a_disabled_operator_is_signed_out_everywhere_and_can_be_enabled_again(aws, admin):
    someone = free_person(90)
    registered(someone, aws["queue_url"])
    username = username_of(someone)
    assert call("POST", "/admin/operators", invite_body(someone, REVIEWER), claims=admin).status == 201
    login = {"documentType": "CC", "documentNumber": someone["documentNumber"], "password": GOOD_PASSWORD}
    session = call("POST", "/sessions", login).json
    disabled = call("PATCH", f"/admin/operators/{username}", {"enabled": False, "reason": "Retiro"}, claims=admin)
    assert disabled.status == 200 and disabled.json["enabled"] is False
    user = boto3.client("cognito-idp").admin_get_user(UserPoolId=aws["pool_id"], Username=username)
    assert user["Enabled"] is False
    assert call("POST", "/sessions/refresh", {"refreshToken": session["refreshToken"]}).status == 401
    assert call("POST", "/sessions", login).status == 401
    enabled = call("PATCH", f"/admin/operators/{username}", {"enabled": True, "reason": "Reintegro"}, claims=admin)
    assert enabled.status == 200 and enabled.json["enabled"] is True
    assert call("POST", "/sessions", login).status == 200


def test_changes_are_validated_and_only_operators_can_be_changed(aws, admin):
    path = f"/admin/operators/{ADMIN}"
    no_reason = call("PATCH", path, {"groups": [ADMINISTRATOR]}, claims=admin)
    assert no_reason.status == 422 and no_reason.json["errors"][0]["field"] == "reason"
    nothing = call("PATCH", path, {"reason": "Nada que cambiar"}, claims=admin)
    assert nothing.status == 422 and nothing.json["errors"][0]["field"] == "groups"
    unknown = call("PATCH", path, {"reason": "Campo extra", "enabled": True, "role": "x"}, claims=admin)
    assert unknown.status == 422
    assert (
        call("PATCH", "/admin/operators/CC-12345678", {"enabled": True, "reason": "No existe"}, claims=admin).status
        == 404
    )
    citizen = free_person(91)
    registered(citizen, aws["queue_url"])  # a person, but no operator
    assert (
        call(
            "PATCH",
            f"/admin/operators/{username_of(citizen)}",
            {"enabled": False, "reason": "No es operador"},
            claims=admin,
        ).status
        == 404
    )
    assert (
        call("PATCH", "/admin/operators/not-a-username", {"enabled": True, "reason": "Mal"}, claims=admin).status == 422
    )


def test_the_list_pages_with_tokens_a_client_cannot_alter(aws, admin):
    for number in ("79000003", "79000004", "79000005"):
        operator_in_pool(aws["pool_id"], f"CC-{number}", AUDITOR, totp=number != "79000004")
    seen, token = [], None
    while True:
        query = {"limit": "2", **({"pageToken": token} if token else {})}
        page = call("GET", "/admin/operators", claims=admin, query=query)
        assert page.status == 200, page
        seen += page.json["items"]
        token = page.json["nextPageToken"]
        if not token:
            break
    assert [item["operatorId"] for item in seen] == ["CC-79000001", "CC-79000003", "CC-79000004", "CC-79000005"]
    assert [item["totpEnabled"] for item in seen] == [True, True, False, True]
    for bad in ("garbage", "eyJhZnRlciI6ICIuLi8ifQ", "eyJQSyI6ICJQRVJTT04jQ0MtMSJ9"):  # not a token / "../" / a key
        answer = call("GET", "/admin/operators", claims=admin, query={"pageToken": bad})
        assert answer.status == 422 and answer.json["errors"][0]["field"] == "pageToken", answer
    assert call("GET", "/admin/operators", claims=admin, query={"limit": "101"}).status == 422
    unknown = call("GET", "/admin/operators", claims=admin, query={"group": "ministerio"})
    assert unknown.status == 422 and unknown.json["errors"][0]["field"] == "group"
