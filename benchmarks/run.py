"""Serantau's benchmark: build a corpus, measure everything in one run.

    make bench         # 100,000 articles
    make bench-quick   # 10,000 articles, fewer requests, a shorter load run
    .venv/bin/python benchmarks/run.py [--articles N] [--seed S] [--quick]
                                       [--rebuild] [--only SECTION,...]

The corpus lives in a database of its own, never the one DATABASE_URL names:
a SQLite file in benchmarks/.data/ by default, or, when DATABASE_URL points at
PostgreSQL, a database `serantau_bench_<N>` on that server, created and
dropped here. It is built by `manage.py migrate` and `manage.py
generate_corpus` in subprocesses, and reused while a stamp beside it says the
same size, seed, migrations and generator built it (--rebuild builds afresh).

Then this process, configured for that database with DEBUG off, the page
cache off (CACHE_SECONDS=0: every figure is uncached) and the API's throttle
raised, measures: every public page and API endpoint in process (Django's
test client: median and p95 time, queries per request, and whether the
queries stay the same for 1 and 100 rows); the API's meeting list against a
plain Django view building the same JSON (benchmarks/floor.py); search, and
the same SQL run directly; a spreadsheet import of 10,000 articles through
the admin's resource against bulk_create, and the text ingester; the
streamed CSV export's memory; a load run against gunicorn on loopback
(benchmarks/load.py); and readers and editors at once on gunicorn with the page
cache on, on a database of the seed corpus of its own, checked afterwards for
5xx and lost writes (benchmarks/mixed.py). Imports and the export run in
subprocesses of their own, so that their peak memory is theirs, and inside a
transaction that is rolled back: the corpus is the same afterwards.

It prints a table and writes benchmarks/results/latest.json, and a copy
named for the mode and the database (quick-sqlite.json, full-postgresql.json),
with a `targets` object: for each target its goal, the figure measured and
whether it was met.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import hashlib
import io
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
import urllib.parse
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

DATA = ROOT / "benchmarks" / ".data"
RESULTS = ROOT / "benchmarks" / "results"
SEARCH_QUERIES = ROOT / "benchmarks" / "search_queries.txt"
PYTHON = sys.executable
# benchmarks/ingest.py's default, so that the files are those its figures are of.
INGEST_SEED = 2025
SECTIONS = ("pages", "floor", "search", "import", "ingest", "export", "load", "mixed")

# What the measuring process and the load run's gunicorn are told. The page
# cache is off so that every figure is a rendering, not a cache hit; the
# throttle is raised, per second so that its history of each client's requests
# stays short, so that the benchmark's own requests are not refused; the cache
# (the throttle's counts) is a folder of the benchmark's own; connections
# persist, as a production server's should.
MEASURE_ENV = {
    "DEBUG": "false",
    "CACHE_SECONDS": "0",
    "CACHE_DIR": str(DATA / "cache"),
    "API_ANON_RATE": "1000000/s",
    "API_USER_RATE": "1000000/s",
    "DB_CONN_MAX_AGE": "600",
    "LOG_LEVEL": "ERROR",
}
HOST = "127.0.0.1"


@dataclass
class Options:
    articles: int = 100_000
    # generate_corpus's own default, so that the corpus is the usual one.
    seed: int = 7
    quick: bool = False
    # Requests timed per page or endpoint, after `warm_up` untimed ones.
    requests: int = 30
    warm_up: int = 3
    # An endpoint slower than this is sampled fewer times (see time_requests).
    seconds_per_endpoint: float = 20.0
    import_rows: int = 10_000
    ingest_files: int = 1000
    ingest_names: int = 10_000
    load_connections: int = 64
    load_seconds: float = 30.0
    # Readers and editors at once (benchmarks/mixed.py), on a database of its own.
    mixed_readers: int = 8
    mixed_editors: int = 4
    mixed_seconds: float = 30.0
    sections: tuple[str, ...] = SECTIONS

    @property
    def mode(self) -> str:
        return "quick" if self.quick else "full"


def quick_options(**overrides) -> Options:
    values = {
        "articles": 10_000,
        "quick": True,
        "requests": 10,
        "warm_up": 2,
        "seconds_per_endpoint": 8.0,
        "load_seconds": 10.0,
        "mixed_seconds": 12.0,
    }
    return Options(**{**values, **overrides})


# Statistics ----------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of the values lie, interpolated."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary_ms(seconds: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(seconds) * 1000, 2),
        "p95_ms": round(percentile(seconds, 0.95) * 1000, 2),
    }


def mib(kib: float) -> float:
    return round(kib / 1024, 1)


def _status_kib(field: str) -> int | None:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    match = re.search(rf"^{field}:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) if match else None


def rss_kib() -> int:
    """The process's resident memory now."""
    return _status_kib("VmRSS") or peak_rss_kib()


def peak_rss_kib() -> int:
    """The process's peak resident memory since reset_peak_rss().

    Linux's VmHWM, not getrusage(): ru_maxrss survives exec(), so a child
    process would report its parent's peak when that was higher.
    """
    return _status_kib("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def reset_peak_rss() -> None:
    """Start the peak afresh from what the process holds now (Linux 4.0+)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


# The benchmark database ------------------------------------------------------------


@dataclass
class BenchDatabase:
    """Where the corpus lives: never the database DATABASE_URL names."""

    vendor: str
    url: str
    name: str
    server_url: str = ""

    @classmethod
    def for_environment(cls, articles: int, seed: int) -> BenchDatabase:
        configured = os.environ.get("DATABASE_URL", "")
        scheme = urllib.parse.urlsplit(configured).scheme
        if scheme.startswith("postgres"):
            parts = urllib.parse.urlsplit(configured)
            own = parts.path.lstrip("/")
            name = f"serantau_bench_{articles}"
            if name == own:
                raise SystemExit(
                    f"DATABASE_URL names {own!r}, the benchmark's own database; "
                    "point it at another database on the same server."
                )
            url = urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
            return cls("postgresql", url, name, server_url=configured)
        if configured and not scheme.startswith("sqlite"):
            raise SystemExit("DATABASE_URL must point at SQLite or PostgreSQL.")
        path = DATA / f"bench-{articles}-{seed}.sqlite3"
        return cls("sqlite", f"sqlite:///{path}", path.name)

    @property
    def stamp_path(self) -> Path:
        return DATA / f"{self.vendor}-{self.name}.stamp.json"

    def _server(self):
        """A connection to the server, to create and drop the database: to the
        database DATABASE_URL names, or else to `postgres` (as Django's test
        runner does, when the named one does not exist yet)."""
        import psycopg

        parts = urllib.parse.urlsplit(self.server_url)
        options = {
            "host": parts.hostname or "",
            "port": parts.port or 5432,
            "user": urllib.parse.unquote(parts.username or ""),
            "password": urllib.parse.unquote(parts.password or ""),
            "autocommit": True,
            **dict(urllib.parse.parse_qsl(parts.query)),
        }
        try:
            return psycopg.connect(dbname=parts.path.lstrip("/"), **options)
        except psycopg.OperationalError:
            return psycopg.connect(dbname="postgres", **options)

    def exists(self) -> bool:
        if self.vendor == "sqlite":
            return (DATA / self.name).exists()
        with self._server() as server:
            found = server.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [self.name]
            ).fetchone()
        return found is not None

    def recreate(self) -> None:
        if self.vendor == "sqlite":
            DATA.mkdir(parents=True, exist_ok=True)
            for suffix in ("", "-journal", "-wal", "-shm"):
                (DATA / f"{self.name}{suffix}").unlink(missing_ok=True)
            return
        from psycopg import sql

        with self._server() as server:
            name = sql.Identifier(self.name)
            server.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name)
            )
            server.execute(sql.SQL("CREATE DATABASE {}").format(name))


def measurement_env(database: BenchDatabase) -> dict[str, str]:
    return {**MEASURE_ENV, "DATABASE_URL": database.url}


def fingerprint() -> dict[str, str]:
    """What the corpus was built with: the migrations and the generator."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    digest = hashlib.sha256()
    for key in sorted(loader.disk_migrations):
        digest.update(repr(key).encode())
    for path in sorted((ROOT / "briefings" / "migrations").glob("*.py")):
        digest.update(path.read_bytes())
    generator = ROOT / "briefings" / "management" / "commands" / "generate_corpus.py"
    return {
        "migrations": digest.hexdigest(),
        "generator": hashlib.sha256(generator.read_bytes()).hexdigest()
        if generator.exists()
        else "",
    }


def manage(*args: str, env: dict[str, str]) -> None:
    command = [PYTHON, str(ROOT / "manage.py"), *args]
    print(f"$ {' '.join(command[1:])}", flush=True)
    subprocess.run(command, env={**os.environ, **env}, cwd=ROOT, check=True)


def corpus_counts() -> dict[str, int]:
    from briefings import models

    return {
        "articles": models.Article.objects.count(),
        "articles_published": models.Article.objects.published().count(),
        "meetings": models.Meeting.objects.count(),
        "actors": models.Actor.objects.count(),
        "topics": models.Topic.objects.count(),
        "commitments": models.Commitment.objects.count(),
        "assessments": models.ComplianceAssessment.objects.count(),
        "annotations": models.Annotation.objects.count(),
        "mentions": models.Mention.objects.count(),
        "participations": models.Participation.objects.count(),
    }


def ensure_corpus(
    database: BenchDatabase, options: Options, *, rebuild: bool
) -> dict[str, Any]:
    """Build the corpus unless the stamp says this one is it; what it holds."""
    expected = {
        "database": database.url,
        "articles": options.articles,
        "seed": options.seed,
        **fingerprint(),
    }
    if not expected["generator"]:
        raise SystemExit(
            "manage.py generate_corpus is missing "
            "(briefings/management/commands/generate_corpus.py): no corpus to build."
        )
    stamp = {}
    if database.stamp_path.exists():
        stamp = json.loads(database.stamp_path.read_text())
    if (
        not rebuild
        and {key: stamp.get(key) for key in expected} == expected
        and database.exists()
    ):
        counts = corpus_counts()
        if counts == stamp.get("counts"):
            print(f"Reusing the corpus in {database.name} (see its stamp).")
            return {**stamp, "reused": True}

    print(f"Building the corpus in {database.name} ({options.articles} articles).")
    env = measurement_env(database)
    database.stamp_path.unlink(missing_ok=True)
    from django.db import connections

    connections.close_all()
    database.recreate()
    started = time.perf_counter()
    manage("migrate", "--noinput", "--verbosity", "0", env=env)
    migrated = time.perf_counter() - started
    started = time.perf_counter()
    manage(
        "generate_corpus",
        "--articles",
        str(options.articles),
        "--seed",
        str(options.seed),
        "--flush",
        env=env,
    )
    generated = time.perf_counter() - started
    stamp = {
        **expected,
        "counts": corpus_counts(),
        "migrate_seconds": round(migrated, 1),
        "generate_seconds": round(generated, 1),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    DATA.mkdir(parents=True, exist_ok=True)
    database.stamp_path.write_text(json.dumps(stamp, indent=2) + "\n")
    return {**stamp, "reused": False}


# The corpus, sampled -----------------------------------------------------------------


def spread(values: list, count: int) -> list:
    """`count` of the values, evenly spread from the first to the last."""
    if len(values) <= count:
        return list(values)
    step = len(values) / count
    return [values[int(i * step)] for i in range(count)]


@dataclass
class Sample:
    """Published records to request, spread over the corpus, and filter values."""

    slugs: dict[str, list[str]] = field(default_factory=dict)
    ids: dict[str, list[int]] = field(default_factory=dict)
    pages: dict[str, int] = field(default_factory=dict)
    # The first, a middle and the last page of the sitemap's article section.
    sitemap_pages: list[int] = field(default_factory=list)
    country: str = ""
    topic: str = ""
    standing: str = ""

    @classmethod
    def of_corpus(cls, count: int) -> Sample:
        from django.db.models import Count

        from briefings import models, views
        from briefings.sitemaps import sitemaps

        published = models.EditorialStatus.PUBLISHED
        sample = cls()
        slugged = {
            "meetings": models.Meeting.objects.published(),
            "actors": models.Actor.objects.published().exclude(
                kind=models.ActorKind.COUNTRY
            ),
            "countries": models.Actor.objects.countries().published(),
            "topics": models.Topic.objects.published(),
            "commitments": models.Commitment.objects.published(),
            "articles": models.Article.objects.published(),
        }
        for name, queryset in slugged.items():
            slugs = list(queryset.order_by("pk").values_list("slug", flat=True))
            sample.slugs[name] = spread(slugs, count)
            # A page deep in the list: the middle one.
            sample.pages[name] = max(1, len(slugs) // views.PAGE_SIZE // 2)
        by_id = {
            "assessments": models.ComplianceAssessment.objects.filter(
                commitment__status=published
            ),
            "annotations": models.Annotation.objects.filter(article__status=published),
            "mentions": models.Mention.objects.filter(article__status=published),
        }
        for name, queryset in by_id.items():
            ids = list(queryset.order_by("pk").values_list("pk", flat=True))
            sample.ids[name] = spread(ids, count)
        sample.pages["timeline"] = sample.pages["meetings"]
        per_page = sitemaps["articles"].limit
        last = max(1, -(-models.Article.objects.published().count() // per_page))
        sample.sitemap_pages = sorted({1, (last + 1) // 2, last})
        # The filters of the README's examples, with values the corpus has most.
        country = (
            models.Actor.objects.countries()
            .published()
            .annotate(n=Count("meetings_hosted"))
            .order_by("-n", "pk")
            .values_list("iso_code", flat=True)
            .first()
        )
        sample.country = country or "MY"
        topic = (
            models.Topic.objects.published()
            .annotate(n=Count("commitments"))
            .order_by("-n", "pk")
            .values_list("slug", flat=True)
            .first()
        )
        sample.topic = topic or ""
        standing = (
            models.Commitment.objects.published()
            .values_list("standing")
            .annotate(n=Count("pk"))
            .order_by("-n")
            .values_list("standing", flat=True)
            .first()
        )
        sample.standing = standing or models.Standing.ANNOUNCED
        return sample


def search_queries() -> list[tuple[str, str]]:
    """The fixed queries, as (language, query), from search_queries.txt."""
    queries = []
    for line in SEARCH_QUERIES.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            language, query = line.split("|", 1)
            queries.append((language.strip(), query.strip()))
    return queries


# Pages and endpoints -----------------------------------------------------------------


@dataclass
class Endpoint:
    name: str
    kind: str  # "page" or "api"
    paths: list[str]


def quote(text: str) -> str:
    return urllib.parse.quote_plus(text)


def endpoints(sample: Sample, queries: list[str]) -> list[Endpoint]:
    s = sample.slugs
    ids = sample.ids
    pages = [
        Endpoint("home", "page", ["/"]),
        Endpoint("meeting list", "page", ["/meetings/"]),
        Endpoint("meeting detail", "page", [f"/meetings/{x}/" for x in s["meetings"]]),
        Endpoint("actor list", "page", ["/actors/"]),
        Endpoint("actor detail", "page", [f"/actors/{x}/" for x in s["actors"]]),
        Endpoint("country list", "page", ["/countries/"]),
        Endpoint(
            "country detail", "page", [f"/countries/{x}/" for x in s["countries"]]
        ),
        Endpoint("topic list", "page", ["/topics/"]),
        Endpoint("topic detail", "page", [f"/topics/{x}/" for x in s["topics"]]),
        Endpoint("commitment tracker", "page", ["/commitments/"]),
        Endpoint(
            "commitment tracker, filtered",
            "page",
            [f"/commitments/?country={sample.country}&topic={sample.topic}"],
        ),
        Endpoint(
            "commitment detail",
            "page",
            [f"/commitments/{x}/" for x in s["commitments"]],
        ),
        Endpoint("article list", "page", ["/articles/"]),
        Endpoint(
            "article list, deep page",
            "page",
            [f"/articles/?page={sample.pages['articles']}"],
        ),
        Endpoint("article detail", "page", [f"/articles/{x}/" for x in s["articles"]]),
        Endpoint("search", "page", [f"/search/?q={quote(q)}" for q in queries]),
        Endpoint("timeline", "page", ["/timeline/"]),
        Endpoint("feed: briefings RSS", "page", ["/feeds/briefings.rss"]),
        Endpoint("feed: briefings Atom", "page", ["/feeds/briefings.atom"]),
        Endpoint("feed: articles RSS", "page", ["/feeds/articles.rss"]),
        Endpoint("feed: articles Atom", "page", ["/feeds/articles.atom"]),
        Endpoint("sitemap index", "page", ["/sitemap.xml"]),
        Endpoint(
            "sitemap section: articles",
            "page",
            [f"/sitemap-articles.xml?p={n}" for n in sample.sitemap_pages],
        ),
    ]
    api = []
    details = {
        "articles": s["articles"],
        "meetings": s["meetings"],
        "actors": s["actors"],
        "commitments": s["commitments"],
        "topics": s["topics"],
        "assessments": [str(x) for x in ids["assessments"]],
        "annotations": [str(x) for x in ids["annotations"]],
        "mentions": [str(x) for x in ids["mentions"]],
    }
    for name, keys in details.items():
        base = f"/api/v1/{name}/"
        api += [
            Endpoint(f"api {name}", "api", [base]),
            Endpoint(f"api {name}, page_size=100", "api", [f"{base}?page_size=100"]),
            Endpoint(f"api {name} detail", "api", [f"{base}{key}/" for key in keys]),
        ]
    api += [
        Endpoint(
            "api meetings, filtered",
            "api",
            [f"/api/v1/meetings/?country={sample.country}&topic={sample.topic}"],
        ),
        Endpoint(
            "api commitments, filtered",
            "api",
            [
                f"/api/v1/commitments/?standing={sample.standing}"
                "&deadline_before=2025-12-31"
            ],
        ),
        Endpoint(
            "api articles, filtered",
            "api",
            ["/api/v1/articles/?language=id&search=terorisme&ordering=-published"],
        ),
    ]
    api.append(
        Endpoint(
            "api search", "api", [f"/api/v1/search/?q={quote(q)}" for q in queries]
        )
    )
    return pages + api


def fetch(client, path: str) -> int:
    """GET the path as a reader's browser would, reading the whole body."""
    response = client.get(path)
    if response.streaming:
        b"".join(response.streaming_content)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    return len(response.content) if not response.streaming else 0


def query_count(client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        fetch(client, path)
    return len(queries)


def time_requests(
    client, paths: list[str], *, count: int, warm_up: int, budget: float
) -> list[float]:
    """Seconds of each of `count` requests cycling over `paths`, after
    `warm_up` untimed ones. A slow endpoint gets fewer: past `budget` seconds
    the warm-up stops, and the timing once it has 3 samples (1 past three
    budgets), so that one slow page cannot hold up the run."""
    began = time.perf_counter()
    for i in range(warm_up):
        if time.perf_counter() - began > budget / 2:
            break
        fetch(client, paths[i % len(paths)])
    times: list[float] = []
    for i in range(count):
        path = paths[i % len(paths)]
        started = time.perf_counter()
        fetch(client, path)
        times.append(time.perf_counter() - started)
        spent = time.perf_counter() - began
        if (spent > budget and len(times) >= min(3, count)) or spent > 3 * budget:
            break
    return times


def measure_endpoints(client, options: Options, sample: Sample, queries: list[str]):
    rows = []
    for endpoint in endpoints(sample, queries):
        row: dict[str, Any] = {
            "name": endpoint.name,
            "kind": endpoint.kind,
            "path": endpoint.paths[0] if endpoint.paths else "",
            "distinct_paths": len(endpoint.paths),
        }
        if not endpoint.paths:
            row["error"] = "the corpus has no published record to request"
            rows.append(row)
            continue
        try:
            counts = [query_count(client, p) for p in endpoint.paths[:3]]
            times = time_requests(
                client,
                endpoint.paths,
                count=options.requests,
                warm_up=options.warm_up,
                budget=options.seconds_per_endpoint,
            )
        except Exception as error:  # reported, and the run goes on
            row["error"] = f"{type(error).__name__}: {error}"
            print(f"  {endpoint.name}: {row['error']}", flush=True)
            rows.append(row)
            continue
        row.update(summary_ms(times), samples=len(times), queries=max(counts))
        if min(counts) != max(counts):
            row["queries_min"] = min(counts)
        rows.append(row)
        print(
            f"  {endpoint.name:<34} {row['median_ms']:>8.1f} {row['p95_ms']:>8.1f} ms"
            f" {row['queries']:>4} q",
            flush=True,
        )
    return rows


def measure_query_bounds(client, sample: Sample) -> dict[str, Any]:
    """Queries for a page of 1 row against 100 (API lists), and for the first
    page against a deep one (pages): the same count, or an N+1 somewhere."""
    pairs = []
    for name in (
        "articles",
        "meetings",
        "actors",
        "commitments",
        "topics",
        "assessments",
        "annotations",
        "mentions",
    ):
        base = f"/api/v1/{name}/"
        pairs.append(
            (f"api {name}", f"{base}?page_size=1", f"{base}?page_size=100"),
        )
    for name, path in (
        ("meetings", "/meetings/"),
        ("actors", "/actors/"),
        ("countries", "/countries/"),
        ("topics", "/topics/"),
        ("commitments", "/commitments/"),
        ("articles", "/articles/"),
        ("timeline", "/timeline/"),
    ):
        deep = sample.pages.get(name, 1)
        pairs.append((f"page {path}", path, f"{path}?page={max(deep, 2)}"))
    comparisons = []
    for name, small, large in pairs:
        few, many = query_count(client, small), query_count(client, large)
        comparisons.append(
            {"name": name, "small": small, "large": large, "queries": [few, many]}
        )
    return {
        "independent_of_page_size": all(
            c["queries"][0] == c["queries"][1] for c in comparisons
        ),
        "comparisons": comparisons,
    }


def measure_floor(client, options: Options) -> dict[str, Any]:
    """The API's list of 50 meetings against the plain view; both timed in turn."""
    api_path = "/api/v1/meetings/?page_size=50"
    floor_path = "/bench/floor/meetings/?page_size=50"
    api = client.get(api_path)
    floor = client.get(floor_path)
    api_body, floor_body = api.json(), floor.json()
    if api_body["results"] != floor_body["results"]:
        raise AssertionError("The floor view's results differ from the API's.")
    if api_body["count"] != floor_body["count"]:
        raise AssertionError("The floor view's count differs from the API's.")
    api_queries = query_count(client, api_path)
    floor_queries = query_count(client, floor_path)
    for _ in range(options.warm_up):
        fetch(client, api_path)
        fetch(client, floor_path)
    api_times, floor_times = [], []
    # Interleaved, so that the machine's other work weighs on both alike.
    for _ in range(options.requests * 2):
        for path, times in ((api_path, api_times), (floor_path, floor_times)):
            started = time.perf_counter()
            fetch(client, path)
            times.append(time.perf_counter() - started)
    api_figures, floor_figures = summary_ms(api_times), summary_ms(floor_times)
    return {
        "api": {"path": api_path, **api_figures, "queries": api_queries},
        "floor": {"path": floor_path, **floor_figures, "queries": floor_queries},
        "meetings": len(api_body["results"]),
        "participants": sum(len(m["participants"]) for m in api_body["results"]),
        "commitments": sum(len(m["commitments"]) for m in api_body["results"]),
        "samples": len(api_times),
        "same_results": True,
        "ratio": round(api_figures["median_ms"] / floor_figures["median_ms"], 2),
    }


# Search ------------------------------------------------------------------------------


def measure_search(options: Options, queries: list[str]) -> dict[str, Any]:
    """briefings.search.search over the fixed queries, and the same statements
    (search.search_sql) run directly with a cursor: what the function adds to
    the database's work."""
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection

    from briefings import search

    user = AnonymousUser()
    for query in queries[: options.warm_up + 1]:
        search.search(query, user=user)
    function_times, sql_times, hits, statement_counts = [], [], [], []
    for query in queries:
        started = time.perf_counter()
        results = search.search(query, user=user)
        function_times.append(time.perf_counter() - started)
        hits.append(len(results))
        # search_sql reads the pages itself, to name their rows in the
        # snippets' statement: outside the timing.
        statements = search.search_sql(query, user=user)
        statement_counts.append(len(statements))
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()
        sql_times.append(time.perf_counter() - started)
    function, direct = summary_ms(function_times), summary_ms(sql_times)
    return {
        "queries": len(queries),
        "function": function,
        "sql": direct,
        "statements_per_query": max(statement_counts),
        "queries_without_results": sum(1 for n in hits if n == 0),
        "ratio": round(function["median_ms"] / direct["median_ms"], 2)
        if direct["median_ms"]
        else None,
    }


# Import ------------------------------------------------------------------------------


def import_csv(rows: int, seed: int) -> bytes:
    """`rows` new draft articles as a spreadsheet CSV: seed-like texts, each
    made unique, with an outlet and a topic from the corpus."""
    import random

    from briefings import models
    from briefings.resources import ArticleResource

    # The spreadsheet export's columns but the hash, which the import derives
    # from the text.
    columns = [f for f in ArticleResource.Meta.fields if f != "content_hash"]
    rng = random.Random(seed)
    texts = [path.read_text("utf-8") for path in sorted((ROOT / "seeds").glob("*"))]
    outlets = list(
        models.Actor.objects.filter(articles_published__isnull=False)
        .distinct()
        .order_by("slug")
        .values_list("slug", flat=True)[:50]
    ) or [""]
    topics = list(models.Topic.objects.order_by("slug").values_list("slug", flat=True))
    topics = topics or [""]
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=columns, restval="")
    writer.writeheader()
    for i in range(rows):
        year, month, day = 2015 + i % 11, 1 + i % 12, 1 + i % 28
        published = rng.choice(
            [
                f"{year}-{month:02d}-{day:02d}",
                f"{year}-{month:02d}",
                f"--{month:02d}-{day:02d}",
            ]
        )
        text = texts[i % len(texts)]
        writer.writerow(
            {
                "slug": f"bench-import-{i:05d}",
                "title": f"Benchmark import {i:05d}: {text.splitlines()[0][:120]}",
                "outlet": rng.choice(outlets),
                "url": f"https://bench.example.org/import/{i:05d}",
                "language": ("ms", "id", "en")[i % 3],
                "published": published,
                "body": f"{text}\n\n(Salinan {i} untuk ujian prestasi.)\n",
                "imported_from": "benchmark.csv",
                "topics": rng.choice(topics),
                "status": "draft",
            }
        )
    return stream.getvalue().encode("utf-8")


def import_through_resource(data: bytes) -> int:
    """The admin's confirmed import: ArticleResource.import_data for real, as
    the importing user; rows imported."""
    from django.contrib.auth import get_user_model

    from briefings import resources

    user, _ = get_user_model().objects.get_or_create(
        username="bench-importer", defaults={"is_staff": True, "is_superuser": True}
    )
    dataset = resources.CSV().create_dataset(data)
    result = resources.ArticleResource().import_data(
        dataset,
        dry_run=False,
        file_name="benchmark.csv",
        user=user,
        retain_instance_in_row_result=True,
    )
    if resources.failed(result):
        raise RuntimeError("; ".join(resources.import_errors(result)[:5]))
    return result.totals.get("new", 0)


def import_with_bulk_create(data: bytes) -> int:
    """The same rows, read with csv and written with bulk_create: the floor."""
    from briefings.models import Actor, Article, Topic

    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    outlets = dict(
        Actor.objects.filter(slug__in={r["outlet"] for r in rows}).values_list(
            "slug", "pk"
        )
    )
    topics = dict(
        Topic.objects.filter(slug__in={r["topics"] for r in rows}).values_list(
            "slug", "pk"
        )
    )
    articles = [
        Article(
            slug=row["slug"],
            title=row["title"],
            outlet_id=outlets.get(row["outlet"]),
            url=row["url"],
            language=row["language"],
            published=row["published"],
            date_note=row["date_note"],
            body=row["body"],
            summary=row["summary"],
            content_hash=Article.hash_text(row["body"]),
            imported_from=row["imported_from"],
            status=row["status"],
        )
        for row in rows
    ]
    Article.objects.bulk_create(articles, batch_size=500)
    Link = Article.topics.through
    Link.objects.bulk_create(
        [
            Link(article_id=article.pk, topic_id=topics[row["topics"]])
            for article, row in zip(articles, rows, strict=True)
            if row["topics"] in topics
        ],
        batch_size=1000,
    )
    return len(articles)


IMPORT_METHODS: dict[str, Callable[[bytes], int]] = {
    "resource": import_through_resource,
    "bulk_create": import_with_bulk_create,
}


def measure_import_method(method: str, rows: int, seed: int) -> dict[str, Any]:
    """Import `rows` rows one way, in a transaction rolled back afterwards;
    seconds and the process's peak memory."""
    from django.db import connection, transaction

    data = import_csv(rows, seed)
    connection.ensure_connection()
    reset_peak_rss()
    before = rss_kib()
    with transaction.atomic():
        started = time.perf_counter()
        imported = IMPORT_METHODS[method](data)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    peak = peak_rss_kib()
    return {
        "method": method,
        "rows": imported,
        "seconds": round(seconds, 2),
        "rows_per_second": round(imported / seconds, 1),
        "peak_rss_mb": mib(peak),
        "growth_mb": mib(peak - before),
        "csv_mb": round(len(data) / 2**20, 1),
    }


def measure_import(options: Options, env: dict[str, str] | None) -> dict[str, Any]:
    """Both ways, each in a fresh process (or this one, when env is None)."""
    figures = {}
    for method in IMPORT_METHODS:
        if env is None:
            figures[method] = measure_import_method(
                method, options.import_rows, options.seed
            )
        else:
            figures[method] = child(
                env,
                "import",
                "--method",
                method,
                "--rows",
                str(options.import_rows),
                "--seed",
                str(options.seed),
            )
        print(f"  {method}: {figures[method]}", flush=True)
    resource_seconds = figures["resource"]["seconds"]
    bulk_seconds = figures["bulk_create"]["seconds"]
    return {
        **figures,
        "ratio": round(resource_seconds / bulk_seconds, 1) if bulk_seconds else None,
    }


# Text ingestion ----------------------------------------------------------------------


def measure_ingest(options: Options) -> dict[str, Any]:
    """benchmarks/ingest.py's files against its gazetteer: the reading of a
    bulk load of text files (decode, boilerplate, date, language, names)."""
    from benchmarks import ingest

    gazetteer, built, blobs = ingest.prepare(
        options.ingest_files, options.ingest_names, INGEST_SEED
    )
    first = ingest.warm_up(blobs, gazetteer)
    seconds = ingest.parse_all(blobs, gazetteer)
    return {
        "files": len(blobs),
        "gazetteer_names": options.ingest_names,
        "gazetteer_seconds": round(built, 2),
        "first_file_ms": round(first * 1000, 1),
        "seconds": round(seconds, 2),
        "files_per_second": round(len(blobs) / seconds, 1),
    }


# Export ------------------------------------------------------------------------------


def measure_export_here() -> dict[str, Any]:
    """The streamed CSV of every article, written nowhere; rows, speed, memory."""
    from django.db import connection

    from briefings import exports

    connection.ensure_connection()
    reset_peak_rss()
    before = rss_kib()
    started = time.perf_counter()
    written = lines = 0
    with open(os.devnull, "w", encoding="utf-8") as sink:
        for line in exports.articles_csv():
            written += sink.write(line)
            lines += 1
    seconds = time.perf_counter() - started
    peak = peak_rss_kib()
    rows = lines - 1
    return {
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds, 1) if seconds else None,
        "characters_mb": round(written / 2**20, 1),
        "peak_rss_mb": mib(peak),
        "growth_mb": mib(peak - before),
    }


def measure_export(env: dict[str, str] | None) -> dict[str, Any]:
    return measure_export_here() if env is None else child(env, "export")


# Subprocesses ------------------------------------------------------------------------


def child(env: dict[str, str], task: str, *args: str) -> dict[str, Any]:
    """Run one measurement in a fresh process; its figures (the last line)."""
    command = [PYTHON, str(Path(__file__).resolve()), "--child", task, *args]
    done = subprocess.run(
        command,
        env={**os.environ, **env},
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{task} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_child(args: argparse.Namespace) -> None:
    setup_django()
    if args.child == "import":
        figures = measure_import_method(args.method, args.rows, args.seed)
    elif args.child == "export":
        figures = measure_export_here()
    else:
        raise SystemExit(f"No such task: {args.child}")
    print(json.dumps(figures))


# Load run ----------------------------------------------------------------------------


def load_paths(sample: Sample, queries: list[str]) -> list[str]:
    """What a crowd of readers and API clients asks for: lists, details, feeds
    and searches, pages and API alike."""
    s = sample.slugs
    paths = ["/", "/meetings/", "/actors/", "/commitments/", "/articles/"]
    paths += ["/timeline/", "/topics/", "/countries/", "/feeds/articles.rss"]
    paths += [f"/commitments/?country={sample.country}&topic={sample.topic}"]
    paths += [f"/meetings/{x}/" for x in s["meetings"]]
    paths += [f"/articles/{x}/" for x in s["articles"]]
    paths += [f"/actors/{x}/" for x in s["actors"][:10]]
    paths += [f"/commitments/{x}/" for x in s["commitments"][:10]]
    paths += [f"/search/?q={quote(q)}" for q in queries[:10]]
    paths += ["/api/v1/meetings/", "/api/v1/articles/", "/api/v1/commitments/"]
    paths += ["/api/v1/actors/", "/api/v1/meetings/?page_size=50"]
    paths += [f"/api/v1/meetings/{x}/" for x in s["meetings"]]
    paths += [f"/api/v1/articles/{x}/" for x in s["articles"]]
    return paths


def measure_load(
    options: Options, database: BenchDatabase, paths: list[str]
) -> dict[str, Any]:
    """gunicorn as config/gunicorn.conf.py sets it up, on a free loopback port,
    under `load_connections` keep-alive connections for `load_seconds`."""
    from benchmarks import load

    env = load.server_environment(
        database_url=database.url,
        cache_seconds=0,
        extra={
            name: MEASURE_ENV[name]
            for name in ("DB_CONN_MAX_AGE", "CACHE_DIR", "LOG_LEVEL")
        },
    )
    figures = load.run(
        paths,
        env=env,
        connections=options.load_connections,
        seconds=options.load_seconds,
    )
    slowest = sorted(
        figures.pop("by_path").items(), key=lambda item: -(item[1]["p95_ms"] or 0)
    )[:5]
    return {
        "seconds": options.load_seconds,
        "paths": len(paths),
        **{k: round(v, 1) if isinstance(v, float) else v for k, v in figures.items()},
        "slowest_paths": {
            path: {k: round(v, 1) if isinstance(v, float) else v for k, v in f.items()}
            for path, f in slowest
        },
    }


def measure_mixed(options: Options, database: BenchDatabase) -> dict[str, Any]:
    """Readers and editors at once on gunicorn with the page cache on, then the
    database checked for lost writes (benchmarks/mixed.py). The editors write,
    so the run has a database of its own, the seed corpus, never the corpus:
    beside it on PostgreSQL, a temporary file on SQLite."""
    from benchmarks import mixed

    url = None
    if database.vendor == "postgresql":
        parts = urllib.parse.urlsplit(database.url)
        url = urllib.parse.urlunsplit(parts._replace(path=f"/{database.name}_mixed"))
    # Its own name: what a run stopped before it could clean up is dropped.
    scratch = mixed.scratch_database(url, articles=0, seed=options.seed, replace=True)
    with scratch as own_url:
        result = mixed.run(
            own_url,
            readers=options.mixed_readers,
            editors=options.mixed_editors,
            seconds=options.mixed_seconds,
            extra={"LOG_LEVEL": MEASURE_ENV["LOG_LEVEL"]},
        )
    return {
        k: round(v, 1) if isinstance(v, float) else v
        for k, v in result.as_dict().items()
    }


# Targets -----------------------------------------------------------------------------


def compare(measured, goal: str) -> bool:
    """Whether `measured` meets `goal`, written as "<= 1.5", ">= 100", "== 0"."""
    if measured is None:
        return False
    op, _, value = goal.partition(" ")
    limit: Any = {"true": True, "false": False}.get(value)
    if limit is None:
        limit = float(value)
    return {
        "<=": measured <= limit,
        "<": measured < limit,
        ">=": measured >= limit,
        ">": measured > limit,
        "==": measured == limit,
    }[op]


def target(goal: str, measured, unit: str, detail: str = "") -> dict[str, Any]:
    entry = {
        "goal": goal,
        "measured": measured,
        "unit": unit,
        "met": compare(measured, goal),
    }
    if detail:
        entry["detail"] = detail
    return entry


def targets(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each target of issue 7, with its goal, the figure and whether it was met.
    A figure that could not be measured is null and the target not met."""
    found: dict[str, dict[str, Any]] = {}

    def not_measured(section: str) -> str:
        value = results.get(section)
        if value is None:
            return f"{section} was not measured in this run"
        return value.get("error", "")

    bounds = results.get("query_bounds")
    measured = results.get("endpoints")
    measured = measured if isinstance(measured, list) else []
    rows = [r for r in measured if "error" not in r]
    failed = [r["name"] for r in measured if "error" in r]
    if bounds:
        differing = [
            c["name"]
            for c in bounds["comparisons"]
            if c["queries"][0] != c["queries"][1]
        ]
        most = max((r["queries"] for r in rows), default=None)
        found["queries_bounded"] = target(
            "== true",
            bounds["independent_of_page_size"],
            "",
            (
                "queries the same for page_size=1 and 100 (API lists) and for "
                f"page 1 and a deep page (pages); at most {most} per request"
                + (f"; differing: {', '.join(differing)}" if differing else "")
            ),
        )
    else:
        found["queries_bounded"] = target(
            "== true", None, "", not_measured("query_bounds")
        )

    floor = results.get("floor") or {}
    found["api_list_vs_floor"] = target(
        "<= 1.5",
        floor.get("ratio"),
        "×",
        "GET /api/v1/meetings/?page_size=50, median, against benchmarks/floor.py"
        if "ratio" in floor
        else not_measured("floor"),
    )

    if rows:
        worst = max(rows, key=lambda r: r["p95_ms"])
        over = [r["name"] for r in rows if r["p95_ms"] > 100]
        detail = f"worst: {worst['name']} ({worst['path']})"
        if over:
            detail += f"; over 100 ms: {', '.join(over)}"
        if failed:
            detail += f"; not measured (errors): {', '.join(failed)}"
        found["p95_every_endpoint_ms"] = target(
            "<= 100", worst["p95_ms"] if not failed else None, "ms", detail
        )
    else:
        endpoints_error = results.get("endpoints")
        found["p95_every_endpoint_ms"] = target(
            "<= 100",
            None,
            "ms",
            endpoints_error["error"]
            if isinstance(endpoints_error, dict)
            else "no page or endpoint was measured",
        )

    search = results.get("search") or {}
    found["search_p95_ms"] = target(
        "<= 50",
        (search.get("function") or {}).get("p95_ms"),
        "ms",
        f"briefings.search.search over {search['queries']} fixed queries"
        if "function" in search
        else not_measured("search"),
    )

    imports = results.get("import") or {}
    found["csv_import_vs_bulk_create"] = target(
        "<= 3",
        imports.get("ratio"),
        "×",
        (
            f"{imports['resource']['rows']} rows: ArticleResource.import_data "
            f"{imports['resource']['seconds']} s, bulk_create "
            f"{imports['bulk_create']['seconds']} s; import peak "
            f"{imports['resource']['peak_rss_mb']} MB"
        )
        if "ratio" in imports
        else not_measured("import"),
    )

    ingest = results.get("ingest") or {}
    found["text_ingestion_files_per_s"] = target(
        ">= 100",
        ingest.get("files_per_second"),
        "files/s",
        f"{ingest['files']} files against {ingest['gazetteer_names']} names"
        if "files" in ingest
        else not_measured("ingest"),
    )

    export = results.get("export") or {}
    found["export_peak_mb"] = target(
        "< 200",
        export.get("peak_rss_mb"),
        "MB",
        f"peak resident memory of the exporting process, {export['rows']} rows"
        if "rows" in export
        else not_measured("export"),
    )

    load = results.get("load") or {}
    found["load_errors"] = target(
        "== 0",
        load.get("errors"),
        "errors",
        (
            f"{load['connections']} connections for {load['seconds']} s: "
            f"{load.get('requests')} requests, p99 {load.get('p99_ms')} ms"
        )
        if "errors" in load
        else not_measured("load"),
    )

    mixed = results.get("mixed") or {}
    found["mixed_load"] = target(
        "== 0",
        mixed.get("failures"),
        "failures",
        (
            "mixed load: zero 5xx and zero lost writes; "
            f"{mixed['server_errors']} 5xx, {mixed['lost_writes']} lost and "
            f"{mixed['phantom_writes']} phantom writes, {mixed['stale_reads']} "
            f"stale reads, {mixed['errors']} other errors; "
            f"{mixed['acknowledged']} writes, {mixed['conflicts']} conflicts"
        )
        if "failures" in mixed
        else not_measured("mixed"),
    )
    return found


# The machine -------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    import django
    from django.db import connection

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    ram = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    system = platform.platform()
    try:
        release = Path("/etc/os-release").read_text()
        match = re.search(r'^PRETTY_NAME="?([^"\n]*)', release, re.M)
        if match:
            system = f"{match.group(1)} ({platform.release()})"
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": ram,
        "os": system,
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": database_version(connection),
    }


def database_version(connection) -> str:
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


# Output ------------------------------------------------------------------------------


def format_value(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return (
            f"{value:,.2f}".rstrip("0").rstrip(".") if value < 100 else f"{value:,.0f}"
        )
    return str(value)


def render_table(headers: list[str], rows: list[list], align: str) -> str:
    cells = [
        [format_value(c) if not isinstance(c, str) else c for c in r] for r in rows
    ]
    widths = [
        max(len(str(h)), *(len(r[i]) for r in cells)) if cells else len(h)
        for i, h in enumerate(headers)
    ]

    def line(values):
        return "  ".join(
            v.ljust(w) if a == "<" else v.rjust(w)
            for v, w, a in zip(values, widths, align, strict=True)
        )

    return "\n".join(
        line(values).rstrip() for values in [headers, ["-" * w for w in widths], *cells]
    )


def report(results: dict[str, Any]) -> str:
    corpus = results.get("corpus", {})
    counts = corpus.get("counts", {})
    out = [
        f"Serantau benchmark, {results['mode']} run on {results['database']['vendor']}"
        f" ({results['machine']['database']}), {results['finished_at']}",
        f"Machine: {results['machine']['cpu']}, {results['machine']['cores']} cores, "
        f"{results['machine']['ram_gib']} GiB; {results['machine']['os']}; "
        f"Python {results['machine']['python']}, Django {results['machine']['django']}",
        "Corpus: "
        + ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in counts.items())
        + (
            f" (generated in {corpus.get('generate_seconds')} s"
            + (", reused" if corpus.get("reused") else "")
            + ")"
        ),
        f"Settings: {results['settings']['note']}",
        "",
    ]
    rows = results.get("endpoints")
    if isinstance(rows, dict):
        out += [f"Pages and endpoints: not measured: {rows['error']}", ""]
    elif rows:
        out.append("Pages and endpoints, in process (ms; queries per request)")
        out.append(
            render_table(
                ["endpoint", "n", "median", "p95", "queries"],
                [
                    [r["name"], "error", "", "", r["error"][:60]]
                    if "error" in r
                    else [
                        r["name"],
                        str(r["samples"]),
                        f"{r['median_ms']:.1f}",
                        f"{r['p95_ms']:.1f}",
                        str(r["queries"])
                        + (f" (min {r['queries_min']})" if "queries_min" in r else ""),
                    ]
                    for r in rows
                ],
                "<>>>>",
            )
        )
        out.append("")
    bounds = results.get("query_bounds")
    if bounds:
        out.append("Queries: 1 row against 100 (API), page 1 against a deep page")
        out.append(
            render_table(
                ["list", "few", "many", "same"],
                [
                    [
                        c["name"],
                        str(c["queries"][0]),
                        str(c["queries"][1]),
                        "yes" if c["queries"][0] == c["queries"][1] else "NO",
                    ]
                    for c in bounds["comparisons"]
                ],
                "<>>>",
            )
        )
        out.append("")
    sections = []
    floor = results.get("floor") or {}
    if "ratio" in floor:
        sections.append(
            [
                "API list of 50 meetings vs floor",
                f"{floor['api']['median_ms']:.1f} vs {floor['floor']['median_ms']:.1f}"
                f" ms median = {floor['ratio']}×",
            ]
        )
    search = results.get("search") or {}
    if "function" in search:
        sections.append(
            [
                f"search, {search['queries']} queries",
                f"median {search['function']['median_ms']:.1f} ms, p95 "
                f"{search['function']['p95_ms']:.1f} ms; its SQL alone median "
                f"{search['sql']['median_ms']:.1f} ms = {search['ratio']}×",
            ]
        )
    imports = results.get("import") or {}
    if "ratio" in imports:
        r, b = imports["resource"], imports["bulk_create"]
        sections.append(
            [
                f"CSV import, {r['rows']:,} rows",
                f"resource {r['seconds']} s ({r['peak_rss_mb']} MB peak), "
                f"bulk_create {b['seconds']} s ({b['peak_rss_mb']} MB) = "
                f"{imports['ratio']}×",
            ]
        )
    ingest = results.get("ingest") or {}
    if "files" in ingest:
        sections.append(
            [
                f"text ingestion, {ingest['files']:,} files",
                f"{ingest['files_per_second']} files/s against "
                f"{ingest['gazetteer_names']:,} names",
            ]
        )
    export = results.get("export") or {}
    if "rows" in export:
        sections.append(
            [
                f"streamed CSV export, {export['rows']:,} rows",
                f"{export['seconds']} s ({export['rows_per_second']:,.0f} rows/s), "
                f"{export['characters_mb']} MB written, peak {export['peak_rss_mb']} MB"
                f" (+{export['growth_mb']} MB)",
            ]
        )
    load = results.get("load") or {}
    if "errors" in load:
        sections.append(
            [
                f"load, {load['connections']} connections, {load['seconds']:.0f} s",
                f"{load.get('requests')} requests, {load['errors']} errors, "
                f"p50 {load.get('p50_ms')} / p95 {load.get('p95_ms')} / "
                f"p99 {load.get('p99_ms')} ms",
            ]
        )
    mixed = results.get("mixed") or {}
    if "failures" in mixed:
        sections.append(
            [
                f"mixed load, {mixed['readers']} readers and {mixed['editors']} "
                f"editors, {mixed['seconds']:.0f} s",
                f"{mixed['requests']} requests, {mixed['reads_per_second']} reads/s, "
                f"{mixed['writes_per_second']} writes/s; {mixed['acknowledged']} "
                f"writes, {mixed['conflicts']} conflicts (412), {mixed['retries']} "
                f"retries; reads p95 {mixed['read_p95_ms']} ms, writes p95 "
                f"{mixed['write_p95_ms']} ms; {mixed['server_errors']} 5xx, "
                f"{mixed['lost_writes']} lost writes",
            ]
        )
    for name in ("floor", "search", "import", "ingest", "export", "load", "mixed"):
        section = results.get(name) or {}
        if "error" in section:
            sections.append([name, f"not measured: {section['error']}"])
    if sections:
        out.append(render_table(["measure", "figures"], sections, "<<"))
        out.append("")
    out.append(
        f"Targets (stated for 100,000 articles; this corpus: "
        f"{counts.get('articles', 0):,})"
    )
    out.append(
        render_table(
            ["target", "goal", "measured", "met", "detail"],
            [
                [
                    name,
                    t["goal"] + (f" {t['unit']}" if t["unit"] else ""),
                    format_value(t["measured"]),
                    "yes" if t["met"] else "NO",
                    t.get("detail", "")[:110],
                ]
                for name, t in results["targets"].items()
            ],
            "<<><<",
        )
    )
    return "\n".join(out)


def write_results(results: dict[str, Any], *, complete: bool) -> list[Path]:
    """latest.json, and for a run of every section the file the README cites
    for its mode and database (quick-sqlite.json…)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=2, ensure_ascii=False) + "\n"
    paths = [RESULTS / "latest.json"]
    if complete:
        paths.append(
            RESULTS / f"{results['mode']}-{results['database']['vendor']}.json"
        )
    for path in paths:
        path.write_text(text, "utf-8")
    return paths


# The run -----------------------------------------------------------------------------


def setup_django() -> None:
    import django

    # WhiteNoise warns of a static folder that only `collectstatic` makes.
    warnings.filterwarnings("ignore", message="No directory at", module="whitenoise")
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()


# A statement that runs longer is cancelled, and its page reported as failed,
# rather than holding the run (PostgreSQL only; SQLite has no such setting).
STATEMENT_TIMEOUT_MS = 60_000


def limit_statements(sender, connection, **kwargs) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")


def use_bench_urls() -> None:
    from django.conf import settings
    from django.urls import clear_url_caches, set_urlconf

    settings.ROOT_URLCONF = "benchmarks.urls"
    clear_url_caches()
    set_urlconf(None)


def settings_note() -> dict[str, Any]:
    from django.conf import settings

    cache_seconds = getattr(settings, "CACHE_SECONDS", None)
    return {
        "DEBUG": settings.DEBUG,
        "CACHE_SECONDS": cache_seconds,
        "API_ANON_RATE": MEASURE_ENV["API_ANON_RATE"],
        "DB_CONN_MAX_AGE": MEASURE_ENV["DB_CONN_MAX_AGE"],
        "note": (
            "DEBUG off; page and API cache off (CACHE_SECONDS=0), so every figure "
            "is uncached"
            + ("" if cache_seconds is not None else " (no CACHE_SECONDS setting yet)")
            + "; anonymous API throttle raised; persistent database connections"
        ),
    }


def measure(
    options: Options,
    *,
    env: dict[str, str] | None,
    database: BenchDatabase | None = None,
    on_section: Callable[[str], None] = lambda name: None,
) -> dict[str, Any]:
    """Every figure of the sections asked for, as one dict (without targets).

    `env` is the measuring environment for the imports' and the export's
    subprocesses, `database` the one the load run's gunicorn serves; without
    them the imports and the export run in this process and the load run not
    at all, as the test suite does on its own test database.
    """
    from django.test import Client

    client = Client(HTTP_HOST=HOST)
    sample = Sample.of_corpus(options.requests)
    queries = [query for _, query in search_queries()]
    results: dict[str, Any] = {}
    wanted = set(options.sections)

    def section(name: str, work: Callable[[], Any], key: str | None = None) -> None:
        if name not in wanted:
            return
        on_section(name)
        started = time.perf_counter()
        try:
            results[key or name] = work()
        except Exception as error:  # reported, and the run goes on
            results[key or name] = {"error": f"{type(error).__name__}: {error}"}
            print(f"  {name} failed: {error}", flush=True)
        results.setdefault("section_seconds", {})[name] = round(
            time.perf_counter() - started, 1
        )

    section(
        "pages",
        lambda: measure_endpoints(client, options, sample, queries),
        "endpoints",
    )
    if "pages" in wanted:
        results["query_bounds"] = measure_query_bounds(client, sample)
    section("floor", lambda: measure_floor(client, options))
    section("search", lambda: measure_search(options, queries))
    section("import", lambda: measure_import(options, env))
    section("ingest", lambda: measure_ingest(options))
    section("export", lambda: measure_export(env))
    if database is not None:
        section(
            "load",
            lambda: measure_load(options, database, load_paths(sample, queries)),
        )
        section("mixed", lambda: measure_mixed(options, database))
    return results


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--articles", type=int, help="corpus size (100,000; quick 10,000)"
    )
    parser.add_argument("--seed", type=int, default=Options.seed)
    parser.add_argument(
        "--quick", action="store_true", help="10,000 articles, fewer requests"
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="build the corpus even if stamped"
    )
    parser.add_argument(
        "--only",
        help=f"comma-separated sections to measure: {', '.join(SECTIONS)}",
    )
    # A measurement in a process of its own (imports, export).
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--method", help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def options_from(args: argparse.Namespace) -> Options:
    overrides: dict[str, Any] = {"seed": args.seed}
    if args.articles:
        overrides["articles"] = args.articles
    if args.only:
        sections = tuple(s.strip() for s in args.only.split(",") if s.strip())
        unknown = set(sections) - set(SECTIONS)
        if unknown:
            raise SystemExit(f"Unknown sections: {', '.join(sorted(unknown))}")
        overrides["sections"] = sections
    return quick_options(**overrides) if args.quick else Options(**overrides)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.child:
        run_child(args)
        return
    started = time.perf_counter()
    options = options_from(args)
    database = BenchDatabase.for_environment(options.articles, options.seed)
    env = measurement_env(database)
    os.environ.update(env)
    setup_django()
    use_bench_urls()
    from django.db.backends.signals import connection_created

    connection_created.connect(limit_statements)
    corpus = ensure_corpus(database, options, rebuild=args.rebuild)

    def announce(name: str) -> None:
        print(f"\n== {name} ({time.perf_counter() - started:.0f} s)", flush=True)

    results: dict[str, Any] = {
        "mode": options.mode,
        "database": {"vendor": database.vendor, "name": database.name},
        "machine": machine(),
        "settings": settings_note(),
        "corpus": corpus,
        "options": {
            "sections": list(options.sections),
            "requests_per_endpoint": options.requests,
            "warm_up": options.warm_up,
            "import_rows": options.import_rows,
            "ingest_files": options.ingest_files,
            "load_connections": options.load_connections,
            "load_seconds": options.load_seconds,
            "mixed_seconds": options.mixed_seconds,
        },
    }
    results.update(measure(options, env=env, database=database, on_section=announce))
    results["targets"] = targets(results)
    results["wall_seconds"] = round(time.perf_counter() - started, 1)
    results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    paths = write_results(results, complete=options.sections == SECTIONS)
    print()
    print(report(results))
    print(
        f"\nWall time {results['wall_seconds']:.0f} s. Written to "
        + ", ".join(str(p.relative_to(ROOT)) for p in paths)
    )


if __name__ == "__main__":
    main()
