"""sitemap.xml and robots.txt: what crawlers are offered, and what they are not."""

import xml.etree.ElementTree as ET
from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from briefings.models import EditorialStatus, Meeting
from tests.factories import (
    ArticleFactory,
    CommitmentFactory,
    CountryFactory,
    MeetingFactory,
    OrganisationFactory,
    PersonFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

LIST_PAGES = [
    "/",
    "/meetings/",
    "/commitments/",
    "/actors/",
    "/countries/",
    "/topics/",
    "/articles/",
    "/timeline/",
    "/search/",
]


def sitemap_pages(client) -> list[str]:
    """The paths of the sitemap pages /sitemap.xml lists, as a crawler reads it."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    index = ET.fromstring(response.content)
    assert index.tag == f"{SITEMAP}sitemapindex"
    locations = [entry.findtext(f"{SITEMAP}loc") for entry in index]
    assert all(loc.startswith("http://testserver/sitemap-") for loc in locations)
    return [loc.removeprefix("http://testserver") for loc in locations]


def sitemap_entries(client) -> dict[str, str | None]:
    """{path: lastmod} for every <url> of every page of the sitemap."""
    entries = {}
    for page in sitemap_pages(client):
        response = client.get(page)
        assert response.status_code == 200
        entries |= page_entries(ET.fromstring(response.content))
    return entries


def page_entries(urlset) -> dict[str, str | None]:
    entries = {}
    for url in urlset.findall(f"{SITEMAP}url"):
        location = url.findtext(f"{SITEMAP}loc")
        assert location.startswith("http://testserver/")
        entries[location.removeprefix("http://testserver")] = url.findtext(
            f"{SITEMAP}lastmod"
        )
    return entries


def one_of_each(status):
    article = ArticleFactory(status=status)
    return [
        MeetingFactory(status=status),
        article,
        PersonFactory(status=status),
        OrganisationFactory(status=status),
        CountryFactory(status=status),
        CommitmentFactory(status=status, source_article=article),
        TopicFactory(status=status),
    ]


def sitemap_queries(client, path="/sitemap.xml") -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_sitemap_is_xml_served_as_xml(client):
    response = client.get("/sitemap.xml")

    assert response["Content-Type"] == "application/xml"
    ET.fromstring(response.content)


def test_the_sitemap_lists_the_list_pages(client):
    assert set(LIST_PAGES) <= set(sitemap_entries(client))


def test_the_sitemap_lists_every_published_record_and_no_other(client):
    published = one_of_each(EditorialStatus.PUBLISHED)
    unpublished = one_of_each(EditorialStatus.DRAFT) + one_of_each(
        EditorialStatus.IN_REVIEW
    )

    entries = sitemap_entries(client)

    assert {record.get_absolute_url() for record in published} <= set(entries)
    assert not {record.get_absolute_url() for record in unpublished} & set(entries)
    assert len(entries) == len(LIST_PAGES) + len(published)


def test_a_country_is_listed_at_its_country_page(client):
    country = CountryFactory(slug="malaysia")

    entries = sitemap_entries(client)

    assert "/countries/malaysia/" in entries
    assert "/actors/malaysia/" not in entries
    assert country.get_absolute_url() == "/countries/malaysia/"


def test_a_record_is_last_modified_when_it_last_changed(client):
    meeting = MeetingFactory(slug="admm-retreat-2025")
    Meeting.objects.filter(pk=meeting.pk).update(
        updated_at=datetime.fromisoformat("2025-03-01T10:00:00+00:00")
    )

    assert sitemap_entries(client)["/meetings/admm-retreat-2025/"] == "2025-03-01"


def test_the_sitemap_costs_the_same_queries_for_one_record_and_for_many(client):
    one_of_each(EditorialStatus.PUBLISHED)
    with_one = sitemap_queries(client)
    for _ in range(20):
        one_of_each(EditorialStatus.PUBLISHED)
    with_many = sitemap_queries(client)

    # For each of meetings, commitments, articles, people and organisations,
    # countries and topics: a count (how many pages), then the latest change.
    assert with_one == with_many == 12
    # A page of one section: a count, then its records.
    assert sitemap_queries(client, "/sitemap-articles.xml") == 2


def test_a_large_section_is_split_into_pages_the_index_lists(client, monkeypatch):
    from briefings.sitemaps import ArticleSitemap

    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    published = [ArticleFactory(status=EditorialStatus.PUBLISHED) for _ in range(5)]

    pages = [p for p in sitemap_pages(client) if p.startswith("/sitemap-articles")]
    entries = {}
    for page in pages:
        entries |= page_entries(ET.fromstring(client.get(page).content))

    assert pages == [
        "/sitemap-articles.xml",
        "/sitemap-articles.xml?p=2",
        "/sitemap-articles.xml?p=3",
    ]
    assert set(entries) == {article.get_absolute_url() for article in published}


def test_the_index_gives_each_section_its_latest_change(client):
    meeting = MeetingFactory(status=EditorialStatus.PUBLISHED)
    Meeting.objects.filter(pk=meeting.pk).update(
        updated_at=datetime.fromisoformat("2025-03-01T10:00:00+00:00")
    )
    index = ET.fromstring(client.get("/sitemap.xml").content)
    lastmod = {
        entry.findtext(f"{SITEMAP}loc"): entry.findtext(f"{SITEMAP}lastmod")
        for entry in index
    }
    assert lastmod["http://testserver/sitemap-meetings.xml"].startswith("2025-03-01")


def test_robots_txt_is_plain_text(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")


def test_robots_txt_points_at_the_sitemap_on_the_host_that_was_asked(client):
    lines = client.get("/robots.txt", HTTP_HOST="localhost").content.decode()

    assert "Sitemap: http://localhost/sitemap.xml" in lines.splitlines()


def test_robots_txt_gives_the_https_sitemap_to_a_secure_request(client):
    lines = client.get("/robots.txt", secure=True).content.decode().splitlines()

    assert "Sitemap: https://testserver/sitemap.xml" in lines


def test_robots_txt_keeps_crawlers_out_of_the_admin_and_search_results(client):
    lines = client.get("/robots.txt").content.decode().splitlines()

    assert "User-agent: *" in lines
    assert "Allow: /" in lines
    assert "Disallow: /admin/" in lines
    # The empty search form stays crawlable (the sitemap lists it); results do not.
    assert "Disallow: /search/?" in lines
    assert "Disallow: /search/" not in lines
