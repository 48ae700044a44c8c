"""Plain-text import: the seed files in, draft articles with proposals out.

The service (services.articles_import_text) first, then the admin's "Import text
articles" page over it, then the editor's confirmation of a proposal. The
command has its own file, tests/test_import_articles_command.py.
"""

import io
import stat
import struct
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.urls import reverse
from reversion.models import Revision, Version

from briefings import services
from briefings.dates import Precision
from briefings.models import (
    Article,
    EditorialStatus,
    Mention,
)
from briefings.services import ImportFailed, ImportOutcome, articles_import_text
from tests.factories import (
    AliasFactory,
    ArticleFactory,
    MeetingFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)
from tests.importing.corpus import curated, curated_article

pytestmark = pytest.mark.django_db

SEEDS = sorted((Path(settings.BASE_DIR) / "seeds").glob("*.txt"))
VIETNAMPLUS = (
    "https://www.vietnamplus.vn/doi-thoai-cap-thu-truong-ngoai-giao-quoc-phong-"
    "viet-nam-nhat-ban-22-lan-thu-nhat-post1081011.vnp"
)
# What an editor should find after importing the five seeds, by seed number.
EXPECTED = {
    "000": ("2025-02-26", Precision.DAY, "mindef-malaysia", "ms"),
    "001": ("2025-09-22", Precision.DAY, "bernama", "ms"),
    "002": ("2021-01-23", Precision.DAY, None, "ms"),
    "003": ("2023", Precision.YEAR, "tribun-bali", "id"),
    "004": ("", None, "vietnamplus", "id"),
}


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def seed_files() -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in SEEDS}


def seeds_zip() -> bytes:
    return zip_of(seed_files())


def by_seed(articles) -> dict[str, Article]:
    """Imported articles keyed "000" … "004" by the file they came from."""
    return {Path(a.imported_from).name[:3]: a for a in articles}


def import_seeds(user, *, dry_run=False, files=None):
    return articles_import_text(
        files=files or [("seeds.zip", seeds_zip())], user=user, dry_run=dry_run
    )


def counts() -> tuple[int, int, int, int]:
    return (
        Article.objects.count(),
        Mention.objects.count(),
        Version.objects.count(),
        Revision.objects.count(),
    )


# The seed files ----------------------------------------------------------------------


def test_the_five_seeds_as_a_zip_become_five_drafts_with_dates_outlets_and_languages(
    desk, editor
):
    report = import_seeds(editor)
    assert len(report.imported) == 5
    assert not report.duplicates and not report.errors
    articles = by_seed(Article.objects.select_related("outlet"))
    assert sorted(articles) == sorted(EXPECTED)
    for seed, (published, precision, outlet, language) in EXPECTED.items():
        article = articles[seed]
        assert article.published == published, seed
        assert (article.published.precision if published else None) == precision
        assert (article.outlet.slug if article.outlet else None) == outlet, seed
        assert article.language == language, seed
        assert article.imported_from == f"seeds.zip/{SEEDS[int(seed)].name}"
        assert article.body == curated_article(seed)["body"]
        assert article.content_hash == Article.hash_text(article.body)
    assert articles["004"].url == VIETNAMPLUS


def test_nothing_is_published_or_linked_by_an_import(desk, editor):
    import_seeds(editor)
    assert set(Article.objects.values_list("status", flat=True)) == {
        EditorialStatus.DRAFT
    }
    assert not Article.objects.published().exists()
    assert not Article.objects.filter(published_at__isnull=False).exists()
    assert not Article.actors.through.objects.exists()
    assert not Article.meetings.through.objects.exists()
    assert Mention.objects.exists()
    assert not Mention.objects.filter(actor__isnull=False).exists()
    assert not Mention.objects.filter(meeting__isnull=False).exists()
    assert not Mention.objects.filter(confirmed_by__isnull=False).exists()


def test_the_curated_actors_and_meetings_are_proposed_as_mentions(desk, editor):
    import_seeds(editor)
    articles = by_seed(Article.objects.all())
    proposed = Mention.objects.filter(proposed_actor__slug="mohamed-khaled-nordin")
    assert {m.article_id for m in proposed} == {
        articles["000"].pk,
        articles["001"].pk,
    }
    assert Mention.objects.filter(
        article=articles["003"],
        proposed_meeting__slug="somtc-wg-ct-19",
        text="19th SOMTC WG on CT",
    ).exists()
    assert Mention.objects.filter(
        article=articles["000"], proposed_meeting__slug="admm-retreat-2025"
    ).exists()
    # Every mention the editors curated for a seed is proposed for its import.
    for seed, article in articles.items():
        curated_pk = curated_article(seed)["pk"]
        expected = {
            (r["fields"]["start"], r["fields"]["end"], r["fields"]["actor"])
            for r in curated("mention")
            if r["fields"]["article"] == curated_pk
        }
        found = set(article.mentions.values_list("start", "end", "proposed_actor_id"))
        assert expected <= found, seed


def test_each_mention_is_the_text_at_its_span_with_its_match_score(desk, editor):
    import_seeds(editor)
    for mention in Mention.objects.select_related("article"):
        assert mention.article.body[mention.start : mention.end] == mention.text
        assert (mention.proposed_actor_id is None) != (
            mention.proposed_meeting_id is None
        )
        assert 0 < mention.similarity <= 100


def test_the_date_warnings_become_the_articles_note_on_its_date(desk, editor):
    import_seeds(editor)
    articles = by_seed(Article.objects.all())
    assert articles["000"].date_note == ""
    assert "no publication date" in articles["003"].date_note
    assert "2023" in articles["003"].date_note
    assert "4 Desember" in articles["004"].date_note


def test_reimporting_the_same_zip_reports_five_duplicates_and_writes_nothing(
    desk, editor
):
    import_seeds(editor)
    before = counts()
    report = import_seeds(editor)
    assert len(report.duplicates) == 5
    assert not report.imported
    assert counts() == before
    assert all("already on the desk" in file.message for file in report.duplicates)
    assert {f.duplicate_of.pk for f in report.duplicates} == set(
        Article.objects.values_list("pk", flat=True)
    )


def test_the_curated_seed_articles_themselves_count_as_duplicates(seed_corpus, editor):
    report = import_seeds(editor, dry_run=True)
    assert len(report.duplicates) == 5


def test_the_same_text_twice_in_one_batch_is_imported_once(desk, editor):
    data = SEEDS[0].read_bytes()
    report = import_seeds(editor, files=[("a.txt", data), ("b.txt", data)])
    assert [f.outcome for f in report.files] == [
        ImportOutcome.IMPORTED,
        ImportOutcome.DUPLICATE,
    ]
    assert "a.txt" in report.files[1].message
    assert Article.objects.count() == 1


def test_a_text_whose_url_is_on_the_desk_is_a_duplicate(desk, editor):
    ArticleFactory(url=VIETNAMPLUS, title="Already here")
    report = import_seeds(editor, dry_run=True)
    (duplicate,) = report.duplicates
    assert duplicate.name.endswith(SEEDS[4].name)
    assert "URL" in duplicate.message and "Already here" in duplicate.message


def test_a_slug_taken_on_the_desk_gets_a_number(desk, editor):
    ArticleFactory(
        slug="adgmin1-asean-komited-kukuh-kerjasama-bersama-rakan-dialog-dan"
    )
    ArticleFactory(
        slug="adgmin1-asean-komited-kukuh-kerjasama-bersama-rakan-dialog-dan-pembangunan"
    )
    import_seeds(editor, files=[("002.txt", SEEDS[2].read_bytes())])
    article = Article.objects.get(imported_from="002.txt")
    assert article.slug == (
        "adgmin1-asean-komited-kukuh-kerjasama-bersama-rakan-dialog-dan-pembangunan-2"
    )


def test_an_outlet_that_is_not_curated_is_left_empty_with_a_warning(desk, editor):
    text = SEEDS[1].read_text("utf-8").replace("Bernama", "Reuters")
    report = import_seeds(editor, files=[("x.txt", text.encode())])
    (file,) = report.imported
    assert file.article.outlet is None
    assert any("“Reuters” is not a curated actor" in w for w in file.parsed.warnings)


# The dry run and the history --------------------------------------------------------


def test_the_dry_run_writes_nothing_not_even_history(desk, editor):
    before = counts()
    report = import_seeds(editor, dry_run=True)
    assert len(report.ready) == 5
    assert counts() == before
    # The preview still shows each draft as it would be saved.
    assert all(file.article.pk is None for file in report.ready)
    assert {file.article.language for file in report.ready} == {"ms", "id"}


def test_the_history_records_the_importing_user_and_the_file(desk, editor):
    import_seeds(editor)
    article = Article.objects.get(imported_from__endswith=SEEDS[0].name)
    (version,) = Version.objects.get_for_object(article)
    assert version.revision.user == editor
    assert version.revision.comment == f"Imported from seeds.zip/{SEEDS[0].name}"
    # The article's mentions are in the same revision, so that reverting the
    # import takes its proposals with it.
    in_revision = version.revision.version_set.filter(
        content_type__model="mention"
    ).count()
    assert in_revision == article.mentions.count() > 0


def test_an_import_by_the_system_has_no_user_in_its_history(desk):
    articles_import_text(
        files=[("001.txt", SEEDS[1].read_bytes())], user=None, dry_run=False
    )
    assert Revision.objects.get().user is None


# All or nothing -----------------------------------------------------------------------


def test_a_failure_while_saving_rolls_back_the_whole_batch(desk, editor, monkeypatch):
    calls = []
    record_save = services.record_save

    def failing(**kwargs):
        calls.append(kwargs["instance"])
        if len(calls) == 3:
            raise ValidationError("The disk is on fire.")
        return record_save(**kwargs)

    monkeypatch.setattr(services, "record_save", failing)
    before = counts()
    with pytest.raises(ImportFailed) as failure:
        import_seeds(editor)
    assert counts() == before == (0, 0, 0, 0)
    assert "Nothing was imported" in str(failure.value)
    assert SEEDS[2].name in str(failure.value)
    assert "disk is on fire" in str(failure.value)


def test_a_user_who_may_not_add_articles_cannot_import(desk, outsider):
    with pytest.raises(PermissionDenied):
        import_seeds(outsider, dry_run=True)


def test_an_import_never_publishes_even_for_a_publisher(desk, publisher):
    import_seeds(publisher)
    assert not Article.objects.published().exists()


# Bad input ---------------------------------------------------------------------------


def symlink_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("link.txt")
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def patched_zip(members: dict[str, bytes], fields: dict[int, bytes]) -> bytes:
    """A one-member zip with bytes of its headers overwritten: `fields` maps an
    offset in the local header to the new bytes; the central directory's copy
    of the same field lies two bytes further on."""
    data = bytearray(zip_of(members))
    for offset, value in fields.items():
        for signature, shift in ((b"PK\x03\x04", 0), (b"PK\x01\x02", 2)):
            at = data.index(signature) + offset + shift
            data[at : at + len(value)] = value
    return bytes(data)


def encrypted_zip() -> bytes:
    # The general-purpose flag's bit 0: zipfile writes no encrypted members.
    return patched_zip({"secret.txt": b"Berita"}, {6: struct.pack("<H", 1)})


def lying_zip() -> bytes:
    """A member whose headers declare 10 bytes but which unpacks to far more."""
    return patched_zip({"liar.txt": b"Berita " * 5000}, {22: struct.pack("<I", 10)})


BAD_FILES = {
    "an empty file": ("empty.txt", b"", "empty"),
    "a file of blanks": ("blank.txt", b"  \n\n ", "empty"),
    "a binary file named .txt": (
        "photo.txt",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00",
        "binary",
    ),
    "a PDF named .txt": ("report.txt", b"%PDF-1.4\n%\xe2\xe3", "a PDF document"),
    "a file that is neither .txt nor .zip": ("report.pdf", b"%PDF-1.4", ".txt"),
    "a text named .zip": ("notes.zip", b"Just text.", "not a zip"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_is_reported_by_name_and_the_good_ones_go_on(desk, editor, case):
    name, data, words = BAD_FILES[case]
    files = [("000.txt", SEEDS[0].read_bytes()), (name, data)]
    report = import_seeds(editor, files=files)
    (error,) = report.errors
    assert error.name == name
    assert words in error.message
    assert [f.name for f in report.imported] == ["000.txt"]
    assert Article.objects.count() == 1


def test_a_file_over_the_size_limit_is_refused(desk, editor, settings):
    settings.IMPORT_TEXT_MAX_BYTES = 1000
    report = import_seeds(editor, files=[("big.txt", SEEDS[0].read_bytes())])
    (error,) = report.errors
    assert error.name == "big.txt"
    assert "over the limit of 1,000 bytes" in error.message


def test_a_windows_1252_file_is_read_with_a_warning(desk, editor):
    text = (
        SEEDS[1].read_text("utf-8").replace("–", "-") + "\nCaf\u00e9 \u201cquoted\u201d"
    )
    report = import_seeds(
        editor, files=[("old.txt", text.encode("cp1252"))], dry_run=True
    )
    (file,) = report.ready
    assert file.parsed.encoding == "cp1252"
    assert any("not UTF-8" in warning for warning in file.parsed.warnings)


BAD_MEMBERS = {
    "a parent-directory name": ("../evil.txt", b"text", "outside the archive"),
    "a nested parent-directory name": ("a/../../evil.txt", b"text", "outside"),
    "an absolute name": ("/etc/evil.txt", b"text", "outside the archive"),
    "a backslash name": ("..\\evil.txt", b"text", "outside the archive"),
    "a drive letter": ("C:/evil.txt", b"text", "outside the archive"),
    "a member that is not .txt": ("photo.jpg", b"\xff\xd8\xff", ".txt"),
    "a binary member": ("binary.txt", b"\x00\x01\x02" * 20, "binary"),
    "an empty member": ("empty.txt", b"", "empty"),
}


@pytest.mark.parametrize("case", list(BAD_MEMBERS))
def test_a_bad_member_of_a_zip_is_refused_by_name(desk, editor, case):
    member, data, words = BAD_MEMBERS[case]
    archive = zip_of({**seed_files(), member: data})
    report = import_seeds(editor, files=[("batch.zip", archive)])
    (error,) = report.errors
    assert error.name == f"batch.zip/{member}"
    assert words in error.message
    assert len(report.imported) == 5


@pytest.mark.parametrize(
    ("archive", "words"),
    [
        (symlink_zip, "symbolic link"),
        (encrypted_zip, "encrypted"),
        (lying_zip, "cannot be unpacked"),
    ],
    ids=["symlink", "encrypted", "lying about its size"],
)
def test_a_member_that_is_not_a_plain_file_is_refused(desk, editor, archive, words):
    report = import_seeds(editor, files=[("odd.zip", archive())], dry_run=True)
    (error,) = report.errors
    assert error.name.startswith("odd.zip/")
    assert words in error.message


def test_a_member_over_the_size_limit_is_refused(desk, editor, settings):
    settings.IMPORT_TEXT_MAX_BYTES = 4000
    report = import_seeds(editor, dry_run=True)
    # 000 (4,034 bytes) and 004 (7,221 bytes) are over; the rest fit.
    assert sorted(Path(f.name).name[:3] for f in report.errors) == ["000", "004"]
    assert all("over the limit" in f.message for f in report.errors)
    assert len(report.ready) == 3


def test_a_zip_with_too_many_members_is_refused_whole(desk, editor, settings):
    settings.IMPORT_ZIP_MAX_MEMBERS = 4
    report = import_seeds(editor, dry_run=True)
    (error,) = report.files
    assert error.name == "seeds.zip"
    assert "holds 5 files, more than the limit of 4" in error.message


def test_a_zip_bomb_is_refused_whole_before_anything_is_unpacked(desk, editor):
    # 60 MiB of zeros pack to some 60 kB; the default limit is 50 MiB unpacked.
    bomb = zip_of({"zeros.txt": bytes(60 * 1024 * 1024), **seed_files()})
    assert len(bomb) < 1024 * 1024
    report = import_seeds(editor, files=[("bomb.zip", bomb)], dry_run=True)
    (error,) = report.files
    assert error.name == "bomb.zip"
    assert "more than the limit of 52,428,800 bytes" in error.message


def test_a_zip_of_directories_only_is_refused(desk, editor):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("articles/", b"")
    report = import_seeds(editor, files=[("empty.zip", buffer.getvalue())])
    (error,) = report.files
    assert "holds no files" in error.message


def test_folders_inside_a_zip_are_fine_and_macos_leftovers_are_ignored(desk, editor):
    members = {f"2025/{name}": data for name, data in seed_files().items()}
    members["__MACOSX/2025/._000.txt"] = b"\x00\x05\x16\x07binary"
    report = import_seeds(editor, files=[("mac.zip", zip_of(members))], dry_run=True)
    assert len(report.ready) == 5
    assert not report.errors


# The admin page -----------------------------------------------------------------------

UPLOAD = reverse("admin:briefings_article_import_text")
CONFIRM = reverse("admin:briefings_article_import_text_confirm")
CHANGELIST = reverse("admin:briefings_article_changelist")


def upload(client, name="seeds.zip", data=None):
    data = seeds_zip() if data is None else data
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, data)})


def confirm(client, preview):
    return client.post(
        CONFIRM, {"token": preview.context["confirm_form"]["token"].value()}
    )


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_article_changelist_links_to_the_text_import(client, editor):
    client.force_login(editor)
    html = client.get(CHANGELIST).content.decode()
    assert UPLOAD in html
    assert "Import text articles" in html
    # The tabular import and export are still there.
    assert reverse("admin:briefings_article_import") in html
    assert reverse("admin:briefings_article_export") in html


def test_the_upload_form_accepts_txt_and_zip(client, editor):
    client.force_login(editor)
    response = client.get(UPLOAD)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'accept=".txt,.zip' in html
    assert "csrfmiddlewaretoken" in html


def test_an_outsider_is_sent_to_the_login_page(client, outsider):
    client.force_login(outsider)
    for url in (UPLOAD, CONFIRM):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def test_staff_who_may_not_add_articles_are_refused(client):
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(viewer)
    assert UPLOAD not in client.get(CHANGELIST).content.decode()
    assert client.get(UPLOAD).status_code == 403
    assert upload(client).status_code == 403
    assert client.post(CONFIRM, {"token": "x"}).status_code == 403


def test_the_preview_shows_what_was_read_and_saves_nothing(desk, client, editor):
    client.force_login(editor)
    before = counts()
    response = upload(client)
    assert response.status_code == 200
    html = response.content.decode()
    assert counts() == before
    for text in (
        "SESI PERMUKIMAN MENTERI-MENTERI PERTAHANAN ASEAN TAHUN 2025",
        "26 February 2025",
        "precision: day",
        "“26 Februari 2025”",
        "the dateline",
        "precision: year",
        "Ministry of Defence (Malaysia)",
        "Bernama",
        "Tribun Bali",
        VIETNAMPLUS,
        "Malay (ms)",
        "Indonesian (id)",
        "characters in",
        "Mohamed Khaled bin Nordin",
        "19th SOMTC WG on CT",
        "The text states no publication date.",
        "Import 5 articles as drafts",
    ):
        assert text in html, text
    person = reverse("admin:briefings_actor_change", args=[41])
    meeting = reverse("admin:briefings_meeting_change", args=[10])
    assert f'href="{person}"' in html
    assert f'href="{meeting}"' in html


def test_the_preview_names_the_other_records_a_name_may_mean(client, editor):
    malaysia, indonesia = OrganisationFactory.create_batch(2)
    for ministry in (malaysia, indonesia):
        AliasFactory(actor=ministry, name="Kementerian Pertahanan")
    text = (
        "Kerjasama pertahanan diperkukuh\n\n"
        "Kementerian Pertahanan menganjurkan mesyuarat tahunan dengan rakan "
        "serantau untuk membincangkan kerjasama keselamatan maritim dan siber.\n"
    )
    client.force_login(editor)
    html = upload(client, "ministry.txt", text.encode()).content.decode()
    assert "Other records of this name:" in html
    for ministry in (malaysia, indonesia):
        url = reverse("admin:briefings_actor_change", args=[ministry.pk])
        assert f'href="{url}"' in html


def test_confirming_saves_the_drafts_and_shows_them_in_the_changelist(
    desk, client, editor
):
    client.force_login(editor)
    response = confirm(client, upload(client))
    assert response.status_code == 302
    assert response.url.startswith(f"{CHANGELIST}?id__in=")
    assert Article.objects.filter(status=EditorialStatus.DRAFT).count() == 5
    changelist = client.get(response.url)
    assert len(changelist.context["cl"].result_list) == 5
    assert "Imported 5 articles as drafts." in messages_of(changelist)
    assert Revision.objects.filter(user=editor).count() == 5


def test_confirming_a_batch_with_a_bad_file_imports_the_rest_and_names_it(
    desk, client, editor
):
    client.force_login(editor)
    archive = zip_of({**seed_files(), "../evil.txt": b"x", "empty.txt": b""})
    preview = upload(client, "batch.zip", archive)
    html = preview.content.decode()
    assert "batch.zip/../evil.txt" in html
    assert "batch.zip/empty.txt" in html
    assert "Import 5 articles as drafts" in html
    response = confirm(client, preview)
    assert Article.objects.count() == 5
    shown = messages_of(client.get(response.url))
    assert (
        "Imported 5 articles as drafts. Skipped: 2 files that cannot be imported."
        in shown
    )
    assert any(message.startswith("batch.zip/../evil.txt:") for message in shown)


def test_the_confirmation_reads_the_upload_again_and_skips_what_arrived_meanwhile(
    desk, client, editor
):
    client.force_login(editor)
    preview = upload(client)
    import_seeds(editor, files=[("001.txt", SEEDS[1].read_bytes())])
    response = confirm(client, preview)
    assert Article.objects.count() == 5
    shown = messages_of(client.get(response.url))
    assert "Imported 4 articles as drafts. Skipped: 1 duplicate." in shown


def test_a_preview_with_nothing_to_import_offers_no_confirmation(client, editor):
    client.force_login(editor)
    response = upload(client, "empty.txt", b"")
    html = response.content.decode()
    assert "Nothing in this upload can be imported." in html
    assert "empty.txt" in html and "the file is empty." in html
    assert 'id="confirm-import"' not in html


def test_an_expired_upload_asks_to_upload_again(desk, client, editor):
    client.force_login(editor)
    preview = upload(client)
    cache.clear()
    response = confirm(client, preview)
    assert response.status_code == 302
    assert response.url == UPLOAD
    assert any("upload it again" in m for m in messages_of(client.get(UPLOAD)))
    assert Article.objects.count() == 0


def test_confirming_twice_imports_once(desk, client, editor):
    client.force_login(editor)
    preview = upload(client)
    confirm(client, preview)
    response = confirm(client, preview)
    assert response.url == UPLOAD
    assert Article.objects.count() == 5


def test_another_editors_token_confirms_nothing(desk, client, editor, publisher):
    client.force_login(editor)
    preview = upload(client)
    client.force_login(publisher)
    response = confirm(client, preview)
    assert response.url == UPLOAD
    assert Article.objects.count() == 0


def test_a_failed_confirmation_says_nothing_was_imported(
    desk, client, editor, monkeypatch
):
    client.force_login(editor)
    preview = upload(client)

    def failing(**kwargs):
        raise ValidationError("The disk is on fire.")

    monkeypatch.setattr(services, "record_save", failing)
    response = confirm(client, preview)
    assert response.url == UPLOAD
    assert counts() == (0, 0, 0, 0)
    shown = messages_of(client.get(UPLOAD))
    assert any("Nothing was imported" in message for message in shown)


def test_the_preview_keeps_the_upload_in_the_cache_not_on_disk(desk, client, editor):
    client.force_login(editor)
    data = seeds_zip()
    preview = upload(client, data=data)
    token = preview.context["confirm_form"]["token"].value()
    assert cache.get(f"briefings:text-import:{editor.pk}:{token}") == [
        ("seeds.zip", data)
    ]


# Confirming proposals -----------------------------------------------------------------


def proposed_mentions(n=2):
    article = ArticleFactory(status=EditorialStatus.DRAFT, body="Ali met at ADMM. " * 2)
    person, meeting = PersonFactory(name="Ali"), MeetingFactory(short_name="ADMM")
    return (
        article,
        person,
        meeting,
        [
            Mention.objects.create(
                article=article, start=0, end=3, text="Ali", proposed_actor=person
            ),
            Mention.objects.create(
                article=article,
                start=11,
                end=15,
                text="ADMM",
                proposed_meeting=meeting,
                similarity=100,
            ),
        ][:n],
    )


def test_accepting_a_proposal_links_the_mention_and_its_article(editor):
    article, person, meeting, mentions = proposed_mentions()
    accepted = services.mentions_accept_proposals(mentions=mentions, user=editor)
    assert accepted == 2
    ali, admm = Mention.objects.order_by("start")
    assert (ali.actor, ali.confirmed_by) == (person, editor)
    assert (admm.meeting, admm.confirmed_by) == (meeting, editor)
    assert ali.confirmed_at is not None
    assert list(article.actors.all()) == [person]
    assert list(article.meetings.all()) == [meeting]
    revision = Revision.objects.get()
    assert revision.user == editor
    assert revision.version_set.count() == 3


def test_accepting_leaves_resolved_mentions_and_mentions_without_proposal_alone(editor):
    article, _person, _meeting, (ali, admm) = proposed_mentions()
    other = PersonFactory()
    Mention.objects.filter(pk=ali.pk).update(actor=other)
    ali.refresh_from_db()
    bare = Mention.objects.create(article=article, start=4, end=7, text="met")
    assert (
        services.mentions_accept_proposals(mentions=[ali, admm, bare], user=editor) == 1
    )
    ali.refresh_from_db()
    assert ali.actor == other


def test_only_a_person_with_permission_accepts_a_proposal(outsider):
    *_, mentions = proposed_mentions()
    for user in (None, outsider):
        with pytest.raises(PermissionDenied):
            services.mentions_accept_proposals(mentions=mentions, user=user)
    assert not Mention.objects.filter(actor__isnull=False).exists()


def test_the_mention_admin_action_accepts_the_proposals(client, editor):
    article, person, _meeting, mentions = proposed_mentions()
    client.force_login(editor)
    url = reverse("admin:briefings_mention_changelist")
    response = client.post(
        url,
        {
            "action": "accept_proposals",
            "_selected_action": [m.pk for m in mentions],
        },
    )
    assert response.status_code == 302
    assert list(article.actors.all()) == [person]
    assert any("Linked 2 mentions" in m for m in messages_of(client.get(url)))


def test_accepting_proposals_over_a_concurrent_save_links_nothing_and_says_so(
    client, editor, monkeypatch
):
    # Another editor saves the article between the action reading it and
    # linking it: the links are not saved over that change, and the editor is
    # told to try again, not shown a server error.
    article, _person, _meeting, mentions = proposed_mentions()
    read = Article.objects.in_bulk

    def read_then_someone_saves(*args, **kwargs):
        loaded = read(*args, **kwargs)
        Article.objects.filter(pk__in=loaded).update(version=F("version") + 1)
        return loaded

    monkeypatch.setattr(Article.objects, "in_bulk", read_then_someone_saves)
    client.force_login(editor)
    url = reverse("admin:briefings_mention_changelist")
    response = client.post(
        url,
        {"action": "accept_proposals", "_selected_action": [m.pk for m in mentions]},
    )

    assert response.status_code == 302
    assert not article.actors.exists()
    assert not Mention.objects.filter(confirmed_by__isnull=False).exists()
    assert any("Nothing was linked" in m for m in messages_of(client.get(url)))


def test_mentions_filter_by_proposals_awaiting_confirmation(admin_client, editor):
    _article, _person, _meeting, (ali, admm) = proposed_mentions()
    services.mentions_accept_proposals(mentions=[admm], user=editor)
    url = reverse("admin:briefings_mention_changelist")
    response = admin_client.get(url, {"proposal": "awaiting"})
    assert list(response.context["cl"].result_list) == [ali]
    response = admin_client.get(url, {"proposal": "meeting"})
    assert list(response.context["cl"].result_list) == [admm]
