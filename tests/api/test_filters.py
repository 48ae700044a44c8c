"""Filters, search, ordering and pages on every list of the API.

A filter value the API does not understand answers 400 naming the parameter:
never a 500, and never a 200 that looks like an honest answer (an empty list
for a mistyped slug, or every record for a mistyped choice).
"""

import pytest

from briefings.models import (
    AnchorState,
    CommitmentKind,
    EditorialStatus,
    Language,
    MeetingFormat,
    MeetingLevel,
    OrganisationType,
    ParticipationRole,
    Standing,
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

LISTS = [
    "articles",
    "meetings",
    "actors",
    "commitments",
    "topics",
    "assessments",
    "annotations",
    "mentions",
]


# The lists of records without a slug, told apart in these tests by one field.
KEYS = {"assessments": "rationale", "annotations": "note", "mentions": "text"}


def shown(response, resource: str) -> list[str]:
    assert response.status_code == 200, response.json()
    key = KEYS.get(resource, "slug")
    return [record[key] for record in response.json()["results"]]


@pytest.fixture
def records():
    """Two of everything, told apart by Malaysia and Japan, cyber and maritime."""
    malaysia = CountryFactory(
        name="Malaysia", slug="malaysia", iso_code="MY", is_asean_member=True
    )
    japan = CountryFactory(name="Japan", slug="japan", iso_code="JP")
    cyber = TopicFactory(name="Cybersecurity", slug="cybersecurity")
    maritime = TopicFactory(name="Maritime security", slug="maritime-security")
    khaled = PersonFactory(
        name="Mohamed Khaled Nordin", slug="mohamed-khaled-nordin", country=malaysia
    )
    AliasFactory(actor=khaled, name="Khaled Nordin")
    AliasFactory(actor=khaled, name="Dato' Seri Khaled Nordin")
    minoru = PersonFactory(name="Kihara Minoru", slug="kihara-minoru", country=japan)
    OrganisationFactory(
        name="Ministry of Defence Malaysia", slug="mindef-malaysia", country=malaysia
    )
    bernama = OrganisationFactory(
        name="Bernama",
        slug="bernama",
        organisation_type=OrganisationType.NEWS_OUTLET,
        country=malaysia,
    )

    retreat = MeetingFactory(
        name="ADMM Retreat",
        slug="admm-retreat-2025",
        country=malaysia,
        start="2025-02-26",
        end="2025-02-27",
        level=MeetingLevel.MINISTERIAL,
        format=MeetingFormat.MULTILATERAL,
        series="ADMM Retreat",
    )
    retreat.topics.add(cyber)
    # Two roles of one actor must not list the meeting twice.
    ParticipationFactory(meeting=retreat, actor=khaled, role=ParticipationRole.CHAIR)
    ParticipationFactory(meeting=retreat, actor=khaled, role=ParticipationRole.HOST)
    ParticipationFactory(meeting=retreat, actor=malaysia, role=ParticipationRole.HOST)
    dialogue = MeetingFactory(
        name="Japan–Malaysia Defence Dialogue",
        slug="japan-malaysia-dialogue",
        country=japan,
        start="2024-11",
        end="",
        level=MeetingLevel.SENIOR_OFFICIALS,
        format=MeetingFormat.BILATERAL,
        reports_to=retreat,
    )
    dialogue.topics.add(maritime)
    ParticipationFactory(meeting=dialogue, actor=minoru)
    ParticipationFactory(meeting=dialogue, actor=khaled)

    malay = ArticleFactory(
        title="Malaysia sedia perkukuh kerjasama siber",
        slug="malaysia-sedia",
        language=Language.MALAY,
        published="2025-02-26",
        outlet=bernama,
    )
    malay.meetings.add(retreat)
    malay.actors.add(khaled)
    malay.topics.add(cyber)
    english = ArticleFactory(
        title="Japan and Malaysia talk maritime security",
        slug="japan-malaysia-talk",
        language=Language.ENGLISH,
        published="2024-11",
    )
    english.meetings.add(dialogue)
    english.actors.add(minoru)
    english.topics.add(maritime)

    cyber_pledge = CommitmentFactory(
        title="Raise cyber capacity",
        slug="raise-cyber-capacity",
        kind=CommitmentKind.TARGET,
        standing=Standing.ANNOUNCED,
        deadline="2026",
        meeting=retreat,
        source_article=malay,
    )
    cyber_pledge.actors.add(malaysia)
    cyber_pledge.topics.add(cyber)
    patrol_pledge = CommitmentFactory(
        title="Joint maritime patrols",
        slug="joint-maritime-patrols",
        kind=CommitmentKind.MOU,
        standing=Standing.FULFILLED,
        deadline="2024-12",
        meeting=dialogue,
        source_article=english,
    )
    patrol_pledge.actors.add(khaled, minoru)
    patrol_pledge.topics.add(maritime)

    AssessmentFactory(
        commitment=cyber_pledge,
        actor=malaysia,
        assessed_on="2025-06-01",
        score=1,
        rationale="Kept",
    )
    AssessmentFactory(
        commitment=patrol_pledge,
        actor=japan,
        assessed_on="2024-12-31",
        score=-1,
        rationale="Not kept",
    )
    AnnotationFactory(
        article=malay,
        commitment=cyber_pledge,
        meeting=retreat,
        actor=khaled,
        note="On the retreat",
    )
    AnnotationFactory(
        article=english,
        commitment=patrol_pledge,
        meeting=dialogue,
        actor=minoru,
        anchor_state=AnchorState.FUZZY,
        note="On the dialogue",
    )
    MentionFactory(article=malay, start=0, end=7, actor=khaled)
    MentionFactory(article=english, start=8, end=18)
    # A draft, which staff may filter by and anonymous clients may not.
    TopicFactory(slug="draft-topic", status=EditorialStatus.DRAFT)


# The "done when" ---------------------------------------------------------


def test_malaysian_meetings_on_cybersecurity_include_the_admm_retreat_2025(
    seed_corpus, api_client
):
    response = api_client.get(
        "/api/v1/meetings/", {"country": "MY", "topic": "cybersecurity"}
    )

    assert response.status_code == 200
    meetings = {meeting["slug"]: meeting for meeting in response.json()["results"]}
    retreat = meetings["admm-retreat-2025"]
    assert retreat["country_code"] == "MY"
    assert "cybersecurity" in retreat["topics"]
    roles = {(p["actor"]["slug"], p["role"]) for p in retreat["participants"]}
    assert ("mohamed-khaled-nordin", "chair") in roles
    assert ("malaysia", "host") in roles
    assert len(retreat["commitments"]) == 5
    assert "admm-2025-raise-cyber-capacity" in {
        commitment["slug"] for commitment in retreat["commitments"]
    }
    assert all(
        meeting["country_code"] == "MY" and "cybersecurity" in meeting["topics"]
        for meeting in meetings.values()
    )


# Filters that work ---------------------------------------------------------------

MATCHES = [
    # articles
    ("articles", {"published_after": "2025-01-01"}, ["malaysia-sedia"]),
    ("articles", {"published_before": "2024-11-30"}, ["japan-malaysia-talk"]),
    # A month counts as on or after a day within it.
    ("articles", {"published_after": "2024-11-15"}, None),
    ("articles", {"language": "en"}, ["japan-malaysia-talk"]),
    ("articles", {"country": "MY"}, ["malaysia-sedia"]),
    ("articles", {"outlet": "bernama"}, ["malaysia-sedia"]),
    ("articles", {"meeting": "japan-malaysia-dialogue"}, ["japan-malaysia-talk"]),
    ("articles", {"actor": "mohamed-khaled-nordin"}, ["malaysia-sedia"]),
    ("articles", {"topic": "maritime-security"}, ["japan-malaysia-talk"]),
    ("articles", {"search": "siber"}, ["malaysia-sedia"]),
    ("articles", {"status": "draft"}, []),
    # meetings
    ("meetings", {"start_after": "2025-01-01"}, ["admm-retreat-2025"]),
    ("meetings", {"start_before": "2024-12-31"}, ["japan-malaysia-dialogue"]),
    ("meetings", {"country": "JP"}, ["japan-malaysia-dialogue"]),
    ("meetings", {"actor": "mohamed-khaled-nordin"}, None),
    ("meetings", {"actor": "kihara-minoru"}, ["japan-malaysia-dialogue"]),
    ("meetings", {"topic": "cybersecurity"}, ["admm-retreat-2025"]),
    ("meetings", {"level": "senior_officials"}, ["japan-malaysia-dialogue"]),
    ("meetings", {"format": "multilateral"}, ["admm-retreat-2025"]),
    ("meetings", {"format": "bilateral"}, ["japan-malaysia-dialogue"]),
    ("meetings", {"state": "held"}, None),
    ("meetings", {"reports_to": "admm-retreat-2025"}, ["japan-malaysia-dialogue"]),
    ("meetings", {"series": "admm retreat"}, ["admm-retreat-2025"]),
    ("meetings", {"search": "Dialogue"}, ["japan-malaysia-dialogue"]),
    # actors
    ("actors", {"country": "JP"}, ["kihara-minoru"]),
    ("actors", {"kind": "country"}, ["japan", "malaysia"]),
    ("actors", {"organisation_type": "news_outlet"}, ["bernama"]),
    ("actors", {"is_asean_member": "true"}, ["malaysia"]),
    ("actors", {"iso_code": "MY"}, ["malaysia"]),
    (
        "actors",
        {"meeting": "japan-malaysia-dialogue"},
        ["kihara-minoru", "mohamed-khaled-nordin"],
    ),
    # Two aliases match; the actor is listed once.
    ("actors", {"search": "Khaled Nordin"}, ["mohamed-khaled-nordin"]),
    ("actors", {"parent": "mindef-malaysia"}, []),
    # commitments
    ("commitments", {"deadline_after": "2025-06-01"}, ["raise-cyber-capacity"]),
    ("commitments", {"deadline_before": "2025-01-01"}, ["joint-maritime-patrols"]),
    ("commitments", {"standing": "fulfilled"}, ["joint-maritime-patrols"]),
    ("commitments", {"kind": "target"}, ["raise-cyber-capacity"]),
    ("commitments", {"topic": "cybersecurity"}, ["raise-cyber-capacity"]),
    # Made by Japan itself or by one of its people.
    ("commitments", {"country": "JP"}, ["joint-maritime-patrols"]),
    ("commitments", {"country": "MY"}, None),
    ("commitments", {"actor": "kihara-minoru"}, ["joint-maritime-patrols"]),
    ("commitments", {"meeting": "admm-retreat-2025"}, ["raise-cyber-capacity"]),
    ("commitments", {"status": "published"}, None),
    ("commitments", {"search": "patrols"}, ["joint-maritime-patrols"]),
    # topics
    ("topics", {"status": "published"}, ["cybersecurity", "maritime-security"]),
    ("topics", {"search": "maritime"}, ["maritime-security"]),
    # assessments
    ("assessments", {"assessed_after": "2025-01-01"}, ["Kept"]),
    ("assessments", {"assessed_before": "2024-12-31"}, ["Not kept"]),
    ("assessments", {"commitment": "raise-cyber-capacity"}, ["Kept"]),
    ("assessments", {"actor": "japan"}, ["Not kept"]),
    ("assessments", {"score": "-1"}, ["Not kept"]),
    ("assessments", {"search": "not"}, ["Not kept"]),
    # annotations
    ("annotations", {"article": "malaysia-sedia"}, ["On the retreat"]),
    ("annotations", {"commitment": "joint-maritime-patrols"}, ["On the dialogue"]),
    ("annotations", {"meeting": "admm-retreat-2025"}, ["On the retreat"]),
    ("annotations", {"actor": "kihara-minoru"}, ["On the dialogue"]),
    ("annotations", {"anchor_state": "fuzzy"}, ["On the dialogue"]),
    ("annotations", {"search": "retreat"}, ["On the retreat"]),
    # mentions
    ("mentions", {"article": "japan-malaysia-talk"}, ["Pertahanan"]),
    ("mentions", {"actor": "mohamed-khaled-nordin"}, ["Menteri"]),
    ("mentions", {"resolved": "true"}, ["Menteri"]),
    ("mentions", {"resolved": "false"}, ["Pertahanan"]),
    ("mentions", {"search": "Pertahanan"}, ["Pertahanan"]),
]


@pytest.mark.parametrize(
    ("resource", "query", "expected"),
    MATCHES,
    ids=[f"{r}?{'&'.join(f'{k}={v}' for k, v in q.items())}" for r, q, _ in MATCHES],
)
def test_a_filter_lists_the_matching_records_only(
    records, api_client, resource, query, expected
):
    everything = shown(api_client.get(f"/api/v1/{resource}/"), resource)
    if expected is None:
        # Filters every record matches: proven by not losing any.
        expected = everything

    found = shown(api_client.get(f"/api/v1/{resource}/", query), resource)

    assert sorted(found) == sorted(expected)
    assert len(found) == len(set(found)), "a record is listed twice"


def test_every_list_filters_something():
    assert {resource for resource, _query, _expected in MATCHES} == set(LISTS)


def test_staff_filter_by_editorial_status(editor_client, records):
    response = editor_client.get("/api/v1/topics/", {"status": "draft"})

    assert shown(response, "topics") == ["draft-topic"]


# Filters that are refused --------------------------------------------------------

REFUSED = [
    # A date that is not a date
    ("articles", "published_after", "2025-02-30"),
    ("articles", "published_before", "2025"),
    ("meetings", "start_after", "26/02/2025"),
    ("meetings", "start_before", "yesterday"),
    ("commitments", "deadline_after", "2025-13-01"),
    ("commitments", "deadline_before", "2025-13"),
    ("assessments", "assessed_after", "tomorrow"),
    ("assessments", "assessed_before", "2025-00-10"),
    # A slug of no record
    ("articles", "meeting", "no-such-meeting"),
    ("articles", "outlet", "no-such-outlet"),
    ("articles", "actor", "no-such-actor"),
    ("articles", "topic", "no-such-topic"),
    ("meetings", "actor", "no-such-actor"),
    ("meetings", "topic", "no-such-topic"),
    ("meetings", "reports_to", "no-such-meeting"),
    ("actors", "meeting", "no-such-meeting"),
    ("actors", "parent", "no-such-actor"),
    ("commitments", "actor", "no-such-actor"),
    ("commitments", "meeting", "no-such-meeting"),
    ("commitments", "topic", "no-such-topic"),
    ("assessments", "commitment", "no-such-commitment"),
    ("assessments", "actor", "no-such-actor"),
    ("annotations", "article", "no-such-article"),
    ("annotations", "commitment", "no-such-commitment"),
    ("annotations", "meeting", "no-such-meeting"),
    ("annotations", "actor", "no-such-actor"),
    ("mentions", "article", "no-such-article"),
    ("mentions", "actor", "no-such-actor"),
    # A slug of a draft, to a client who may not see it
    ("articles", "topic", "draft-topic"),
    # An ISO code of no country, or not as ISO writes it, or of a person
    ("articles", "country", "ZZ"),
    ("meetings", "country", "my"),
    ("actors", "country", "ZZ"),
    ("commitments", "country", "Malaysia"),
    # A choice that is not offered
    ("articles", "language", "xx"),
    ("articles", "status", "gone"),
    ("meetings", "level", "cosmic"),
    ("meetings", "format", "trilateral"),
    ("meetings", "state", "postponed"),
    ("actors", "kind", "alien"),
    ("actors", "organisation_type", "club"),
    ("actors", "is_asean_member", "maybe"),
    ("commitments", "standing", "forgotten"),
    ("commitments", "kind", "promise"),
    ("commitments", "status", "secret"),
    ("topics", "status", "secret"),
    ("assessments", "score", "2"),
    ("assessments", "score", "kept"),
    ("annotations", "anchor_state", "lost"),
    ("mentions", "resolved", "perhaps"),
    # An ordering by a field that is not offered
    *((resource, "ordering", "-strat") for resource in LISTS),
    ("meetings", "ordering", "start,nmae"),
    # Lists do not offer ordering by a relation's fields.
    ("meetings", "ordering", "country__name"),
]


@pytest.mark.parametrize(
    ("resource", "parameter", "value"),
    REFUSED,
    ids=[f"{r}?{p}={v}" for r, p, v in REFUSED],
)
def test_a_filter_value_that_matches_nothing_it_could_mean_is_refused_with_400(
    records, api_client, resource, parameter, value
):
    response = api_client.get(f"/api/v1/{resource}/", {parameter: value})

    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == [parameter]
    assert errors[parameter]


def test_an_unknown_ordering_is_named_with_the_fields_that_are_offered(api_client):
    response = api_client.get("/api/v1/meetings/", {"ordering": "-strat"})

    assert response.json() == {
        "ordering": (
            "Unknown field -strat; order by one of "
            "end, name, published_at, start, updated_at."
        )
    }


def test_a_bad_date_is_named_with_what_was_expected(api_client):
    response = api_client.get("/api/v1/meetings/", {"start_after": "2025-13-01"})

    assert response.json() == {"start_after": ["Enter a valid date."]}


def test_every_list_refuses_an_unknown_ordering():
    refused = {r for r, parameter, _ in REFUSED if parameter == "ordering"}
    assert refused == set(LISTS)


# Ordering ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "ordering", "expected"),
    [
        ("meetings", None, ["admm-retreat-2025", "japan-malaysia-dialogue"]),
        ("meetings", "start", ["japan-malaysia-dialogue", "admm-retreat-2025"]),
        ("meetings", "-name", ["japan-malaysia-dialogue", "admm-retreat-2025"]),
        ("articles", None, ["malaysia-sedia", "japan-malaysia-talk"]),
        ("articles", "published", ["japan-malaysia-talk", "malaysia-sedia"]),
        ("commitments", None, ["joint-maritime-patrols", "raise-cyber-capacity"]),
        (
            "commitments",
            "-deadline",
            ["raise-cyber-capacity", "joint-maritime-patrols"],
        ),
        ("topics", "-name", ["maritime-security", "cybersecurity"]),
        ("assessments", None, ["Kept", "Not kept"]),
        ("assessments", "score", ["Not kept", "Kept"]),
        ("annotations", "-start", ["On the retreat", "On the dialogue"]),
        ("mentions", "-text", ["Pertahanan", "Menteri"]),
    ],
)
def test_a_list_is_ordered_as_asked(records, api_client, resource, ordering, expected):
    query = {"ordering": ordering} if ordering else {}

    found = shown(api_client.get(f"/api/v1/{resource}/", query), resource)

    assert found == expected


def test_actors_are_ordered_by_kind_then_name(records, api_client):
    found = shown(api_client.get("/api/v1/actors/", {"ordering": "kind,name"}), "")

    assert found == [
        "japan",
        "malaysia",
        "bernama",
        "mindef-malaysia",
        "kihara-minoru",
        "mohamed-khaled-nordin",
    ]


# Pages ---------------------------------------------------------------------------


@pytest.fixture
def many_topics():
    TopicFactory.create_batch(101)


def test_a_list_comes_in_pages_of_25(many_topics, api_client):
    page = api_client.get("/api/v1/topics/").json()

    assert page["count"] == 101
    assert len(page["results"]) == 25
    assert page["previous"] is None
    assert page["next"] == "http://testserver/api/v1/topics/?page=2"


def test_a_client_may_ask_for_larger_pages(many_topics, api_client):
    page = api_client.get("/api/v1/topics/", {"page_size": 60, "page": 2}).json()

    assert len(page["results"]) == 41
    assert page["next"] is None


def test_a_page_is_never_larger_than_100(many_topics, api_client):
    page = api_client.get("/api/v1/topics/", {"page_size": 1000}).json()

    assert page["count"] == 101
    assert len(page["results"]) == 100
    assert page["next"] == "http://testserver/api/v1/topics/?page=2&page_size=1000"


def test_a_page_past_the_last_answers_404(many_topics, api_client):
    response = api_client.get("/api/v1/topics/", {"page": 9})

    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


# Links ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "api_url", "page_url"),
    [
        ("articles", "/api/v1/articles/malaysia-sedia/", "/articles/malaysia-sedia/"),
        (
            "meetings",
            "/api/v1/meetings/admm-retreat-2025/",
            "/meetings/admm-retreat-2025/",
        ),
        (
            "commitments",
            "/api/v1/commitments/raise-cyber-capacity/",
            "/commitments/raise-cyber-capacity/",
        ),
        ("topics", "/api/v1/topics/cybersecurity/", "/topics/cybersecurity/"),
    ],
)
def test_a_list_links_each_record_in_the_api_and_on_the_site(
    records, api_client, resource, api_url, page_url
):
    results = api_client.get(f"/api/v1/{resource}/").json()["results"]

    links = {(record["url"], record["page_url"]) for record in results}
    assert (f"http://testserver{api_url}", f"http://testserver{page_url}") in links
    assert api_client.get(api_url).status_code == 200


def test_actors_and_countries_link_to_their_own_pages(records, api_client):
    results = api_client.get("/api/v1/actors/").json()["results"]

    page_urls = {actor["slug"]: actor["page_url"] for actor in results}
    assert page_urls["malaysia"] == "http://testserver/countries/malaysia/"
    assert page_urls["kihara-minoru"] == "http://testserver/actors/kihara-minoru/"


def test_records_without_a_slug_are_linked_by_id(records, api_client):
    for resource in ("assessments", "annotations", "mentions"):
        for record in api_client.get(f"/api/v1/{resource}/").json()["results"]:
            assert record["url"] == (
                f"http://testserver/api/v1/{resource}/{record['id']}/"
            )
            assert api_client.get(record["url"]).json()["id"] == record["id"]


def test_a_mention_confirmed_as_a_meeting_counts_as_resolved(api_client):
    as_meeting = MentionFactory()
    as_meeting.meeting = MeetingFactory()
    as_meeting.save()
    unresolved = MentionFactory()
    resolved = api_client.get("/api/v1/mentions/?resolved=true").json()["results"]
    open_ = api_client.get("/api/v1/mentions/?resolved=false").json()["results"]
    assert [m["id"] for m in resolved] == [as_meeting.pk]
    assert [m["id"] for m in open_] == [unresolved.pk]
