"""TOTP enrolment and sign-in with the second factor (decision 0029), and what the API no longer hands out
(Cognito's access token, decision 0027), through the registration lambda_handler on moto.

Codes are computed with pyotp at the controlled clock's time (sat_common.clock), as an authenticator app would.
"""

from datetime import timedelta

import boto3
import pyotp
import pytest

from sat_common import clock
from tests.integration.test_registration_flow import (
    GOOD_PASSWORD,
    audit_actions,
    aws_resources,  # noqa: F401  (the "aws" fixture)
    call,
    free_person,
    registered,
)

WRONG = "No es la contraseña 123"


def claims_of(someone: dict) -> dict[str, str]:
    return {"sub": f"sub-{someone['documentNumber']}", "cognito:username": f"CC-{someone['documentNumber']}"}


def login(someone: dict, password: str = GOOD_PASSWORD, source_ip: str | None = None):
    body = {"documentType": someone["documentType"], "documentNumber": someone["documentNumber"], "password": password}
    return call("POST", "/sessions", body, source_ip=source_ip)


def code(secret: str, seconds_from_now: int = 0) -> str:
    return pyotp.TOTP(secret).at(clock.epoch() + seconds_from_now)


def wrong_code(secret: str) -> str:
    """A code no step the API accepts now (the current one, one either side) could give."""
    accepted = {code(secret, offset) for offset in (-30, 0, 30)}
    return next(candidate for candidate in ("000000", "111111", "222222", "333333") if candidate not in accepted)


def enrolled(someone: dict) -> str:
    """Registered, TOTP started and confirmed; the secret the person's app holds."""
    started = call("POST", "/me/mfa/totp", claims=claims_of(someone))
    assert started.status == 200, started
    secret = started.json["secretCode"]
    assert call("PUT", "/me/mfa/totp", {"code": code(secret)}, claims=claims_of(someone)).status == 204
    clock.advance(timedelta(seconds=30))  # the enrolment's code is used: sign-ins come a step later
    return secret


@pytest.fixture(name="someone")
def registered_person(aws):
    person = free_person(50)  # this module's slice of the free pool: 50-59 (fresh moto per test)
    registered(person, aws["queue_url"])
    return person


def test_enrolment_gives_a_secret_for_an_app_and_needs_its_code(aws, someone):
    started = call("POST", "/me/mfa/totp", claims=claims_of(someone))
    assert started.status == 200, started
    secret = started.json["secretCode"]
    assert len(secret) == 32 and started.json["otpauthUri"].startswith("otpauth://totp/")
    assert f"secret={secret}" in started.json["otpauthUri"]
    wrong = call("PUT", "/me/mfa/totp", {"code": wrong_code(secret)}, claims=claims_of(someone))
    assert wrong.status == 422 and wrong.json["code"] == "MFA_CODE_INVALID"
    assert wrong.json["errors"][0]["field"] == "code"
    assert login(someone).json.get("idToken")  # not enabled yet: the password alone still signs in
    assert call("PUT", "/me/mfa/totp", {"code": code(secret)}, claims=claims_of(someone)).status == 204
    again = call("POST", "/me/mfa/totp", claims=claims_of(someone))  # a session alone never replaces it
    assert again.status == 409 and again.json["code"] == "MFA_ALREADY_ENABLED"
    item = (
        boto3.resource("dynamodb")
        .Table("main")
        .get_item(Key={"PK": f"PERSON#CC-{someone['documentNumber']}", "SK": "MFA_TOTP"})["Item"]
    )
    assert item["status"] == "ENABLED" and secret not in str(item)  # stored only encrypted
    assert {"MFA_TOTP_ENROLMENT_STARTED", "MFA_TOTP_ENABLED"} <= set(
        audit_actions(f"PERSON#CC-{someone['documentNumber']}")
    )


def test_an_enrolment_left_unconfirmed_expires(aws, someone):
    secret = call("POST", "/me/mfa/totp", claims=claims_of(someone)).json["secretCode"]
    clock.advance(timedelta(minutes=15))
    late = call("PUT", "/me/mfa/totp", {"code": code(secret)}, claims=claims_of(someone))
    assert late.status == 409 and late.json["code"] == "MFA_ENROLMENT_NOT_STARTED"


def test_with_totp_on_the_password_gives_a_challenge_and_the_code_gives_the_tokens(aws, someone):
    secret = enrolled(someone)
    first = login(someone)
    assert first.status == 200 and set(first.json) == {"challenge", "session"}
    assert first.json["challenge"] == "SOFTWARE_TOKEN_MFA"
    session = first.json["session"]
    tokens = call("POST", "/sessions/mfa", {"session": session, "code": code(secret)})
    assert tokens.status == 200, tokens
    assert set(tokens.json) == {"idToken", "refreshToken", "expiresIn", "tokenType"}
    assert call("POST", "/sessions/refresh", {"refreshToken": tokens.json["refreshToken"]}).status == 200
    # the challenge is single use, and the code was used
    reused = call("POST", "/sessions/mfa", {"session": session, "code": code(secret)})
    assert reused.status == 401 and reused.json["code"] == "MFA_SESSION_INVALID"
    replay = call("POST", "/sessions/mfa", {"session": login(someone).json["session"], "code": code(secret)})
    assert replay.status == 401 and replay.json["code"] == "MFA_CODE_INVALID"
    # one step of drift either way is fine
    ahead = {"session": login(someone).json["session"], "code": code(secret, 30)}
    assert call("POST", "/sessions/mfa", ahead).status == 200
    actions = audit_actions(f"PERSON#CC-{someone['documentNumber']}")
    assert actions.count("LOGIN_MFA_REQUESTED") == 3 and "LOGIN_MFA_FAILED" in actions


def test_a_challenge_expires_and_five_wrong_codes_end_it(aws, someone):
    secret = enrolled(someone)
    session = login(someone).json["session"]
    clock.advance(timedelta(minutes=5))
    late = call("POST", "/sessions/mfa", {"session": session, "code": code(secret)})
    assert late.status == 401 and late.json["code"] == "MFA_SESSION_INVALID"
    session = login(someone).json["session"]
    wrong = wrong_code(secret)
    answers = [
        call("POST", "/sessions/mfa", {"session": session, "code": wrong}, source_ip=f"198.51.100.{n}").status
        for n in range(5)  # five sources: the challenge's own limit, not the delays, ends it
    ]
    assert answers == [401] * 5
    gone = call("POST", "/sessions/mfa", {"session": session, "code": code(secret)})
    assert gone.status == 401 and gone.json["code"] == "MFA_SESSION_INVALID"


def test_wrong_codes_count_as_failures_of_their_source_and_a_known_password_does_not_reset_them(aws, someone):
    secret = enrolled(someone)
    attacker = "198.51.100.80"
    wrong = wrong_code(secret)
    for _ in range(5):  # each time the right password, then a wrong code
        session = login(someone, source_ip=attacker).json["session"]
        assert call("POST", "/sessions/mfa", {"session": session, "code": wrong}, source_ip=attacker).status == 401
    delayed = login(someone, source_ip=attacker)
    assert delayed.status == 429 and delayed.headers["retry-after"] == "30"
    owner = login(someone, source_ip="203.0.113.7")  # the owner's own source is not delayed
    assert owner.status == 200 and "session" in owner.json


def test_the_api_hands_out_no_cognito_access_token(aws, someone):
    """Decision 0027: an access token opens Cognito's ChangePassword, UpdateUserAttributes, DeleteUser..."""
    session = login(someone).json
    assert "accessToken" not in session
    refreshed = call("POST", "/sessions/refresh", {"refreshToken": session["refreshToken"]}).json
    assert "accessToken" not in refreshed


def test_the_refresh_token_is_bound_to_its_account(aws, someone):
    session = login(someone).json
    username, _, cognito_token = session["refreshToken"].partition("~")
    assert username == f"CC-{someone['documentNumber']}"
    for forged in (cognito_token, f"CC-1999999999~{cognito_token}", f"{username}~garbage", "x~y~z"):
        answer = call("POST", "/sessions/refresh", {"refreshToken": forged})
        assert answer.status == 401 and answer.json["code"] == "INVALID_REFRESH_TOKEN", forged
