"""Readers and editors at once on the production stack: gunicorn with
config/gunicorn.conf.py on a free loopback port, the page cache on, anonymous
readers on pages and the API while editors PATCH records through the API, then
a check of the database that no acknowledged write was lost.

    .venv/bin/python benchmarks/mixed.py
    .venv/bin/python benchmarks/mixed.py \\
        --database-url postgres://postgres@127.0.0.1:5432/serantau_mixed_run \\
        --redis-url redis://127.0.0.1:6379/5

The run has a database of its own, which it creates, fills (the seed corpus,
or generate_corpus --articles N) and removes: --database-url names it, a SQLite
file or a PostgreSQL database that must not exist yet; by default a SQLite file
in a temporary folder.

Each editor has an account and an API token of its own, and edits some records
of its own and some that every editor edits (real conflicts). Every write sets
a record's summary to a value no other write uses. When the API answers a
record with a `version` and an ETag, every write sends it back in If-Match; a
412 (someone else wrote first) is read again and retried, a few times at most.

Afterwards, with the server stopped, the database is read directly: for every
record, its history (django-reversion) holds each acknowledged write exactly
once, in an order that agrees with the order the answers came in, nothing that
was refused, and the record holds the last one. A reader asking for the record
after the last write sees it (the writes emptied the cache).

It talks to 127.0.0.1 only and stops by itself: every request has a timeout,
the run a hard deadline and a bounded number of requests, and gunicorn's whole
process group is stopped when it ends, however it ends.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.load import (
    HOST,
    ROOT,
    STALE_CONNECTION,
    Server,
    _ms,
    default_paths,
    forget_cache,
    loopback_only,
    percentile,
    serve,
    server_environment,
)

# A write that meets a newer version is read again and sent again this many
# times before the editor gives up on it.
MAX_RETRIES = 5
MAX_EXAMPLES = 10
# What an editor may change: everything of a curated record but publishing it
# (tests/conftest.py's editor).
CURATED = ["topic", "actor", "actoralias", "meeting", "participation", "article"]
CURATED += ["commitment", "complianceassessment", "annotation", "mention"]
# The records edited, by their API path, and their models. No other record
# follows them in django-reversion (briefings/history.py): saving a meeting also
# records its commitments, and their history would count writes never sent.
EDITED = {"meetings": "briefings.Meeting", "articles": "briefings.Article"}


# The run's own database ------------------------------------------------------------


def manage(env: Mapping[str, str], *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr}")


def _postgres_server(url: str):
    """A connection to the server that holds `url`'s database, not to it."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    return psycopg.connect(
        dbname="postgres",
        host=parts.hostname or "",
        port=parts.port or 5432,
        user=urllib.parse.unquote(parts.username or ""),
        password=urllib.parse.unquote(parts.password or ""),
        autocommit=True,
    )


@contextmanager
def scratch_database(
    url: str | None, *, articles: int, seed: int, replace: bool = False
) -> Iterator[str]:
    """A database for this run only, migrated and filled with the seed corpus
    or a generated one of `articles` articles; removed however the block ends.
    `url` names it (a SQLite file or a PostgreSQL database that must not exist
    yet, unless `replace`); None is a SQLite file in a temporary folder."""
    folder = None
    if url is None:
        folder = Path(tempfile.mkdtemp(prefix="serantau-mixed-"))
        url = f"sqlite:///{folder / 'mixed.sqlite3'}"
    scheme = urllib.parse.urlsplit(url).scheme
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    if scheme.startswith("sqlite"):
        # A relative path is the checkout's, as for manage.py and gunicorn.
        path = ROOT / urllib.parse.urlsplit(url).path[1:]
        files = [
            path.with_name(path.name + s) for s in ("", "-journal", "-wal", "-shm")
        ]
        if path.exists() and not replace:
            raise ValueError(f"{path} exists; the run makes and removes its own file.")

        def drop() -> None:
            for file in files:
                file.unlink(missing_ok=True)

    elif scheme.startswith("postgres"):
        from psycopg import sql

        identifier = sql.Identifier(name)

        def drop() -> None:
            with _postgres_server(url) as server:
                server.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        identifier
                    )
                )

        with _postgres_server(url) as server:
            found = server.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
        if found and not replace:
            raise ValueError(
                f"The database {name!r} exists; the run creates and drops its own. "
                "Name another, or drop it."
            )
    else:
        raise ValueError("The database URL must point at SQLite or PostgreSQL.")
    try:
        drop()
        if scheme.startswith("postgres"):
            with _postgres_server(url) as server:
                server.execute(sql.SQL("CREATE DATABASE {}").format(identifier))
        env = server_environment(database_url=url)
        manage(env, "migrate", "--noinput", "--verbosity", "0")
        if articles:
            manage(env, "generate_corpus", f"--articles={articles}", f"--seed={seed}")
        else:
            manage(env, "loaddata", "seed_corpus", "--verbosity", "0")
        yield url
    finally:
        drop()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


# Django, in a process of its own on the run's database -----------------------------


def child(env: Mapping[str, str], task: str, payload: dict) -> dict:
    """Run `task` (prepare, history) with Django on env's DATABASE_URL."""
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", task],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{task} failed:\n{result.stderr}")
    return json.loads(result.stdout)


def _record(kind: str, slug: str):
    from django.apps import apps

    return apps.get_model(EDITED[kind]).objects.get(slug=slug)


def _history(record) -> list[str]:
    """The summary each saved version of `record` held, oldest first."""
    from reversion.models import Version

    versions = Version.objects.get_for_object(record).order_by("pk")
    return [version.field_dict.get("summary", "") for version in versions]


def prepare(payload: dict) -> dict:
    """Editor accounts with tokens, and the records they will edit: each
    editor's own and those every editor edits."""
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from rest_framework.authtoken.models import Token

    codenames = [f"{a}_{m}" for m in CURATED for a in ("add", "change", "view")]
    permissions = list(Permission.objects.filter(codename__in=codenames))
    editors = []
    for number in range(payload["editors"]):
        user = get_user_model().objects.create_user(
            username=f"mixed-editor-{number}", is_staff=True
        )
        user.user_permissions.add(*permissions)
        editors.append(
            {"name": user.username, "token": Token.objects.create(user=user).key}
        )
    # Published, so that anonymous readers see them (and the cache keeps them).
    candidates = [
        (kind, slug)
        for kind, label in EDITED.items()
        for slug in apps.get_model(label)
        .objects.published()
        .order_by("pk")
        .values_list("slug", flat=True)
    ]
    shared, own = payload["shared"], payload["own"]
    needed = shared + own * len(editors)
    if len(candidates) < needed:
        raise RuntimeError(
            f"{needed} published meetings and articles needed, "
            f"{len(candidates)} found: generate a larger corpus."
        )
    records = []
    for index, (kind, slug) in enumerate(candidates[:needed]):
        owner = None if index < shared else editors[(index - shared) // own]["name"]
        record = _record(kind, slug)
        records.append(
            {
                "kind": kind,
                "slug": slug,
                "owner": owner,
                "summary": record.summary,
                "version": getattr(record, "version", None),
                "history": len(_history(record)),
            }
        )
    return {"editors": editors, "records": records}


def history(payload: dict) -> dict:
    """Each record's summary, version and the summaries its history gained
    since `history` (the count at the start)."""
    found = []
    for entry in payload["records"]:
        record = _record(entry["kind"], entry["slug"])
        found.append(
            {
                "summary": record.summary,
                "version": getattr(record, "version", None),
                "added": _history(record)[entry["history"] :],
            }
        )
    return {"records": found}


def run_child(task: str) -> None:
    import django

    django.setup()
    payload = json.load(sys.stdin)
    print(json.dumps({"prepare": prepare, "history": history}[task](payload)))


# The load --------------------------------------------------------------------------


@dataclass
class Write:
    editor: str
    record: int
    value: str
    sent: float
    answered: float = 0.0
    # None: no answer (a timeout, a closed connection); whether the write was
    # applied is unknown.
    status: int | None = None
    if_match: str | None = None
    etag: str | None = None


@dataclass
class Tally:
    reads: list[float] = field(default_factory=list)
    write_latencies: list[float] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    server_error_count: int = 0
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    conflicts: int = 0
    retries: int = 0
    gave_up: int = 0

    def server_error(self, method: str, path: str, status: int, body: bytes) -> None:
        self.server_error_count += 1
        if len(self.server_errors) < MAX_EXAMPLES:
            text = " ".join(body.decode(errors="replace").split())[:200]
            self.server_errors.append(f"{method} {path}: HTTP {status}: {text}")

    def error(self, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_EXAMPLES:
            self.errors.append(message)


class Budget:
    """The requests the whole run may still send."""

    def __init__(self, requests: int):
        self._left = requests
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            self._left -= 1
            return self._left >= 0


class Client:
    """One keep-alive connection to the server under test."""

    def __init__(self, port: int, timeout: float, headers: Mapping[str, str]):
        loopback_only(HOST)
        self.connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
        self.headers = dict(headers)

    def send(
        self,
        method: str,
        path: str,
        *,
        body: dict | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        headers = {**self.headers, **(headers or {})}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        reused = self.connection.sock is not None
        try:
            return self._exchange(method, path, data, headers)
        except STALE_CONNECTION:
            # Only a read is sent again: a write whose connection broke may
            # have been applied, and is reported as unanswered instead.
            if not reused or method != "GET":
                raise
            self.connection.close()
            return self._exchange(method, path, data, headers)

    def _exchange(self, method, path, data, headers):
        try:
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
        except BaseException:
            self.connection.close()
            raise
        if response.will_close:
            self.connection.close()
        return response.status, response.headers, content

    def close(self) -> None:
        self.connection.close()


TRANSPORT_ERRORS = (OSError, http.client.HTTPException)


def reader(
    client: Client,
    paths: Sequence[str],
    start: int,
    tally: Tally,
    budget: Budget,
    deadline: float,
) -> None:
    turn = start
    while time.monotonic() < deadline and budget.take():
        path = paths[turn % len(paths)]
        turn += 1
        began = time.perf_counter()
        try:
            status, _headers, body = client.send("GET", path)
        except TRANSPORT_ERRORS as error:
            tally.error(f"GET {path}: {type(error).__name__}: {error}")
            continue
        tally.reads.append(time.perf_counter() - began)
        tally.statuses[status] += 1
        if status >= 500:
            tally.server_error("GET", path, status, body)
        elif status != 200:
            tally.error(f"GET {path}: HTTP {status}")


def editor(
    client: Client,
    name: str,
    records: Sequence[dict],
    mine: Sequence[int],
    tally: Tally,
    budget: Budget,
    deadline: float,
    rng: random.Random,
) -> None:
    """Edit a record at a time, its own or a shared one: read it, write a new
    summary, and on a 412 read it again and write again, a few times at most."""
    number = 0
    while time.monotonic() < deadline:
        index = rng.choice(mine)
        path = records[index]["api_path"]
        for attempt in range(MAX_RETRIES + 1):
            if time.monotonic() >= deadline or not budget.take():
                return
            try:
                status, headers, body = client.send("GET", path)
            except TRANSPORT_ERRORS as error:
                tally.error(f"GET {path}: {type(error).__name__}: {error}")
                break
            tally.statuses[status] += 1
            if status != 200:
                if status >= 500:
                    tally.server_error("GET", path, status, body)
                else:
                    tally.error(f"GET {path}: HTTP {status}")
                break
            if not budget.take():
                return
            number += 1
            write = Write(name, index, f"edit {name}-{number}", time.monotonic())
            # The API's concurrency protocol, once it has one: the version read
            # goes back with the write, which then fails if it is stale.
            if "version" in json.loads(body):
                write.if_match = headers.get("ETag")
            began = time.perf_counter()
            try:
                status, headers, body = client.send(
                    "PATCH",
                    path,
                    body={"summary": write.value},
                    headers={"If-Match": write.if_match} if write.if_match else {},
                )
            except TRANSPORT_ERRORS as error:
                tally.writes.append(write)
                tally.error(f"PATCH {path}: {type(error).__name__}: {error}")
                break
            tally.write_latencies.append(time.perf_counter() - began)
            write.answered = time.monotonic()
            write.status = status
            write.etag = headers.get("ETag")
            tally.writes.append(write)
            tally.statuses[status] += 1
            if status == 412:
                tally.conflicts += 1
                if attempt == MAX_RETRIES:
                    tally.gave_up += 1
                else:
                    tally.retries += 1
                continue
            if status >= 500:
                tally.server_error("PATCH", path, status, body)
            elif not 200 <= status < 300:
                text = " ".join(body.decode(errors="replace").split())[:300]
                tally.error(f"PATCH {path}: HTTP {status}: {text}")
            break


@dataclass
class MixedResult:
    readers: int
    editors: int
    seconds: float
    requests: int
    reads: int
    writes_sent: int
    acknowledged: int
    conflicts: int
    retries: int
    gave_up: int
    unanswered: int
    read_p50_ms: float | None
    read_p95_ms: float | None
    read_p99_ms: float | None
    write_p50_ms: float | None
    write_p95_ms: float | None
    write_p99_ms: float | None
    server_errors: int
    errors: int
    lost_writes: int = 0
    phantom_writes: int = 0
    stale_reads: int = 0
    versioned: bool = False
    stuck: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)

    @property
    def reads_per_second(self) -> float:
        return self.reads / self.seconds if self.seconds else 0.0

    @property
    def writes_per_second(self) -> float:
        return self.acknowledged / self.seconds if self.seconds else 0.0

    @property
    def failures(self) -> int:
        """What must be zero: 5xx, lost or phantom writes, stale pages, errors."""
        return (
            self.server_errors
            + self.lost_writes
            + self.phantom_writes
            + self.stale_reads
            + self.errors
            + self.stuck
        )

    def as_dict(self) -> dict:
        return {
            **asdict(self),
            "reads_per_second": round(self.reads_per_second, 1),
            "writes_per_second": round(self.writes_per_second, 1),
            "failures": self.failures,
        }

    def report(self) -> str:
        def ms(value: float | None) -> str:
            return "—" if value is None else f"{value:.1f}"

        rows = [
            ("requests", f"{self.requests} in {self.seconds:.1f} s"),
            ("readers / editors", f"{self.readers} / {self.editors}"),
            ("reads/s", f"{self.reads_per_second:.0f}"),
            ("writes/s (acknowledged)", f"{self.writes_per_second:.1f}"),
            ("acknowledged writes", f"{self.acknowledged} of {self.writes_sent}"),
            (
                "conflicts (412) / retries / gave up",
                f"{self.conflicts} / {self.retries} / {self.gave_up}"
                + ("" if self.versioned else " (the API sends no version)"),
            ),
            (
                "reads p50 / p95 / p99 ms",
                f"{ms(self.read_p50_ms)} / {ms(self.read_p95_ms)} / "
                f"{ms(self.read_p99_ms)}",
            ),
            (
                "writes p50 / p95 / p99 ms",
                f"{ms(self.write_p50_ms)} / {ms(self.write_p95_ms)} / "
                f"{ms(self.write_p99_ms)}",
            ),
            ("5xx", str(self.server_errors)),
            ("lost writes", str(self.lost_writes)),
            ("phantom writes", str(self.phantom_writes)),
            ("stale reads after the last write", str(self.stale_reads)),
            ("other errors (unanswered writes)", f"{self.errors} ({self.unanswered})"),
            ("statuses", str(dict(sorted(self.statuses.items())))),
        ]
        width = max(len(name) for name, _ in rows)
        lines = [f"{name:<{width}}  {value}" for name, value in rows]
        lines += [f"  e.g. {example}" for example in self.examples]
        return "\n".join(lines)


def drive_mixed(
    server: Server,
    records: list[dict],
    editors: list[dict],
    *,
    readers: int,
    seconds: float,
    max_requests: int,
    request_timeout: float,
    seed: int,
) -> tuple[MixedResult, list[Write]]:
    """`readers` anonymous readers and one thread per editor for `seconds`,
    `max_requests` requests at most in all."""
    port = server.port
    paths = default_paths(port)
    for record in records:
        paths += [record["api_path"], record["page_path"]]
    budget = Budget(max_requests)
    reader_tallies = [Tally() for _ in range(readers)]
    editor_tallies = [Tally() for _ in editors]
    deadline = time.monotonic() + seconds
    rng = random.Random(seed)
    threads = []
    clients = []
    for number, tally in enumerate(reader_tallies):
        client = Client(port, request_timeout, {})
        clients.append(client)
        threads.append(
            threading.Thread(
                target=reader,
                args=(client, paths, number * 7, tally, budget, deadline),
                daemon=True,
            )
        )
    for account, tally in zip(editors, editor_tallies, strict=True):
        client = Client(
            port, request_timeout, {"Authorization": f"Token {account['token']}"}
        )
        clients.append(client)
        mine = [
            i for i, r in enumerate(records) if r["owner"] in (None, account["name"])
        ]
        threads.append(
            threading.Thread(
                target=editor,
                args=(client, account["name"], records, mine, tally, budget, deadline),
                kwargs={"rng": random.Random(rng.random())},
                daemon=True,
            )
        )
    start = time.monotonic()
    for thread in threads:
        thread.start()
    # A request under way at the deadline has its timeout to finish; an editor
    # may be two requests into a write.
    hard_stop = deadline + 2 * request_timeout + 5
    for thread in threads:
        thread.join(timeout=max(0.0, hard_stop - time.monotonic()))
    stuck = sum(thread.is_alive() for thread in threads)
    ended = time.monotonic()
    for client in clients:
        with suppress(Exception):
            client.close()

    tallies = reader_tallies + editor_tallies
    reads = sorted(x for t in reader_tallies for x in t.reads)
    write_times = sorted(x for t in editor_tallies for x in t.write_latencies)
    writes = [w for t in editor_tallies for w in t.writes]
    statuses: Counter = Counter()
    for tally in tallies:
        statuses.update(tally.statuses)
    result = MixedResult(
        readers=readers,
        editors=len(editors),
        seconds=ended - start,
        requests=sum(statuses.values()),
        reads=len(reads),
        writes_sent=len(writes),
        acknowledged=sum(1 for w in writes if w.status and 200 <= w.status < 300),
        conflicts=sum(t.conflicts for t in tallies),
        retries=sum(t.retries for t in tallies),
        gave_up=sum(t.gave_up for t in tallies),
        unanswered=sum(1 for w in writes if w.status is None),
        read_p50_ms=_ms(percentile(reads, 0.50)),
        read_p95_ms=_ms(percentile(reads, 0.95)),
        read_p99_ms=_ms(percentile(reads, 0.99)),
        write_p50_ms=_ms(percentile(write_times, 0.50)),
        write_p95_ms=_ms(percentile(write_times, 0.95)),
        write_p99_ms=_ms(percentile(write_times, 0.99)),
        server_errors=sum(t.server_error_count for t in tallies),
        errors=sum(t.error_count for t in tallies),
        versioned=any(w.if_match for w in writes),
        stuck=stuck,
        statuses=dict(statuses),
        examples=[e for t in tallies for e in t.server_errors + t.errors][
            :MAX_EXAMPLES
        ],
    )
    return result, writes


# Verification ----------------------------------------------------------------------


def _version(etag: str | None) -> int | None:
    with suppress(AttributeError, ValueError):
        return int(etag.strip('"').removeprefix("W/").strip('"'))
    return None


def verify(
    records: list[dict],
    writes: list[Write],
    final: list[dict],
    pages: list[dict],
) -> tuple[int, int, int, list[str]]:
    """(lost writes, phantom writes, stale reads, what each one was), from the
    writes as the editors saw them and the records as the database holds them.

    Lost: an acknowledged write missing from the record's history, or found
    before a write that was sent only after it had been acknowledged, or the
    record not holding the last one; with versions, one whose version was not
    the next after the version it was sent with. Phantom: a value in the
    history more than once, or one that was refused or never sent.
    """
    lost = phantom = stale = 0
    problems: list[str] = []

    def problem(message: str) -> None:
        if len(problems) < MAX_EXAMPLES:
            problems.append(message)

    for index, (record, now) in enumerate(zip(records, final, strict=True)):
        name = f"{record['kind']}/{record['slug']}"
        mine = [w for w in writes if w.record == index]
        acked = [w for w in mine if w.status and 200 <= w.status < 300]
        unanswered = {w.value for w in mine if w.status is None}
        added = now["added"]
        position = {value: at for at, value in enumerate(added)}
        for value, count in Counter(added).items():
            if count > 1:
                phantom += count - 1
                problem(f"{name}: {value!r} applied {count} times")
        known = {w.value for w in acked} | unanswered
        for value in set(added) - known:
            phantom += 1
            refused = any(w.value == value for w in mine)
            problem(
                f"{name}: {value!r} applied although "
                + ("it was refused" if refused else "no editor sent it")
            )
        missing = [w for w in acked if w.value not in position]
        lost += len(missing)
        for write in missing:
            problem(f"{name}: acknowledged {write.value!r} is not in the history")
        present = sorted(
            (w for w in acked if w.value in position), key=lambda w: w.answered
        )
        # Real time: a write sent after another was acknowledged comes after it.
        for earlier in present:
            for later in present:
                if later.sent > earlier.answered and (
                    position[later.value] < position[earlier.value]
                ):
                    lost += 1
                    problem(
                        f"{name}: {earlier.value!r} applied after {later.value!r}, "
                        "which was sent once it had been acknowledged"
                    )
        expected = added[-1] if added else record["summary"]
        if now["summary"] != expected:
            lost += 1
            problem(f"{name}: holds {now['summary']!r}, its last write {expected!r}")
        if record["version"] is not None and now["version"] is not None:
            if now["version"] - record["version"] != len(added):
                lost += 1
                problem(
                    f"{name}: version {record['version']} → {now['version']} "
                    f"for {len(added)} writes"
                )
            for write in acked:
                sent, got = _version(write.if_match), _version(write.etag)
                if sent is not None and got != sent + 1:
                    lost += 1
                    problem(
                        f"{name}: {write.value!r} sent for version {sent}, "
                        f"acknowledged as {got}"
                    )
        page = pages[index]
        for path, body in (("page", page["page"]), ("api", page["api"])):
            if added and now["summary"] not in body:
                stale += 1
                problem(f"{name}: the {path} read after the run lacks its summary")
    return lost, phantom, stale, problems


def exceptions_in(log: str) -> Counter:
    """The exceptions behind the 5xx, from gunicorn's log: the first line
    after each traceback's frames."""
    found: Counter = Counter()
    lines = log.splitlines()
    for at, line in enumerate(lines):
        if line.startswith("Traceback (most recent call last):"):
            for after in lines[at + 1 :]:
                if after and not after[0].isspace():
                    found[after[:300]] += 1
                    break
    return found


def read_back(port: int, records: list[dict], timeout: float) -> list[dict]:
    """What an anonymous reader is served for each record after the run."""
    client = Client(port, timeout, {})
    try:
        pages = []
        for record in records:
            entry = {}
            for key in ("page", "api"):
                _status, _headers, body = client.send("GET", record[f"{key}_path"])
                entry[key] = body.decode(errors="replace")
            pages.append(entry)
        return pages
    finally:
        client.close()


def run(
    database_url: str,
    *,
    redis_url: str | None = None,
    readers: int = 8,
    editors: int = 4,
    shared: int = 2,
    own: int = 2,
    seconds: float = 15.0,
    max_requests: int = 50_000,
    workers: int | None = 3,
    threads: int | None = 4,
    request_timeout: float = 10.0,
    seed: int = 7,
    extra: Mapping[str, str] | None = None,
) -> MixedResult:
    """Serve `database_url` (the run's own, filled) with the page cache on, drive
    readers and editors, stop the server and check the database."""
    cache_dir = Path(tempfile.mkdtemp(prefix="serantau-mixed-cache-"))
    env = server_environment(
        database_url=database_url,
        cache_seconds=300,
        redis_url=redis_url,
        workers=workers,
        threads=threads,
        access_log=False,
        extra={"CACHE_DIR": str(cache_dir), **(extra or {})},
    )
    try:
        setup = child(
            env, "prepare", {"editors": editors, "shared": shared, "own": own}
        )
        records = setup["records"]
        for record in records:
            record["api_path"] = f"/api/v1/{record['kind']}/{record['slug']}/"
            record["page_path"] = f"/{record['kind']}/{record['slug']}/"
        with serve(env) as server:
            result, writes = drive_mixed(
                server,
                records,
                setup["editors"],
                readers=readers,
                seconds=seconds,
                max_requests=max_requests,
                request_timeout=request_timeout,
                seed=seed,
            )
            pages = read_back(server.port, records, request_timeout)
            log = server.stderr_path.read_text(errors="replace")
        final = child(env, "history", {"records": records})["records"]
    finally:
        forget_cache(env)
        shutil.rmtree(cache_dir, ignore_errors=True)
    lost, phantom, stale, problems = verify(records, writes, final, pages)
    result.lost_writes, result.phantom_writes, result.stale_reads = lost, phantom, stale
    result.examples += problems
    if result.server_errors:
        causes = exceptions_in(log)
        result.examples += [f"{n}× {cause}" for cause, n in causes.most_common(5)]
    return result


# Command line ----------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=(
            "Serve a database of the run's own with gunicorn on 127.0.0.1 and the "
            "page cache on; read pages and the API while editors PATCH records "
            "through the API for a bounded time; then check that every "
            "acknowledged write is in the database, once, and that no answer "
            "was a 5xx."
        )
    )
    parser.add_argument(
        "--database-url",
        help="the run's own database, created and removed by the run: a SQLite "
        "file or a PostgreSQL database that must not exist yet (default: a "
        "SQLite file in a temporary folder)",
    )
    parser.add_argument(
        "--redis-url", help="a Redis for the page cache (default: files)"
    )
    parser.add_argument(
        "--articles",
        type=int,
        default=0,
        help="a generated corpus of this many articles (default: the seed corpus)",
    )
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--editors", type=int, default=4)
    parser.add_argument(
        "--shared", type=int, default=2, help="records every editor edits"
    )
    parser.add_argument(
        "--own", type=int, default=2, help="records of each editor's own"
    )
    parser.add_argument("--duration", type=float, default=15.0, help="seconds")
    parser.add_argument(
        "--max-requests", type=int, default=50_000, help="in all, reads and writes"
    )
    parser.add_argument("--workers", type=int, default=3, help="WEB_CONCURRENCY")
    parser.add_argument("--threads", type=int, default=4, help="GUNICORN_THREADS")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        run_child(args.child)
        return 0
    if args.duration <= 0 or args.editors < 1 or args.readers < 0:
        parser.error("Give a positive duration, an editor at least, no negative.")
    if args.own < 0 or args.shared < 0 or args.own + args.shared < 1:
        parser.error("Give each editor a record at least, own or shared.")

    try:
        scratch = scratch_database(
            args.database_url, articles=args.articles, seed=args.seed
        )
        with scratch as url:
            result = run(
                url,
                redis_url=args.redis_url,
                readers=args.readers,
                editors=args.editors,
                shared=args.shared,
                own=args.own,
                seconds=args.duration,
                max_requests=args.max_requests,
                workers=args.workers,
                threads=args.threads,
                seed=args.seed,
            )
    except ValueError as error:
        parser.error(str(error))
    if args.json:
        print(json.dumps(result.as_dict(), indent=2))
    else:
        print(result.report())
    return 0 if result.failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
