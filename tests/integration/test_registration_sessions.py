"""Paso 5–6 on moto: password set-up (policy, single use, expiry), sign-in with per-source delays (decision
0028), refresh, /me, roles."""

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


def login_from(source_ip: str, someone: dict, password: str):
    body = {"documentType": someone["documentType"], "documentNumber": someone["documentNumber"], "password": password}
    return call("POST", "/sessions", body, source_ip=source_ip)


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


def test_failed_logins_delay_only_their_source_and_never_lock_the_owner(aws):
    """Decision 0028: four free failures, then the source waits 30 s, 60 s, 120 s... (429 + Retry-After);
    the owner, from another source, signs in all along."""
    someone = free_person(47)
    registered(someone, aws["queue_url"])
    attacker, owner = "198.51.100.66", "203.0.113.7"
    for _ in range(4):
        assert login_from(attacker, someone, "No es la contraseña 123").status == 401
    fifth = login_from(attacker, someone, "No es la contraseña 123")
    assert fifth.status == 401  # the fifth failure is answered, and starts the delay
    delayed = login_from(attacker, someone, GOOD_PASSWORD)  # even the right password waits
    assert delayed.status == 429 and delayed.json["code"] == "LOGIN_DELAYED"
    assert delayed.headers["retry-after"] == "30"
    assert login_from(owner, someone, GOOD_PASSWORD).status == 200  # another source: no delay at all
    clock.advance(timedelta(seconds=30))
    assert login_from(attacker, someone, "No es la contraseña 123").status == 401  # sixth: 60 s
    assert login_from(attacker, someone, GOOD_PASSWORD).headers["retry-after"] == "60"
    clock.advance(timedelta(seconds=60))
    assert login_from(attacker, someone, "No es la contraseña 123").status == 401  # seventh: 120 s
    # the owner's success elsewhere does not reset the attacker's count
    assert login_from(owner, someone, GOOD_PASSWORD).status == 200
    assert login_from(attacker, someone, GOOD_PASSWORD).headers["retry-after"] == "120"
    actions = audit_actions(f"PERSON#CC-{someone['documentNumber']}")
    assert actions.count("LOGIN_FAILED") == 7
    # a success from the source clears that source's count: the next failure is free again
    clock.advance(timedelta(seconds=120))
    assert login_from(attacker, someone, GOOD_PASSWORD).status == 200
    assert login_from(attacker, someone, "No es la contraseña 123").status == 401
    assert login_from(attacker, someone, GOOD_PASSWORD).status == 200


def test_delays_grow_to_the_ceiling_and_are_forgotten_after_a_day(aws):
    nobody = {"documentType": "CC", "documentNumber": "1999999997"}
    waits = []
    for _ in range(12):
        login_from("198.51.100.67", nobody, "Cualquier cosa 1234")
        answer = login_from("198.51.100.67", nobody, "Cualquier cosa 1234")
        waits.append(int(answer.headers.get("retry-after", 0)))
        clock.advance(timedelta(seconds=waits[-1]))
    assert waits[:4] == [0, 0, 30, 60] and max(waits) == 900 and waits[-1] == 900
    clock.advance(timedelta(hours=24))
    assert login_from("198.51.100.67", nobody, "Cualquier cosa 1234").status == 401
    assert login_from("198.51.100.67", nobody, "Cualquier cosa 1234").status == 401


def test_an_ipv6_source_is_its_slash_64(aws):
    nobody = {"documentType": "CC", "documentNumber": "1999999996"}
    for host in range(5):  # rotating addresses inside one /64 is one source
        assert login_from(f"2001:db8:0:1::{host + 1}", nobody, "Cualquier cosa 1234").status == 401
    assert login_from("2001:db8:0:1::ffff", nobody, "Cualquier cosa 1234").status == 429
    assert login_from("2001:db8:0:2::1", nobody, "Cualquier cosa 1234").status == 401


def test_unknown_usernames_are_delayed_the_same_way_so_a_delay_reveals_nothing(aws):
    nobody = {"documentType": "CC", "documentNumber": "1999999998"}
    answers = [login(nobody, "Cualquier cosa 1234").status for _ in range(6)]
    assert answers == [401, 401, 401, 401, 401, 429]


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
    # what the employer and delegation areas write (manual §5 "Registro de rol empleador", "Designación del autorizado")
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
    assert roles[1]["nit"] == "900527820" and roles[1]["since"] == "2026-11-20T15:00:00.000Z"


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
