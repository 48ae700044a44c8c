"""Every attack string an editor, an import or a source could put in a record
reaches readers as text, wherever the record is published.

Each payload goes into every text field a reader sees at once (names, titles,
aliases, bodies, summaries, descriptions, notes, rationales, quotes, URLs,
outlet names); then every page kind, feed, the JSON-LD, the sitemap, the API
(JSON and browsable HTML) and the admin are fetched and parsed. A page passes
when the parser finds nothing the page did not put there itself, and finds each
field's text shown as text.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
import reversion
from django.urls import reverse

from briefings import markup
from briefings.models import OrganisationType
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
    UserFactory,
)

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "[x](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '"><script>alert(1)</script>',
    "</script><script>alert(1)</script>",
    "javascript:alert(1)",
    "<iframe src=//evil>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "{{ 7|add:1 }}",
    "{% debug %}",
]

# Found by search, and told apart from anything a page says by itself.
MARK = "xyzzy"

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "cite", "data", "poster"}
SCRIPT_SOURCES = ("/static/", "/admin/jsi18n/")
NEVER = {"iframe", "frame", "frameset", "object", "embed", "base", "applet"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    content: str = ""


class Scan(HTMLParser):
    """Every element, with its attributes, and the text a reader sees."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.text: list[str] = []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append(Element(tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self.lasttag in ("script", "style") and self.cdata_elem:
            self.elements[-1].content += data
        else:
            self.text.append(data)

    @property
    def visible(self) -> str:
        # Joined as they come: a <mark> inside a word must not split it.
        return " ".join("".join(self.text).split())

    def values(self) -> str:
        """Text and attribute values: what a form shows in its inputs."""
        values = [v for e in self.elements for v in e.attrs.values() if v]
        return self.visible + " " + " ".join(values)


def assert_inert(page: str, where: str) -> Scan:
    """No element or attribute the payload could have added."""
    scan = Scan(page)
    for element in scan.elements:
        tag, attrs = element.tag, element.attrs
        assert tag not in NEVER, f"{where}: <{tag} {attrs}>"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"{where}: <{tag} {name}={value!r}>"
            if name in URL_ATTRIBUTES and value:
                scheme = urlsplit(value.strip()).scheme.lower()
                assert scheme in ("", "http", "https", "mailto"), (
                    f"{where}: <{tag} {name}={value!r}>"
                )
        if tag == "script":
            if attrs.get("src"):
                # Our static files, and the admin's catalogue of translations.
                assert attrs["src"].startswith(SCRIPT_SOURCES), f"{where}: {attrs}"
                assert not element.content.strip(), f"{where}: {element.content!r}"
            else:
                # Data, never code: it must parse as JSON, all of it.
                assert attrs.get("type") in ("application/ld+json", "application/json")
                json.loads(element.content)
        if tag == "img":
            assert (attrs.get("src") or "").startswith("/static/"), f"{where}: {attrs}"
        if tag == "svg":
            # The site's own drawings carry a viewBox or xmlns or aria-hidden;
            # a payload's <svg>, stripped of its handler, would carry nothing.
            assert attrs, f"{where}: a bare <svg>"
    return scan


@dataclass
class World:
    payload: str
    records: dict = field(default_factory=dict)
    # (record, field) -> stored value
    values: dict[tuple[str, str], str] = field(default_factory=dict)

    def text(self, record: str, name: str) -> str:
        value = f"{self.payload} {MARK} {record} {name}"
        self.values[(record, name)] = value
        return value

    def url(self, record: str, name: str) -> str:
        self.values[(record, name)] = self.payload
        return self.payload

    def shown(self, record: str, name: str) -> str:
        """What a reader reads of the field: Markdown's words, or the text."""
        value = self.values[(record, name)]
        model = self.records[record]._meta.label_lower
        if markup.is_markdown(model, name):
            return markup.plain(value)
        return value


def build(payload: str) -> World:
    w = World(payload)
    r = w.records
    r["topic"] = TopicFactory(
        name=w.text("topic", "name"), description=w.text("topic", "description")
    )
    r["country"] = CountryFactory(
        name=w.text("country", "name"), description=w.text("country", "description")
    )
    r["outlet"] = OrganisationFactory(
        organisation_type=OrganisationType.NEWS_OUTLET,
        name=w.text("outlet", "name"),
        description=w.text("outlet", "description"),
    )
    r["person"] = PersonFactory(
        name=w.text("person", "name"),
        honorific=w.text("person", "honorific"),
        position=w.text("person", "position"),
        position_local=w.text("person", "position_local"),
        description=w.text("person", "description"),
        country=r["country"],
    )
    r["alias"] = AliasFactory(actor=r["person"], name=w.text("alias", "name"))
    r["meeting"] = MeetingFactory(
        name=w.text("meeting", "name"),
        short_name=w.text("meeting", "short_name"),
        name_local=w.text("meeting", "name_local"),
        series=w.text("meeting", "series"),
        date_note=w.text("meeting", "date_note"),
        venue=w.text("meeting", "venue"),
        city=w.text("meeting", "city"),
        summary=w.text("meeting", "summary"),
        country=r["country"],
    )
    r["meeting"].topics.add(r["topic"])
    r["participation"] = ParticipationFactory(
        meeting=r["meeting"], actor=r["person"], note=w.text("participation", "note")
    )
    body = w.text("article", "body") + ". Kerjasama diperkukuh."
    w.values[("article", "body")] = body
    r["article"] = ArticleFactory(
        title=w.text("article", "title"),
        outlet=r["outlet"],
        url=w.url("article", "url"),
        date_note=w.text("article", "date_note"),
        body=body,
        summary=w.text("article", "summary"),
    )
    r["article"].topics.add(r["topic"])
    r["article"].meetings.add(r["meeting"])
    r["article"].actors.add(r["person"])
    r["commitment"] = CommitmentFactory(
        title=w.text("commitment", "title"),
        statement=w.text("commitment", "statement"),
        summary=w.text("commitment", "summary"),
        deadline_note=w.text("commitment", "deadline_note"),
        meeting=r["meeting"],
        source_article=r["article"],
    )
    r["commitment"].actors.add(r["person"])
    r["commitment"].topics.add(r["topic"])
    r["assessment"] = AssessmentFactory(
        commitment=r["commitment"],
        actor=r["country"],
        rationale=w.text("assessment", "rationale"),
        evidence_url=w.url("assessment", "evidence_url"),
    )
    quote = body[: body.index(". ")]
    r["annotation"] = AnnotationFactory(
        article=r["article"],
        end=len(quote),
        quote=quote,
        note=w.text("annotation", "note"),
        commitment=r["commitment"],
    )
    w.values[("annotation", "quote")] = quote
    r["mention"] = MentionFactory(article=r["article"], end=len(payload))
    return w


# Which fields each page shows as text; the page must show each one whole.
DETAIL_FIELDS = {
    "meeting": [
        ("meeting", "name"),
        ("meeting", "name_local"),
        ("meeting", "venue"),
        ("meeting", "summary"),
        ("participation", "note"),
        ("person", "name"),
        ("commitment", "title"),
        ("commitment", "summary"),
        ("annotation", "quote"),
        ("annotation", "note"),
    ],
    "person": [
        ("person", "name"),
        ("person", "honorific"),
        ("person", "position"),
        ("person", "description"),
        ("alias", "name"),
        ("meeting", "name"),
        ("participation", "note"),
    ],
    "article": [
        ("article", "title"),
        ("article", "url"),
        # The body's first sentence, highlighted as the annotation's quote.
        ("annotation", "quote"),
        ("article", "summary"),
        ("outlet", "name"),
        ("annotation", "note"),
    ],
    "commitment": [
        ("commitment", "title"),
        ("commitment", "statement"),
        ("commitment", "summary"),
        ("commitment", "deadline_note"),
        ("assessment", "rationale"),
        ("assessment", "evidence_url"),
        ("annotation", "quote"),
    ],
    "topic": [("topic", "name"), ("topic", "description")],
    "country": [("country", "name"), ("country", "description")],
    "outlet": [("outlet", "name"), ("outlet", "description")],
}


def fetch(client, url: str, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return response.content.decode()


def public_pages(w: World) -> list[str]:
    r = w.records
    return [
        "/",
        "/meetings/",
        "/actors/",
        "/countries/",
        "/topics/",
        "/commitments/",
        "/articles/",
        "/timeline/",
        f"/search/?q={MARK}",
        *(r[name].get_absolute_url() for name in DETAIL_FIELDS),
    ]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_public_pages_show_every_field_as_text(client, payload):
    w = build(payload)
    r = w.records
    for url in public_pages(w):
        scan = assert_inert(fetch(client, url), url)
        # Every page names at least one record; it must read as written.
        assert f"{payload} {MARK}" in scan.visible or (
            markup.plain(f"{payload} {MARK}") in scan.visible
        ), url
    # The query is shown back to the reader, in the title and the result count.
    url = "/search/?" + urlencode({"q": payload})
    assert payload in assert_inert(fetch(client, url), url).visible
    for record, fields in DETAIL_FIELDS.items():
        url = r[record].get_absolute_url()
        scan = Scan(fetch(client, url))
        for shown in fields:
            assert " ".join(w.shown(*shown).split()) in scan.visible, (url, shown)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_meta_descriptions_are_the_plain_text_escaped_once(client, payload):
    w = build(payload)
    for record, name in [
        ("meeting", "summary"),
        ("article", "summary"),
        ("commitment", "summary"),
        ("person", "description"),
        ("topic", "description"),
    ]:
        url = w.records[record].get_absolute_url()
        scan = Scan(fetch(client, url))
        (meta,) = [
            e
            for e in scan.elements
            if e.tag == "meta" and e.attrs.get("name") == "description"
        ]
        # The parser unescapes once: what is left is what a reader reads.
        assert meta.attrs["content"] == w.shown(record, name), url


@pytest.mark.parametrize("payload", PAYLOADS)
def test_json_ld_parses_and_says_the_intended_text(client, payload):
    w = build(payload)
    r = w.records

    def blocks(record: str) -> list[dict]:
        page = fetch(client, r[record].get_absolute_url())
        scan = assert_inert(page, record)
        return [
            json.loads(e.content)
            for e in scan.elements
            if e.tag == "script" and e.attrs.get("type") == "application/ld+json"
        ]

    (event,) = blocks("meeting")
    assert event["name"] == w.values[("meeting", "name")]
    assert event["description"] == w.shown("meeting", "summary")
    assert w.values[("meeting", "short_name")] in event["alternateName"]
    assert event["location"]["name"] == w.values[("meeting", "venue")]

    (news,) = blocks("article")
    assert news["headline"] == w.values[("article", "title")]
    assert news["abstract"] == w.shown("article", "summary")
    assert news["publisher"]["name"] == w.values[("outlet", "name")]
    # Only an address a reader may follow is published as the source.
    assert news.get("isBasedOn") is None

    (person,) = blocks("person")
    assert person["name"] == w.values[("person", "name")]
    assert person["description"] == w.shown("person", "description")
    assert person["honorificPrefix"] == w.values[("person", "honorific")]
    assert person["alternateName"] == [w.values[("alias", "name")]]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_feeds_parse_and_carry_the_text_escaped_for_html(client, payload):
    w = build(payload)
    atom = "{http://www.w3.org/2005/Atom}"
    for url, record, title in [
        ("/feeds/briefings.rss", "meeting", "short_name"),
        ("/feeds/articles.rss", "article", "title"),
    ]:
        (item,) = ET.fromstring(fetch(client, url)).iter("item")
        assert item.findtext("title") == w.values[(record, title)]
        # RSS <description> is HTML to a reader: the summary's words, escaped.
        assert item.findtext("description") == escape(w.shown(record, "summary"))
    for url, record, title in [
        ("/feeds/briefings.atom", "meeting", "short_name"),
        ("/feeds/articles.atom", "article", "title"),
    ]:
        (entry,) = ET.fromstring(fetch(client, url)).iter(f"{atom}entry")
        assert entry.find(f"{atom}title").get("type") in (None, "text")
        assert entry.findtext(f"{atom}title") == w.values[(record, title)]
        summary = entry.find(f"{atom}summary")
        assert summary.get("type") == "html"
        assert summary.text == escape(w.shown(record, "summary"))
    assert (
        ET.fromstring(fetch(client, "/feeds/articles.atom"))
        .find(f"{atom}entry/{atom}author/{atom}name")
        .text
        == w.values[("outlet", "name")]
    )


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_sitemap_parses_and_lists_only_addresses_of_the_site(client, payload):
    w = build(payload)
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    index = ET.fromstring(fetch(client, "/sitemap.xml"))
    sections = [urlsplit(loc.text).path for loc in index.iter(f"{ns}loc")]
    assert sections
    locations = []
    for section in sections:
        tree = ET.fromstring(fetch(client, section))
        locations += [loc.text for loc in tree.iter(f"{ns}loc")]
    paths = {urlsplit(loc).path for loc in locations}
    assert w.records["meeting"].get_absolute_url() in paths
    assert len({urlsplit(loc).netloc for loc in locations}) == 1


def api_urls(w: World) -> list[str]:
    r = w.records
    return [
        *(
            f"/api/v1/{resource}/"
            for resource in (
                "topics",
                "actors",
                "meetings",
                "articles",
                "commitments",
                "assessments",
                "annotations",
                "mentions",
            )
        ),
        f"/api/v1/topics/{r['topic'].slug}/",
        f"/api/v1/actors/{r['person'].slug}/",
        f"/api/v1/actors/{r['outlet'].slug}/",
        f"/api/v1/meetings/{r['meeting'].slug}/",
        f"/api/v1/articles/{r['article'].slug}/",
        f"/api/v1/commitments/{r['commitment'].slug}/",
        f"/api/v1/assessments/{r['assessment'].pk}/",
        f"/api/v1/annotations/{r['annotation'].pk}/",
        f"/api/v1/mentions/{r['mention'].pk}/",
        f"/api/v1/search/?q={MARK}",
        "/api/v1/search/?" + urlencode({"q": w.payload}),
    ]


def strings(data, key: str = "") -> list[tuple[str, str]]:
    if isinstance(data, dict):
        return [pair for k, v in data.items() for pair in strings(v, k)]
    if isinstance(data, list):
        return [pair for item in data for pair in strings(item, key)]
    return [(key, data)] if isinstance(data, str) else []


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_api_returns_the_exact_stored_strings(client, payload):
    w = build(payload)
    stored = set(w.values.values())
    for url in api_urls(w):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/json", url
        found = strings(response.json())
        for key, value in found:
            if key == "snippet":
                # HTML by contract: escaped text and <mark>, nothing else.
                scan = assert_inert(value, url)
                assert {e.tag for e in scan.elements} <= {"mark"}, (url, value)
            elif MARK in value and key != "query":
                # Data: neither escaped, nor rendered, nor cut. A composed
                # string (a full name: honorific and name) is stored strings
                # joined by spaces, each whole.
                rest = value
                for whole in sorted(stored, key=len, reverse=True):
                    rest = rest.replace(whole, "")
                assert not rest.strip(), (url, key, value)
        assert any(value in stored for _, value in found), url
    detail = client.get(f"/api/v1/meetings/{w.records['meeting'].slug}/").json()
    assert detail["summary"] == w.values[("meeting", "summary")]
    article = client.get(f"/api/v1/articles/{w.records['article'].slug}/").json()
    assert article["source_url"] == payload


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_browsable_api_shows_every_string_as_text(client, payload):
    w = build(payload)
    r = w.records
    for url in [
        "/api/v1/meetings/",
        f"/api/v1/meetings/{r['meeting'].slug}/",
        f"/api/v1/articles/{r['article'].slug}/",
        f"/api/v1/actors/{r['person'].slug}/",
        f"/api/v1/search/?q={MARK}",
    ]:
        scan = assert_inert(fetch(client, url, HTTP_ACCEPT="text/html"), url)
        # The JSON is shown as text inside <pre>: the payload reads as stored,
        # within a JSON string (where only " and \ are escaped).
        shown = json.dumps(f"{payload} {MARK}", ensure_ascii=False)[1:-1]
        assert shown in scan.visible, url


ADMIN_RECORDS = {
    "topic": "topic",
    "actor": "person",
    "actoralias": "alias",
    "meeting": "meeting",
    "participation": "participation",
    "article": "article",
    "commitment": "commitment",
    "complianceassessment": "assessment",
    "annotation": "annotation",
    "mention": "mention",
}


def keep_history(w: World, user) -> None:
    """Two versions of each record that has a page of its own: as built, and
    after a second edit, so the history lists both and compares them."""
    for record in ("topic", "person", "meeting", "article", "commitment"):
        obj = w.records[record]
        with reversion.create_revision():
            reversion.set_user(user)
            reversion.set_comment(w.text(record, "comment"))
            obj.save()
        prose = "description" if record in ("topic", "person") else "summary"
        setattr(obj, prose, getattr(obj, prose) + "\n\nEdited.")
        with reversion.create_revision():
            reversion.set_user(user)
            reversion.set_comment(w.text(record, "edit"))
            obj.save()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_admin_shows_every_field_as_text(client, payload):
    w = build(payload)
    staff = UserFactory(
        username="admin", is_staff=True, is_superuser=True, first_name=payload
    )
    keep_history(w, staff)
    client.force_login(staff)
    for model, record in ADMIN_RECORDS.items():
        pk = w.records[record].pk
        for url in [
            reverse(f"admin:briefings_{model}_changelist"),
            reverse(f"admin:briefings_{model}_change", args=[pk]),
            reverse(f"admin:briefings_{model}_history", args=[pk]),
        ]:
            scan = assert_inert(fetch(client, url), url)
            assert payload in scan.values(), url
    # The search box shows the query back.
    url = (
        reverse("admin:briefings_meeting_changelist") + "?" + urlencode({"q": payload})
    )
    assert payload in assert_inert(fetch(client, url), url).values()
    for model, record in [("meeting", "meeting"), ("article", "article")]:
        history = reverse(
            f"admin:briefings_{model}_history", args=[w.records[record].pk]
        )
        scan = Scan(fetch(client, history))
        assert w.values[(record, "comment")] in scan.visible
        compare = [
            e.attrs["href"]
            for e in scan.elements
            if e.tag == "a" and "compare" in (e.attrs.get("href") or "")
        ]
        assert compare, history
        scan = assert_inert(fetch(client, compare[0]), compare[0])
        assert MARK in scan.visible
