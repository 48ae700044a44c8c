"""Readers and editors at once against real gunicorn (benchmarks/mixed.py), small:
a few threads for a few seconds on a database of the test's own, then the
database read back for lost writes.

The run's database is a temporary SQLite file, or, when DATABASE_URL points at
PostgreSQL, a database beside the test database that the run creates and drops.
"""

from __future__ import annotations

import os
import urllib.parse

import pytest

from benchmarks import mixed


def own_database_url() -> str | None:
    configured = os.environ.get("DATABASE_URL", "")
    parts = urllib.parse.urlsplit(configured)
    if not parts.scheme.startswith("postgres"):
        return None
    name = parts.path.lstrip("/") or "serantau"
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}_mixed_test"))


@pytest.fixture(scope="module")
def outcome() -> mixed.MixedResult:
    with mixed.scratch_database(
        own_database_url(), articles=0, seed=7, replace=True
    ) as url:
        return mixed.run(
            url,
            readers=3,
            editors=3,
            shared=1,
            own=1,
            seconds=5,
            max_requests=2_000,
            workers=2,
            threads=2,
        )


def test_readers_and_editors_at_once_see_no_server_error(outcome):
    assert outcome.reads > 0
    assert outcome.server_errors == 0, outcome.examples
    assert outcome.errors == 0, outcome.examples
    assert outcome.stuck == 0


def test_every_acknowledged_write_is_kept_once_and_nothing_refused_is(outcome):
    assert outcome.acknowledged > 0, outcome.report()
    assert outcome.lost_writes == 0, outcome.examples
    assert outcome.phantom_writes == 0, outcome.examples


def test_a_reader_after_the_last_write_is_served_it_not_the_cached_page(outcome):
    assert outcome.stale_reads == 0, outcome.examples


def test_editors_write_over_the_version_they_read(outcome):
    # The API answers a record with its version and ETag, and the editors send
    # it back in If-Match: a write over somebody else's is a 412, never applied
    # (the phantom count above); how many 412s there are depends on timing.
    assert outcome.versioned, outcome.report()


# The check itself, on writes made up for it ---------------------------------------

RECORD = {"kind": "meetings", "slug": "m", "summary": "before", "version": 1}


def write(value: str, sent: float, answered: float, status: int, version: int):
    return mixed.Write(
        "editor",
        0,
        value,
        sent,
        answered,
        status,
        if_match=f'"{version - 1}"',
        etag=f'"{version}"' if status == 200 else None,
    )


def check(writes, added, summary, version, page="<p>{}</p>"):
    final = [{"summary": summary, "version": version, "added": added}]
    body = page.format(summary)
    return mixed.verify([RECORD], writes, final, [{"page": body, "api": body}])


def test_the_check_passes_writes_kept_in_order():
    writes = [write("a", 0, 1, 200, 2), write("b", 2, 3, 200, 3)]
    assert check(writes, ["a", "b"], "b", 3)[:3] == (0, 0, 0)


def test_the_check_finds_an_acknowledged_write_that_was_lost():
    writes = [write("a", 0, 1, 200, 2), write("b", 2, 3, 200, 3)]
    lost, _phantom, _stale, problems = check(writes, ["b"], "b", 2)
    assert lost >= 1
    assert any("'a' is not in the history" in p for p in problems)


def test_the_check_finds_a_write_overwritten_by_an_earlier_one():
    writes = [write("a", 0, 1, 200, 2), write("b", 2, 3, 200, 3)]
    lost, _phantom, _stale, problems = check(writes, ["b", "a"], "a", 3)
    assert lost >= 1
    assert any("applied after 'b'" in p for p in problems)


def test_the_check_finds_a_refused_write_applied_anyway():
    writes = [write("a", 0, 1, 200, 2), write("b", 2, 3, 412, 3)]
    _lost, phantom, _stale, problems = check(writes, ["a", "b"], "b", 3)
    assert phantom == 1
    assert any("although it was refused" in p for p in problems)


def test_the_check_finds_a_write_applied_twice():
    writes = [write("a", 0, 1, 200, 2)]
    _lost, phantom, _stale, _problems = check(writes, ["a", "a"], "a", 3)
    assert phantom == 1


def test_the_check_finds_a_page_still_showing_the_old_summary():
    writes = [write("a", 0, 1, 200, 2)]
    _lost, _phantom, stale, problems = check(
        writes, ["a"], "a", 2, page="<p>before</p>"
    )
    assert stale == 2
    assert any("lacks its summary" in p for p in problems)
