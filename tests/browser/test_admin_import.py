"""An editor's imports in a real browser: a CSV through the tabular import, then
the seed files as a zip through "Import text articles", each previewed and
confirmed. Screenshots of both previews land in artifacts/screenshots/.
"""

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings

from briefings.models import (
    Article,
    EditorialStatus,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"  # tests/factories.py's UserFactory
SEEDS = sorted((Path(settings.BASE_DIR) / "seeds").glob("*.txt"))
# ArticleResource's columns (briefings/resources.py), as an editor would write
# them by hand: slugs for relations, a partial date.
ARTICLES_CSV = (
    "slug,title,outlet,language,published,body,status\r\n"
    "hand-written-briefing,A hand-written briefing,bernama,en,2025-03,"
    '"Ministers met in Kuala Lumpur. They agreed to meet again.",draft\r\n'
)


@pytest.fixture
def upload_files(tmp_path):
    csv_file = tmp_path / "articles.csv"
    csv_file.write_text(ARTICLES_CSV, encoding="utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for seed in SEEDS:
            archive.write(seed, seed.name)
    zip_file = tmp_path / "seeds.zip"
    zip_file.write_bytes(buffer.getvalue())
    return csv_file, zip_file


def log_in(page, username):
    page.goto("/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


def test_an_editor_imports_a_csv_and_then_the_seed_files_as_a_zip(
    page, desk, editor, upload_files, screenshot
):
    csv_file, zip_file = upload_files
    log_in(page, "editor")
    page.goto("/admin/briefings/article/")

    # The tabular import: upload, preview, confirm.
    page.click("a.import_link:not(.import-text-link)")
    page.set_input_files("#id_import_file", str(csv_file))
    page.select_option("#id_format", label="csv")
    page.click("input[type=submit]")
    page.wait_for_selector("table.import-preview")
    assert "A hand-written briefing" in page.inner_text("table.import-preview")
    screenshot(page, "admin-import-csv-preview")
    page.click("input[name=confirm]")
    page.wait_for_selector("#result_list")
    assert Article.objects.filter(slug="hand-written-briefing").exists()

    # The text import: the seed files as a zip.
    page.click("a.import-text-link")
    page.set_input_files("#id_file", str(zip_file))
    page.click("input[type=submit]")
    page.wait_for_selector("#confirm-import")
    summary = page.inner_text("#import-summary")
    assert summary.count("ready to import") == 5
    first = page.locator("section.file").first
    assert "26 February 2025" in first.locator(".detected-date").inner_text()
    assert (
        "Ministry of Defence (Malaysia)"
        in first.locator(".detected-outlet").inner_text()
    )
    assert "Mohamed Khaled Nordin" in first.locator(".proposals-actor").inner_text()
    # The cut site furniture is listed on demand.
    removed = first.locator(".detected-removed details")
    removed.locator("summary").click()
    assert removed.locator("li").first.is_visible()
    screenshot(page, "admin-import-text-preview")
    screenshot(page, "admin-import-text-preview-top", full_page=False)
    assert Article.objects.count() == 1

    page.click("#confirm-import input[type=submit]")
    page.wait_for_selector("#result_list")
    assert "Imported 5 articles as drafts." in page.inner_text(".messagelist")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 5
    assert "SESI PERMUKIMAN MENTERI-MENTERI PERTAHANAN ASEAN" in page.inner_text(
        "#result_list"
    )
    screenshot(page, "admin-import-text-done")
    assert Article.objects.filter(status=EditorialStatus.DRAFT).count() == 6
    assert not Article.objects.published().exists()
