"""`manage.py export_corpus` and `import_corpus`: everything curated, with its
history, leaves one database as a portable archive and comes back identically;
an archive that is not as it was written, or a desk that is not empty, is
refused with nothing written."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command
from django.urls import reverse
from reversion.models import Version

from briefings import cache, corpus, portable, search
from briefings.models import Article, EditorialStatus, Meeting, Topic
from briefings.services import record_save

pytestmark = pytest.mark.django_db


def export(path: Path) -> str:
    out = StringIO()
    call_command("export_corpus", str(path), stdout=out)
    return out.getvalue()


def restore(path: Path, *options: str) -> str:
    out = StringIO()
    call_command("import_corpus", str(path), *options, stdout=out)
    return out.getvalue()


def members(path: Path) -> dict[str, bytes]:
    """Every member's bytes, the manifest without its creation time."""
    with zipfile.ZipFile(path) as archive:
        found = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(found.pop(portable.MANIFEST))
    del manifest["created"]
    found[portable.MANIFEST] = json.dumps(manifest, sort_keys=True).encode()
    return found


def rewrite(
    source: Path,
    target: Path,
    change: Callable[[str, bytes], bytes],
    *,
    fix_checksums: bool = False,
) -> None:
    """Copy an archive with `change` applied to each member, as somebody
    editing it by hand would; with `fix_checksums`, the manifest is made to
    agree, so that only the rows themselves are wrong."""
    with zipfile.ZipFile(source) as archive:
        data = {name: change(name, archive.read(name)) for name in archive.namelist()}
    if fix_checksums:
        manifest = json.loads(data[portable.MANIFEST])
        for member in manifest["members"]:
            member["sha256"] = hashlib.sha256(data[member["name"]]).hexdigest()
        data[portable.MANIFEST] = json.dumps(manifest).encode()
    with zipfile.ZipFile(target, "w") as archive:
        for name, content in data.items():
            archive.writestr(name, content)


def empty_the_desk() -> None:
    corpus.flush_curated()
    assert portable.present_counts() == {}


def nothing_written() -> bool:
    return portable.present_counts() == {}


def page(client, url: str) -> str:
    """A page as a reader sees it, less what differs on every request."""
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    html = re.sub(r'nonce="[^"]*"', "", html)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def found(kind: str, words: str) -> list[int]:
    return list(
        search.search_queryset(kind, words, user=AnonymousUser()).values_list(
            "pk", flat=True
        )
    )


# Round trips -----------------------------------------------------------------------


@pytest.fixture
def edited_seed_corpus(seed_corpus, editor):
    """The seed corpus after an editor's changes, each kept in the history."""
    article = Article.objects.published().order_by("pk").first()
    for n in (1, 2):
        article.summary = f"{article.summary} Revised {n}."
        record_save(instance=article, user=editor, comment=f"Revision {n}.")
    meeting = Meeting.objects.get(short_name="ADMM Retreat 2025")
    meeting.summary = "Edited by the desk."
    record_save(instance=meeting, user=editor, comment="Shorter summary.")
    return article, meeting


def test_the_seed_corpus_and_its_history_come_back_identically(
    edited_seed_corpus,
    client,
    admin_client,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    article, meeting = edited_seed_corpus
    meeting_url = meeting.get_absolute_url()
    history_url = reverse("admin:briefings_article_history", args=[article.pk])
    before = {
        "meeting page": page(client, meeting_url),
        "history page": page(admin_client, history_url),
        "search": found("article", "pertahanan"),
    }
    assert "Revision 2." in before["history page"]
    assert before["search"]
    first, second = tmp_path / "first.zip", tmp_path / "second.zip"
    export(first)

    empty_the_desk()
    # The editor's account is not in the archive, and not on this database.
    get_user_model().objects.filter(username="editor").delete()
    generation = cache.generation()
    with django_capture_on_commit_callbacks(execute=True):
        output = restore(first)

    assert "Restored" in output
    assert "Created 1 inactive accounts without a password" in output
    assert "editor" in output
    editor = get_user_model().objects.get(username="editor")
    assert not editor.is_active and not editor.has_usable_password()
    # No page cached before the import survives it.
    assert cache.generation() != generation
    assert page(client, meeting_url) == before["meeting page"]
    assert page(admin_client, history_url) == before["history page"]
    assert found("article", "pertahanan") == before["search"]
    assert Version.objects.get_for_object(article).count() == 2

    export(second)
    assert members(second) == members(first)


def test_a_generated_corpus_comes_back_identically(tmp_path):
    call_command("generate_corpus", "--articles", "200", "--seed", "7", verbosity=0)
    topic = Topic.objects.published().order_by("pk").first()
    words = topic.name.split()[0]
    searched = {kind: found(kind, words) for kind in ("article", "meeting", "actor")}
    assert any(searched.values())
    first, second = tmp_path / "first.zip", tmp_path / "second.zip"
    export(first)

    empty_the_desk()
    restore(first)

    assert {kind: found(kind, words) for kind in searched} == searched
    export(second)
    assert members(second) == members(first)


def test_the_next_record_after_an_import_gets_a_new_id(seed_corpus, tmp_path):
    archive = tmp_path / "seed.zip"
    export(archive)
    highest = Topic.objects.order_by("-pk").values_list("pk", flat=True).first()
    empty_the_desk()
    restore(archive)

    topic = record_save(
        instance=Topic(name="Space security", slug="space-security"), user=None
    )

    assert topic.pk > highest


def test_the_archive_says_what_it_holds(seed_corpus, tmp_path):
    archive = tmp_path / "seed.zip"
    output = export(archive)

    assert "5 articles" in output
    with zipfile.ZipFile(archive) as opened:
        manifest = json.loads(opened.read(portable.MANIFEST))
        article_rows = opened.read("briefings.article.jsonl").decode().splitlines()
    assert manifest["format_version"] == portable.FORMAT_VERSION
    assert manifest["database"] in ("sqlite", "postgresql")
    rows = {member["model"]: member["rows"] for member in manifest["members"]}
    assert rows["briefings.Article"] == 5
    assert rows["briefings.Article_topics"] > 0
    # Rows by primary key, with every column, ids kept.
    ids = [json.loads(row)["id"] for row in article_rows]
    assert ids == sorted(Article.objects.values_list("pk", flat=True))
    assert "body" in json.loads(article_rows[0])


# Refusals --------------------------------------------------------------------------


def test_it_refuses_a_desk_that_holds_curated_records(seed_corpus, tmp_path):
    archive = tmp_path / "seed.zip"
    export(archive)
    Article.objects.filter(pk=Article.objects.order_by("pk")[0].pk).update(
        summary="Changed since."
    )

    with pytest.raises(CommandError, match="holds curated records"):
        restore(archive)

    assert Article.objects.order_by("pk")[0].summary == "Changed since."
    assert Article.objects.count() == 5


def test_replace_restores_over_a_desk_in_one_transaction(seed_corpus, tmp_path):
    archive, broken = tmp_path / "seed.zip", tmp_path / "broken.zip"
    export(archive)
    Meeting.objects.filter(short_name="ADMM Retreat 2025").update(summary="Later.")
    rewrite(
        archive,
        broken,
        lambda name, data: (
            data.replace(b'"language":"ms"', b'"language":null')
            if name == "briefings.article.jsonl"
            else data
        ),
        fix_checksums=True,
    )

    with pytest.raises(CommandError, match=r"briefings\.article\.jsonl, row"):
        restore(broken, "--replace")
    assert Meeting.objects.get(short_name="ADMM Retreat 2025").summary == "Later."

    restore(archive, "--replace")
    assert Meeting.objects.get(short_name="ADMM Retreat 2025").summary != "Later."
    assert Article.objects.count() == 5


@pytest.fixture
def archive_of_an_emptied_desk(seed_corpus, tmp_path) -> Path:
    archive = tmp_path / "seed.zip"
    export(archive)
    empty_the_desk()
    return archive


def test_it_refuses_a_member_changed_after_export(archive_of_an_emptied_desk):
    tampered = archive_of_an_emptied_desk.with_name("tampered.zip")
    rewrite(
        archive_of_an_emptied_desk,
        tampered,
        lambda name, data: (
            data.replace(b"ADMM", b"ADNN")
            if name == "briefings.meeting.jsonl"
            else data
        ),
    )

    with pytest.raises(
        CommandError, match=r"briefings\.meeting\.jsonl: the checksum does not match"
    ):
        restore(tampered)
    assert nothing_written()


def test_it_refuses_a_truncated_archive(archive_of_an_emptied_desk):
    truncated = archive_of_an_emptied_desk.with_name("truncated.zip")
    data = archive_of_an_emptied_desk.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])

    with pytest.raises(CommandError, match="not a complete zip archive"):
        restore(truncated)
    assert nothing_written()


def test_it_refuses_a_format_it_does_not_know(archive_of_an_emptied_desk):
    newer = archive_of_an_emptied_desk.with_name("newer.zip")

    def next_version(name: str, data: bytes) -> bytes:
        if name != portable.MANIFEST:
            return data
        manifest = json.loads(data)
        manifest["format_version"] = portable.FORMAT_VERSION + 1
        return json.dumps(manifest).encode()

    rewrite(archive_of_an_emptied_desk, newer, next_version)

    with pytest.raises(CommandError, match="format version 2; this Serantau"):
        restore(newer)
    assert nothing_written()


def test_it_refuses_a_row_count_the_manifest_does_not_give(
    archive_of_an_emptied_desk,
):
    shorter = archive_of_an_emptied_desk.with_name("shorter.zip")
    rewrite(
        archive_of_an_emptied_desk,
        shorter,
        lambda name, data: (
            data.split(b"\n", 1)[1] if name == "briefings.topic.jsonl" else data
        ),
        fix_checksums=True,
    )

    with pytest.raises(CommandError, match="10 rows where the manifest says 11"):
        restore(shorter)
    assert nothing_written()


def test_a_row_pointing_nowhere_is_named_and_nothing_is_written(
    archive_of_an_emptied_desk,
):
    dangling = archive_of_an_emptied_desk.with_name("dangling.zip")

    def to_no_actor(name: str, data: bytes) -> bytes:
        if name != "briefings.participation.jsonl":
            return data
        first, rest = data.split(b"\n", 1)
        row = json.loads(first)
        row["actor"] = 999_999
        return json.dumps(row).encode() + b"\n" + rest

    rewrite(archive_of_an_emptied_desk, dangling, to_no_actor, fix_checksums=True)

    with pytest.raises(
        CommandError, match=r"briefings\.participation\.jsonl"
    ) as refused:
        restore(dangling)
    assert "nothing was written" in str(refused.value)
    assert nothing_written()
    assert not Article.objects.filter(status=EditorialStatus.PUBLISHED).exists()


def test_a_value_the_field_refuses_is_named_with_its_row(archive_of_an_emptied_desk):
    misdated = archive_of_an_emptied_desk.with_name("misdated.zip")
    rewrite(
        archive_of_an_emptied_desk,
        misdated,
        lambda name, data: (
            re.sub(rb'"published":"[^"]*"', b'"published":"2025-13"', data)
            if name == "briefings.article.jsonl"
            else data
        ),
        fix_checksums=True,
    )

    with pytest.raises(CommandError, match=r"briefings\.article\.jsonl, row 1: "):
        restore(misdated)
    assert nothing_written()
