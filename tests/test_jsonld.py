"""schema.org descriptions: only what the record says, safe inside a page."""

import json

import pytest

from briefings import jsonld
from briefings.models import MeetingState, ParticipationRole
from tests.factories import (
    AliasFactory,
    ArticleFactory,
    CountryFactory,
    MeetingFactory,
    OrganisationFactory,
    ParticipationFactory,
    PersonFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


def absolute(path: str) -> str:
    return f"https://serantau.example{path}"


def event_of(meeting, **kwargs):
    participations = list(meeting.participations.select_related("actor"))
    return jsonld.meeting_event(
        meeting,
        participations=participations,
        topics=kwargs.get("topics", []),
        absolute=absolute,
    )


def test_a_meeting_is_an_event_with_its_place_hosts_and_chairs():
    country = CountryFactory(name="Malaysia", iso_code="MY")
    meeting = MeetingFactory(
        name="ADMM Retreat",
        short_name="ADMM Retreat 2025",
        name_local="Sesi Permukiman",
        venue="Shangri-La Hotel",
        city="Penang",
        country=country,
        start="2025-02-26",
        end="2025-02-26",
    )
    ParticipationFactory(meeting=meeting, actor=country, role=ParticipationRole.HOST)
    ParticipationFactory(
        meeting=meeting,
        actor=PersonFactory(name="Mohamed Khaled Nordin"),
        role=ParticipationRole.CHAIR,
    )
    ParticipationFactory(meeting=meeting, role=ParticipationRole.PARTICIPANT)
    event = event_of(meeting, topics=[TopicFactory(name="Cybersecurity")])
    assert event["@context"] == "https://schema.org"
    assert event["@type"] == "Event"
    assert event["alternateName"] == ["ADMM Retreat 2025", "Sesi Permukiman"]
    assert event["startDate"] == event["endDate"] == "2025-02-26"
    assert event["eventStatus"] == "https://schema.org/EventScheduled"
    assert event["location"] == {
        "@type": "Place",
        "name": "Shangri-La Hotel",
        "address": {
            "@type": "PostalAddress",
            "addressLocality": "Penang",
            "addressCountry": "MY",
        },
    }
    assert [o["@type"] for o in event["organizer"]] == ["Country"]
    assert [p["name"] for p in event["performer"]] == ["Mohamed Khaled Nordin"]
    assert event["about"] == [{"@type": "Thing", "name": "Cybersecurity"}]
    assert event["url"] == absolute(meeting.get_absolute_url())


def test_an_event_gets_a_date_only_when_the_source_gives_a_year():
    assert "startDate" not in event_of(MeetingFactory(start="--12-04"))
    assert "startDate" not in event_of(MeetingFactory(start=""))
    assert event_of(MeetingFactory(start="2023-08"))["startDate"] == "2023-08"


def test_a_cancelled_meeting_is_a_cancelled_event():
    meeting = MeetingFactory(state=MeetingState.CANCELLED)
    assert event_of(meeting)["eventStatus"] == "https://schema.org/EventCancelled"


def test_an_article_is_a_news_article_based_on_its_source():
    article = ArticleFactory(
        title="Sesi Permukiman",
        outlet=OrganisationFactory(name="Bernama", organisation_type="news_outlet"),
        url="https://example.org/a",
        published="2025-02-26",
        summary="In English.",
    )
    data = jsonld.news_article(article, absolute=absolute)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Sesi Permukiman"
    assert data["datePublished"] == "2025-02-26"
    assert data["inLanguage"] == "ms"
    assert data["publisher"]["name"] == "Bernama"
    assert data["isBasedOn"] == "https://example.org/a"
    assert data["abstract"] == "In English."


def test_an_article_of_unknown_language_and_year_says_neither():
    article = ArticleFactory(language="und", published="--12-04", url="")
    data = jsonld.news_article(article, absolute=absolute)
    assert "inLanguage" not in data and "datePublished" not in data
    assert "isBasedOn" not in data and "publisher" not in data


def test_a_person_has_honorific_job_nationality_and_aliases():
    country = CountryFactory(name="Malaysia")
    person = PersonFactory(
        name="Mohamed Khaled Nordin",
        honorific="Dato' Seri",
        position="Minister of Defence",
        country=country,
        wikidata_id="Q123",
    )
    AliasFactory(actor=person, name="Mohamed Khaled")
    data = jsonld.actor(person, aliases=person.aliases.all(), absolute=absolute)
    assert data["@type"] == "Person"
    assert data["honorificPrefix"] == "Dato' Seri"
    assert data["jobTitle"] == "Minister of Defence"
    assert data["nationality"]["@type"] == "Country"
    assert data["nationality"]["name"] == "Malaysia"
    assert data["alternateName"] == ["Mohamed Khaled"]
    assert data["sameAs"] == "https://www.wikidata.org/wiki/Q123"


def test_an_organisation_names_its_parent_and_a_country_its_code():
    polri = OrganisationFactory(name="Polri")
    division = OrganisationFactory(name="Divhubinter", parent=polri)
    data = jsonld.actor(division, aliases=[], absolute=absolute)
    assert data["@type"] == "Organization"
    assert data["parentOrganization"]["name"] == "Polri"
    country = CountryFactory(iso_code="ID")
    assert jsonld.actor(country, aliases=[], absolute=absolute)["identifier"] == "ID"


def test_the_script_element_cannot_be_closed_by_the_data():
    script = jsonld.as_script({"name": "</script><script>alert('x') & more"})
    assert script.startswith('<script type="application/ld+json">')
    body = script.removeprefix('<script type="application/ld+json">')
    body = body.removesuffix("</script>")
    assert "<" not in body and ">" not in body and "&" not in body
    assert json.loads(body) == {"name": "</script><script>alert('x') & more"}
