"""Tabular import and export: round trips, row errors, permissions, history, queries."""

import csv
import io

import pytest
import tablib
from django.db import connection
from django.test.utils import CaptureQueriesContext
from reversion.models import Version

from briefings.models import (
    Actor,
    Article,
    Commitment,
    EditorialStatus,
    Meeting,
    OrganisationType,
    Topic,
)
from briefings.resources import (
    CSV,
    JSON,
    XLSX,
    ActorResource,
    ArticleResource,
    CommitmentResource,
    MeetingResource,
    TopicResource,
    UnreadableFile,
    import_errors,
)
from tests.factories import (
    ArticleFactory,
    CountryFactory,
    MeetingFactory,
    OrganisationFactory,
    PersonFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

FORMATS = {"csv": CSV, "xlsx": XLSX, "json": JSON}
# Each file after the records it points at.
IN_DEPENDENCY_ORDER = [
    TopicResource,
    ActorResource,
    MeetingResource,
    ArticleResource,
    CommitmentResource,
]
RELATIONS = {
    Topic: [],
    Actor: [],
    Meeting: ["topics"],
    Article: ["meetings", "actors", "topics"],
    Commitment: ["actors", "topics"],
}


# Helpers -------------------------------------------------------------------------


def export(resource_class, fmt="csv", queryset=None):
    return FORMATS[fmt]().export_data(resource_class().export(queryset))


def file_name(resource_class, fmt="csv"):
    return f"{resource_class._meta.model._meta.verbose_name_plural}.{fmt}"


def import_file(resource_class, data, *, user, fmt="csv", dry_run=False, **kwargs):
    """Import as the admin does: the file read by its format, with its name."""
    dataset = FORMATS[fmt](encoding="utf-8-sig").create_dataset(data)
    return resource_class().import_data(
        dataset,
        dry_run=dry_run,
        user=user,
        file_name=file_name(resource_class, fmt),
        **kwargs,
    )


def table(*rows):
    """A CSV file from a header row and data rows."""
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def snapshot(model):
    """Every field and relation of every record, relations by slug."""
    records = {}
    for obj in model.objects.all():
        values = {}
        for field in model._meta.concrete_fields:
            if field.name in ("id", "created_at", "updated_at"):
                continue
            value = getattr(obj, field.name)
            values[field.name] = value.slug if field.is_relation and value else value
        for name in RELATIONS[model]:
            values[name] = sorted(getattr(obj, name).values_list("slug", flat=True))
        records[obj.slug] = values
    return records


def clear_the_desk():
    """Delete the five record types and whatever hangs off them."""
    Commitment.objects.all().delete()
    Article.objects.all().delete()
    Meeting.objects.all().delete()
    Actor.objects.update(country=None, parent=None)
    Actor.objects.all().delete()
    Topic.objects.all().delete()


def totals(result):
    return {kind: n for kind, n in result.totals.items() if n}


# Round trips ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_an_export_of_the_seed_corpus_imports_back_into_an_empty_desk_unchanged(
    seed_corpus, publisher, fmt
):
    before = {r: snapshot(r._meta.model) for r in IN_DEPENDENCY_ORDER}
    files = {r: export(r, fmt) for r in IN_DEPENDENCY_ORDER}
    clear_the_desk()
    assert not Topic.objects.exists() and not Actor.objects.exists()

    for resource_class in IN_DEPENDENCY_ORDER:
        result = import_file(
            resource_class, files[resource_class], user=publisher, fmt=fmt
        )
        assert import_errors(result) == []
        assert totals(result) == {"new": len(before[resource_class])}

    for resource_class in IN_DEPENDENCY_ORDER:
        assert snapshot(resource_class._meta.model) == before[resource_class]


def test_an_article_keeps_its_text_verbatim_through_csv_and_xlsx(publisher):
    body = (
        "\nKUALA LUMPUR, 26 Feb – “Kerjasama” diperkukuh.\n\n\xa0Baris kedua. 東南亞\n"
    )
    ArticleFactory(slug="verbatim", body=body, published="--12-04")
    for fmt in ("csv", "xlsx"):
        data = export(ArticleResource, fmt)
        Article.objects.all().delete()
        result = import_file(ArticleResource, data, user=publisher, fmt=fmt)
        assert import_errors(result) == []
        article = Article.objects.get(slug="verbatim")
        assert article.body == body
        assert article.content_hash == Article.hash_text(body)
        assert article.published == "--12-04"


def test_crlf_line_ends_in_a_text_become_lf_as_in_the_admin_form(publisher):
    data = table(
        ("slug", "title", "language", "body"),
        ("crlf", "Windows", "ms", "Baris satu.\r\nBaris dua."),
    )
    import_file(ArticleResource, data, user=publisher)
    assert Article.objects.get(slug="crlf").body == "Baris satu.\nBaris dua."


def test_the_exported_hash_is_read_only_and_recomputed_from_the_text(publisher):
    data = table(
        ("slug", "title", "language", "body", "content_hash"),
        ("hashed", "Hash", "ms", "Teks asal.", "0" * 64),
    )
    assert import_errors(import_file(ArticleResource, data, user=publisher)) == []
    assert Article.objects.get().content_hash == Article.hash_text("Teks asal.")


# Re-importing ----------------------------------------------------------------------


def test_importing_the_same_file_again_skips_every_row_and_records_nothing(
    seed_corpus, publisher
):
    data = table(
        ("slug", "name", "format", "start", "end", "country", "topics", "status"),
        (
            "retreat",
            "Retreat",
            "multilateral",
            "2025-02",
            "",
            "MY",
            "hadr,cybersecurity",
            "draft",
        ),
        (
            "talks",
            "Talks",
            "bilateral",
            "--12-04",
            "--12-04",
            "vietnam",
            "",
            "published",
        ),
    )
    first = import_file(MeetingResource, data, user=publisher)
    assert totals(first) == {"new": 2}
    versions = Version.objects.count()
    stamps = dict(Meeting.objects.values_list("slug", "updated_at"))

    second = import_file(MeetingResource, data, user=publisher)

    assert totals(second) == {"skip": 2}
    assert [row.import_type for row in second.rows] == ["skip", "skip"]
    assert Version.objects.count() == versions
    assert dict(Meeting.objects.values_list("slug", "updated_at")) == stamps


@pytest.mark.parametrize("resource_class", IN_DEPENDENCY_ORDER)
def test_the_seed_corpus_imported_over_itself_is_skipped_row_by_row(
    seed_corpus, publisher, resource_class
):
    result = import_file(resource_class, export(resource_class), user=publisher)
    assert totals(result) == {"skip": resource_class._meta.model.objects.count()}
    assert not Version.objects.exists()


def test_a_changed_row_is_an_update_and_the_rest_are_skipped(seed_corpus, publisher):
    dataset = ArticleResource().export()
    titles = dataset["title"]
    titles[0] = titles[0] + " (corrected)"
    del dataset["title"]
    dataset.append_col(titles, header="title")
    result = import_file(ArticleResource, dataset.csv, user=publisher)
    assert totals(result) == {"update": 1, "skip": 4}


def test_a_blank_first_published_keeps_the_recorded_one(seed_corpus, publisher):
    topic = Topic.objects.get(slug="cybersecurity")
    data = table(
        ("slug", "name", "status", "published_at"),
        ("cybersecurity", topic.name, "published", ""),
    )
    result = import_file(TopicResource, data, user=publisher)
    assert totals(result) == {"skip": 1}
    assert Topic.objects.get(slug="cybersecurity").published_at == topic.published_at


# Relations -------------------------------------------------------------------------


def test_articles_without_their_related_records_are_refused_row_by_row(
    seed_corpus, publisher
):
    data = export(ArticleResource)
    clear_the_desk()

    result = import_file(ArticleResource, data, user=publisher)

    assert not Article.objects.exists()
    errors = import_errors(result)
    assert result.totals["invalid"] == 5
    assert (
        "articles.csv, row 1, column “outlet”: No actor has the slug “mindef-malaysia”."
        in errors
    )
    assert any(
        line.startswith("articles.csv, row 1, column “meetings”: No meetings have")
        and "“admm-retreat-2025”" in line
        for line in errors
    )
    assert any(
        line.startswith("articles.csv, row 5, column “topics”:") for line in errors
    )


def test_an_unknown_slug_is_an_error_naming_the_column_and_the_value(publisher):
    TopicFactory(slug="hadr")
    data = table(
        ("slug", "name", "format", "topics", "reports_to"),
        ("somtc", "SOMTC", "multilateral", "hadr, no-such-topic", "no-such-meeting"),
    )
    result = import_file(MeetingResource, data, user=publisher)
    assert sorted(import_errors(result)) == [
        "meetings.csv, row 1, column “reports_to”: No meeting has the slug "
        "“no-such-meeting”.",
        "meetings.csv, row 1, column “topics”: No topic has the slug “no-such-topic”.",
    ]
    assert not Meeting.objects.exists()


def test_a_country_is_found_by_its_slug_or_its_iso_code(publisher):
    malaysia = CountryFactory(slug="malaysia", iso_code="MY")
    indonesia = CountryFactory(slug="indonesia", iso_code="ID")
    data = table(
        ("slug", "kind", "name", "country"),
        ("khaled", "person", "Mohamed Khaled Nordin", "MY"),
        ("listyo", "person", "Listyo Sigit Prabowo", "indonesia"),
        ("wirajuda", "person", "Hassan Wirajuda", "id"),
    )
    result = import_file(ActorResource, data, user=publisher)
    assert import_errors(result) == []
    assert Actor.objects.get(slug="khaled").country == malaysia
    assert Actor.objects.get(slug="listyo").country == indonesia
    assert Actor.objects.get(slug="wirajuda").country == indonesia


def test_a_country_column_refuses_an_actor_that_is_not_a_country(publisher):
    PersonFactory(slug="khaled")
    data = table(
        ("slug", "name", "format", "country"), ("m", "M", "bilateral", "khaled")
    )
    result = import_file(MeetingResource, data, user=publisher)
    assert import_errors(result) == [
        "meetings.csv, row 1, column “country”: “khaled” is not a country."
    ]


def test_a_row_may_point_at_a_record_that_a_later_row_of_the_file_creates(publisher):
    data = table(
        ("slug", "kind", "organisation_type", "name", "country", "parent", "iso_code"),
        ("divhubinter", "organisation", "police", "Divhubinter", "ID", "polri", ""),
        ("polri", "organisation", "police", "Polri", "indonesia", "", ""),
        ("indonesia", "country", "", "Indonesia", "", "", "ID"),
    )
    result = import_file(ActorResource, data, user=publisher)
    assert import_errors(result) == []
    # Reported in the file's order, though imported country first.
    assert [row.object_repr for row in result.rows] == [
        "Divhubinter",
        "Polri",
        "Indonesia (ID)",
    ]
    divhubinter = Actor.objects.get(slug="divhubinter")
    assert (divhubinter.parent.slug, divhubinter.country.slug) == ("polri", "indonesia")


def test_a_row_imported_ahead_is_reported_under_its_own_row_number(publisher):
    data = table(
        ("slug", "name", "format", "reports_to", "level"),
        ("wg", "Working group", "multilateral", "somtc", ""),
        ("somtc", "SOMTC", "multilateral", "", "plenary"),
    )
    result = import_file(MeetingResource, data, user=publisher)
    assert [row.number for row in result.invalid_rows] == [1, 2]
    assert import_errors(result) == [
        "meetings.csv, row 1, column “reports_to”: The meeting of row 2 could not "
        "be imported.",
        "meetings.csv, row 2, column “level”: Value 'plenary' is not a valid choice.",
    ]
    assert not Meeting.objects.exists()


def test_a_commitment_needs_at_least_one_actor(publisher):
    ArticleFactory(slug="source")
    data = table(
        ("slug", "title", "statement", "kind", "actors", "source_article"),
        ("pledge", "Pledge", "Kami berjanji.", "target", "", "source"),
    )
    result = import_file(CommitmentResource, data, user=publisher)
    assert import_errors(result) == [
        "commitments.csv, row 1, column “actors”: Name at least one actor."
    ]


# Bad input -------------------------------------------------------------------------


def test_a_file_without_a_required_column_is_refused_naming_the_column(publisher):
    data = table(("slug", "title", "language"), ("a", "A", "ms"))
    result = import_file(ArticleResource, data, user=publisher)
    assert result.has_errors()
    assert import_errors(result) == [
        "articles.csv has no column “body”, which the import needs."
    ]
    assert result.rows == []
    assert not Article.objects.exists()


def test_a_file_with_a_column_the_import_does_not_know_is_refused(publisher):
    data = table(("slug", "name", "descripton"), ("hadr", "HADR", "Disaster relief"))
    result = import_file(TopicResource, data, user=publisher)
    assert import_errors(result) == [
        "topics.csv has a column the import does not know: “descripton”."
    ]
    assert not Topic.objects.exists()


def test_a_file_that_names_a_slug_twice_is_refused(publisher):
    data = table(("slug", "name"), ("hadr", "HADR"), ("ai", "AI"), ("hadr", "Relief"))
    result = import_file(TopicResource, data, user=publisher)
    assert import_errors(result) == ["topics.csv has the slug “hadr” in rows 1, 3."]
    assert not Topic.objects.exists()


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("start", "2025-13", "'2025-13' has no month 13"),
        ("level", "plenary", "Value 'plenary' is not a valid choice."),
        ("end", "2025-02-25", "The meeting cannot end before it starts."),
        ("edition", "19th", "“19th” is not a whole number."),
    ],
)
def test_a_malformed_row_is_reported_with_its_number_and_nothing_is_written(
    publisher, column, value, message
):
    good = {"name": "ADMM", "format": "multilateral", "start": "2025-02-26"}
    header = ("slug", "name", "format", "start", "end", "level", "edition")

    def row(slug, **cells):
        values = good | cells
        return (slug, *(values.get(name, "") for name in header[1:]))

    data = table(
        header, row("one"), row("two"), row("bad", **{column: value}), row("four")
    )

    result = import_file(MeetingResource, data, user=publisher)

    assert not Meeting.objects.exists()
    [invalid] = result.invalid_rows
    assert invalid.number == 3
    assert any(message in line for line in import_errors(result))
    assert all(line.startswith("meetings.csv, row 3") for line in import_errors(result))


def test_a_failed_import_writes_nothing_even_when_told_to_keep_valid_rows(publisher):
    data = table(
        ("slug", "name", "status"), ("hadr", "HADR", "draft"), ("ai", "AI", "x")
    )
    result = import_file(
        TopicResource, data, user=publisher, rollback_on_validation_errors=False
    )
    assert result.has_validation_errors()
    assert not Topic.objects.exists()
    assert not Version.objects.exists()


def test_a_duplicate_article_text_is_a_row_error_naming_the_article(publisher):
    ArticleFactory(slug="first", title="First import", body="Teks yang sama.")
    data = table(
        ("slug", "title", "language", "body"),
        ("second", "Second import", "ms", "Teks yang sama."),
    )
    result = import_file(ArticleResource, data, user=publisher)
    assert import_errors(result) == [
        "articles.csv, row 1, column “body”: This text is already on the desk as "
        "“First import” (first)."
    ]


def test_a_text_twice_in_one_file_is_an_error_in_the_second_row_naming_the_first(
    publisher,
):
    data = table(
        ("slug", "title", "language", "body"),
        ("first", "First import", "ms", "Teks yang sama."),
        ("second", "Second import", "ms", "Teks yang sama."),
    )
    result = import_file(ArticleResource, data, user=publisher)
    assert import_errors(result) == [
        "articles.csv, row 2, column “body”: This text is already on the desk as "
        "“First import” (first)."
    ]
    assert not Article.objects.exists()


def test_a_url_twice_in_one_file_is_an_error_in_the_second_row(publisher):
    url = "https://www.bernama.com/news.php?id=1"
    data = table(
        ("slug", "title", "language", "body", "url"),
        ("first", "First", "ms", "Satu.", url),
        ("second", "Second", "ms", "Dua.", url),
    )
    result = import_file(ArticleResource, data, user=publisher)
    assert import_errors(result) == [
        "articles.csv, row 2: An article with this URL exists already."
    ]


def test_a_url_that_a_row_gives_up_may_be_taken_by_a_later_row(publisher):
    ArticleFactory(slug="old", url="https://example.org/1", body="Lama.")
    data = table(
        ("slug", "title", "language", "body", "url"),
        ("old", "Old", "ms", "Lama.", "https://example.org/2"),
        ("new", "New", "ms", "Baru.", "https://example.org/1"),
    )
    result = import_file(ArticleResource, data, user=publisher)
    assert import_errors(result) == []
    assert Article.objects.get(url="https://example.org/1").slug == "new"


def test_empty_urls_do_not_clash(publisher):
    ArticleFactory(url="")
    data = table(
        ("slug", "title", "language", "body", "url"),
        ("first", "First", "ms", "Satu.", ""),
        ("second", "Second", "ms", "Dua.", ""),
    )
    result = import_file(ArticleResource, data, user=publisher)
    assert totals(result) == {"new": 2}


def test_a_duplicate_url_is_a_row_error(publisher):
    ArticleFactory(url="https://www.bernama.com/news.php?id=1")
    data = table(
        ("slug", "title", "language", "body", "url"),
        ("again", "Again", "ms", "Lain.", "https://www.bernama.com/news.php?id=1"),
    )
    result = import_file(ArticleResource, data, user=publisher)
    assert import_errors(result) == [
        "articles.csv, row 1: An article with this URL exists already."
    ]


def test_a_byte_order_mark_does_not_hide_the_first_column(publisher):
    data = ("\ufeff" + table(("slug", "name"), ("hadr", "HADR"))).encode("utf-8")
    result = import_file(TopicResource, data, user=publisher)
    assert import_errors(result) == []
    assert Topic.objects.get().slug == "hadr"


def test_a_byte_order_mark_left_in_the_text_is_stripped_from_the_header(publisher):
    dataset = tablib.Dataset().load("\ufeffslug,name\nhadr,HADR\n", format="csv")
    assert dataset.headers[0] == "\ufeffslug"
    result = TopicResource().import_data(dataset, user=publisher, file_name="t.csv")
    assert import_errors(result) == []
    assert Topic.objects.get().slug == "hadr"


def test_a_ragged_csv_row_is_named():
    data = table(("slug", "name"), ("hadr", "HADR"), ("ai", "AI", "stray"))
    with pytest.raises(UnreadableFile, match="Row 2 has 3 cells"):
        CSV(encoding="utf-8-sig").create_dataset(data.encode())


def test_a_file_that_is_not_utf8_is_named_as_such():
    with pytest.raises(UnreadableFile, match="not UTF-8"):
        CSV(encoding="utf-8-sig").create_dataset(
            "slug,name\nai,Café\n".encode("cp1252")
        )


def test_an_xlsx_text_that_starts_with_an_equals_sign_stays_text(publisher):
    TopicFactory(slug="formula", description="=1+1 is not a formula")
    data = export(TopicResource, "xlsx")
    Topic.objects.all().delete()
    import_file(TopicResource, data, user=publisher, fmt="xlsx")
    assert Topic.objects.get().description == "=1+1 is not a formula"


# Permission ------------------------------------------------------------------------


def test_an_editor_cannot_publish_by_import(editor):
    data = table(("slug", "name", "status"), ("hadr", "HADR", "published"))
    result = import_file(TopicResource, data, user=editor)
    assert import_errors(result) == [
        "topics.csv, row 1, column “status”: You may not publish or withdraw topics."
    ]
    assert not Topic.objects.exists()


def test_an_editor_cannot_withdraw_by_import(editor):
    TopicFactory(slug="hadr", name="HADR", status=EditorialStatus.PUBLISHED)
    data = table(("slug", "name", "status"), ("hadr", "HADR", "draft"))
    result = import_file(TopicResource, data, user=editor)
    assert result.has_validation_errors()
    assert Topic.objects.get().is_published


def test_an_editor_may_import_drafts_and_leave_published_records_as_they_are(editor):
    TopicFactory(slug="hadr", name="HADR", status=EditorialStatus.PUBLISHED)
    data = table(
        ("slug", "name", "description", "status"),
        ("hadr", "HADR", "Relief", "published"),
        ("ai", "AI", "", "draft"),
    )
    result = import_file(TopicResource, data, user=editor)
    assert totals(result) == {"new": 1, "update": 1}


def test_an_editor_cannot_change_when_a_record_was_first_published(editor):
    TopicFactory(slug="hadr", name="HADR", status=EditorialStatus.DRAFT)
    data = table(
        ("slug", "name", "status", "published_at"),
        ("hadr", "HADR", "draft", "2025-02-26T09:00:00+08:00"),
    )
    result = import_file(TopicResource, data, user=editor)
    assert import_errors(result) == [
        "topics.csv, row 1, column “published_at”: You may not change when topics "
        "were first published."
    ]


def test_a_publisher_publishes_by_import_and_the_time_is_stamped(publisher):
    data = table(("slug", "name", "status"), ("hadr", "HADR", "published"))
    assert import_errors(import_file(TopicResource, data, user=publisher)) == []
    topic = Topic.objects.get()
    assert topic.is_published and topic.published_at is not None


# History ---------------------------------------------------------------------------


def test_a_dry_run_writes_nothing_and_records_no_version(publisher):
    data = table(("slug", "name"), ("hadr", "HADR"), ("ai", "AI"))
    result = import_file(TopicResource, data, user=publisher, dry_run=True)
    assert totals(result) == {"new": 2}
    assert not Topic.objects.exists()
    assert not Version.objects.exists()


def test_a_confirmed_import_is_one_revision_by_the_importing_user(publisher):
    TopicFactory(slug="hadr")
    data = table(("slug", "name"), ("hadr", "HADR"), ("ai", "AI"))
    import_file(TopicResource, data, user=publisher)
    versions = Version.objects.get_for_model(Topic)
    assert sorted(v.object_repr for v in versions) == ["AI", "HADR"]
    [revision] = {version.revision for version in versions}
    assert revision.user == publisher
    assert revision.comment == "Imported from topics.csv."


def test_each_new_article_has_a_version_with_its_relations(publisher):
    TopicFactory(slug="hadr")
    data = table(
        ("slug", "title", "language", "body", "topics"),
        ("one", "One", "ms", "Satu.", "hadr"),
        ("two", "Two", "ms", "Dua.", ""),
    )
    result = import_file(ArticleResource, data, user=publisher)
    topic = Topic.objects.get()
    for slug, topics in (("one", [topic.pk]), ("two", [])):
        article = Article.objects.get(slug=slug)
        [version] = Version.objects.get_for_object(article)
        assert version.field_dict["topics"] == topics
        assert version.revision.user == publisher
    # Each row reports the id of the article it inserted.
    ids = {row.object_id for row in result.rows}
    assert ids == set(Article.objects.values_list("pk", flat=True))


def test_a_version_carries_the_relations_set_by_the_row(publisher):
    TopicFactory(slug="hadr")
    data = table(("slug", "name", "format", "topics"), ("m", "M", "bilateral", "hadr"))
    import_file(MeetingResource, data, user=publisher)
    version = Version.objects.get_for_object(Meeting.objects.get())
    assert version.get().field_dict["topics"] == [Topic.objects.get().pk]


# Queries ---------------------------------------------------------------------------


def article_rows(n):
    """Articles that each name their own outlet, meeting, two actors and topic."""
    rows = [
        ("slug", "title", "language", "body", "outlet", "meetings", "actors", "topics")
    ]
    for i in range(n):
        outlet = OrganisationFactory(organisation_type=OrganisationType.NEWS_OUTLET)
        people = PersonFactory.create_batch(2)
        rows.append(
            (
                f"article-{n}-{i}",
                f"Article {i}",
                "ms",
                f"Teks {n}-{i}.",
                outlet.slug,
                MeetingFactory().slug,
                ",".join(person.slug for person in people),
                TopicFactory().slug,
            )
        )
    return table(*rows)


def test_a_hundred_rows_look_up_their_relations_in_as_many_queries_as_ten(publisher):
    counts = {}
    for n in (10, 100):
        data = article_rows(n)
        with CaptureQueriesContext(connection) as queries:
            result = import_file(ArticleResource, data, user=publisher, dry_run=True)
        assert totals(result) == {"new": n}
        lookups = [q["sql"] for q in queries if '"slug" IN (' in q["sql"]]
        counts[n] = (len(lookups), len(queries))
    # One query each for the actors (outlets and actors), the meetings and the
    # topics the file names, one for the articles it would update, and one for
    # those that hold its slugs already.
    assert counts[10][0] == counts[100][0] == 5
    # And none per row: the batch's savepoints and rollback (10), the five
    # look-ups, the articles that hold its texts already, the new articles
    # inserted together (SQLite splits a hundred into statements of at most
    # 999 values, hence the second count) and their links, one INSERT per
    # relation. Each row's checks read what was fetched.
    assert counts[10][1] == 10 + 5 + 1 + 1 + 3 + 1
    assert counts[100][1] == counts[10][1] + (connection.vendor == "sqlite")


def test_an_export_fetches_its_relations_per_chunk_of_a_hundred_rows():
    topic = TopicFactory()
    counts = []
    for n in (10, 90):
        for _ in range(n):
            article = ArticleFactory(outlet=OrganisationFactory())
            article.topics.add(topic)
            article.actors.add(PersonFactory())
            article.meetings.add(MeetingFactory())
        with CaptureQueriesContext(connection) as queries:
            dataset = ArticleResource().export()
        counts.append(len(queries))
        assert dataset.height == Article.objects.count()
    # The count for the chunks, the chunk of rows with its outlets joined, and
    # its meetings, actors and topics (prefetched).
    assert counts == [5, 5]


def test_the_preview_shows_what_a_row_changes_in_a_relation(publisher):
    meeting = MeetingFactory(slug="somtc", name="SOMTC")
    meeting.topics.add(TopicFactory(slug="hadr"))
    TopicFactory(slug="maritime-security")
    data = table(
        ("slug", "name", "format", "start", "topics"),
        ("somtc", "SOMTC", "multilateral", "2025-02-26", "maritime-security,hadr"),
    )
    result = import_file(MeetingResource, data, user=publisher, dry_run=True)
    [row] = result.rows
    assert row.import_type == "update"
    topics = row.diff[result.diff_headers.index("topics")]
    assert "<ins" in topics and "maritime-security" in topics
