"""`manage.py generate_corpus`: a synthetic desk in a real desk's proportions,
the same for the same seed, and made of records the editorial rules accept."""

from __future__ import annotations

import hashlib
from collections import Counter
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.urls import reverse

from briefings import corpus
from briefings.models import (
    Actor,
    ActorAlias,
    ActorKind,
    Annotation,
    Article,
    Commitment,
    ComplianceAssessment,
    EditorialStatus,
    Meeting,
    MeetingFormat,
    Mention,
    Participation,
    Topic,
)
from briefings.services import standing_from

pytestmark = pytest.mark.django_db

ARTICLES = 300
PUBLISHED = EditorialStatus.PUBLISHED


def generate(articles: int = ARTICLES, *options: str) -> str:
    out = StringIO()
    call_command("generate_corpus", "--articles", str(articles), *options, stdout=out)
    return out.getvalue()


@pytest.fixture
def desk(db):
    generate()


def fingerprint() -> str:
    """A digest of every curated row and link, ids replaced by creation order, so
    that two runs compare whatever the database's sequences had reached."""
    rank: dict[type[models.Model], dict[int, int]] = {}
    tables: list[tuple[type[models.Model], list]] = []
    for model in corpus.CURATED_MODELS:
        rows = list(model.objects.order_by("pk").values())
        rank[model] = {row["id"]: n for n, row in enumerate(rows)}
        tables.append((model, rows))
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            tables.append((through, list(through.objects.order_by("pk").values())))
    digest = hashlib.sha256()
    for model, rows in tables:
        foreign = {
            f.attname: f.related_model
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model in rank
        }
        for row in rows:
            row.pop("id")
            for column, target in foreign.items():
                if row[column] is not None:
                    row[column] = rank[target][row[column]]
            digest.update(repr(sorted(row.items())).encode())
    return digest.hexdigest()


def test_a_plan_has_a_real_desks_proportions():
    plan = corpus.Plan.for_articles(100_000)
    assert (plan.meetings, plan.actors, plan.commitments) == (5_000, 10_000, 20_000)
    assert (plan.annotations, plan.participations) == (50_000, 200_000)
    small = corpus.Plan.for_articles(100)
    assert small.meetings >= 5 and small.commitments >= 5 and small.actors >= 100


def test_it_builds_a_desk_in_the_proportions_of_the_plan(desk):
    plan = corpus.Plan.for_articles(ARTICLES)
    assert Article.objects.count() == ARTICLES
    assert Meeting.objects.count() == plan.meetings
    assert Actor.objects.count() == plan.actors
    assert Commitment.objects.count() == plan.commitments
    # A short article may have fewer sentences to annotate than it was dealt.
    assert 0.9 * plan.annotations <= Annotation.objects.count() <= plan.annotations
    # A small desk runs out of people before meetings run out of seats.
    assert 0.5 * plan.participations <= Participation.objects.count()
    assert Participation.objects.count() <= 1.3 * plan.participations
    assert Topic.objects.count() == 11
    assert ComplianceAssessment.objects.exists()
    assert Mention.objects.exists()


def test_it_makes_every_kind_of_record(desk):
    kinds = Counter(Actor.objects.values_list("kind", flat=True))
    assert set(kinds) == {ActorKind.COUNTRY, ActorKind.ORGANISATION, ActorKind.PERSON}
    asean = Actor.objects.filter(is_asean_member=True)
    assert set(asean.values_list("iso_code", flat=True)) >= {"MY", "ID", "VN", "TL"}
    assert ActorAlias.objects.count() >= kinds[ActorKind.PERSON]
    assert Actor.objects.filter(parent__isnull=False).exists()
    languages = Counter(Article.objects.values_list("language", flat=True))
    assert set(languages) == {"ms", "id", "en"}
    assert languages["ms"] + languages["id"] > 3 * languages["en"]
    meetings = Meeting.objects.all()
    assert meetings.filter(format=MeetingFormat.BILATERAL).exists()
    assert meetings.filter(format=MeetingFormat.MULTILATERAL).exists()
    assert meetings.filter(reports_to__isnull=False).exists()
    lengths = Counter(len(start) for start in meetings.values_list("start", flat=True))
    assert lengths[10] > lengths[7] > 0
    roles = set(Participation.objects.values_list("role", flat=True))
    assert {"host", "chair", "head_of_delegation", "participant"} <= roles
    assert Article.objects.filter(meetings__isnull=False).exists()
    assert Article.objects.filter(topics__isnull=False).exists()
    assert Commitment.objects.filter(actors__isnull=False).exists()


def test_most_records_are_published_and_a_few_are_not(desk):
    for model in (Actor, Meeting, Article, Commitment):
        statuses = Counter(model.objects.values_list("status", flat=True))
        assert statuses[PUBLISHED] > 0.85 * sum(statuses.values()), model
    articles = Counter(Article.objects.values_list("status", flat=True))
    assert articles[EditorialStatus.DRAFT] + articles[EditorialStatus.IN_REVIEW] > 0
    assert not Article.objects.filter(status=PUBLISHED, published_at=None).exists()


def test_the_same_seed_gives_the_same_corpus(db):
    generate(150)
    first = fingerprint()
    generate(150, "--flush")
    assert fingerprint() == first
    generate(150, "--flush", "--seed", "8")
    assert fingerprint() != first


def test_every_annotation_quotes_its_article_exactly(desk):
    annotations = Annotation.objects.select_related("article", "commitment")
    assert annotations.exists()
    for annotation in annotations:
        body = annotation.article.body
        assert body[annotation.start : annotation.end] == annotation.quote
        assert body[: annotation.start].endswith(annotation.prefix)
        assert body[annotation.end :].startswith(annotation.suffix)
        if annotation.commitment:
            assert annotation.quote == annotation.commitment.statement
    for mention in Mention.objects.select_related("article"):
        assert mention.article.body[mention.start : mention.end] == mention.text


def test_every_commitment_is_anchored_in_its_source(desk):
    commitments = Commitment.objects.prefetch_related("annotations", "assessments")
    for commitment in commitments:
        assert [a.article_id for a in commitment.annotations.all()] == [
            commitment.source_article_id
        ]
        if commitment.assessments.all():
            assert commitment.standing == standing_from(commitment.assessments.all())


def test_a_sample_of_each_model_passes_full_clean(desk):
    for model in corpus.CURATED_MODELS:
        rows = list(model.objects.order_by("pk")[:15])
        rows += list(model.objects.order_by("-pk")[:15])
        assert rows, model
        for row in rows:
            row.full_clean()


def test_slugs_urls_and_content_hashes_are_unique_and_true(desk):
    for model in (Actor, Meeting, Article, Commitment, Topic):
        slugs = list(model.objects.values_list("slug", flat=True))
        assert len(slugs) == len(set(slugs)), model
    articles = list(Article.objects.values_list("body", "content_hash", "url"))
    assert all(Article.hash_text(body) == digest for body, digest, _url in articles)
    urls = [url for _body, _digest, url in articles if url]
    assert urls and len(urls) == len(set(urls))
    lengths = sorted(len(body) for body, _digest, _url in articles)
    assert 1_200 <= lengths[len(lengths) // 2] <= 4_000


def test_public_pages_and_the_api_answer_for_generated_records(client, desk):
    cache.clear()
    published = {
        "meeting": Meeting.objects.published().first(),
        "person": Actor.objects.published().filter(kind=ActorKind.PERSON).first(),
        "country": Actor.objects.published().filter(kind=ActorKind.COUNTRY).first(),
        "topic": Topic.objects.published().first(),
        "commitment": Commitment.objects.published().first(),
        "article": Article.objects.published().filter(annotations__isnull=False)[0],
    }
    urls = [record.get_absolute_url() for record in published.values()]
    urls += [
        reverse(name)
        for name in (
            "home",
            "meeting-list",
            "actor-list",
            "country-list",
            "topic-list",
            "commitment-tracker",
            "article-list",
            "timeline",
        )
    ]
    urls.append(reverse("search") + "?q=kerjasama")
    for resource in ("articles", "meetings", "actors", "commitments", "topics"):
        urls.append(f"/api/v1/{resource}/")
    for resource in ("assessments", "annotations", "mentions"):
        urls.append(f"/api/v1/{resource}/")
    for name, record in published.items():
        resource = {"person": "actors", "country": "actors"}.get(name, f"{name}s")
        urls.append(f"/api/v1/{resource}/{record.slug}/")
    annotation = Annotation.objects.filter(article__status=PUBLISHED).first()
    urls.append(f"/api/v1/annotations/{annotation.pk}/")
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, f"{url} answered {response.status_code}"


def test_drafts_stay_hidden_from_anonymous_readers(client, desk):
    cache.clear()
    hidden = {
        "articles": Article.objects.exclude(status=PUBLISHED).first(),
        "meetings": Meeting.objects.exclude(status=PUBLISHED).first(),
        "commitments": Commitment.objects.exclude(status=PUBLISHED).first(),
        "actors": Actor.objects.exclude(status=PUBLISHED).first(),
    }
    for resource, record in hidden.items():
        assert record is not None, resource
        assert client.get(record.get_absolute_url()).status_code == 404
        assert client.get(f"/api/v1/{resource}/{record.slug}/").status_code == 404
    listed = client.get("/api/v1/articles/").json()["count"]
    assert listed == Article.objects.published().count() < ARTICLES


def test_it_refuses_a_desk_that_holds_curated_records(db):
    call_command("loaddata", "seed_corpus", verbosity=0)
    with pytest.raises(CommandError, match="--flush"):
        generate(50)
    assert Article.objects.count() == 5

    out = generate(50, "--flush")
    assert "Deleting every curated record" in out
    assert Article.objects.count() == 50
    assert not Article.objects.filter(slug="admm-retreat-2025-press-release").exists()


def test_a_failed_run_leaves_the_desk_as_it_was(db, monkeypatch):
    call_command("loaddata", "seed_corpus", verbosity=0)

    def fail(generator):
        raise RuntimeError("disk full")

    monkeypatch.setattr(corpus.Generator, "_articles", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        generate(50, "--flush")
    assert Article.objects.count() == 5
    assert Meeting.objects.filter(slug="admm-retreat-2025").exists()


def test_it_refuses_fewer_than_one_article(db):
    with pytest.raises(CommandError, match="at least 1"):
        generate(0)
    assert not Article.objects.exists()


def test_it_ends_with_a_summary_line_for_scripts(db):
    last = generate(60).strip().splitlines()[-1]
    assert last.startswith("Generated 60 articles, ")
    assert last.endswith(" s.")


def test_the_search_index_covers_every_generated_article(db):
    triggers = _triggers()
    generate(80)
    generate(120, "--flush")
    # The generator and the flush may keep the index their own way, but leave
    # the triggers as they were and the index in step with the text.
    assert _triggers() == triggers
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "INSERT INTO briefings_article_fts(briefings_article_fts) "
                "VALUES ('integrity-check')"
            )
            cursor.execute("SELECT count(*) FROM briefings_article_fts")
        else:
            cursor.execute(
                "SELECT count(*) FROM briefings_article WHERE search_vector IS NOT NULL"
            )
        assert cursor.fetchone()[0] == 120


def _triggers() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "ORDER BY name"
            )
        else:
            cursor.execute(
                "SELECT tgname, tgrelid::regclass::text FROM pg_trigger "
                "WHERE NOT tgisinternal ORDER BY tgname"
            )
        return cursor.fetchall()
