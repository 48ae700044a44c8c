"""Who reads what through the API, and what a record embeds.

Anonymous clients and signed-in users without staff access read published
records only, throttled; staff read drafts too. The corpus is the one the page
crawl in tests/test_no_draft_leaks.py reads: every unpublished record is named
"SECRET-DRAFT-…" and slugged "secret-draft-…", and wired to published records
in every way editors can wire them, so a draft that leaks through a list, a
detail, a filter, a search or an embedded relation shows in a response body.
"""

from collections import deque
from urllib.parse import urlsplit

import pytest
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from briefings.api.urls import router
from briefings.models import (
    Actor,
    Annotation,
    Article,
    Commitment,
    ComplianceAssessment,
    EditorialStatus,
    Meeting,
    Mention,
    Topic,
)
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    AssessmentFactory,
    CommitmentFactory,
    CountryFactory,
    MeetingFactory,
    MentionFactory,
    ParticipationFactory,
    PersonFactory,
    TopicFactory,
)
from tests.test_no_draft_leaks import ABSOLUTE_LINK, NAME_MARK, SLUG_MARK, leaks_in

pytestmark = pytest.mark.django_db

DRAFT = EditorialStatus.DRAFT
SLUGGED = {
    Article: "articles",
    Meeting: "meetings",
    Actor: "actors",
    Commitment: "commitments",
    Topic: "topics",
}
BY_ID = {
    ComplianceAssessment: "assessments",
    Annotation: "annotations",
    Mention: "mentions",
}
LISTS = [*SLUGGED.values(), *BY_ID.values()]
VIEWSETS = {prefix: viewset for prefix, viewset, _basename in router.registry}


def names_no_draft(response) -> bool:
    text = response.content.decode()
    return NAME_MARK not in text and SLUG_MARK not in text


def api_url(record) -> str:
    if type(record) in SLUGGED:
        return f"/api/v1/{SLUGGED[type(record)]}/{record.slug}/"
    return f"/api/v1/{BY_ID[type(record)]}/{record.pk}/"


@pytest.fixture
def unthrottled(monkeypatch):
    """For tests that read more than an anonymous client may in a minute."""
    rates = {"anon": None, "user": None}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)


@pytest.fixture
def hidden(corpus):
    """Records of unpublished articles and commitments, which have no status of
    their own and are hidden with what they belong to."""
    draft_article = Article.objects.get(slug="secret-draft-article")
    draft_commitment = Commitment.objects.get(slug="secret-draft-commitment")
    MentionFactory(
        article=draft_article,
        end=draft_article.body.index(" "),  # "SECRET-DRAFT-ARTICLE-BODY"
        actor=draft_article.actors.first(),
    )
    AssessmentFactory(
        commitment=draft_commitment,
        actor=draft_commitment.actors.first(),
        rationale=f"{NAME_MARK} rationale.",
    )
    return [
        *Mention.objects.filter(article=draft_article),
        *Annotation.objects.filter(article=draft_article),
        *ComplianceAssessment.objects.filter(commitment=draft_commitment),
    ]


# Reading ------------------------------------------------------------------------


def test_anonymous_clients_never_see_a_draft_meeting_in_a_list(corpus, api_client):
    response = api_client.get("/api/v1/meetings/")

    slugs = {meeting["slug"] for meeting in response.json()["results"]}
    assert slugs == {"ammtc", "wg-on-ct", "admm-retreat"}
    assert names_no_draft(response)


@pytest.mark.parametrize("resource", LISTS)
def test_anonymous_clients_list_published_records_only(
    corpus, hidden, api_client, resource
):
    response = api_client.get(f"/api/v1/{resource}/", {"page_size": 100})

    assert response.status_code == 200
    assert response.json()["count"] > 0
    assert names_no_draft(response)


def test_anonymous_clients_count_published_records_only(corpus, hidden, api_client):
    def count(resource: str) -> int:
        return api_client.get(f"/api/v1/{resource}/").json()["count"]

    def published(model) -> int:
        return sum(isinstance(record, model) for record in corpus.published)

    for model, resource in SLUGGED.items():
        assert count(resource) == published(model), resource
    assert count("assessments") == 2
    assert count("annotations") == 2
    assert count("mentions") == 1


def test_a_draft_answers_404_to_anonymous_clients(corpus, hidden, api_client):
    urls = [api_url(record) for record in [*corpus.unpublished, *hidden]]

    answers = {url: api_client.get(url).status_code for url in urls}

    assert answers == dict.fromkeys(urls, 404)


def test_a_draft_answers_404_to_a_signed_in_user_without_staff_access(
    corpus, hidden, outsider_client
):
    urls = [api_url(record) for record in [*corpus.unpublished, *hidden]]

    answers = {url: outsider_client.get(url).status_code for url in urls}

    assert answers == dict.fromkeys(urls, 404)
    listed = outsider_client.get("/api/v1/meetings/")
    assert listed.json()["count"] == 3
    assert names_no_draft(listed)


@pytest.mark.parametrize("resource", SLUGGED.values())
def test_an_address_that_no_slug_can_have_answers_404(api_client, resource):
    # A NUL byte would reach PostgreSQL, which refuses it in a text comparison.
    response = api_client.get(f"/api/v1/{resource}/a%00b/")

    assert response.status_code == 404


def test_staff_read_drafts_and_every_link_of_them(corpus, hidden, editor_client):
    urls = [api_url(record) for record in [*corpus.unpublished, *hidden]]

    answers = {url: editor_client.get(url).status_code for url in urls}

    assert answers == dict.fromkeys(urls, 200)
    meeting = editor_client.get("/api/v1/meetings/wg-on-ct/").json()
    assert meeting["reports_to"] == "secret-draft-meeting"
    assert meeting["country"] == "secret-draft-country"
    assert editor_client.get("/api/v1/meetings/").json()["count"] == 5


def test_staff_read_drafts_through_the_admin_session(corpus, editor, api_client):
    api_client.force_login(editor)

    response = api_client.get("/api/v1/meetings/secret-draft-meeting/")

    assert response.status_code == 200


def test_an_inactive_staff_session_reads_published_records_only(
    corpus, editor, api_client
):
    api_client.force_login(editor)
    editor.is_active = False
    editor.save()

    response = api_client.get("/api/v1/meetings/secret-draft-meeting/")

    assert response.status_code == 404


# No draft through a relation, a filter or a search -----------------------------


def test_a_published_meeting_names_none_of_its_unpublished_links(corpus, api_client):
    response = api_client.get("/api/v1/meetings/wg-on-ct/")

    meeting = response.json()
    assert meeting["country"] is None
    assert meeting["country_code"] is None
    assert meeting["reports_to"] is None
    assert [p["actor"]["slug"] for p in meeting["participants"]] == [
        "mohamed-khaled-nordin"
    ]
    # The minister took part for a draft ministry.
    assert meeting["participants"][0]["represents"] is None
    assert [c["slug"] for c in meeting["commitments"]] == ["strengthen-ct-coordination"]
    assert meeting["topics"] == ["maritime-security"]
    assert [a["slug"] for a in meeting["articles"]] == ["malaysia-sedia"]
    assert names_no_draft(response)


def test_a_published_meeting_names_no_unpublished_meeting_reporting_to_it(
    corpus, api_client
):
    response = api_client.get("/api/v1/meetings/ammtc/")

    assert response.json()["reporting_meetings"] == []
    assert names_no_draft(response)


def test_a_published_commitment_names_none_of_its_unpublished_links(corpus, api_client):
    response = api_client.get("/api/v1/commitments/strengthen-ct-coordination/")

    commitment = response.json()
    assert commitment["source_article"] is None
    assert commitment["source"] is None
    assert sorted(commitment["actors"]) == ["malaysia", "mohamed-khaled-nordin"]
    assert sorted(party["slug"] for party in commitment["parties"]) == [
        "malaysia",
        "mohamed-khaled-nordin",
    ]
    assert commitment["topics"] == ["maritime-security"]
    # The only supporting quote is in a draft article.
    assert commitment["supporting_quotes"] == []
    assessments = {a["rationale"]: a for a in commitment["assessments"]}
    assert assessments["Partly done."]["actor"] is None
    assert assessments["Partly done."]["evidence_article"] is None
    assert names_no_draft(response)


def test_a_commitment_made_at_an_unpublished_meeting_does_not_name_it(
    corpus, api_client
):
    response = api_client.get("/api/v1/commitments/explore-ai-cooperation/")

    assert response.json()["meeting"] is None
    assert response.json()["actors"] == ["malaysia"]
    assert names_no_draft(response)


def test_a_published_article_names_none_of_its_unpublished_links(corpus, api_client):
    response = api_client.get("/api/v1/articles/malaysia-sedia/")

    article = response.json()
    assert article["outlet"] is None
    assert article["meetings"] == ["wg-on-ct"]
    assert article["actors"] == ["mohamed-khaled-nordin"]
    assert article["topics"] == ["maritime-security"]
    assert len(article["annotations"]) == 2
    assert names_no_draft(response)


def test_annotations_mentions_and_assessments_name_no_draft_they_belong_to_or_point_at(
    corpus, hidden, api_client
):
    annotations = api_client.get("/api/v1/annotations/")
    mentions = api_client.get("/api/v1/mentions/")
    assessments = api_client.get("/api/v1/assessments/")

    for annotation in annotations.json()["results"]:
        assert annotation["article"] == "malaysia-sedia"
        assert annotation["actor"] is None
        assert annotation["meeting"] is None
        assert annotation["commitment"] in (None, "explore-ai-cooperation")
    assert [m["article"] for m in mentions.json()["results"]] == ["malaysia-sedia"]
    assert [m["actor"] for m in mentions.json()["results"]] == [None]
    assert {a["commitment"] for a in assessments.json()["results"]} == {
        "strengthen-ct-coordination"
    }
    assert {a["actor"] for a in assessments.json()["results"]} == {None, "malaysia"}
    for response in (annotations, mentions, assessments):
        assert names_no_draft(response)


def test_an_actor_names_neither_an_unpublished_country_nor_parent(corpus, api_client):
    minister = api_client.get("/api/v1/actors/mohamed-khaled-nordin/")
    ministry = api_client.get("/api/v1/actors/ministry-of-defence/")

    assert minister.json()["country"] is None
    assert ministry.json()["parent"] is None
    assert ministry.json()["country"] == "malaysia"
    assert names_no_draft(minister)
    assert names_no_draft(ministry)


@pytest.mark.parametrize("resource", LISTS)
def test_filtering_by_a_drafts_slug_is_refused_as_if_it_did_not_exist(
    corpus, api_client, resource
):
    unpublished = {
        "topic": "secret-draft-topic",
        "actor": "secret-draft-actor",
        "meeting": "secret-draft-meeting",
        "outlet": "secret-draft-outlet",
        "parent": "secret-draft-organisation",
        "reports_to": "secret-draft-meeting",
        "commitment": "secret-draft-commitment",
        "article": "secret-draft-article",
        "country": "XS",
    }
    published = {
        "topic": "maritime-security",
        "actor": "mohamed-khaled-nordin",
        "meeting": "wg-on-ct",
        "outlet": "berita-harian",
        "parent": "ministry-of-defence",
        "reports_to": "ammtc",
        "commitment": "strengthen-ct-coordination",
        "article": "malaysia-sedia",
        "country": "MY",
    }
    filterset = VIEWSETS[resource].filterset_class
    names = [name for name in filterset.base_filters if name in unpublished]
    assert names or resource == "topics"

    for name in names:
        refused = api_client.get(f"/api/v1/{resource}/", {name: unpublished[name]})
        understood = api_client.get(f"/api/v1/{resource}/", {name: published[name]})
        assert refused.status_code == 400, name
        assert understood.status_code == 200, name
        # The same answer as for a slug of nothing at all.
        nothing = api_client.get(f"/api/v1/{resource}/", {name: "nothing-at-all"})
        assert refused.json() == nothing.json()


def test_staff_filter_by_a_drafts_slug(corpus, editor_client):
    response = editor_client.get("/api/v1/meetings/", {"topic": "secret-draft-topic"})

    assert [m["slug"] for m in response.json()["results"]] == ["wg-on-ct"]


@pytest.mark.parametrize(
    "words", ["SECRET", "secret-draft", "SECRET-DRAFT-ALIAS", "2031", "draft"]
)
@pytest.mark.parametrize("resource", LISTS)
def test_a_search_never_finds_a_draft(corpus, hidden, api_client, resource, words):
    response = api_client.get(f"/api/v1/{resource}/", {"search": words})

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_a_staff_search_finds_drafts(corpus, editor_client):
    response = editor_client.get("/api/v1/actors/", {"search": "SECRET-DRAFT-ALIAS"})

    assert [a["slug"] for a in response.json()["results"]] == ["secret-draft-actor"]


def test_an_anonymous_crawl_of_the_api_names_no_unpublished_record(
    corpus, hidden, api_client, unthrottled
):
    """Every list and page of it, every record it links to, every filter and
    search a client could try with a draft's slug or name."""
    seeds = ["/api/v1/", *(f"/api/v1/{resource}/" for resource in LISTS)]
    for resource in LISTS:
        seeds += [f"/api/v1/{resource}/?search={word}" for word in ("SECRET", "draft")]
        seeds += [f"/api/v1/{resource}/?page_size=1"]
    seeds += [api_url(record) for record in [*corpus.unpublished, *hidden]]

    visited = {}
    queue = deque(seeds)
    while queue:
        url = queue.popleft()
        if url in visited:
            continue
        response = api_client.get(url)
        visited[url] = response
        for match in ABSOLUTE_LINK.finditer(response.content.decode()):
            link = match.group(1)
            if link.startswith("/api/v1/") and link not in visited:
                queue.append(link)
    # The browsable API renders filter forms with choices; they offer no draft.
    for resource in LISTS:
        url = f"/api/v1/{resource}/?browsable"
        visited[url] = api_client.get(f"/api/v1/{resource}/", HTTP_ACCEPT="text/html")

    errors = [url for url, r in visited.items() if r.status_code >= 500]
    leaks = [
        f"{url}: …{leak}…"
        for url, response in visited.items()
        for leak in leaks_in(url, response, corpus)
    ]
    assert not errors + leaks, "\n".join(errors + leaks)
    reached = {urlsplit(url).path for url, r in visited.items() if r.status_code == 200}
    assert {api_url(record) for record in corpus.published} <= reached


# What a record embeds -----------------------------------------------------------


def test_a_meeting_embeds_its_participants_with_their_roles_and_its_commitments(
    api_client,
):
    malaysia = CountryFactory(slug="malaysia", iso_code="MY")
    minister = PersonFactory(slug="mohamed-khaled-nordin", name="Khaled")
    meeting = MeetingFactory(slug="admm-retreat-2025", country=malaysia)
    ParticipationFactory(
        meeting=meeting, actor=minister, role="chair", represents=malaysia
    )
    commitment = CommitmentFactory(meeting=meeting, slug="raise-cyber-capacity")

    response = api_client.get("/api/v1/meetings/admm-retreat-2025/")

    body = response.json()
    assert body["participants"] == [
        {
            "actor": {
                "url": "http://testserver/api/v1/actors/mohamed-khaled-nordin/",
                "slug": "mohamed-khaled-nordin",
                "name": "Khaled",
                "kind": "person",
                "iso_code": "",
            },
            "role": "chair",
            "represents": "malaysia",
            "note": "",
        }
    ]
    assert body["commitments"] == [
        {
            "url": "http://testserver/api/v1/commitments/raise-cyber-capacity/",
            "slug": "raise-cyber-capacity",
            "title": commitment.title,
            "kind": "target",
            "standing": "announced",
        }
    ]
    assert body["country_code"] == "MY"
    assert body["start_precision"] == "day"
    assert body["page_url"] == "http://testserver/meetings/admm-retreat-2025/"


def test_a_commitment_embeds_its_parties_source_quotes_and_compliance_history(
    editor, api_client
):
    source = ArticleFactory(slug="malaysia-sedia", body="Kerjasama diperkukuh. Ya.")
    malaysia = CountryFactory(slug="malaysia")
    commitment = CommitmentFactory(slug="raise-cyber-capacity", source_article=source)
    commitment.actors.add(malaysia)
    quote = AnnotationFactory(article=source, commitment=commitment)
    older = AssessmentFactory(
        commitment=commitment,
        actor=malaysia,
        assessed_on="2025-03-01",
        score=0,
        assessed_by=editor,
    )
    AssessmentFactory(
        commitment=commitment,
        actor=malaysia,
        assessed_on="2025-09-01",
        score=1,
        supersedes=older,
        evidence_article=source,
    )

    body = api_client.get("/api/v1/commitments/raise-cyber-capacity/").json()

    assert [party["slug"] for party in body["parties"]] == ["malaysia"]
    assert body["source"]["slug"] == "malaysia-sedia"
    assert body["source"]["url"] == "http://testserver/api/v1/articles/malaysia-sedia/"
    assert body["source"]["page_url"] == "http://testserver/articles/malaysia-sedia/"
    assert [q["quote"] for q in body["supporting_quotes"]] == ["Kerjasama diperkukuh."]
    assert body["supporting_quotes"][0]["page_url"] == (
        f"http://testserver/articles/malaysia-sedia/#annotation-{quote.pk}"
    )
    history = [
        (a["assessed_on"], a["score"], a["supersedes"], a["assessed_by"])
        for a in body["assessments"]
    ]
    assert history == [
        ("2025-09-01", 1, older.pk, None),
        ("2025-03-01", 0, None, "editor"),
    ]
    assert body["assessments"][0]["evidence_article"] == "malaysia-sedia"


def test_an_article_embeds_its_annotations_and_its_text(api_client):
    article = ArticleFactory(slug="malaysia-sedia", body="Menteri hadir. Ya.")
    AnnotationFactory(article=article, note="The minister attended.")

    body = api_client.get("/api/v1/articles/malaysia-sedia/").json()

    assert body["body"] == "Menteri hadir. Ya."
    assert [
        (a["start"], a["end"], a["quote"], a["note"]) for a in body["annotations"]
    ] == [(0, 14, "Menteri hadir.", "The minister attended.")]
    listed = api_client.get("/api/v1/articles/").json()["results"][0]
    assert "body" not in listed
    assert "annotations" not in listed


def test_an_actor_embeds_its_aliases(api_client):
    person = PersonFactory(slug="mohamed-khaled-nordin", honorific="Dato' Seri")
    person.aliases.create(name="Khaled Nordin", language="ms")

    body = api_client.get("/api/v1/actors/mohamed-khaled-nordin/").json()

    assert body["aliases"] == [{"name": "Khaled Nordin", "language": "ms"}]
    assert body["full_name"] == f"Dato' Seri {person.name}"


def test_a_client_chooses_the_browsable_api_by_its_accept_header_not_format(
    api_client,
):
    MeetingFactory(format="bilateral")
    # `format` is the meetings' own filter, not the response format.
    as_filter = api_client.get("/api/v1/meetings/", {"format": "multilateral"})
    as_html = api_client.get("/api/v1/meetings/", HTTP_ACCEPT="text/html")
    by_suffix = api_client.get("/api/v1/meetings.json")

    assert as_filter.json()["count"] == 0
    assert as_html["Content-Type"].startswith("text/html")
    assert by_suffix.json()["count"] == 1


def test_every_resource_is_listed_at_the_root_of_the_api(api_client):
    root = api_client.get("/api/v1/").json()

    assert set(root) == set(LISTS)
    assert root["meetings"] == "http://testserver/api/v1/meetings/"


# Throttling ---------------------------------------------------------------------


@pytest.fixture
def anon_rate_of_three(settings, monkeypatch):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/min", "user": "600/min"},
    }
    # The settings change reloads api_settings, but DRF's throttles copied the
    # rates when they were imported: give them the reloaded ones.
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", api_settings.DEFAULT_THROTTLE_RATES
    )


def test_an_anonymous_client_over_its_rate_is_told_to_wait(
    anon_rate_of_three, api_client
):
    TopicFactory()
    answers = [api_client.get("/api/v1/topics/").status_code for _ in range(3)]

    refused = api_client.get("/api/v1/topics/")

    assert answers == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("Request was throttled. Expected")
    assert 0 < int(refused["Retry-After"]) <= 60


def test_a_signed_in_editor_is_not_held_to_the_anonymous_rate(
    anon_rate_of_three, editor_client
):
    answers = [editor_client.get("/api/v1/topics/").status_code for _ in range(5)]

    assert answers == [200] * 5


@pytest.fixture
def user_rate_of_three(settings, monkeypatch):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "120/min", "user": "3/min"},
    }
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", api_settings.DEFAULT_THROTTLE_RATES
    )


def test_a_signed_in_client_over_its_rate_is_told_to_wait(
    user_rate_of_three, editor_client, api_client
):
    TopicFactory()
    answers = [editor_client.get("/api/v1/topics/").status_code for _ in range(3)]

    refused = editor_client.get("/api/v1/topics/")

    assert answers == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("Request was throttled. Expected")
    assert 0 < int(refused["Retry-After"]) <= 60
    # Counted per user: an anonymous reader at the same address is not held.
    assert api_client.get("/api/v1/topics/").status_code == 200


def test_asking_for_drafts_by_status_lists_nothing_to_anonymous_clients(
    corpus, api_client
):
    response = api_client.get("/api/v1/meetings/", {"status": DRAFT})

    assert response.status_code == 200
    assert response.json()["results"] == []
