"""The RSS and Atom feeds of meeting briefings and source articles."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from briefings.feeds import FEED_LENGTH
from briefings.models import EditorialStatus, Language, OrganisationType
from tests.factories import (
    ArticleFactory,
    MeetingFactory,
    OrganisationFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

FEEDS = [
    "/feeds/briefings.rss",
    "/feeds/briefings.atom",
    "/feeds/articles.rss",
    "/feeds/articles.atom",
]

JANUARY = datetime(2025, 1, 1, tzinfo=UTC)


def days_later(days: int) -> datetime:
    return JANUARY + timedelta(days=days)


def rss_items(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    return channel, channel.findall("item")


def atom_entries(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return feed, feed.findall(f"{ATOM}entry")


def feed_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", FEEDS)
def test_an_empty_feed_is_still_a_valid_feed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    ET.fromstring(response.content)


def test_the_briefings_feed_lists_published_meetings_newest_first(client):
    MeetingFactory(name="Older", published_at=days_later(1))
    MeetingFactory(name="Newer", published_at=days_later(2))
    MeetingFactory(name="Not yet", status=EditorialStatus.DRAFT)
    MeetingFactory(name="Awaiting review", status=EditorialStatus.IN_REVIEW)

    channel, items = rss_items(client, "/feeds/briefings.rss")

    assert channel.findtext("title") == "Serantau: meeting briefings"
    assert channel.findtext("link") == "http://testserver/meetings/"
    assert [item.findtext("title") for item in items] == ["Newer", "Older"]


def test_meetings_published_on_the_same_day_go_by_start_date(client):
    MeetingFactory(name="Earlier", start="2025-02", published_at=days_later(1))
    MeetingFactory(name="Later", start="2025-03-01", published_at=days_later(1))
    MeetingFactory(name="Never stamped", start="2026", published_at=None)

    _, items = rss_items(client, "/feeds/briefings.rss")

    assert [item.findtext("title") for item in items] == [
        "Later",
        "Earlier",
        "Never stamped",
    ]


def test_a_briefing_item_carries_short_name_summary_link_date_and_topics(client):
    meeting = MeetingFactory(
        name="ASEAN Defence Ministers' Meeting Retreat",
        short_name="ADMM Retreat 2025",
        summary="Ministers met in Penang & agreed to <explore> AI cooperation.",
        published_at=datetime(2025, 2, 27, 9, 0, tzinfo=UTC),
    )
    meeting.topics.add(
        TopicFactory(name="HADR"),
        TopicFactory(name="Unpublished topic", status=EditorialStatus.DRAFT),
    )

    _, [item] = rss_items(client, "/feeds/briefings.rss")

    assert item.findtext("title") == "ADMM Retreat 2025"
    # The description is HTML to a feed reader: the summary's text, escaped.
    assert item.findtext("description") == (
        "Ministers met in Penang &amp; agreed to &lt;explore&gt; AI cooperation."
    )
    assert item.findtext("link") == f"http://testserver{meeting.get_absolute_url()}"
    assert item.findtext("pubDate") == "Thu, 27 Feb 2025 09:00:00 +0000"
    assert [c.text for c in item.findall("category")] == ["HADR"]


def test_a_meeting_without_a_short_name_goes_by_its_name(client):
    MeetingFactory(name="Special Meeting on Transnational Crime", short_name="")

    _, [item] = rss_items(client, "/feeds/briefings.rss")

    assert item.findtext("title") == "Special Meeting on Transnational Crime"


def test_the_atom_briefings_feed_has_self_link_updated_and_published(client):
    meeting = MeetingFactory(short_name="ADMM Retreat 2025", published_at=JANUARY)

    feed, [entry] = atom_entries(client, "/feeds/briefings.atom")

    assert feed.findtext(f"{ATOM}title") == "Serantau: meeting briefings"
    assert feed.findtext(f"{ATOM}subtitle").startswith("Newly published briefings")
    self_link = feed.find(f"{ATOM}link[@rel='self']")
    assert self_link.get("href") == "http://testserver/feeds/briefings.atom"
    assert entry.findtext(f"{ATOM}title") == "ADMM Retreat 2025"
    assert entry.find(f"{ATOM}link").get("href").endswith(meeting.get_absolute_url())
    assert entry.findtext(f"{ATOM}published") == "2025-01-01T00:00:00+00:00"
    assert entry.findtext(f"{ATOM}updated")


def test_the_articles_feed_lists_published_articles_newest_first(client):
    ArticleFactory(title="Older", published_at=days_later(1))
    ArticleFactory(title="Newer", published_at=days_later(2))
    ArticleFactory(title="Not yet", status=EditorialStatus.DRAFT)
    ArticleFactory(title="Awaiting review", status=EditorialStatus.IN_REVIEW)

    channel, items = rss_items(client, "/feeds/articles.rss")

    assert channel.findtext("title") == "Serantau: source articles"
    assert channel.findtext("link") == "http://testserver/articles/"
    assert [item.findtext("title") for item in items] == ["Newer", "Older"]


def test_an_article_item_names_its_outlet_language_and_reader_page(client):
    outlet = OrganisationFactory(
        name="Berita Harian", organisation_type=OrganisationType.NEWS_OUTLET
    )
    article = ArticleFactory(
        title="Malaysia sedia kerjasama AI",
        summary="Malaysia is ready to explore AI cooperation.",
        outlet=outlet,
        language=Language.MALAY,
    )

    _, [item] = rss_items(client, "/feeds/articles.rss")
    _, [entry] = atom_entries(client, "/feeds/articles.atom")

    assert item.findtext("title") == "Malaysia sedia kerjasama AI"
    assert item.findtext("description") == article.summary
    assert item.findtext("link") == f"http://testserver{article.get_absolute_url()}"
    assert item.findtext(f"{DC}language") == "ms"
    assert item.findtext(f"{DC}creator") == "Berita Harian"
    assert entry.get(XML_LANG) == "ms"
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Berita Harian"


def test_an_article_does_not_name_an_outlet_still_in_draft(client):
    outlet = OrganisationFactory(
        name="Unpublished Outlet",
        organisation_type=OrganisationType.NEWS_OUTLET,
        status=EditorialStatus.DRAFT,
    )
    ArticleFactory(outlet=outlet)

    for url in ("/feeds/articles.rss", "/feeds/articles.atom"):
        assert b"Unpublished Outlet" not in client.get(url).content


@pytest.mark.parametrize("url", ["/feeds/briefings.rss", "/feeds/articles.rss"])
def test_a_feed_holds_at_most_fifty_items(client, url):
    MeetingFactory.create_batch(FEED_LENGTH + 1)
    ArticleFactory.create_batch(FEED_LENGTH + 1)

    _, items = rss_items(client, url)

    assert len(items) == FEED_LENGTH


@pytest.mark.parametrize("url", FEEDS)
def test_a_feed_costs_the_same_queries_for_one_item_and_for_fifty(client, url):
    topic = TopicFactory()
    outlet = OrganisationFactory(organisation_type=OrganisationType.NEWS_OUTLET)

    def add(n):
        for meeting in MeetingFactory.create_batch(n):
            meeting.topics.add(topic)
        for article in ArticleFactory.create_batch(n, outlet=outlet):
            article.topics.add(topic)

    add(1)
    with_one = feed_queries(client, url)
    add(FEED_LENGTH - 1)
    with_fifty = feed_queries(client, url)

    # 1. the items (an article's outlet joined in, a meeting needs nothing more)
    # 2. the published topics of those items
    assert with_one == with_fifty == 2
