"""Site furniture out, the story in, verbatim.

A saved web page carries the site around the story: a section label and the
headline above it (sometimes twice), a page timestamp, a photo credit, a
standfirst that the story repeats, related-story links ("Baca juga: …") in the
middle, the photo caption again with its credit, and share prompts, "Sumber:"
lines and copyright lines below. The body keeps everything else exactly as
written — the system never rewrites a source — so the stripper works on whole
lines: it drops a line or keeps it, and the only cut inside a line is a metadata
prefix such as " date 2025-09-22 " before the dateline. Every cut is reported,
so the editor sees what went and can put it back.

What counts as furniture is decided by where a line stands as much as by what
it says. Above the lead paragraph (the one with the dateline, or the first real
sentence) a line holding only a date is the page's timestamp; below the story
the same line is the press office's sign-off and stays. A line is a standfirst
when it stands above the lead and recurs in the story; a photo caption is kept
once, where it first appears, and dropped where the page repeats it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from briefings.importing.dates import DateMention, DateRole, find_dates


class Furniture(StrEnum):
    """What a cut was, with a label for the editor's list of cuts."""

    TITLE = "title", _("headline")
    SECTION = "section", _("section label")
    STANDFIRST = "standfirst", _("standfirst repeated in the story")
    DATE_LINE = "date-line", _("page timestamp")
    METADATA = "metadata", _("metadata prefix")
    BYLINE = "byline", _("byline or editor line")
    BREADCRUMB = "breadcrumb", _("breadcrumb")
    PHOTO_CREDIT = "photo-credit", _("photo credit")
    CAPTION = "caption", _("repeated photo caption")
    RELATED = "related", _("related-story link")
    PROMPT = "prompt", _("comment, share or follow prompt")
    COPYRIGHT = "copyright", _("copyright line")
    SOURCE = "source", _("source line")

    def __new__(cls, value: str, label: str = "") -> Furniture:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


# Furniture that speaks of other texts or of the site, not of this text.
_FOREIGN = frozenset(
    {
        Furniture.RELATED,
        Furniture.PROMPT,
        Furniture.COPYRIGHT,
        Furniture.CAPTION,
        Furniture.BREADCRUMB,
        Furniture.BYLINE,
    }
)


@dataclass(frozen=True, slots=True)
class Removal:
    """Text cut from the source, with its offsets in the source text."""

    kind: Furniture
    text: str
    start: int
    end: int
    line: int


@dataclass(frozen=True, slots=True)
class Stripped:
    """The body and what was cut from the source to get it.

    `line_map[k]` is the source line that body line k comes from, so a body line
    can always be traced back; `lead_line` is the body line of the lead
    paragraph, `headline` the source's headline as written, if it has one."""

    body: str
    removed: tuple[Removal, ...]
    headline: str | None
    lead_line: int | None
    line_map: tuple[int, ...]

    def foreign_spans(self) -> list[tuple[int, int]]:
        """The cuts that belong to other texts or to the site (a related
        story, a caption, the copyright line): their dates say nothing about
        this text's publication."""
        return [(r.start, r.end) for r in self.removed if r.kind in _FOREIGN]


_RELATED = re.compile(
    r"^\s*(?:baca\s+(?:juga|pula)|lihat\s+juga|simak\s+(?:juga)?|artikel\s+"
    r"(?:berkaitan|terkait)|berita\s+berkaitan|read\s+(?:also|more)|also\s+read|"
    r"related(?:\s+(?:story|stories|articles?))?)\s*[:：\-–—]",
    re.IGNORECASE,
)
_PROMPT = re.compile(
    r"^\s*(?:leave\s+a\s+(?:reply|comment)|post\s+a\s+comment|"
    r"komentar(?:\s*\(\d+\))?|\d+\s+komentar|comments?(?:\s*\(\d+\))?|"
    r"berita\s+(?:terkait|terkini|lainnya|populer|pilihan)|terpopuler|"
    r"artikel\s+lain(?:nya)?|ikuti\s+kami(?:\s+di\b.*)?|follow\s+us\b.*|"
    r"share(?:\s+this(?:\s+(?:article|story))?)?\s*:?|"
    r"kongsi(?:kan)?(?:\s+artikel\s+ini)?\s*:?|bagikan(?:\s+artikel\s+ini)?\s*:?|"
    r"a{1,2}|a\s+a|a\+\s*a-|(?:tags?|topik|tag)\s*:.*|advertisement|iklan|"
    r"scroll\s+to\s+continue(?:\s+with\s+content)?|loading\.*)\s*$",
    re.IGNORECASE,
)
_COPYRIGHT = re.compile(
    r"^\s*(?:©|\(c\)\s|copyright\b|hak\s+cipta\b)|"
    r"^\s*all\s+rights?\s+reserved\.?\s*$",
    re.IGNORECASE,
)
_SOURCE = re.compile(
    r"^\s*(?:sumber(?:\s+berita)?|source|pautan|link)\s*:\s*(?P<source>\S.*?)\s*$",
    re.IGNORECASE,
)
_BYLINE = re.compile(
    r"^\s*(?:penulis|pewarta|reporter|editor|penyunting|wartawan|writer|by)"
    r"\s*:\s*\S.{0,80}$",
    re.IGNORECASE,
)
_BREADCRUMB = re.compile(r"^[^.!?\n]{0,120}(?:[»›>]\s*[^.!?»›>\n]{1,40}){2,}$")
# "Zaenal/Tribun Bali", "ANTARA FOTO/Galih Pradipta", "Foto: Bernama".
_CREDIT = (
    r"(?:(?i:foto|photo|gambar|pic|kredit\s+foto|sumber\s+foto|photo\s+credit)"
    r"\s*:\s*[^.!?\n]{2,60}|[A-Z][\w.'’ \-]{1,40}/\s?[A-Z][\w.'’ \-]{1,40})"
)
_PHOTO_CREDIT = re.compile(rf"^\s*\(?\s*{_CREDIT}\s*\)?\s*$")
_TRAILING_CREDIT = re.compile(rf"^(?P<caption>.*\S)\s*\(\s*{_CREDIT}\s*\)\s*$")
_SECTION_WORDS = {
    "berita",
    "news",
    "nasional",
    "national",
    "internasional",
    "international",
    "dunia",
    "world",
    "global",
    "politik",
    "politics",
    "ekonomi",
    "semasa",
    "asia",
    "asean",
    "serantau",
    "regional",
    "pertahanan",
    "hankam",
    "keamanan",
    "defence",
    "security",
    "utama",
    "home",
    "beranda",
}
# "1. PULAU PINANG, 26 Februari 2025 -", "KUALA LUMPUR:", "TRIBUN-BALI.COM,
# MANGUPURA -", "Jakarta (ANTARA) -", "KUALA LUMPUR, Jan 22 (Bernama) --": a
# place in capitals (or any place with an outlet in brackets), perhaps a date,
# perhaps the outlet in brackets, then a dash or a colon.
_DATELINE = re.compile(
    r"^\s*(?:[0-9]{1,2}\.\s+)?"
    r"(?:(?P<place>[A-Z][A-Z0-9'’.\-]+(?:\s+[A-Z][A-Z0-9'’.\-]+){0,3})"
    r"(?:\s*\((?P<agency>[^()\n]{2,30})\))?"
    r"|[A-Z][\w'’.\-]+(?:\s+[A-Z][\w'’.\-]+){0,2}\s*\((?P<agency2>[^()\n]{2,30})\))"
    r"(?:\s*,\s*[^–—:()\n]{1,40}?)?(?:\s*\((?P<agency3>[^()\n]{2,30})\))?"
    r"\s*(?:[–—:]|-{1,2}\s)\s*(?=\S)"
)
_WORD = re.compile(r"[^\W_]+")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s*$")


def normalise_line(line: str) -> str:
    """A line's comparison key: the same words, whatever the spacing, case or
    no-break spaces, so that a repeated caption is recognised as the same."""
    text = unicodedata.normalize("NFKC", line).casefold()
    return " ".join(text.split())


def dateline(line: str) -> re.Match[str] | None:
    """The dateline at the start of `line`, if it has one."""
    return _DATELINE.match(line)


def _words(line: str) -> int:
    return len(_WORD.findall(line))


def _is_running_text(line: str) -> bool:
    words = _words(line)
    return words >= 12 and (words >= 25 or bool(_SENTENCE_END.search(line)))


def _furniture(line: str) -> Furniture | None:
    """Furniture that a line is wherever it stands."""
    if not line.strip():
        return None
    if _RELATED.match(line):
        return Furniture.RELATED
    if _SOURCE.match(line):
        return Furniture.SOURCE
    if _COPYRIGHT.match(line):
        return Furniture.COPYRIGHT
    if _PROMPT.match(line):
        return Furniture.PROMPT
    if _BYLINE.match(line):
        return Furniture.BYLINE
    if _words(line) <= 6 and _PHOTO_CREDIT.match(line):
        return Furniture.PHOTO_CREDIT
    if len(line) <= 200 and _BREADCRUMB.match(line):
        return Furniture.BREADCRUMB
    return None


def _is_section_label(line: str) -> bool:
    words = normalise_line(line).split()
    return 0 < len(words) <= 3 and all(word in _SECTION_WORDS for word in words)


def source_line(line: str) -> str | None:
    """What a "Sumber: …" line names (an outlet or a URL), if it is one."""
    match = _SOURCE.match(line)
    return match.group("source") if match else None


def strip_boilerplate(
    text: str, *, dates: Iterable[DateMention] | None = None
) -> Stripped:
    """The body of `text`: its lines less site furniture, each line verbatim.

    `dates`, when given, are `find_dates(text)` already found: the page
    timestamp and a metadata prefix are furniture.
    """
    lines = text.split("\n")
    starts: list[int] = []
    offset = 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1

    kinds: dict[int, Furniture] = {}
    # Lines cut at the front only: the metadata prefix before the dateline.
    trimmed: dict[int, int] = {}
    for mention in find_dates(text) if dates is None else dates:
        if mention.role == DateRole.METADATA:
            line = lines[mention.line]
            cut = mention.end - starts[mention.line]
            while cut < len(line) and line[cut].isspace():
                cut += 1
            if line[cut:].strip():
                trimmed[mention.line] = cut
            else:
                kinds[mention.line] = Furniture.METADATA
        elif mention.role == DateRole.DATE_LINE:
            kinds[mention.line] = Furniture.DATE_LINE

    def content(index: int) -> str:
        return lines[index][trimmed.get(index, 0) :]

    for index in range(len(lines)):
        if index not in kinds:
            kind = _furniture(content(index))
            if kind is not None:
                kinds[index] = kind

    # A photo caption is the line after a photo credit, or a line that carries
    # its credit in brackets at the end.
    captions: set[int] = set()
    for index, kind in list(kinds.items()):
        if kind == Furniture.PHOTO_CREDIT:
            following = next(
                (j for j in range(index + 1, len(lines)) if lines[j].strip()), None
            )
            if following is not None and following not in kinds:
                captions.add(following)

    lead = _lead(lines, kinds, captions, content)
    keys = [normalise_line(content(i)) for i in range(len(lines))]
    later = set(keys[lead + 1 :]) if lead is not None else set()
    header = range(lead if lead is not None else 0)

    headline_index = next(
        (
            i
            for i in header
            if i not in kinds
            and i not in captions
            and lines[i].strip()
            and not _is_section_label(lines[i])
            and _words(lines[i]) <= 40
            and not _SENTENCE_END.search(lines[i])
        ),
        None,
    )
    headline_key = keys[headline_index] if headline_index is not None else None
    for i in header:
        if i in kinds or i in captions or not lines[i].strip():
            continue
        if keys[i] == headline_key:
            continue
        if _is_section_label(lines[i]):
            kinds[i] = Furniture.SECTION
        elif keys[i] in later:
            kinds[i] = Furniture.STANDFIRST

    # The headline again, and a caption again (with or without its credit in
    # brackets), are the page repeating itself.
    if headline_index is not None:
        kinds[headline_index] = Furniture.TITLE
    caption_keys = {keys[i] for i in captions}
    seen: set[str] = set()
    for i in range(len(lines)):
        if i in kinds or not keys[i]:
            continue
        if keys[i] == headline_key:
            kinds[i] = Furniture.TITLE
            continue
        if i not in captions:
            line = content(i).rstrip()
            credited = line.endswith(")") and _TRAILING_CREDIT.match(line)
            if credited:
                key = normalise_line(credited.group("caption"))
                if key in seen or key in caption_keys:
                    kinds[i] = Furniture.CAPTION
                    continue
            elif keys[i] in caption_keys:
                kinds[i] = Furniture.CAPTION
                continue
        seen.add(keys[i])

    kept = _keep(lines, kinds)
    removed = [
        Removal(kinds[i], lines[i], starts[i], starts[i] + len(lines[i]), i)
        for i in sorted(kinds)
    ]
    removed += [
        Removal(Furniture.METADATA, lines[i][:cut], starts[i], starts[i] + cut, i)
        for i, cut in trimmed.items()
        if i not in kinds
    ]
    removed.sort(key=lambda removal: removal.start)
    body = "\n".join(content(i) for i in kept)
    lead_line = kept.index(lead) if lead is not None and lead in kept else None
    return Stripped(
        body=body,
        removed=tuple(removed),
        headline=lines[headline_index].strip() if headline_index is not None else None,
        lead_line=lead_line,
        line_map=tuple(kept),
    )


def _lead(
    lines: list[str],
    kinds: dict[int, Furniture],
    captions: set[int],
    content: Callable[[int], str],
) -> int | None:
    """The source line of the lead paragraph: the first with a dateline near the
    top, or else the first line of running text that is not a caption."""
    candidates = [i for i in range(len(lines)) if i not in kinds and i not in captions]
    near_top = [i for i in candidates if lines[i].strip()][:12]
    for i in near_top:
        line = content(i)
        if dateline(line) and _is_running_text(line):
            return i
    keys = {i: normalise_line(content(i)) for i in candidates}
    remaining = Counter(keys.values())
    for i in candidates:
        remaining[keys[i]] -= 1
        # A sentence above the story that the story repeats is a standfirst.
        if _is_running_text(content(i)) and not remaining[keys[i]]:
            return i
    return None


def _keep(lines: list[str], kinds: dict[int, Furniture]) -> list[int]:
    """The source lines the body keeps, in order.

    Between two kept paragraphs, furniture takes its blank lines with it: the
    paragraphs stay as far apart as the first was from what followed it (or,
    if nothing, as the second was from what preceded it), so "Baca juga"
    leaves no hole and no paragraph runs into the next.
    """
    kept: list[int] = []
    blanks: list[int] = []
    before = after = 0
    cut = False
    for index, line in enumerate(lines):
        if index in kinds:
            cut = True
            after = 0
            continue
        if not line.strip():
            blanks.append(index)
            if cut:
                after += 1
            else:
                before += 1
            continue
        if kept:
            kept.extend(blanks[: (before or after)] if cut else blanks)
        kept.append(index)
        blanks, cut, before, after = [], False, 0, 0
    return kept
