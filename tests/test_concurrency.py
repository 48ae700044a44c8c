"""Two editors, one record: the second save from the same version is refused,
shown what changed, and nothing the first saved is lost (issue 8)."""

import threading
from datetime import date

import pytest
import tablib
from django.db import connection
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from briefings.models import (
    Annotation,
    Commitment,
    ComplianceScore,
    EditorialStatus,
    Meeting,
    Participation,
    ParticipationRole,
    Topic,
)
from briefings.resources import TopicResource
from briefings.services import (
    EditConflict,
    article_correct_text,
    assessment_add,
    record_delete,
    record_save,
)
from tests.factories import (
    AliasFactory,
    AnnotationFactory,
    CommitmentFactory,
    MeetingFactory,
    ParticipationFactory,
    PersonFactory,
    TopicFactory,
)
from tests.test_admin import form_data

pytestmark = pytest.mark.django_db

DRAFT = EditorialStatus.DRAFT
PUBLISHED = EditorialStatus.PUBLISHED


def with_history(record):
    """`record` saved once through the service, so that its version is in the
    history as an editor's save would leave it."""
    record_save(instance=record, user=None, comment="Created.")
    return record


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def change_url(record) -> str:
    return reverse(
        f"admin:briefings_{record._meta.model_name}_change", args=[record.pk]
    )


# The admin -------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["topic", "actoralias", "meeting"])
def test_the_change_page_carries_the_version_it_was_opened_at(publisher, model):
    record = {
        "topic": TopicFactory,
        "actoralias": AliasFactory,
        "meeting": lambda: ParticipationFactory().meeting,
    }[model]()
    Model = type(record)
    Model.objects.filter(pk=record.pk).update(version=7)

    page = signed_in(publisher).get(change_url(record)).content.decode()

    assert 'type="hidden" name="loaded_version" value="7"' in page
    if model == "meeting":
        # The inline rows carry their own.
        assert 'name="participations-0-loaded_version" value="1"' in page


def test_the_second_of_two_editors_is_refused_and_told_who_changed_what(
    editor, publisher
):
    topic = with_history(
        TopicFactory(name="Maritime security", description="Old.", status=DRAFT)
    )
    first, second = signed_in(publisher), signed_in(editor)
    url = change_url(topic)
    first_form = form_data(first.get(url))
    second_form = form_data(second.get(url))

    saved = first.post(url, {**first_form, "description": "The publisher's text."})
    refused = second.post(url, {**second_form, "name": "Maritime domain"})

    assert saved.status_code == 302
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Not saved: publisher saved “Maritime security”" in page
    assert "What changed since you opened it" in page
    change = refused.context["adminform"].form.edit_conflict.changes
    assert [(c.label, c.loaded, c.current) for c in change] == [
        ("Description", "Old.", "The publisher's text.")
    ]
    assert reverse("admin:briefings_topic_history", args=[topic.pk]) in page
    topic.refresh_from_db()
    assert (topic.name, topic.description) == (
        "Maritime security",
        "The publisher's text.",
    )


def test_the_refused_editor_saves_again_from_the_form_shown_with_both_changes(
    editor, publisher
):
    topic = with_history(
        TopicFactory(name="Maritime security", description="Old.", status=DRAFT)
    )
    first, second = signed_in(publisher), signed_in(editor)
    url = change_url(topic)
    first_form = form_data(first.get(url))
    second_form = form_data(second.get(url))
    first.post(url, {**first_form, "description": "The publisher's text."})
    refused = second.post(url, {**second_form, "name": "Maritime domain"})

    # The form keeps the editor's name and shows the publisher's description,
    # which the editor had left alone, at the version it now holds.
    shown = form_data(refused)
    assert shown["name"] == "Maritime domain"
    assert shown["description"] == "The publisher's text."
    assert str(shown["loaded_version"]) == str(Topic.objects.get(pk=topic.pk).version)
    resaved = second.post(url, shown)

    assert resaved.status_code == 302
    topic.refresh_from_db()
    assert (topic.name, topic.description) == (
        "Maritime domain",
        "The publisher's text.",
    )


def test_a_concurrent_change_of_an_inline_row_is_refused_too(editor, publisher):
    meeting = MeetingFactory(status=DRAFT)
    participation = ParticipationFactory(meeting=meeting, note="")
    with_history(meeting)
    first, second = signed_in(publisher), signed_in(editor)
    url = change_url(meeting)
    first_form = form_data(first.get(url))
    second_form = form_data(second.get(url))
    prefix = next(
        name.removesuffix("-id")
        for name, value in first_form.items()
        if name.endswith("-id") and str(value) == str(participation.pk)
    )

    saved = first.post(url, {**first_form, f"{prefix}-note": "Chaired the retreat."})
    refused = second.post(
        url, {**second_form, f"{prefix}-role": ParticipationRole.OBSERVER}
    )

    assert saved.status_code == 302
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Not saved: publisher saved" in page
    assert "Note: “—” → “Chaired the retreat.”" in page
    participation.refresh_from_db()
    assert participation.note == "Chaired the retreat."
    assert participation.role == ParticipationRole.PARTICIPANT

    resaved = second.post(url, form_data(refused))

    assert resaved.status_code == 302
    participation.refresh_from_db()
    assert (participation.note, participation.role) == (
        "Chaired the retreat.",
        ParticipationRole.OBSERVER,
    )


def test_a_bulk_publication_after_the_form_was_opened_refuses_its_save(publisher):
    topic = with_history(TopicFactory(name="Cyber norms", status=DRAFT))
    editing, publishing = signed_in(publisher), signed_in(publisher)
    url = change_url(topic)
    opened = form_data(editing.get(url))

    publishing.post(
        reverse("admin:briefings_topic_changelist"),
        {"action": "publish", "_selected_action": [topic.pk]},
    )
    refused = editing.post(url, {**opened, "name": "Cyber norms in ASEAN"})

    assert refused.status_code == 200
    assert "Not saved" in refused.content.decode()
    topic.refresh_from_db()
    assert (topic.name, topic.status) == ("Cyber norms", PUBLISHED)


def test_a_form_that_left_nothing_to_merge_saves_at_once(editor):
    topic = with_history(TopicFactory(name="Cyber norms", status=DRAFT))
    client = signed_in(editor)
    url = change_url(topic)
    version = topic.version

    response = client.post(url, {**form_data(client.get(url)), "name": "Cyber"})

    assert response.status_code == 302
    topic.refresh_from_db()
    assert (topic.name, topic.version) == ("Cyber", version + 1)


def test_a_form_opened_before_a_revert_from_the_history_is_refused(editor, publisher):
    # Reverting restores an old version's fields, but not its version number: a
    # form still open at that number must not pass as fresh over the revert.
    topic = with_history(
        TopicFactory(name="Cyber norms", description="First.", status=DRAFT)
    )
    first = Version.objects.get_for_object(topic).get()
    stale = signed_in(editor)
    url = change_url(topic)
    stale_form = form_data(stale.get(url))
    editing = signed_in(publisher)
    editing.post(url, {**form_data(editing.get(url)), "description": "Second."})
    before_revert = Topic.objects.get(pk=topic.pk).version

    first.revision.revert()

    topic.refresh_from_db()
    assert topic.description == "First."
    assert topic.version > before_revert
    refused = stale.post(url, {**stale_form, "description": "The editor's text."})
    assert refused.status_code == 200
    assert "Not saved" in refused.content.decode()
    topic.refresh_from_db()
    assert topic.description == "First."


# Every write path moves the version on ---------------------------------------------


def test_a_save_from_an_outdated_copy_is_refused_with_what_changed(publisher):
    topic = with_history(TopicFactory(name="Maritime security", status=DRAFT))
    stale = Topic.objects.get(pk=topic.pk)
    topic.name = "Maritime domain"
    record_save(instance=topic, user=publisher)

    stale.description = "Overwrites?"
    with pytest.raises(EditConflict) as refused:
        record_save(instance=stale, user=None)

    conflict = refused.value
    assert conflict.changed_by == publisher
    assert conflict.current_version == stale.version + 1
    assert [(c.name, c.loaded, c.current) for c in conflict.changes] == [
        ("name", "Maritime security", "Maritime domain")
    ]
    assert Topic.objects.get(pk=topic.pk).description == ""


def test_without_the_loaded_version_in_the_history_the_current_values_are_shown():
    topic = TopicFactory(name="Maritime security")
    stale = Topic.objects.get(pk=topic.pk)
    record_save(instance=topic, user=None)

    with pytest.raises(EditConflict) as refused:
        record_save(instance=stale, user=None)

    assert not refused.value.history_known
    assert ("name", "", "Maritime security") in [
        (c.name, c.loaded, c.current) for c in refused.value.changes
    ]


def test_a_deletion_decided_on_an_outdated_copy_is_refused(publisher):
    topic = with_history(TopicFactory(status=DRAFT))
    stale = Topic.objects.get(pk=topic.pk)
    record_save(instance=topic, user=publisher)

    with pytest.raises(EditConflict):
        record_delete(instance=stale, user=publisher)

    assert Topic.objects.filter(pk=topic.pk).exists()


def test_a_spreadsheet_import_moves_the_version_on(publisher):
    topic = with_history(TopicFactory(slug="cyber", name="Cyber", status=DRAFT))
    version = Topic.objects.get(pk=topic.pk).version
    resource = TopicResource()
    exported = resource.export(Topic.objects.filter(pk=topic.pk))
    row = dict(zip(exported.headers, exported[0], strict=True), name="Cyber security")
    dataset = tablib.Dataset(tuple(row.values()), headers=list(row))

    result = resource.import_data(dataset, dry_run=False)

    assert not result.has_errors()
    topic.refresh_from_db()
    assert (topic.name, topic.version) == ("Cyber security", version + 1)


def test_an_assessment_that_changes_the_standing_moves_the_commitment_on():
    commitment = CommitmentFactory()
    opened = Commitment.objects.get(pk=commitment.pk)

    assessment_add(
        commitment=commitment,
        actor=PersonFactory(),
        score=ComplianceScore.KEPT,
        rationale="Kept.",
        assessed_on=date(2025, 6, 1),
        user=None,
    )

    assert Commitment.objects.get(pk=commitment.pk).version == opened.version + 1
    opened.summary = "From a form opened before the assessment."
    with pytest.raises(EditConflict):
        record_save(instance=opened, user=None)


def test_a_text_correction_moves_its_annotations_on(editor):
    annotation = AnnotationFactory()
    opened = Annotation.objects.get(pk=annotation.pk)
    article = annotation.article

    article_correct_text(article=article, new_body="Baru. " + article.body, user=None)

    assert Annotation.objects.get(pk=annotation.pk).version == opened.version + 1
    opened.note = "From a form opened before the correction."
    with pytest.raises(EditConflict):
        record_save(instance=opened, user=None)


# A true race -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_of_two_simultaneous_saves_from_one_version_exactly_one_wins():
    """Two threads, two database connections, each a read-modify-write through
    record_save from the same version: one is saved, the other refused, and the
    record holds the winner's change whole."""
    if connection.vendor == "sqlite":
        pytest.skip(
            "SQLite's in-memory test database is shared between threads with "
            "table locks that fail at once instead of waiting; the conditional "
            "UPDATE is the same SQL, and the admin tests cover it sequentially"
        )
    topic = TopicFactory(name="Original", status=DRAFT)
    barrier = threading.Barrier(2, timeout=10)
    outcomes: dict[str, str] = {}

    def edit(name: str) -> None:
        try:
            copy = Topic.objects.get(pk=topic.pk)
            barrier.wait()
            copy.name = name
            record_save(instance=copy, user=None)
            outcomes[name] = "saved"
        except EditConflict:
            outcomes[name] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(n,)) for n in ("First", "Second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert sorted(outcomes.values()) == ["refused", "saved"]
    winner = next(name for name, outcome in outcomes.items() if outcome == "saved")
    stored = Topic.objects.get(pk=topic.pk)
    assert (stored.name, stored.version) == (winner, topic.version + 1)


def test_every_record_editors_change_has_a_version_starting_at_one():
    meeting = MeetingFactory()
    participation = ParticipationFactory(meeting=meeting)

    assert Meeting.objects.get(pk=meeting.pk).version == 1
    assert Participation.objects.get(pk=participation.pk).version == 1
