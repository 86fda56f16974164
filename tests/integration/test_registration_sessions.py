"""Paso 5–6 on moto: password set-up (policy, single use, expiry), sign-in with lockout, refresh, /me, roles."""

from datetime import timedelta

import boto3

from sat_common import clock
from tests.integration.test_registration_flow import (
    GOOD_PASSWORD,
    audit_actions,
    aws_resources,  # noqa: F401  (the "aws" fixture)
    call,
    free_person,
    pending_password,
    registered,
)


def setup(token: str, password: str, confirmation: str | None = None, **kwargs):
    body = {
        "token": token,
        "password": password,
        "passwordConfirmation": password if confirmation is None else confirmation,
    }
    return call("POST", "/password-setup", body, **kwargs)


def login(someone: dict, password: str):
    return call(
        "POST",
        "/sessions",
        {"documentType": someone["documentType"], "documentNumber": someone["documentNumber"], "password": password},
    )


def test_mismatch_is_422_and_keeps_the_token_usable(aws):
    someone = free_person(40)
    token = pending_password(someone, aws["queue_url"])
    mismatch = setup(token, GOOD_PASSWORD, GOOD_PASSWORD + "!")
    assert mismatch.status == 422 and mismatch.json["code"] == "PASSWORD_MISMATCH"
    assert mismatch.json["errors"] == [{"field": "passwordConfirmation", "message": "No coincide con la contraseña."}]
    assert setup(token, GOOD_PASSWORD).status == 204


POLICY_CASES = [
    ("corta", "password_too_short", "Debe tener al menos 12 caracteres"),
    ("x" * 129 + " una frase", "password_too_long", "Debe tener como máximo 128 caracteres."),
    ("password1234", "password_common", "Es una contraseña común"),
    ("123456789012", "password_common", "Es una contraseña común"),
    ("contraseña12345", "password_common", "Es una contraseña común"),
    ("aaaaaaaaaaaaaaaa", "password_common", "Es una contraseña común"),
    ("{number} es mi clave secreta", "password_personal_data", "No puede contener su número de documento"),
    ("{surname} tiene frío en enero", "password_personal_data", "No puede contener su número de documento"),
]


def test_policy_violations_are_422_with_the_rule_and_keep_the_token(aws):
    someone = free_person(41)
    token = pending_password(someone, aws["queue_url"])
    for password, rule, message in POLICY_CASES:
        password = password.format(number=someone["documentNumber"], surname=someone["firstSurname"].upper())
        answer = setup(token, password)
        assert answer.status == 422, (password, answer)
        assert answer.json["code"] == "PASSWORD_POLICY" and answer.json["rule"] == rule, password
        assert answer.json["errors"][0]["field"] == "password"
        assert answer.json["errors"][0]["message"].startswith(message), password
    assert setup(token, GOOD_PASSWORD).status == 204


def test_policy_message_in_english(aws):
    token = pending_password(free_person(42), aws["queue_url"])
    answer = setup(token, "short", headers={"Accept-Language": "en"})
    assert answer.json["errors"][0]["message"].startswith("Must have at least 12 characters")


def test_token_is_single_use(aws):
    someone = free_person(43)
    token = pending_password(someone, aws["queue_url"])
    assert setup(token, GOOD_PASSWORD).status == 204
    reused = setup(token, "Otra frase distinta y larga 99")
    assert reused.status == 400 and reused.json["code"] == "SETUP_TOKEN_INVALID"
    assert login(someone, GOOD_PASSWORD).status == 200
    assert login(someone, "Otra frase distinta y larga 99").status == 401


def test_token_expires_after_24_hours(aws):
    someone = free_person(44)
    token = pending_password(someone, aws["queue_url"])
    clock.advance(timedelta(hours=24, seconds=1))
    expired = setup(token, GOOD_PASSWORD)
    assert expired.status == 400 and expired.json["code"] == "SETUP_TOKEN_INVALID"
    unknown = setup("A" * 43, GOOD_PASSWORD)
    assert unknown.status == 400 and unknown.json == expired.json
    malformed = setup("no spaces allowed", GOOD_PASSWORD)
    assert malformed.status == 422


def test_before_the_password_is_set_nobody_can_sign_in(aws):
    someone = free_person(45)
    pending_password(someone, aws["queue_url"])
    assert login(someone, GOOD_PASSWORD).status == 401


def test_wrong_credentials_are_one_generic_401(aws):
    someone = free_person(46)
    registered(someone, aws["queue_url"])
    wrong_password = login(someone, "No es la contraseña 123")
    unknown_person = login({"documentType": "CC", "documentNumber": "1999999999"}, GOOD_PASSWORD)
    assert wrong_password.status == unknown_person.status == 401
    assert wrong_password.json == unknown_person.json
    assert wrong_password.json["code"] == "INVALID_CREDENTIALS"


def test_five_failed_logins_lock_sign_in_for_15_minutes(aws):
    someone = free_person(47)
    registered(someone, aws["queue_url"])
    for _ in range(5):
        assert login(someone, "No es la contraseña 123").status == 401
    locked = login(someone, GOOD_PASSWORD)  # even the right password waits
    assert locked.status == 423 and locked.json["code"] == "LOGIN_LOCKED"
    assert locked.headers["retry-after"] == str(15 * 60)
    clock.advance(timedelta(minutes=15))
    assert login(someone, GOOD_PASSWORD).status == 200
    actions = audit_actions(f"PERSON#CC-{someone['documentNumber']}")
    assert actions.count("LOGIN_FAILED") == 4 and actions.count("LOGIN_LOCKED") == 1
    # a success resets the count
    for _ in range(4):
        login(someone, "No es la contraseña 123")
    assert login(someone, GOOD_PASSWORD).status == 200
    assert login(someone, "No es la contraseña 123").status == 401
    assert login(someone, GOOD_PASSWORD).status == 200


def test_unknown_usernames_lock_the_same_way_so_a_lock_reveals_nothing(aws):
    nobody = {"documentType": "CC", "documentNumber": "1999999998"}
    answers = [login(nobody, "Cualquier cosa 1234").status for _ in range(6)]
    assert answers == [401, 401, 401, 401, 401, 423]


def test_refresh_gives_new_tokens_and_rejects_garbage(aws):
    someone = free_person(48)
    registered(someone, aws["queue_url"])
    session = login(someone, GOOD_PASSWORD).json
    refreshed = call("POST", "/sessions/refresh", {"refreshToken": session["refreshToken"]})
    assert refreshed.status == 200
    assert refreshed.json["refreshToken"] is None and refreshed.json["tokenType"] == "Bearer"
    bad = call("POST", "/sessions/refresh", {"refreshToken": "garbage"})
    assert bad.status == 401 and bad.json["code"] == "INVALID_REFRESH_TOKEN"


def test_me_needs_the_authorizer_claims(aws):
    assert call("GET", "/me").status == 401
    assert call("GET", "/me/roles").json["code"] == "UNAUTHENTICATED"


def test_roles_list_plugs_in_stored_roles_and_the_ministry_group(aws):
    someone = free_person(49)
    registered(someone, aws["queue_url"])
    username = f"CC-{someone['documentNumber']}"
    table = boto3.resource("dynamodb").Table("main")
    # what the employer and delegation areas will write (issues to come)
    table.put_item(
        Item={
            "PK": f"PERSON#{username}",
            "SK": "ROLE#EMPLEADOR_PERSONA_JURIDICA#900527820",
            "role": "EMPLEADOR_PERSONA_JURIDICA",
            "name": "Empleador persona jurídica",
            "nit": "900527820",
            "businessName": "Inversiones Ejemplo S.A.S.",
            "status": "ACTIVE",
            "grantedAt": "2026-11-20T15:00:00Z",
        }
    )
    table.put_item(
        Item={
            "PK": f"PERSON#{username}",
            "SK": "ROLE#CAJA_DE_SUBSIDIO_FAMILIAR#827176340",
            "role": "CAJA_DE_SUBSIDIO_FAMILIAR",
            "name": "CAJA DE SUBSIDIO FAMILIAR",
            "nit": "827176340",
            "profile": "Autorizado para administrar servicios web externos",
            "status": "REVOKED",
        }
    )
    claims = {"sub": "s-1", "cognito:username": username, "cognito:groups": "ministerio"}
    roles = call("GET", "/me/roles", claims=claims).json["roles"]
    assert [role["role"] for role in roles] == ["PERSONA_NATURAL", "EMPLEADOR_PERSONA_JURIDICA", "MINISTERIO"]
    assert roles[1]["nit"] == "900527820" and roles[1]["since"] == "2026-11-20T15:00:00Z"


def test_me_for_an_account_made_outside_the_registration_flow(aws):
    claims = {
        "sub": "s-2",
        "cognito:username": "CC-63173063",
        "email": "denis.perez@example.org",
        "cognito:groups": "[ministerio]",
    }
    me = call("GET", "/me", claims=claims)
    assert me.status == 200
    assert me.json["documentType"] == "CC" and me.json["documentNumber"] == "63173063"
    assert me.json["email"] == "denis.perez@example.org" and me.json["contact"] is None
