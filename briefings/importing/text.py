"""A source file read into what an editor needs to file it: a proposal.

`parse_text` (and `parse_bytes`, `parse_file` in front of it) is pure: it
writes nothing, links nothing and publishes nothing. Its result is what the
import screen shows for confirmation and what the saving service stores once an
editor has said yes: title, lead, publication date at the precision stated,
outlet and source URL, language, the body less site furniture (verbatim), what
was cut, the names it recognised, and a warning for everything it was unsure
of.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from os import PathLike
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from briefings.importing.boilerplate import (
    Furniture,
    Removal,
    dateline,
    source_line,
    strip_boilerplate,
)
from briefings.importing.dates import PublicationDate, find_dates, publication_date
from briefings.importing.encoding import (
    MAX_BYTES,
    ImportProblem,
    check_size,
    decode,
    normalise_newlines,
)
from briefings.importing.language import LanguageGuess, detect_language
from briefings.importing.matching import Gazetteer, Proposal
from briefings.importing.outlets import Outlet, find_outlet, first_url

# Past this a title is a paragraph; the editor shortens it.
TITLE_LENGTH = 250
# A lead sentence longer than this reads badly as a title, so it is cut before
# its second clause ("… ke tahap strategik serta membentuk …").
TITLE_CLAUSE_AFTER = 40
TITLE_CLAUSE_LENGTH = 90
_CLAUSE_BREAKS = re.compile(r"\s(?:serta|sekaligus|manakala|sambil|while)\s")

_ABBREVIATIONS = frozenset(
    [
        "dr",
        "prof",
        "no",
        "sdn",
        "bhd",
        "jln",
        "st",
        "mr",
        "mrs",
        "ms",
        "lt",
        "gen",
        "kol",
        "brig",
        "hj",
        "tn",
        "sen",
        "rep",
        "jr",
        "sr",
        "vs",
        "dll",
        "dsb",
        "bpk",
        "ir",
        "drs",
        "hlm",
    ]
)
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|$)")
_PARAGRAPH_NUMBER = re.compile(r"^\s*(?:[0-9]{1,2}|[a-z])\.\s+")
_WORD = re.compile(r"[^\W_]+")
_LAST_WORD = re.compile(r"[^\W_]+$")


@dataclass(frozen=True, slots=True)
class Lead:
    """The first sentence of the story, less its dateline: `body[start:end]`."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ParsedArticle:
    """Everything read from one file; see the module docstring.

    Offsets in `lead` and `proposals` count characters of `body`; those in
    `published` and `removed` count characters of the decoded source text.
    """

    name: str
    title: str
    title_from_lead: bool
    lead: Lead | None
    body: str
    published: PublicationDate
    outlet: Outlet | None
    url: str
    language: LanguageGuess
    removed: tuple[Removal, ...]
    proposals: tuple[Proposal, ...]
    warnings: tuple[str, ...]
    encoding: str = "utf-8"


def parse_file(
    path: str | PathLike[str],
    *,
    gazetteer: Gazetteer | None = None,
    max_bytes: int = MAX_BYTES,
) -> ParsedArticle:
    """Read a file from disk; the size is checked before it is read."""
    path = Path(path)
    try:
        check_size(path.stat().st_size, name=str(path), max_bytes=max_bytes)
        data = path.read_bytes()
    except OSError as error:
        raise ImportProblem(
            str(path), str(_("the file cannot be read: %(error)s")) % {"error": error}
        ) from error
    return parse_bytes(data, name=str(path), gazetteer=gazetteer, max_bytes=max_bytes)


def parse_bytes(
    data: bytes,
    *,
    name: str = "",
    gazetteer: Gazetteer | None = None,
    max_bytes: int = MAX_BYTES,
) -> ParsedArticle:
    """Decode and parse an uploaded file; ImportProblem when it is not text."""
    decoded = decode(data, name=name, max_bytes=max_bytes)
    parsed = parse_text(decoded.text, name=name, gazetteer=gazetteer)
    return replace(
        parsed,
        encoding=decoded.encoding,
        warnings=decoded.warnings + parsed.warnings,
    )


def parse_text(
    text: str, *, name: str = "", gazetteer: Gazetteer | None = None
) -> ParsedArticle:
    """Parse a source text. Pure: nothing is written or linked. It raises
    ImportProblem only when there is no text to import (empty, or nothing but
    site furniture); everything else it is unsure of becomes a warning."""
    text = normalise_newlines(text)
    if not text.strip():
        raise ImportProblem(name, str(_("the file is empty.")))
    warnings: list[str] = []
    dates = find_dates(text)
    stripped = strip_boilerplate(text, dates=dates)
    body = stripped.body
    if not body.strip():
        raise ImportProblem(
            name, str(_("nothing is left of the text once site furniture is cut."))
        )
    body_lines = body.split("\n")

    lead = _lead(body, body_lines, stripped.lead_line)
    title, from_lead = _title(stripped.headline, lead, body_lines)
    if from_lead:
        warnings.append(
            str(_("The text has no headline; the title is the lead sentence, cut."))
        )

    published = publication_date(
        text,
        ignore=stripped.foreign_spans(),
        mentions=dates,
    )
    warnings.extend(published.warnings)

    sources = [
        source
        for removal in stripped.removed
        if removal.kind == Furniture.SOURCE
        and (source := source_line(removal.text)) is not None
    ]
    url = next((found for s in sources if (found := first_url(s))), "")
    lead_line = (
        body_lines[stripped.lead_line] if stripped.lead_line is not None else None
    )
    outlet = find_outlet(
        sources=sources, lead=lead_line, footer=_footer(body_lines, stripped.lead_line)
    )
    if outlet is not None and gazetteer is not None:
        actor_id = gazetteer.find_outlet(outlet.name) or gazetteer.find_outlet(
            outlet.text
        )
        if actor_id is None:
            warnings.append(
                str(
                    _(
                        "The outlet “%(name)s” is not a curated actor yet; add it "
                        "or choose one."
                    )
                )
                % {"name": outlet.name}
            )
        outlet = Outlet(outlet.name, outlet.text, outlet.how, actor_id)
    elif outlet is None:
        warnings.append(str(_("The text names no outlet.")))

    language = detect_language(body)
    warnings.extend(language.warnings)
    proposals = (
        tuple(gazetteer.propose(body, language=language.code))
        if gazetteer is not None
        else ()
    )
    return ParsedArticle(
        name=name,
        title=title,
        title_from_lead=from_lead,
        lead=lead,
        body=body,
        published=published,
        outlet=outlet,
        url=url,
        language=language,
        removed=stripped.removed,
        proposals=proposals,
        warnings=tuple(warnings),
    )


def _footer(lines: list[str], lead_line: int | None) -> list[str]:
    """The body's lines from its last paragraph of running text on: where a
    wire credit or a press office's sign-off stands."""
    last = None
    for index in range(len(lines) - 1, (lead_line or 0) - 1, -1):
        if len(_WORD.findall(lines[index])) >= 12:
            last = index
            break
    return lines[last:] if last is not None else lines[-5:]


def _sentence_end(text: str, start: int) -> int:
    """Where the sentence starting at `start` ends, the full stop included."""
    for match in _SENTENCE_END.finditer(text, start):
        if match.group().startswith("."):
            # The word before the dot: "Dr.", "Sdn.", an initial "A." go on.
            word = _LAST_WORD.search(text, start, match.start())
            word = word.group() if word else ""
            if word.casefold() in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
        return match.end()
    return len(text)


def _lead(body: str, lines: list[str], lead_line: int | None) -> Lead | None:
    if lead_line is None:
        return None
    line_start = sum(len(line) + 1 for line in lines[:lead_line])
    line = lines[lead_line]
    match = dateline(line)
    if match:
        begin = match.end()
    else:
        number = _PARAGRAPH_NUMBER.match(line)
        begin = number.end() if number else len(line) - len(line.lstrip())
    end = _sentence_end(line, begin)
    text = line[begin:end].rstrip()
    if not text:
        return None
    return Lead(text, line_start + begin, line_start + begin + len(text))


def _title(
    headline: str | None, lead: Lead | None, lines: list[str]
) -> tuple[str, bool]:
    if headline:
        return _shorten(headline), False
    sentence = lead.text if lead else next((s for s in lines if s.strip()), "")
    sentence = sentence.strip().rstrip(".!?…").strip()
    if len(sentence) > TITLE_CLAUSE_LENGTH:
        for match in _CLAUSE_BREAKS.finditer(sentence, TITLE_CLAUSE_AFTER):
            sentence = sentence[: match.start()]
            break
    return _shorten(sentence), True


def _shorten(title: str) -> str:
    title = " ".join(title.split())
    if len(title) <= TITLE_LENGTH:
        return title
    return title[:TITLE_LENGTH].rsplit(" ", 1)[0] + " …"
