"""A synthetic desk for benchmarks: `manage.py generate_corpus --articles N`.

Benchmarks need a desk the size of a real one, and the same desk on every run so
that two runs compare. Per 100,000 articles a real desk holds about 5,000
meetings, 10,000 actors, 20,000 commitments, 50,000 annotations and 200,000
participations (Plan). Everything is drawn from random.Random streams seeded by
`seed` and the stage name, never from the clock: timestamps are derived from
the dates in the text, so the same N and seed give the same rows.

The text is Malay, Indonesian and English put together from the seed documents
(seeds/) and the English of the seed corpus's summaries and notes: their
sentences with the names of countries, people, organisations, meetings, places
and dates cut out as slots, plus sentences a small Markov chain recombines from
them. Each article fills the slots with the records it is about, so an
annotation's quote, a mention's text and a commitment's statement are the very
characters of its body.

Everything is written in one transaction, without full_clean() or history:
this is a loader for an empty database, not an editorial path (the services
are), and tests/test_generate_corpus.py checks that the rows would pass
full_clean() all the same. Records whose ids later stages need go in with
bulk_create, which returns them on SQLite and PostgreSQL alike; articles and
commitments get their ids here; the hundreds of thousands of link, participation,
annotation and mention rows go in with executemany, at a quarter of
bulk_create's cost a row. On SQLite the full-text index of the articles is
rebuilt once at the end rather than row by row (_search_index_rebuilt_after).
"""

from __future__ import annotations

import functools
import json
import math
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from random import Random
from typing import NamedTuple

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils.text import slugify

from briefings import corpus_data as data
from briefings.models import (
    Actor,
    ActorAlias,
    ActorKind,
    AnchorState,
    Annotation,
    Article,
    Commitment,
    CommitmentKind,
    ComplianceAssessment,
    EditorialStatus,
    Meeting,
    MeetingFormat,
    MeetingLevel,
    MeetingState,
    Mention,
    Participation,
    ParticipationRole,
    Standing,
    Topic,
)

DEFAULT_SEED = 7
# The generated desk's "today": meetings after it are announced, nothing is
# published after it.
AS_OF = date(2026, 6, 30)
FIRST_YEAR = 2005
LAST_YEAR = 2026

CURATED_MODELS: tuple[type[models.Model], ...] = (
    Topic,
    Actor,
    ActorAlias,
    Meeting,
    Participation,
    Article,
    Commitment,
    ComplianceAssessment,
    Annotation,
    Mention,
)
PUBLISHED = EditorialStatus.PUBLISHED
# Mentions kept per article: the seed desk confirms ~30 names an article, which
# would make mentions most of the corpus; a few per article exercise the same
# screens.
MENTIONS_PER_ARTICLE = 2
# How much of a record kind is not published, so that visibility filters work.
UNPUBLISHED_SHARE = {
    "actor": 0.03,
    "meeting": 0.04,
    "article": 0.05,
    "commitment": 0.04,
}


@dataclass(frozen=True, slots=True)
class Plan:
    """How many rows of each kind N articles bring (about; see the docstring)."""

    articles: int
    meetings: int
    actors: int
    commitments: int
    annotations: int
    participations: int

    @classmethod
    def for_articles(cls, articles: int) -> Plan:
        if articles < 1:
            raise ValueError("A corpus needs at least one article.")

        def per_100k(count: int, minimum: int) -> int:
            return max(minimum, round(articles * count / 100_000))

        return cls(
            articles=articles,
            meetings=per_100k(5_000, 6),
            # The real countries, international bodies and outlets come first.
            actors=per_100k(10_000, 120),
            commitments=per_100k(20_000, 5),
            annotations=per_100k(50_000, 10),
            participations=per_100k(200_000, 60),
        )


def curated_counts() -> dict[str, int]:
    return {
        model._meta.verbose_name_plural: model.objects.count()
        for model in CURATED_MODELS
    }


def has_curated_records() -> bool:
    return any(model.objects.exists() for model in CURATED_MODELS)


def flush_curated() -> None:
    """Delete every curated record, its many-to-many rows and its history.

    TRUNCATE on PostgreSQL and DELETE on SQLite (what `manage.py flush` runs),
    restarting the id sequences; the accounts and the rest of the site stay.
    """
    from reversion.models import Revision, Version

    tables = []
    for model in CURATED_MODELS:
        tables.append(model._meta.db_table)
        tables.extend(
            f.remote_field.through._meta.db_table
            for f in model._meta.local_many_to_many
            if f.remote_field.through._meta.auto_created
        )
    statements = connection.ops.sql_flush(
        no_style(), tables, reset_sequences=True, allow_cascade=True
    )
    with transaction.atomic(), _search_index_rebuilt_after("DELETE"):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # TRUNCATE refuses tables with deferred foreign-key checks still
                # pending from earlier in the transaction: run them now.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for sql in statements:
                cursor.execute(sql)
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        Version.objects.filter(content_type__app_label="briefings").delete()
        Revision.objects.filter(version__isnull=True).delete()


# Text ------------------------------------------------------------------------------
#
# A template is a sentence with slots: {C} a country, {P} a person, {O} an
# organisation, {M} a meeting, {CITY}, {Y} a year, {D} a day, {MON} a month and
# year, {T} a topic.

_SLOT = re.compile(r"\{(C|P|O|M|CITY|Y|D|MON|T)\}")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[“\"A-Z{])|(?<=[.!?]”)\s+")
_NUMBERING = re.compile(r"^(?:\d{1,2}|[a-e])\.\s+")
# "KUALA LUMPUR, 22 Jan — ", "TRIBUN-BALI.COM, MANGUPURA - ", "KUALA LUMPUR: "
_DATELINE = re.compile(
    r"^[A-Z][A-Z.\-]+(?: [A-Z][A-Z.\-]+)*(?:, [A-Z][A-Z\- ]+)?"
    r"(?:, \d{1,2} [A-Za-z]+(?: \d{4})?)?\s*(?:[–—-]|:)\s+"
)
# Lines that are no running text (the seeds' "Baca juga" links), and the English
# summaries' words about their sources rather than about the meeting.
_NOT_RUNNING_TEXT = re.compile(
    r"Baca juga|\(\*\)|\b(?:[Ss]eeds?|para|release|[Rr]eports?|article|text|sourced)\b"
    r"|Target \(|not stated|no year|no day|listed by|cited in"
)
_ENGLISH_FROM = ("briefings.meeting", "briefings.article", "briefings.commitment")


class Template(NamedTuple):
    literals: tuple[str, ...]  # one more than slots
    slots: tuple[str, ...]

    @classmethod
    def compile(cls, text: str) -> Template:
        parts = _SLOT.split(text)
        return cls(tuple(parts[0::2]), tuple(parts[1::2]))


@dataclass(slots=True)
class Words:
    """The sentence pool of one language."""

    language: str
    sentences: list[Template]
    # Without a meeting slot, for articles about no particular meeting.
    unmeeting: list[Template]
    quotes: list[Template]


def _seed_texts() -> list[tuple[str, str]]:
    """(language, body) of every seed document, read as the importer reads it."""
    from briefings.importing import parse_bytes

    texts = []
    for path in sorted((settings.BASE_DIR / "seeds").glob("*.txt")):
        parsed = parse_bytes(path.read_bytes(), name=path.name)
        texts.append((parsed.language.code, parsed.body))
    return texts


def _fixture() -> list[dict]:
    with open(
        settings.BASE_DIR / "fixtures" / "seed_corpus.json", encoding="utf-8"
    ) as f:
        return json.load(f)


def _replacements(fixture: list[dict]) -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern for every name the seed texts use, longest first, and the slot
    each name becomes."""
    names: dict[str, str] = {}
    actors = {o["pk"]: o["fields"] for o in fixture if o["model"] == "briefings.actor"}
    skip = {"ASEAN", "Asean", "Association of Southeast Asian Nations"}

    def add(name: str, slot: str) -> None:
        if name and name not in skip and len(name) > 2:
            names.setdefault(name, slot)

    slot_of_kind = {"country": "C", "person": "P", "organisation": "O"}
    for fields in actors.values():
        if fields["organisation_type"] != "news_outlet":
            add(fields["name"], slot_of_kind[fields["kind"]])
    for o in fixture:
        f = o["fields"]
        if o["model"] == "briefings.actoralias":
            actor = actors[f["actor"]]
            if actor["organisation_type"] != "news_outlet":
                add(f["name"], slot_of_kind[actor["kind"]])
        elif o["model"] == "briefings.meeting":
            for key in ("name", "short_name", "name_local", "series"):
                add(f[key], "M")
    for country in data.COUNTRIES:
        for name in (country.name, country.ms, country.id):
            add(name, "C")
        for city, local in country.cities:
            add(city, "CITY")
            add(local, "CITY")
    for series in data.SERIES:
        add(series.short, "M")
    for city in ("Kuta", "Bali", "Badung", "Mangupura", "Penang", "Tokyo"):
        add(city, "CITY")
    honorifics = sorted(
        {h for values in data.HONORIFICS.values() for h in values}
        | {a["honorific"] for a in actors.values() if a["honorific"]}
        | {"Kapolri Jenderal"},
        key=len,
        reverse=True,
    )
    longest_first = sorted(names, key=len, reverse=True)
    person = "|".join(re.escape(n) for n in longest_first if names[n] == "P")
    honorific = "|".join(re.escape(h) for h in honorifics)
    other = "|".join(re.escape(n) for n in longest_first if names[n] != "P")
    pattern = re.compile(
        rf"(?<!\w)(?:(?P<person>(?:(?:{honorific})\s+)?(?:{person}))"
        rf"|(?P<other>{other}))(?!\w| Sea)"
    )
    return pattern, names


_MONTH_NAMES = "|".join(sorted({m for ms in data.MONTHS.values() for m in ms}))
_DAY_NAMES = "|".join(sorted({d for ds in data.WEEKDAYS.values() for d in ds}))
_DATE = re.compile(
    rf"\b(?:(?:{_DAY_NAMES}),?\s+)?(?:\d{{1,2}}\s*(?:hingga|sehingga|–|-)\s*)?"
    rf"\d{{1,2}}\s+(?:{_MONTH_NAMES})(?:\s+\d{{4}})?\b"
)
_MONTH_YEAR = re.compile(rf"\b(?:{_MONTH_NAMES})\s+\d{{4}}\b")
_YEAR = re.compile(r"\b20[0-3]\d\b")


def _templated(sentence: str, names: tuple[re.Pattern[str], dict[str, str]]) -> str:
    pattern, slot_of = names

    def name(match: re.Match[str]) -> str:
        if match.group("person"):
            return "{P}"
        return "{" + slot_of[match.group("other")] + "}"

    sentence = _DATE.sub("{D}", sentence)
    sentence = _MONTH_YEAR.sub("{MON}", sentence)
    sentence = pattern.sub(name, sentence)
    return _YEAR.sub("{Y}", sentence)


def _acceptable(text: str) -> bool:
    return (
        40 <= len(text) <= 420
        and text[-1] in ".”"
        and (text[0].isupper() or text[0] in "“{")
        and text.count("“") == text.count("”")
        and text.count("(") == text.count(")")
        and text.count('"') % 2 == 0
        and len(_SLOT.findall(text)) <= 4
        and not _NOT_RUNNING_TEXT.search(text)
    )


def _sentences(text: str) -> Iterator[str]:
    for line in text.split("\n"):
        line = _DATELINE.sub("", _NUMBERING.sub("", line.strip()))
        for sentence in _SENTENCE_BREAK.split(line):
            sentence = sentence.strip()
            if sentence:
                yield sentence


def _markov(texts: list[str], rng: Random, count: int) -> list[str]:
    """New sentences from a word chain over `texts`: mostly the next word after
    the last two, sometimes after the last one only, which is what recombines."""
    after_two: dict[tuple[str, str], list[str]] = defaultdict(list)
    after_one: dict[str, list[str]] = defaultdict(list)
    for text in texts:
        words = ["\x02", "\x02", *text.split(), "\x03"]
        for a, b, c in zip(words, words[1:], words[2:], strict=False):
            after_two[(a, b)].append(c)
            after_one[b].append(c)
    seen = set(texts)
    made: list[str] = []
    for _attempt in range(count * 40):
        if len(made) >= count:
            break
        a = b = "\x02"
        words: list[str] = []
        while len(words) < 70:
            options = (
                after_one[b] if words and rng.random() < 0.15 else after_two[(a, b)]
            )
            word = rng.choice(options)
            if word == "\x03":
                break
            words.append(word)
            a, b = b, word
        text = " ".join(words)
        if text not in seen and _acceptable(text):
            seen.add(text)
            made.append(text)
    return made


# Sentences of our own, in the seeds' words: the background every report has.
_OWN_SENTENCES = {
    "ms": (
        "Pertemuan itu turut membincangkan kerjasama dalam bidang {T}.",
        "{M} merupakan antara komponen keselamatan di bawah tonggak Komuniti "
        "Politik-Keselamatan ASEAN.",
        "Delegasi {C} diketuai oleh {P}.",
        "Turut hadir ialah wakil dari {O} dan {O}.",
        "Beliau berkata kerjasama dalam bidang {T} perlu diperkukuh memandangkan "
        "landskap keselamatan serantau kini berubah pantas.",
        "Menurut kenyataan {O}, {C} akan terus memainkan peranan aktif dalam {M}.",
    ),
    "id": (
        "Pertemuan ini juga membahas kerja sama di bidang {T}.",
        "Delegasi {C} dipimpin oleh {P}.",
        "Turut hadir perwakilan dari {O} dan {O}.",
        "Menurut {P}, kerja sama di bidang {T} harus terus diperkuat.",
        "Hasil dari pertemuan ini nantinya akan dibawa ke {M}.",
        "{O} menyatakan bahwa {C} siap mendukung upaya bersama negara-negara "
        "anggota ASEAN di bidang {T}.",
    ),
    "en": (
        "The meeting also discussed cooperation on {T}.",
        "The {C} delegation was led by {P}.",
        "Representatives of {O} and {O} also attended.",
        "{P} said cooperation on {T} had to keep pace with a fast-changing "
        "regional security landscape.",
        "The outcomes of the {M} will be reported to the ministers.",
    ),
}
_QUOTE_TAIL = {
    "ms": ((",” katanya.", ""), (",” kata ", "P")),
    "id": ((",” ujarnya.", ""), (",” kata ", "P")),
    "en": ((",” he said.", ""), (",” said ", "P")),
}


@functools.cache
def vocabulary(seed: int) -> dict[str, Words]:
    """The sentence pools of ms, id and en; the same for the same seed."""
    fixture = _fixture()
    names = _replacements(fixture)
    texts: dict[str, list[str]] = {"ms": [], "id": [], "en": []}
    for language, body in _seed_texts():
        if language in texts:
            # "Ke- 19" is the seed's typo for "Ke-19"; the meeting's name has none.
            texts[language].extend(_sentences(body.replace("Ke- ", "Ke-")))
    for o in fixture:
        # The summaries read as news; the notes and descriptions talk about the
        # sources.
        if o["model"] in _ENGLISH_FROM and o["fields"]["summary"]:
            texts["en"].extend(_sentences(o["fields"]["summary"]))
    pools = {}
    for language, sentences in texts.items():
        rng = Random(f"serantau-corpus:{seed}:words:{language}")
        found = [_templated(s, names) for s in sentences]
        found = list(dict.fromkeys(t for t in found if _acceptable(t)))
        made = _markov(found, rng, count=6 * len(found))
        pool = [Template.compile(t) for t in (*found, *made, *_OWN_SENTENCES[language])]
        quotes = []
        for template in pool:
            if "“" in "".join(template.literals) or template.literals[-1][-1:] != ".":
                continue
            for tail, slot in _QUOTE_TAIL[language]:
                literals = list(template.literals)
                literals[0] = "“" + literals[0]
                literals[-1] = literals[-1][:-1] + tail
                slots = template.slots
                if slot:
                    literals.append(".")
                    slots = (*slots, slot)
                quotes.append(Template(tuple(literals), slots))
        pools[language] = Words(
            language=language,
            sentences=pool,
            unmeeting=[t for t in pool if "M" not in t.slots],
            quotes=quotes,
        )
    return pools


# What an article says is built as pieces: (text, kind, id), where kind is "" for
# plain words, "a" for an actor's name and "m" for a meeting's.
Piece = tuple[str, str, int]


class Body:
    """An article's text as it is written, with where each sentence and name is."""

    __slots__ = ("names", "parts", "position", "sentences")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.position = 0
        self.names: list[tuple[int, int, str, str, int]] = []
        # (start, end, kind of the first name, its id)
        self.sentences: list[tuple[int, int, str, int]] = []

    def write(self, text: str) -> None:
        self.parts.append(text)
        self.position += len(text)

    def sentence(self, pieces: Iterable[Piece]) -> tuple[int, int]:
        start = self.position
        first_kind, first_id = "", 0
        for text, kind, ref in pieces:
            if kind:
                self.names.append(
                    (self.position, self.position + len(text), text, kind, ref)
                )
                if not first_kind:
                    first_kind, first_id = kind, ref
            self.parts.append(text)
            self.position += len(text)
        self.sentences.append((start, self.position, first_kind, first_id))
        return start, self.position

    def fill(self, template: Template, ctx: _Context) -> None:
        """Write `template` as one sentence, its slots filled from `ctx`; the
        same as sentence(ctx.fill(template)), without the pieces in between."""
        literals, slots = template
        parts, names = self.parts, self.names
        start = position = self.position
        first_kind, first_id = "", 0
        parts.append(literals[0])
        position += len(literals[0])
        if slots:
            taken: dict[str, int] = {}
            for slot, literal in zip(slots, literals[1:], strict=True):
                text, kind, ref = ctx.value(slot, taken)
                end = position + len(text)
                if kind:
                    names.append((position, end, text, kind, ref))
                    if not first_kind:
                        first_kind, first_id = kind, ref
                parts.append(text)
                parts.append(literal)
                position = end + len(literal)
        self.position = position
        self.sentences.append((start, position, first_kind, first_id))

    def text(self) -> str:
        return "".join(self.parts)


# The records ----------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class _Actor:
    pk: int
    kind: str
    name: str
    local: dict[str, str]  # language → the name its sources write
    country: str  # ISO code, "" for none
    tier: int = 2
    honorific: str = ""

    def called(self, language: str) -> str:
        return self.local.get(language) or self.name


@dataclass(slots=True)
class _Meeting:
    series: str
    dialogue: str
    level: str
    format: str
    day: date  # the true first day; `start` says as much as the source does
    days: int
    host: str
    states: list[str]
    topics: tuple[str, ...]
    parent: int | None = None
    edition: int | None = None
    name: str = ""
    short: str = ""
    local: dict[str, str] = field(default_factory=dict)
    local_short: dict[str, str] = field(default_factory=dict)
    slug: str = ""
    city: tuple[str, str] = ("", "")
    venue: str = ""
    start: str = ""
    end: str = ""
    date_note: str = ""
    state: str = MeetingState.HELD
    status: str = PUBLISHED
    weight: float = 1.0
    pk: int = 0
    chair: _Actor | None = None
    people: list[_Actor] = field(default_factory=list)
    organisations: list[_Actor] = field(default_factory=list)


@dataclass(slots=True)
class _ArticlePlan:
    meetings: tuple[int, ...]
    day: date
    language: str
    outlet: _Actor | None
    outlet_host: str
    status: str
    order: int
    commitments: int = 0
    annotations: int = 0


@dataclass(slots=True)
class _CommitmentPlan:
    article: int  # the source article's id, once it is written
    pieces: list[Piece]
    kind: str
    title: str
    summary: str
    parties: list[int]
    topics: list[int]
    meeting: int  # pk or 0
    deadline: str
    deadline_day: date | None
    deadline_note: str
    day: date
    status: str
    span: tuple[int, int] = (0, 0)
    pk: int = 0


def _slugs() -> Callable[[str, int], str]:
    """A slug maker that never gives the same slug twice."""
    taken: set[str] = set()

    def make(text: str, length: int = 80) -> str:
        base = slugify(text)[:length].strip("-") or "record"
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        return slug

    return make


class _Roster:
    """Who takes part in one meeting, in which role, up to its budget of rows."""

    __slots__ = ("budget", "meeting", "present", "roles", "rows")

    def __init__(self, meeting: _Meeting, budget: int, rows: list) -> None:
        self.meeting = meeting
        self.budget = budget
        self.rows = rows
        self.roles: set[tuple[int, str]] = set()
        self.present: set[int] = set()

    @property
    def full(self) -> bool:
        return len(self.roles) >= self.budget

    def take(self, actor: _Actor, role: str, represents: _Actor | None = None) -> None:
        if (actor.pk, role) in self.roles or self.full:
            return
        self.roles.add((actor.pk, role))
        self.present.add(actor.pk)
        self.rows.append(
            (self.meeting.pk, actor.pk, role, represents.pk if represents else None, "")
        )
        if actor.kind == ActorKind.PERSON:
            self.meeting.people.append(actor)
        elif actor.kind == ActorKind.ORGANISATION:
            self.meeting.organisations.append(actor)


_LOCAL = ("ms", "id")


def _writing(country: str) -> str:
    """The language a country's own sources write names in."""
    return "ms" if country in data.MALAY_WRITING else "id"


_POSITIONS_BY_TIER = {
    tier: [p for p in data.POSITIONS if p.tier == tier] for tier in (0, 1, 2)
}
# Delegates at a multilateral meeting, before scaling to the plan.
_DELEGATES = {"leaders": 50, "ministerial": 45, "deputy_ministerial": 25}
# Who leads a delegation: ministers, senior officials, or anyone.
_DELEGATION_TIER = {
    "leaders": 0,
    "ministerial": 0,
    "deputy_ministerial": 1,
    "senior_officials": 1,
}


def _stamp(day: date, minutes: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC) + timedelta(
        minutes=minutes
    )


def _statuses(rng: Random, count: int, share: float) -> list[str]:
    """Statuses for `count` records: `share` of them, and at least one when there
    are two, drafts or in review, so that a small desk has some to hide too."""
    statuses = [PUBLISHED] * count
    hidden = max(1, round(count * share)) if count > 1 else 0
    for k, n in enumerate(rng.sample(range(count), hidden)):
        statuses[n] = EditorialStatus.IN_REVIEW if k % 3 == 2 else EditorialStatus.DRAFT
    return statuses


def _partial(rng: Random, day: date, weights: Sequence[float]) -> str:
    """`day` as a source might give it: day, month, year, day without year, none."""
    precision = rng.choices(range(5), weights)[0]
    if precision == 0:
        return day.isoformat()
    if precision == 1:
        return day.isoformat()[:7]
    if precision == 2:
        return str(day.year)
    if precision == 3:
        return f"--{day.month:02d}-{day.day:02d}"
    return ""


_DATE_NOTES = {
    7: "The source gives the month only.",
    4: "The source gives the year only.",
    6: "The source gives a day and month but no year.",
    0: "The source gives no date.",
}


def _date_note(value: str) -> str:
    return "" if len(value) == 10 and value[0] != "-" else _DATE_NOTES[len(value)]


def _in(language: str, day: date) -> str:
    return f"{day.day} {data.MONTHS[language][day.month - 1]} {day.year}"


def _month_in(language: str, day: date) -> str:
    return f"{data.MONTHS[language][day.month - 1]} {day.year}"


def _ordinal(n: int) -> str:
    suffix = (
        "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    )
    return f"{n}{suffix}"


@contextmanager
def _timestamps_as_given(models_: Iterable[type[models.Model]]) -> Iterator[None]:
    """Let bulk_create keep the created/updated times we set.

    bulk_create calls each field's pre_save, which stamps auto_now and
    auto_now_add fields with the clock; the corpus must be the same on every
    run, so for the duration they are plain fields.
    """
    fields = [
        f
        for model in models_
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


@contextmanager
def _large_page_cache() -> Iterator[None]:
    """On SQLite, a page cache that holds the indexes being filled.

    The default 2 MB makes every insert into a large index a read from disk, and
    the many-to-many tables four times slower at 100,000 articles than at
    10,000. The setting lasts as long as the connection, so it is put back.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute("PRAGMA cache_size = -262144")  # KiB: 256 MiB
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


@contextmanager
def _search_index_rebuilt_after(event: str) -> Iterator[None]:
    """On SQLite, bring the full-text indexes up to date once, at the end.

    Triggers (migration 0004) index each article, meeting and commitment as it
    is inserted or deleted; an FTS5 'rebuild' of the whole table does the same
    work in a third of the time. The tables' triggers on `event` ("INSERT" or
    "DELETE") are dropped for the duration and created again as they were, in
    the same transaction. Nothing changes for a table without an
    external-content FTS5 index, or on PostgreSQL, whose search vectors are
    columns of the rows themselves.
    """
    if connection.vendor != "sqlite":
        yield
        return
    tables = [model._meta.db_table for model in (Article, Meeting, Commitment)]
    quote = connection.ops.quote_name
    fired_by = re.compile(rf"\bAFTER\s+{event}\b", re.IGNORECASE)
    indexes: list[str] = []
    triggers: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
        virtual = [(name, sql) for name, sql in cursor.fetchall() if sql]
        for table in tables:
            content = re.compile(rf"\bcontent\s*=\s*['\"]?{table}\b", re.IGNORECASE)
            found = [
                name
                for name, sql in virtual
                if "fts5" in sql.lower() and content.search(sql)
            ]
            if not found:
                continue
            indexes += found
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND "
                "tbl_name = %s",
                [table],
            )
            for name, sql in cursor.fetchall():
                if fired_by.search(sql):
                    triggers.append(sql)
                    cursor.execute(f"DROP TRIGGER {quote(name)}")
    done = False
    try:
        yield
        done = True
    finally:
        with connection.cursor() as cursor:
            for sql in triggers:
                cursor.execute(sql)
            for name in indexes if done else ():
                cursor.execute(
                    f"INSERT INTO {quote(name)}({quote(name)}) VALUES ('rebuild')"
                )


# Values every database driver takes as they are; the rest (dates) are prepared
# by their field.
_PLAIN_FIELDS = (
    models.IntegerField,
    models.CharField,
    models.TextField,
    models.ForeignKey,
    models.BooleanField,
    models.FloatField,
)


# The generator --------------------------------------------------------------------


class Generator:
    """Builds and writes the corpus; `run()` returns the rows written per table."""

    def __init__(
        self,
        *,
        articles: int,
        seed: int = DEFAULT_SEED,
        batch_size: int = 2000,
        report: Callable[[str], None] = print,
    ) -> None:
        self.plan = Plan.for_articles(articles)
        self.seed = seed
        self.batch_size = batch_size
        self.report = report
        self.counts: dict[str, int] = {}
        self.topics: dict[str, int] = {}  # slug → pk
        self.topic_pks: list[int] = []
        self.topic_words: dict[int, dict[str, str]] = {}  # pk → language → words
        self.countries: dict[str, _Actor] = {}
        self.international: dict[str, _Actor] = {}
        self.outlets: list[tuple[data.Outlet, _Actor]] = []
        self.people: dict[str, list[_Actor]] = defaultdict(list)
        self.organisations: dict[str, list[_Actor]] = defaultdict(list)
        self.ministries: dict[str, _Actor] = {}
        # Per country, how many of its people are ministers, and how many are
        # ministers or senior officials: self.people[iso] is sorted so.
        self.senior: dict[str, tuple[int, int]] = {}
        self.meetings: list[_Meeting] = []
        self.words = vocabulary(seed)

    def rng(self, stage: str) -> Random:
        return Random(f"serantau-corpus:{self.seed}:{stage}")

    def run(self) -> dict[str, int]:
        started = time.perf_counter()
        with (
            transaction.atomic(),
            _timestamps_as_given(CURATED_MODELS),
            _large_page_cache(),
            _search_index_rebuilt_after("INSERT"),
        ):
            for stage in (
                self._topics,
                self._actors,
                self._meetings,
                self._participations,
                self._articles,
            ):
                stage_started = time.perf_counter()
                written = stage()
                for label, rows in written.items():
                    self.counts[label] = self.counts.get(label, 0) + rows
                rows = ", ".join(f"{label} {n:,}" for label, n in written.items())
                self.report(f"  {rows} in {time.perf_counter() - stage_started:.1f} s")
            # Articles and commitments were written with their ids; the
            # sequences that number the next ones must start after them.
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(
                    no_style(), CURATED_MODELS
                ):
                    cursor.execute(sql)
        # Planner statistics for the tables just filled: without them SQLite
        # drives many-to-many prefetches from the nearly useless status index,
        # and PostgreSQL's autovacuum would catch up only minutes later.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.seconds = time.perf_counter() - started
        return self.counts

    # Writing ------------------------------------------------------------------------

    def _insert(self, model: type[models.Model], rows: Sequence[models.Model]) -> None:
        """bulk_create, for the records whose ids the next stages need."""
        for start in range(0, len(rows), self.batch_size):
            model.objects.bulk_create(
                rows[start : start + self.batch_size], batch_size=self.batch_size
            )

    def _write(
        self, model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple]
    ) -> int:
        """Write rows of `columns` values straight to the table.

        For the hundreds of thousands of link, participation, annotation and
        mention rows this takes a quarter of bulk_create's time: no model
        instance per row, and only the values that need it (dates) go through
        their field's get_db_prep_save. SQLite takes them with executemany;
        PostgreSQL, which would run executemany's rows one statement each, with
        COPY. Triggers fire either way.
        """
        opts = model._meta
        fields = [opts.get_field(column) for column in columns]
        required = {
            f.attname
            for f in opts.concrete_fields
            if not f.null
            and not f.primary_key
            and f.db_default is models.NOT_PROVIDED
            and f.attname not in columns
        }
        if required:
            raise ValueError(f"{opts.label} rows need {', '.join(sorted(required))}.")
        prepare = [
            None
            if isinstance(f, _PLAIN_FIELDS)
            else functools.partial(f.get_db_prep_save, connection=connection)
            for f in fields
        ]
        if any(prepare):
            rows = (
                tuple(
                    p(value) if p else value
                    for p, value in zip(prepare, row, strict=True)
                )
                for row in rows
            )
        quote = connection.ops.quote_name
        table = quote(opts.db_table)
        names = ", ".join(quote(f.column) for f in fields)
        written = 0
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        written += 1
                return written
            placeholders = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"
            batch: list[tuple] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= self.batch_size:
                    cursor.executemany(sql, batch)
                    written += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                written += len(batch)
        return written

    def _write_objects(
        self, model: type[models.Model], objects: Sequence[models.Model]
    ) -> int:
        """Write model instances, ids included, as _write writes tuples: for
        the articles, half the time bulk_create takes, as many as they are."""
        names = [f.attname for f in model._meta.concrete_fields]
        return self._write(
            model, names, (tuple(getattr(o, n) for n in names) for o in objects)
        )

    @staticmethod
    def _next_id(model: type[models.Model]) -> int:
        """The first free id: 1 on the empty desk the command insists on."""
        return (model.objects.aggregate(last=models.Max("pk"))["last"] or 0) + 1

    def _insert_links(
        self, through: type[models.Model], columns: tuple[str, str], pairs: Iterable
    ) -> int:
        return self._write(through, columns, pairs)

    # Topics -------------------------------------------------------------------------

    def _topics(self) -> dict[str, int]:
        rows = []
        for o in _fixture():
            if o["model"] == "briefings.topic":
                f = o["fields"]
                day = date(FIRST_YEAR, 1, 1)
                rows.append(
                    Topic(
                        name=f["name"],
                        slug=f["slug"],
                        description=f["description"],
                        status=PUBLISHED,
                        published_at=_stamp(day, 60),
                        created_at=_stamp(day),
                        updated_at=_stamp(day, 60),
                    )
                )
        self._insert(Topic, rows)
        self.topics = {t.slug: t.pk for t in rows}
        self.topic_pks = [t.pk for t in rows]
        for t in rows:
            words = data.TOPIC_WORDS.get(t.slug) or (t.name.lower(),) * 3
            self.topic_words[t.pk] = dict(zip(("ms", "id", "en"), words, strict=True))
        return {"topics": len(rows)}

    # Actors -------------------------------------------------------------------------

    def _actors(self) -> dict[str, int]:
        rng = self.rng("actors")
        slug = _slugs()
        day = date(FIRST_YEAR, 1, 1)
        rows: list[Actor] = []
        info: list[_Actor] = []
        aliases: list[tuple[int, str, str]] = []  # (row index, name, language)
        parent_of: dict[int, int] = {}  # row index → its parent's row index

        def add(actor: Actor, record: _Actor, names: Iterable[tuple[str, str]]) -> int:
            n = len(rows)
            actor.created_at = _stamp(day, n)
            actor.updated_at = _stamp(day, n + 60)
            if actor.status == PUBLISHED:
                actor.published_at = actor.updated_at
            rows.append(actor)
            info.append(record)
            written: set[str] = set()
            for name, language in names:
                if name not in written:
                    written.add(name)
                    aliases.append((n, name, language))
            return n

        for c in data.COUNTRIES:
            add(
                Actor(
                    kind=ActorKind.COUNTRY,
                    name=c.name,
                    slug=slug(c.slug),
                    iso_code=c.iso,
                    is_asean_member=c.asean,
                    wikidata_id=c.wikidata,
                    description=(
                        "ASEAN member state."
                        if c.asean
                        else "Dialogue partner of ASEAN."
                    ),
                    status=PUBLISHED,
                ),
                _Actor(0, ActorKind.COUNTRY, c.name, {"ms": c.ms, "id": c.id}, c.iso),
                [(n, lang) for n, lang in ((c.ms, "ms"), (c.id, "id")) if n != c.name]
                or [(c.name, "")],
            )
        n_countries = len(rows)
        international: dict[str, int] = {}
        for o in data.INTERNATIONAL:
            international[o.slug] = add(
                Actor(
                    kind=ActorKind.ORGANISATION,
                    organisation_type=o.type,
                    name=o.name,
                    slug=slug(o.slug),
                    wikidata_id=o.wikidata,
                    status=PUBLISHED,
                ),
                _Actor(
                    0,
                    ActorKind.ORGANISATION,
                    o.name,
                    {lang: n for n, lang in o.aliases if lang in ("ms", "id")},
                    o.country,
                ),
                o.aliases,
            )
        for o in data.INTERNATIONAL:
            if o.parent:
                parent_of[international[o.slug]] = international[o.parent]
        outlets: dict[int, data.Outlet] = {}
        for outlet in data.OUTLETS:
            n = add(
                Actor(
                    kind=ActorKind.ORGANISATION,
                    organisation_type="news_outlet",
                    name=outlet.name,
                    slug=slug(outlet.slug),
                    status=PUBLISHED,
                ),
                _Actor(0, ActorKind.ORGANISATION, outlet.name, {}, outlet.country),
                [(outlet.name, "")],
            )
            outlets[n] = outlet
        synthetic = max(0, self.plan.actors - len(rows))
        organisations = round(synthetic * 0.3)
        people = synthetic - organisations

        # National organisations, member states first, then their units.
        countries = sorted(data.COUNTRIES, key=lambda c: (not c.asean, -c.weight))
        national = [(c, n) for n in data.NATIONAL for c in countries][:organisations]
        statuses = iter(_statuses(rng, synthetic, UNPUBLISHED_SHARE["actor"]))
        parents: list[int] = []
        for c, n in national:
            # "Kementerian Pertahanan Jepun" in Malay, "… Jepang" in Indonesian.
            local = {lang: f"{getattr(n, lang)} {getattr(c, lang)}" for lang in _LOCAL}
            language = _writing(c.iso)
            record = _Actor(
                0, ActorKind.ORGANISATION, f"{n.en} ({c.name})", local, c.iso
            )
            if n.en == "Ministry of Defence":
                self.ministries[c.iso] = record
            parents.append(
                add(
                    Actor(
                        kind=ActorKind.ORGANISATION,
                        organisation_type=n.type,
                        name=record.name,
                        slug=slug(f"{n.en} {c.slug}"),
                        status=next(statuses),
                        description=f"{n.en} of {c.name}.",
                    ),
                    record,
                    [(local[language], language), *((v, k) for k, v in local.items())],
                )
            )
            self.organisations[c.iso].append(record)
        for k in range(organisations - len(parents)):
            parent = parents[k % len(parents)]
            round_ = k // len(parents)
            if round_ < len(data.UNITS):
                en, ms, id_ = data.UNITS[(round_ + parent) % len(data.UNITS)]
            else:
                number = round_ - len(data.UNITS) + 1
                en, ms, id_ = (f"{part} {number}" for part in data.NUMBERED_UNIT)
            above = info[parent]
            language = _writing(above.country)
            unit = {"ms": ms, "id": id_}
            local = {lang: f"{unit[lang]}, {above.called(lang)}" for lang in _LOCAL}
            name = f"{en}, {above.name}"
            parent_of[
                add(
                    Actor(
                        kind=ActorKind.ORGANISATION,
                        organisation_type=rows[parent].organisation_type,
                        name=name,
                        slug=slug(f"{en} {rows[parent].slug}", 120),
                        status=next(statuses),
                    ),
                    _Actor(0, ActorKind.ORGANISATION, name, local, above.country),
                    [(local[language], language)],
                )
            ] = parent

        # People, as many from a country as it weighs in the region's news; the
        # first of each country are its ministers and chiefs.
        homes = rng.choices(countries, [c.weight for c in countries], k=people)
        made: Counter[str] = Counter()
        taken: set[str] = set()
        for home in homes:
            tier = (
                0 if made[home.iso] % 20 == 0 else 1 if made[home.iso] % 4 == 1 else 2
            )
            made[home.iso] += 1
            patterns, parts = data.NAME_STYLES[home.names]
            for _attempt in range(6):
                pattern = rng.choice(patterns).split()
                chosen = {
                    part: rng.choice(parts[part]) for part in pattern if part != "bin"
                }
                female = chosen.get("given") in data.FEMALE_GIVEN
                written = [
                    ("binti" if female else "bin") if part == "bin" else chosen[part]
                    for part in pattern
                ]
                canonical = " ".join(w for w in written if w not in ("bin", "binti"))
                if canonical not in taken:
                    break
            taken.add(canonical)
            language = _writing(home.iso)
            names = [(" ".join(written), language)]
            if home.names in data.FAMILY_FIRST:
                names.append((" ".join(reversed(written)), "en"))
            elif "bin" in pattern and rng.random() < 0.6:
                names.append((" ".join(written[:2]), language))
            elif len(written) == 3 and rng.random() < 0.5:
                names.append((f"{written[0]} {written[2]}", language))
            position = rng.choice(_POSITIONS_BY_TIER[tier])
            honorifics = data.HONORIFICS.get(home.iso, data.HONORIFICS[""])
            honorific = (
                rng.choice(honorifics) if tier < 2 and rng.random() < 0.6 else ""
            )
            record = _Actor(
                0,
                ActorKind.PERSON,
                canonical,
                {language: names[0][0]},
                home.iso,
                tier=tier,
                honorific=honorific,
            )
            add(
                Actor(
                    kind=ActorKind.PERSON,
                    name=canonical,
                    slug=slug(canonical),
                    honorific=honorific,
                    position=position.en,
                    position_local=getattr(position, language),
                    status=next(statuses),
                    description=f"{position.en}, {home.name}.",
                ),
                record,
                names,
            )
            self.people[home.iso].append(record)

        # Countries first, as everything else may name its country; then parents
        # before their units.
        self._insert(Actor, rows[:n_countries])
        for row, record in zip(rows, info, strict=True):
            record.pk = row.pk or 0
            if record.kind == ActorKind.COUNTRY:
                self.countries[record.country] = record
        for row, record in zip(rows[n_countries:], info[n_countries:], strict=True):
            if record.country:
                row.country_id = self.countries[record.country].pk
        depth = [0] * len(rows)
        for n in range(len(rows)):
            above = parent_of.get(n)
            while above is not None:
                depth[n] += 1
                above = parent_of.get(above)
        for level in range(max(depth) + 1):
            batch = [n for n in range(n_countries, len(rows)) if depth[n] == level]
            for n in batch:
                if n in parent_of:
                    rows[n].parent_id = rows[parent_of[n]].pk
            self._insert(Actor, [rows[n] for n in batch])
        for row, record in zip(rows, info, strict=True):
            record.pk = row.pk
        for slug_, n in international.items():
            self.international[slug_] = info[n]
        self.outlets = [(outlet, info[n]) for n, outlet in outlets.items()]
        for iso, group in self.people.items():
            group.sort(key=lambda person: person.tier)
            tiers = [person.tier for person in group]
            self.senior[iso] = (tiers.count(0), tiers.count(0) + tiers.count(1))

        alias_rows = [
            ActorAlias(actor_id=rows[n].pk, name=name, language=language)
            for n, name, language in aliases
        ]
        self._insert(ActorAlias, alias_rows)
        return {"actors": len(rows), "aliases": len(alias_rows)}

    def person(
        self, rng: Random, country: str, tier: int, avoid: set[int]
    ) -> _Actor | None:
        """Someone from `country`, of `tier` or above when there is one, not in
        `avoid`: a few random tries, as the pools run to thousands."""
        group = self.people.get(country)
        if not group:
            return None
        senior = self.senior[country]
        bound = senior[tier] if tier < 2 else len(group)
        for limit in (bound, len(group)):
            if limit:
                for _attempt in range(4):
                    candidate = group[rng.randrange(limit)]
                    if candidate.pk not in avoid:
                        return candidate
        return None

    # Meetings -----------------------------------------------------------------------

    def _meetings(self) -> dict[str, int]:
        rng = self.rng("meetings")
        total = self.plan.meetings
        multilateral = max(min(3, total), round(total * 0.35))
        years = list(range(FIRST_YEAR, LAST_YEAR + 1))
        rng.shuffle(years)
        series = {s.key: s for s in data.SERIES}
        trees: list[list[data.Series]] = []
        for s in data.SERIES:
            if not s.parent:
                trees.append([s])
            else:
                root = s
                while root.parent:
                    root = series[root.parent]
                next(t for t in trees if t[0].key == root.key).append(s)
        meetings: list[_Meeting] = []
        made: dict[tuple[str, int, int], int] = {}
        rounds = 0
        while len(meetings) < multilateral and rounds < 4:
            for year in years:
                rng.shuffle(trees)
                for tree in trees:
                    for s in tree:
                        if len(meetings) >= multilateral:
                            break
                        if (
                            rounds
                            and s.level in ("ministerial", "leaders")
                            and (s.key != "asean-summit")
                        ):
                            continue
                        chair = data.ASEAN_CHAIR[year]
                        host = (
                            chair
                            if s.host == "chair"
                            else rng.choice(data.ASEAN_MEMBERS)
                        )
                        states = list(data.ASEAN_MEMBERS)
                        if s.scope == "plus":
                            states += data.PLUS_PARTNERS
                        elif s.scope == "arf":
                            states += data.ARF_PARTNERS
                        elif s.scope == "eas":
                            states += data.PLUS_PARTNERS
                        if year < 2022:
                            states.remove("TL")
                        month = rng.randint(1, 6) + 6 * (rounds % 2)
                        day = date(year, month, rng.randint(1, 28))
                        parent = (
                            made.get((s.parent, year, rounds)) if s.parent else None
                        )
                        made[(s.key, year, rounds)] = len(meetings)
                        meetings.append(
                            _Meeting(
                                series=s.key,
                                dialogue="",
                                level=s.level,
                                format=MeetingFormat.MULTILATERAL,
                                day=day,
                                days=1 if s.level == "leaders" else rng.randint(1, 3),
                                host=host,
                                states=states,
                                topics=s.topics,
                                parent=parent,
                                weight={"leaders": 6, "ministerial": 4}.get(s.level, 2),
                            )
                        )
            rounds += 1
        members = list(data.ASEAN_MEMBERS)
        others = [c.iso for c in data.COUNTRIES]
        used: set[tuple[str, str, str, int]] = set()
        while len(meetings) < total:
            a = rng.choice(members)
            b = rng.choice(others)
            dialogue = rng.choice(data.DIALOGUES)
            year = rng.choice(years)
            if a == b or (a, b, dialogue.key, year) in used:
                continue
            a, b = (a, b) if b not in members or a < b else (b, a)
            used.add((a, b, dialogue.key, year))
            meetings.append(
                _Meeting(
                    series=f"{a}-{b}-{dialogue.key}",
                    dialogue=dialogue.key,
                    level=dialogue.level,
                    format=MeetingFormat.BILATERAL,
                    day=date(year, rng.randint(1, 12), rng.randint(1, 28)),
                    days=rng.randint(1, 2),
                    host=rng.choice((a, b)),
                    states=[a, b],
                    topics=dialogue.topics,
                    weight=1.0,
                )
            )
        self._name_meetings(meetings, rng)
        self.meetings = meetings

        rows = []
        for m in meetings:
            created = m.day - timedelta(days=30)
            rows.append(
                Meeting(
                    name=m.name,
                    short_name=m.short,
                    name_local=m.local["source"],
                    slug=m.slug,
                    series=m.local["series"],
                    edition=m.edition,
                    level=m.level,
                    format=m.format,
                    start=m.start,
                    end=m.end,
                    date_note=m.date_note,
                    venue=m.venue,
                    city=m.city[0],
                    country_id=self.countries[m.host].pk,
                    state=m.state,
                    summary=m.local["summary"],
                    status=m.status,
                    created_at=_stamp(created),
                    updated_at=_stamp(m.day + timedelta(days=m.days + 2)),
                    published_at=_stamp(created, 90) if m.status == PUBLISHED else None,
                )
            )
        # Parents first, so that a meeting can point at the one it reports to.
        depth = [0] * len(meetings)
        for i, m in enumerate(meetings):
            depth[i] = depth[m.parent] + 1 if m.parent is not None else 0
        for level in range(max(depth) + 1):
            batch = [i for i in range(len(rows)) if depth[i] == level]
            for i in batch:
                parent = meetings[i].parent
                if parent is not None:
                    rows[i].reports_to_id = rows[parent].pk
            self._insert(Meeting, [rows[i] for i in batch])
        for m, row in zip(meetings, rows, strict=True):
            m.pk = row.pk
        topics = self._insert_links(
            Meeting.topics.through,
            ("meeting_id", "topic_id"),
            (
                (m.pk, self.topics[t])
                for m in meetings
                for t in m.topics
                if t in self.topics
            ),
        )
        return {"meetings": len(rows), "meeting topics": topics}

    def _name_meetings(self, meetings: list[_Meeting], rng: Random) -> None:
        series = {s.key: s for s in data.SERIES}
        dialogues = {d.key: d for d in data.DIALOGUES}
        slug = _slugs()
        by_series: dict[str, list[_Meeting]] = defaultdict(list)
        for m in meetings:
            by_series[m.series].append(m)
        for key, editions in by_series.items():
            editions.sort(key=lambda m: m.day)
            first = 1 if key not in series else 1 + rng.randint(0, 12)
            for n, m in enumerate(editions, start=first):
                m.edition = n
        statuses = _statuses(rng, len(meetings), UNPUBLISHED_SHARE["meeting"])
        for m, status in zip(meetings, statuses, strict=True):
            m.status = status
            host = next(c for c in data.COUNTRIES if c.iso == m.host)
            language = "ms" if m.host in data.MALAY_WRITING else "id"
            m.city = rng.choice(host.cities)
            m.venue = rng.choice(data.VENUES) if rng.random() < 0.6 else ""
            if m.dialogue:
                d = dialogues[m.dialogue]
                a, b = (
                    next(c for c in data.COUNTRIES if c.iso == iso) for iso in m.states
                )
                english = d.name.format(a=a.name, b=b.name)
                short = d.short.format(a=a.name, b=b.name)
                local = {
                    lang: getattr(d, lang).format(
                        a=getattr(a, lang), b=getattr(b, lang)
                    )
                    for lang in ("ms", "id")
                }
                series_name = d.name.format(a=a.name, b=b.name)
                slug_base = f"{a.slug} {b.slug} {d.key}"
            else:
                s = series[m.series]
                english, short, local = s.name, s.short, {"ms": s.ms, "id": s.id}
                series_name = s.short
                slug_base = s.short
            n = m.edition or 1
            m.name = f"{_ordinal(n)} {english}"
            m.short = f"{_ordinal(n)} {short}"
            m.local = {lang: f"{name} Ke-{n}" for lang, name in local.items()}
            m.local["en"] = m.name
            # Sources name a meeting again by its short name: "ADMM 2025",
            # "19th SOMTC WG on CT"; a bilateral one by its name.
            m.local_short = {
                "en": m.short,
                "ms": f"{short} {m.day.year}" if not m.dialogue else m.local["ms"],
                "id": m.short if not m.dialogue else m.local["id"],
            }
            m.local["source"] = f"{m.local[language]} ({short} {n})"
            m.local["series"] = series_name[:100]
            m.slug = slug(f"{slug_base} {n}")
            end = m.day + timedelta(days=m.days - 1)
            m.start = _partial(rng, m.day, (76, 14, 6, 2, 2))
            if len(m.start) == 10 and m.start[0] != "-":
                m.end = end.isoformat()
            elif m.start.startswith("--"):
                m.end = (
                    f"--{end.month:02d}-{end.day:02d}" if end.year == m.day.year else ""
                )
                if m.end and m.end < m.start:
                    m.end = ""
            else:
                m.end = m.start
            m.date_note = _date_note(m.start)
            m.state = (
                MeetingState.ANNOUNCED
                if m.day > AS_OF
                else MeetingState.CANCELLED
                if rng.random() < 0.01
                else MeetingState.HELD
            )
            if rng.random() < 0.02:
                m.level = ""
            when = "will meet" if m.state == MeetingState.ANNOUNCED else "met"
            m.local["summary"] = (
                f"The {m.name} {when} in {m.city[0]}, {host.name}, with delegations "
                f"from {len(m.states)} countries."
                if rng.random() < 0.7
                else ""
            )

    # Participations -----------------------------------------------------------------

    def _participations(self) -> dict[str, int]:
        rng = self.rng("participations")
        roles = ParticipationRole
        weights = [
            8.0
            if m.format == MeetingFormat.BILATERAL
            else _DELEGATES.get(m.level, 35) * (1 + len(m.states) / 30)
            for m in self.meetings
        ]
        scale = self.plan.participations / sum(weights)
        secretariat = self.international.get("asean-secretariat")
        observers = [
            self.international[s]
            for s in ("interpol", "unodc", "icrc", "aha-centre", "asean-secretariat")
            if s in self.international
        ]
        rows: list[tuple] = []
        for m, weight in zip(self.meetings, weights, strict=True):
            budget = max(3, round(weight * scale * rng.uniform(0.7, 1.3)))
            bilateral = m.format == MeetingFormat.BILATERAL
            tier = _DELEGATION_TIER.get(m.level, 2)
            roster = _Roster(m, budget, rows)
            take, present = roster.take, roster.present
            host = self.countries[m.host]
            take(host, roles.HOST)
            chair = self.person(rng, m.host, tier, present)
            if chair:
                m.chair = chair
                take(chair, roles.CO_CHAIR if bilateral else roles.CHAIR, host)
            for iso in m.states:
                take(self.countries[iso], roles.PARTICIPANT)
            for iso in m.states:
                if iso != m.host or not chair:
                    head = self.person(rng, iso, tier, present)
                    if head:
                        role = roles.CO_CHAIR if bilateral else roles.HEAD_OF_DELEGATION
                        take(head, role, self.countries[iso])
            if not bilateral:
                if secretariat and rng.random() < 0.3:
                    take(secretariat, roles.OBSERVER)
                if observers and rng.random() < 0.2:
                    take(rng.choice(observers), roles.OBSERVER)
                if m.level == MeetingLevel.SEMINAR:
                    iso = rng.choice(m.states)
                    speaker = self.person(rng, iso, 1, present)
                    if speaker:
                        take(speaker, roles.KEYNOTE_SPEAKER, self.countries[iso])
            for iso in m.states:
                for organisation in self.organisations.get(iso, [])[:2]:
                    if rng.random() < 0.15:
                        take(organisation, roles.PARTICIPANT)
            if rng.random() < 0.3:
                secretary = self.person(rng, m.host, 2, present)
                if secretary:
                    take(secretary, roles.SECRETARY, host)
            for _attempt in range(budget * 2):
                if roster.full:
                    break
                iso = rng.choice(m.states)
                delegate = self.person(rng, iso, 2, present)
                if delegate:
                    take(delegate, roles.PARTICIPANT, self.countries[iso])
        self._write(
            Participation,
            ("meeting_id", "actor_id", "role", "represents_id", "note"),
            rows,
        )
        return {"participations": len(rows)}

    # Articles -----------------------------------------------------------------------

    def _article_plans(self) -> list[_ArticlePlan]:
        rng = self.rng("articles")
        n = self.plan.articles
        meetings = self.meetings
        covered = rng.choices(range(len(meetings)), [m.weight for m in meetings], k=n)
        outlets = {
            language: [(o, a) for o, a in self.outlets if language in o.languages]
            for language in ("ms", "id", "en")
        }
        plans = []
        statuses = _statuses(rng, n, UNPUBLISHED_SHARE["article"])
        for i in range(n):
            roll = rng.random()
            if roll < 0.08:
                chosen: tuple[int, ...] = ()
            else:
                m = meetings[covered[i]]
                chosen = (covered[i],)
                if roll > 0.93 and m.parent is not None:
                    chosen = (covered[i], m.parent)
            if chosen:
                m = meetings[chosen[0]]
                if m.day > AS_OF:
                    day = min(AS_OF, m.day - timedelta(days=rng.randint(1, 60)))
                else:
                    day = m.day + timedelta(days=rng.choice((0, 0, 0, 1, 1, 2, 3, 7)))
                    day = min(day, AS_OF)
                host = m.host
            else:
                day = date(FIRST_YEAR, 1, 1) + timedelta(
                    days=rng.randrange((AS_OF - date(FIRST_YEAR, 1, 1)).days)
                )
                host = rng.choice(data.ASEAN_MEMBERS)
            weights = [45.0, 40.0, 15.0]
            if host in data.MALAY_WRITING:
                weights[0] += 30
            elif host == "ID":
                weights[1] += 30
            language = rng.choices(("ms", "id", "en"), weights)[0]
            outlet: _Actor | None
            press = rng.random() < 0.08 and host in self.ministries and language != "en"
            if press:
                outlet, outlet_host = self.ministries[host], ""
            else:
                options = outlets[language]
                record, outlet = rng.choices(options, [o.weight for o, _a in options])[
                    0
                ]
                outlet_host = record.host
            plans.append(
                _ArticlePlan(
                    meetings=chosen,
                    day=day,
                    language=language,
                    outlet=outlet,
                    outlet_host=outlet_host,
                    status=statuses[i],
                    order=i,
                )
            )
        # A desk fills in date order; ids follow.
        plans.sort(key=lambda p: (p.day, p.order))
        with_meeting = [1.0 if p.meetings else 0.3 for p in plans]
        for i in rng.choices(range(n), with_meeting, k=self.plan.commitments):
            plans[i].commitments += 1
        extra = max(0, self.plan.annotations - self.plan.commitments)
        for i in rng.choices(range(n), k=extra):
            plans[i].annotations += 1
        return plans

    def _articles(self) -> dict[str, int]:
        started = time.perf_counter()
        plans = self._article_plans()
        rng = self.rng("texts")
        slug = _slugs()
        hashes: set[str] = set()
        meeting_links: list[tuple[int, int]] = []
        actor_links: list[tuple[int, int]] = []
        topic_links: list[tuple[int, int]] = []
        promises: list[_CommitmentPlan] = []
        # (article pk, day, start, end, quote, prefix, suffix, kind, ref)
        notes: list[tuple] = []
        # (article pk, day, published?, start, end, text, kind, ref)
        names: list[tuple] = []
        written = 0
        characters = 0
        next_id = self._next_id(Article)
        step = max(1, len(plans) // 10)
        chunk = max(self.batch_size, 1000)
        for first in range(0, len(plans), chunk):
            rows: list[Article] = []
            extras = []
            for p in plans[first : first + chunk]:
                article, extra = self._article(p, rng, slug)
                article.pk = next_id
                next_id += 1
                while article.content_hash in hashes:
                    article.body += "\n\n" + self._filler(p, rng)
                    article.content_hash = Article.hash_text(article.body)
                hashes.add(article.content_hash)
                characters += len(article.body)
                rows.append(article)
                extras.append(extra)
            self._write_objects(Article, rows)
            for article, p, (links, spans, found, made) in zip(
                rows, plans[first : first + chunk], extras, strict=True
            ):
                pk, body = article.pk, article.body
                meeting_links.extend((pk, m) for m in links["meetings"])
                actor_links.extend((pk, a) for a in links["actors"])
                topic_links.extend((pk, t) for t in links["topics"])
                for promise in made:
                    promise.article = pk
                    promises.append(promise)
                    spans.append((*promise.span, "commitment", len(promises) - 1))
                for start, end, kind, ref in spans:
                    notes.append(
                        (
                            pk,
                            p.day,
                            start,
                            end,
                            body[start:end],
                            body[max(0, start - 32) : start],
                            body[end : end + 32],
                            kind,
                            ref,
                        )
                    )
                published = article.status == PUBLISHED
                names.extend((pk, p.day, published, *name) for name in found)
            before, written = written, written + len(rows)
            if written // step != before // step or written == len(plans):
                self.report(
                    f"    articles {written:,}/{len(plans):,}"
                    f" ({time.perf_counter() - started:.1f} s)"
                )
        self.report(
            f"  articles {written:,}, {characters // written:,} characters on average,"
            f" in {time.perf_counter() - started:.1f} s"
        )
        counts = {"articles": written}
        started = time.perf_counter()
        counts["article meetings"] = self._insert_links(
            Article.meetings.through, ("article_id", "meeting_id"), meeting_links
        )
        counts["article actors"] = self._insert_links(
            Article.actors.through, ("article_id", "actor_id"), actor_links
        )
        counts["article topics"] = self._insert_links(
            Article.topics.through, ("article_id", "topic_id"), topic_links
        )
        del meeting_links, actor_links, topic_links
        self.report(
            f"  article links {sum(counts.values()) - written:,}"
            f" in {time.perf_counter() - started:.1f} s"
        )
        started = time.perf_counter()
        counts.update(self._commitments(promises))
        self.report(
            f"  commitments {counts['commitments']:,}, assessments"
            f" {counts['assessments']:,} in {time.perf_counter() - started:.1f} s"
        )
        started = time.perf_counter()
        counts["annotations"] = self._annotations(notes, promises)
        counts["mentions"] = self._mentions(names)
        self.report(
            f"  annotations {counts['annotations']:,}, mentions"
            f" {counts['mentions']:,} in {time.perf_counter() - started:.1f} s"
        )
        return counts

    def _context(self, p: _ArticlePlan, rng: Random) -> _Context:
        language = p.language
        if p.meetings:
            m = self.meetings[p.meetings[0]]
            countries = [m.host] + [s for s in m.states if s != m.host]
            if len(countries) > 6:
                countries = countries[:1] + rng.sample(countries[1:], 5)
            people = [m.chair] if m.chair else []
            people += rng.sample(m.people, min(4, len(m.people)))
            organisations = m.organisations[:2]
            city = m.city[0] if language == "en" else m.city[1]
            topics = [self.topics[t] for t in m.topics if t in self.topics]
            topics = rng.sample(topics, min(len(topics), rng.randint(1, 2)))
        else:
            a = rng.choice(data.ASEAN_MEMBERS)
            b = rng.choice(_OTHERS[a])
            countries = [a, b]
            people = [
                person
                for iso in countries
                for person in [self.person(rng, iso, 1, set())]
                if person
            ]
            organisations = []
            city = rng.choice(_CITIES[a])[0 if language == "en" else 1]
            topics = [rng.choice(self.topic_pks)]
        organisations = organisations + [
            o for iso in countries[:3] for o in self.organisations.get(iso, [])[:2]
        ]
        if not organisations:
            organisations = list(self.international.values())[:2]
        if not people:
            people = [group[0] for group in self.people.values() if group][:3]
        return _Context(
            language=language,
            rng=rng,
            countries=[self.countries[iso] for iso in dict.fromkeys(countries)],
            people=list(dict.fromkeys(people)),
            organisations=list(dict.fromkeys(organisations)),
            meetings=[self.meetings[i] for i in p.meetings],
            city=city,
            day=p.day,
            topics=[(t, self.topic_words[t]) for t in topics],
        )

    def _article(self, p: _ArticlePlan, rng: Random, slug) -> tuple[Article, tuple]:
        ctx = self._context(p, rng)
        language = p.language
        words = self.words[language]
        pool = words.sentences if p.meetings else words.unmeeting
        body = Body()
        # The lead, then paragraphs until the article is as long as it will be;
        # the commitments' statements fall in among them.
        length = int(min(7500, max(900, rng.lognormvariate(math.log(2400), 0.38))))
        numbered = not p.outlet_host and rng.random() < 0.5
        if numbered:
            body.write("1. ")
        lead = body.sentence(_lead(ctx))
        made = [self._promise(ctx, p) for _ in range(p.commitments)]
        waiting = list(made)
        paragraphs = max(1, length // 330)
        separator = "\n" if rng.random() < 0.2 else "\n\n"
        paragraph = 1
        while body.position < length or waiting:
            paragraph += 1
            body.write(separator)
            if numbered:
                body.write(f"{paragraph}. ")
            if waiting and (body.position >= length or rng.random() < 1.5 / paragraphs):
                promise = waiting.pop()
                promise.span = body.sentence(promise.pieces)
                continue
            for k in range(_pick(rng, (1, 1, 2, 2, 3))):
                if k:
                    body.write(" ")
                quote = rng.random() < 0.12
                body.fill(_pick(rng, words.quotes if quote else pool), ctx)
        if p.outlet and p.outlet.name == "Bernama":
            body.write(" – Bernama")
        elif not p.outlet_host and language == "ms" and p.outlet:
            body.write(f"\n\n{p.outlet.called('ms').upper()}\n{_in('ms', p.day)}")

        # Annotations beyond the commitments': the lead, then sentences that name
        # an actor or a meeting.
        spans: list[tuple[int, int, str, int]] = []
        wanted = p.annotations
        if wanted and ctx.meetings:
            spans.append((*lead, "meeting", ctx.meetings[0].pk))
            wanted -= 1
        promised = {promise.span for promise in made}
        candidates = [
            s
            for s in body.sentences[1:]
            if s[2] and (s[0], s[1]) not in promised and s[1] - s[0] < 600
        ]
        for start, end, kind, ref in rng.sample(
            candidates, min(wanted, len(candidates))
        ):
            spans.append((start, end, "meeting" if kind == "m" else "actor", ref))
        found = rng.sample(body.names, min(MENTIONS_PER_ARTICLE, len(body.names)))
        actors = [ctx.countries[0].pk]
        actors += [ref for *_name, kind, ref in body.names if kind == "a"]
        topics = [t for t, _words in ctx.topics]
        topics += [t for promise in made for t in promise.topics]

        titles = (
            _TITLES[language] if ctx.meetings else _TITLES_WITHOUT_MEETING[language]
        )
        title = "".join(piece[0] for piece in ctx.fill(rng.choice(titles)))
        if language == "id":
            # Indonesian headlines capitalise every word but the small ones.
            title = " ".join(
                w if w in _LOWER_IN_HEADLINES else w[:1].upper() + w[1:]
                for w in title.split(" ")
            )
        title = title[:1].upper() + title[1:]
        article_slug = slug(title)
        text = body.text()
        published = _partial(rng, p.day, (93, 3, 2, 1, 1))
        created = _stamp(p.day, rng.randint(0, 600))
        published_at = created + timedelta(minutes=rng.randint(20, 300))
        article = Article(
            title=title,
            slug=article_slug,
            outlet_id=p.outlet.pk if p.outlet else None,
            url=(
                f"https://{p.outlet_host}/{rng.choice(data.SECTIONS[language])}/"
                f"{p.day:%Y/%m/%d}/{article_slug}"
                if p.outlet_host
                else ""
            ),
            language=language,
            published=published,
            date_note=_date_note(published),
            body=text,
            summary=_summary(ctx) if rng.random() < 0.8 else "",
            content_hash=Article.hash_text(text),
            status=p.status,
            created_at=created,
            updated_at=published_at + timedelta(minutes=rng.randint(0, 2000)),
            published_at=published_at if p.status == PUBLISHED else None,
        )
        links = {
            "meetings": [m.pk for m in ctx.meetings],
            "actors": list(dict.fromkeys(actors))[:4],
            "topics": list(dict.fromkeys(topics))[:3],
        }
        return article, (links, spans, found, made)

    def _filler(self, p: _ArticlePlan, rng: Random) -> str:
        ctx = self._context(p, rng)
        template = rng.choice(self.words[p.language].unmeeting)
        return "".join(piece[0] for piece in ctx.fill(template))

    # Commitments --------------------------------------------------------------------

    def _promise(self, ctx: _Context, p: _ArticlePlan) -> _CommitmentPlan:
        rng = ctx.rng
        language = ctx.language
        kind = rng.choices(list(CommitmentKind), (20, 10, 8, 4, 14, 14, 30))[0]
        meeting = ctx.meetings[0] if ctx.meetings else None
        everyone = (
            meeting is not None
            and meeting.format == MeetingFormat.MULTILATERAL
            and rng.random() < 0.1
        )
        if everyone:
            parties = [
                self.countries[iso]
                for iso in meeting.states
                if iso in data.ASEAN_MEMBERS
            ]
            if "asean" in self.international:
                parties.insert(0, self.international["asean"])
            party_pieces: list[Piece] = [(_ALL_MEMBERS[language], "", 0)]
            party_en = "ASEAN member states"
        else:
            parties = rng.sample(
                ctx.countries, min(len(ctx.countries), rng.randint(1, 3))
            )
            party_pieces = []
            for k, party in enumerate(parties):
                if k:
                    party_pieces.append(
                        (_AND[language] if k == len(parties) - 1 else ", ", "", 0)
                    )
                party_pieces.append((party.called(language), "a", party.pk))
            party_en = _english_list([party.name for party in parties])
        topic_pk, topic_words = rng.choice(ctx.topics)
        topic, topic_en = topic_words[language], topic_words["en"]
        deadline_kind = rng.choices(
            ("", "year", "month", "day", "years"), (40, 25, 25, 5, 5)
        )[0]
        deadline_day = ctx.day + timedelta(days=rng.randint(90, 1500))
        deadline, note, phrase = "", "", ""
        if deadline_kind == "year":
            deadline = str(deadline_day.year)
            note = f"before the end of {deadline_day.year}"
            phrase = _DEADLINE[language]["year"].format(y=deadline_day.year)
        elif deadline_kind == "month":
            deadline = deadline_day.isoformat()[:7]
            note = f"by {_month_in('en', deadline_day)}"
            phrase = _DEADLINE[language]["month"].format(
                m=_month_in(language, deadline_day)
            )
        elif deadline_kind == "day":
            deadline = deadline_day.isoformat()
            note = f"by {_in('en', deadline_day)}"
            phrase = _DEADLINE[language]["day"].format(d=_in(language, deadline_day))
        elif deadline_kind == "years":
            note = "within the next five years"
            phrase = _DEADLINE[language]["years"]
            deadline_day = None
        else:
            deadline_day = None
        verb = rng.choice(_VERBS[language])
        before, after = _STATEMENTS[language][kind]
        pieces: list[Piece] = list(party_pieces)
        pieces.append((before.format(verb=verb, topic=topic), "", 0))
        if "{meeting}" in after:
            if meeting is not None:
                head, tail = after.split("{meeting}")
                pieces += [
                    (head, "", 0),
                    (meeting.local_short[language], "m", meeting.pk),
                    (tail, "", 0),
                ]
            else:
                pieces.append((_REGIONAL[language], "", 0))
        else:
            pieces.append((after, "", 0))
        pieces.append((phrase + ".", "", 0))
        title = _TITLE_OF_KIND[kind].format(
            party=party_en,
            topic=topic_en,
            verb=rng.choice(_VERBS["en"]),
            s="s" if len(party_pieces) == 1 and not everyone else "",
        )
        title = f"{title[:1].upper()}{title[1:]} ({ctx.day.year})"
        where = f"at the {meeting.name}" if meeting else "in a bilateral statement"
        summary = f"{CommitmentKind(kind).label.capitalize()} made {where}: {title}."
        return _CommitmentPlan(
            article=0,
            pieces=pieces,
            kind=kind,
            title=title[:300],
            summary=summary if rng.random() < 0.7 else "",
            parties=[party.pk for party in parties],
            topics=[topic_pk],
            meeting=meeting.pk if meeting else 0,
            deadline=deadline,
            deadline_day=deadline_day,
            deadline_note=note,
            day=ctx.day,
            # An unpublished source keeps its commitments unpublished too.
            status=p.status,
        )

    def _commitments(self, promises: list[_CommitmentPlan]) -> dict[str, int]:
        rng = self.rng("commitments")
        slug = _slugs()
        published = [n for n, p in enumerate(promises) if p.status == PUBLISHED]
        share = UNPUBLISHED_SHARE["commitment"]
        for n, status in zip(
            published, _statuses(rng, len(published), share), strict=True
        ):
            promises[n].status = status
        assessed: dict[int, list[tuple[int, date, int, str]]] = {}
        for n, promise in enumerate(promises):
            if (
                promise.status == PUBLISHED
                and promise.day < AS_OF - timedelta(days=120)
                and rng.random() < 0.1
            ):
                entries = []
                for party in rng.sample(promise.parties, min(2, len(promise.parties))):
                    when = promise.day + timedelta(days=rng.randint(60, 400))
                    for _ in range(rng.choice((1, 1, 2))):
                        if when > AS_OF:
                            break
                        score = rng.choice((-1, 0, 1, 1))
                        entries.append((party, when, score, _RATIONALE[score]))
                        when += timedelta(days=rng.randint(30, 300))
                if entries:
                    assessed[n] = entries
        rows = []
        first_id = self._next_id(Commitment)
        for n, promise in enumerate(promises):
            if n in assessed:
                latest: dict[int, int] = {}
                for party, _when, score, _why in assessed[n]:
                    latest[party] = score
                scores = set(latest.values())
                standing = (
                    Standing.FULFILLED
                    if scores == {1}
                    else Standing.NOT_FULFILLED
                    if scores == {-1}
                    else Standing.PARTLY_FULFILLED
                )
            elif promise.deadline_day and promise.deadline_day < AS_OF:
                standing = rng.choices(
                    (
                        Standing.IN_PROGRESS,
                        Standing.UNKNOWN,
                        Standing.ANNOUNCED,
                        Standing.FULFILLED,
                        Standing.PARTLY_FULFILLED,
                        Standing.NOT_FULFILLED,
                    ),
                    (2, 2, 2, 2, 1, 1),
                )[0]
            else:
                standing = rng.choices(
                    (Standing.ANNOUNCED, Standing.IN_PROGRESS), (7, 3)
                )[0]
            created = _stamp(promise.day, 700 + n % 500)
            rows.append(
                Commitment(
                    id=first_id + n,
                    title=promise.title,
                    slug=slug(promise.title),
                    statement="".join(piece[0] for piece in promise.pieces),
                    summary=promise.summary,
                    kind=promise.kind,
                    meeting_id=promise.meeting or None,
                    deadline=promise.deadline,
                    deadline_note=promise.deadline_note,
                    source_article_id=promise.article,
                    standing=standing,
                    status=promise.status,
                    created_at=created,
                    updated_at=created + timedelta(hours=2),
                    published_at=(
                        created + timedelta(hours=1)
                        if promise.status == PUBLISHED
                        else None
                    ),
                )
            )
        self._write_objects(Commitment, rows)
        for promise, row in zip(promises, rows, strict=True):
            promise.pk = row.pk
        written = {"commitments": len(rows)}
        written["commitment parties"] = self._insert_links(
            Commitment.actors.through,
            ("commitment_id", "actor_id"),
            ((p.pk, a) for p in promises for a in p.parties),
        )
        written["commitment topics"] = self._insert_links(
            Commitment.topics.through,
            ("commitment_id", "topic_id"),
            ((p.pk, t) for p in promises for t in p.topics),
        )
        # Assessments: each supersedes the one before it for the same actor.
        first, later = [], []
        previous: dict[tuple[int, int], ComplianceAssessment] = {}
        for n, entries in assessed.items():
            for party, when, score, why in entries:
                assessment = ComplianceAssessment(
                    commitment_id=promises[n].pk,
                    actor_id=party,
                    assessed_on=when,
                    score=score,
                    rationale=why,
                    created_at=_stamp(when, 600),
                )
                before = previous.get((n, party))
                (later if before else first).append((assessment, before))
                previous[(n, party)] = assessment
        self._insert(ComplianceAssessment, [a for a, _b in first])
        while later:
            ready = [(a, b) for a, b in later if b.pk]
            for assessment, before in ready:
                assessment.supersedes_id = before.pk
            self._insert(ComplianceAssessment, [a for a, _b in ready])
            later = [(a, b) for a, b in later if not a.pk]
        written["assessments"] = sum(len(entries) for entries in assessed.values())
        return written

    def _annotations(self, notes: list[tuple], promises: list[_CommitmentPlan]) -> int:
        rng = self.rng("annotations")
        rows = []
        for article, day, start, end, quote, prefix, suffix, kind, ref in notes:
            actor = meeting = commitment = None
            if kind == "commitment":
                promise = promises[ref]
                commitment = promise.pk
                meeting = promise.meeting or None
                actor = promise.parties[0] if len(promise.parties) == 1 else None
                note = f"The commitment as the source states it: {promise.title}."
            elif kind == "meeting":
                meeting = ref
                note = rng.choice(_MEETING_NOTES)
            else:
                actor = ref
                note = rng.choice(_ACTOR_NOTES)
            rows.append(
                (
                    article,
                    start,
                    end,
                    quote,
                    prefix,
                    suffix,
                    note,
                    AnchorState.ANCHORED,
                    actor,
                    meeting,
                    commitment,
                    _stamp(day, 900 + start % 600),
                )
            )
        return self._write(
            Annotation,
            (
                "article_id",
                "start",
                "end",
                "quote",
                "prefix",
                "suffix",
                "note",
                "anchor_state",
                "actor_id",
                "meeting_id",
                "commitment_id",
                "created_at",
            ),
            rows,
        )

    def _mentions(self, names: list[tuple]) -> int:
        rows = []
        for article, day, published, start, end, text, kind, ref in names:
            actor = meeting = proposed_actor = proposed_meeting = None
            # A published article's names carry an editor's links; a draft's the
            # importer's proposals, waiting for one.
            if published:
                if kind == "a":
                    actor = ref
                else:
                    meeting = ref
            elif kind == "a":
                proposed_actor = ref
            else:
                proposed_meeting = ref
            rows.append(
                (
                    article,
                    start,
                    end,
                    text,
                    actor,
                    meeting,
                    proposed_actor,
                    proposed_meeting,
                    None if published else 100.0,
                    _stamp(day, 1000 + start % 600) if published else None,
                )
            )
        return self._write(
            Mention,
            (
                "article_id",
                "start",
                "end",
                "text",
                "actor_id",
                "meeting_id",
                "proposed_actor_id",
                "proposed_meeting_id",
                "similarity",
                "confirmed_at",
            ),
            rows,
        )


# What an article's slots are filled with ------------------------------------------


class _Context:
    """What one article is about, and the words its slots are filled with."""

    __slots__ = (
        "countries",
        "day",
        "language",
        "meetings",
        "named_meeting",
        "names",
        "organisations",
        "people",
        "rng",
        "topics",
        "values",
    )

    def __init__(
        self,
        *,
        language,
        rng,
        countries,
        people,
        organisations,
        meetings,
        city,
        day,
        topics,
    ) -> None:
        self.language = language
        self.rng = rng
        self.countries = countries
        self.people = people
        self.organisations = organisations
        self.meetings = meetings
        self.day = day
        self.topics = topics
        self.named_meeting = False
        # Each name as this article writes it, once: a person with or without
        # the honorific, an organisation in the article's language.
        self.names = {
            "C": [(self._name(a), "a", a.pk) for a in countries],
            "P": [(self._name(a), "a", a.pk) for a in people],
            "O": [(self._name(a), "a", a.pk) for a in organisations],
        }
        meeting_day = meetings[0].day if meetings else day
        self.values = {
            "CITY": (city, "", 0),
            "Y": (str(meeting_day.year), "", 0),
            "D": (_in(language, meeting_day), "", 0),
            "MON": (_month_in(language, meeting_day), "", 0),
        }

    def _name(self, actor: _Actor) -> str:
        name = actor.called(self.language)
        if actor.honorific and self.rng.random() < 0.5:
            return f"{actor.honorific} {name}"
        return name

    def meeting(self) -> Piece:
        """The meeting's full name the first time, its short name after that."""
        if not self.meetings:
            return (_NO_MEETING[self.language], "", 0)
        m = self.meetings[0]
        if len(self.meetings) > 1 and self.rng.random() < 0.3:
            m = self.meetings[1]
        elif not self.named_meeting:
            self.named_meeting = True
            return (m.local[self.language], "m", m.pk)
        return (m.local_short[self.language], "m", m.pk)

    def value(self, slot: str, taken: dict[str, int]) -> Piece:
        """What fills `slot`; a second {C} in a sentence is another country."""
        group = self.names.get(slot)
        if group is not None:
            k = taken.get(slot)
            k = int(self.rng.random() * len(group)) if k is None else k + 1
            taken[slot] = k
            return group[k % len(group)]
        if slot == "M":
            return self.meeting()
        if slot == "T":
            return (_pick(self.rng, self.topics)[1][self.language], "", 0)
        return self.values[slot]

    def fill(self, template: Template) -> list[Piece]:
        literals, slots = template
        pieces: list[Piece] = [(literals[0], "", 0)]
        taken: dict[str, int] = {}
        for slot, literal in zip(slots, literals[1:], strict=True):
            pieces.append(self.value(slot, taken))
            pieces.append((literal, "", 0))
        return pieces


def _pick(rng: Random, items: Sequence):
    """rng.choice, at a third of its cost; as deterministic."""
    return items[int(rng.random() * len(items))]


def _english_list(names: list[str]) -> str:
    if len(names) < 3:
        return " and ".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _lead(ctx: _Context) -> list[Piece]:
    """The first sentence: dateline, who met where, or what was agreed."""
    language, rng = ctx.language, ctx.rng
    city = ctx.values["CITY"][0]
    dateline = city.split(",")[0].upper()
    on = _in(language, ctx.day)
    weekday = data.WEEKDAYS[language][ctx.day.weekday()]
    host = ctx.countries[0]
    pieces: list[Piece] = []
    if ctx.meetings:
        m = ctx.meetings[0]
        meeting = ctx.meeting()
        # The meeting's chair comes first among the article's people.
        chair = ctx.names["P"][0] if m.chair and ctx.people else None
        future = m.state == MeetingState.ANNOUNCED
        if language == "ms":
            if future:
                pieces = [
                    (f"{dateline}, {on} – ", "", 0),
                    meeting,
                    (f" akan diadakan di {city} pada {_in('ms', m.day)}.", "", 0),
                ]
            elif chair and rng.random() < 0.5:
                pieces = [
                    (f"{dateline}, {on} – ", "", 0),
                    meeting,
                    (" secara rasminya telah dibuka oleh ", "", 0),
                    chair,
                    (
                        f" di {m.venue + ', ' if m.venue else ''}{city}, hari ini.",
                        "",
                        0,
                    ),
                ]
            else:
                pieces = [
                    (f"{dateline}: ", "", 0),
                    (host.called("ms"), "a", host.pk),
                    (" menjadi tuan rumah ", "", 0),
                    meeting,
                    (
                        f" yang berlangsung di {city} dengan penyertaan wakil dari "
                        f"{len(m.states)} buah negara.",
                        "",
                        0,
                    ),
                ]
        elif language == "id":
            if future:
                pieces = [
                    (f"{dateline} - ", "", 0),
                    meeting,
                    (
                        f" akan diselenggarakan di {city} pada tanggal "
                        f"{_in('id', m.day)}.",
                        "",
                        0,
                    ),
                ]
            elif rng.random() < 0.5 and ctx.organisations:
                organiser = ctx.organisations[0]
                pieces = [
                    (f"{dateline} - ", "", 0),
                    (organiser.called("id"), "a", organiser.pk),
                    (" menyelenggarakan ", "", 0),
                    meeting,
                    (f" yang diselenggarakan di {city}, pada {weekday} {on}.", "", 0),
                ]
            else:
                pieces = [
                    (f"Pada tanggal {on}, di {city}, ", "", 0),
                    (host.called("id"), "a", host.pk),
                    (", ", "", 0),
                    meeting,
                    (" berlangsung.", "", 0),
                ]
        else:
            if future:
                pieces = [
                    (f"{dateline}, {on} — The ", "", 0),
                    meeting,
                    (f" will be held in {city} on {_in('en', m.day)}.", "", 0),
                ]
            elif chair and rng.random() < 0.5:
                pieces = [
                    (f"{dateline}: ", "", 0),
                    chair,
                    (" chaired the ", "", 0),
                    meeting,
                    (f" in {city} on {weekday}.", "", 0),
                ]
            else:
                pieces = [
                    (f"{dateline}, {on} — ", "", 0),
                    (host.name, "a", host.pk),
                    (" hosted the ", "", 0),
                    meeting,
                    (
                        f" in {city}, with delegations from {len(m.states)} countries.",
                        "",
                        0,
                    ),
                ]
        return pieces
    other = ctx.countries[1] if len(ctx.countries) > 1 else host
    topic = ctx.topics[0][1][language]
    if language == "ms":
        return [
            (f"{dateline}: ", "", 0),
            (host.called("ms"), "a", host.pk),
            (" akan memperkukuh hubungan pertahanan dengan ", "", 0),
            (other.called("ms"), "a", other.pk),
            (
                f" ke tahap strategik serta membentuk kerjasama {topic} yang"
                " praktikal.",
                "",
                0,
            ),
        ]
    if language == "id":
        return [
            (f"{dateline} - ", "", 0),
            (host.called("id"), "a", host.pk),
            (" dan ", "", 0),
            (other.called("id"), "a", other.pk),
            (
                f" sepakat memperkuat kerja sama {topic} dalam pertemuan bilateral "
                f"di {city}, {weekday} ({on}).",
                "",
                0,
            ),
        ]
    return [
        (f"{dateline}: ", "", 0),
        (host.name, "a", host.pk),
        (" and ", "", 0),
        (other.name, "a", other.pk),
        (f" will deepen cooperation on {topic}, officials said on {weekday}.", "", 0),
    ]


def _summary(ctx: _Context) -> str:
    subject = ctx.topics[0][1]["en"]
    if ctx.meetings:
        m = ctx.meetings[0]
        return (
            f"Report on the {m.name} in {m.city[0]}: {ctx.countries[0].name} and the "
            f"other delegations discussed cooperation on {subject}."
        )
    names = _english_list([c.name for c in ctx.countries[:2]])
    return f"{names} on closer defence ties, with cooperation on {subject}."


_OTHERS = {a: [c.iso for c in data.COUNTRIES if c.iso != a] for a in data.ASEAN_MEMBERS}
_CITIES = {c.iso: c.cities for c in data.COUNTRIES}


_TITLES = {
    "ms": [
        Template.compile(t)
        for t in (
            "{M}: {C} komited perkukuh kerjasama {T}",
            "{C} dan {C} perkukuh hubungan pertahanan",
            "{M} bincang isu {T}",
            "{P}: {C} sedia tingkatkan kerjasama {T}",
            "ASEAN komited kukuh kerjasama {T} bersama rakan dialog",
            "{C} hantar delegasi ke {M} di {CITY}",
            "Kerjasama {T} jadi fokus {M}",
        )
    ],
    "id": [
        Template.compile(t)
        for t in (
            "Negara-Negara Anggota ASEAN Berkolaborasi Perkuat Upaya {T}",
            "{C} dan {C} Sepakat Tingkatkan Kerja Sama {T}",
            "{O} Selenggarakan {M} di {CITY}",
            "{P} Hadiri {M} di {CITY}",
            "{M}: ASEAN Perkuat Kerja Sama {T}",
            "{C} Dorong Kerja Sama {T} di {M}",
        )
    ],
    "en": [
        Template.compile(t)
        for t in (
            "{C} and {C} agree to deepen {T} cooperation",
            "Ministers pledge closer {T} cooperation at {M}",
            "{P} leads {C} delegation to {M}",
            "{M} opens in {CITY}",
            "ASEAN members look to {T} at {M}",
        )
    ],
}
_TITLES_WITHOUT_MEETING = {
    language: [t for t in titles if "M" not in t.slots]
    for language, titles in _TITLES.items()
}
_NO_MEETING = {"ms": "pertemuan itu", "id": "pertemuan tersebut", "en": "the meeting"}
_ALL_MEMBERS = {
    "ms": "Negara-negara Anggota ASEAN",
    "id": "Negara-negara anggota ASEAN",
    "en": "ASEAN member states",
}
_AND = {"ms": " dan ", "id": " dan ", "en": " and "}
_REGIONAL = {"ms": " di peringkat serantau", "id": " di tingkat kawasan", "en": ""}
_VERBS = {
    "ms": (
        "memperkukuh",
        "meningkatkan",
        "meneroka",
        "mempertingkatkan",
        "menambah baik",
        "memperdalam",
    ),
    "id": (
        "memperkuat",
        "meningkatkan",
        "mendorong",
        "mengembangkan",
        "memperluas",
        "memperdalam",
    ),
    "en": ("strengthen", "deepen", "expand", "explore"),
}
_DEADLINE = {
    "ms": {
        "year": " sebelum akhir tahun {y}",
        "month": " menjelang {m}",
        "day": " selewat-lewatnya pada {d}",
        "years": " dalam tempoh lima tahun akan datang",
    },
    "id": {
        "year": " sebelum akhir tahun {y}",
        "month": " paling lambat {m}",
        "day": " paling lambat tanggal {d}",
        "years": " dalam lima tahun ke depan",
    },
    "en": {
        "year": " before the end of {y}",
        "month": " by {m}",
        "day": " by {d}",
        "years": " within the next five years",
    },
}
# (after the parties, after the topic) for each kind, in each language.
_STATEMENTS = {
    "ms": {
        "target": (" menyasarkan untuk {verb} kerjasama dalam bidang {topic}", ""),
        "agreement": (" akan menandatangani perjanjian kerjasama {topic}", ""),
        "mou": (
            " bersetuju memeterai Memorandum Persefahaman (MoU) mengenai {topic}",
            "",
        ),
        "letter_of_intent": (
            " akan menandatangani Surat Hasrat mengenai kerjasama {topic}",
            "",
        ),
        "plan": (" akan membangunkan rancangan tindakan kerjasama {topic}", ""),
        "support": (" menyokong inisiatif {topic}", " di bawah {meeting}"),
        "statement_of_intent": (" komited untuk {verb} kerjasama {topic}", ""),
    },
    "id": {
        "target": (" menargetkan untuk {verb} kerja sama di bidang {topic}", ""),
        "agreement": (" akan menandatangani perjanjian kerja sama {topic}", ""),
        "mou": (" akan menandatangani Nota Kesepahaman tentang {topic}", ""),
        "letter_of_intent": (
            " akan menandatangani Surat Pernyataan Kehendak mengenai "
            "kerja sama {topic}",
            "",
        ),
        "plan": (" akan menyusun rencana aksi kerja sama {topic}", ""),
        "support": (" mendukung inisiatif {topic}", " di bawah {meeting}"),
        "statement_of_intent": (" berkomitmen untuk {verb} kerja sama {topic}", ""),
    },
    "en": {
        "target": (" set the target to {verb} cooperation on {topic}", ""),
        "agreement": (" will sign an agreement on {topic} cooperation", ""),
        "mou": (" agreed to sign a memorandum of understanding on {topic}", ""),
        "letter_of_intent": (
            " will sign a letter of intent on {topic} cooperation",
            "",
        ),
        "plan": (" will draw up an action plan on {topic}", ""),
        "support": (" endorsed the {topic} initiative", " of the {meeting}"),
        "statement_of_intent": (" committed to {verb} cooperation on {topic}", ""),
    },
}
_LOWER_IN_HEADLINES = frozenset(("di", "dan", "ke", "dari", "untuk", "yang", "pada"))
# {s} is the verb's -s after a single party.
_TITLE_OF_KIND = {
    "target": "{party} to {verb} {topic} cooperation",
    "agreement": "{topic} cooperation agreement: {party}",
    "mou": "Memorandum of understanding on {topic}: {party}",
    "letter_of_intent": "Letter of intent on {topic} cooperation: {party}",
    "plan": "Action plan on {topic}: {party}",
    "support": "{party} endorse{s} the {topic} initiative",
    "statement_of_intent": "{party} commit{s} to closer {topic} cooperation",
}
_RATIONALE = {
    1: "Done as pledged: the follow-up was signed and reported.",
    0: "Partly done: work has started, but not all of what was pledged.",
    -1: "Not done: no step towards it had been reported by this date.",
}
_MEETING_NOTES = (
    "Date and place of the meeting.",
    "The meeting as the source names it.",
    "Who hosted the meeting, and where.",
)
_ACTOR_NOTES = (
    "The actor's words, quoted.",
    "Named among the participants.",
    "The actor's part in the cooperation.",
)


def generate(
    *,
    articles: int,
    seed: int = DEFAULT_SEED,
    batch_size: int = 2000,
    report: Callable[[str], None] = print,
) -> Generator:
    """Write the corpus for `articles` articles into an empty desk."""
    generator = Generator(
        articles=articles, seed=seed, batch_size=batch_size, report=report
    )
    generator.run()
    return generator
