"""Uploads are what their bytes are, not what their names say.

Text import: a zip is a zip whatever its name, and a ".txt" that is an image,
a PDF or a program is refused naming the file and what it is, at the top level
as inside a zip. Spreadsheet import: the bytes must be of the format chosen
before any parser reads them. A refused file writes nothing.
"""

from __future__ import annotations

import struct
import zlib

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from briefings import jobs
from briefings.importing.archive import Limits, read_paths
from briefings.models import Article, ImportJob, Topic
from briefings.resources import XLSX, TopicResource
from briefings.services import articles_import_text
from tests.test_admin_import import FORMAT_INDEX
from tests.test_resources import export, table
from tests.test_text_import import SEEDS, seed_files, seeds_zip, zip_of

pytestmark = pytest.mark.django_db


def png() -> bytes:
    """A real one-pixel PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


def pdf() -> bytes:
    """A minimal PDF document, as a PDF writer starts and ends one."""
    return (
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
        b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


def import_text(user, files):
    return articles_import_text(files=files, user=user, dry_run=False)


# Text import ----------------------------------------------------------------------


def test_a_png_named_txt_is_refused_as_an_image(desk, editor):
    report = import_text(
        editor, [("photo.txt", png()), ("000.txt", SEEDS[0].read_bytes())]
    )
    (error,) = report.errors
    assert error.name == "photo.txt"
    assert error.message == "the file holds binary data, not text: it is a PNG image."
    assert [file.name for file in report.imported] == ["000.txt"]
    assert Article.objects.count() == 1


def test_a_zip_named_txt_is_imported_as_the_zip_it_is(desk, editor):
    report = import_text(editor, [("seeds.txt", seeds_zip())])
    assert not report.errors
    assert sorted(file.name for file in report.imported) == [
        f"seeds.txt/{path.name}" for path in SEEDS
    ]
    assert Article.objects.count() == len(SEEDS)


def test_a_pdf_named_txt_inside_a_zip_is_refused_by_its_member_name(desk, editor):
    archive = zip_of({**seed_files(), "report.txt": pdf()})
    report = import_text(editor, [("batch.zip", archive)])
    (error,) = report.errors
    assert error.name == "batch.zip/report.txt"
    assert "it is a PDF document" in error.message
    assert len(report.imported) == len(SEEDS)


def test_a_zip_that_is_really_an_image_is_refused_saying_so(desk, editor):
    report = import_text(editor, [("seeds.zip", png())])
    (error,) = report.files
    assert error.message == "the file is not a zip archive: it is a PNG image."
    assert not Article.objects.exists()


def test_a_spreadsheet_is_not_unpacked_as_a_zip_of_articles(desk, editor):
    workbook = export(TopicResource, "xlsx")
    for name in ("topics.zip", "topics.txt"):
        report = import_text(editor, [(name, workbook)])
        (error,) = report.files
        assert error.name == name
        assert "Office document (.xlsx, .docx)" in error.message
    assert not Article.objects.exists()


def test_a_mac_made_zip_counts_its_articles_only(desk, editor, client, settings):
    """The archiver's "__MACOSX/._name" copies are skipped by the import, and
    so by the count that sends a large batch to the background."""
    members = dict(seed_files())
    for name in seed_files():
        members[f"__MACOSX/._{name}"] = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X"
    archive = zip_of(members)
    assert jobs.uploads_file_count([("mac.zip", archive)]) == len(SEEDS)

    # A batch of five under a background limit of six is imported at once.
    settings.IMPORT_BACKGROUND_FILES = len(SEEDS) + 1
    client.force_login(editor)
    preview = client.post(
        reverse("admin:briefings_article_import_text"),
        {"file": SimpleUploadedFile("mac.zip", archive)},
    )
    response = client.post(
        reverse("admin:briefings_article_import_text_confirm"),
        {"token": preview.context["confirm_form"]["token"].value()},
    )
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:briefings_article_changelist"))
    assert not ImportJob.objects.exists()
    assert Article.objects.count() == len(SEEDS)


def test_the_upload_page_names_the_file_and_what_it_is(desk, editor, client):
    client.force_login(editor)
    preview = client.post(
        reverse("admin:briefings_article_import_text"),
        {"file": SimpleUploadedFile("scan.txt", png())},
    )
    html = preview.content.decode()
    assert "scan.txt" in html
    assert "it is a PNG image" in html
    assert not preview.context["report"].ready
    assert not Article.objects.exists()


def test_a_file_on_disk_is_read_to_the_limit_of_what_its_bytes_are(tmp_path):
    limits = Limits(file_bytes=100, zip_members=10, zip_total_bytes=1_000_000)
    (tmp_path / "seeds.txt").write_bytes(seeds_zip())
    (tmp_path / "long.txt").write_bytes(b"kata " * 1000)
    uploads = dict(read_paths(sorted(tmp_path.iterdir()), limits=limits))
    # The zip named .txt is read whole, as a zip; the text stops one byte past
    # its limit, enough to be refused as too large.
    assert uploads[str(tmp_path / "seeds.txt")] == seeds_zip()
    assert len(uploads[str(tmp_path / "long.txt")]) == 101


# Spreadsheet import ---------------------------------------------------------------


def upload_table(client, name: str, content: bytes, fmt: str):
    return client.post(
        reverse("admin:briefings_topic_import"),
        {"import_file": SimpleUploadedFile(name, content), "format": FORMAT_INDEX[fmt]},
    )


TOPIC_COLUMNS = ("slug", "name", "description", "status")
TOPIC_ROW = ("hadr", "HADR", "", "draft")
TOPICS_CSV = table(TOPIC_COLUMNS, TOPIC_ROW).encode()


def topics_xlsx() -> bytes:
    return XLSX().export_data(tablib.Dataset(TOPIC_ROW, headers=TOPIC_COLUMNS))


@pytest.mark.parametrize(
    ("name", "content", "fmt", "error"),
    [
        (
            "topics.xlsx",
            TOPICS_CSV,
            "xlsx",
            "topics.xlsx: The file is not an XLSX workbook: it is text (choose CSV "
            "or JSON for it).",
        ),
        (
            "topics.csv",
            png(),
            "csv",
            "topics.csv: The file is not CSV text: it is a PNG image.",
        ),
        (
            "topics.csv",
            b"slug,name\x00\nhadr,HADR\n",
            "csv",
            "topics.csv: The file is not CSV text: it holds binary data (NUL bytes).",
        ),
        (
            "topics.xlsx",
            pdf(),
            "xlsx",
            "topics.xlsx: The file is not an XLSX workbook: it is a PDF document.",
        ),
        (
            "topics.json",
            zip_of({"topics.json": b"[]"}),
            "json",
            "topics.json: The file is not JSON text: it is a zip archive.",
        ),
    ],
    ids=["csv as xlsx", "png as csv", "nul in csv", "pdf as xlsx", "zip as json"],
)
def test_a_spreadsheet_not_of_its_format_is_refused_on_the_form(
    client, editor, name, content, fmt, error
):
    client.force_login(editor)
    preview = upload_table(client, name, content, fmt)
    assert preview.status_code == 200
    assert preview.context["form"].errors["import_file"] == [error]
    assert "confirm_form" not in preview.context
    assert not Topic.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_spreadsheet_of_its_format_still_imports(client, editor, fmt):
    client.force_login(editor)
    content = TOPICS_CSV if fmt == "csv" else topics_xlsx()
    preview = upload_table(client, f"topics.{fmt}", content, fmt)
    assert [row.import_type for row in preview.context["result"].rows] == ["new"]
    client.post(
        reverse("admin:briefings_topic_process_import"),
        dict(preview.context["confirm_form"].initial),
    )
    assert list(Topic.objects.values_list("slug", flat=True)) == ["hadr"]
