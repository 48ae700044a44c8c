"""History: every write through every door is kept, compared and revertible.

Changes in the admin, through the API and by import each leave a Version with
the user and a comment (briefings/history.py registers the models, so the API
and the importers do not need the admin to have been loaded). A version can be
compared with the one before it, reverted to, and a deleted record recovered
with its links and the rows it follows.
"""

from pathlib import Path

import pytest
import tablib
from django.conf import settings
from django.urls import reverse
from reversion.models import Version

from briefings.history import FOLLOW
from briefings.models import (
    Annotation,
    Article,
    Commitment,
    EditorialStatus,
    Meeting,
    Participation,
    ParticipationRole,
    Topic,
)
from briefings.resources import TopicResource
from briefings.services import articles_import_text, record_delete, record_save
from tests.api.conftest import client_with_token, if_match
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    CommitmentFactory,
    CountryFactory,
    MeetingFactory,
    ParticipationFactory,
    PersonFactory,
    TopicFactory,
)
from tests.test_admin import form_data

pytestmark = pytest.mark.django_db

SEED = sorted((Path(settings.BASE_DIR) / "seeds").glob("*.txt"))[0]


def versions_of(obj) -> list[Version]:
    return list(Version.objects.get_for_object(obj).select_related("revision__user"))


def post_back(client, url: str, **changes):
    """Post a change form back as the browser shows it, with `changes`."""
    response = client.get(url)
    assert response.status_code == 200
    return client.post(url, form_data(response) | changes)


# Registration ----------------------------------------------------------------------


def test_every_curated_model_is_registered_with_what_it_follows():
    import reversion
    from reversion.revisions import _get_options

    for model, follow in FOLLOW.items():
        assert reversion.is_registered(model), model
        assert set(_get_options(model).follow) == set(follow), model


# Every door leaves a version with the user and a comment ----------------------------


def test_a_change_in_the_admin_is_kept_with_the_user_and_a_comment(client, editor):
    client.force_login(editor)
    topic = TopicFactory(name="Maritime security", status=EditorialStatus.DRAFT)
    url = reverse("admin:briefings_topic_change", args=[topic.pk])

    assert post_back(client, url, name="Maritime domain").status_code == 302

    [version] = versions_of(topic)
    assert version.field_dict["name"] == "Maritime domain"
    assert version.revision.user == editor
    assert "Name" in version.revision.comment


def test_a_change_through_the_api_is_kept_with_the_user_and_a_comment(editor):
    topic = TopicFactory(name="Maritime security", status=EditorialStatus.DRAFT)

    response = client_with_token(editor).patch(
        f"/api/v1/topics/{topic.slug}/",
        {"name": "Maritime domain"},
        format="json",
        **if_match(topic),
    )

    assert response.status_code == 200, response.content
    [version] = versions_of(topic)
    assert version.field_dict["name"] == "Maritime domain"
    assert version.revision.user == editor
    assert version.revision.comment == "Changed through the API."


def test_a_text_import_is_kept_with_the_importing_user_and_the_file(editor):
    articles_import_text(
        files=[(SEED.name, SEED.read_bytes())], user=editor, dry_run=False
    )

    article = Article.objects.get(imported_from=SEED.name)
    [version] = versions_of(article)
    assert version.revision.user == editor
    assert version.revision.comment == f"Imported from {SEED.name}"


def test_a_tabular_import_is_kept_with_the_importing_user_and_the_file(editor):
    dataset = tablib.Dataset(headers=["slug", "name"])
    dataset.append(["maritime-security", "Maritime security"])

    result = TopicResource().import_data(dataset, user=editor, file_name="t.csv")

    assert not result.has_errors() and not result.has_validation_errors()
    [version] = versions_of(Topic.objects.get(slug="maritime-security"))
    assert version.revision.user == editor
    assert version.revision.comment == "Imported from t.csv."


# Reverting ---------------------------------------------------------------------------


def test_reverting_a_meeting_restores_its_topics_and_its_participants(
    client, publisher
):
    client.force_login(publisher)
    security, economy = TopicFactory(name="Security"), TopicFactory(name="Economy")
    meeting = MeetingFactory()
    chair = ParticipationFactory(meeting=meeting, role=ParticipationRole.CHAIR)
    record_save(instance=meeting, user=publisher, m2m={"topics": [security]})
    [first] = versions_of(meeting)
    # Later: the topic changed, the chair removed and an observer added.
    chair_pk = chair.pk
    chair.delete()
    observer = ParticipationFactory(meeting=meeting, role=ParticipationRole.OBSERVER)
    record_save(instance=meeting, user=publisher, m2m={"topics": [economy]})

    url = reverse("admin:briefings_meeting_revision", args=[meeting.pk, first.pk])
    assert post_back(client, url).status_code == 302

    meeting = Meeting.objects.get(pk=meeting.pk)
    assert list(meeting.topics.all()) == [security]
    assert list(meeting.participations.values_list("pk", "role")) == [
        (chair_pk, ParticipationRole.CHAIR)
    ]
    assert not Participation.objects.filter(pk=observer.pk).exists()


def test_reverting_a_commitment_restores_its_actors(client, publisher):
    client.force_login(publisher)
    malaysia, indonesia = CountryFactory(), CountryFactory()
    commitment = CommitmentFactory()
    record_save(instance=commitment, user=publisher, m2m={"actors": [malaysia]})
    [first] = versions_of(commitment)
    record_save(instance=commitment, user=publisher, m2m={"actors": [indonesia]})

    url = reverse("admin:briefings_commitment_revision", args=[commitment.pk, first.pk])
    assert post_back(client, url).status_code == 302

    commitment = Commitment.objects.get(pk=commitment.pk)
    assert list(commitment.actors.all()) == [malaysia]


# Comparing ---------------------------------------------------------------------------


def test_the_history_links_each_version_to_a_comparison_with_the_one_before(
    admin_client, admin_user
):
    topic = TopicFactory()
    for name in ("Security", "Maritime security"):
        topic.name = name
        record_save(instance=topic, user=admin_user)
    older, newer = sorted(versions_of(topic), key=lambda v: v.pk)

    response = admin_client.get(
        reverse("admin:briefings_topic_history", args=[topic.pk])
    )

    assert response.status_code == 200
    compare_url = reverse("admin:briefings_topic_compare", args=[topic.pk])
    link = f"{compare_url}?version_id1={older.pk}&amp;version_id2={newer.pk}"
    assert link in response.content.decode()
    assert "compare with previous" in response.content.decode()


def test_the_comparison_shows_old_and_new_values_and_links_added_and_removed(
    admin_client, admin_user
):
    security, economy = TopicFactory(name="Security"), TopicFactory(name="Economy")
    meeting = MeetingFactory(name="ADMM Retreat")
    record_save(instance=meeting, user=admin_user, m2m={"topics": [security]})
    meeting.name = "ADMM Retreat 2025"
    record_save(instance=meeting, user=admin_user, m2m={"topics": [economy]})
    older, newer = sorted(versions_of(meeting), key=lambda v: v.pk)

    response = admin_client.get(
        reverse("admin:briefings_meeting_compare", args=[meeting.pk]),
        {"version_id1": older.pk, "version_id2": newer.pk},
    )

    assert response.status_code == 200
    html = response.content.decode()
    changed = {str(diff["field"].name) for diff in response.context["compare_data"]}
    assert {"name", "topics"} <= changed
    assert "ADMM Retreat" in html and "2025" in html
    assert "- Security" in html  # removed
    assert "+ Economy" in html  # added


def test_the_comparison_shows_a_text_as_a_unified_diff_of_its_lines(
    admin_client, admin_user
):
    article = ArticleFactory(body="First line.\nSecond line.\nThird line.")
    record_save(instance=article, user=admin_user)
    article.body = "First line.\nSecond line, corrected.\nThird line."
    record_save(instance=article, user=admin_user)
    older, newer = sorted(versions_of(article), key=lambda v: v.pk)

    response = admin_client.get(
        reverse("admin:briefings_article_compare", args=[article.pk]),
        {"version_id1": older.pk, "version_id2": newer.pk},
    )

    html = response.content.decode()
    assert '<span class="removed">-Second line.</span>' in html
    assert '<span class="added">+Second line, corrected.</span>' in html
    assert '<span class="context"> First line.</span>' in html


# Recovering -------------------------------------------------------------------------


def article_with_links_and_annotations(user) -> tuple[Article, Annotation]:
    article = ArticleFactory(status=EditorialStatus.DRAFT)
    meeting, topic = MeetingFactory(), TopicFactory()
    annotation = AnnotationFactory(article=article, note="The minister's words.")
    record_save(
        instance=article, user=user, m2m={"meetings": [meeting], "topics": [topic]}
    )
    return article, annotation


def recover(client, article_pk: int) -> Article:
    recover_list = client.get(reverse("admin:briefings_article_recoverlist"))
    assert recover_list.status_code == 200
    [version] = recover_list.context["deleted"]
    assert int(version.object_id) == article_pk
    url = reverse("admin:briefings_article_recover", args=[version.pk])
    assert post_back(client, url).status_code == 302
    return Article.objects.get(pk=article_pk)


def test_an_article_deleted_through_the_api_is_recovered_with_its_annotations(
    client, publisher
):
    article, annotation = article_with_links_and_annotations(publisher)
    meetings, topics = list(article.meetings.all()), list(article.topics.all())
    response = client_with_token(publisher).delete(
        f"/api/v1/articles/{article.slug}/", **if_match(article)
    )
    assert response.status_code == 204
    assert not Annotation.objects.filter(pk=annotation.pk).exists()

    client.force_login(publisher)
    recovered = recover(client, article.pk)

    assert list(recovered.meetings.all()) == meetings
    assert list(recovered.topics.all()) == topics
    assert recovered.annotations.get().note == "The minister's words."


def test_an_article_deleted_in_the_admin_is_kept_with_who_and_recovered(
    client, publisher
):
    article, annotation = article_with_links_and_annotations(publisher)
    client.force_login(publisher)
    delete_url = reverse("admin:briefings_article_delete", args=[article.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(pk=article.pk).exists()

    deletion = versions_of(Article(pk=article.pk))[0]  # newest first
    assert deletion.revision.user == publisher
    assert deletion.revision.comment == "Deleted in the admin."
    recovered = recover(client, article.pk)
    assert recovered.annotations.get().pk == annotation.pk
    assert recovered.meetings.count() == 1


def test_a_deleted_person_is_recovered_with_the_commitments_it_made(client, publisher):
    person = PersonFactory(status=EditorialStatus.DRAFT)
    commitment = CommitmentFactory()
    record_save(instance=commitment, user=publisher, m2m={"actors": [person]})
    record_save(instance=person, user=publisher)
    person_pk = person.pk
    record_delete(instance=person, user=publisher)
    # The link is on the commitment's side: recovering the person does not
    # bring it back, reverting the commitment does.
    assert not commitment.actors.exists()

    client.force_login(publisher)
    [version] = client.get(reverse("admin:briefings_actor_recoverlist")).context[
        "deleted"
    ]
    url = reverse("admin:briefings_actor_recover", args=[version.pk])
    assert post_back(client, url).status_code == 302
    [first] = versions_of(commitment)
    first.revision.revert()
    assert list(commitment.actors.values_list("pk", flat=True)) == [person_pk]
