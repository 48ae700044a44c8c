"""A database that cannot be reached: 503 with a plain page, and back to 200
once it returns, without restarting anything (briefings/middleware.py).

In process, the fault is the connection refusing, as the driver would refuse
it; end to end, on PostgreSQL, gunicorn reaches the database through a relay
that the test cuts and restores under it.
"""

from __future__ import annotations

import contextlib
import http.client
import logging
import socket
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import IntegrityError, OperationalError, ProgrammingError, connection
from django.test import Client

from benchmarks import load
from briefings.middleware import RETRY_AFTER, database_unavailable
from briefings.models import Topic
from tests.test_serve import manage

ROOT = Path(__file__).resolve().parent.parent
PLAIN_TEXT = "Unavailable for a moment"


class DatabaseDown:
    """Every attempt to use the default connection fails as a refused
    connection does, until `restore()`; counts the attempts."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.attempts = 0
        monkeypatch.setattr(connection, "ensure_connection", self._refuse)

    def _refuse(self) -> None:
        self.attempts += 1
        # Raised through Django's wrapper, as a failed connect() is.
        with connection.wrap_database_errors:
            raise connection.Database.OperationalError(
                "connection to server at 127.0.0.1, port 5432 failed: "
                "Connection refused"
            )

    def restore(self) -> None:
        self.monkeypatch.undo()


@pytest.fixture
def database_down(monkeypatch) -> Iterator[DatabaseDown]:
    down = DatabaseDown(monkeypatch)
    yield down
    down.restore()


def assert_unavailable_page(response, down: DatabaseDown) -> None:
    body = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER)
    assert PLAIN_TEXT in body
    assert "Traceback" not in body
    # The request tried the database once, failed, and the 503 page did not try
    # again: it needs no session, user or context processor.
    assert down.attempts == 1


def test_a_page_an_api_read_and_the_admin_answer_503_then_200_again(
    client, editor, seed_corpus, monkeypatch
):
    client.force_login(editor)
    anonymous = Client()
    down = DatabaseDown(monkeypatch)

    assert_unavailable_page(anonymous.get("/meetings/admm-retreat-2025/"), down)

    down.attempts = 0
    response = anonymous.get("/api/v1/meetings/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER)
    assert list(response.json()) == ["detail"]
    assert "database cannot be reached" in response.json()["detail"]
    assert down.attempts == 1

    down.attempts = 0
    assert_unavailable_page(client.get("/admin/briefings/meeting/"), down)

    down.restore()
    assert anonymous.get("/meetings/admm-retreat-2025/").status_code == 200
    assert anonymous.get("/api/v1/meetings/").status_code == 200
    assert client.get("/admin/briefings/meeting/").status_code == 200


def test_an_admin_post_during_the_outage_writes_nothing(client, editor, monkeypatch):
    client.force_login(editor)
    down = DatabaseDown(monkeypatch)
    response = client.post(
        "/admin/briefings/topic/add/",
        {"name": "Outage", "slug": "outage", "status": "draft"},
    )
    assert_unavailable_page(response, down)
    down.restore()
    assert not Topic.objects.filter(slug="outage").exists()


def test_the_plain_page_is_served_with_debug_on_too(client, settings, database_down):
    settings.DEBUG = True
    response = client.get("/topics/")
    assert_unavailable_page(response, database_down)


def test_the_outage_is_logged_once_at_error_with_its_cause(
    client, database_down, caplog
):
    with caplog.at_level(logging.ERROR):
        client.get("/topics/")
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.name == "django.request"
    assert record.getMessage() == "Service Unavailable: /topics/"
    assert isinstance(record.exc_info[1], OperationalError)
    assert "Connection refused" in str(record.exc_info[1])


def test_a_reader_keeps_getting_the_pages_the_cache_holds(seed_corpus, settings):
    settings.CACHE_SECONDS = 300
    reader = Client()
    assert reader.get("/topics/")["X-Cache"] == "miss"
    with pytest.MonkeyPatch.context() as monkeypatch:
        down = DatabaseDown(monkeypatch)
        cached = reader.get("/topics/")
        assert (cached.status_code, cached["X-Cache"]) == (200, "hit")
        assert down.attempts == 0
        assert_unavailable_page(reader.get("/actors/"), down)


def _wrapped(driver_error: Exception) -> OperationalError:
    """A driver's OperationalError as Django raises it: Django's class, the
    driver's exception as its cause (django.db.utils.DatabaseErrorWrapper)."""
    error = OperationalError(*driver_error.args)
    error.__cause__ = driver_error
    return error


def _sqlite_error(sql: str) -> Exception:
    try:
        sqlite3.connect(":memory:").execute(sql)
    except sqlite3.Error as error:
        return error
    raise AssertionError(f"{sql} did not fail")


def _sqlite_cannot_open(tmp_path: Path) -> Exception:
    try:
        sqlite3.connect(tmp_path / "missing" / "db.sqlite3")
    except sqlite3.Error as error:
        return error
    raise AssertionError("opened")


def test_only_connection_failures_count_as_an_outage(tmp_path):
    assert database_unavailable(_wrapped(_sqlite_cannot_open(tmp_path)))
    assert database_unavailable(_wrapped(psycopg.OperationalError("refused")))
    admin_shutdown = psycopg.errors.AdminShutdown("terminating connection")
    assert database_unavailable(_wrapped(admin_shutdown))
    # Bugs, which keep their 500 and traceback.
    assert not database_unavailable(_wrapped(_sqlite_error("select * from nope")))
    assert not database_unavailable(_wrapped(psycopg.errors.DeadlockDetected()))
    assert not database_unavailable(IntegrityError("duplicate key"))
    assert not database_unavailable(ProgrammingError("syntax error"))
    assert not database_unavailable(ValueError("not a database error"))


def test_a_bug_in_a_query_is_still_a_server_error(client, monkeypatch):
    def broken(self, *args, **kwargs):
        raise ProgrammingError("column does not exist")

    monkeypatch.setattr("django.db.models.sql.compiler.SQLCompiler.execute_sql", broken)
    client.raise_request_exception = False
    assert client.get("/topics/").status_code == 500


# End to end, on PostgreSQL ---------------------------------------------------------

LIVE_DATABASE = "serantau_faults_live"
# Bounds on the whole test: it stops by itself whatever happens.
REQUEST_TIMEOUT = 10.0


class Relay:
    """A TCP relay on 127.0.0.1 to a server on 127.0.0.1, which can be cut
    (listening socket and live connections closed) and restored on its port."""

    def __init__(self, target_port: int) -> None:
        self.target = (load.HOST, target_port)
        self.port = load.free_port()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None

    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((load.HOST, self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return  # cut
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(
                    target=self._pump, args=(source, sink), daemon=True
                ).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                self._close(end)

    def _close(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(sock)
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()

    def cut(self) -> None:
        if self._listener is not None:
            # shutdown() first: a close() alone leaves the socket listening
            # while the accepting thread is blocked on it.
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            live = list(self._sockets)
        for sock in live:
            self._close(sock)


def _get(port: int, path: str) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection(load.HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request("GET", path, headers={"Accept": "text/html"})
        response = conn.getresponse()
        body = response.read().decode(errors="replace")
        return response.status, dict(response.getheaders()), body
    finally:
        conn.close()


def _admin_sql(sql: str) -> None:
    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"] or load.HOST,
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
        connect_timeout=5,
    ) as admin:
        admin.execute(sql)


@pytest.fixture
def live_database() -> Iterator[dict]:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip(
            "Cutting the database off needs a network database: run with a "
            "PostgreSQL DATABASE_URL."
        )
    if (db["HOST"] or load.HOST) != load.HOST:
        pytest.skip(f"The relay forwards to {load.HOST} only, not {db['HOST']}.")
    _admin_sql(f'DROP DATABASE IF EXISTS "{LIVE_DATABASE}" WITH (FORCE)')
    _admin_sql(f'CREATE DATABASE "{LIVE_DATABASE}"')
    try:
        yield db
    finally:
        _admin_sql(f'DROP DATABASE IF EXISTS "{LIVE_DATABASE}" WITH (FORCE)')


def test_gunicorn_answers_503_while_the_database_is_cut_off_and_recovers(
    live_database, tmp_path
):
    db = live_database
    relay = Relay(int(db["PORT"] or 5432))
    relay.start()
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    url = f"postgres://{credentials}@{load.HOST}:{{port}}/{LIVE_DATABASE}"
    static_root = tmp_path / "static"
    env = load.server_environment(
        database_url=url.format(port=relay.port),
        workers=1,
        threads=2,
        extra={
            "STATIC_ROOT": str(static_root),
            "STATIC_MANIFEST": "true",
            # Kept connections, which the cut breaks under the server: the
            # health check must replace them once the database is back.
            "DB_CONN_MAX_AGE": "60",
        },
    )
    direct = {**env, "DATABASE_URL": url.format(port=db["PORT"] or 5432)}
    manage(direct, "migrate", "--noinput", "--verbosity", "0")
    manage(direct, "collectstatic", "--noinput", "--verbosity", "0")
    try:
        with load.serve(env, timeout=60) as server:
            pid = server.process.pid
            for path in ("/", "/api/v1/meetings/"):
                assert _get(server.port, path)[0] == 200

            relay.cut()
            status, headers, body = _get(server.port, "/topics/")
            assert status == 503, body[-2000:]
            assert headers["Retry-After"] == str(RETRY_AFTER)
            assert PLAIN_TEXT in body
            assert "Traceback" not in body
            status, _headers, body = _get(server.port, "/api/v1/meetings/")
            assert status == 503
            assert '"detail"' in body

            relay.start()
            # The next request succeeds: no restart, no warming up.
            status, _headers, body = _get(server.port, "/topics/")
            assert status == 200, body[-2000:]
            assert _get(server.port, "/api/v1/meetings/")[0] == 200
            assert server.process.pid == pid and server.process.poll() is None
            log = server.stderr_path.read_text()
            assert "ERROR django.request: Service Unavailable: /topics/" in log
            assert "OperationalError" in log
    finally:
        relay.cut()
