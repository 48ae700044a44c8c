"""Finding an annotation's passage again after its article's text was corrected.

Pure functions, in the manner of the W3C Web Annotation selectors and of
Hypothesis's anchoring: an annotation keeps its position (start, end) and a
text quote (the exact words with a little text before and after). Re-anchoring
tries, in order:

1. the position: the quote still sits at the same place (moved by an edit
   wholly before it, when the old text is known) → anchored;
2. the quote elsewhere, exactly or differing only in whitespace: of several
   occurrences, the one whose surrounding text matches the stored prefix and
   suffix best, then the one nearest the old position → anchored;
3. a close match (rapidfuzz) near the old position, then anywhere, scoring at
   least FUZZY_THRESHOLD → fuzzy, for an editor to confirm, with the quote
   taken from the new text;
4. nothing → orphaned: the old quote is kept and the offsets are only clamped
   into the text, so that the annotation is flagged rather than attached to
   words it was not written about.

Deterministic: the same texts and annotation always give the same anchor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Protocol

from rapidfuzz import fuzz

from briefings.models import AnchorState

CONTEXT_LENGTH = 32
# fuzz.ratio (0 to 100) between the stored quote and the text found. 85 lets a
# corrected typo or a changed word in a sentence through, and not a rewrite.
FUZZY_THRESHOLD = 85.0
# Hypothesis's weights: the context decides between occurrences, the position
# only breaks ties.
CONTEXT_WEIGHT = 20.0
POSITION_WEIGHT = 2.0


class AnnotationLike(Protocol):
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str


@dataclass(frozen=True, slots=True)
class Anchor:
    start: int
    end: int
    state: AnchorState
    quote: str
    prefix: str
    suffix: str


def selectors_for(body: str, start: int, end: int) -> tuple[str, str, str]:
    """The quote at start:end and up to CONTEXT_LENGTH characters either side."""
    return (
        body[start:end],
        body[max(0, start - CONTEXT_LENGTH) : start],
        body[end : end + CONTEXT_LENGTH],
    )


def reanchor(old_body: str | None, new_body: str, annotation: AnnotationLike) -> Anchor:
    """Where `annotation`, written against `old_body` (if known), lies in
    `new_body`, and how sure that is."""
    anchor = _locate(old_body, new_body, annotation)
    # A fuzzy anchor stays fuzzy until a person confirms it, even when its
    # quote (already taken from the text) is found exactly.
    if (
        getattr(annotation, "anchor_state", None) == AnchorState.FUZZY
        and anchor.state == AnchorState.ANCHORED
    ):
        anchor = replace(anchor, state=AnchorState.FUZZY)
    return anchor


def _locate(old_body: str | None, new_body: str, annotation: AnnotationLike) -> Anchor:
    quote = annotation.quote or ""
    start, end = int(annotation.start or 0), int(annotation.end or 0)
    hint = _expected_start(old_body, new_body, start)
    for position in dict.fromkeys((hint, start)):
        at = new_body[position : position + len(quote)]
        if quote and position >= 0 and at == quote:
            return _found(new_body, position, position + len(quote), True)
    if quote.strip():
        spans = [
            (m.start(), m.end()) for m in _whitespace_tolerant(quote).finditer(new_body)
        ]
        if spans:
            best = max(spans, key=lambda span: _score(new_body, span, annotation, hint))
            return _found(new_body, *best, True)
        span = _fuzzy_span(new_body, quote, hint)
        if span is not None:
            return _found(new_body, *span, False)
    return _orphaned(new_body, annotation, start, end)


def _found(body: str, start: int, end: int, exact: bool) -> Anchor:
    state = AnchorState.ANCHORED if exact else AnchorState.FUZZY
    return Anchor(start, end, state, *selectors_for(body, start, end))


def _orphaned(body: str, annotation: AnnotationLike, start: int, end: int) -> Anchor:
    length = len(body)
    if length == 0:
        start = end = 0
    else:
        # Inside the text and not empty, as the database's constraint asks.
        start = min(max(start, 0), length - 1)
        end = min(max(end, start + 1), length)
    return Anchor(
        start,
        end,
        AnchorState.ORPHANED,
        annotation.quote or "",
        annotation.prefix or "",
        annotation.suffix or "",
    )


def _expected_start(old_body: str | None, new_body: str, start: int) -> int:
    """The old start carried over a single edit: unchanged before the edit,
    shifted by the change in length after it."""
    if old_body is None or old_body == new_body:
        return start
    head = _shared_head(old_body, new_body)
    if start < head:
        return start
    room = min(len(old_body), len(new_body)) - head
    tail = _shared_tail(old_body, new_body)
    tail = min(tail, room)
    if start >= len(old_body) - tail:
        return start + len(new_body) - len(old_body)
    return start


def _whitespace_tolerant(quote: str) -> re.Pattern[str]:
    """The quote with every run of whitespace matching any run of whitespace
    (a line break turned into a space, a doubled space, CRLF)."""
    words = quote.split()
    pattern = r"\s+".join(re.escape(word) for word in words)
    if quote[:1].isspace():
        pattern = r"\s+" + pattern
    if quote[-1:].isspace():
        pattern += r"\s+"
    return re.compile(pattern)


def _score(
    body: str, span: tuple[int, int], annotation: AnnotationLike, hint: int
) -> tuple[float, int]:
    start, end = span
    prefix, suffix = annotation.prefix or "", annotation.suffix or ""
    before = body[max(0, start - len(prefix)) : start]
    after = body[end : end + len(suffix)]
    prefix_score = _shared_tail(prefix, before) / len(prefix) if prefix else 1.0
    suffix_score = _shared_head(suffix, after) / len(suffix) if suffix else 1.0
    position_score = 1.0 - abs(start - hint) / max(len(body), 1)
    score = (
        CONTEXT_WEIGHT * (prefix_score + suffix_score)
        + POSITION_WEIGHT * position_score
    )
    # Ties go to the earlier occurrence, so that the choice never depends on
    # anything but the texts.
    return score, -start


def _shared_head(a: str, b: str) -> int:
    length = min(len(a), len(b))
    for i in range(length):
        if a[i] != b[i]:
            return i
    return length


def _shared_tail(a: str, b: str) -> int:
    length = min(len(a), len(b))
    for i in range(1, length + 1):
        if a[-i] != b[-i]:
            return i - 1
    return length


def _fuzzy_span(body: str, quote: str, hint: int) -> tuple[int, int] | None:
    """The span of `body` closest to `quote`, looked for around `hint` and then
    in the whole text, if it scores at least FUZZY_THRESHOLD."""
    margin = len(quote) + 2 * CONTEXT_LENGTH
    low = max(0, hint - margin)
    windows = [(low, body[low : hint + len(quote) + margin]), (0, body)]
    for offset, window in windows:
        if not window:
            continue
        alignment = fuzz.partial_ratio_alignment(
            quote, window, score_cutoff=FUZZY_THRESHOLD - 10
        )
        if alignment is None:
            continue
        start, end = _refine(
            body, quote, offset + alignment.dest_start, offset + alignment.dest_end
        )
        if start < end and fuzz.ratio(quote, body[start:end]) >= FUZZY_THRESHOLD:
            return start, end
    return None


def _refine(body: str, quote: str, start: int, end: int) -> tuple[int, int]:
    """Move each end of a partial match to where the whole span best matches
    the quote: partial_ratio compares windows of the quote's length, so a word
    added to or dropped from the quote leaves an end misplaced."""
    reach = min(max(8, len(quote) // 2), 256)

    def ratio(s: int, e: int) -> float:
        return fuzz.ratio(quote, body[s:e]) if s < e else 0.0

    for _round in range(2):
        start = max(
            range(max(0, start - reach), min(end, start + reach + 1)),
            key=lambda s: (ratio(s, end), -abs(s - start)),
            default=start,
        )
        end = max(
            range(max(start + 1, end - reach), min(len(body), end + reach) + 1),
            key=lambda e: (ratio(start, e), -abs(e - end)),
            default=end,
        )
    return start, end
