"""The benchmark harness (benchmarks/run.py), run small on the test database:
its measurements run, and its JSON says for every target what was asked, what
was measured and whether that meets it. The figures themselves mean nothing
at this size; `make bench-quick` is where they are read."""

import json

import pytest
from django.core.management import call_command
from rest_framework.throttling import SimpleRateThrottle

from benchmarks import run

TARGETS = {
    "queries_bounded",
    "api_list_vs_floor",
    "p95_every_endpoint_ms",
    "search_p95_ms",
    "csv_import_vs_bulk_create",
    "text_ingestion_files_per_s",
    "export_peak_mb",
    "load_errors",
    "mixed_load",
}


@pytest.fixture
def tiny_corpus(db, settings, monkeypatch):
    """50 generated articles, the floor view's urlconf, no throttle, no cache."""
    call_command("generate_corpus", articles=50, seed=7, verbosity=0)
    settings.ROOT_URLCONF = "benchmarks.urls"
    settings.CACHE_SECONDS = 0
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": None, "user": None}
    )


def test_every_measurement_runs_and_every_target_is_reported(tiny_corpus):
    options = run.quick_options(
        articles=50,
        requests=2,
        warm_up=0,
        seconds_per_endpoint=1,
        import_rows=20,
        ingest_files=5,
        ingest_names=300,
    )
    results = run.measure(options, env=None)
    results["targets"] = run.targets(results)

    # A corpus this small may lack a published record of some kind to ask for
    # (an assessment, say); nothing else may fail.
    errors = [e for e in results["endpoints"] if "error" in e]
    assert all("no published record" in e["error"] for e in errors), errors
    assert len(errors) <= 2
    assert {e["kind"] for e in results["endpoints"]} == {"page", "api"}
    assert results["query_bounds"]["independent_of_page_size"] in (True, False)
    assert results["floor"]["same_results"]
    for section in ("floor", "search", "import", "ingest", "export"):
        assert "error" not in results[section], results[section]
    assert results["import"]["resource"]["rows"] == 20
    assert results["import"]["bulk_create"]["rows"] == 20
    assert results["export"]["rows"] == 50

    assert set(results["targets"]) == TARGETS
    for name, entry in results["targets"].items():
        assert {"goal", "measured", "met"} <= set(entry), name
        assert entry["met"] == run.compare(entry["measured"], entry["goal"]), name
    # The load runs need a server of their own; without one it is said so.
    assert results["targets"]["load_errors"]["measured"] is None
    assert results["targets"]["load_errors"]["met"] is False
    assert results["targets"]["mixed_load"]["measured"] is None
    assert results["targets"]["mixed_load"]["met"] is False
    json.dumps(results)


def test_the_corpus_is_unchanged_after_the_imports(tiny_corpus):
    from briefings.models import Article

    before = Article.objects.count()
    for method in run.IMPORT_METHODS:
        figures = run.measure_import_method(method, 10, seed=1)
        assert figures["rows"] == 10
    assert Article.objects.count() == before


@pytest.mark.parametrize(
    ("measured", "goal", "met"),
    [
        (1.5, "<= 1.5", True),
        (1.51, "<= 1.5", False),
        (199.9, "< 200", True),
        (200, "< 200", False),
        (100, ">= 100", True),
        (0, "== 0", True),
        (2, "== 0", False),
        (True, "== true", True),
        (False, "== true", False),
        (None, "<= 100", False),
    ],
)
def test_a_goal_is_met_by_its_figure_or_not(measured, goal, met):
    assert run.compare(measured, goal) is met


def test_the_benchmark_never_uses_the_database_the_url_names(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://bench@127.0.0.1:5432/serantau")
    database = run.BenchDatabase.for_environment(10_000, 2025)
    assert database.name == "serantau_bench_10000"
    assert database.url == "postgres://bench@127.0.0.1:5432/serantau_bench_10000"
    monkeypatch.setenv(
        "DATABASE_URL", "postgres://bench@127.0.0.1:5432/serantau_bench_10000"
    )
    with pytest.raises(SystemExit):
        run.BenchDatabase.for_environment(10_000, 2025)


def test_on_sqlite_the_corpus_is_a_file_of_its_own(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    database = run.BenchDatabase.for_environment(10_000, 2025)
    assert database.vendor == "sqlite"
    assert database.url.endswith("/benchmarks/.data/bench-10000-2025.sqlite3")
