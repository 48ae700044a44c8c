"""`make serve`'s stack, for real: collected static files, gunicorn with
config/gunicorn.conf.py on a free loopback port, WhiteNoise in front of Django.

The server runs on a SQLite database and a static folder of the test's own,
and is stopped (its whole process group) however the tests end.
"""

from __future__ import annotations

import gzip
import http.client
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks import load

ROOT = Path(__file__).resolve().parent.parent
# WhiteNoise's "for ever" for a file whose name carries its hash.
TEN_YEARS = 315360000


def manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stderr}"


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple[load.Server, Path]]:
    folder = tmp_path_factory.mktemp("serve")
    static_root = folder / "static"
    env = load.server_environment(
        database_url=f"sqlite:///{folder / 'db.sqlite3'}",
        workers=1,
        threads=2,
        extra={"STATIC_ROOT": str(static_root), "STATIC_MANIFEST": "true"},
    )
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "loaddata", "seed_corpus", "--verbosity", "0")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    with load.serve(env, timeout=60) as server:
        yield server, static_root


def get(server: load.Server, path: str, **headers: str):
    """One request on a connection of its own: (status, headers, body)."""
    connection = http.client.HTTPConnection(load.HOST, server.port, timeout=10)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def stylesheet(server: load.Server) -> str:
    status, _headers, body = get(server, "/")
    assert status == 200
    [path] = re.findall(
        r'href="(/static/serantau/site\.[0-9a-f]{12}\.css)"', body.decode()
    )
    return path


def test_gunicorn_serves_the_briefing_pages(served):
    server, _static_root = served
    status, headers, body = get(server, "/meetings/admm-retreat-2025/")
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert "ADMM Retreat" in body.decode()
    status, _headers, body = get(server, "/api/v1/meetings/", Accept="application/json")
    assert status == 200
    assert b'"slug":"admm-retreat-2025"' in body


def test_static_files_have_hashed_names_browsers_keep_for_ever(served):
    server, static_root = served
    path = stylesheet(server)
    status, headers, body = get(server, path)
    assert status == 200
    assert f"max-age={TEN_YEARS}" in headers["Cache-Control"]
    assert "immutable" in headers["Cache-Control"]
    assert "Content-Encoding" not in headers
    assert body == (static_root / path.removeprefix("/static/")).read_bytes()


def test_a_static_file_comes_compressed_to_a_browser_that_asks(served):
    server, static_root = served
    path = stylesheet(server)
    original = (static_root / path.removeprefix("/static/")).read_bytes()
    status, headers, body = get(server, path, **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in headers["Vary"]
    assert len(body) < len(original)
    assert gzip.decompress(body) == original


def test_a_static_file_comes_in_brotli_to_a_browser_that_prefers_it(served):
    server, _static_root = served
    status, headers, _body = get(
        server, stylesheet(server), **{"Accept-Encoding": "br, gzip"}
    )
    assert (status, headers["Content-Encoding"]) == (200, "br")


def test_an_unhashed_static_name_is_not_kept_for_long(served):
    """The same name may hold another file after the next deploy."""
    server, _static_root = served
    status, headers, _body = get(server, "/static/serantau/site.css")
    assert status == 200
    assert f"max-age={TEN_YEARS}" not in headers.get("Cache-Control", "")


def test_the_proxy_may_say_the_request_came_over_https(served):
    server, _static_root = served
    status, _headers, body = get(
        server, "/robots.txt", **{"X-Forwarded-Proto": "https"}
    )
    assert status == 200
    assert f"Sitemap: https://{load.HOST}:{server.port}/sitemap.xml" in body.decode()


def test_every_request_is_logged_on_standard_output(served):
    server, _static_root = served
    get(server, "/topics/")
    line = re.compile(r'"GET /topics/ HTTP/1\.1" 200 ')
    # The line is written once the answer has gone, so it may come a moment later.
    deadline = time.monotonic() + 10
    log = server.stdout_path.read_text()
    while not line.search(log) and time.monotonic() < deadline:
        time.sleep(0.1)
        log = server.stdout_path.read_text()
    assert line.search(log), log[-2000:]


# The configuration on its own ------------------------------------------------------


def gunicorn_config(**environment: str) -> subprocess.CompletedProcess:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("GUNICORN_") and name not in ("PORT", "WEB_CONCURRENCY")
    }
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "config/gunicorn.conf.py",
            "--print-config",
        ],
        cwd=ROOT,
        env={**env, **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )


def setting(output: str, name: str) -> str:
    [value] = re.findall(rf"^{name}\s+= (.*)$", output, flags=re.MULTILINE)
    return value


@pytest.mark.parametrize(
    ("environment", "bind"),
    [
        ({}, "['127.0.0.1:8000']"),
        ({"PORT": "9000"}, "['0.0.0.0:9000']"),
        ({"PORT": "9000", "GUNICORN_BIND": "127.0.0.1:9001"}, "['127.0.0.1:9001']"),
    ],
    ids=["loopback by default", "a platform's PORT", "GUNICORN_BIND first"],
)
def test_the_address_comes_from_the_environment(environment, bind):
    result = gunicorn_config(**environment)
    assert result.returncode == 0, result.stderr
    assert setting(result.stdout, "bind") == bind


def test_workers_default_to_two_per_core_and_one():
    result = gunicorn_config()
    assert result.returncode == 0, result.stderr
    cores = len(os.sched_getaffinity(0))
    assert setting(result.stdout, "workers") == str(2 * cores + 1)
    assert setting(result.stdout, "worker_class") == "gthread"


@pytest.mark.parametrize("name", ["GUNICORN_THREADS", "GUNICORN_TIMEOUT"])
def test_a_bad_value_stops_gunicorn_with_its_name(name):
    result = gunicorn_config(**{name: "0"})
    assert result.returncode != 0
    assert f"{name} must be at least 1" in result.stderr + result.stdout


# The load generator (benchmarks/load.py) on the same server ------------------------


def test_the_load_generator_counts_requests_and_stops_on_time(served):
    server, _static_root = served
    result = load.drive(
        server.port, ["/topics/", "/api/v1/topics/"], connections=4, duration=1.0
    )
    assert result.requests > 0
    assert (result.errors, result.stuck) == (0, 0)
    assert result.statuses == {200: result.requests}
    assert result.duration < 1.0 + 10
    assert 0 < result.p50_ms <= result.p95_ms <= result.p99_ms


def test_the_load_generator_counts_any_other_answer_as_an_error(served):
    server, _static_root = served
    result = load.drive(
        server.port, ["/meetings/no-such-meeting/"], connections=2, duration=0.5
    )
    assert result.requests > 0
    assert result.errors == result.requests
    assert "GET /meetings/no-such-meeting/: HTTP 404" in result.error_examples


def test_the_load_generator_talks_to_loopback_only():
    with pytest.raises(ValueError, match=r"127\.0\.0\.1 only"):
        load.drive(80, ["/"], host="192.0.2.1", duration=0.1)
