"""ETag and If-Match: an API write names the version it was made from, and a
write from an outdated version is refused (issue 8)."""

import pytest

from briefings.models import EditorialStatus, Mention, Topic
from briefings.services import record_save
from tests.api.conftest import if_match
from tests.factories import ArticleFactory, MentionFactory, PersonFactory, TopicFactory

pytestmark = pytest.mark.django_db

DRAFT = EditorialStatus.DRAFT


def url(topic: Topic) -> str:
    return f"/api/v1/topics/{topic.slug}/"


@pytest.fixture
def topic(editor):
    topic = TopicFactory(name="Maritime security", description="Old.", status=DRAFT)
    # Saved once through the service, so its version is in the history.
    return record_save(instance=topic, user=editor)


def test_a_record_read_carries_its_version_as_a_strong_etag(editor_client, topic):
    response = editor_client.get(url(topic))

    assert response.status_code == 200
    assert response["ETag"] == f'"{topic.version}"'
    assert response.json()["version"] == topic.version


def test_list_items_carry_their_version(editor_client, topic):
    response = editor_client.get("/api/v1/topics/", {"status": "draft"})

    versions = {item["slug"]: item["version"] for item in response.json()["results"]}
    assert versions[topic.slug] == topic.version


def test_a_write_without_if_match_is_refused_with_428(editor_client, topic):
    response = editor_client.patch(url(topic), {"name": "Changed"}, format="json")

    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"]
    assert Topic.objects.get(pk=topic.pk).name == "Maritime security"


def test_if_match_star_is_no_way_around_it(editor_client, topic):
    response = editor_client.patch(
        url(topic), {"name": "Changed"}, format="json", HTTP_IF_MATCH="*"
    )

    assert response.status_code == 428
    assert Topic.objects.get(pk=topic.pk).name == "Maritime security"


def test_a_fresh_write_answers_200_with_the_new_etag(editor_client, topic):
    etag = editor_client.get(url(topic))["ETag"]

    response = editor_client.patch(
        url(topic), {"name": "Maritime domain"}, format="json", HTTP_IF_MATCH=etag
    )

    assert response.status_code == 200, response.json()
    assert response["ETag"] == f'"{topic.version + 1}"'
    assert response.json()["version"] == topic.version + 1
    assert Topic.objects.get(pk=topic.pk).name == "Maritime domain"


def test_the_second_of_two_clients_writing_from_one_etag_gets_412(
    editor_client, publisher_client, topic
):
    etag = editor_client.get(url(topic))["ETag"]
    assert publisher_client.get(url(topic))["ETag"] == etag

    first = publisher_client.patch(
        url(topic),
        {"description": "The publisher's text."},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    second = editor_client.patch(
        url(topic), {"name": "Maritime domain"}, format="json", HTTP_IF_MATCH=etag
    )

    assert first.status_code == 200
    assert second.status_code == 412
    body = second.json()
    assert "publisher saved “Maritime security”" in body["detail"]
    assert body["version"] == topic.version + 1
    assert body["changed_by"] == "publisher"
    assert body["changed_at"]
    assert body["changes"] == [
        {
            "field": "description",
            "label": "Description",
            "loaded": "Old.",
            "current": "The publisher's text.",
        }
    ]
    stored = Topic.objects.get(pk=topic.pk)
    assert (stored.name, stored.description) == (
        "Maritime security",
        "The publisher's text.",
    )


def test_a_malformed_if_match_is_refused_with_412(editor_client, topic):
    response = editor_client.patch(
        url(topic), {"name": "Changed"}, format="json", HTTP_IF_MATCH="1"
    )

    assert response.status_code == 412
    assert Topic.objects.get(pk=topic.pk).name == "Maritime security"


def test_a_delete_from_an_outdated_etag_is_refused_and_a_fresh_one_deletes(
    publisher_client, topic
):
    stale = f'"{topic.version}"'
    record_save(instance=topic, user=None)

    refused = publisher_client.delete(url(topic), HTTP_IF_MATCH=stale)
    assert refused.status_code == 412
    assert Topic.objects.filter(pk=topic.pk).exists()

    deleted = publisher_client.delete(url(topic), **if_match(topic))
    assert deleted.status_code == 204
    assert not Topic.objects.filter(pk=topic.pk).exists()


def test_a_mention_confirmed_in_between_is_not_overwritten(editor_client):
    article = ArticleFactory(status=DRAFT)
    mention = MentionFactory(article=article)
    first, second = PersonFactory(), PersonFactory()
    etag = editor_client.get(f"/api/v1/mentions/{mention.pk}/")["ETag"]

    editor_client.patch(
        f"/api/v1/mentions/{mention.pk}/",
        {"actor": first.slug},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    refused = editor_client.patch(
        f"/api/v1/mentions/{mention.pk}/",
        {"actor": second.slug},
        format="json",
        HTTP_IF_MATCH=etag,
    )

    assert refused.status_code == 412
    assert Mention.objects.get(pk=mention.pk).actor == first


def test_a_read_naming_the_current_etag_answers_304(editor_client, topic):
    etag = editor_client.get(url(topic))["ETag"]

    unchanged = editor_client.get(url(topic), HTTP_IF_NONE_MATCH=etag)
    record_save(instance=topic, user=None)
    changed = editor_client.get(url(topic), HTTP_IF_NONE_MATCH=etag)

    assert unchanged.status_code == 304
    assert unchanged["ETag"] == etag
    assert not unchanged.content
    assert changed.status_code == 200
    assert changed["ETag"] == f'"{topic.version}"'


def test_an_anonymous_read_from_the_cache_has_the_same_etag_and_answers_304(
    api_client, settings
):
    settings.CACHE_SECONDS = 60
    topic = TopicFactory()

    filled = api_client.get(url(topic))
    served = api_client.get(url(topic))
    revalidated = api_client.get(url(topic), HTTP_IF_NONE_MATCH=filled["ETag"])

    assert (filled["X-Cache"], served["X-Cache"]) == ("miss", "hit")
    assert served["ETag"] == filled["ETag"] == f'"{topic.version}"'
    assert revalidated.status_code == 304
