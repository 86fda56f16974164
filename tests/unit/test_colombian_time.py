"""The variants of the one formatter of times for people (sat_common.colombian_time): where a label already says
"hora de Colombia", a time of day alone, a date alone; and the e-mails' dates, which people read in their words."""

from datetime import UTC, date, datetime

import pytest

from sat_common.colombian_time import colombian_clock, colombian_date, colombian_datetime, colombian_time


def test_without_the_suffix_where_the_label_says_hora_de_colombia() -> None:
    assert colombian_datetime("2026-12-01T13:00:09.250Z") == "01/12/2026 8:00 a. m."
    assert colombian_datetime("2026-12-01T13:00:09Z", seconds=True) == "01/12/2026 8:00:09 a. m."
    assert colombian_datetime(datetime(2026, 12, 2, 0, 30, tzinfo=UTC)) == "01/12/2026 7:30 p. m."  # the day before
    assert colombian_datetime(1_795_000_000) == colombian_time(1_795_000_000).removesuffix(" (hora de Colombia)")


def test_a_time_of_day_alone() -> None:
    assert colombian_clock("2026-12-01T09:05:00Z") == "4:05 a. m."
    assert colombian_clock("2026-12-01T17:00:30Z", seconds=True) == "12:00:30 p. m."


def test_a_calendar_date_is_never_shifted_and_an_instant_reads_its_colombian_day() -> None:
    assert colombian_date("2026-12-31") == "31/12/2026"
    assert colombian_date(date(2027, 1, 2)) == "02/01/2027"
    assert colombian_date("2026-12-01T02:00:00Z") == "30/11/2026"


@pytest.mark.parametrize("formatter", [colombian_datetime, colombian_clock, colombian_date])
def test_no_value_shows_nothing_and_a_value_that_is_not_a_time_shows_as_given(formatter) -> None:  # type: ignore[no-untyped-def]
    assert formatter(None) == "" and formatter("") == ""
    assert formatter("pendiente") == "pendiente"
