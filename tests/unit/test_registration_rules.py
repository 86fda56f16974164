"""Pure rules of the registration area: password policy, question building, body models, settings."""

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from registration.config import RegistrationSettings
from registration.models import BasicData, Contact
from sat_common import catalogs, clock, passwords, tokens
from sat_common.reference import IdentityFacts, Person

ADA = Person(
    documentType="CC",
    documentNumber="52123456",
    firstName="Ada",
    middleName="María",
    firstSurname="Lovelace",
    secondSurname=None,
    birthDate=date(1985, 12, 10),
    expeditionDate=date(2004, 1, 5),
    email="ada@example.com",
    facts=IdentityFacts(
        eps="EPS001", pensionFund="25-14", employerNit=None, affiliationYear=2005, municipalityCode="88001"
    ),
)


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("a" * 11, "password_too_short"),
        ("ñ" * 129, "password_too_long"),
        ("qwerty123456", "password_common"),
        ("Contraseña2024", "password_common"),
        ("bogota123456789", "password_common"),
        # a common password or Spanish phrase with a year and symbols around it (decision 0025)
        ("contraseña segura 2026", "password_common"),
        ("password2026!!", "password_common"),
        ("p4ssw0rd2026!!", "password_common"),
        ("Colombia2026!!", "password_common"),
        ("salud ministerio 2026", "password_common"),
        ("Caja de compensación 2026", "password_common"),
        ("a" * 100, "password_common"),  # past zxcvbn's 72 characters: estimated, not a 500
        ("mi cedula 52123456 ok", "password_personal_data"),
        ("LOVELACE-sobre-el-puente", "password_personal_data"),
        ("Lóvelace viaja en tren 9", "password_personal_data"),
    ],
)
def test_password_policy_rejects(password, rule):
    violation = passwords.check(password, ["52123456", "Ada", "María", "Lovelace", None])
    assert violation is not None and violation.rule == rule


@pytest.mark.parametrize(
    "password",
    [
        "Tres tristes tigres comen trigo",
        "el café de las 4 y media!",
        "😀 emoji largo con espacios 12",
        "A" * 3 + "zq9!Xw#4Lp0v",
    ],
)
def test_password_policy_accepts_long_unpredictable_passwords_without_composition_rules(password):
    assert passwords.check(password, ["52123456", "Ada", "Lovelace"]) is None


@pytest.mark.parametrize("length", [72, 73, 100, 128])
def test_long_passwords_are_estimated_not_refused(length):
    # zxcvbn raises past 72 characters (the API answered 500): long passphrases are estimated in pieces
    phrase = ("Cuatro caballos cruzan la sabana de Bogotá al amanecer, sin prisa y sin miedo. " * 2)[:length]
    assert passwords.check(phrase, ["52123456", "Ada", "Lovelace"]) is None
    assert passwords.check(phrase + "x", []) == (
        None if length < passwords.MAX_LENGTH else passwords.Violation("password_too_long", {"max_length": 128})
    )


def test_the_common_password_list_is_large_and_shipped():
    common = passwords._common_passwords()
    assert len(common) >= 100_000 and all(word in common for word in ("password", "123456", "contraseña", "colombia"))


def test_short_names_do_not_block_passwords():
    # a two-letter name ("Al") would forbid half the dictionary; only names of 3+ letters count
    assert passwords.check("Algoritmos y datos 2026!", ["Al"]) is None


def test_tokens_are_long_and_only_the_hash_is_kept():
    token = tokens.new_token()
    assert len(token) >= 43 and tokens.token_hash(token) != token and len(tokens.token_hash(token)) == 64
    assert tokens.new_token() != token


# The identity questions (decision 0026): tests/unit/test_identity_questions.py


def basic(**changes):
    data = {
        "documentType": "CC",
        "documentNumber": "52123456",
        "firstName": "Ada",
        "firstSurname": "Lovelace",
        "birthDate": "1985-12-10",
        "expeditionDate": "2004-01-05",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "error_type"),
    [
        ({"documentType": "XX"}, "unknown_document_type"),
        ({"documentNumber": "0123456"}, "document_number_format"),
        ({"documentType": "TI", "documentNumber": "123"}, "document_number_format"),
        ({"documentType": "PA", "documentNumber": "ab-12"}, "document_number_format"),
        ({"firstName": "Ad@"}, "name_format"),
        ({"expeditionDate": "1985-12-10"}, "expedition_before_birth"),
        ({"nickname": "x"}, "extra_forbidden"),
    ],
)
def test_basic_data_rules(changes, error_type):
    with pytest.raises(ValidationError) as raised:
        BasicData.model_validate(basic(**changes))
    assert error_type in {error["type"] for error in raised.value.errors()}


def test_basic_data_normalizes_passport_letters_and_spaces():
    data = BasicData.model_validate(basic(documentType="PA", documentNumber="xy6144851", firstName=" Ana  Lucía "))
    assert data.documentNumber == "XY6144851" and data.firstName == "Ana Lucía"


def test_dates_in_the_future_follow_the_clock():
    clock.freeze(datetime(2030, 1, 1, tzinfo=UTC))
    try:
        BasicData.model_validate(basic(expeditionDate="2029-12-31"))
        clock.advance(timedelta(days=-10))
        with pytest.raises(ValidationError):
            BasicData.model_validate(basic(expeditionDate="2029-12-31"))
    finally:
        clock.reset()


def contact(**changes):
    data = {
        "departmentCode": "05",
        "municipalityCode": "05001",
        "zone": "RURAL",
        "address": "Vereda El Hato",
        "phone": "604 444 5555",
        "mobile": "+57 320 555 1234",
        "email": "Ana@Example.COM",
        "consentEmail": False,
        "consentSms": False,
    }
    data.update(changes)
    return data


def test_contact_normalizes_phones_and_email():
    parsed = Contact.model_validate(contact())
    assert parsed.phone == "+576044445555" and parsed.mobile == "+573205551234"
    assert parsed.email == "Ana@example.com"  # the domain is case-insensitive, the local part is kept
    assert parsed.locality is None


@pytest.mark.parametrize(
    ("changes", "error_type"),
    [
        ({"municipalityCode": "11001"}, "divipola_mismatch"),
        ({"phone": "6092345678"}, "fixed_phone_format"),
        ({"phone": "2123456"}, "fixed_phone_format"),
        ({"mobile": "3991234567"}, "mobile_phone_format"),
        ({"mobile": "30012345678"}, "mobile_phone_format"),
        ({"consentSms": None}, "bool_type"),
        ({"consentEmail": "true"}, "bool_type"),
    ],
)
def test_contact_rules(changes, error_type):
    with pytest.raises(ValidationError) as raised:
        Contact.model_validate(contact(**changes))
    assert error_type in {error["type"] for error in raised.value.errors()}


def test_every_message_key_the_area_raises_is_translated():
    from sat_common.i18n import ENGLISH, FIELD_MESSAGES, PROBLEMS, SPANISH

    keys = {
        "unknown_document_type",
        "document_number_format",
        "name_format",
        "date_in_future",
        "expedition_before_birth",
        "divipola_mismatch",
        "fixed_phone_format",
        "mobile_phone_format",
        "email_format",
        "answers_not_current",
        "password_mismatch",
        "password_too_short",
        "password_too_long",
        "password_personal_data",
        "password_common",
        "too_long",
        "mfa_code_invalid",
    }
    for key in keys:
        assert set(FIELD_MESSAGES[key]) == {SPANISH, ENGLISH}, key
    codes = {
        "REGISTRATION_NOT_VERIFIED",
        "ALREADY_REGISTERED",
        "REGISTRATION_IN_PROGRESS",
        "DOCUMENT_LOCKED",
        "REGISTRATION_NOT_FOUND",
        "IDENTITY_NOT_VERIFIED",
        "QUESTIONS_ALREADY_ANSWERED",
        "REGISTRATION_STEP_NOT_ALLOWED",
        "EMAIL_RESEND_LIMITED",
        "EMAIL_NOT_SENT",
        "SETUP_TOKEN_INVALID",
        "PASSWORD_MISMATCH",
        "PASSWORD_POLICY",
        "INVALID_CREDENTIALS",
        "LOGIN_DELAYED",
        "INVALID_REFRESH_TOKEN",
        "MFA_CODE_INVALID",
        "MFA_SESSION_INVALID",
        "MFA_REQUIRED",
        "MFA_ALREADY_ENABLED",
        "MFA_ENROLMENT_NOT_STARTED",
    }
    for code in codes:
        assert set(PROBLEMS[code]) == {SPANISH, ENGLISH}, code


REQUIRED_ENV = {
    "STAGE": "t",
    "POWERTOOLS_SERVICE_NAME": "registration",
    "MAIN_TABLE_NAME": "m",
    "REFERENCE_TABLE_NAME": "r",
    "AUDIT_TABLE_NAME": "a",
    "PEOPLE_USER_POOL_ID": "p",
    "PEOPLE_USER_POOL_CLIENT_ID": "c",
    "MFA_KEY_ID": "k",
    "OUTBOX_QUEUE_URL": "q",
    "PORTAL_BASE_URL": "https://portal.example/",
}


def test_settings_have_recorded_defaults_and_refuse_an_unreachable_minimum(monkeypatch):
    for name, value in REQUIRED_ENV.items():
        monkeypatch.setenv(name, value)
    settings = RegistrationSettings()  # type: ignore[call-arg]
    assert (settings.identity_options, settings.identity_max_attempts) == (12, 3)  # decision 0026
    assert (settings.identity_lock_hours, settings.identity_long_lock_days, settings.identity_failure_memory_days) == (
        24,
        30,
        30,
    )
    assert settings.setup_token_hours == 24
    assert settings.portal_base_url == "https://portal.example"
    monkeypatch.setenv("IDENTITY_OPTIONS", "3")  # fewer options than "none of the above" needs to hide anything
    with pytest.raises(ValidationError):
        RegistrationSettings()  # type: ignore[call-arg]
    monkeypatch.delenv("MAIN_TABLE_NAME")
    monkeypatch.setenv("IDENTITY_OPTIONS", "12")
    with pytest.raises(ValidationError):
        RegistrationSettings()  # type: ignore[call-arg]


def test_small_departments_exist_in_the_catalog():
    # the municipality question relies on filling distractors from other departments for these
    assert len(catalogs.municipalities_of("88")) < 5
