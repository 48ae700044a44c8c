"""`manage.py import_articles`: the text import for bulk loads."""

import io
import shutil
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from reversion.models import Revision

from briefings import services
from briefings.models import (
    Article,
    EditorialStatus,
    Mention,
)

pytestmark = pytest.mark.django_db

SEEDS = sorted((Path(settings.BASE_DIR) / "seeds").glob("*.txt"))


@pytest.fixture
def seeds_dir(tmp_path):
    folder = tmp_path / "seeds"
    folder.mkdir()
    for seed in SEEDS:
        shutil.copy(seed, folder / seed.name)
    # Not an article: passed over in a directory.
    (folder / "README.md").write_text("The seed files.")
    return folder


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_articles", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_directory_of_seeds_becomes_five_drafts_with_a_summary(desk, seeds_dir):
    out, _err = run(seeds_dir)
    assert Article.objects.filter(status=EditorialStatus.DRAFT).count() == 5
    assert "Imported 5 drafts with" in out
    assert "0 duplicates and 0 errors skipped" in out
    assert "files/s" in out
    assert Mention.objects.filter(actor__isnull=True).count() == Mention.objects.count()
    imported_from = set(Article.objects.values_list("imported_from", flat=True))
    assert imported_from == {str(seeds_dir / seed.name) for seed in SEEDS}


def test_files_and_zips_can_be_named_one_by_one(desk, tmp_path):
    archive = tmp_path / "three.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for seed in SEEDS[2:]:
            zipped.write(seed, seed.name)
    run(SEEDS[0], SEEDS[1], archive)
    assert Article.objects.count() == 5
    assert Article.objects.filter(imported_from=f"{archive}/{SEEDS[4].name}").exists()


def test_the_dry_run_writes_nothing_and_says_so(desk, seeds_dir):
    out, _err = run(seeds_dir, "--dry-run", "-v", "2")
    assert "Dry run, nothing written: 5 would be imported" in out
    assert "would import" in out
    assert Article.objects.count() == Mention.objects.count() == 0
    assert not Revision.objects.exists()


def test_a_second_run_reports_duplicates_and_succeeds(desk, seeds_dir):
    run(seeds_dir)
    out, _err = run(seeds_dir)
    assert out.count("duplicate  ") == 5
    assert "Imported 0 drafts" in out
    assert Article.objects.count() == 5


def test_a_bad_file_is_named_the_rest_imported_and_the_exit_status_is_a_failure(
    desk, seeds_dir
):
    (seeds_dir / "empty.txt").write_bytes(b"")
    (seeds_dir / "binary.txt").write_bytes(b"\x00\x01" * 50)
    out = io.StringIO()
    with pytest.raises(CommandError, match="2 files could not be imported"):
        call_command("import_articles", str(seeds_dir), stdout=out)
    lines = out.getvalue().splitlines()
    assert f"error      {seeds_dir / 'empty.txt'}: the file is empty." in lines
    assert any(str(seeds_dir / "binary.txt") in line for line in lines)
    assert Article.objects.count() == 5


def test_a_failure_while_saving_writes_nothing(desk, seeds_dir, monkeypatch):
    calls = []
    record_save = services.record_save

    def failing(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise ValidationError("The disk is on fire.")
        return record_save(**kwargs)

    monkeypatch.setattr(services, "record_save", failing)
    with pytest.raises(CommandError, match="Nothing was imported"):
        run(seeds_dir)
    assert Article.objects.count() == Mention.objects.count() == 0
    assert not Revision.objects.exists()


def test_batches_commit_one_after_the_other(desk, seeds_dir, monkeypatch):
    calls = []
    record_save = services.record_save

    def failing(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise ValidationError("The disk is on fire.")
        return record_save(**kwargs)

    monkeypatch.setattr(services, "record_save", failing)
    with pytest.raises(CommandError):
        run(seeds_dir, "--batch-size", "2")
    # The first batch of two was committed before the second failed.
    assert Article.objects.count() == 2


def test_the_user_is_recorded_in_the_history(desk, seeds_dir, editor):
    run(seeds_dir, "--user", "editor", "--no-progress")
    assert set(Revision.objects.values_list("user__username", flat=True)) == {"editor"}


def test_without_a_user_the_history_names_the_system(desk, seeds_dir):
    run(seeds_dir)
    assert set(Revision.objects.values_list("user", flat=True)) == {None}


def test_an_unknown_user_is_refused_before_anything_is_read(desk, seeds_dir):
    with pytest.raises(CommandError, match="no user 'nobody'"):
        run(seeds_dir, "--user", "nobody")
    assert Article.objects.count() == 0


def test_a_user_who_may_not_add_articles_is_refused(desk, seeds_dir, outsider):
    with pytest.raises(CommandError, match="may not add articles"):
        run(seeds_dir, "--user", "outsider")
    assert Article.objects.count() == 0


def test_a_path_that_does_not_exist_is_refused_by_name(desk, tmp_path):
    missing = tmp_path / "missing.txt"
    with pytest.raises(CommandError, match=r"missing\.txt"):
        run(SEEDS[0], missing)
    assert Article.objects.count() == 0


def test_a_directory_without_text_files_is_refused(desk, tmp_path):
    with pytest.raises(CommandError, match=r"No \.txt or \.zip file"):
        run(tmp_path)


def test_no_progress_bar_is_drawn_when_stderr_is_no_terminal(desk, seeds_dir, capsys):
    run(seeds_dir)
    assert "Reading" not in capsys.readouterr().err


def test_a_zip_bomb_is_refused(desk, tmp_path, settings):
    settings.IMPORT_ZIP_MAX_TOTAL_BYTES = 10_000
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("zeros.txt", bytes(50_000))
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 file could not be imported"):
        call_command("import_articles", str(bomb), stdout=out)
    assert "more than the limit of 10,000 bytes" in out.getvalue()
