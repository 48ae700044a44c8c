"""Dates in a source text, at the precision the text states, and which one is the
publication date.

Malay, Indonesian and English write the same date differently ("26 Februari
2025", "Kamis 18 Mei 2023", "5 Mac 2024", "March 5, 2024", "23/01/2021 12:12
AM", "2025-09-22"), and a story is full of dates that are not its publication
date: the day a meeting was held, the day the next one is planned. So there are
two steps:

1. `find_dates` finds every date expression and notes *where* it stands: a
   metadata label at the start of a line ("date 2025-09-22"), a line that holds
   nothing but a date (a page timestamp above the story, a sign-off below it), a
   dateline ("KUALA LUMPUR, 22 Jan —"), or running text.
2. `publication_date` takes the best date from the publication positions only.
   A date in running text is never taken as the publication date; when the story
   gives nothing else, at most the year its own dates agree on is proposed, with
   a warning.

The month and day names come from dateparser's locale data for ms, id and en
("Mac"/"Maret", "Ogos"/"Agustus", "Disember"/"Desember", "Khamis"/"Kamis"), and
dateparser reads each month name. The parts of a date are the ones the
expression writes, nothing else: what a parser would fill in from today (the
year of "4 Desember", the day of "Agustus 2023") has no way in, so a day and
month without a year stays "--12-04" and a month and year stays "2023-08".
Numbers are day first (23/01/2021 is 23 January), as in every source read here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cache, lru_cache

from dateparser.date import DateDataParser
from dateparser.languages.loader import default_loader
from django.utils.translation import gettext_lazy as _

from briefings.dates import PartialDate, Precision

LANGUAGES = ("ms", "id", "en")

_MONTH_KEYS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_DAY_KEYS = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
]


class DateRole(StrEnum):
    """Where a date stands in the text, which decides whether it can be the
    publication date."""

    METADATA = "metadata"  # "date 2025-09-22 …", "Diterbitkan: …"
    DATE_LINE = "date-line"  # a line holding only a date, above the story
    DATELINE = "dateline"  # "KUALA LUMPUR, 22 Jan —"
    SIGN_OFF = "sign-off"  # a line holding only a date, below the story
    STORY = "story"  # anywhere in running text
    INFERRED = "inferred"  # not stated: the year the story's dates agree on


PUBLICATION_ROLES = (
    DateRole.METADATA,
    DateRole.DATE_LINE,
    DateRole.DATELINE,
    DateRole.SIGN_OFF,
)

# A date with a year beats one without; a day beats a month.
_PRECISION_RANK = {
    Precision.DAY: 0,
    Precision.MONTH: 1,
    Precision.YEAR: 2,
    Precision.DAY_MONTH: 3,
}


@cache
def _names(keys: tuple[str, ...], min_length: int) -> list[str]:
    """The spellings dateparser knows for these months or days, longest first,
    so that the regular expression prefers "Februari" over "Feb"."""
    forms: set[str] = set()
    for language in LANGUAGES:
        info = default_loader.get_locale(language).info
        for key in keys:
            for form in info.get(key, []):
                if form.isalpha() and len(form) >= min_length:
                    forms.add(form.casefold())
    return sorted(forms, key=lambda form: (-len(form), form))


def _alternation(forms: Iterable[str]) -> str:
    return "|".join(re.escape(form) for form in forms)


_MONTH = rf"(?:{_alternation(_names(tuple(_MONTH_KEYS), 3))})\.?(?![^\W\d_])"
_DAY_NAME = rf"(?:{_alternation(_names(tuple(_DAY_KEYS), 3))})\.?(?![^\W\d_])"
_TIME = (
    r"(?:,?\s*(?:pukul|jam|at)?\s*[0-2]?[0-9][:.][0-5][0-9](?:[:.][0-5][0-9])?"
    r"(?:\s*(?:[AaPp]\.?[Mm]\.?))?(?![0-9])"
    r"(?:\s*(?:WIB|WITA|WIT|MYT|SGT|ICT|GMT|UTC)(?:\s*[+-]\s*[0-9]{1,2})?)?)"
)
_DAY = r"(?:[0-3]?[0-9])"
_YEAR = r"(?:[12][0-9]{3})"

_DATE_RE = re.compile(
    rf"""
    (?<![\w/.-])(?P<iso>(?P<iso_y>{_YEAR})-(?P<iso_m>[01][0-9])-(?P<iso_d>[0-3][0-9]))
        (?:[T ][0-2][0-9]:[0-5][0-9](?::[0-5][0-9])?)?(?![\w/-])
  | (?<![\w/.-])(?P<num>(?P<num_d>{_DAY})(?P<sep>[/.-])(?P<num_m>[01]?[0-9])(?P=sep)
        (?P<num_y>{_YEAR}))(?![\w/-]|\.[0-9]){_TIME}?
  | (?<![\w])(?:(?P<dmy_dn>{_DAY_NAME}),?\s+)?
        (?P<dmy>(?P<dmy_d>{_DAY})(?:hb\.?)?\s+(?P<dmy_m>{_MONTH})
        (?:,?\s+(?P<dmy_y>{_YEAR})(?![0-9]))?){_TIME}?
  | (?<![\w])(?:(?P<mdy_dn>{_DAY_NAME}),?\s+)?
        (?P<mdy>(?P<mdy_m>{_MONTH})\s+(?P<mdy_d>{_DAY})(?:st|nd|rd|th)?(?![\w])
        (?:,?\s+(?P<mdy_y>{_YEAR})(?![0-9]))?){_TIME}?
  | (?<![\w])(?P<my>(?P<my_m>{_MONTH}),?\s+(?P<my_y>{_YEAR}))(?![0-9])
    """,
    re.IGNORECASE | re.VERBOSE,
)

# Words that may stand beside a date on a line that holds only the date.
_LABEL = (
    r"(?:date|dated|tarikh|tanggal|published|posted|updated|diterbitkan|"
    r"dikemaskini|dikemas\s+kini|terbit|diperbarui|diunggah|kemaskini)"
)
_METADATA_LEFT = re.compile(rf"^\s*{_LABEL}\s*[:=]?\s*$", re.IGNORECASE)
_DATE_LINE_REST = re.compile(
    rf"^[\s|•·,:;()\-–—]*(?:{_LABEL}\s*[:=]?)?[\s|•·,:;()\-–—]*"
    r"(?:WIB|WITA|WIT|MYT|SGT|ICT|GMT|UTC)?[\s|•·,:;()\-–—]*$",
    re.IGNORECASE,
)
# "1. PULAU PINANG, " / "JAKARTA, Kamis (" / "Jakarta (ANTARA), " before a date …
_DATELINE_LEFT = re.compile(
    r"^\s*(?:[0-9]{1,2}\.\s+)?"
    r"(?:[A-Z][\w'’.\-]*)(?:\s+[A-Z][\w'’.\-]*){0,3}"
    rf"(?:\s*\([^()\n]{{2,30}}\))?\s*,\s*(?:(?i:{_DAY_NAME})\s*,?\s*)?\(?$"
)
# … and a dash (en, em or hyphen), a colon or "(Bernama) --" after it.
_DATELINE_RIGHT = re.compile(r"^\)?\s*(?:\([^()\n]{2,30}\)\s*)?(?:[–—:]|-{1,2}\s)")
_NUMBER = re.compile(r"[0-9]+")
# How far a date reaches before its first number ("Wednesday, September 17")
# and after it ("17 September 2025, 12:12 a.m. WITA +8"), for `_matches`.
_BEFORE_NUMBER = 24
_AFTER_NUMBER = 64


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date expression as written, with its offsets in the searched text."""

    value: PartialDate
    text: str
    start: int
    end: int
    role: DateRole
    line: int

    @property
    def precision(self) -> Precision:
        return self.value.precision


@dataclass(frozen=True, slots=True)
class PublicationDate:
    """The publication date proposed for a text, or None with the reason why.

    `text` is the expression as the source writes it, so the editor can see
    what was read; `role` says where it stood.
    """

    value: PartialDate | None
    text: str = ""
    start: int | None = None
    end: int | None = None
    role: DateRole | None = None
    warnings: tuple[str, ...] = ()
    mentions: tuple[DateMention, ...] = field(default=(), repr=False)

    @property
    def precision(self) -> Precision | None:
        return self.value.precision if self.value else None


def _today() -> datetime:
    """The parser's notion of now. Nothing read from it may reach a result;
    tests freeze it far away to prove that."""
    return datetime.now()


@lru_cache(maxsize=4)
def _parser(base: datetime) -> DateDataParser:
    # Built once: construction loads the locale data, parsing is then cheap.
    return DateDataParser(
        languages=list(LANGUAGES),
        settings={
            "REQUIRE_PARTS": ["day", "month", "year"],
            "DATE_ORDER": "DMY",
            "RELATIVE_BASE": base,
        },
    )


@lru_cache(maxsize=512)
def _month(name: str, base: datetime) -> int | None:
    """The month a spelling names ("Mac", "Maret", "Ogos", "Agustus", "Sept"),
    as dateparser reads it in Malay, Indonesian or English.

    Asked once per spelling, in a full date it cannot misread, because the
    parts of the expression itself are taken as the pattern captured them: a
    day and month without a year stays without one, and dateparser never gets
    the chance to complete it from today.
    """
    parsed = _parser(base).get_date_data(f"15 {name} 2000").date_obj
    return parsed.month if parsed is not None else None


def _value(match: re.Match[str]) -> PartialDate | None:
    """The date a match of `_DATE_RE` states, at the precision it states."""
    groups = match.groupdict()
    try:
        if groups["iso"]:
            return PartialDate.from_parts(
                int(groups["iso_y"]), int(groups["iso_m"]), int(groups["iso_d"])
            )
        if groups["num"]:
            # Day first, as in every source we read: 23/01/2021 is 23 January.
            return PartialDate.from_parts(
                int(groups["num_y"]), int(groups["num_m"]), int(groups["num_d"])
            )
        now = _today()
        base = datetime(now.year, now.month, now.day)
        for prefix in ("dmy", "mdy"):
            if groups[prefix]:
                month = _month(groups[f"{prefix}_m"].rstrip(".").casefold(), base)
                if month is None:
                    return None
                year = groups[f"{prefix}_y"]
                return PartialDate.from_parts(
                    int(year) if year else None, month, int(groups[f"{prefix}_d"])
                )
        if groups["my"]:
            month = _month(groups["my_m"].rstrip(".").casefold(), base)
            if month is None:
                return None
            return PartialDate.from_parts(int(groups["my_y"]), month)
    except ValueError:
        # 31 Februari, 29/02/2023: not a date.
        return None
    return None


def parse_date(expression: str) -> PartialDate | None:
    """One date expression ("Selasa, 5 Mac 2024", "22 Jan") as a PartialDate,
    or None when it is not a whole date expression."""
    match = _DATE_RE.fullmatch(expression.strip())
    if match is None:
        match = _DATE_RE.search(expression)
        if match is None or expression.strip() != match.group(0).strip():
            return None
    return _value(match)


def _is_month_capitalised(match: re.Match[str]) -> bool:
    # Month names are capitalised in all three languages: "5 Mac" is a date,
    # "5 may be more" is not.
    month = match.group("dmy_m") or match.group("mdy_m") or match.group("my_m")
    return month is None or month[:1].isupper()


def _running_text_lines(lines: list[str]) -> tuple[int, int]:
    """First and last line that reads as running text (a sentence of some
    length), so that a date-only line can be told apart as above or below."""
    running = [i for i, line in enumerate(lines) if len(line.split()) >= 12]
    if not running:
        return len(lines), -1
    return running[0], running[-1]


def _role(
    line: str, match: re.Match[str], offset: int, index: int, first: int, last: int
) -> DateRole:
    left = line[: match.start() - offset]
    right = line[match.end() - offset :]
    if _METADATA_LEFT.match(left):
        return DateRole.METADATA
    if _DATE_LINE_REST.match(left) and _DATE_LINE_REST.match(right):
        if index < first:
            return DateRole.DATE_LINE
        if index > last:
            return DateRole.SIGN_OFF
        return DateRole.STORY
    if _DATELINE_LEFT.match(left) and _DATELINE_RIGHT.match(right):
        return DateRole.DATELINE
    return DateRole.STORY


def _matches(text: str, start: int, end: int) -> Iterable[re.Match[str]]:
    """The date expressions in text[start:end], one line.

    Every date has a number in it, so the pattern is tried only around the
    numbers of one, two or four digits (a day, a month, a year): a few
    positions per line instead of every character, which matters because the
    pattern holds every month and day name of three languages.
    """
    done = start
    for number in _NUMBER.finditer(text, start, end):
        if number.start() < done or len(number.group()) not in (1, 2, 4):
            continue
        window = max(done, number.start() - _BEFORE_NUMBER)
        limit = min(end, number.end() + _AFTER_NUMBER)
        match = _DATE_RE.search(text, window, limit)
        while match is not None and match.end() <= number.start():
            match = _DATE_RE.search(text, match.end(), limit)
        if match is not None and match.start() <= number.start():
            done = match.end()
            yield match


def find_dates(text: str) -> list[DateMention]:
    """Every date expression in `text`, in order, with its role."""
    lines = text.split("\n")
    first, last = _running_text_lines(lines)
    mentions: list[DateMention] = []
    offset = 0
    for index, line in enumerate(lines):
        if _NUMBER.search(line):
            for match in _matches(text, offset, offset + len(line)):
                if not _is_month_capitalised(match):
                    continue
                value = _value(match)
                if value is None:
                    continue
                mentions.append(
                    DateMention(
                        value=value,
                        text=match.group(0),
                        start=match.start(),
                        end=match.end(),
                        role=_role(line, match, offset, index, first, last),
                        line=index,
                    )
                )
        offset += len(line) + 1
    return mentions


def _agrees(one: PartialDate, other: PartialDate) -> bool:
    """Whether two dates can be the same day, as far as both are stated."""
    return all(
        a is None or b is None or a == b
        for a, b in (
            (one.year, other.year),
            (one.month, other.month),
            (one.day, other.day),
        )
    )


def _quote(mention: DateMention) -> str:
    return f"“{mention.text.strip()}”"


def publication_date(
    text: str,
    *,
    ignore: Iterable[tuple[int, int]] = (),
    mentions: Iterable[DateMention] | None = None,
) -> PublicationDate:
    """The publication date of `text`, from its publication positions only.

    `ignore` lists spans (site furniture such as related-story links) whose
    dates say nothing about this text; `mentions`, when given, are
    `find_dates(text)` already found.
    """
    spans = list(ignore)
    mentions = tuple(
        mention
        for mention in (find_dates(text) if mentions is None else mentions)
        if not any(start <= mention.start < end for start, end in spans)
    )
    candidates = [m for m in mentions if m.role in PUBLICATION_ROLES]
    if candidates:
        chosen = min(
            candidates,
            key=lambda m: (
                _PRECISION_RANK[m.precision],
                PUBLICATION_ROLES.index(m.role),
                m.start,
            ),
        )
        warnings: list[str] = []
        if chosen.precision == Precision.DAY_MONTH:
            warnings.append(
                str(
                    _(
                        "%(date)s gives a day and month but no year: kept as "
                        "%(value)s. Add the year only if another source states it."
                    )
                )
                % {"date": _quote(chosen), "value": chosen.value}
            )
        for other in candidates:
            if other is not chosen and not _agrees(other.value, chosen.value):
                warnings.append(
                    str(_("The %(role)s says %(other)s; %(chosen)s was taken."))
                    % {
                        "role": other.role.value.replace("-", " "),
                        "other": _quote(other),
                        "chosen": _quote(chosen),
                    }
                )
        return PublicationDate(
            value=chosen.value,
            text=chosen.text,
            start=chosen.start,
            end=chosen.end,
            role=chosen.role,
            warnings=tuple(warnings),
            mentions=mentions,
        )
    return _not_stated(mentions)


def _not_stated(mentions: tuple[DateMention, ...]) -> PublicationDate:
    """No publication date is written: propose at most the year on which every
    dated event of the story agrees, never a day, never today's year."""
    warnings = [str(_("The text states no publication date."))]
    years = {m.value.year for m in mentions if m.value.year is not None}
    yearless = [m for m in mentions if m.value.year is None]
    if yearless:
        warnings.append(
            str(
                _(
                    "%(dates)s in the story gives no year and is not taken as "
                    "the publication date."
                )
            )
            % {"dates": ", ".join(_quote(m) for m in yearless[:3])}
        )
    if len(years) == 1:
        year = years.pop()
        warnings.append(
            str(
                _(
                    "Every date in the story falls in %(year)s (%(dates)s), so only "
                    "the year is proposed; check it against the source."
                )
            )
            % {
                "year": year,
                "dates": ", ".join([_quote(m) for m in mentions if m.value.year][:3]),
            }
        )
        return PublicationDate(
            value=PartialDate.from_parts(year),
            role=DateRole.INFERRED,
            warnings=tuple(warnings),
            mentions=mentions,
        )
    return PublicationDate(value=None, warnings=tuple(warnings), mentions=mentions)
