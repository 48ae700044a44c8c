"""The desk's export of every article as one CSV file, streamed.

The admin's Export button (django-import-export) builds the whole file in
memory before sending it, which is right for a filtered changelist and wrong
for the whole desk: a hundred thousand articles of a few kilobytes each are
hundreds of megabytes. This export reads the articles in chunks of plain
values (`.values_list().iterator(chunk_size=…)`, a server-side cursor on
PostgreSQL), fetches the relations of each chunk in one query per relation,
and writes each row as it goes, so its memory does not grow with the desk.

The columns, and the text of each cell, are those of the spreadsheet export
(`resources.ArticleResource`), with one difference: a cell that begins with
"=", "+", "-", "@", a tab or a carriage return is prefixed with an
apostrophe, so that a spreadsheet shows it as text instead of running it as a
formula (OWASP's advice on CSV injection). django-import-export only strips a
leading "=", and only when IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT is on; it
is off here so that a spreadsheet export imports back unchanged. This file
is for reading, not for importing back: a partial date such as "--12-04"
reads "'--12-04".

Drafts are included: this is the desk's export, for staff (ArticleAdmin's
"Export all" view and `manage.py export_articles`), never for readers.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import islice

from django.db.models import QuerySet
from django.utils import timezone

from briefings.models import Article
from briefings.resources import ArticleResource

# The columns of the spreadsheet export (tests/test_exports.py checks).
COLUMNS = ArticleResource.Meta.fields
# Many-to-many columns: the through model's field naming the related record.
RELATIONS = {"meetings": "meeting", "actors": "actor", "topics": "topic"}
# The values read for each article, in the columns' order: the outlet by its
# slug, the relations per chunk instead.
VALUES = (
    "pk",
    *(
        f"{name}__slug" if name == "outlet" else name
        for name in COLUMNS
        if name not in RELATIONS
    ),
)
# Articles read (and relations fetched) at a time: a few megabytes of text.
CHUNK_SIZE = 1000
# What a spreadsheet would read as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Spreadsheet programs read a CSV file as UTF-8 only after this mark, as the
# admin's CSV export writes it (ImportExportBriefingAdmin.get_export_data).
BOM = "\ufeff"


def safe_cell(text: str) -> str:
    """The cell as text a spreadsheet will not run as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _chunks(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _related_slugs(name: str, article_ids: list[int]) -> dict[int, str]:
    """Each article's related slugs as the export writes them: sorted, joined."""
    through = getattr(Article, name).through
    field = RELATIONS[name]
    slugs: dict[int, list[str]] = defaultdict(list)
    for article_id, slug in through.objects.filter(
        article_id__in=article_ids
    ).values_list("article_id", f"{field}__slug"):
        slugs[article_id].append(slug)
    return {article_id: ",".join(sorted(s)) for article_id, s in slugs.items()}


def article_rows(
    articles: QuerySet[Article] | None = None, *, chunk_size: int = CHUNK_SIZE
) -> Iterator[list[str]]:
    """Each article's cells, in COLUMNS order and in the order of their ids."""
    if articles is None:
        articles = Article.objects.all()
    values = articles.order_by("pk").values_list(*VALUES)
    for chunk in _chunks(values.iterator(chunk_size=chunk_size), chunk_size):
        ids = [row[0] for row in chunk]
        related = {name: _related_slugs(name, ids) for name in RELATIONS}
        for row in chunk:
            cells = dict(zip(VALUES, row, strict=True))
            moment = cells["published_at"]
            text = {
                **{key: cells[key] or "" for key in VALUES[1:-1]},
                "outlet": cells["outlet__slug"] or "",
                "published": str(cells["published"] or ""),
                "published_at": timezone.localtime(moment).isoformat()
                if moment
                else "",
                **{name: related[name].get(row[0], "") for name in RELATIONS},
            }
            yield [safe_cell(text[column]) for column in COLUMNS]


class Echo:
    """A file that hands back what is written to it, for csv.writer to format
    one row at a time without a buffer that grows."""

    def write(self, value: str) -> str:
        return value


def articles_csv(
    articles: QuerySet[Article] | None = None, *, chunk_size: int = CHUNK_SIZE
) -> Iterator[str]:
    """The CSV file, a line (one row) at a time: a byte-order mark and the
    header, then every article."""
    writer = csv.writer(Echo())
    yield BOM + writer.writerow(COLUMNS)
    for row in article_rows(articles, chunk_size=chunk_size):
        yield writer.writerow(row)
