"""The desk's streamed CSV of every article (briefings/exports.py): the admin's
"Export all" view and `manage.py export_articles`."""

import csv
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from briefings import exports
from briefings.models import Article, EditorialStatus
from briefings.resources import ArticleResource
from tests.factories import (
    ArticleFactory,
    MeetingFactory,
    OrganisationFactory,
    PersonFactory,
    TopicFactory,
    UserFactory,
)

URL = reverse("admin:briefings_article_export_all")


def read_csv(text: str) -> list[list[str]]:
    assert text.startswith(exports.BOM)
    return list(csv.reader(io.StringIO(text[len(exports.BOM) :], newline="")))


def streamed_text(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


@pytest.fixture
def articles(db):
    """A published article with every relation, a draft, and a bare one."""
    outlet = OrganisationFactory(slug="bernama")
    first = ArticleFactory(
        slug="linked",
        outlet=outlet,
        url="https://example.org/linked",
        published="--12-04",
        summary="Ministers met.",
    )
    first.meetings.set([MeetingFactory(slug="admm"), MeetingFactory(slug="adsom")])
    first.actors.set([PersonFactory(slug="zaid"), PersonFactory(slug="amir")])
    first.topics.set([TopicFactory(slug="maritime")])
    ArticleFactory(slug="draft", status=EditorialStatus.DRAFT, published="2025")
    ArticleFactory(slug="bare", published="2025-09")
    return Article.objects.order_by("pk")


def test_the_columns_are_those_of_the_spreadsheet_export():
    assert list(exports.COLUMNS) == ArticleResource().get_export_headers()


def test_every_cell_is_the_spreadsheet_exports_but_for_formula_starts(articles):
    expected = ArticleResource().export(Article.objects.all())
    rows = list(exports.article_rows())
    assert len(rows) == len(expected) == 3
    for row, theirs in zip(rows, expected, strict=True):
        assert row == [exports.safe_cell(str(cell)) for cell in theirs]


def test_drafts_are_included(articles):
    slugs = [row[0] for row in exports.article_rows()]
    assert slugs == ["linked", "draft", "bare"]


def test_relations_are_sorted_slugs(articles):
    row = dict(zip(exports.COLUMNS, next(exports.article_rows()), strict=True))
    assert row["outlet"] == "bernama"
    assert row["meetings"] == "admm,adsom"
    assert row["actors"] == "amir,zaid"
    assert row["topics"] == "maritime"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_neutralised(db, start):
    ArticleFactory(slug="evil", title=f'{start}HYPERLINK("http://x.test","y")')
    (row,) = exports.article_rows()
    title = row[exports.COLUMNS.index("title")]
    assert title == f'\'{start}HYPERLINK("http://x.test","y")'


def test_an_ordinary_cell_is_left_alone():
    assert exports.safe_cell("Mesyuarat ADMM = penting") == "Mesyuarat ADMM = penting"
    assert exports.safe_cell("") == ""


def test_the_queries_do_not_grow_with_the_rows_of_a_chunk(articles):
    # Per chunk: the articles with their outlet, then meetings, actors, topics.
    with CaptureQueriesContext(connection) as few:
        list(exports.article_rows(chunk_size=100))
    ArticleFactory.create_batch(20)
    with CaptureQueriesContext(connection) as more:
        list(exports.article_rows(chunk_size=100))
    assert len(few) == len(more) == 4


def test_each_chunk_costs_its_own_relation_queries(articles):
    with CaptureQueriesContext(connection) as queries:
        rows = list(exports.article_rows(chunk_size=2))
    assert len(rows) == 3
    # One query for the articles (fetched in chunks from one cursor), and the
    # three relations for each of the two chunks.
    assert len(queries) == 1 + 3 * 2


# The admin view -----------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, articles):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_an_outsider_is_sent_to_the_login_page(client, outsider, articles):
    # As everywhere in the admin: a user who is not staff is asked to sign in
    # as somebody who is.
    client.force_login(outsider)
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_staff_who_may_not_view_articles_are_refused(client, articles):
    client.force_login(UserFactory(username="staff-outsider", is_staff=True))
    assert client.get(URL).status_code == 403


def test_an_editor_gets_every_article_streamed(client, editor, articles):
    client.force_login(editor)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="articles-')
    rows = read_csv(streamed_text(response))
    assert rows[0] == list(exports.COLUMNS)
    assert [row[0] for row in rows[1:]] == ["linked", "draft", "bare"]
    # A body with line breaks stays one cell.
    body = rows[1][exports.COLUMNS.index("body")]
    assert body == Article.objects.get(slug="linked").body


def test_the_changelist_links_to_the_streamed_export(client, editor, articles):
    client.force_login(editor)
    response = client.get(reverse("admin:briefings_article_changelist"))
    assert f'href="{URL}"' in response.content.decode()


# The command --------------------------------------------------------------------


def test_the_command_writes_the_same_file(client, editor, articles, tmp_path):
    client.force_login(editor)
    streamed = streamed_text(client.get(URL))
    output = tmp_path / "articles.csv"
    call_command("export_articles", "--output", str(output), verbosity=0)
    assert output.read_bytes().decode("utf-8") == streamed
    stdout = io.StringIO()
    call_command("export_articles", stdout=stdout)
    assert stdout.getvalue() == streamed
