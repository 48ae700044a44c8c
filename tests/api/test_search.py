"""Search in the API: GET /api/v1/search/ and the lists' `search` parameter.

Both run briefings.search, the search page's own function, on SQLite and on
PostgreSQL; tests/test_search.py covers the matching itself.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from briefings.models import Article, EditorialStatus, Language
from tests.factories import (
    AliasFactory,
    ArticleFactory,
    CommitmentFactory,
    CountryFactory,
    MeetingFactory,
    OrganisationFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

DRAFT = EditorialStatus.DRAFT
URL = "/api/v1/search/"


def article(title: str, body: str, **fields) -> Article:
    return ArticleFactory(
        title=title, body=body, content_hash=Article.hash_text(body), **fields
    )


@pytest.fixture
def corpus():
    """One record of each kind about `siber`, and a draft of each."""
    malaysia = CountryFactory(name="Malaysia", slug="malaysia", iso_code="MY")
    MeetingFactory(name="Siber Dialogue", slug="siber-dialogue", country=malaysia)
    AliasFactory(
        actor=PersonFactory(name="Mohamed Khaled Nordin", slug="khaled"),
        name="Menteri Siber",
    )
    CommitmentFactory(
        title="Raise cyber capacity",
        slug="cyber-capacity",
        statement="Meningkatkan keupayaan keselamatan siber.",
    )
    article(
        "Malaysia sedia",
        "Keselamatan siber diperkukuh bersama.",
        slug="malaysia-sedia",
        language=Language.MALAY,
    )
    MeetingFactory(name="Secret siber meeting", slug="draft-meeting", status=DRAFT)
    PersonFactory(name="Secret siber person", slug="draft-person", status=DRAFT)
    CommitmentFactory(title="Secret siber pledge", slug="draft-pledge", status=DRAFT)
    article("Secret siber", "Siber rahsia.", slug="draft-article", status=DRAFT)


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [hit["slug"] for hit in response.json()["results"]]


# GET /api/v1/search/ ---------------------------------------------------------------


def test_a_search_lists_every_kind_with_links_and_a_snippet(corpus, api_client):
    response = api_client.get(URL, {"q": "siber"})

    body = response.json()
    assert body["query"] == "siber"
    assert body["count"] == 4
    by_kind = {hit["kind"]: hit for hit in body["results"]}
    assert set(by_kind) == {"meeting", "actor", "commitment", "article"}
    article_hit = by_kind["article"]
    assert article_hit["slug"] == "malaysia-sedia"
    assert article_hit["title"] == "Malaysia sedia"
    assert article_hit["url"] == "http://testserver/api/v1/articles/malaysia-sedia/"
    assert article_hit["page_url"] == "http://testserver/articles/malaysia-sedia/"
    assert "<mark>siber</mark>" in article_hit["snippet"]
    assert by_kind["actor"]["title"] == "Mohamed Khaled Nordin"
    assert by_kind["actor"]["url"] == "http://testserver/api/v1/actors/khaled/"
    # Every link answers.
    for hit in body["results"]:
        assert api_client.get(hit["url"]).status_code == 200


def test_results_come_best_first(corpus, api_client):
    ranks = [
        hit["rank"] for hit in api_client.get(URL, {"q": "siber"}).json()["results"]
    ]

    assert ranks == sorted(ranks, reverse=True)
    assert all(0 < rank < 1 for rank in ranks)


def test_kind_and_limit_narrow_the_results(corpus, api_client):
    assert slugs(api_client.get(URL, {"q": "siber", "kind": "article"})) == [
        "malaysia-sedia"
    ]
    both = api_client.get(URL, {"q": "siber", "kind": ["meeting", "actor"]})
    assert sorted(slugs(both)) == ["khaled", "siber-dialogue"]
    assert len(slugs(api_client.get(URL, {"q": "siber", "limit": 2}))) == 2


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"q": "siber", "kind": "topic"}, "kind"),
        ({"q": "siber", "limit": 0}, "limit"),
        ({"q": "siber", "limit": 101}, "limit"),
        ({"q": "siber", "limit": "many"}, "limit"),
        ({}, "q"),
    ],
)
def test_a_bad_parameter_answers_400_naming_it(corpus, api_client, params, named):
    response = api_client.get(URL, params)

    assert response.status_code == 400
    assert list(response.json()) == [named]


def test_an_empty_query_finds_nothing(corpus, api_client):
    assert api_client.get(URL, {"q": "  "}).json() == {
        "query": "",
        "count": 0,
        "results": [],
    }


def test_a_reader_never_finds_a_draft(corpus, api_client):
    found = slugs(api_client.get(URL, {"q": "secret siber"}))

    assert found == []


def test_an_editor_finds_drafts(corpus, editor_client):
    found = slugs(editor_client.get(URL, {"q": "secret siber", "limit": 100}))

    assert sorted(found) == [
        "draft-article",
        "draft-meeting",
        "draft-person",
        "draft-pledge",
    ]


def test_a_snippet_holds_no_markup_but_its_marks(api_client):
    article("Siber", 'Siber <script>alert("x")</script> <b>tebal</b>.', slug="x")

    (hit,) = api_client.get(URL, {"q": "siber"}).json()["results"]

    assert set(re.findall(r"<[^>]*>", hit["snippet"])) == {"<mark>", "</mark>"}


HOSTILE = ["\x00", 'siber"', "((", "NEAR(a b)", "-", "*", "x" * 500, "🙂", "a:*|b"]


@pytest.mark.parametrize("query", HOSTILE)
def test_no_query_breaks_the_search(corpus, api_client, query):
    response = api_client.get(URL, {"q": query})

    assert response.status_code == 200
    assert "\x00" not in response.json()["query"]


def test_the_search_runs_the_same_queries_for_one_hit_or_many(api_client):
    def grow(n: int) -> None:
        for _ in range(n):
            MeetingFactory(name="Patrol meeting", country=CountryFactory())
            AliasFactory(actor=PersonFactory(), name="Patrol alias")
            CommitmentFactory(title="Patrol pledge")
            ArticleFactory(title="Patrol", outlet=OrganisationFactory())

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert api_client.get(URL, {"q": "patrol", "limit": 100}).status_code == 200
        return len(context.captured_queries)

    grow(1)
    one = count()
    grow(30)
    # PostgreSQL: the query's lexemes. Then each kind's ranked records, and
    # the snippets of those shown.
    assert one == count() == (6 if connection.vendor == "postgresql" else 5)


def test_the_search_is_in_the_schema(api_client):
    schema = api_client.get(
        "/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    ).json()

    operation = schema["paths"]["/api/v1/search/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"q", "kind", "limit"}


# The lists' `search` parameter ------------------------------------------------------


def test_a_list_search_comes_best_first(api_client):
    article("Rondaan bersama", "Latihan tahunan.", slug="in-title")
    article("Latihan tahunan", "Rondaan bersama di selat.", slug="in-text")

    response = api_client.get("/api/v1/articles/", {"search": "rondaan"})

    assert slugs(response) == ["in-title", "in-text"]


def test_an_ordering_overrides_the_rank(api_client):
    article("Rondaan bersama", "Latihan tahunan.", slug="in-title")
    article("A later title", "Rondaan bersama di selat.", slug="in-text")

    response = api_client.get(
        "/api/v1/articles/", {"search": "rondaan", "ordering": "title"}
    )

    assert slugs(response) == ["in-text", "in-title"]


def test_a_list_search_combines_with_the_filters(api_client):
    article("Siber", "Keselamatan siber.", slug="malay", language=Language.MALAY)
    article("Cyber", "Siber is a Malay word.", slug="english", language="en")

    response = api_client.get(
        "/api/v1/articles/", {"search": "siber", "language": "en"}
    )

    assert slugs(response) == ["english"]
    assert response.json()["count"] == 1


@pytest.mark.parametrize("resource", ["meetings", "actors", "commitments", "articles"])
@pytest.mark.parametrize("query", HOSTILE)
def test_no_list_search_breaks(corpus, api_client, resource, query):
    assert api_client.get(f"/api/v1/{resource}/", {"search": query}).status_code == 200
