"""Import and export in the admin: preview, confirmation, history, permissions."""

import pytest
import tablib
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from import_export.tmp_storages import CacheStorage
from reversion.models import Version

from briefings.models import Article, Commitment, EditorialStatus, Topic
from briefings.resources import FORMATS, ArticleResource, TopicResource
from tests.factories import TopicFactory, UserFactory
from tests.test_resources import export, snapshot, table

pytestmark = pytest.mark.django_db

FIVE = ["topic", "actor", "meeting", "article", "commitment"]
FORMAT_INDEX = {fmt().get_extension(): str(i) for i, fmt in enumerate(FORMATS)}


def upload(client, model, name, content, fmt="csv"):
    """The first step: the file, imported as a dry run for the preview."""
    return client.post(
        reverse(f"admin:briefings_{model}_import"),
        {"import_file": SimpleUploadedFile(name, content), "format": FORMAT_INDEX[fmt]},
    )


def confirm(client, model, preview):
    """The second step: the editor confirms what the preview showed."""
    return client.post(
        reverse(f"admin:briefings_{model}_process_import"),
        dict(preview.context["confirm_form"].initial),
    )


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def export_fields(resource_class, prefix="articleresource"):
    """The export form's boxes, all ticked, as a browser posts them."""
    return {f"{prefix}_{name}": "on" for name in resource_class().get_export_order()}


# The changelist ------------------------------------------------------------------


@pytest.mark.parametrize("model", FIVE)
def test_the_changelist_offers_import_export_and_recovery(client, editor, model):
    client.force_login(editor)
    response = client.get(reverse(f"admin:briefings_{model}_changelist"))
    html = response.content.decode()
    for view in ("import", "export", "recoverlist"):
        assert reverse(f"admin:briefings_{model}_{view}") in html, view
    actions = dict(response.context["action_form"].fields["action"].choices)
    assert "export_admin_action" in actions


def test_a_user_who_may_only_view_may_export_but_not_import(client):
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_topic"))
    client.force_login(viewer)
    html = client.get(reverse("admin:briefings_topic_changelist")).content.decode()
    assert reverse("admin:briefings_topic_import") not in html
    assert reverse("admin:briefings_topic_export") in html
    assert client.get(reverse("admin:briefings_topic_import")).status_code == 403


def test_a_staff_user_without_any_topic_permission_may_not_export(client):
    client.force_login(UserFactory(username="stranger", is_staff=True))
    assert client.get(reverse("admin:briefings_topic_export")).status_code == 403


# Preview and confirmation -----------------------------------------------------------


def test_an_editor_imports_a_file_through_preview_and_confirmation(client, editor):
    client.force_login(editor)
    TopicFactory(slug="hadr", name="HADR", status=EditorialStatus.DRAFT)
    TopicFactory(slug="ai", name="AI", status=EditorialStatus.DRAFT)
    data = table(
        ("slug", "name", "description", "status"),
        ("hadr", "HADR", "", "draft"),
        ("ai", "AI", "Artificial intelligence in defence.", "draft"),
        ("cybersecurity", "Cybersecurity", "", "draft"),
    ).encode()

    preview = upload(client, "topic", "topics.csv", data)

    assert preview.status_code == 200
    result = preview.context["result"]
    assert [row.import_type for row in result.rows] == ["skip", "update", "new"]
    html = preview.content.decode()
    for label in ("Skipped", "Update", "New", "Confirm import"):
        assert label in html
    # The preview ran the whole import, and left nothing behind but the file.
    assert not Topic.objects.filter(slug="cybersecurity").exists()
    assert not Version.objects.exists()
    name = preview.context["confirm_form"].initial["import_file_name"]
    assert cache.get(CacheStorage.CACHE_PREFIX + name) == data

    response = confirm(client, "topic", preview)

    assert response.status_code == 302
    assert response.url == reverse("admin:briefings_topic_changelist")
    assert messages_of(response) == [
        "Import finished: 1 new, 1 updated, 0 deleted and 1 skipped topics."
    ]
    assert Topic.objects.get(slug="ai").description.startswith("Artificial")
    versions = Version.objects.get_for_model(Topic)
    assert sorted(v.object_repr for v in versions) == ["AI", "Cybersecurity"]
    [revision] = {version.revision for version in versions}
    assert (revision.user, revision.comment) == (editor, "Imported from topics.csv.")
    assert LogEntry.objects.filter(user=editor).count() == 2
    assert cache.get(CacheStorage.CACHE_PREFIX + name) is None


def test_the_imported_change_appears_in_the_records_history(client, editor):
    client.force_login(editor)
    data = table(("slug", "name"), ("hadr", "HADR")).encode()
    confirm(client, "topic", upload(client, "topic", "topics.csv", data))
    topic = Topic.objects.get()
    history = client.get(reverse("admin:briefings_topic_history", args=[topic.pk]))
    [action] = history.context["action_list"]
    assert action["revision"].user == editor


def test_an_editor_importing_published_rows_gets_row_errors_and_no_confirmation(
    client, editor
):
    client.force_login(editor)
    data = table(
        ("slug", "name", "status"), ("hadr", "HADR", "draft"), ("ai", "AI", "published")
    ).encode()

    preview = upload(client, "topic", "topics.csv", data)

    assert "confirm_form" not in preview.context
    assert [row.number for row in preview.context["result"].invalid_rows] == [2]
    assert messages_of(preview) == [
        "topics.csv, row 2, column “status”: You may not publish or withdraw topics."
    ]
    assert "You may not publish or withdraw topics." in preview.content.decode()
    assert not Topic.objects.exists()


def test_a_confirmation_that_fails_writes_nothing_and_says_so(client, editor):
    client.force_login(editor)
    data = table(("slug", "name"), ("hadr", "HADR"), ("ai", "AI")).encode()
    preview = upload(client, "topic", "topics.csv", data)
    # Between preview and confirmation, somebody takes the name.
    TopicFactory(slug="artificial-intelligence", name="AI")

    response = confirm(client, "topic", preview)

    assert response.status_code == 302
    assert response.url == reverse("admin:briefings_topic_import")
    assert messages_of(response) == [
        "topics.csv, row 2, column “name”: Topic with this Name already exists.",
        "Nothing was imported.",
    ]
    assert not Topic.objects.filter(slug="hadr").exists()
    assert not Version.objects.exists()


def test_a_confirmation_whose_file_left_the_cache_asks_for_it_again(client, editor):
    client.force_login(editor)
    response = client.post(
        reverse("admin:briefings_topic_process_import"),
        {
            "import_file_name": "0123456789abcdef",
            "original_file_name": "topics.csv",
            "format": FORMAT_INDEX["csv"],
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("admin:briefings_topic_import")
    assert messages_of(response) == [
        "The uploaded file is no longer available; upload it again."
    ]


def test_a_csv_saved_with_a_byte_order_mark_imports(client, editor):
    client.force_login(editor)
    data = "\ufeff".encode() + table(("slug", "name"), ("hadr", "HADR")).encode()
    preview = upload(client, "topic", "topics.csv", data)
    assert not preview.context["result"].has_validation_errors()
    confirm(client, "topic", preview)
    assert Topic.objects.get().slug == "hadr"


def test_a_file_without_a_required_column_is_refused_by_name(client, editor):
    client.force_login(editor)
    data = table(("slug", "description"), ("hadr", "Relief")).encode()
    preview = upload(client, "topic", "topics.csv", data)
    assert "confirm_form" not in preview.context
    message = "topics.csv has no column “name”, which the import needs."
    assert messages_of(preview) == [message]
    assert message in preview.content.decode()


def test_a_malformed_csv_is_refused_naming_the_file_and_row(client, editor):
    client.force_login(editor)
    data = b"slug,name\nhadr,HADR\nai,AI,stray\n"
    preview = upload(client, "topic", "topics.csv", data)
    assert preview.context["form"].errors["import_file"] == [
        "topics.csv: Row 2 has 3 cells, but the header names only 2 columns."
    ]


@pytest.mark.parametrize("fmt", ["xlsx", "json"])
def test_xlsx_and_json_files_import_through_the_admin(
    client, publisher, seed_corpus, fmt
):
    client.force_login(publisher)
    before = snapshot(Topic)
    data = export(TopicResource, fmt)
    Topic.objects.all().delete()
    content = data if isinstance(data, bytes) else data.encode()

    preview = upload(client, "topic", f"topics.{fmt}", content, fmt)
    assert {row.import_type for row in preview.context["result"].rows} == {"new"}
    confirm(client, "topic", preview)

    assert snapshot(Topic) == before


# Export ------------------------------------------------------------------------------


def test_the_selected_articles_export_as_a_csv_the_import_reads(
    client, publisher, seed_corpus
):
    client.force_login(publisher)
    chosen = list(Article.objects.order_by("pk").values_list("pk", flat=True)[:2])
    form = client.post(
        reverse("admin:briefings_article_changelist"),
        {"action": "export_admin_action", "_selected_action": chosen},
    )
    assert form.status_code == 200
    response = client.post(
        reverse("admin:briefings_article_export"),
        {"format": FORMAT_INDEX["csv"], "export_items": chosen}
        | export_fields(ArticleResource),
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    # With a byte-order mark, so that spreadsheet programs read it as UTF-8.
    assert response.content.startswith("\ufeff".encode())
    dataset = tablib.Dataset().load(response.content.decode("utf-8-sig"), "csv")
    assert dataset.headers == ArticleResource().get_export_headers()
    assert sorted(dataset["slug"]) == sorted(
        Article.objects.filter(pk__in=chosen).values_list("slug", flat=True)
    )


def test_a_csv_export_of_the_articles_imports_back_unchanged(
    client, publisher, seed_corpus
):
    client.force_login(publisher)
    before = snapshot(Article)
    response = client.post(
        reverse("admin:briefings_article_export"),
        {"format": FORMAT_INDEX["csv"]} | export_fields(ArticleResource),
    )
    Commitment.objects.all().delete()
    Article.objects.all().delete()

    preview = upload(client, "article", "articles.csv", response.content)
    assert [row.import_type for row in preview.context["result"].rows] == ["new"] * 5
    confirm(client, "article", preview)

    assert snapshot(Article) == before
