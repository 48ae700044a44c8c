"""Dates known only as far as a source states them.

A press release says "26 Februari 2025", a report says "pada bulan Agustus 2023",
a wire story says "4 Desember" and nothing more. Storing any of these as a full
`date` would invent the missing parts, so a date is kept as an ISO 8601 string
of reduced precision:

    2025-02-26   day
    2025-09      month
    2025         year
    --12-04      day and month, the year not stated (ISO 8601:2000 / EDTF form)

The strings sort chronologically (a coarser date sorts before the finer dates
it contains, and year-less dates sort first), so one indexed column serves
ordering and range filters on every database.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# The earliest year a PartialDate holds; a range may start or end before it.
MIN_YEAR = 1000

_PATTERN = re.compile(
    r"^(?:(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?"
    r"|--(?P<ym_month>\d{2})-(?P<ym_day>\d{2}))$"
)


class Precision(models.TextChoices):
    DAY = "day", _("day")
    MONTH = "month", _("month")
    YEAR = "year", _("year")
    DAY_MONTH = "day-month", _("day and month, year not stated")


class PartialDate(str):
    """An ISO 8601 date of reduced precision; see the module docstring."""

    __slots__ = ()

    def __new__(cls, value: str) -> PartialDate:
        value = (value or "").strip()
        match = _PATTERN.match(value)
        if match is None:
            raise ValueError(
                f"{value!r} is not a date of the form YYYY-MM-DD, YYYY-MM, YYYY "
                "or --MM-DD"
            )
        parts = match.groupdict()
        year = int(parts["year"]) if parts["year"] else None
        month = parts["month"] or parts["ym_month"]
        day = parts["day"] or parts["ym_day"]
        month = int(month) if month else None
        day = int(day) if day else None
        if month is not None and not 1 <= month <= 12:
            raise ValueError(f"{value!r} has no month {month}")
        if day is not None:
            # 29 February is a real date when the year is not known.
            last = calendar.monthrange(year or 2000, month)[1]
            if not 1 <= day <= last:
                raise ValueError(f"{value!r} has no day {day}")
        if year is not None and year < MIN_YEAR:
            raise ValueError(f"{value!r} has a year before {MIN_YEAR}")
        return super().__new__(cls, value)

    @classmethod
    def from_parts(
        cls, year: int | None, month: int | None = None, day: int | None = None
    ) -> PartialDate:
        if year is None:
            if month is None or day is None:
                raise ValueError("a date without a year needs a month and a day")
            return cls(f"--{month:02d}-{day:02d}")
        if day is not None and month is None:
            raise ValueError("a day needs a month")
        text = f"{year:04d}"
        if month is not None:
            text += f"-{month:02d}"
        if day is not None:
            text += f"-{day:02d}"
        return cls(text)

    @property
    def year(self) -> int | None:
        return None if self.startswith("--") else int(self[:4])

    @property
    def month(self) -> int | None:
        if self.startswith("--"):
            return int(self[2:4])
        return int(self[5:7]) if len(self) >= 7 else None

    @property
    def day(self) -> int | None:
        if self.startswith("--"):
            return int(self[5:7])
        return int(self[8:10]) if len(self) == 10 else None

    @property
    def precision(self) -> Precision:
        if self.year is None:
            return Precision.DAY_MONTH
        if self.day is not None:
            return Precision.DAY
        if self.month is not None:
            return Precision.MONTH
        return Precision.YEAR

    def earliest(self) -> date | None:
        """The first day this date can mean, or None when the year is unknown."""
        if self.year is None:
            return None
        return date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> date | None:
        """The last day this date can mean, or None when the year is unknown."""
        if self.year is None:
            return None
        month = self.month or 12
        return date(
            self.year, month, self.day or calendar.monthrange(self.year, month)[1]
        )

    def display(self) -> str:
        """English reading form: "26 February 2025", "4 December, year not stated"."""
        month_name = calendar.month_name[self.month] if self.month else ""
        match self.precision:
            case Precision.DAY:
                return f"{self.day} {month_name} {self.year}"
            case Precision.MONTH:
                return f"{month_name} {self.year}"
            case Precision.YEAR:
                return str(self.year)
            case _:
                return str(_("%(day)s %(month)s, year not stated")) % {
                    "day": self.day,
                    "month": month_name,
                }


def validate_partial_date(value: str) -> None:
    try:
        PartialDate(value)
    except ValueError as error:
        raise ValidationError(str(error), code="invalid_partial_date") from error


class PartialDateField(models.CharField):
    """A CharField holding a PartialDate; blank means "not stated at all"."""

    description = _("Date of reduced precision (ISO 8601)")

    def __init__(self, *args, **kwargs):
        kwargs["max_length"] = 10
        kwargs.setdefault("blank", True)
        kwargs.setdefault(
            "help_text",
            _(
                "As precise as the source: YYYY-MM-DD, YYYY-MM or YYYY; --MM-DD "
                "when the source gives a day and month but no year."
            ),
        )
        super().__init__(*args, **kwargs)
        self.validators.append(validate_partial_date)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        del kwargs["max_length"]
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if isinstance(value, PartialDate) or not value:
            return value or ""
        try:
            return PartialDate(value)
        except ValueError as error:
            raise ValidationError(str(error), code="invalid_partial_date") from error


def on_or_after(field: str, day: date) -> Q:
    """Dates in `field` that may fall on or after `day`.

    A coarser date matches when its last possible day does: "2025" is on or
    after 1 June 2025. Dates without a year never match a range.
    """
    if day.year < MIN_YEAR:
        # Every date with a year is later; "0053" is no PartialDate to compare.
        return Q(**{f"{field}__gte": str(MIN_YEAR)})
    iso = day.isoformat()
    return Q(**{f"{field}__gte": iso}) | Q(**{field: iso[:4]}) | Q(**{field: iso[:7]})


def ended_before(field: str, day: date) -> Q:
    """Dates in `field` whose last possible day (PartialDate.latest) is before `day`.

    "2025-10" has ended by 1 November 2025, "2025" only by 1 January 2026. Each
    precision compares, as text, with `day` cut to its own length. Dates without
    a year never match.
    """
    if day.year <= MIN_YEAR:
        return Q(pk__in=[])
    iso = day.isoformat()
    return (
        Q(**{f"{field}__gte": str(MIN_YEAR)})
        & (
            # Any date of an earlier year.
            Q(**{f"{field}__lt": iso[:4]})
            # A month, or a day, in an earlier month of this year.
            | Q(**{f"{field}__startswith": iso[:5], f"{field}__lt": iso[:7]})
            # A day earlier this month.
            | Q(**{f"{field}__startswith": iso[:8], f"{field}__lt": iso})
        )
    )


def on_or_before(field: str, day: date) -> Q:
    """Dates in `field` that may fall on or before `day` (by their first day)."""
    if day.year < MIN_YEAR:
        # No stored date is that early.
        return Q(pk__in=[])
    return (
        Q(**{f"{field}__lte": day.isoformat()})
        & ~Q(**{f"{field}__startswith": "--"})
        & ~Q(**{field: ""})
    )
