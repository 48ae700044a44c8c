"""Names in a body that the curated records know: proposals, never links.

The gazetteer holds every actor's canonical name and aliases and every
meeting's English name, short name and name as written in the source. A body is
matched against it in three ways, all on normalised tokens (case folded,
accents dropped, "bin"/"binti" skipped, spelling variants of Mohamed merged):

1. exact: one pass over the body's tokens, looking up the token sequences that
   start with each token in an index keyed on first tokens, so the cost grows
   with the body, not with the number of names;
2. spacing: "VietnamPlus" written "Vietnam Plus", "Divhubinter" with a head-of
   prefix ("Kadivhubinter", "Kabareskrim Polri", the Indonesian *Kepala*);
3. fuzzy: rapidfuzz only on windows that already share a rare token with a
   name of the same length, so "Mohamad Khaled Nordin" finds Mohamed Khaled
   Nordin without comparing every window with every name.

Honorifics ("Dato' Seri", "Letnan Jenderal Senior", "Bapak") are not part of
a name: they are stripped from persons' names in the gazetteer and left
outside the proposed span in the body, as the curated mentions do, and reported
beside the proposal. Short acronyms match only as written: "ITU" is the
International Telecommunication Union, "itu" is Indonesian for "that".
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from rapidfuzz import fuzz

# Scores, 0 to 100.
FUZZY_CUTOFF = 88.0
TOKEN_CUTOFF = 80.0
HEAD_PREFIX_SIMILARITY = 90.0
SPACING_SIMILARITY = 95.0
# A word shared by more names than this is too common to narrow the fuzzy
# search ("kementerian", "malaysia"); a rarer word of the same name does it,
# or, in a name of three words or more, a pair of words spelt right.
MAX_BLOCK = 24
MAX_PAIR_BLOCK = 64
# Acronyms this short are words in Malay and Indonesian too: exact case only.
CASE_SENSITIVE_LENGTH = 3

# An alias recorded for another language than the text's: still proposed (a
# Malay alias may well appear in an Indonesian text) but ranked below one
# recorded for the text's language, and scored lower for the editor.
OTHER_LANGUAGE_PENALTY = 10.0

_TOKEN = re.compile(r"[^\W_]+")
_OPENING = re.compile(r"^[(\[“‘\"']*")
_CLOSING = re.compile(r"[)\]”’\"']*$")
_CONNECTORS = frozenset({"bin", "binti", "bte", "binte"})
_SPELLINGS = {
    spelling: "mohamed"
    for spelling in (
        "mohd",
        "mohamad",
        "mohammad",
        "mohammed",
        "muhamad",
        "muhammad",
        "muhammed",
    )
}
_HONORIFICS = frozenset(
    tuple(honorific.split())
    for honorific in (
        "tun",
        "tan sri",
        "puan sri",
        "toh puan",
        "dato",
        "datuk",
        "dato seri",
        "datuk seri",
        "dato sri",
        "datuk sri",
        "dato seri utama",
        "datuk seri panglima",
        "datuk patinggi",
        "datuk amar",
        "dato paduka",
        "datin",
        "datin seri",
        "datin paduka",
        "tengku",
        "tunku",
        "yang berhormat",
        "yang amat berhormat",
        "yang berbahagia",
        "yb",
        "yab",
        "ybhg",
        "tuan",
        "puan",
        "encik",
        "dr",
        "prof",
        "profesor",
        "professor",
        "haji",
        "hajah",
        "hj",
        "hjh",
        "ir",
        "jeneral",
        "leftenan jeneral",
        "mejar jeneral",
        "brigedier jeneral",
        "laksamana",
        "laksamana madya",
        "laksamana muda",
        "laksamana pertama",
        "kolonel",
        "leftenan kolonel",
        "mejar",
        "kapten",
        "jenderal",
        "jenderal polisi",
        "letnan jenderal",
        "letnan jenderal senior",
        "jenderal senior",
        "letjen",
        "mayor jenderal",
        "mayjen",
        "brigadir jenderal",
        "brigjen",
        "marsekal",
        "laksdya",
        "laksda",
        "letkol",
        "komisaris jenderal",
        "komjen",
        "inspektur jenderal",
        "irjen",
        "kombes",
        "kombes pol",
        "bapak",
        "ibu",
        "pak",
        "saudara",
        "sdr",
        "general",
        "senior general",
        "lieutenant general",
        "senior lieutenant general",
        "major general",
        "admiral",
        "vice admiral",
        "rear admiral",
        "mr",
        "mrs",
        "his excellency",
        "her excellency",
        "h e",
        "thuong tuong",
        "dai tuong",
        "trung tuong",
        "thieu tuong",
    )
)
_MAX_HONORIFIC = max(len(honorific) for honorific in _HONORIFICS)

# What separates two tokens, as bits: a name may not run across a line end,
# a comma or a bracket unless the name itself has one there.
_NEWLINE, _CLAUSE, _BRACKET, _PERIOD = 1, 2, 4, 8


_CLAUSE_MARKS = re.compile(r"[,;:!?]")
_BRACKETS = re.compile(r"[()\[\]{}]")


@lru_cache(maxsize=4096)
def _gap_bits(gap: str) -> int:
    if gap == " ":
        return 0
    bits = 0
    if "\n" in gap:
        bits |= _NEWLINE
    if _CLAUSE_MARKS.search(gap):
        bits |= _CLAUSE
    if _BRACKETS.search(gap):
        bits |= _BRACKET
    if "." in gap:
        bits |= _PERIOD
    return bits


@lru_cache(maxsize=131072)
def _plain(token: str) -> str:
    """Case folded, accents dropped: "Chiến" → "chien", "Đại" → "dai"."""
    folded = token.casefold()
    if folded.isascii():
        return folded
    folded = folded.replace("đ", "d")
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=131072)
def _read(token: str) -> tuple[str, str, bool]:
    """A body token's plain and canonical forms, and whether it is written
    capitalised (or is a number), computed once per distinct word."""
    plain = _plain(token)
    return plain, _canonical(plain), token[:1].isupper() or token[:1].isdigit()


def _canonical(plain: str) -> str:
    return _SPELLINGS.get(plain, plain)


@dataclass(frozen=True, slots=True)
class Name:
    """One name of a curated record, as plain data.

    `actor_kind` and `organisation_type` mirror the Actor fields: a person's
    names lose their honorifics, and the outlet of an article is looked up
    among organisations only. `language` is an alias's language, if recorded.
    """

    kind: Literal["actor", "meeting"]
    target_id: int
    text: str
    actor_kind: str = ""
    organisation_type: str = ""
    language: str = ""


@dataclass(frozen=True, slots=True)
class Proposal:
    """A name found in the body and the record it may refer to.

    `text == body[start:end]`; exactly one of `actor_id` and `meeting_id` is
    set. `similarity` is 100 for a name found as curated (up to case, accents
    and "bin"), less for a variant. `alternatives` are other records with the
    same name, for the editor to choose from.
    """

    start: int
    end: int
    text: str
    actor_id: int | None
    meeting_id: int | None
    similarity: float
    matched: str
    honorific: str = ""
    alternatives: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class _Entry:
    name: Name
    tokens: tuple[str, ...]
    plain: str
    case_sensitive: bool
    allowed_gaps: int
    # Brackets and quotes the name starts or ends with, "(ADSOM WG)": the
    # tokens leave them out, the proposed span takes them back.
    opening: str
    closing: str


@dataclass(frozen=True, slots=True)
class _Token:
    plain: str
    canonical: str
    capitalised: bool
    start: int
    end: int


@dataclass(slots=True)
class _Hit:
    start: int
    end: int
    entries: list[_Entry]
    similarity: float
    first: int
    last: int


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    for match in _TOKEN.finditer(text):
        plain, canonical, capitalised = _read(match.group())
        if plain not in _CONNECTORS:
            tokens.append(_Token(plain, canonical, capitalised, *match.span()))
    return tokens


def _gap(body: str, tokens: list[_Token], index: int) -> int:
    """What separates token `index` from the one before it, as gap bits;
    worked out only for the few windows that match a name."""
    return _gap_bits(body[tokens[index - 1].end : tokens[index].start])


def _strip_honorifics(tokens: list[str]) -> list[str]:
    """A person's name without the honorifics it starts with, if any remain."""
    stripped = True
    while stripped:
        stripped = False
        for size in range(min(_MAX_HONORIFIC, len(tokens) - 1), 0, -1):
            if tuple(tokens[:size]) in _HONORIFICS:
                tokens = tokens[size:]
                stripped = True
                break
    return tokens


def _entry(name: Name) -> _Entry | None:
    text = name.text.strip()
    plains = [_plain(raw) for raw in _TOKEN.findall(text)]
    plains = [plain for plain in plains if plain not in _CONNECTORS]
    if name.actor_kind == "person":
        plains = _strip_honorifics(plains)
    if not plains:
        return None
    letters = re.sub(r"[\W_]", "", text)
    return _Entry(
        name=name,
        tokens=tuple(_canonical(plain) for plain in plains),
        plain=" ".join(plains),
        case_sensitive=len(plains) == 1 and len(letters) <= CASE_SENSITIVE_LENGTH,
        allowed_gaps=_gap_bits(text),
        opening=_OPENING.match(text).group(),
        closing=_CLOSING.search(text).group(),
    )


class Gazetteer:
    """Every name of the curated actors and meetings, indexed for matching.

    Built from plain `Name`s, so that it works without a database (tests, the
    benchmark); `from_db()` builds it from the curated records.
    """

    def __init__(self, names: Iterable[Name]) -> None:
        self.entries: list[_Entry] = []
        seen: set[tuple[str, int, tuple[str, ...]]] = set()
        for name in names:
            entry = _entry(name)
            if entry is None:
                continue
            key = (name.kind, name.target_id, entry.tokens)
            if key in seen:
                continue
            seen.add(key)
            self.entries.append(entry)
        # first token → lengths of the names starting with it, longest first
        self._lengths: dict[str, tuple[int, ...]] = {}
        self._exact: dict[tuple[str, ...], list[_Entry]] = defaultdict(list)
        # Names written as one word or two: "VietnamPlus" / "Vietnam Plus".
        self._compact: dict[str, list[_Entry]] = defaultdict(list)
        self._joined: dict[str, list[_Entry]] = defaultdict(list)
        lengths: dict[str, set[int]] = defaultdict(set)
        frequency: Counter[str] = Counter()
        pairs: Counter[tuple[str, str]] = Counter()
        for entry in self.entries:
            self._exact[entry.tokens].append(entry)
            lengths[entry.tokens[0]].add(len(entry.tokens))
            compact = "".join(entry.tokens)
            if len(compact) >= 6:
                if len(entry.tokens) == 1:
                    self._joined[compact].append(entry)
                self._compact[compact].append(entry)
            if len(entry.tokens) >= 2:
                frequency.update(set(entry.tokens))
                pairs.update(set(zip(entry.tokens, entry.tokens[1:], strict=False)))
        self._lengths = {
            token: tuple(sorted(sizes, reverse=True))
            for token, sizes in lengths.items()
        }
        # word, or pair of words → (name, where the word or pair stands in it)
        self._blocks: dict[tuple[str, ...], list[tuple[_Entry, int]]] = defaultdict(
            list
        )
        for entry in self.entries:
            if len(entry.tokens) < 2:
                continue
            for position, token in enumerate(entry.tokens):
                if len(token) >= 3 and frequency[token] <= MAX_BLOCK:
                    self._blocks[(token,)].append((entry, position))
            if len(entry.tokens) >= 3:
                for position, pair in enumerate(
                    zip(entry.tokens, entry.tokens[1:], strict=False)
                ):
                    if pairs[pair] <= MAX_PAIR_BLOCK:
                        self._blocks[pair].append((entry, position))

    def __len__(self) -> int:
        return len(self.entries)

    @classmethod
    def from_db(cls) -> Gazetteer:
        """The gazetteer of every curated actor and meeting, drafts included:
        an editor importing a story wants the records still in review too."""
        from briefings.models import Actor, ActorAlias, Meeting

        # Three queries, whatever the number of records.
        actors = Actor.objects.values_list("pk", "name", "kind", "organisation_type")
        aliases = ActorAlias.objects.values_list(
            "actor_id", "name", "actor__kind", "actor__organisation_type", "language"
        )
        meetings = Meeting.objects.values_list("pk", "name", "short_name", "name_local")
        names = [Name("actor", *row) for row in actors]
        names += [Name("actor", *row) for row in aliases]
        names += [
            Name("meeting", pk, text)
            for pk, *texts in meetings
            for text in texts
            if text
        ]
        return cls(names)

    def find_outlet(self, name: str) -> int | None:
        """The organisation called `name` exactly (up to case, accents,
        spacing), a news outlet first; None when unknown or ambiguous."""
        plains = [_plain(raw) for raw in _TOKEN.findall(name)]
        if not plains:
            return None
        tokens = tuple(_canonical(plain) for plain in plains)
        entries = list(self._exact.get(tokens, ()))
        entries += self._compact.get("".join(tokens), [])
        organisations = [
            entry.name for entry in entries if entry.name.actor_kind == "organisation"
        ]
        outlets = {n.target_id for n in organisations if n.organisation_type}
        news = {
            n.target_id for n in organisations if n.organisation_type == "news_outlet"
        }
        for candidates in (news, outlets, {n.target_id for n in organisations}):
            if len(candidates) == 1:
                return next(iter(candidates))
        return None

    def propose(self, body: str, *, language: str = "") -> list[Proposal]:
        """The actors and meetings named in `body`, one proposal per span.

        `language`, the body's, ranks aliases recorded for it first.
        """
        tokens = _tokens(body)
        hits = self._exact_hits(body, tokens)
        # For each token inside an exact hit, how far that hit reaches: a
        # fuzzy window inside an exact hit is not worth scoring.
        reach: dict[int, int] = {}
        for hit in hits:
            for index in range(hit.first, hit.last + 1):
                reach[index] = max(reach.get(index, -1), hit.last)
        hits += self._fuzzy_hits(body, tokens, reach)
        if language:
            for hit in hits:
                _prefer_language(hit, language)
        return _proposals(body, tokens, _resolve(hits))

    def _window_ok(
        self, entry: _Entry, body: str, tokens: list[_Token], first: int
    ) -> bool:
        """Whether the tokens from `first` run on as the name does: not across
        a line end, a comma or a bracket that the name itself lacks."""
        for index in range(first + 1, first + len(entry.tokens)):
            gap = _gap(body, tokens, index) & ~entry.allowed_gaps
            if not gap:
                continue
            # "Mohd. Khaled", "Dr. …": the dot of an abbreviation, not a full stop.
            if gap == _PERIOD and len(tokens[index - 1].plain) <= 4:
                continue
            return False
        return True

    def _accept(self, entry: _Entry, body: str, start: int, end: int) -> bool:
        written = body[start:end]
        if entry.case_sensitive:
            return written == entry.name.text.strip()
        # A proper name in lower case is a common word: "india" is not India.
        return not (written.islower() and not entry.name.text.islower())

    def _exact_hits(self, body: str, tokens: list[_Token]) -> list[_Hit]:
        hits: list[_Hit] = []
        keys = [token.canonical for token in tokens]
        count = len(tokens)
        lengths = self._lengths
        for first, token in enumerate(tokens):
            starts = [(token.canonical, 100.0)]
            # "Kabareskrim", "Kadivhubinter": Ka(pala), head of the unit named.
            if (
                token.canonical.startswith("ka")
                and len(token.canonical) >= 7
                and token.canonical[2:] in lengths
                and body.startswith("Ka", token.start)
            ):
                starts.append((token.canonical[2:], HEAD_PREFIX_SIMILARITY))
            for key, similarity in starts:
                for size in lengths.get(key, ()):
                    last = first + size - 1
                    if last >= count:
                        continue
                    candidate = (key, *keys[first + 1 : last + 1])
                    entries = [
                        entry
                        for entry in self._exact.get(candidate, ())
                        if self._window_ok(entry, body, tokens, first)
                        and self._accept(entry, body, token.start, tokens[last].end)
                    ]
                    if entries:
                        plain = " ".join(t.plain for t in tokens[first : last + 1])
                        score = similarity
                        if similarity == 100.0 and plain != entries[0].plain:
                            score = round(fuzz.ratio(plain, entries[0].plain), 1)
                        end = tokens[last].end
                        hits.append(_Hit(token.start, end, entries, score, first, last))
            if token.capitalised:
                hits += self._spacing_hits(body, tokens, first)
        return hits

    def _spacing_hits(self, body: str, tokens: list[_Token], first: int) -> list[_Hit]:
        """A name of several words written as one ("VietnamPlus" for "Vietnam
        Plus") or a one-word name written as two."""
        hits: list[_Hit] = []
        token = tokens[first]
        windows = [(first, self._compact.get(token.canonical, ()))]
        if first + 1 < len(tokens) and _gap(body, tokens, first + 1) == 0:
            joined = token.canonical + tokens[first + 1].canonical
            windows.append((first + 1, self._joined.get(joined, ())))
        for last, found in windows:
            entries = [
                entry
                for entry in found
                if len(entry.tokens) != last - first + 1
                and self._accept(entry, body, token.start, tokens[last].end)
            ]
            if entries:
                end = tokens[last].end
                hits.append(
                    _Hit(token.start, end, entries, SPACING_SIMILARITY, first, last)
                )
        return hits

    def _fuzzy_hits(
        self, body: str, tokens: list[_Token], reach: dict[int, int]
    ) -> list[_Hit]:
        """Names with a misspelt word, found from the words spelt right: each
        token that is a rare word of some name aligns that name on the body,
        and only those windows are scored. A window may reach past an exact
        hit ("Mohamed Khaled" of "Mohamed Khaled Nordinn"): the longer wins."""
        hits: list[_Hit] = []
        tried: set[tuple[int, int]] = set()
        count = len(tokens)
        blocks = self._blocks
        for position, token in enumerate(tokens):
            candidates = blocks.get((token.canonical,), [])
            if position + 1 < count:
                pair = (token.canonical, tokens[position + 1].canonical)
                candidates = candidates + blocks.get(pair, [])
            for entry, offset in candidates:
                first = position - offset
                size = len(entry.tokens)
                last = first + size - 1
                if first < 0 or last >= count or (id(entry), first) in tried:
                    continue
                tried.add((id(entry), first))
                if not tokens[first].capitalised or reach.get(first, -1) >= last:
                    continue
                window = tokens[first : last + 1]
                differing = [
                    (written, curated)
                    for written, curated in zip(window, entry.tokens, strict=True)
                    if written.canonical != curated
                ]
                if not differing or len(differing) > (1 if size <= 3 else 2):
                    continue
                if any(
                    len(written.plain) < 3
                    or fuzz.ratio(written.canonical, curated) < TOKEN_CUTOFF
                    for written, curated in differing
                ):
                    continue
                if not self._window_ok(entry, body, tokens, first):
                    continue
                score = fuzz.ratio(" ".join(t.plain for t in window), entry.plain)
                if score >= FUZZY_CUTOFF:
                    hits.append(
                        _Hit(
                            window[0].start,
                            window[-1].end,
                            [entry],
                            round(score, 1),
                            first,
                            last,
                        )
                    )
        return hits


def _prefer_language(hit: _Hit, language: str) -> None:
    fitting = [
        entry
        for entry in hit.entries
        if entry.name.language in ("", language) or entry.name.actor_kind == "person"
    ]
    if fitting:
        hit.entries = fitting
    else:
        hit.similarity = max(0.0, hit.similarity - OTHER_LANGUAGE_PENALTY)


def _resolve(hits: list[_Hit]) -> list[_Hit]:
    """Non-overlapping hits per kind, the longest and best first; an actor and
    a meeting may overlap ("ASEAN" inside a meeting's name) but not share a
    span, which a Mention could not hold twice."""
    chosen: list[_Hit] = []
    for kind in ("actor", "meeting"):
        taken: list[tuple[int, int]] = []
        ranked = sorted(
            (
                _Hit(h.start, h.end, entries, h.similarity, h.first, h.last)
                for h in hits
                if (entries := [e for e in h.entries if e.name.kind == kind])
            ),
            key=lambda h: (-(h.end - h.start), -h.similarity, h.start),
        )
        for hit in ranked:
            if all(hit.end <= start or hit.start >= end for start, end in taken):
                taken.append((hit.start, hit.end))
                chosen.append(hit)
    best: dict[tuple[int, int], _Hit] = {}
    for hit in chosen:
        span = (hit.start, hit.end)
        if span not in best or hit.similarity > best[span].similarity:
            best[span] = hit
    return sorted(best.values(), key=lambda h: h.start)


def _honorific(body: str, tokens: list[_Token], first: int) -> str:
    """The honorific written just before a name, as written ("Dato' Seri")."""
    for size in range(min(_MAX_HONORIFIC, first), 0, -1):
        window = tokens[first - size : first]
        if tuple(t.plain for t in window) not in _HONORIFICS:
            continue
        if any(
            _gap(body, tokens, index) & (_NEWLINE | _CLAUSE | _BRACKET)
            for index in range(first - size + 1, first + 1)
        ):
            continue
        # Up to the name, less the space before it: keeps the "'" of "Dato'".
        return body[window[0].start : tokens[first].start].rstrip()
    return ""


def _proposals(body: str, tokens: list[_Token], hits: list[_Hit]) -> list[Proposal]:
    # A name shared by several records ("Kementerian Pertahanan") goes to the
    # record that the rest of the body names without doubt, if there is one.
    certain = Counter(
        (hit.entries[0].name.kind, hit.entries[0].name.target_id)
        for hit in hits
        if len({(e.name.kind, e.name.target_id) for e in hit.entries}) == 1
    )
    proposals: list[Proposal] = []
    for hit in hits:
        targets = sorted(
            {(e.name.kind, e.name.target_id): e for e in hit.entries}.items(),
            key=lambda item: (-certain[item[0]], item[0][1]),
        )
        (kind, target_id), entry = targets[0]
        is_actor = kind == "actor"
        person = is_actor and entry.name.actor_kind == "person"
        start, end = hit.start, hit.end
        if entry.opening and body[:start].endswith(entry.opening):
            start -= len(entry.opening)
        if entry.closing and body.startswith(entry.closing, end):
            end += len(entry.closing)
        proposals.append(
            Proposal(
                start=start,
                end=end,
                text=body[start:end],
                actor_id=target_id if is_actor else None,
                meeting_id=None if is_actor else target_id,
                similarity=float(hit.similarity),
                matched=entry.name.text,
                honorific=_honorific(body, tokens, hit.first) if person else "",
                alternatives=tuple(target for (_, target), _ in targets[1:]),
            )
        )
    return proposals


def propose(body: str, gazetteer: Gazetteer, *, language: str = "") -> list[Proposal]:
    """The Mention suggestions for `body`; see Gazetteer.propose."""
    return gazetteer.propose(body, language=language)
