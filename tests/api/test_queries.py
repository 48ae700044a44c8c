"""Every list and detail of the API costs a fixed number of queries.

Each test builds one row (or one embedded row), counts, builds many more with
every related row the representation embeds, and expects the same count. The
count is pinned with the queries it is made of, so that a new field that walks
a lazy relation shows here as an N+1 rather than in production.
"""

import pytest
from django.contrib.auth import get_user_model

from briefings.models import ParticipationRole
from tests.factories import (
    AliasFactory,
    AnnotationFactory,
    ArticleFactory,
    AssessmentFactory,
    CommitmentFactory,
    CountryFactory,
    MeetingFactory,
    MentionFactory,
    OrganisationFactory,
    ParticipationFactory,
    PersonFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

MANY = 100


@pytest.fixture
def related():
    """Records for rows to link to; one of each is enough."""
    country = CountryFactory(slug="malaysia")
    organisation = OrganisationFactory(country=country)
    return {
        "country": country,
        "organisation": organisation,
        "people": PersonFactory.create_batch(2, country=country, parent=organisation),
        "topics": TopicFactory.create_batch(2),
        "meeting": MeetingFactory(country=country),
        "article": ArticleFactory(outlet=organisation),
        "user": get_user_model().objects.create(username="assessor"),
    }


def add_topics(related, n):
    TopicFactory.create_batch(n)


def add_actors(related, n):
    for person in PersonFactory.create_batch(
        n, country=related["country"], parent=related["organisation"]
    ):
        AliasFactory.create_batch(2, actor=person)


def add_meetings(related, n):
    for meeting in MeetingFactory.create_batch(
        n, country=related["country"], reports_to=related["meeting"]
    ):
        roles = [ParticipationRole.CHAIR, ParticipationRole.PARTICIPANT]
        for person, role in zip(related["people"], roles, strict=True):
            ParticipationFactory(
                meeting=meeting, actor=person, role=role, represents=related["country"]
            )
        CommitmentFactory.create_batch(
            2, meeting=meeting, source_article=related["article"]
        )
        meeting.topics.add(*related["topics"])


def add_articles(related, n):
    for article in ArticleFactory.create_batch(n, outlet=related["organisation"]):
        article.meetings.add(related["meeting"])
        article.actors.add(*related["people"])
        article.topics.add(*related["topics"])
        AnnotationFactory(article=article)


def add_commitments(related, n):
    for commitment in CommitmentFactory.create_batch(
        n, meeting=related["meeting"], source_article=related["article"]
    ):
        commitment.actors.add(*related["people"])
        commitment.topics.add(*related["topics"])


def add_assessments(related, n):
    commitment = CommitmentFactory(source_article=related["article"])
    AssessmentFactory.create_batch(
        n,
        commitment=commitment,
        actor=related["country"],
        evidence_article=related["article"],
        assessed_by=related["user"],
    )


def add_annotations(related, n):
    commitment = CommitmentFactory(source_article=related["article"])
    AnnotationFactory.create_batch(
        n,
        article=related["article"],
        actor=related["people"][0],
        meeting=related["meeting"],
        commitment=commitment,
    )


def add_mentions(related, n):
    article = ArticleFactory(body="Menteri hadir. " * n)
    for at in range(n):
        MentionFactory(
            article=article,
            start=at * 15,
            end=at * 15 + 7,
            actor=related["people"][0],
        )


LISTS = [
    # 1. count  2. the page
    ("topics", add_topics, 2),
    # 1. count  2. the page, with country and parent  3. aliases
    ("actors", add_actors, 3),
    # 1. count  2. the page, with country and reports_to  3. participations, with
    # actor and represents  4. commitments  5. topics
    ("meetings", add_meetings, 5),
    # 1. count  2. the page, with outlet  3. meetings  4. actors  5. topics
    ("articles", add_articles, 5),
    # 1. count  2. the page, with meeting and source article  3. actors  4. topics
    ("commitments", add_commitments, 4),
    # 1. count  2. the page, with commitment, actor, evidence article, assessed by
    ("assessments", add_assessments, 2),
    # 1. count  2. the page, with article, actor, meeting and commitment
    ("annotations", add_annotations, 2),
    # 1. count  2. the page, with article and actor
    ("mentions", add_mentions, 2),
]


@pytest.mark.parametrize(("resource", "add", "queries"), LISTS)
def test_a_list_costs_the_same_queries_for_one_row_and_a_hundred(
    related, api_client, django_assert_num_queries, resource, add, queries
):
    add(related, 1)
    with django_assert_num_queries(queries):
        response = api_client.get(f"/api/v1/{resource}/", {"page_size": MANY})
    assert response.status_code == 200
    few = response.json()["count"]

    add(related, MANY)
    with django_assert_num_queries(queries):
        response = api_client.get(f"/api/v1/{resource}/", {"page_size": MANY})

    assert response.json()["count"] == few + MANY
    assert len(response.json()["results"]) == MANY


@pytest.mark.parametrize(("resource", "add", "queries"), LISTS)
def test_staff_lists_cost_one_query_more_to_read_the_token(
    related, editor_client, django_assert_num_queries, resource, add, queries
):
    add(related, MANY)
    # 1. the token, with its user; then the same queries as for anybody
    with django_assert_num_queries(1 + queries):
        response = editor_client.get(f"/api/v1/{resource}/", {"page_size": MANY})

    assert response.status_code == 200


# Details ------------------------------------------------------------------------


def meeting_with(related, n):
    meeting = MeetingFactory(
        slug="admm-retreat", country=related["country"], reports_to=related["meeting"]
    )
    for person in PersonFactory.create_batch(n):
        ParticipationFactory(
            meeting=meeting, actor=person, represents=related["organisation"]
        )
    CommitmentFactory.create_batch(
        n, meeting=meeting, source_article=related["article"]
    )
    meeting.topics.add(*TopicFactory.create_batch(n))
    MeetingFactory.create_batch(n, reports_to=meeting)
    meeting.articles.add(*ArticleFactory.create_batch(n))
    return "/api/v1/meetings/admm-retreat/"


def article_with(related, n):
    article = ArticleFactory(
        slug="malaysia-sedia",
        outlet=related["organisation"],
        body="Kerjasama diperkukuh. " * 30,
    )
    article.meetings.add(*MeetingFactory.create_batch(n))
    article.actors.add(*PersonFactory.create_batch(n))
    article.topics.add(*TopicFactory.create_batch(n))
    for at in range(n):
        start = at * 22
        AnnotationFactory(
            article=article,
            start=start,
            end=start + 21,
            actor=related["people"][0],
            meeting=related["meeting"],
        )
    return "/api/v1/articles/malaysia-sedia/"


def commitment_with(related, n):
    source = ArticleFactory(body="Kerjasama diperkukuh. " * 30)
    commitment = CommitmentFactory(
        slug="raise-cyber-capacity", meeting=related["meeting"], source_article=source
    )
    parties = CountryFactory.create_batch(n)
    commitment.actors.add(*parties)
    commitment.topics.add(*TopicFactory.create_batch(n))
    for at, party in enumerate(parties):
        start = at * 22
        AnnotationFactory(
            article=source, start=start, end=start + 21, commitment=commitment
        )
        AssessmentFactory(
            commitment=commitment,
            actor=party,
            evidence_article=related["article"],
            assessed_by=get_user_model().objects.create(username=f"assessor-{at}"),
        )
    return "/api/v1/commitments/raise-cyber-capacity/"


def actor_with(related, n):
    person = PersonFactory(
        slug="mohamed-khaled-nordin",
        country=related["country"],
        parent=related["organisation"],
    )
    AliasFactory.create_batch(n, actor=person)
    return "/api/v1/actors/mohamed-khaled-nordin/"


DETAILS = [
    # 1. the meeting, with country and reports_to  2. participations, with actor
    # and represents  3. commitments  4. topics  5. meetings reporting to it
    # 6. articles
    ("meeting", meeting_with, 6),
    # 1. the article, with outlet  2. meetings  3. actors  4. topics
    # 5. annotations, with their article
    ("article", article_with, 5),
    # 1. the commitment, with meeting and source article  2. parties  3. topics
    # 4. supporting quotes, with their article  5. assessments, with actor and
    # evidence article  6. who assessed
    ("commitment", commitment_with, 6),
    # 1. the actor, with country and parent  2. aliases
    ("actor", actor_with, 2),
]


@pytest.mark.parametrize("rows", [1, 30])
@pytest.mark.parametrize(("record", "build", "queries"), DETAILS)
def test_a_detail_costs_the_same_queries_for_one_embedded_row_and_many(
    related, api_client, django_assert_num_queries, record, build, queries, rows
):
    url = build(related, rows)

    with django_assert_num_queries(queries):
        response = api_client.get(url)

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("resource", "add"),
    [
        ("topics", add_topics),
        ("assessments", add_assessments),
        ("annotations", add_annotations),
        ("mentions", add_mentions),
    ],
)
def test_a_detail_without_embedded_lists_costs_one_query(
    related, api_client, django_assert_num_queries, resource, add
):
    add(related, 1)
    url = api_client.get(f"/api/v1/{resource}/").json()["results"][0]["url"]

    # 1. the record, with the records it links to
    with django_assert_num_queries(1):
        assert api_client.get(url).status_code == 200
