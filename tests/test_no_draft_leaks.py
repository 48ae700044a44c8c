"""Nothing unpublished reaches an anonymous reader.

No page, list, count, feed, sitemap entry, search hit or JSON-LD names a draft
record, and a draft's URL answers 404. The corpus below gives every model
published records and draft or in-review ones, wired to each other in every
way the editors can wire them; an anonymous client then crawls the whole site
from the home page, feeds, sitemap and searches, and reads every response.

Every unpublished record is named "SECRET-DRAFT-…" and slugged "secret-draft-…",
so a leak of its name, its slug or its URL shows in the text of a response.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urldefrag, urlsplit

import pytest
from django.test import Client

from briefings.models import (
    Actor,
    ActorKind,
    Article,
    Commitment,
    EditorialStatus,
    Meeting,
    MeetingState,
    OrganisationType,
    ParticipationRole,
    Topic,
)
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

DRAFT = EditorialStatus.DRAFT
IN_REVIEW = EditorialStatus.IN_REVIEW
NEWS_OUTLET = OrganisationType.NEWS_OUTLET

NAME_MARK = "SECRET-DRAFT"
SLUG_MARK = "secret-draft"
# Only unpublished meetings and commitments fall in this year, so a chart or a
# count that shows it counted a draft.
DRAFT_YEAR = "2031"

MAX_PAGES = 500
NOT_CRAWLED = ("/admin/", "/static/", "/media/")
FEEDS = [
    "/feeds/briefings.rss",
    "/feeds/briefings.atom",
    "/feeds/articles.rss",
    "/feeds/articles.atom",
]
ABSOLUTE_LINK = re.compile(r"https?://testserver(/[^\s\"'<>\\]*)")


def secret(kind: str, status: str = DRAFT) -> dict:
    """Name and slug of an unpublished record: SECRET-DRAFT-MEETING, …"""
    label = kind if status == DRAFT else f"REVIEW-{kind}"
    return {
        "name": f"{NAME_MARK}-{label}",
        "slug": f"{SLUG_MARK}-{label.lower()}",
        "status": status,
    }


def secret_article(kind: str, status: str = DRAFT) -> dict:
    fields = secret(kind, status)
    body = f"{fields['name']}-BODY kata menteri. Kerjasama diperkukuh tahun ini."
    return {
        "title": fields.pop("name"),
        "summary": f"{NAME_MARK} summary.",
        "body": body,
        "content_hash": Article.hash_text(body),
        **fields,
    }


def secret_commitment(kind: str, status: str = DRAFT) -> dict:
    fields = secret(kind, status)
    return {
        "title": fields.pop("name"),
        "statement": f"{NAME_MARK} statement.",
        "summary": f"{NAME_MARK} summary.",
        "deadline": f"{DRAFT_YEAR}-12",
        **fields,
    }


@dataclass
class Corpus:
    published: list = field(default_factory=list)
    unpublished: list = field(default_factory=list)

    def add(self, record):
        (self.published if record.is_published else self.unpublished).append(record)
        return record


@pytest.fixture
def corpus() -> Corpus:
    c = Corpus()

    # Topics
    maritime = c.add(TopicFactory(name="Maritime security", slug="maritime-security"))
    draft_topic = c.add(
        TopicFactory(**secret("TOPIC"), description=f"{NAME_MARK} topic.")
    )
    review_topic = c.add(TopicFactory(**secret("TOPIC", IN_REVIEW)))

    # Countries
    malaysia = c.add(
        CountryFactory(
            name="Malaysia", slug="malaysia", iso_code="MY", is_asean_member=True
        )
    )
    draft_country = c.add(
        CountryFactory(**secret("COUNTRY"), iso_code="XS", is_asean_member=True)
    )
    review_country = c.add(
        CountryFactory(**secret("COUNTRY", IN_REVIEW), iso_code="XR")
    )

    # Organisations: a published ministry that belongs to a draft one, and outlets
    draft_ministry = c.add(
        OrganisationFactory(
            **secret("ORGANISATION"),
            country=malaysia,
            description=f"{NAME_MARK} description.",
        )
    )
    ministry = c.add(
        OrganisationFactory(
            name="Ministry of Defence",
            slug="ministry-of-defence",
            country=malaysia,
            parent=draft_ministry,
        )
    )
    outlet = c.add(
        OrganisationFactory(
            name="Berita Harian", slug="berita-harian", organisation_type=NEWS_OUTLET
        )
    )
    draft_outlet = c.add(
        OrganisationFactory(**secret("OUTLET"), organisation_type=NEWS_OUTLET)
    )

    # People: a published minister of a draft country, and a draft one
    minister = c.add(
        PersonFactory(
            name="Mohamed Khaled Nordin",
            slug="mohamed-khaled-nordin",
            country=draft_country,
            position="Minister of Defence",
        )
    )
    AliasFactory(actor=minister, name="Mohamed Khaled")
    draft_person = c.add(
        PersonFactory(
            **secret("ACTOR"), country=malaysia, position=f"{NAME_MARK} position"
        )
    )
    AliasFactory(actor=draft_person, name=f"{NAME_MARK}-ALIAS")
    review_person = c.add(PersonFactory(**secret("ACTOR", IN_REVIEW), country=malaysia))

    # Meetings: a reporting chain published → draft → published, and more drafts
    ammtc = c.add(
        MeetingFactory(
            name="ASEAN Ministerial Meeting on Transnational Crime",
            short_name="AMMTC",
            slug="ammtc",
            country=malaysia,
            start="2025-08",
        )
    )
    draft_meeting = c.add(
        MeetingFactory(
            **secret("MEETING"),
            short_name=f"{NAME_MARK}-SHORT",
            summary=f"{NAME_MARK} summary.",
            reports_to=ammtc,
            country=malaysia,
            start=f"{DRAFT_YEAR}-05-01",
            state=MeetingState.ANNOUNCED,
        )
    )
    working_group = c.add(
        MeetingFactory(
            name="Working Group on Counter-Terrorism",
            short_name="WG on CT",
            slug="wg-on-ct",
            reports_to=draft_meeting,
            country=draft_country,
            start="2025-02-26",
            summary="Officials met on counter-terrorism.",
        )
    )
    upcoming = c.add(
        MeetingFactory(
            name="ADMM Retreat",
            slug="admm-retreat",
            country=malaysia,
            start="2025-12",
            state=MeetingState.ANNOUNCED,
        )
    )
    review_meeting = c.add(
        MeetingFactory(
            **secret("MEETING", IN_REVIEW),
            reports_to=ammtc,
            country=malaysia,
            start=f"{DRAFT_YEAR}-06",
            state=MeetingState.ANNOUNCED,
        )
    )
    for meeting in (ammtc, working_group, upcoming):
        meeting.topics.add(maritime)
    working_group.topics.add(draft_topic, review_topic)
    draft_meeting.topics.add(maritime)
    review_meeting.topics.add(maritime)

    # Who took part: drafts in published meetings, published people in drafts
    ParticipationFactory(meeting=working_group, actor=draft_person, represents=malaysia)
    ParticipationFactory(
        meeting=working_group,
        actor=minister,
        role=ParticipationRole.HEAD_OF_DELEGATION,
        represents=draft_ministry,
    )
    ParticipationFactory(
        meeting=working_group, actor=draft_country, role=ParticipationRole.HOST
    )
    ParticipationFactory(meeting=working_group, actor=review_person)
    ParticipationFactory(meeting=working_group, actor=review_country)
    ParticipationFactory(meeting=ammtc, actor=ministry, represents=draft_country)
    ParticipationFactory(meeting=ammtc, actor=minister, represents=malaysia)
    ParticipationFactory(meeting=ammtc, actor=malaysia, role=ParticipationRole.CHAIR)
    ParticipationFactory(meeting=draft_meeting, actor=minister, represents=malaysia)
    ParticipationFactory(meeting=draft_meeting, actor=malaysia)
    ParticipationFactory(meeting=review_meeting, actor=minister)

    # Articles: a published one from a draft outlet, and drafts about published
    # meetings and people
    article = c.add(
        ArticleFactory(
            title="Malaysia sedia perkukuh kerjasama",
            slug="malaysia-sedia",
            outlet=draft_outlet,
            summary="Malaysia is ready to strengthen cooperation.",
        )
    )
    other_article = c.add(
        ArticleFactory(title="Mesyuarat AMMTC", slug="mesyuarat-ammtc", outlet=outlet)
    )
    draft_article = c.add(ArticleFactory(**secret_article("ARTICLE"), outlet=outlet))
    review_article = c.add(ArticleFactory(**secret_article("ARTICLE", IN_REVIEW)))
    article.meetings.add(working_group, draft_meeting, review_meeting)
    article.actors.add(minister, draft_person, draft_country, draft_outlet)
    article.topics.add(maritime, draft_topic, review_topic)
    other_article.meetings.add(ammtc, draft_meeting)
    other_article.actors.add(malaysia, review_person)
    for unpublished in (draft_article, review_article):
        unpublished.meetings.add(working_group, ammtc)
        unpublished.actors.add(minister, malaysia)
        unpublished.topics.add(maritime)

    # Commitments
    sourced_from_draft = c.add(
        CommitmentFactory(
            title="Strengthen counter-terrorism coordination",
            slug="strengthen-ct-coordination",
            source_article=draft_article,
            meeting=working_group,
            deadline="2026",
        )
    )
    sourced_from_draft.actors.add(minister, draft_person, malaysia)
    sourced_from_draft.topics.add(maritime, draft_topic)
    made_at_draft = c.add(
        CommitmentFactory(
            title="Explore AI cooperation",
            slug="explore-ai-cooperation",
            source_article=article,
            meeting=draft_meeting,
        )
    )
    made_at_draft.actors.add(malaysia, draft_country, review_country, review_person)
    made_at_draft.topics.add(review_topic)
    draft_commitment = c.add(
        CommitmentFactory(
            **secret_commitment("COMMITMENT"),
            source_article=article,
            meeting=working_group,
        )
    )
    draft_commitment.actors.add(minister, malaysia)
    draft_commitment.topics.add(maritime)
    review_commitment = c.add(
        CommitmentFactory(
            **secret_commitment("COMMITMENT", IN_REVIEW),
            source_article=other_article,
            meeting=ammtc,
        )
    )
    review_commitment.actors.add(malaysia)
    review_commitment.topics.add(maritime)

    # Assessments of a published commitment by drafts, on draft evidence
    AssessmentFactory(
        commitment=sourced_from_draft,
        actor=draft_person,
        evidence_article=draft_article,
        rationale="Partly done.",
    )
    AssessmentFactory(
        commitment=sourced_from_draft, actor=malaysia, evidence_article=article
    )
    AssessmentFactory(commitment=draft_commitment, actor=malaysia)

    # Annotations: a draft article's quote supporting a published commitment, and
    # a published article's quote about drafts
    AnnotationFactory(
        article=draft_article,
        meeting=working_group,
        actor=minister,
        commitment=sourced_from_draft,
    )
    AnnotationFactory(
        article=article,
        meeting=draft_meeting,
        actor=draft_person,
        commitment=draft_commitment,
        note="Editor's note on the meeting.",
    )
    AnnotationFactory(article=article, commitment=made_at_draft, actor=draft_country)
    MentionFactory(article=article, actor=draft_person)

    assert all(
        NAME_MARK in str(record) and SLUG_MARK in record.slug
        for record in c.unpublished
    )
    return c


class LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "href" and value:
                self.links.append(value)


def internal_links(response) -> list[str]:
    """Paths this response links to: hrefs, and absolute URLs (feeds, sitemap,
    robots.txt, JSON-LD)."""
    text = response.content.decode("utf-8", errors="replace")
    links = [match.group(1) for match in ABSOLUTE_LINK.finditer(text)]
    if response.get("Content-Type", "").startswith("text/html"):
        parser = LinkParser()
        parser.feed(text)
        links += parser.links
    if location := response.get("Location"):
        links.append(location)
    paths = []
    for link in links:
        link = urldefrag(link).url
        parts = urlsplit(link)
        if parts.scheme or parts.netloc:
            if parts.netloc != "testserver":
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
        if link.startswith("/") and not link.startswith(NOT_CRAWLED):
            paths.append(link)
    return paths


@dataclass
class Crawl:
    visited: dict[str, object] = field(default_factory=dict)
    linked_from: dict[str, str] = field(default_factory=dict)

    def responses(self):
        return self.visited.items()


def crawl(client: Client, seeds: list[str]) -> Crawl:
    """Breadth-first over internal links, from the seeds, at most MAX_PAGES."""
    result = Crawl()
    queue = deque(seeds)
    for seed in seeds:
        result.linked_from[seed] = "(seed)"
    while queue and len(result.visited) < MAX_PAGES:
        url = queue.popleft()
        if url in result.visited:
            continue
        response = client.get(url)
        result.visited[url] = response
        for link in internal_links(response):
            if link not in result.visited and link not in result.linked_from:
                result.linked_from[link] = url
                queue.append(link)
    return result


def leaks_in(url: str, response, corpus: Corpus) -> list[str]:
    """What this response names of the unpublished records, each in its context.

    A request that itself carries a secret (a search for it, a draft's URL) may
    echo it back, so the words it brought are struck out first, as whole words:
    a search for "secret" may say "secret", never "secret-draft-meeting", and a
    search for "secret-draft-meeting" never "/meetings/secret-draft-meeting/".
    """
    parts = urlsplit(url)
    echoes = [parts.path, *(value for _, value in parse_qsl(parts.query))]
    text = response.content.decode("utf-8", errors="replace")
    for echo in sorted(filter(None, echoes), key=len, reverse=True):
        text = re.sub(rf"(?<![\w/-]){re.escape(echo)}(?![\w/-])", "", text)
    needles = [NAME_MARK, SLUG_MARK]
    needles += [record.get_absolute_url() for record in corpus.unpublished]
    return [
        " ".join(text[max(0, at - 60) : at + 60].split())
        for needle in needles
        if (at := text.find(needle)) >= 0
    ]


def seeds(corpus: Corpus) -> list[str]:
    searches = ["SECRET", "secret", "draft", "SECRET-DRAFT-ALIAS", "2031"]
    searches += [record.slug for record in corpus.unpublished]
    filters = [
        f"{name}={record.slug}"
        for record in corpus.unpublished
        for name, model in (("topic", Topic), ("actor", Actor), ("meeting", Meeting))
        if isinstance(record, model)
    ]
    filters += [
        f"country={record.iso_code}"
        for record in corpus.unpublished
        if isinstance(record, Actor) and record.kind == ActorKind.COUNTRY
    ]
    return [
        "/",
        "/robots.txt",
        "/sitemap.xml",
        *FEEDS,
        *(f"/search/?q={query}" for query in searches),
        *(f"/commitments/?{query}" for query in filters),
        "/actors/?kind=person",
        "/actors/?kind=organisation",
    ]


def raised(response) -> str:
    exc_info = getattr(response, "exc_info", None)
    return repr(exc_info[1]) if exc_info else ""


@pytest.fixture
def anonymous():
    # Collect every failure instead of stopping at the first exception.
    return Client(raise_request_exception=False)


def test_an_anonymous_crawl_of_the_whole_site_names_no_unpublished_record(
    corpus, anonymous
):
    site = crawl(anonymous, seeds(corpus))

    errors = [
        f"{url} (linked from {site.linked_from[url]}) answered "
        f"{response.status_code}: {raised(response)}"
        for url, response in site.responses()
        if response.status_code >= 500
    ]
    leaks = [
        f"{url} (linked from {site.linked_from[url]}): …{leak}…"
        for url, response in site.responses()
        for leak in leaks_in(url, response, corpus)
    ]
    assert not errors + leaks, "\n".join(errors + leaks)
    pages = [url for url, response in site.responses() if response.status_code == 200]
    # The crawl reached every published record's page, so the absence of leaks
    # means something.
    assert {record.get_absolute_url() for record in corpus.published} <= set(pages)


def test_every_unpublished_record_answers_404(corpus, anonymous):
    urls = [record.get_absolute_url() for record in corpus.unpublished]
    urls += [
        f"/actors/{record.slug}/"
        for record in corpus.unpublished
        if isinstance(record, Actor) and record.kind == ActorKind.COUNTRY
    ]

    answers = {url: anonymous.get(url).status_code for url in urls}

    assert answers == dict.fromkeys(urls, 404)


def test_lists_and_counts_count_published_records_only(corpus, anonymous):
    def shown(url, key="paginator") -> int:
        response = anonymous.get(url)
        assert response.status_code == 200, url
        found = response.context[key]
        return (found if key == "paginator" else found.paginator).count

    def published(model, *kinds) -> int:
        return sum(
            1
            for record in corpus.published
            if isinstance(record, model) and (not kinds or record.kind in kinds)
        )

    people_and_organisations = published(
        Actor, ActorKind.PERSON, ActorKind.ORGANISATION
    )
    assert shown("/meetings/") == published(Meeting)
    assert shown("/actors/") == people_and_organisations
    assert shown("/countries/") == published(Actor, ActorKind.COUNTRY)
    assert shown("/topics/") == published(Topic)
    assert shown("/articles/") == published(Article)
    assert shown("/commitments/", "page_obj") == published(Commitment)
    assert shown("/timeline/", "page_obj") == published(Meeting)
    # Every published meeting involves Malaysia.
    assert shown("/countries/malaysia/", "meetings") == published(Meeting)

    by_standing = anonymous.get("/commitments/").context["counts"]
    assert sum(n for _, n in by_standing) == published(Commitment)
    assert anonymous.get("/search/?q=secret").context["total"] == 0

    for url in ("/", "/timeline/", "/meetings/"):
        assert DRAFT_YEAR not in anonymous.get(url).content.decode(), url
