"""Pure rules of the registration area: password policy, question building, body models, settings."""

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from registration import questions
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


def test_short_names_do_not_block_passwords():
    # a two-letter name ("Al") would forbid half the dictionary; only names of 3+ letters count
    assert passwords.check("Algoritmos y datos 2026!", ["Al"]) is None


def test_tokens_are_long_and_only_the_hash_is_kept():
    token = tokens.new_token()
    assert len(token) >= 43 and tokens.token_hash(token) != token and len(tokens.token_hash(token)) == 64
    assert tokens.new_token() != token


def test_bank_has_every_fact_with_plausible_distractors():
    bank = questions.build_bank(questions.Facts(person=ADA, employer_name=None), "seed-1", 2026)
    by_kind = {entry["kind"]: entry for entry in bank}
    assert set(by_kind) == {"eps", "pensionFund", "employer", "affiliationYear", "municipality"}
    for entry in bank:
        assert len(entry["options"]) == 5 and len(set(entry["options"])) == 5
    assert by_kind["eps"]["options"][0] == "Aliansalud EPS"
    assert by_kind["employer"]["options"][0] == questions.NONE_KEY  # no employer: "none of the above"
    years = sorted(int(year) for year in by_kind["affiliationYear"]["options"])
    assert years == list(range(years[0], years[0] + 5)) and 2005 in years
    # San Andrés has two municipalities: the question still gets four distractors
    municipality = by_kind["municipality"]["options"]
    assert municipality[0].startswith("San Andrés") and len(municipality) == 5


def test_distractors_are_stable_per_person_and_differ_between_people():
    facts = questions.Facts(person=ADA, employer_name="Industrias Daza Becerra S.A.S.")
    first = questions.build_bank(facts, "seed-1", 2026)
    assert questions.build_bank(facts, "seed-1", 2026) == first
    other = questions.build_bank(facts, "seed-2", 2026)
    assert [e["options"] for e in other] != [e["options"] for e in first]
    employer = next(e for e in first if e["kind"] == "employer")
    assert employer["options"][0] == "Industrias Daza Becerra S.A.S." and questions.NONE_KEY in employer["options"]
    assert all(name.endswith(("S.A.S.", "S.A.", "Ltda.")) for name in employer["options"][1:-1])


def test_the_right_year_is_not_always_in_the_middle_and_never_in_the_future():
    positions = set()
    for seed in range(40):
        entry = questions._year(f"s{seed}", 2010, 2026)
        positions.add(sorted(entry["options"]).index("2010"))
    assert positions == {0, 1, 2, 3, 4}
    recent = questions._year("s", 2026, 2026)
    assert max(int(year) for year in recent["options"]) == 2026


def test_a_set_hides_the_answers_and_scores_them():
    bank = questions.build_bank(questions.Facts(person=ADA, employer_name=None), "seed-1", 2026)
    question_set = questions.new_set(bank, 4)
    assert len(question_set["questions"]) == 4
    shown = questions.public_questions(question_set, "es")
    assert all("correct" not in question for question in shown)
    assert any(option["text"] == "Ninguna de las anteriores" for q in shown for option in q["options"]) or all(
        q["kind"] != "employer" for q in question_set["questions"]
    )
    right = {q["questionId"]: q["correct"] for q in question_set["questions"]}
    assert questions.score(question_set, right) == 4
    assert questions.score(question_set, {}) == 0


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
        "LOGIN_LOCKED",
        "INVALID_REFRESH_TOKEN",
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
    "OUTBOX_QUEUE_URL": "q",
    "PORTAL_BASE_URL": "https://portal.example/",
}


def test_settings_have_recorded_defaults_and_refuse_an_unreachable_minimum(monkeypatch):
    for name, value in REQUIRED_ENV.items():
        monkeypatch.setenv(name, value)
    settings = RegistrationSettings()  # type: ignore[call-arg]
    assert (settings.identity_questions, settings.identity_min_correct, settings.identity_max_attempts) == (4, 3, 3)
    assert settings.identity_lock_hours == 24 and settings.setup_token_hours == 24
    assert settings.portal_base_url == "https://portal.example"
    monkeypatch.setenv("IDENTITY_MIN_CORRECT", "5")
    with pytest.raises(ValidationError):
        RegistrationSettings()  # type: ignore[call-arg]
    monkeypatch.delenv("MAIN_TABLE_NAME")
    monkeypatch.setenv("IDENTITY_MIN_CORRECT", "3")
    with pytest.raises(ValidationError):
        RegistrationSettings()  # type: ignore[call-arg]


def test_small_departments_exist_in_the_catalog():
    # the municipality question relies on filling distractors from other departments for these
    assert len(catalogs.municipalities_of("88")) < 5
