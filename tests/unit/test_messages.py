"""The message tables as data files (sat_common/messages/*.json) shared by the functions and API Gateway's own
answers, and times shown to people in Colombian time, in their words."""

import json
import string
from datetime import UTC, datetime
from pathlib import Path

import pytest

from infra.components.api import GATEWAY_RESPONSES, problem_template
from infra.components.messages import gateway_problem
from infra.components.portal_errors import ERROR_PAGES, render
from sat_common.colombian_time import colombian_time
from sat_common.errors import FieldError
from sat_common.i18n import ENGLISH, FIELD_MESSAGES, MESSAGES_DIR, PROBLEMS, SPANISH, field_message
from sat_common.problem import problem_body

GATEWAY_CODES = sorted({code for _, _, (code, _, _) in GATEWAY_RESPONSES} | {page.code for page in ERROR_PAGES})


@pytest.mark.parametrize("code", GATEWAY_CODES)
def test_every_code_the_gateway_answers_is_in_the_data_file_in_spanish_and_english(code: str) -> None:
    assert set(PROBLEMS[code]) == {SPANISH, ENGLISH}
    assert all(title and detail for title, detail in PROBLEMS[code].values())


def test_the_gateway_answers_the_functions_titles_and_details_except_its_named_variants() -> None:
    variants = json.loads(Path(MESSAGES_DIR, "problems.json").read_text())["general"]
    for _, status, (code, title, detail) in GATEWAY_RESPONSES:
        es_title, es_detail = PROBLEMS[code][SPANISH]
        assert title == es_title, code
        if "gateway" in variants.get(code, {}):
            assert detail == variants[code]["gateway"][SPANISH]["detail"]
        else:
            assert detail == es_detail, code
        # a gateway response is a static Velocity template: no placeholder left to fill, no `$`/`#` but the id
        assert "{" not in detail and "$" not in detail and "#" not in detail, code
        body = json.loads(problem_template(status, code, title, detail).replace("$context.requestId", "r-1"))
        assert (body["code"], body["title"], body["detail"]) == (code, es_title, detail)
    # VALIDATION_FAILED's own detail points at a list of errors the gateway cannot give: it keeps its variant
    assert gateway_problem("VALIDATION_FAILED")[2] == "La solicitud no es válida."
    assert PROBLEMS["VALIDATION_FAILED"][SPANISH][1] != "La solicitud no es válida."


def test_the_portal_error_pages_show_their_problem_texts() -> None:
    blocked = next(page for page in ERROR_PAGES if page.code == "REQUEST_BLOCKED")
    html = render(blocked)
    assert "<h1>Solicitud bloqueada</h1>" in html and "Por seguridad no pudimos atender esta solicitud." in html
    assert all("#" not in page.text and "$" not in page.text for page in ERROR_PAGES)


def test_every_message_has_spanish_and_english_and_only_known_placeholder_specs() -> None:
    templates = [text for entry in PROBLEMS.values() for pair in entry.values() for text in pair]
    templates += [text for entry in FIELD_MESSAGES.values() for text in entry.values()]
    assert all(set(entry) == {SPANISH, ENGLISH} for entry in [*PROBLEMS.values(), *FIELD_MESSAGES.values()])
    specs = {spec for text in templates for _, name, spec, _ in string.Formatter().parse(text) if name}
    assert specs <= {"", "time"}


def test_a_locked_document_reads_its_end_in_colombian_time_while_the_member_keeps_rfc_3339() -> None:
    until = "2026-11-21T15:00:00.000Z"
    params, extra = {"lockedUntil": until}, {"lockedUntil": until}
    spanish = problem_body("DOCUMENT_LOCKED", 423, SPANISH, params, extra=extra)
    assert "bloqueado hasta el 21/11/2026 10:00 a. m. (hora de Colombia) por respuestas" in str(spanish["detail"])
    assert "UTC" not in str(spanish["detail"]) and spanish["lockedUntil"] == until
    english = problem_body("DOCUMENT_LOCKED", 423, ENGLISH, params, extra=extra)
    assert "locked until 21 Nov 2026 10:00 (Colombia time) because" in str(english["detail"])


def test_a_suspended_ccf_reads_since_when_in_colombian_time() -> None:
    params = {"nit": "860007336", "since": "2026-12-01T03:30:00.000Z", "reason": "Revisión"}
    body = problem_body("CCF_SUSPENDED", 403, SPANISH, params, extra={"since": params["since"]})
    # 03:30 UTC is still the day before in Colombia
    assert "el 30/11/2026 10:30 p. m. (hora de Colombia). Motivo: Revisión." in str(body["detail"])


def test_certificate_dates_in_field_messages_are_colombian_time() -> None:
    body = problem_body(
        "VALIDATION_FAILED",
        422,
        SPANISH,
        errors=[FieldError("publicKey", "certificate_expired", {"notAfter": "2025-01-01T00:00:00+00:00"})],
    )
    assert body["errors"] == [
        {"field": "publicKey", "message": "El certificado venció el 31/12/2024 7:00 p. m. (hora de Colombia)."}
    ]
    assert (
        field_message("certificate_not_yet_valid", {"notBefore": "2030-06-01T17:05:00Z"}, ENGLISH)
        == "The certificate is only valid from 01 Jun 2030 12:05 (Colombia time)."
    )


@pytest.mark.parametrize(
    ("value", "spanish", "english"),
    [
        ("2026-11-21T05:00:00Z", "21/11/2026 12:00 a. m.", "21 Nov 2026 00:00"),
        ("2026-11-21T17:00:00.000Z", "21/11/2026 12:00 p. m.", "21 Nov 2026 12:00"),
        (datetime(2027, 1, 2, 14, 7, tzinfo=UTC), "02/01/2027 9:07 a. m.", "02 Jan 2027 09:07"),
        ("2026-03-01T01:00:00", "28/02/2026 8:00 p. m.", "28 Feb 2026 20:00"),  # naive: UTC, as stored
    ],
)
def test_colombian_time_in_spanish_and_english(value: object, spanish: str, english: str) -> None:
    assert colombian_time(value, SPANISH) == f"{spanish} (hora de Colombia)"
    assert colombian_time(value, ENGLISH) == f"{english} (Colombia time)"


def test_a_value_that_is_not_an_instant_is_shown_as_given() -> None:
    assert colombian_time("", SPANISH) == ""
    assert colombian_time("pronto", SPANISH) == "pronto"
