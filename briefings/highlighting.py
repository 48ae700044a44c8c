"""Cut an article's text into runs so that annotations can be highlighted.

Annotations may overlap (a commitment's quote inside a sentence that also
gives a meeting's date), so the text is split at every start and end, and each
run knows which annotations cover it and which begin or end there.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field


@dataclass
class Segment:
    text: str
    covering: list = field(default_factory=list)
    starting: list = field(default_factory=list)
    ending: list = field(default_factory=list)


def segments(body: str, annotations) -> list[Segment]:
    spans = [a for a in annotations if 0 <= a.start < a.end <= len(body)]
    cuts = sorted({0, len(body), *(a.start for a in spans), *(a.end for a in spans)})
    runs = []
    for left, right in itertools.pairwise(cuts):
        runs.append(
            Segment(
                text=body[left:right],
                covering=[a for a in spans if a.start <= left and right <= a.end],
                starting=[a for a in spans if a.start == left],
                ending=[a for a in spans if a.end == right],
            )
        )
    return runs
