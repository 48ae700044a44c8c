"""The page and API cache (briefings/cache.py).

An anonymous reader's second request is served from the cache without touching
the database; every change to a record it shows, by whatever door, is on the
next request; nothing rendered for staff is ever kept or served to anybody
else; and a page in one language or format is never served for another.

Writes run inside `committed()`: the cache is told after the commit, and the
test's own transaction never commits, so its commit callbacks are run by hand.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import suppress

import pytest
import redis
import tablib
from django.contrib import messages
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.test import Client
from django.urls import path, reverse
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle
from reversion.models import Version

import briefings.cache
import briefings.urls
from briefings.cache import GENERATION_KEY, public_page
from briefings.models import AnchorState, EditorialStatus, Meeting
from briefings.resources import TopicResource
from briefings.services import (
    annotations_confirm_anchors,
    mentions_accept_proposals,
    record_delete,
    record_save,
    record_transition,
)
from tests.api.conftest import client_with_token, if_match
from tests.factories import (
    AliasFactory,
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

pytestmark = pytest.mark.django_db

DRAFT = EditorialStatus.DRAFT
BANNER = "Draft — not public"


@pytest.fixture(autouse=True)
def caching(settings) -> Iterator[None]:
    """The cache on, in a memory cache of this test's own: the default one
    outlives a test (and the same URL names other records in the next), and
    may be Redis, whose clear() would empty other programs' keys too."""
    settings.CACHE_SECONDS = 300
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-cache-{uuid.uuid4().hex}",
        }
    }
    local = caches["default"]
    yield
    local.clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the commit callbacks of the writes inside, as a commit would.

    What the test wrote before is taken as committed first: a transaction
    bumps the cache once, so a bump still waiting from the fixtures' writes
    would otherwise stand for the writes inside too.
    """

    def block():
        for _savepoints, callback, _robust in connection.run_on_commit:
            if getattr(callback, "pending_bump", False):
                callback()
        return django_capture_on_commit_callbacks(execute=True)

    return block


@pytest.fixture
def briefing() -> dict:
    """A published meeting and everything its pages link to."""
    country = CountryFactory(name="Malaysia", slug="malaysia")
    minister = PersonFactory(name="Mohamed Khaled Nordin", country=country)
    topic = TopicFactory(name="Counter-terrorism", slug="counter-terrorism")
    article = ArticleFactory(title="Mesyuarat ADMM Retreat", slug="admm-retreat")
    meeting = MeetingFactory(
        name="ADMM Retreat 2025", slug="admm-retreat-2025", country=country
    )
    meeting.topics.add(topic)
    meeting.articles.add(article)
    ParticipationFactory(meeting=meeting, actor=minister)
    commitment = CommitmentFactory(
        title="Joint patrols", slug="joint-patrols", meeting=meeting
    )
    commitment.actors.add(country)
    AssessmentFactory(commitment=commitment, actor=country, assessed_on="2025-03-10")
    annotation = AnnotationFactory(article=article, meeting=meeting)
    mention = MentionFactory(article=article)
    # Published, and on no page of the meeting's yet.
    spare_topic = TopicFactory(name="Maritime security", slug="maritime-security")
    return {
        "spare_topic": spare_topic,
        "country": country,
        "minister": minister,
        "topic": topic,
        "article": article,
        "meeting": meeting,
        "commitment": commitment,
        "annotation": annotation,
        "mention": mention,
    }


# Every public page by its URL name, with the corpus's arguments.
PAGES = {
    "home": "/",
    "meeting-list": "/meetings/",
    "meeting-detail": "/meetings/admm-retreat-2025/",
    "actor-list": "/actors/",
    "actor-detail": "/actors/{minister.slug}/",
    "country-list": "/countries/",
    "country-detail": "/countries/malaysia/",
    "topic-list": "/topics/",
    "topic-detail": "/topics/counter-terrorism/",
    "commitment-tracker": "/commitments/?standing=announced",
    "commitment-detail": "/commitments/joint-patrols/",
    "article-list": "/articles/",
    "article-detail": "/articles/admm-retreat/",
    "search": "/search/?q=Retreat",
    "timeline": "/timeline/",
    "feed-briefings-rss": "/feeds/briefings.rss",
    "feed-briefings-atom": "/feeds/briefings.atom",
    "feed-articles-rss": "/feeds/articles.rss",
    "feed-articles-atom": "/feeds/articles.atom",
    "sitemap": "/sitemap.xml",
    "sitemap-section": "/sitemap-meetings.xml",
    "robots": "/robots.txt",
}

API = [
    "/api/v1/meetings/",
    "/api/v1/meetings/admm-retreat-2025/",
    "/api/v1/articles/?language=ms",
    "/api/v1/articles/admm-retreat/",
    "/api/v1/actors/",
    "/api/v1/actors/malaysia/",
    "/api/v1/commitments/",
    "/api/v1/commitments/joint-patrols/",
    "/api/v1/topics/",
    "/api/v1/topics/counter-terrorism/",
    "/api/v1/assessments/",
    "/api/v1/annotations/",
    "/api/v1/mentions/",
]


def url_of(name: str, briefing: dict) -> str:
    return PAGES[name].format(**briefing)


def test_every_public_page_is_listed_here():
    """A new page in briefings/urls.py gets its row in PAGES, and so its test."""
    assert {pattern.name for pattern in briefings.urls.urlpatterns} == set(PAGES)


# Hits ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_a_second_anonymous_page_request_runs_no_queries(
    client, briefing, name, django_assert_num_queries
):
    url = url_of(name, briefing)
    first = client.get(url)
    assert first.status_code == 200
    assert first["X-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


@pytest.mark.parametrize("url", API)
def test_a_second_anonymous_api_request_runs_no_queries(
    briefing, url, django_assert_num_queries
):
    client = APIClient()
    first = client.get(url)
    assert first.status_code == 200
    assert first["X-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second["X-Cache"] == "hit"
    assert second.json() == first.json()


def test_a_head_request_fills_the_entry_a_get_is_served(client, briefing):
    url = url_of("meeting-detail", briefing)
    head = client.head(url)
    assert (head.status_code, head["X-Cache"]) == (200, "miss")
    get = client.get(url)
    assert get["X-Cache"] == "hit"
    assert "ADMM Retreat 2025" in get.content.decode()
    assert client.head(url)["X-Cache"] == "hit"


def test_with_caching_off_every_request_renders(client, briefing, settings):
    settings.CACHE_SECONDS = 0
    url = url_of("meeting-detail", briefing)
    client.get(url)
    response = client.get(url)
    assert "X-Cache" not in response
    assert "ADMM Retreat 2025" in response.content.decode()


def test_a_missing_page_is_not_kept(client, briefing):
    client.get("/meetings/not-yet/")
    MeetingFactory(slug="not-yet", name="Announced later")
    response = client.get("/meetings/not-yet/")
    assert response.status_code == 200
    assert "Announced later" in response.content.decode()


# Changes ---------------------------------------------------------------------------


def warm(*urls: str) -> None:
    """Fill the cache as an anonymous reader would, and check it is filled."""
    for url in urls:
        reader = APIClient() if url.startswith("/api/") else Client()
        reader.get(url)
        assert reader.get(url)["X-Cache"] == "hit", url


def read(url: str):
    reader = APIClient() if url.startswith("/api/") else Client()
    return reader.get(url)


MEETING_URLS = [
    "/meetings/admm-retreat-2025/",
    "/meetings/",
    "/",
    "/api/v1/meetings/",
    "/api/v1/meetings/admm-retreat-2025/",
]


def test_a_change_through_a_service_is_on_the_next_request(
    briefing, publisher, committed
):
    warm(*MEETING_URLS)
    meeting = briefing["meeting"]
    meeting.name = "ADMM Retreat 2025 (Penang)"
    with committed():
        record_save(instance=meeting, user=publisher)
    for url in MEETING_URLS:
        response = read(url)
        assert response["X-Cache"] == "miss", url
        assert "ADMM Retreat 2025 (Penang)" in response.content.decode(), url


def test_a_change_through_the_api_is_on_the_next_request(
    briefing, publisher, committed
):
    warm(*MEETING_URLS)
    with committed():
        response = client_with_token(publisher).patch(
            "/api/v1/meetings/admm-retreat-2025/",
            {"name": "ADMM Retreat 2025 (Penang)"},
            format="json",
            **if_match(Meeting.objects.get(slug="admm-retreat-2025")),
        )
    assert response.status_code == 200
    for url in MEETING_URLS:
        assert "ADMM Retreat 2025 (Penang)" in read(url).content.decode(), url


def test_a_change_through_a_spreadsheet_import_is_on_the_next_request(
    briefing, publisher, committed
):
    url = url_of("topic-detail", briefing)
    warm(url, "/api/v1/topics/")
    dataset = tablib.Dataset().load(
        "slug,name\ncounter-terrorism,Counter-terrorism and extremism\n",
        format="csv",
    )
    with committed():
        result = TopicResource().import_data(
            dataset, user=publisher, file_name="topics.csv"
        )
    assert not result.has_errors() and not result.has_validation_errors()
    for reader_url in (url, "/api/v1/topics/"):
        assert "Counter-terrorism and extremism" in read(reader_url).content.decode()


def test_reverting_a_record_through_its_history_is_on_the_next_request(
    briefing, publisher, committed
):
    meeting = briefing["meeting"]
    with committed():
        record_save(instance=meeting, user=publisher)
        meeting.name = "A name reverted later"
        record_save(instance=meeting, user=publisher)
    url = url_of("meeting-detail", briefing)
    warm(url)
    assert "A name reverted later" in read(url).content.decode()
    earlier = Version.objects.get_for_object(meeting)[1]
    with committed():
        earlier.revision.revert()
    page = read(url).content.decode()
    assert "A name reverted later" not in page
    assert "ADMM Retreat 2025" in page


def add_topic(briefing: dict) -> None:
    briefing["meeting"].topics.add(briefing["spare_topic"])


def add_participant(briefing: dict) -> None:
    ParticipationFactory(
        meeting=briefing["meeting"], actor=PersonFactory(name="Maritime security")
    )


def rename_country(briefing: dict) -> None:
    country = briefing["country"]
    country.name = "Maritime security"
    country.save()


@pytest.mark.parametrize(
    "change",
    [add_topic, add_participant, rename_country],
    ids=["a link added", "a participant added", "a linked record renamed"],
)
def test_a_change_to_what_a_page_shows_is_on_the_next_request(
    briefing, change, committed
):
    url = url_of("meeting-detail", briefing)
    warm(url)
    with committed():
        change(briefing)
    assert "Maritime security" in read(url).content.decode()


def test_a_removed_participant_is_gone_on_the_next_request(briefing, committed):
    url = url_of("meeting-detail", briefing)
    warm(url)
    with committed():
        briefing["meeting"].participations.get().delete()
    assert "Mohamed Khaled Nordin" not in read(url).content.decode()


def test_an_alias_added_inline_is_on_the_next_request(briefing, committed):
    url = url_of("actor-detail", briefing)
    warm(url, "/api/v1/actors/")
    with committed():
        AliasFactory(actor=briefing["minister"], name="Tok Mat")
    assert "Tok Mat" in read(url).content.decode()
    assert "Tok Mat" in read("/api/v1/actors/").content.decode()


def test_confirming_fuzzy_anchors_in_bulk_is_on_the_next_request(
    briefing, editor, committed
):
    annotation = briefing["annotation"]
    annotation.anchor_state = AnchorState.FUZZY
    annotation.save()
    warm("/api/v1/annotations/")
    assert read("/api/v1/annotations/").json()["results"][0]["anchor_state"] == "fuzzy"
    with committed():
        annotations_confirm_anchors(annotations=[annotation], user=editor)
    [row] = read("/api/v1/annotations/").json()["results"]
    assert row["anchor_state"] == "anchored"


def test_accepting_proposed_mentions_in_bulk_is_on_the_next_request(
    briefing, editor, committed
):
    mention = briefing["mention"]
    mention.proposed_actor = briefing["minister"]
    mention.save()
    warm("/api/v1/mentions/")
    with committed():
        mentions_accept_proposals(mentions=[mention], user=editor)
    [row] = read("/api/v1/mentions/").json()["results"]
    assert row["actor"] == briefing["minister"].slug


def test_a_lost_generation_renders_afresh(client, briefing):
    """A cache restart or eviction that loses the generation starts a new one,
    under which nothing was stored: even a change that told nobody shows."""
    url = url_of("meeting-detail", briefing)
    warm(url)
    cache.delete(GENERATION_KEY)
    Meeting.objects.filter(pk=briefing["meeting"].pk).update(name="Renamed quietly")
    response = client.get(url)
    assert response["X-Cache"] == "miss"
    assert "Renamed quietly" in response.content.decode()


def test_with_the_cache_unreachable_pages_render_and_edits_save(
    client, briefing, publisher, settings, committed, caplog
):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            # Nothing listens on port 1.
            "LOCATION": "redis://127.0.0.1:1",
        }
    }
    url = url_of("meeting-detail", briefing)
    response = client.get(url)
    assert response.status_code == 200
    assert "X-Cache" not in response
    meeting = briefing["meeting"]
    meeting.name = "Renamed while the cache was down"
    with committed():
        record_save(instance=meeting, user=publisher)
    assert Meeting.objects.get(pk=meeting.pk).name == meeting.name
    assert "Could not invalidate the page cache" in caplog.text
    assert meeting.name in client.get(url).content.decode()


# Unpublishing ----------------------------------------------------------------------


def withdraw_through_the_service(meeting: Meeting, publisher) -> None:
    record_transition(instance=meeting, user=publisher, to_status=DRAFT)


def withdraw_through_the_admin(meeting: Meeting, publisher) -> None:
    desk = Client()
    desk.force_login(publisher)
    response = desk.post(
        reverse("admin:briefings_meeting_changelist"),
        {"action": "withdraw", "_selected_action": [meeting.pk]},
    )
    assert response.status_code == 302


def delete_through_the_api(meeting: Meeting, publisher) -> None:
    response = client_with_token(publisher).delete(
        f"/api/v1/meetings/{meeting.slug}/", **if_match(meeting)
    )
    assert response.status_code == 204


@pytest.mark.parametrize(
    "withdraw",
    [withdraw_through_the_service, withdraw_through_the_admin, delete_through_the_api],
    ids=["service", "admin", "api delete"],
)
def test_a_withdrawn_meeting_is_gone_from_the_next_anonymous_request(
    briefing, publisher, withdraw, committed
):
    meeting = briefing["meeting"]
    # The commitment keeps the meeting from being deleted; it is not the subject.
    record_delete(instance=briefing["commitment"], user=publisher)
    lists = [
        "/",
        "/meetings/",
        "/timeline/",
        "/feeds/briefings.rss",
        "/feeds/briefings.atom",
        "/sitemap-meetings.xml",
        "/countries/malaysia/",
        "/topics/counter-terrorism/",
        "/search/?q=Retreat",
        "/api/v1/meetings/",
    ]
    warm("/meetings/admm-retreat-2025/", "/api/v1/meetings/admm-retreat-2025/", *lists)
    assert all("admm-retreat-2025" in read(url).content.decode() for url in lists)
    with committed():
        withdraw(meeting, publisher)
    assert read("/meetings/admm-retreat-2025/").status_code == 404
    assert read("/api/v1/meetings/admm-retreat-2025/").status_code == 404
    for url in lists:
        response = read(url)
        assert response.status_code == 200, url
        assert "admm-retreat-2025" not in response.content.decode(), url


# Staff -----------------------------------------------------------------------------


def test_a_staff_preview_of_a_draft_is_never_kept(editor):
    MeetingFactory(name="SECRET-DRAFT meeting", slug="secret-draft", status=DRAFT)
    desk = Client()
    desk.force_login(editor)
    for _ in range(2):
        preview = desk.get("/meetings/secret-draft/")
        assert preview.status_code == 200
        assert BANNER in preview.content.decode()
        assert "X-Cache" not in preview
    for _ in range(2):
        assert Client().get("/meetings/secret-draft/").status_code == 404
    listing = Client().get("/meetings/").content.decode()
    assert "SECRET-DRAFT" not in listing


def test_staff_and_anonymous_readers_never_get_each_others_copy(briefing, editor):
    """A published page linking to a draft: staff see the link, readers do not,
    in whichever order they come."""
    country = briefing["country"]
    country.status = DRAFT
    country.name = "SECRET-DRAFT country"
    country.save()
    url = url_of("meeting-detail", briefing)
    desk = Client()
    desk.force_login(editor)
    assert "SECRET-DRAFT" in desk.get(url).content.decode()
    first = Client().get(url)
    assert first["X-Cache"] == "miss"
    assert "SECRET-DRAFT" not in first.content.decode()
    assert "SECRET-DRAFT" in desk.get(url).content.decode()
    second = Client().get(url)
    assert second["X-Cache"] == "hit"
    assert "SECRET-DRAFT" not in second.content.decode()


def test_the_api_never_keeps_drafts_an_editor_lists(briefing, editor):
    MeetingFactory(name="SECRET-DRAFT meeting", slug="secret-draft", status=DRAFT)
    editor_client = client_with_token(editor)
    assert "secret-draft" in editor_client.get("/api/v1/meetings/").content.decode()
    for expected in ("miss", "hit"):
        response = APIClient().get("/api/v1/meetings/")
        assert response["X-Cache"] == expected
        assert "secret-draft" not in response.content.decode()
    staff_again = editor_client.get("/api/v1/meetings/")
    assert "X-Cache" not in staff_again
    assert "secret-draft" in staff_again.content.decode()


# Variations ------------------------------------------------------------------------


def test_a_page_in_one_language_is_never_served_in_another(briefing):
    url = url_of("commitment-detail", briefing)
    for _round in range(2):
        indonesian = Client().get(url, headers={"accept-language": "id"})
        english = Client().get(url, headers={"accept-language": "en"})
        assert "10 Maret 2025" in indonesian.content.decode()
        assert "10 March 2025" in english.content.decode()
        assert indonesian["Content-Language"] == "id"
        assert english["Content-Language"] == "en"
    assert (indonesian["X-Cache"], english["X-Cache"]) == ("hit", "hit")


def test_the_api_answers_in_the_format_asked_for(briefing):
    url = "/api/v1/meetings/"
    for _round in range(2):
        as_json = APIClient().get(url, headers={"accept": "application/json"})
        as_html = APIClient().get(url, headers={"accept": "text/html"})
        assert as_json["Content-Type"] == "application/json"
        assert as_json.json()["results"][0]["slug"] == "admm-retreat-2025"
        assert as_html["Content-Type"].startswith("text/html")
        assert "<html" in as_html.content.decode()
    assert (as_json["X-Cache"], as_html["X-Cache"]) == ("hit", "hit")


def test_throttling_counts_requests_served_from_the_cache(briefing, monkeypatch):
    monkeypatch.setattr(
        AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/min", "user": "600/min"}
    )
    client = APIClient()
    assert client.get("/api/v1/topics/")["X-Cache"] == "miss"
    assert client.get("/api/v1/topics/")["X-Cache"] == "hit"
    assert client.get("/api/v1/topics/").status_code == 429


# What is never kept ----------------------------------------------------------------


def sets_a_cookie(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(f"cookie {uuid.uuid4()}")
    response.set_cookie("seen", "yes")
    return response


def uses_a_csrf_token(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"token {get_token(request)}")


def says_no_store(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(f"private {uuid.uuid4()}")
    response["Cache-Control"] = "private"
    return response


def shows_messages(request: HttpRequest) -> HttpResponse:
    shown = [str(message) for message in messages.get_messages(request)]
    return HttpResponse("messages: " + (", ".join(shown) or "none"))


def leaves_a_message(request: HttpRequest) -> HttpResponse:
    messages.info(request, "You have signed out.")
    return redirect("/messages/")


urlpatterns = [
    path("cookie/", public_page(sets_a_cookie)),
    path("csrf/", public_page(uses_a_csrf_token)),
    path("private/", public_page(says_no_store)),
    path("messages/", public_page(shows_messages)),
    path("leave/", leaves_a_message),
]


@pytest.mark.urls("tests.test_cache")
@pytest.mark.parametrize("url", ["/cookie/", "/csrf/", "/private/"])
def test_a_response_meant_for_one_reader_is_not_kept(url):
    first = Client().get(url)
    second = Client().get(url)
    assert second["X-Cache"] == "miss"
    assert second.content != first.content


@pytest.mark.urls("tests.test_cache")
def test_a_reader_with_a_message_waiting_gets_it_and_nobody_else_does():
    assert Client().get("/messages/").content == b"messages: none"
    reader = Client()
    shown = reader.get("/leave/", follow=True)
    assert shown.content == b"messages: You have signed out."
    assert "X-Cache" not in shown
    other = Client().get("/messages/")
    assert (other["X-Cache"], other.content) == ("hit", b"messages: none")


# Configuration ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"CACHE_SECONDS": "-1", "REDIS_URL": "redis://x"}, "at least 0"),
        ({"CACHE_SECONDS": "5m", "REDIS_URL": "redis://x"}, "whole number"),
    ],
)
def test_settings_refuse_a_page_cache_they_cannot_keep_right(environment, message):
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL",)}
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        env={**env, **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert message in result.stderr


def test_without_redis_every_process_on_the_machine_shares_one_cache(tmp_path):
    """Two gunicorn workers, or a web process and the task worker: what one
    puts in the cache (an import preview, the page generation, job progress)
    the other reads."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL",)}
    env |= {"CACHE_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings"}
    program = (
        "import django, sys; django.setup(); from django.core.cache import cache; "
        "cache.set('shared', 'from the first') if sys.argv[1] == 'set' "
        "else print(cache.get('shared'))"
    )
    for step in ("set", "get"):
        result = subprocess.run(
            [sys.executable, "-c", program, step],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "from the first"


# Two app servers on one Redis ------------------------------------------------------

REDIS_URL = "redis://127.0.0.1:6379"


@pytest.fixture
def app_servers(settings) -> Iterator[tuple[RedisCache, RedisCache]]:
    """Two cache clients built separately, as two app servers build theirs, on
    the real Redis, under a prefix of this test's own."""
    probe = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        probe.ping()
    except redis.RedisError as error:
        reason = f"Redis is not reachable at {REDIS_URL} ({error})"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI is set, so it must be running.")
        pytest.skip(f"{reason}; set CI to make this a failure.")
    prefix = f"serantau-test-{uuid.uuid4().hex}"
    location = {"LOCATION": REDIS_URL, "KEY_PREFIX": prefix}
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"} | location
    }
    servers = (
        RedisCache(REDIS_URL, {"KEY_PREFIX": prefix}),
        RedisCache(REDIS_URL, {"KEY_PREFIX": prefix}),
    )
    try:
        yield servers
    finally:
        # Not clear(): that would empty the whole Redis database.
        keys = list(probe.scan_iter(match=f"{prefix}:*"))
        if keys:
            probe.delete(*keys)
        probe.close()


class TestTwoAppServersOnRedis:
    def on(self, monkeypatch, server: RedisCache) -> None:
        """The requests and writes that follow run on this app server."""
        monkeypatch.setattr(briefings.cache, "backend", lambda: server)

    def test_one_servers_page_is_served_by_the_other(
        self, app_servers, briefing, monkeypatch, django_assert_num_queries
    ):
        first, second = app_servers
        url = url_of("meeting-detail", briefing)
        self.on(monkeypatch, first)
        assert Client().get(url)["X-Cache"] == "miss"
        self.on(monkeypatch, second)
        with django_assert_num_queries(0):
            response = Client().get(url)
        assert response["X-Cache"] == "hit"
        assert "ADMM Retreat 2025" in response.content.decode()

    def test_a_change_on_one_server_reaches_the_other(
        self, app_servers, briefing, publisher, monkeypatch, committed
    ):
        first, second = app_servers
        meeting = briefing["meeting"]
        urls = ["/meetings/admm-retreat-2025/", "/api/v1/meetings/admm-retreat-2025/"]
        for server in app_servers:
            self.on(monkeypatch, server)
            warm(*urls)

        self.on(monkeypatch, first)
        meeting.name = "ADMM Retreat 2025 (Penang)"
        with committed():
            record_save(instance=meeting, user=publisher)
        self.on(monkeypatch, second)
        for url in urls:
            response = read(url)
            assert response["X-Cache"] == "miss"
            assert "ADMM Retreat 2025 (Penang)" in response.content.decode()

        with committed():
            record_transition(instance=meeting, user=publisher, to_status=DRAFT)
        self.on(monkeypatch, first)
        for url in urls:
            assert read(url).status_code == 404


def test_a_transaction_of_many_changes_empties_the_cache_once(
    django_capture_on_commit_callbacks,
):
    # A spreadsheet of a thousand topics is one transaction: one bump after it
    # commits, not one per row.
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        TopicFactory.create_batch(30)
    assert len(callbacks) == 1

    before = briefings.cache.generation()
    callbacks[0]()
    assert briefings.cache.generation() != before


def test_a_change_after_a_rolled_back_savepoint_still_empties_the_cache(
    django_capture_on_commit_callbacks,
):
    # The bump waiting inside the savepoint is dropped with it; the change
    # that follows, in the same transaction, must bring its own.
    with django_capture_on_commit_callbacks() as callbacks:
        with suppress(RuntimeError), transaction.atomic():
            TopicFactory()
            raise RuntimeError("the editor's import fails half-way")
        TopicFactory()
    assert len(callbacks) == 1
