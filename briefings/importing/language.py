"""The language of a source text: Malay and Indonesian told apart.

Malay and Indonesian share most of their words, so a detector trained on many
languages often calls one the other. The detector here knows only the four
languages the sources are written in (Malay, Indonesian, English, Vietnamese),
which is what makes the two sister languages separable. It is built once per
process: its models load lazily and stay in memory.

A text too short to judge, or one written in two language families at once (an
English release with a Malay quote, half and half), gets "und" and a warning:
the editor chooses, the importer does not guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from django.utils.translation import gettext_lazy as _
from lingua import Language, LanguageDetector, LanguageDetectorBuilder

UNDETERMINED = "und"

# Fewer letters than this and the n-gram statistics say little.
MIN_LETTERS = 60
# The whole text's confidence below this: too close to call.
MIN_CONFIDENCE = 0.6
# Malay and Indonesian count as one family when looking for mixed text: a
# Malay text has Indonesian-looking sentences in it, and that is not mixing.
MIN_FAMILY_SHARE = 0.7
# Enough text to decide on; past it the answer no longer changes, only the time.
SAMPLE_CHARACTERS = 2000
CHUNKS = 4

_CODES = {
    Language.MALAY: "ms",
    Language.INDONESIAN: "id",
    Language.ENGLISH: "en",
    Language.VIETNAMESE: "vi",
}
_FAMILY = {"ms": "malay", "id": "malay", "en": "en", "vi": "vi"}
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """An ISO 639-1 code (or "und") and how sure the detector is, 0 to 1."""

    code: str
    confidence: float
    warnings: tuple[str, ...] = ()


@cache
def detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*_CODES).build()


def _chunks(text: str) -> list[str]:
    """The text in up to CHUNKS pieces cut at line ends, so that a text written
    half in one language and half in another shows it."""
    lines = [line for line in text.split("\n") if line.strip()]
    size = max(1, sum(len(line) for line in lines) // CHUNKS)
    chunks: list[str] = []
    current: list[str] = []
    length = 0
    for line in lines:
        current.append(line)
        length += len(line)
        if length >= size:
            chunks.append("\n".join(current))
            current, length = [], 0
    if current:
        chunks.append("\n".join(current))
    return chunks


def detect_language(text: str) -> LanguageGuess:
    """The language of `text` as a code of the Language choices.

    The detector reads the first SAMPLE_CHARACTERS in a few pieces; the
    confidence is the pieces' average weighted by their letters, and a family
    (Malay and Indonesian together, English, Vietnamese) that holds less than
    MIN_FAMILY_SHARE of the letters means a mixed text. One pass over the
    sample answers both questions.
    """
    sample = text[:SAMPLE_CHARACTERS]
    if len(_LETTER.findall(sample)) < MIN_LETTERS:
        return LanguageGuess(
            UNDETERMINED,
            0.0,
            (str(_("The text is too short to tell its language.")),),
        )
    scores: dict[str, float] = dict.fromkeys(_CODES.values(), 0.0)
    families: dict[str, int] = {}
    total = 0
    for chunk in _chunks(sample):
        letters = len(_LETTER.findall(chunk))
        if not letters:
            continue
        values = detector().compute_language_confidence_values(chunk)
        for value in values:
            scores[_CODES[value.language]] += value.value * letters
        family = _FAMILY[_CODES[values[0].language]]
        families[family] = families.get(family, 0) + letters
        total += letters
    ranked = sorted(scores, key=scores.__getitem__, reverse=True)
    code, runner_up = ranked[0], ranked[1]
    confidence = round(scores[code] / total, 3)
    if max(families.values()) / total < MIN_FAMILY_SHARE:
        return LanguageGuess(
            UNDETERMINED,
            confidence,
            (
                str(
                    _(
                        "The text mixes languages (mostly %(code)s); choose the "
                        "language of the article."
                    )
                )
                % {"code": code},
            ),
        )
    if confidence < MIN_CONFIDENCE:
        return LanguageGuess(
            UNDETERMINED,
            confidence,
            (
                str(
                    _(
                        "The language is unclear: %(first)s %(p1)s, %(second)s "
                        "%(p2)s; choose the language of the article."
                    )
                )
                % {
                    "first": code,
                    "p1": f"{confidence:.0%}",
                    "second": runner_up,
                    "p2": f"{scores[runner_up] / total:.0%}",
                },
            ),
        )
    return LanguageGuess(code, confidence)
