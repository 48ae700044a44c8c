"""Full-text search (briefings/search.py) and the search page.

Every test runs on SQLite and on PostgreSQL. Where the two truly differ, the
test says so and asserts each one's behaviour: PostgreSQL stems words in each
article's own language (Indonesian for Indonesian and Malay, English); SQLite's
FTS5 folds case and diacritics but does not stem.
"""

from __future__ import annotations

import importlib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from briefings import search
from briefings.models import (
    Actor,
    ActorAlias,
    Article,
    EditorialStatus,
    Language,
)
from tests.factories import (
    AliasFactory,
    ArticleFactory,
    CommitmentFactory,
    CountryFactory,
    MeetingFactory,
    OrganisationFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

DRAFT = EditorialStatus.DRAFT
POSTGRESQL = "postgresql"


def vendor() -> str:
    return connection.vendor


def found(query: str, kind: str, user=None) -> list[str]:
    """Slugs of the records of one kind that a search finds, best first."""
    return [hit.record.slug for hit in search.search(query, user=user).of(kind)]


def article(title: str, body: str, **fields) -> Article:
    return ArticleFactory(
        title=title, body=body, content_hash=Article.hash_text(body), **fields
    )


def tags(html: str) -> set[str]:
    return set(re.findall(r"<[^>]*>", html))


# Language-aware matching -----------------------------------------------------------


def test_an_indonesian_article_is_found_by_another_form_of_its_words():
    article(
        "Latihan",
        "Kementerian Pertahanan menggelar latihan bersama.",
        slug="latihan",
        language=Language.INDONESIAN,
    )

    results = found("pertahanannya", "article")

    if vendor() == POSTGRESQL:
        # The indonesian stemmer takes both to "tahan".
        assert results == ["latihan"]
    else:
        # FTS5 does not stem: a form the text does not hold finds nothing.
        assert results == []


def test_an_english_article_is_found_by_the_plural_of_its_word():
    article(
        "Pledge",
        "Each minister restated the commitment to joint patrols.",
        slug="pledge",
        language=Language.ENGLISH,
    )

    assert found("commitment", "article") == ["pledge"]
    if vendor() == POSTGRESQL:
        assert found("commitments", "article") == ["pledge"]
    else:
        assert found("commitments", "article") == []


def test_each_article_is_stemmed_in_its_own_language():
    # The same words; only the Indonesian article is stemmed the Indonesian way.
    text = "Pertahanan udara dibahas."
    article("In Indonesian", text, slug="in-indonesian", language=Language.INDONESIAN)
    article("In English", text + " ", slug="in-english", language=Language.ENGLISH)

    if vendor() == POSTGRESQL:
        assert found("pertahanannya", "article") == ["in-indonesian"]
    assert sorted(found("pertahanan", "article")) == ["in-english", "in-indonesian"]


def test_a_malay_meeting_name_is_found_by_a_stemmed_form_and_as_typed():
    MeetingFactory(
        name="Defence Ministers' Retreat",
        name_local="Sesi Permukiman Menteri-Menteri Pertahanan",
        slug="retreat",
    )

    assert found("permukiman", "meeting") == ["retreat"]
    assert found("Defence Ministers", "meeting") == ["retreat"]
    if vendor() == POSTGRESQL:
        # Meetings have no language: each word may match its Indonesian stem.
        assert found("pertahanannya", "meeting") == ["retreat"]


def test_case_does_not_matter():
    article("Siber", "Keselamatan siber diperkukuh.", slug="siber")

    assert found("SIBER", "article") == found("siber", "article") == ["siber"]


def test_sqlite_folds_diacritics_and_postgresql_keeps_them():
    article(
        "Hợp tác",
        "Bộ Quốc phòng Việt Nam và Nhật Bản.",
        slug="viet",
        language=Language.VIETNAMESE,
    )

    assert found("Quốc phòng", "article") == ["viet"]
    if vendor() == POSTGRESQL:
        # The `simple` configuration keeps accents; no unaccent extension here.
        assert found("quoc phong", "article") == []
    else:
        assert found("quoc phong", "article") == ["viet"]


def test_the_last_word_also_matches_as_the_start_of_a_name():
    AliasFactory(actor=PersonFactory(name="Mohamed Khaled Nordin", slug="khaled"))

    assert found("Khal", "actor") == ["khaled"]
    assert found("khal nordin", "actor") == []  # only the last word is a prefix
    assert found("khal* nordin", "actor") == ["khaled"]


# The query language ------------------------------------------------------------------


@pytest.fixture
def three_articles():
    article("Siber", "Keselamatan siber serantau.", slug="cyber")
    article("Maritim", "Keselamatan maritim serantau.", slug="maritime")
    article("Siber dan maritim", "Siber, kemudian maritim.", slug="both")


def test_a_quoted_phrase_must_appear_as_written(three_articles):
    assert found('"keselamatan siber"', "article") == ["cyber"]


def test_a_minus_leaves_a_word_out(three_articles):
    assert sorted(found("siber -maritim", "article")) == ["cyber"]


def test_or_finds_either(three_articles):
    assert sorted(found("siber or maritim", "article")) == ["both", "cyber", "maritime"]


def test_a_query_of_exclusions_only_finds_nothing(three_articles):
    assert found("-siber", "article") == []


HOSTILE = [
    '"',
    '"unclosed phrase',
    "((siber",
    "siber)",
    "NEAR(siber maritim)",
    "siber NEAR maritim",
    "*",
    "sib*er*",
    "-",
    "--siber",
    "- - -",
    "siber\x00maritim",
    "\x00",
    "x" * 500,
    "siber " * 100,
    "🙂 🛫",
    "Tân Sơn Nhất 🛫",
    "' OR 1=1 --",
    "siber' & 'maritim",
    "a\\b\\",
    "!siber | maritim & <->",
    "siber:* maritim:A",
    "title:siber",
    "^siber",
    "{title body}: siber",
    "AND OR NOT",
    "or",
    "%_%",
    "\u200b\u202e",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_no_query_breaks_the_search_page(client, three_articles, query):
    response = client.get(reverse("search"), {"q": query})

    assert response.status_code == 200


def test_a_hostile_query_still_finds_its_words(three_articles):
    assert found("((siber", "article") == found("siber", "article") != []
    assert found("siber\x00", "article") == found("siber", "article")


# Ranking ---------------------------------------------------------------------------


def test_a_title_match_ranks_above_a_match_in_the_text_only():
    article("Rondaan bersama", "Latihan tahunan.", slug="in-title")
    article("Latihan tahunan", "Rondaan bersama di selat.", slug="in-text")

    assert found("rondaan", "article") == ["in-title", "in-text"]


def test_an_actor_found_by_name_ranks_above_one_found_by_position():
    PersonFactory(name="Minister Pertahanan", slug="by-name")
    PersonFactory(name="Someone Else", slug="by-position", position="pertahanan")

    assert found("pertahanan", "actor") == ["by-name", "by-position"]


def test_ranks_run_from_best_to_worst_between_0_and_1():
    article("Siber siber", "Siber siber siber.", slug="much")
    article("Lain", "Sekali siber.", slug="once")

    hits = search.search("siber", user=None).of("article")

    assert [hit.record.slug for hit in hits] == ["much", "once"]
    assert 1 > hits[0].rank > hits[1].rank > 0


def test_a_word_in_more_records_than_are_ranked_ranks_the_newest(monkeypatch):
    monkeypatch.setattr(search, "RANK_CANDIDATES", 2)
    article("Siber", "Siber di tajuk, dahulu.", slug="oldest-best")
    article("Lain", "Sekali siber.", slug="newer")
    article("Lain juga", "Sekali lagi siber.", slug="newest")

    assert sorted(found("siber", "article")) == ["newer", "newest"]


# The index follows every write -----------------------------------------------------


def test_an_alias_added_in_bulk_is_found():
    actor = PersonFactory(name="Mohamed Khaled Nordin", slug="khaled")
    assert found("Kadir", "actor") == []

    ActorAlias.objects.bulk_create([ActorAlias(actor=actor, name="Tok Kadir")])

    assert found("Kadir", "actor") == ["khaled"]


def test_an_alias_changed_or_deleted_is_found_no_more():
    actor = PersonFactory(name="Mohamed Khaled Nordin", slug="khaled")
    alias = AliasFactory(actor=actor, name="Tok Kadir")

    ActorAlias.objects.filter(pk=alias.pk).update(name="Pak Long")
    assert found("Kadir", "actor") == []
    assert found("Pak Long", "actor") == ["khaled"]

    ActorAlias.objects.filter(pk=alias.pk).delete()
    assert found("Pak Long", "actor") == []
    assert found("Khaled", "actor") == ["khaled"]


def test_an_alias_moved_to_another_actor_moves_in_the_index():
    first = PersonFactory(name="First Person", slug="first")
    second = PersonFactory(name="Second Person", slug="second")
    alias = AliasFactory(actor=first, name="Tok Kadir")

    ActorAlias.objects.filter(pk=alias.pk).update(actor=second)

    assert found("Kadir", "actor") == ["second"]


def test_records_written_in_bulk_and_changed_by_update_are_found_by_their_text():
    body = "Rondaan maritim bersama."
    Article.objects.bulk_create(
        [
            Article(
                title="Bulk",
                slug="bulk",
                language=Language.MALAY,
                published="2025",
                body=body,
                content_hash=Article.hash_text(body),
                status=EditorialStatus.PUBLISHED,
            )
        ]
    )
    assert found("rondaan", "article") == ["bulk"]

    Article.objects.filter(slug="bulk").update(body="Latihan udara.")

    assert found("rondaan", "article") == []
    assert found("latihan", "article") == ["bulk"]


def test_a_deleted_record_is_found_no_more():
    article("Siber", "Keselamatan siber.", slug="gone").delete()
    commitment = CommitmentFactory(title="Siber pledge", slug="pledge")
    commitment.delete()
    actor = PersonFactory(name="Siber Person")
    actor.delete()

    results = search.search("siber", user=None)

    assert results.total == 0


def test_the_seed_corpus_is_searchable_once_loaded(seed_corpus):
    assert found("Khaled", "actor") == ["mohamed-khaled-nordin"]
    assert "admm-retreat-2025" in found("ADMM", "meeting")


def test_the_sqlite_triggers_survive_every_later_migration():
    """A later migration that remakes an indexed table on SQLite drops its
    triggers with the old table; it must install them again."""
    if vendor() != "sqlite":
        pytest.skip("PostgreSQL keeps triggers through ALTER TABLE")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {name for (name,) in cursor.fetchall()}
    tables = ["article", "meeting", "commitment", "actor"]
    expected = {
        f"briefings_{t}_fts_{e}" for t in tables for e in ("insert", "delete", "update")
    }
    expected |= {
        f"briefings_actoralias_fts_{e}" for e in ("insert", "delete", "update")
    }
    assert expected <= present


# Visibility --------------------------------------------------------------------------


@pytest.fixture
def drafts():
    MeetingFactory(name="Secret Siber Meeting", slug="draft-meeting", status=DRAFT)
    AliasFactory(
        actor=PersonFactory(name="Secret Person", slug="draft-person", status=DRAFT),
        name="Siber Alias",
    )
    CommitmentFactory(title="Secret siber pledge", slug="draft-pledge", status=DRAFT)
    article("Secret siber", "Siber rahsia.", slug="draft-article", status=DRAFT)


def test_drafts_are_never_found_for_a_reader(drafts):
    assert search.search("siber", user=None).total == 0


def test_an_editor_finds_drafts(drafts, editor):
    results = search.search("siber", user=editor)

    assert {hit.record.slug for hit in results.hits} == {
        "draft-meeting",
        "draft-person",
        "draft-pledge",
        "draft-article",
    }


def test_a_reader_never_sees_a_draft_on_the_search_page(client, drafts):
    page = client.get(reverse("search"), {"q": "siber secret"}).content.decode()

    assert "draft-" not in page and "Secret " not in page
    assert "0 results for" in page


def test_a_published_record_linked_to_a_draft_does_not_show_the_draft(client):
    country = CountryFactory(name="Secret Country", slug="secret-country", status=DRAFT)
    MeetingFactory(name="Siber meeting", slug="meeting", country=country)

    page = client.get(reverse("search"), {"q": "siber"}).content.decode()

    assert "/meetings/meeting/" in page
    assert "Secret Country" not in page


def test_newest_drafts_do_not_crowd_out_published_records(monkeypatch):
    monkeypatch.setattr(search, "RANK_CANDIDATES", 2)
    article("Siber", "Siber awam.", slug="published")
    for n in range(3):
        article(f"Siber {n}", f"Siber rahsia {n}.", slug=f"draft-{n}", status=DRAFT)

    assert found("siber", "article") == ["published"]


# Snippets ----------------------------------------------------------------------------


def test_a_snippet_marks_the_words_found():
    article("Siber", "Malaysia sedia perkukuh keselamatan siber serantau.", slug="a")

    (hit,) = search.search("siber", user=None).of("article")

    assert "<mark>siber</mark>" in hit.snippet
    assert tags(hit.snippet) == {"<mark>", "</mark>"}


def test_markup_in_a_text_comes_back_escaped():
    body = 'Siber <script>alert("x")</script> <b onclick="x">tebal</b> &amp; siber.'
    article("Siber", body, slug="hostile")
    CommitmentFactory(statement="<img src=x onerror=alert(1)> siber", slug="pledge")
    AliasFactory(actor=PersonFactory(name="Siber", slug="person"), name="<i>siber</i>")

    hits = search.search("siber", user=None).hits

    assert {hit.kind for hit in hits} == {"article", "commitment", "actor"}
    for hit in hits:
        assert tags(hit.snippet) <= {"<mark>", "</mark>"}, hit.snippet
    (text,) = [hit.snippet for hit in hits if hit.kind == "article"]
    assert "alert(&quot;x&quot;)" in text and "&amp;amp;" in text
    if vendor() == POSTGRESQL:
        # ts_headline leaves out what its parser reads as tags.
        assert "script" not in text
    else:
        assert "&lt;script&gt;" in text


def test_the_database_marks_in_a_text_cannot_unbalance_the_markup():
    article("Siber", "Awal \x02 siber \x03\x03 akhir \x02.", slug="marks")

    (hit,) = search.search("siber", user=None).of("article")

    assert hit.snippet.count("<mark>") == hit.snippet.count("</mark>") >= 1
    assert "\x02" not in hit.snippet and "\x03" not in hit.snippet


def test_the_search_page_shows_the_snippet(client):
    article("Persidangan", "Meningkatkan keupayaan keselamatan siber.", slug="a")

    page = client.get(reverse("search"), {"q": "siber"}).content.decode()

    assert '<p class="snippet" lang="ms">' in page
    assert "<mark>siber</mark>" in page


# Queries -----------------------------------------------------------------------------


def page_queries(client, query: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("search"), {"q": query})
    assert response.status_code == 200
    return len(context.captured_queries)


def test_the_search_page_runs_the_same_queries_for_one_hit_or_many(client):
    def grow(n: int) -> None:
        for _ in range(n):
            MeetingFactory(name="Patrol meeting", country=CountryFactory())
            AliasFactory(
                actor=PersonFactory(country=CountryFactory()), name="Patrol alias"
            )
            CommitmentFactory(title="Patrol pledge")
            ArticleFactory(title="Patrol", outlet=OrganisationFactory())

    grow(1)
    one = page_queries(client, "patrol")
    grow(30)
    many = page_queries(client, "patrol")

    # PostgreSQL: the query's lexemes. Then, on both: meetings with their
    # country; actors with theirs; commitments with their meeting and source;
    # articles with their outlet; the snippets of all of them.
    expected = 6 if vendor() == POSTGRESQL else 5
    assert one == many == expected
    assert len(search.search("patrol", user=None).of("article")) == 20


def test_a_query_with_nothing_to_search_runs_no_query(client):
    assert page_queries(client, "🙂") == 0
    assert page_queries(client, "") == 0


def test_search_sql_gives_the_statements_a_search_runs():
    article("Siber", "Keselamatan siber.", slug="a")

    statements = search.search_sql("siber", user=None)
    with CaptureQueriesContext(connection) as context:
        search.search("siber", user=None)

    assert len(statements) == len(context.captured_queries)
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    # The last statement gives (kind, id, snippet).
    assert rows[0][:2] == ("article", Article.objects.get().pk)
    assert "\x02" in rows[0][2]


def test_only_the_kinds_asked_for_are_searched():
    article("Siber", "Keselamatan siber.", slug="a")
    MeetingFactory(name="Siber meeting", slug="m")

    results = search.search("siber", user=None, kinds=["meeting"])

    assert [hit.kind for hit in results.hits] == ["meeting"]


def test_mixed_results_come_best_first_across_kinds():
    article("Lain", "Sekali siber, dalam teks yang panjang sekali lagi.", slug="a")
    MeetingFactory(name="Siber", short_name="Siber", slug="m")

    results = search.search("siber", user=None, mixed=True, limit=1)

    assert [(hit.kind, hit.record.slug) for hit in results.hits] == [("meeting", "m")]


def test_an_actor_is_listed_once_however_many_aliases_match():
    actor = PersonFactory(name="Mohamed Khaled Nordin", slug="khaled")
    AliasFactory(actor=actor, name="Khaled Nordin")
    AliasFactory(actor=actor, name="Dato' Seri Khaled")

    assert found("Khaled", "actor") == ["khaled"]


def test_an_actor_filter_and_search_combine():
    malaysia = CountryFactory(iso_code="MY")
    PersonFactory(name="Siber Satu", slug="one", country=malaysia)
    PersonFactory(name="Siber Dua", slug="two")

    rows = search.matching(Actor.objects.filter(country=malaysia), "siber")

    assert [actor.slug for actor in rows] == ["one"]


def test_the_index_agrees_with_the_tables_after_every_kind_of_write():
    person = PersonFactory(name="Siber Person", slug="person")
    alias = AliasFactory(actor=person, name="Tok Siber")
    meeting = MeetingFactory(name="Siber meeting", slug="meeting")
    text = article("Siber", "Keselamatan siber.", slug="text", status=DRAFT)
    pledge = CommitmentFactory(title="Siber pledge", source_article=text)
    text.status = EditorialStatus.PUBLISHED
    text.save()
    Article.objects.filter(pk=text.pk).update(title="Siber baharu", summary="New.")
    meeting.name_local = "Mesyuarat siber"
    meeting.save()
    ActorAlias.objects.filter(pk=alias.pk).update(name="Pak Siber")
    Actor.objects.filter(pk=person.pk).update(position="Menteri")
    pledge.delete()
    MeetingFactory(name="Gone").delete()

    with connection.cursor() as cursor:
        if vendor() == POSTGRESQL:
            # Each stored vector is what the migration's functions compute now.
            cursor.execute(
                "SELECT count(*) FROM briefings_article WHERE search_vector IS "
                "DISTINCT FROM briefings_article_search_vector("
                "language, title, summary, body)"
            )
            assert cursor.fetchone() == (0,)
            cursor.execute(
                "SELECT count(*) FROM briefings_actor WHERE search_vector IS "
                "DISTINCT FROM briefings_actor_search_vector("
                "id, name, honorific, position, position_local)"
            )
            assert cursor.fetchone() == (0,)
        else:
            assert sqlite_index(cursor) == sqlite_index(cursor, rebuilt=True)
    assert found("Pak Siber", "actor") == ["person"]
    assert found("baharu", "article") == ["text"]


def sqlite_index(cursor, *, rebuilt: bool = False) -> dict[str, list]:
    """Every term, record, column and position in the FTS5 indexes, as the
    triggers kept them or (rebuilt) as an index built afresh from the tables
    would hold them; and the actors' indexed text, which is stored."""
    migration = importlib.import_module("briefings.migrations.0004_search_index")
    found = {}
    for table, columns in migration.EXTERNAL_CONTENT.items():
        fts = f"{table}_fts"
        if rebuilt:
            fts = f"{table}_rebuilt"
            cursor.execute(
                f"CREATE VIRTUAL TABLE {fts} USING fts5({', '.join(columns)}, "
                f"content = '{table}', content_rowid = 'id', {migration.TOKENIZE})"
            )
            cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
        cursor.execute(
            f"CREATE VIRTUAL TABLE {fts}_terms USING fts5vocab({fts}, instance)"
        )
        cursor.execute(
            f"SELECT term, doc, col, offset FROM {fts}_terms ORDER BY 1, 2, 3, 4"
        )
        found[table] = cursor.fetchall()
    if rebuilt:
        row = migration.ACTOR_ROW.format(row="actor")
        cursor.execute(f"SELECT {row} FROM briefings_actor AS actor ORDER BY 1")
    else:
        cursor.execute(
            "SELECT rowid, name, aliases, position FROM briefings_actor_fts ORDER BY 1"
        )
    found["actor"] = cursor.fetchall()
    return found
