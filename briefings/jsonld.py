"""schema.org descriptions of the public records, as JSON-LD.

The builders take records the page has already fetched (and concealed: a
hidden country or outlet is None by now), so they run no query of their own.
Dates go in only when the source gives a year: a "--12-04" meeting has no
`startDate` rather than an invented one. Summaries and descriptions go in as the
plain text of the editor's Markdown: schema.org text, not markup.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from briefings import markup
from briefings.dates import PartialDate
from briefings.models import (
    Actor,
    ActorKind,
    Article,
    Language,
    Meeting,
    MeetingState,
    Participation,
    ParticipationRole,
)

CONTEXT = "https://schema.org"

# The characters that could close the <script> element or open a comment in
# HTML; the same escapes as django.utils.html.json_script.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}

Absolute = Callable[[str], str]


def as_script(data: dict[str, Any]) -> SafeString:
    """A <script type="application/ld+json"> element, safe to put in a page."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(_SCRIPT_ESCAPES)),
    )


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    """Leave out what the record does not say, rather than publish blanks."""
    return {key: value for key, value in data.items() if value not in ("", None, [])}


def iso_date(value: str) -> str | None:
    """The ISO form of a partial date when it has a year; None otherwise."""
    if not value:
        return None
    date = value if isinstance(value, PartialDate) else PartialDate(value)
    return str(date) if date.year is not None else None


def _language(code: str) -> str | None:
    return code if code and code != Language.OTHER else None


def _wikidata(actor: Actor) -> str | None:
    if actor.wikidata_id:
        return f"https://www.wikidata.org/wiki/{actor.wikidata_id}"
    return None


def actor_reference(actor: Actor, absolute: Absolute) -> dict[str, Any]:
    """A short reference to an actor, as the object of another record."""
    kind = {
        ActorKind.PERSON: "Person",
        ActorKind.COUNTRY: "Country",
        ActorKind.ORGANISATION: "Organization",
    }[actor.kind]
    return _compact(
        {"@type": kind, "name": actor.name, "url": absolute(actor.get_absolute_url())}
    )


def meeting_event(
    meeting: Meeting,
    *,
    participations: Iterable[Participation],
    topics: Iterable,
    absolute: Absolute,
) -> dict[str, Any]:
    hosts, chairs = [], []
    for participation in participations:
        if participation.role == ParticipationRole.HOST:
            hosts.append(actor_reference(participation.actor, absolute))
        elif participation.role in (
            ParticipationRole.CHAIR,
            ParticipationRole.CO_CHAIR,
        ):
            chairs.append(actor_reference(participation.actor, absolute))
    country = meeting.country
    address = _compact(
        {
            "@type": "PostalAddress",
            "addressLocality": meeting.city,
            "addressCountry": (country.iso_code or country.name) if country else None,
        }
    )
    location = None
    if meeting.venue or meeting.city or country:
        location = _compact(
            {
                "@type": "Place",
                "name": meeting.venue or meeting.city or (country and country.name),
                "address": address if len(address) > 1 else None,
            }
        )
    status = (
        "https://schema.org/EventCancelled"
        if meeting.state == MeetingState.CANCELLED
        else "https://schema.org/EventScheduled"
    )
    alternate = [name for name in (meeting.short_name, meeting.name_local) if name]
    return _compact(
        {
            "@context": CONTEXT,
            "@type": "Event",
            "name": meeting.name,
            "alternateName": alternate,
            "startDate": iso_date(meeting.start),
            "endDate": iso_date(meeting.end),
            "eventStatus": status,
            "location": location,
            "organizer": hosts,
            "performer": chairs,
            "about": [{"@type": "Thing", "name": topic.name} for topic in topics],
            "description": markup.plain(meeting.summary),
            "url": absolute(meeting.get_absolute_url()),
        }
    )


def news_article(article: Article, *, absolute: Absolute) -> dict[str, Any]:
    outlet = article.outlet
    publisher = None
    if outlet is not None:
        publisher = _compact(
            {
                "@type": "Organization",
                "name": outlet.name,
                "url": absolute(outlet.get_absolute_url()),
            }
        )
    return _compact(
        {
            "@context": CONTEXT,
            "@type": "NewsArticle",
            "headline": article.title,
            "datePublished": iso_date(article.published),
            "inLanguage": _language(article.language),
            "publisher": publisher,
            "isBasedOn": markup.web_url(article.url),
            "abstract": markup.plain(article.summary),
            "url": absolute(article.get_absolute_url()),
        }
    )


def actor(actor: Actor, *, aliases: Iterable, absolute: Absolute) -> dict[str, Any]:
    """Person, Organization or Country, whichever the actor is."""
    common = {
        "@context": CONTEXT,
        "name": actor.name,
        "alternateName": [alias.name for alias in aliases if alias.name != actor.name],
        "description": markup.plain(actor.description),
        "sameAs": _wikidata(actor),
        "url": absolute(actor.get_absolute_url()),
    }
    if actor.kind == ActorKind.PERSON:
        country = actor.country
        return _compact(
            {
                "@type": "Person",
                **common,
                "honorificPrefix": actor.honorific,
                "jobTitle": actor.position,
                "nationality": (
                    actor_reference(country, absolute) if country is not None else None
                ),
            }
        )
    if actor.kind == ActorKind.COUNTRY:
        return _compact({"@type": "Country", **common, "identifier": actor.iso_code})
    parent = actor.parent
    return _compact(
        {
            "@type": "Organization",
            **common,
            "parentOrganization": (
                actor_reference(parent, absolute) if parent is not None else None
            ),
        }
    )
