"""What a reader sees on the public pages, and what a reader never sees."""

import json
import re

import pytest
from django.db import connection
from django.template import loader
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from briefings.models import (
    EditorialStatus,
    MeetingState,
    ParticipationRole,
    Standing,
)
from briefings.views import PAGE_SIZE
from tests.factories import (
    AliasFactory,
    AnnotationFactory,
    ArticleFactory,
    AssessmentFactory,
    CommitmentFactory,
    CountryFactory,
    MeetingFactory,
    OrganisationFactory,
    ParticipationFactory,
    PersonFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

DRAFT = EditorialStatus.DRAFT
BANNER = "Draft — not public"


def html(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, f"{url} answered {response.status_code}"
    return response.content.decode()


def json_ld(page: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page)
    return [json.loads(block) for block in blocks]


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def assert_queries_do_not_grow(client, url, grow, bound, assert_max_queries) -> int:
    """The page runs as many queries for 50 rows as for one, and no more than
    `bound`: a relation walked lazily in a template would add one per row."""
    few = count_queries(client, url)
    grow(49)
    with assert_max_queries(bound):
        many = count_queries(client, url)
    assert many == few, f"{url}: {few} queries with 1 row, {many} with 50"
    return many


def a_briefing():
    """A published meeting with its country, a chair, a source article that
    concerns it, and a commitment whose quote is annotated in that article."""
    country = CountryFactory(name="Malaysia", iso_code="MY", is_asean_member=True)
    meeting = MeetingFactory(
        name="ASEAN Defence Ministers' Meeting Retreat 2025",
        short_name="ADMM Retreat 2025",
        name_local="Sesi Permukiman Menteri-menteri Pertahanan ASEAN 2025",
        venue="Shangri-La Hotel",
        city="Penang",
        country=country,
        start="2025-02-26",
    )
    minister = PersonFactory(
        name="Mohamed Khaled Nordin",
        honorific="Dato' Seri",
        position="Minister of Defence",
        country=country,
    )
    ParticipationFactory(
        meeting=meeting,
        actor=minister,
        role=ParticipationRole.CHAIR,
        represents=country,
    )
    article = ArticleFactory(
        title="Sesi Permukiman ADMM 2025",
        body="Meneroka kerjasama dalam bidang kecerdasan buatan.\nBaris kedua.",
        url="https://example.org/admm-retreat",
    )
    article.meetings.add(meeting)
    commitment = CommitmentFactory(
        title="Explore AI cooperation in defence",
        meeting=meeting,
        source_article=article,
        deadline="2025-11",
        deadline_note="by ADMM 2025 in November",
    )
    commitment.actors.add(country)
    quote = AnnotationFactory(article=article, commitment=commitment)
    return meeting, commitment, article, quote


# The meeting briefing


def test_a_meeting_page_gives_the_names_place_level_and_format(client):
    meeting, *_ = a_briefing()
    page = html(client, meeting.get_absolute_url())
    assert "<h1>ASEAN Defence Ministers&#x27; Meeting Retreat 2025</h1>" in page
    assert '<span lang="ms">Sesi Permukiman Menteri-menteri' in page
    assert "Shangri-La Hotel, Penang," in page
    assert 'href="/countries/' in page and ">Malaysia</a>" in page
    assert "Ministerial" in page and "Multilateral" in page
    assert '<time datetime="2025-02-26">26 February 2025</time>' in page


def test_a_meeting_whose_source_gives_no_year_says_so(client):
    meeting = MeetingFactory(
        start="--12-04", date_note="The article gives the day and month only."
    )
    page = html(client, meeting.get_absolute_url())
    assert "4 December, year not stated" in page
    assert "The article gives the day and month only." in page


def test_participants_are_grouped_under_role_headings_host_first(client):
    meeting = MeetingFactory()
    ParticipationFactory(
        meeting=meeting,
        actor=PersonFactory(name="Observer Person"),
        role=ParticipationRole.OBSERVER,
    )
    ParticipationFactory(
        meeting=meeting,
        actor=OrganisationFactory(name="Host Ministry"),
        role=ParticipationRole.HOST,
        note="Organised the meeting.",
    )
    page = html(client, meeting.get_absolute_url())
    body = page.split("</head>")[1]
    host, observer = body.index("<h3>Host</h3>"), body.index("<h3>Observer</h3>")
    assert host < body.index("Host Ministry") < observer
    assert observer < body.index("Observer Person")
    assert "Organised the meeting." in page


def test_a_commitments_quote_links_to_the_highlighted_sentence_in_the_article(client):
    meeting, _, article, quote = a_briefing()
    page = html(client, meeting.get_absolute_url())
    assert (
        quote.get_absolute_url()
        == f"{article.get_absolute_url()}#annotation-{quote.pk}"
    )
    assert f'href="{quote.get_absolute_url()}"' in page
    assert "<blockquote" in page and quote.quote in page
    assert "Explore AI cooperation in defence" in page
    assert '<time datetime="2025-11">November 2025</time>' in page
    assert "by ADMM 2025 in November" in page


def test_a_meeting_page_shows_the_chain_it_reports_to_and_what_reports_to_it(client):
    ammtc = MeetingFactory(short_name="AMMTC")
    somtc = MeetingFactory(short_name="SOMTC", reports_to=ammtc)
    working_group = MeetingFactory(short_name="SOMTC WG on CT", reports_to=somtc)
    page = html(client, working_group.get_absolute_url())
    assert page.index(">SOMTC</a>") < page.index(">AMMTC</a>")
    page = html(client, ammtc.get_absolute_url())
    assert "Meetings that report to it" in page and ">SOMTC</a>" in page


def test_a_published_meeting_names_no_draft_participant_commitment_article_or_country(
    client,
):
    hidden_country = CountryFactory(name="Hidden Country", status=DRAFT)
    meeting = MeetingFactory(country=hidden_country, city="Somewhere")
    ParticipationFactory(
        meeting=meeting, actor=PersonFactory(name="Hidden Person", status=DRAFT)
    )
    ParticipationFactory(
        meeting=meeting,
        actor=PersonFactory(name="Shown Person"),
        represents=hidden_country,
    )
    hidden_article = ArticleFactory(title="Hidden Article", status=DRAFT)
    hidden_article.meetings.add(meeting)
    CommitmentFactory(title="Hidden Commitment", meeting=meeting, status=DRAFT)
    shown = CommitmentFactory(
        title="Shown Commitment", meeting=meeting, source_article=hidden_article
    )
    AnnotationFactory(article=hidden_article, commitment=shown)
    hidden_outlet = OrganisationFactory(name="Hidden Outlet", status=DRAFT)
    ArticleFactory(title="Shown Article", outlet=hidden_outlet).meetings.add(meeting)
    page = html(client, meeting.get_absolute_url())
    assert "Shown Person" in page and "Shown Commitment" in page
    assert "Shown Article" in page
    for name in (
        "Hidden Person",
        "Hidden Commitment",
        "Hidden Article",
        "Hidden Country",
        "Hidden Outlet",
    ):
        assert name not in page
    assert hidden_article.get_absolute_url() not in page


def test_a_meeting_is_described_as_a_schema_org_event(client):
    meeting, *_ = a_briefing()
    (event,) = json_ld(html(client, meeting.get_absolute_url()))
    assert event["@type"] == "Event"
    assert event["startDate"] == "2025-02-26"
    assert event["alternateName"][0] == "ADMM Retreat 2025"
    assert event["location"]["address"]["addressCountry"] == "MY"
    assert event["performer"][0]["name"] == "Mohamed Khaled Nordin"
    assert event["url"] == f"http://testserver{meeting.get_absolute_url()}"


# Drafts


def _draft(kind):
    return {
        "meeting": lambda: MeetingFactory(status=DRAFT),
        "actor": lambda: PersonFactory(status=DRAFT),
        "country": lambda: CountryFactory(status=DRAFT),
        "article": lambda: ArticleFactory(status=DRAFT),
        "commitment": lambda: CommitmentFactory(status=DRAFT),
        "topic": lambda: TopicFactory(status=DRAFT),
    }[kind]()


DRAFT_KINDS = ["meeting", "actor", "country", "article", "commitment", "topic"]


@pytest.mark.parametrize("kind", DRAFT_KINDS)
def test_a_draft_is_not_found_by_anonymous_readers(client, kind):
    html(client, _draft(kind).get_absolute_url(), status=404)


@pytest.mark.parametrize("kind", DRAFT_KINDS)
def test_a_draft_is_not_found_by_a_signed_in_outsider(client, outsider, kind):
    client.force_login(outsider)
    html(client, _draft(kind).get_absolute_url(), status=404)


@pytest.mark.parametrize("kind", DRAFT_KINDS)
def test_staff_preview_a_draft_under_a_banner(client, editor, kind):
    client.force_login(editor)
    assert BANNER in html(client, _draft(kind).get_absolute_url())


def test_a_published_page_carries_no_draft_banner(client, editor):
    meeting = MeetingFactory()
    assert BANNER not in html(client, meeting.get_absolute_url())
    client.force_login(editor)
    assert BANNER not in html(client, meeting.get_absolute_url())


# The article reader


def test_the_article_marks_each_annotation_where_it_starts(client):
    _, commitment, article, quote = a_briefing()
    page = html(client, article.get_absolute_url())
    assert f'<mark id="annotation-{quote.pk}">{quote.quote}</mark>' in page
    # After the quote, a link to what it supports; the link is not inside the mark.
    after = page.split(f'<mark id="annotation-{quote.pk}">', 1)[1]
    assert after.index("</mark>") < after.index(
        f'href="{commitment.get_absolute_url()}"'
    )


def test_the_article_keeps_its_verbatim_line_breaks(client):
    _, _, article, _ = a_briefing()
    page = html(client, article.get_absolute_url())
    assert '<div class="source-text" lang="ms">' in page
    assert "</a>\nBaris kedua." in page


def test_the_article_shows_overlapping_annotations_without_nesting_links(client):
    article = ArticleFactory(body="Satu dua tiga empat lima.")
    meeting = MeetingFactory(short_name="The Meeting")
    outer = AnnotationFactory(article=article, start=0, end=13, quote="Satu dua tiga")
    inner = AnnotationFactory(
        article=article, start=5, end=19, quote="dua tiga empat", meeting=meeting
    )
    page = html(client, article.get_absolute_url())
    assert f'<mark id="annotation-{outer.pk}">Satu </mark>' in page
    assert f'<mark id="annotation-{inner.pk}" class="overlap">dua tiga</mark>' in page
    assert "[→ meeting: The Meeting]</a> lima." in page
    assert not re.search(r"<a [^>]*>[^<]*<a ", page)


def test_the_article_escapes_its_source_text(client):
    article = ArticleFactory(body="Kata <script>alert(1)</script> & lain.")
    AnnotationFactory(article=article, start=0, end=4, quote="Kata")
    page = html(client, article.get_absolute_url())
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; lain." in page


def test_the_article_shows_outlet_date_language_summary_and_original(client):
    outlet = OrganisationFactory(name="Bernama", organisation_type="news_outlet")
    article = ArticleFactory(
        outlet=outlet,
        published="--12-04",
        date_note="Dateline only.",
        summary="An English summary.",
        url="https://example.org/original",
    )
    page = html(client, article.get_absolute_url())
    assert "Bernama" in page and "An English summary." in page
    assert "4 December, year not stated" in page and "Dateline only." in page
    assert "Malay" in page
    assert (
        '<a class="url" href="https://example.org/original" rel="noopener nofollow">'
        in page
    )
    (news,) = json_ld(page)
    assert news["@type"] == "NewsArticle"
    assert "datePublished" not in news
    assert news["publisher"]["name"] == "Bernama"
    assert news["isBasedOn"] == "https://example.org/original"


def test_the_article_lists_its_annotation_notes(client):
    article = ArticleFactory()
    AnnotationFactory(article=article, note="The minister's words.")
    # A note is Markdown, rendered as a paragraph; an apostrophe needs no escape.
    assert "<p>The minister's words.</p>" in html(client, article.get_absolute_url())


# Actors, countries and topics


def test_the_actor_page_shows_who_the_actor_is_and_where_they_took_part(client):
    meeting, _, _, _ = a_briefing()
    minister = meeting.participations.get().actor
    AliasFactory(actor=minister, name="Mohamed Khaled bin Nordin")
    minister.position_local = "Menteri Pertahanan"
    minister.save()
    page = html(client, minister.get_absolute_url())
    assert (
        '<span class="honorific">Dato&#x27; Seri</span> Mohamed Khaled Nordin' in page
    )
    assert "Minister of Defence" in page and "Menteri Pertahanan" in page
    assert "Mohamed Khaled bin Nordin" in page
    assert "<h3>As Chair</h3>" in page
    assert meeting.get_absolute_url() in page
    (person,) = json_ld(page)
    assert person["@type"] == "Person"
    assert person["honorificPrefix"] == "Dato' Seri"
    assert person["nationality"]["name"] == "Malaysia"
    assert person["alternateName"] == ["Mohamed Khaled bin Nordin"]


def test_an_organisation_page_names_its_parent_and_units(client):
    polri = OrganisationFactory(name="Polri", organisation_type="police")
    division = OrganisationFactory(
        name="Divhubinter", organisation_type="police", parent=polri
    )
    page = html(client, division.get_absolute_url())
    assert "Part of" in page and polri.get_absolute_url() in page
    (organisation,) = json_ld(page)
    assert organisation["parentOrganization"]["name"] == "Polri"
    assert "Divhubinter" in html(client, polri.get_absolute_url())


def test_the_country_page_shows_its_facts_meetings_commitments_and_nationals(client):
    meeting, commitment, _, _ = a_briefing()
    country = meeting.country
    page = html(client, country.get_absolute_url())
    assert "<h1>Malaysia</h1>" in page
    assert "MY" in page and "ASEAN member state" in page
    assert meeting.name.replace("'", "&#x27;") in page
    assert commitment.title in page
    assert "Mohamed Khaled Nordin" in page
    (data,) = json_ld(page)
    assert data["@type"] == "Country" and data["identifier"] == "MY"


def test_the_country_page_pages_through_its_meetings(client):
    country = CountryFactory()
    for number in range(PAGE_SIZE + 1):
        MeetingFactory(name=f"Meeting {number:02d}", country=country)
    page = html(client, country.get_absolute_url() + "?page=2")
    assert "Meeting 25" in page and "Meeting 00" not in page
    assert "Page 2 of 2" in page


def test_the_country_page_shows_its_first_commitments_and_links_to_the_rest(client):
    country = CountryFactory(iso_code="MY")
    minister = PersonFactory(country=country)
    for number in range(PAGE_SIZE + 1):
        CommitmentFactory(title=f"Pledge {number:02d}").actors.add(minister)
    page = html(client, country.get_absolute_url())
    assert f"({PAGE_SIZE + 1})" in page
    assert sum(f"Pledge {n:02d}" in page for n in range(PAGE_SIZE + 1)) == PAGE_SIZE
    assert reverse("commitment-tracker") + "?country=MY" in page


def test_the_actor_page_shows_its_first_commitments_and_links_to_the_rest(client):
    minister = PersonFactory(slug="khaled")
    for number in range(PAGE_SIZE + 1):
        CommitmentFactory(title=f"Pledge {number:02d}").actors.add(minister)
    page = html(client, minister.get_absolute_url())
    assert sum(f"Pledge {n:02d}" in page for n in range(PAGE_SIZE + 1)) == PAGE_SIZE
    assert reverse("commitment-tracker") + "?actor=khaled" in page


def test_an_actor_url_for_a_country_redirects_to_the_country_page(client):
    country = CountryFactory()
    response = client.get(reverse("actor-detail", kwargs={"slug": country.slug}))
    assert response.status_code == 301
    assert response["Location"] == country.get_absolute_url()


def test_the_topic_page_lists_its_meetings_commitments_and_articles(client):
    topic = TopicFactory(name="Cybersecurity")
    meeting = MeetingFactory(name="Cyber Meeting")
    meeting.topics.add(topic)
    commitment = CommitmentFactory(title="Cyber Pledge")
    commitment.topics.add(topic)
    article = ArticleFactory(title="Keselamatan siber")
    article.topics.add(topic)
    page = html(client, topic.get_absolute_url())
    assert "Cyber Meeting" in page and "Cyber Pledge" in page
    assert "Keselamatan siber" in page


# The commitment tracker


def tracker(client, query: str = "") -> str:
    return html(client, reverse("commitment-tracker") + query)


def test_the_tracker_shows_a_labelled_filter_form_that_needs_no_script(client):
    page = tracker(client)
    assert '<form class="filters" method="get"' in page
    for name in ("standing", "topic", "country", "actor", "meeting", "deadline_after"):
        assert f'<label for="id_{name}">' in page
    assert '<button type="submit">' in page
    assert "<script" not in page


def test_the_tracker_counts_commitments_by_standing_in_a_chart_and_in_words(client):
    CommitmentFactory(standing=Standing.FULFILLED)
    CommitmentFactory(standing=Standing.FULFILLED)
    CommitmentFactory(standing=Standing.ANNOUNCED)
    page = tracker(client)
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page
    assert '<th scope="row">Fulfilled</th><td>2</td>' in page
    assert '<th scope="row">Announced</th><td>1</td>' in page
    assert "3 commitments" in page


def _commitments_to_filter():
    """One commitment that every filter below keeps, one that each drops."""
    country = CountryFactory(iso_code="MY")
    minister = PersonFactory(slug="khaled", country=country)
    topic = TopicFactory(slug="cyber")
    meeting = MeetingFactory(slug="admm-retreat")
    kept = CommitmentFactory(
        title="Kept Pledge", standing=Standing.IN_PROGRESS, meeting=meeting
    )
    kept.actors.add(minister)
    kept.topics.add(topic)
    CommitmentFactory(title="Dropped Pledge", standing=Standing.ANNOUNCED)


@pytest.mark.parametrize(
    "query",
    [
        "?standing=in_progress",
        "?topic=cyber",
        "?country=MY",
        "?actor=khaled",
        "?meeting=admm-retreat",
    ],
)
def test_the_tracker_filters(client, query):
    _commitments_to_filter()
    page = tracker(client, query)
    assert "Kept Pledge" in page and "Dropped Pledge" not in page


def test_the_deadline_window_keeps_the_dates_that_may_fall_inside_it(client):
    for deadline in ("2025", "2025-10", "2024-12", "--12-04"):
        CommitmentFactory(title=f"Due {deadline}", deadline=deadline)
    page = tracker(client, "?deadline_after=2025-01-01&deadline_before=2025-12-31")
    assert "Due 2025<" in page and "Due 2025-10" in page
    assert "Due 2024-12" not in page and "Due --12-04" not in page


def test_an_invalid_filter_value_shows_the_error_on_the_form(client):
    CommitmentFactory(title="Still Listed")
    page = tracker(client, "?deadline_after=not-a-date&standing=nonsense")
    assert "Enter a valid date." in page
    assert "Select a valid choice." in page
    assert "Still Listed" in page


def test_the_trackers_page_links_keep_the_filters(client):
    for _ in range(PAGE_SIZE + 1):
        CommitmentFactory(standing=Standing.ANNOUNCED)
    page = tracker(client, "?standing=announced")
    assert 'href="?standing=announced&amp;page=2"' in page
    page = tracker(client, "?standing=announced&page=2")
    assert "Page 2 of 2" in page


def test_a_draft_commitment_stays_out_of_the_tracker_and_its_counts(client):
    CommitmentFactory(title="Draft Pledge", status=DRAFT)
    page = tracker(client)
    assert "Draft Pledge" not in page
    assert "0 commitments" in page


def test_the_commitment_page_shows_its_compliance_history_newest_first(client):
    _, commitment, _, quote = a_briefing()
    country = commitment.actors.get()
    AssessmentFactory(
        commitment=commitment,
        actor=country,
        score=0,
        assessed_on="2025-06-01",
        rationale="Talks began.",
    )
    AssessmentFactory(
        commitment=commitment,
        actor=country,
        score=1,
        assessed_on="2025-12-01",
        rationale="Agreement signed.",
        evidence_url="https://example.org/signed",
    )
    page = html(client, commitment.get_absolute_url())
    assert page.index("Agreement signed.") < page.index("Talks began.")
    assert '<time datetime="2025-12-01">1 December 2025</time>' in page
    assert "+1 kept" in page and "0 partly kept" in page
    assert "https://example.org/signed" in page
    assert f'href="{quote.get_absolute_url()}"' in page


# Search


def test_search_finds_a_meeting_by_its_short_name(client):
    a_briefing()
    page = html(client, reverse("search") + "?q=ADMM+Retreat")
    assert "ASEAN Defence Ministers&#x27; Meeting Retreat 2025" in page


def test_search_finds_an_actor_by_an_alias(client):
    AliasFactory(actor=PersonFactory(name="Mohamed Khaled Nordin"), name="Khaled bin")
    page = html(client, reverse("search") + "?q=khaled+bin")
    assert "Mohamed Khaled Nordin" in page


def test_search_finds_an_article_by_a_word_of_its_text(client):
    ArticleFactory(
        title="Persidangan", body="Meningkatkan keupayaan keselamatan siber."
    )
    page = html(client, reverse("search") + "?q=siber")
    assert "Persidangan" in page and "1 result for" in page


def test_search_never_finds_a_draft(client):
    MeetingFactory(name="Secret Meeting", status=DRAFT)
    PersonFactory(name="Secret Person", status=DRAFT)
    CommitmentFactory(title="Secret Pledge", status=DRAFT)
    ArticleFactory(title="Secret Article", status=DRAFT)
    page = html(client, reverse("search") + "?q=secret")
    assert "Secret " not in page
    assert "0 results for" in page


def test_the_search_page_has_a_labelled_form(client):
    page = html(client, reverse("search"))
    assert '<label for="search-q">' in page and 'name="q"' in page


# Lists, pagination and the timeline

LISTS = ["meeting-list", "actor-list", "country-list", "topic-list", "article-list"]


def _one_of_each():
    meeting, *_ = a_briefing()
    meeting.name = "ADMM Retreat 2025"
    meeting.save()
    TopicFactory(name="Maritime security")
    return meeting


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("meeting-list", "ADMM Retreat 2025"),
        ("actor-list", "Mohamed Khaled Nordin"),
        ("country-list", "Malaysia"),
        ("topic-list", "Maritime security"),
        ("article-list", "Sesi Permukiman ADMM 2025"),
        ("timeline", "ADMM Retreat 2025"),
        ("home", "ADMM Retreat 2025"),
    ],
)
def test_every_list_shows_published_records(client, name, shown):
    _one_of_each()
    assert shown in html(client, reverse(name)).replace("&#x27;", "'")


def test_the_actor_list_filters_by_kind(client):
    PersonFactory(name="Some Person")
    OrganisationFactory(name="Some Ministry")
    page = html(client, reverse("actor-list") + "?kind=person")
    assert "Some Person" in page and "Some Ministry" not in page
    assert '?kind=person" aria-current="page"' in page


def test_page_two_of_a_list_shows_the_rest(client):
    for number in range(PAGE_SIZE + 1):
        MeetingFactory(name=f"Meeting {number:02d}")
    assert "Meeting 25" not in html(client, reverse("meeting-list"))
    page = html(client, reverse("meeting-list") + "?page=2")
    assert "Meeting 25" in page and "Meeting 00" not in page
    assert 'rel="prev"' in page


@pytest.mark.parametrize("name", [*LISTS, "timeline", "commitment-tracker", "search"])
@pytest.mark.parametrize("number", ["abc", "999", "0", "-1"])
def test_a_bad_page_number_shows_a_page_not_an_error(client, name, number):
    _one_of_each()
    html(client, f"{reverse(name)}?page={number}")


def test_the_timeline_lists_meetings_in_order_under_their_years(client):
    MeetingFactory(name="Later", start="2025-02-26")
    MeetingFactory(name="Earlier", start="2023-05-18")
    MeetingFactory(name="Undated", start="--12-04")
    page = html(client, reverse("timeline"))
    assert page.index("Year not stated") < page.index("Undated")
    assert page.index("Undated") < page.index(">2023</h2>") < page.index("Earlier")
    assert page.index("Earlier") < page.index(">2025</h2>") < page.index("Later")
    assert "<title>Meetings per year</title>" in page


def test_the_home_page_shows_latest_upcoming_and_open(client):
    MeetingFactory(name="Held Meeting")
    MeetingFactory(name="Coming Meeting", state=MeetingState.ANNOUNCED)
    CommitmentFactory(title="Open Pledge", standing=Standing.IN_PROGRESS)
    CommitmentFactory(title="Kept Pledge", standing=Standing.FULFILLED)
    page = html(client, reverse("home"))
    latest, upcoming = page.index("Latest briefings"), page.index("Announced meetings")
    assert latest < page.index("Held Meeting") < upcoming < page.index("Coming Meeting")
    assert "Open Pledge" in page and "Kept Pledge" not in page
    assert "<title>Meetings per year</title>" in page


# What every page has in common


def _every_page():
    meeting, commitment, article, _ = a_briefing()
    topic = TopicFactory()
    minister = meeting.participations.get().actor
    return [
        reverse("home"),
        *(reverse(name) for name in LISTS),
        reverse("commitment-tracker"),
        reverse("timeline"),
        reverse("search") + "?q=ADMM",
        meeting.get_absolute_url(),
        commitment.get_absolute_url(),
        article.get_absolute_url(),
        minister.get_absolute_url(),
        meeting.country.get_absolute_url(),
        topic.get_absolute_url(),
    ]


def test_every_page_has_one_h1_its_own_title_and_a_description(client):
    urls = _every_page()
    titles = set()
    for url in urls:
        page = html(client, url)
        assert page.count("<h1") == 1, url
        assert '<html lang="en">' in page
        assert '<a class="skip-link" href="#main">' in page and 'id="main"' in page
        assert re.search(r'<meta name="description" content="[^"]{20,}">', page), url
        (title,) = re.findall(r"<title>(.*?)</title>", page.split("</head>")[0])
        titles.add(title)
    assert len(titles) == len(urls)


def test_no_page_needs_script_inline_styles_or_outside_assets(client):
    for url in _every_page():
        page = html(client, url)
        assert " style=" not in page and "<style" not in page, url
        scripts = re.findall(r"<script[^>]*>", page)
        assert all(s == '<script type="application/ld+json">' for s in scripts), url
        assert "/static/serantau/site.css" in page
        assert not re.search(r'(src|href)="(https?:)?//[^"]*\.(css|js|woff2?)', page)


def test_the_footer_links_to_the_feeds(client):
    page = html(client, reverse("home"))
    for feed in ("briefings.rss", "briefings.atom", "articles.rss", "articles.atom"):
        assert f'href="/feeds/{feed}"' in page


def test_an_unknown_address_gets_the_404_page(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    assert "Page not found" in response.content.decode()


def test_the_500_page_renders_without_a_request_or_the_database(
    django_assert_num_queries,
):
    with django_assert_num_queries(0):
        page = loader.get_template("500.html").render()
    assert "Something went wrong" in page and '<html lang="en">' in page


# Queries do not grow with rows


def test_the_meeting_page_queries_do_not_grow_with_participants_and_commitments(
    client, django_assert_max_num_queries
):
    meeting, _, article, _ = a_briefing()
    topic = TopicFactory()
    meeting.topics.add(topic)

    def grow(n):
        for _ in range(n):
            ParticipationFactory(meeting=meeting, represents=meeting.country)
            commitment = CommitmentFactory(meeting=meeting, source_article=article)
            commitment.actors.add(PersonFactory())
            commitment.topics.add(topic)
            AnnotationFactory(article=article, commitment=commitment)
            AnnotationFactory(article=article, meeting=meeting)

    # The meeting with its country and chain; meetings reporting to it;
    # participations; commitments, their parties and topics; articles; topics;
    # annotations about the meeting; commitments' quotes.
    assert_queries_do_not_grow(
        client, meeting.get_absolute_url(), grow, 10, django_assert_max_num_queries
    )


def test_the_actor_page_queries_do_not_grow_with_meetings_and_commitments(
    client, django_assert_max_num_queries
):
    country = CountryFactory()
    minister = PersonFactory(country=country, parent=OrganisationFactory())
    AliasFactory(actor=minister)

    def grow(n):
        for _ in range(n):
            meeting = MeetingFactory(country=country)
            ParticipationFactory(meeting=meeting, actor=minister, represents=country)
            commitment = CommitmentFactory(meeting=meeting)
            commitment.actors.add(minister, country)
            AnnotationFactory(actor=minister)
            OrganisationFactory(parent=minister)

    grow(1)
    # The actor with country and parent; aliases; participations; commitments,
    # their parties and topics; annotations; units.
    assert_queries_do_not_grow(
        client, minister.get_absolute_url(), grow, 8, django_assert_max_num_queries
    )


def test_the_country_page_queries_do_not_grow_with_meetings_and_nationals(
    client, django_assert_max_num_queries
):
    country = CountryFactory()

    def grow(n):
        for _ in range(n):
            person = PersonFactory(country=country)
            meeting = MeetingFactory(country=country)
            ParticipationFactory(meeting=meeting, actor=person, represents=country)
            CommitmentFactory(meeting=meeting).actors.add(person)
            AnnotationFactory(actor=country)

    grow(1)
    # The country with its aliases and quotes (3); the meetings' count and page;
    # the first commitments, their parties and topics, and their count;
    # nationals.
    assert_queries_do_not_grow(
        client, country.get_absolute_url(), grow, 10, django_assert_max_num_queries
    )


def test_the_article_page_queries_do_not_grow_with_annotations(
    client, django_assert_max_num_queries
):
    outlet = OrganisationFactory(organisation_type="news_outlet")
    article = ArticleFactory(outlet=outlet)

    def grow(n):
        for _ in range(n):
            commitment = CommitmentFactory(source_article=article)
            meeting = MeetingFactory()
            article.meetings.add(meeting)
            article.actors.add(PersonFactory())
            article.topics.add(TopicFactory())
            AnnotationFactory(article=article, commitment=commitment)
            AnnotationFactory(article=article, meeting=meeting)
            AnnotationFactory(article=article, actor=PersonFactory())

    grow(1)
    # The article with its outlet; annotations with what they point at;
    # meetings; actors; topics; commitments, their parties and topics.
    assert_queries_do_not_grow(
        client, article.get_absolute_url(), grow, 8, django_assert_max_num_queries
    )


def test_the_commitment_page_queries_do_not_grow_with_assessments(
    client, django_assert_max_num_queries
):
    commitment = CommitmentFactory(meeting=MeetingFactory())

    def grow(n):
        for _ in range(n):
            country = CountryFactory()
            commitment.actors.add(country)
            commitment.topics.add(TopicFactory())
            AssessmentFactory(
                commitment=commitment, actor=country, evidence_article=ArticleFactory()
            )
            AnnotationFactory(commitment=commitment)

    grow(1)
    # The commitment with meeting and source; parties; topics; quotes;
    # assessments with actor and evidence.
    assert_queries_do_not_grow(
        client, commitment.get_absolute_url(), grow, 5, django_assert_max_num_queries
    )


def _commitment_with_parties(**kwargs):
    commitment = CommitmentFactory(meeting=MeetingFactory(), **kwargs)
    commitment.actors.add(PersonFactory(), CountryFactory())
    commitment.topics.add(TopicFactory())
    return commitment


def test_the_tracker_queries_do_not_grow_with_commitments(
    client, django_assert_max_num_queries
):
    def grow(n):
        for _ in range(n):
            _commitment_with_parties()

    grow(1)
    # Choices of two filters (topic, country: actor and meeting are typed as
    # slugs); counts by standing; the paginator's count; the page; its parties;
    # its topics.
    assert_queries_do_not_grow(
        client, reverse("commitment-tracker"), grow, 7, django_assert_max_num_queries
    )


def test_the_topic_page_queries_do_not_grow_with_records(
    client, django_assert_max_num_queries
):
    topic = TopicFactory()

    def grow(n):
        for _ in range(n):
            MeetingFactory(country=CountryFactory()).topics.add(topic)
            _commitment_with_parties().topics.add(topic)
            ArticleFactory(outlet=OrganisationFactory()).topics.add(topic)

    grow(1)
    # The topic; meetings; commitments, parties, topics; articles.
    assert_queries_do_not_grow(
        client, topic.get_absolute_url(), grow, 6, django_assert_max_num_queries
    )


def test_the_home_page_queries_do_not_grow_with_meetings(
    client, django_assert_max_num_queries
):
    def grow(n):
        for _ in range(n):
            MeetingFactory(country=CountryFactory())
            MeetingFactory(state=MeetingState.ANNOUNCED, country=CountryFactory())
            _commitment_with_parties()

    grow(1)
    # Latest meetings; announced meetings; open commitments, parties, topics;
    # meetings per year.
    assert_queries_do_not_grow(
        client, reverse("home"), grow, 6, django_assert_max_num_queries
    )


def test_the_search_queries_do_not_grow_with_hits(
    client, django_assert_max_num_queries
):
    def grow(n):
        for _ in range(n):
            MeetingFactory(name="Patrol meeting", country=CountryFactory())
            AliasFactory(
                actor=PersonFactory(country=CountryFactory()), name="Patrol alias"
            )
            _commitment_with_parties(title="Patrol pledge")
            ArticleFactory(title="Patrol", outlet=OrganisationFactory())

    grow(1)
    # Meetings; actors; commitments, parties, topics; articles.
    assert_queries_do_not_grow(
        client, reverse("search") + "?q=patrol", grow, 6, django_assert_max_num_queries
    )


LIST_ROWS = {
    "meeting-list": lambda: MeetingFactory(country=CountryFactory()),
    "actor-list": lambda: PersonFactory(country=CountryFactory()),
    "country-list": lambda: CountryFactory(),
    "topic-list": lambda: TopicFactory(),
    "article-list": lambda: ArticleFactory(outlet=OrganisationFactory()),
    "timeline": lambda: MeetingFactory(country=CountryFactory()),
}


@pytest.mark.parametrize("name", LIST_ROWS)
def test_a_list_runs_the_same_queries_for_one_row_or_fifty(
    client, django_assert_max_num_queries, name
):
    def grow(n):
        for _ in range(n):
            LIST_ROWS[name]()

    grow(1)
    # The paginator's count and the page; the timeline adds meetings per year.
    assert_queries_do_not_grow(
        client, reverse(name), grow, 3, django_assert_max_num_queries
    )


def test_an_actor_list_of_people_does_not_list_countries(client):
    CountryFactory(name="Listed Elsewhere")
    page = html(client, reverse("actor-list"))
    assert "Listed Elsewhere" not in page


# The seed corpus, as a reader meets it


def test_the_admm_retreat_briefing_names_its_chair_and_five_commitments(
    client, seed_corpus
):
    page = html(client, "/meetings/admm-retreat-2025/")
    assert "Mohamed Khaled Nordin" in page
    assert "<h3>Chair</h3>" in page
    assert 'What was committed <span class="count">(5)</span>' in page
    assert page.count('<article class="commitment"') == 5
    assert "#annotation-" in page


def test_the_vietnam_japan_dialogue_gives_no_year(client, seed_corpus):
    page = html(client, "/meetings/vietnam-japan-2plus2-1/")
    assert "4 December, year not stated" in page
    (event,) = json_ld(page)
    assert "startDate" not in event


def test_the_somtc_working_group_reports_up_a_chain_of_three(client, seed_corpus):
    page = html(client, "/meetings/somtc-wg-ct-19/")
    chain = page.split('<ol class="chain">', 1)[1].split("</ol>", 1)[0]
    assert "/meetings/somtc-23/" in chain and "/meetings/ammtc-2023/" in chain


@pytest.mark.parametrize("word", ["Khaled", "SOMTC", "siber"])
def test_searching_the_seed_corpus_finds_results(client, seed_corpus, word):
    page = html(client, reverse("search") + f"?q={word}")
    assert not re.search(r"\b0 results for", page)


def test_every_published_seed_record_has_a_page(client, seed_corpus):
    from briefings.models import Actor, Article, Commitment, Meeting, Topic

    for model in (Meeting, Actor, Article, Commitment, Topic):
        for record in model.objects.published():
            html(client, record.get_absolute_url())


def test_a_server_error_reaches_the_log_output_with_debug_off(settings):
    """The 500 page says the error has been recorded. Django's own console
    handler drops records unless DEBUG is on; ours must take them."""
    import logging

    settings.DEBUG = False
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "boom", None, None
    )
    handlers = []
    logger = logging.getLogger("django.request")
    while logger is not None:
        handlers += logger.handlers
        logger = logger.parent if logger.propagate else None
    # pytest's capture handlers subclass StreamHandler; only a plain one is ours.
    outputs = [
        h for h in handlers if type(h) is logging.StreamHandler and h.filter(record)
    ]
    assert outputs
