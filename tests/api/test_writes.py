"""Writing through the API: who may, what is refused, and what history is kept.

Writes go through briefings.services.record_save and record_delete, so the
rules here are the ones the admin keeps: a Django model permission for each
write, a permission of its own to publish or withdraw, the model's validation,
and a django-reversion Version naming the user.
"""

import pytest
from django.contrib.auth.models import Permission
from reversion.models import Version

from briefings.models import (
    Annotation,
    Article,
    ComplianceAssessment,
    EditorialStatus,
    Meeting,
    Mention,
    Topic,
)
from tests.api.conftest import client_with_token, if_match
from tests.factories import (
    ArticleFactory,
    CommitmentFactory,
    CountryFactory,
    MeetingFactory,
    MentionFactory,
    PersonFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

DRAFT = EditorialStatus.DRAFT
PUBLISHED = EditorialStatus.PUBLISHED


def new_topic(**fields) -> dict:
    return {"name": "Maritime security", "slug": "maritime-security", **fields}


def new_meeting(**fields) -> dict:
    return {
        "name": "ADMM Retreat",
        "slug": "admm-retreat-2026",
        "format": "multilateral",
        "start": "2026-02-25",
        "end": "2026-02-26",
        **fields,
    }


# Who may write -------------------------------------------------------------------


def test_an_anonymous_write_is_refused_as_unauthenticated(api_client):
    response = api_client.post("/api/v1/topics/", new_topic(), format="json")

    # TokenAuthentication comes first, so DRF answers 401 with its challenge.
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert not Topic.objects.exists()


def test_an_anonymous_delete_is_refused_and_deletes_nothing(api_client):
    topic = TopicFactory()

    response = api_client.delete(f"/api/v1/topics/{topic.slug}/", **if_match(topic))

    assert response.status_code == 401
    assert Topic.objects.filter(pk=topic.pk).exists()


def test_an_outsider_may_not_write(outsider_client):
    topic = TopicFactory(name="Old name")

    created = outsider_client.post("/api/v1/topics/", new_topic(), format="json")
    changed = outsider_client.patch(
        f"/api/v1/topics/{topic.slug}/",
        {"name": "New name"},
        format="json",
        **if_match(topic),
    )
    deleted = outsider_client.delete(f"/api/v1/topics/{topic.slug}/", **if_match(topic))

    assert [created.status_code, changed.status_code, deleted.status_code] == [
        403,
        403,
        403,
    ]
    topic.refresh_from_db()
    assert topic.name == "Old name"
    assert Topic.objects.count() == 1


def test_an_editor_without_the_change_permission_may_not_change(editor):
    editor.user_permissions.remove(Permission.objects.get(codename="change_meeting"))
    meeting = MeetingFactory(name="Old name", status=DRAFT)

    response = client_with_token(editor).patch(
        f"/api/v1/meetings/{meeting.slug}/",
        {"name": "New name"},
        format="json",
        **if_match(meeting),
    )

    assert response.status_code == 403
    meeting.refresh_from_db()
    assert meeting.name == "Old name"


def test_an_editor_without_the_add_permission_may_not_create(editor):
    editor.user_permissions.remove(Permission.objects.get(codename="add_topic"))

    response = client_with_token(editor).post(
        "/api/v1/topics/", new_topic(), format="json"
    )

    assert response.status_code == 403
    assert not Topic.objects.exists()


def test_an_editor_may_not_delete(editor_client):
    topic = TopicFactory()

    response = editor_client.delete(f"/api/v1/topics/{topic.slug}/", **if_match(topic))

    assert response.status_code == 403
    assert Topic.objects.filter(pk=topic.pk).exists()


def test_an_editor_creates_a_draft_with_a_token(editor_client):
    response = editor_client.post("/api/v1/topics/", new_topic(), format="json")

    assert response.status_code == 201, response.json()
    topic = Topic.objects.get(slug="maritime-security")
    assert topic.status == DRAFT
    assert topic.published_at is None
    assert (
        response.json()["url"] == "http://testserver/api/v1/topics/maritime-security/"
    )


def test_an_editor_changes_a_record_with_the_admin_session(editor):
    topic = TopicFactory(name="Old name", status=DRAFT)
    client = client_with_token(editor)
    client.credentials()
    client.force_login(editor)

    response = client.patch(
        f"/api/v1/topics/{topic.slug}/",
        {"name": "New name"},
        format="json",
        **if_match(topic),
    )

    assert response.status_code == 200, response.json()
    topic.refresh_from_db()
    assert topic.name == "New name"


def test_a_token_of_an_inactive_user_is_refused(editor):
    client = client_with_token(editor)
    editor.is_active = False
    editor.save()

    read = client.get("/api/v1/topics/")
    write = client.post("/api/v1/topics/", new_topic(), format="json")

    assert read.status_code == 401
    assert write.status_code == 401
    assert "inactive" in read.json()["detail"].lower()
    assert not Topic.objects.exists()


def test_an_unknown_token_is_refused(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")

    response = api_client.get("/api/v1/topics/")

    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid token."


# Publishing ----------------------------------------------------------------------


def test_an_editor_may_not_create_a_published_record(editor_client):
    response = editor_client.post(
        "/api/v1/topics/", new_topic(status=PUBLISHED), format="json"
    )

    assert response.status_code == 403
    assert "publish" in response.json()["detail"]
    assert not Topic.objects.exists()


def test_an_editor_may_not_publish_a_draft(editor_client):
    meeting = MeetingFactory(status=DRAFT, name="Draft name")

    response = editor_client.patch(
        f"/api/v1/meetings/{meeting.slug}/",
        {"status": PUBLISHED, "name": "New name"},
        format="json",
        **if_match(meeting),
    )

    assert response.status_code == 403
    meeting.refresh_from_db()
    assert (meeting.status, meeting.published_at, meeting.name) == (
        DRAFT,
        None,
        "Draft name",
    )
    assert not Version.objects.get_for_object(meeting).exists()


def test_an_editor_may_not_withdraw_a_published_record(editor_client):
    article = ArticleFactory(status=PUBLISHED)

    response = editor_client.patch(
        f"/api/v1/articles/{article.slug}/",
        {"status": DRAFT},
        format="json",
        **if_match(article),
    )

    assert response.status_code == 403
    article.refresh_from_db()
    assert article.status == PUBLISHED


def test_an_editor_may_correct_a_published_record_without_changing_its_status(
    editor_client,
):
    topic = TopicFactory(status=PUBLISHED, description="Old.")

    response = editor_client.patch(
        f"/api/v1/topics/{topic.slug}/",
        {"description": "Corrected."},
        format="json",
        **if_match(topic),
    )

    assert response.status_code == 200, response.json()
    topic.refresh_from_db()
    assert topic.description == "Corrected."


def test_a_publisher_creates_a_published_record_and_its_publication_is_dated(
    publisher_client,
):
    response = publisher_client.post(
        "/api/v1/topics/", new_topic(status=PUBLISHED), format="json"
    )

    assert response.status_code == 201, response.json()
    topic = Topic.objects.get(slug="maritime-security")
    assert topic.status == PUBLISHED
    assert topic.published_at is not None
    assert response.json()["published_at"] is not None


def test_a_publisher_publishes_a_draft(publisher_client):
    meeting = MeetingFactory(status=DRAFT)

    response = publisher_client.patch(
        f"/api/v1/meetings/{meeting.slug}/",
        {"status": PUBLISHED},
        format="json",
        **if_match(meeting),
    )

    assert response.status_code == 200, response.json()
    meeting.refresh_from_db()
    assert meeting.status == PUBLISHED
    assert meeting.published_at is not None


def test_the_client_cannot_set_the_publication_date(publisher_client):
    response = publisher_client.post(
        "/api/v1/topics/",
        new_topic(status=PUBLISHED, published_at="2001-01-01T00:00:00Z"),
        format="json",
    )

    assert response.status_code == 201
    assert Topic.objects.get().published_at.year > 2001


# Validation ----------------------------------------------------------------------


def test_a_meeting_cannot_end_before_it_starts(editor_client):
    response = editor_client.post(
        "/api/v1/meetings/",
        new_meeting(start="2026-02-26", end="2026-02-25"),
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["The meeting cannot end before it starts."]
    }
    assert not Meeting.objects.exists()


def test_a_malformed_partial_date_is_refused_on_its_field(editor_client):
    response = editor_client.post(
        "/api/v1/meetings/", new_meeting(start="2025-13", end=""), format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["start"]
    assert "no month 13" in response.json()["start"][0]


def test_a_meeting_cannot_report_to_itself_through_a_loop(editor_client):
    upper = MeetingFactory(status=DRAFT)
    lower = MeetingFactory(status=DRAFT, reports_to=upper)

    response = editor_client.patch(
        f"/api/v1/meetings/{upper.slug}/",
        {"reports_to": lower.slug},
        format="json",
        **if_match(upper),
    )

    assert response.status_code == 400
    assert "loop" in response.json()["reports_to"][0]


def test_an_unknown_related_slug_is_refused_on_its_field(editor_client):
    response = editor_client.post(
        "/api/v1/meetings/", new_meeting(country="atlantis"), format="json"
    )

    assert response.status_code == 400
    assert "atlantis" in response.json()["country"][0]


def test_an_annotation_must_quote_the_text_at_its_position(editor_client):
    article = ArticleFactory(body="Menteri hadir. Kerjasama diperkukuh.")

    response = editor_client.post(
        "/api/v1/annotations/",
        {"article": article.slug, "start": 0, "end": 14, "quote": "Menteri pergi."},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"quote": ["This is not the text at this position."]}
    assert not Annotation.objects.exists()


def test_an_annotation_at_its_position_is_created_by_the_editor(editor, editor_client):
    article = ArticleFactory(body="Menteri hadir. Kerjasama diperkukuh.")

    response = editor_client.post(
        "/api/v1/annotations/",
        {"article": article.slug, "start": 0, "end": 14, "quote": "Menteri hadir."},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert Annotation.objects.get().created_by == editor


def test_an_editor_adds_an_article_with_its_text_and_links(editor_client):
    meeting = MeetingFactory(slug="admm-retreat-2025")

    response = editor_client.post(
        "/api/v1/articles/",
        {
            "title": "Malaysia sedia perkukuh kerjasama",
            "slug": "malaysia-sedia",
            "source_url": "https://www.bernama.com/bm/news.php?id=2397212",
            "language": "ms",
            "published": "2025-02-26",
            "body": "Menteri hadir. Kerjasama diperkukuh.",
            "meetings": ["admm-retreat-2025"],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    article = Article.objects.get()
    assert article.content_hash == Article.hash_text(article.body)
    assert article.url == "https://www.bernama.com/bm/news.php?id=2397212"
    assert list(article.meetings.all()) == [meeting]
    assert response.json()["body"] == "Menteri hadir. Kerjasama diperkukuh."
    assert response.json()["published_precision"] == "day"


def test_an_article_with_the_text_of_another_is_refused_by_its_content_hash(
    editor_client,
):
    existing = ArticleFactory()

    response = editor_client.post(
        "/api/v1/articles/",
        {
            "title": "The same text again",
            "slug": "the-same-text-again",
            "language": "ms",
            "published": "2025-02",
            "body": existing.body,
        },
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["content_hash"]
    assert Article.objects.count() == 1


def test_an_article_keeps_its_content_hash_in_step_with_its_text(editor_client):
    article = ArticleFactory(status=DRAFT)

    response = editor_client.patch(
        f"/api/v1/articles/{article.slug}/",
        {"body": "Teks yang dibetulkan.", "content_hash": "0" * 64},
        format="json",
        **if_match(article),
    )

    assert response.status_code == 200, response.json()
    article.refresh_from_db()
    assert article.content_hash == Article.hash_text("Teks yang dibetulkan.")


def test_a_compliance_score_outside_minus_one_to_one_is_refused(editor_client):
    commitment = CommitmentFactory()
    country = CountryFactory()

    response = editor_client.post(
        "/api/v1/assessments/",
        {
            "commitment": commitment.slug,
            "actor": country.slug,
            "score": 2,
            "rationale": "More than kept.",
        },
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["score"]
    assert not ComplianceAssessment.objects.exists()


def test_an_assessment_records_who_assessed(editor, editor_client):
    commitment = CommitmentFactory()
    country = CountryFactory()

    response = editor_client.post(
        "/api/v1/assessments/",
        {
            "commitment": commitment.slug,
            "actor": country.slug,
            "score": 1,
            "rationale": "Kept.",
            "assessed_by": "somebody-else",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["assessed_by"] == "editor"
    assert ComplianceAssessment.objects.get().assessed_by == editor


def test_setting_a_mentions_actor_confirms_it_and_clearing_it_withdraws(
    editor, editor_client
):
    mention = MentionFactory()
    person = PersonFactory()

    confirmed = editor_client.patch(
        f"/api/v1/mentions/{mention.pk}/",
        {"actor": person.slug},
        format="json",
        **if_match(mention),
    )
    mention.refresh_from_db()
    assert confirmed.status_code == 200, confirmed.json()
    assert (mention.actor, mention.confirmed_by) == (person, editor)
    assert mention.confirmed_at is not None

    withdrawn = editor_client.patch(
        f"/api/v1/mentions/{mention.pk}/",
        {"actor": None},
        format="json",
        **if_match(mention),
    )
    mention.refresh_from_db()
    assert withdrawn.status_code == 200, withdrawn.json()
    assert (mention.actor, mention.confirmed_by, mention.confirmed_at) == (
        None,
        None,
        None,
    )
    assert Mention.objects.count() == 1


# Deleting ------------------------------------------------------------------------


def test_deleting_a_country_meetings_were_held_in_answers_409(publisher_client):
    malaysia = CountryFactory(name="Malaysia", iso_code="MY")
    MeetingFactory(country=malaysia, name="ADMM Retreat")

    response = publisher_client.delete(
        f"/api/v1/actors/{malaysia.slug}/", **if_match(malaysia)
    )

    assert response.status_code == 409
    assert "ADMM Retreat" in response.json()["detail"]
    assert Meeting.objects.get().country == malaysia


def test_deleting_an_article_a_commitment_is_sourced_from_answers_409(
    publisher_client,
):
    article = ArticleFactory(title="Malaysia sedia perkukuh kerjasama")
    CommitmentFactory(source_article=article, title="Explore AI cooperation")

    response = publisher_client.delete(
        f"/api/v1/articles/{article.slug}/", **if_match(article)
    )

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Other records depend on this one: Explore AI cooperation."
    }
    assert Article.objects.filter(pk=article.pk).exists()
    assert not Version.objects.get_for_object(article).exists()


def test_a_publisher_deletes_a_record_and_its_last_version_is_kept(
    publisher, publisher_client
):
    topic = TopicFactory(name="Maritime security")

    response = publisher_client.delete(
        f"/api/v1/topics/{topic.slug}/", **if_match(topic)
    )

    assert response.status_code == 204
    assert not Topic.objects.exists()
    deleted = Version.objects.get_deleted(Topic).get()
    assert deleted.object_repr == "Maritime security"
    assert deleted.revision.user == publisher


# History -------------------------------------------------------------------------


def test_a_write_through_the_api_keeps_a_version_naming_the_user(editor, editor_client):
    created = editor_client.post("/api/v1/meetings/", new_meeting(), format="json")
    assert created.status_code == 201, created.json()
    meeting = Meeting.objects.get()
    changed = editor_client.patch(
        f"/api/v1/meetings/{meeting.slug}/",
        {"venue": "Penang"},
        format="json",
        **if_match(meeting),
    )
    assert changed.status_code == 200, changed.json()

    versions = Version.objects.get_for_object(meeting)
    assert versions.count() == 2
    assert {version.revision.user for version in versions} == {editor}
    assert versions[0].field_dict["venue"] == "Penang"
    assert versions[0].revision.comment == "Changed through the API."


def test_many_to_many_links_are_written_by_slug_and_kept_in_the_history(
    editor_client,
):
    topic = TopicFactory(slug="cybersecurity")

    response = editor_client.post(
        "/api/v1/meetings/", new_meeting(topics=["cybersecurity"]), format="json"
    )

    assert response.status_code == 201, response.json()
    meeting = Meeting.objects.get()
    assert list(meeting.topics.all()) == [topic]
    assert response.json()["topics"] == ["cybersecurity"]
