"""Workflow and roles: draft → in review → published, and back to draft.

Editors send records to review and delete drafts; publishers also publish,
withdraw and delete published records. The same rules hold in the admin's
actions, its change form, its delete page and the API.
"""

from importlib import import_module

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from reversion.models import Version

from briefings.admin_actions import publish
from briefings.models import EditorialStatus, Topic
from briefings.services import record_delete, record_transition
from tests.api.conftest import client_with_token, if_match
from tests.factories import (
    ArticleFactory,
    CommitmentFactory,
    MeetingFactory,
    PersonFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DRAFT = EditorialStatus.DRAFT
IN_REVIEW = EditorialStatus.IN_REVIEW
PUBLISHED = EditorialStatus.PUBLISHED
PUBLISHABLE = ["topic", "actor", "meeting", "article", "commitment"]
FACTORIES = {
    "topic": TopicFactory,
    "actor": PersonFactory,
    "meeting": MeetingFactory,
    "article": ArticleFactory,
    "commitment": CommitmentFactory,
}


@pytest.fixture
def group_editor(db):
    """Staff in the Editors group the migration creates."""
    user = UserFactory(username="group-editor", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def group_publisher(db):
    """Staff in the Publishers group the migration creates."""
    user = UserFactory(username="group-publisher", is_staff=True)
    user.groups.add(Group.objects.get(name="Publishers"))
    return user


def run_action(client, model, action, *objects):
    return client.post(
        reverse(f"admin:briefings_{model}_changelist"),
        {"action": action, "_selected_action": [obj.pk for obj in objects]},
        follow=True,
    )


def offered_actions(client, model):
    response = client.get(reverse(f"admin:briefings_{model}_changelist"))
    choices = response.context["action_form"].fields["action"].choices
    return {name for name, _label in choices}


def latest_version(obj):
    return Version.objects.get_for_object(obj).select_related("revision").first()


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


# The service ----------------------------------------------------------------------


def test_an_editor_sends_a_draft_to_review(editor):
    topic = TopicFactory(status=DRAFT)

    record_transition(instance=topic, user=editor, to_status=IN_REVIEW)

    topic.refresh_from_db()
    assert topic.status == IN_REVIEW
    assert topic.published_at is None
    version = latest_version(topic)
    assert version.revision.comment == "Sent to review"
    assert version.revision.user == editor


def test_an_editor_may_not_publish_or_withdraw(editor):
    in_review = TopicFactory(status=IN_REVIEW)
    published = TopicFactory(status=PUBLISHED)

    with pytest.raises(PermissionDenied, match="publish or withdraw topics"):
        record_transition(instance=in_review, user=editor, to_status=PUBLISHED)
    with pytest.raises(PermissionDenied):
        record_transition(instance=published, user=editor, to_status=DRAFT)

    assert Topic.objects.get(pk=in_review.pk).status == IN_REVIEW
    assert Topic.objects.get(pk=published.pk).status == PUBLISHED
    assert not Version.objects.exists()


def test_sending_to_review_needs_the_change_permission(outsider):
    topic = TopicFactory(status=DRAFT)

    with pytest.raises(PermissionDenied, match="change topics"):
        record_transition(instance=topic, user=outsider, to_status=IN_REVIEW)

    assert Topic.objects.get(pk=topic.pk).status == DRAFT


def test_a_published_record_is_withdrawn_before_it_goes_back_to_review(publisher):
    topic = TopicFactory(status=PUBLISHED)

    with pytest.raises(ValidationError):
        record_transition(instance=topic, user=publisher, to_status=IN_REVIEW)


def test_publishing_sets_the_first_publication_time_once(publisher):
    topic = TopicFactory(status=IN_REVIEW)

    record_transition(instance=topic, user=publisher, to_status=PUBLISHED)
    first = Topic.objects.get(pk=topic.pk).published_at
    record_transition(instance=topic, user=publisher, to_status=DRAFT)
    record_transition(instance=topic, user=publisher, to_status=PUBLISHED)

    topic.refresh_from_db()
    assert first is not None
    assert topic.published_at == first
    comments = [
        v.revision.comment
        for v in Version.objects.get_for_object(topic).select_related("revision")
    ]
    assert comments == ["Published", "Withdrawn", "Published"]


# Admin actions --------------------------------------------------------------------


@pytest.mark.parametrize("model", PUBLISHABLE)
def test_an_editor_is_offered_send_to_review_but_not_publish(client, editor, model):
    client.force_login(editor)

    actions = offered_actions(client, model)

    assert "send_to_review" in actions
    assert not {"publish", "withdraw"} & actions


@pytest.mark.parametrize("model", PUBLISHABLE)
def test_a_publisher_is_offered_every_transition(client, publisher, model):
    client.force_login(publisher)

    actions = offered_actions(client, model)

    assert {"send_to_review", "publish", "withdraw"} <= actions


def test_non_publishable_changelists_offer_no_transitions(client, publisher):
    client.force_login(publisher)

    actions = offered_actions(client, "participation")

    assert not {"send_to_review", "publish", "withdraw"} & actions


@pytest.mark.parametrize("model", PUBLISHABLE)
def test_an_editor_sends_records_to_review_from_the_changelist(client, editor, model):
    first, second = FACTORIES[model].create_batch(2, status=DRAFT)
    client.force_login(editor)

    response = run_action(client, model, "send_to_review", first, second)

    assert response.status_code == 200
    model_class = type(first)
    statuses = model_class.objects.filter(pk__in=[first.pk, second.pk])
    assert set(statuses.values_list("status", flat=True)) == {IN_REVIEW}
    assert any("Sent 2 " in message for message in messages_of(response))
    assert latest_version(first).revision.user == editor


def test_an_editors_forged_publish_action_changes_nothing(client, editor):
    topic = TopicFactory(status=IN_REVIEW)
    client.force_login(editor)

    run_action(client, "topic", "publish", topic)

    assert Topic.objects.get(pk=topic.pk).status == IN_REVIEW
    assert not Version.objects.exists()


def test_the_publish_action_skips_and_names_what_the_user_may_not_publish(
    rf, editor, monkeypatch
):
    # Hidden from an editor, but the service, not the menu, is what refuses.
    topic = TopicFactory(status=IN_REVIEW, name="Maritime security")
    request = rf.post("/")
    request.user = editor
    model_admin = admin.site._registry[Topic]
    sent = []
    monkeypatch.setattr(
        model_admin,
        "message_user",
        lambda request, message, level: sent.append(message),
    )

    publish(model_admin, request, Topic.objects.filter(pk=topic.pk))

    assert Topic.objects.get(pk=topic.pk).status == IN_REVIEW
    assert any("“Maritime security”" in message for message in sent)
    assert sent[-1] == "Published 0 topics."


def test_a_publisher_publishes_and_withdraws_from_the_changelist(client, publisher):
    in_review = MeetingFactory(status=IN_REVIEW)
    already = MeetingFactory(status=PUBLISHED, name="Already public")
    client.force_login(publisher)

    published = run_action(client, "meeting", "publish", in_review, already)
    in_review.refresh_from_db()
    first_published_at = in_review.published_at
    run_action(client, "meeting", "withdraw", in_review)
    in_review.refresh_from_db()
    assert in_review.status == DRAFT
    run_action(client, "meeting", "publish", in_review)

    in_review.refresh_from_db()
    assert in_review.status == PUBLISHED
    assert first_published_at is not None
    assert in_review.published_at == first_published_at
    sent = messages_of(published)
    assert "Published 1 meeting." in sent
    assert any("Already public" in message for message in sent)


# The change form ------------------------------------------------------------------


def test_an_editor_sees_the_status_but_cannot_change_it(client, editor):
    topic = TopicFactory(status=IN_REVIEW)
    client.force_login(editor)
    url = reverse("admin:briefings_topic_change", args=[topic.pk])

    form = client.get(url).context["adminform"]
    client.post(
        url,
        {"name": topic.name, "slug": topic.slug, "status": "published"},
    )

    assert "status" in form.readonly_fields
    assert "status" not in form.form.fields
    topic.refresh_from_db()
    assert topic.status == IN_REVIEW
    assert topic.published_at is None


def test_the_change_form_shows_who_changed_the_record_last(client, editor, publisher):
    topic = TopicFactory(status=DRAFT, name="Cybersecurity")
    client.force_login(editor)
    client.post(
        reverse("admin:briefings_topic_change", args=[topic.pk]),
        {"name": "Cyber security", "slug": topic.slug},
    )
    # The publisher publishes the record as it is now, not the copy from before
    # the editor's save (which would be refused as outdated).
    topic.refresh_from_db()
    record_transition(instance=topic, user=publisher, to_status=PUBLISHED)
    client.force_login(editor)

    response = client.get(reverse("admin:briefings_topic_change", args=[topic.pk]))

    assert "last_changed_by" in response.context["adminform"].readonly_fields
    assert "Last changed by" in response.text
    assert "publisher, " in response.text


def test_last_changed_by_costs_one_query(django_assert_num_queries, editor):
    topic = TopicFactory(status=DRAFT)
    record_transition(instance=topic, user=editor, to_status=IN_REVIEW)
    # The content type is cached once per process, as on any admin page.
    ContentType.objects.get_for_model(Topic)

    with django_assert_num_queries(1):
        shown = admin.site._registry[Topic].last_changed_by(topic)

    assert shown.startswith("editor, ")


def test_a_record_without_history_shows_nobody(editor):
    assert admin.site._registry[Topic].last_changed_by(TopicFactory()) is None


# Deleting -------------------------------------------------------------------------


def test_an_editor_may_not_delete_a_published_record_in_the_admin(client, group_editor):
    topic = TopicFactory(status=PUBLISHED)
    client.force_login(group_editor)
    url = reverse("admin:briefings_topic_delete", args=[topic.pk])

    page = client.get(url)
    posted = client.post(url, {"post": "yes"})

    assert [page.status_code, posted.status_code] == [403, 403]
    assert Topic.objects.filter(pk=topic.pk).exists()


def test_an_editor_may_not_bulk_delete_a_published_record(client, group_editor):
    draft, published = TopicFactory(status=DRAFT), TopicFactory(status=PUBLISHED)
    client.force_login(group_editor)

    response = client.post(
        reverse("admin:briefings_topic_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [draft.pk, published.pk],
            "post": "yes",
        },
    )

    assert response.status_code == 403
    assert Topic.objects.count() == 2


def test_an_editor_deletes_a_draft_in_the_admin(client, group_editor):
    topic = TopicFactory(status=DRAFT)
    client.force_login(group_editor)
    url = reverse("admin:briefings_topic_delete", args=[topic.pk])

    response = client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not Topic.objects.filter(pk=topic.pk).exists()


def test_a_publisher_deletes_a_published_record_in_the_admin(client, group_publisher):
    topic = TopicFactory(status=PUBLISHED)
    client.force_login(group_publisher)

    client.post(
        reverse("admin:briefings_topic_delete", args=[topic.pk]), {"post": "yes"}
    )

    assert not Topic.objects.filter(pk=topic.pk).exists()


def test_record_delete_refuses_a_published_record_to_an_editor(group_editor):
    topic = TopicFactory(status=PUBLISHED)

    with pytest.raises(PermissionDenied, match="delete published topics"):
        record_delete(instance=topic, user=group_editor)

    assert Topic.objects.filter(pk=topic.pk).exists()


# The API --------------------------------------------------------------------------


def test_an_editor_may_not_publish_through_the_api(editor):
    topic = TopicFactory(status=IN_REVIEW)

    response = client_with_token(editor).patch(
        f"/api/v1/topics/{topic.slug}/",
        {"status": "published"},
        format="json",
        **if_match(topic),
    )

    assert response.status_code == 403
    assert Topic.objects.get(pk=topic.pk).status == IN_REVIEW


def test_an_editor_may_not_delete_a_published_record_through_the_api(group_editor):
    topic = TopicFactory(status=PUBLISHED)

    response = client_with_token(group_editor).delete(
        f"/api/v1/topics/{topic.slug}/", **if_match(topic)
    )

    assert response.status_code == 403
    assert "published topics" in response.json()["detail"]
    assert Topic.objects.filter(pk=topic.pk).exists()


def test_an_editor_deletes_a_draft_through_the_api(group_editor):
    topic = TopicFactory(status=DRAFT)

    response = client_with_token(group_editor).delete(
        f"/api/v1/topics/{topic.slug}/", **if_match(topic)
    )

    assert response.status_code == 204
    assert not Topic.objects.filter(pk=topic.pk).exists()


# Groups ---------------------------------------------------------------------------


def codenames(group_name):
    return set(
        Group.objects.get(name=group_name).permissions.values_list(
            "codename", flat=True
        )
    )


def test_the_editors_group_may_edit_and_delete_but_not_publish():
    editors = codenames("Editors")

    for model in [*PUBLISHABLE, "participation", "mention", "complianceassessment"]:
        for action in ("add", "change", "delete", "view"):
            assert f"{action}_{model}" in editors
    assert not {name for name in editors if name.startswith("publish_")}


def test_the_publishers_group_may_also_publish():
    publishers = codenames("Publishers")

    assert codenames("Editors") < publishers
    for model in PUBLISHABLE:
        assert f"publish_{model}" in publishers


def test_the_groups_migration_is_reversible():
    migration = import_module("briefings.migrations.0003_editorial_groups")
    state = MigrationLoader(connection).project_state(
        ("briefings", "0003_editorial_groups")
    )
    schema_editor = type("SchemaEditor", (), {"connection": connection})
    before = codenames("Publishers")

    migration.delete_groups(state.apps, schema_editor)
    assert not Group.objects.filter(name__in=["Editors", "Publishers"]).exists()
    migration.create_groups(state.apps, schema_editor)

    assert codenames("Publishers") == before
    assert not {n for n in codenames("Editors") if n.startswith("publish_")}


def test_only_a_publisher_gets_delete_boxes_for_commitments_on_a_meeting(
    client, editor, publisher
):
    from tests.factories import CommitmentFactory, MeetingFactory

    meeting = MeetingFactory()
    CommitmentFactory(meeting=meeting)
    box = 'name="commitments-0-DELETE"'
    client.force_login(editor)
    page = client.get(f"/admin/briefings/meeting/{meeting.pk}/change/")
    assert page.status_code == 200
    assert box not in page.content.decode()
    client.force_login(publisher)
    page = client.get(f"/admin/briefings/meeting/{meeting.pk}/change/")
    assert box in page.content.decode()
