"""The plain-text article importer's core: a file in, a proposal out.

Pure functions over text, so that the admin's upload page, the management
command and the tests share one reading of a source and nothing is written
until an editor confirms. See `parse_file` / `parse_bytes` / `parse_text` for
the whole, and the modules for each step: `encoding` (bytes to text),
`boilerplate` (site furniture out), `dates`, `language`, `outlets`, `matching`
(names the curated records know).
"""

from briefings.importing.boilerplate import (
    Furniture,
    Removal,
    Stripped,
    strip_boilerplate,
)
from briefings.importing.dates import (
    DateMention,
    DateRole,
    PublicationDate,
    find_dates,
    parse_date,
    publication_date,
)
from briefings.importing.encoding import MAX_BYTES, DecodedText, ImportProblem, decode
from briefings.importing.language import LanguageGuess, detect_language
from briefings.importing.matching import Gazetteer, Name, Proposal, propose
from briefings.importing.outlets import Outlet, find_outlet
from briefings.importing.text import (
    Lead,
    ParsedArticle,
    parse_bytes,
    parse_file,
    parse_text,
)

__all__ = [
    "MAX_BYTES",
    "DateMention",
    "DateRole",
    "DecodedText",
    "Furniture",
    "Gazetteer",
    "ImportProblem",
    "LanguageGuess",
    "Lead",
    "Name",
    "Outlet",
    "ParsedArticle",
    "Proposal",
    "PublicationDate",
    "Removal",
    "Stripped",
    "decode",
    "detect_language",
    "find_dates",
    "find_outlet",
    "parse_bytes",
    "parse_date",
    "parse_file",
    "parse_text",
    "propose",
    "publication_date",
    "strip_boilerplate",
]
