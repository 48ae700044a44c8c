from datetime import date

import pytest
from django.core.exceptions import ValidationError

from briefings.dates import PartialDate, Precision, validate_partial_date


@pytest.mark.parametrize(
    ("text", "precision", "display"),
    [
        ("2025-02-26", Precision.DAY, "26 February 2025"),
        ("2025-09", Precision.MONTH, "September 2025"),
        ("2025", Precision.YEAR, "2025"),
        ("--12-04", Precision.DAY_MONTH, "4 December, year not stated"),
    ],
)
def test_a_date_reads_at_the_precision_it_was_given(text, precision, display):
    value = PartialDate(text)
    assert value.precision == precision
    assert value.display() == display


def test_a_date_without_a_year_has_no_year_and_no_calendar_day():
    value = PartialDate("--12-04")
    assert (value.year, value.month, value.day) == (None, 12, 4)
    assert value.earliest() is None
    assert value.latest() is None


def test_a_month_spans_from_its_first_to_its_last_day():
    value = PartialDate("2024-02")
    assert value.earliest() == date(2024, 2, 1)
    assert value.latest() == date(2024, 2, 29)


def test_dates_sort_chronologically_as_text():
    texts = ["2025-09", "--12-04", "2025", "2024-12-31", "2025-09-22", "2025-02-26"]
    assert sorted(texts) == [
        "--12-04",
        "2024-12-31",
        "2025",
        "2025-02-26",
        "2025-09",
        "2025-09-22",
    ]


@pytest.mark.parametrize(
    "text", ["2025-13", "2025-02-30", "26/02/2025", "25", "2025-9-1", "--13-01", ""]
)
def test_impossible_or_foreign_forms_are_refused_with_a_message(text):
    with pytest.raises(ValidationError) as raised:
        validate_partial_date(text)
    assert "is not a date of the form" in str(raised.value) or "has no" in str(
        raised.value
    )


def test_29_february_without_a_year_is_a_real_date():
    assert PartialDate("--02-29").display() == "29 February, year not stated"


def test_from_parts_builds_each_precision():
    assert PartialDate.from_parts(2025, 2, 26) == "2025-02-26"
    assert PartialDate.from_parts(2023, 8) == "2023-08"
    assert PartialDate.from_parts(None, 12, 4) == "--12-04"
    with pytest.raises(ValueError, match="needs a month and a day"):
        PartialDate.from_parts(None, 12)


@pytest.mark.django_db
def test_a_deadline_window_keeps_coarse_dates_that_may_fall_inside_it():
    from briefings.dates import on_or_after, on_or_before
    from briefings.models import Commitment
    from tests.factories import CommitmentFactory

    for deadline in [
        "2025",
        "2025-10",
        "2025-06-15",
        "2024-12",
        "2026-01",
        "--12-04",
        "",
    ]:
        CommitmentFactory(deadline=deadline)
    window = Commitment.objects.filter(
        on_or_after("deadline", date(2025, 1, 1)),
        on_or_before("deadline", date(2025, 12, 31)),
    )
    assert sorted(c.deadline for c in window) == ["2025", "2025-06-15", "2025-10"]
    late_june = Commitment.objects.filter(on_or_after("deadline", date(2025, 6, 20)))
    assert sorted(c.deadline for c in late_june) == ["2025", "2025-10", "2026-01"]
