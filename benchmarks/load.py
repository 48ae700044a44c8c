"""Load on the production stack: gunicorn with config/gunicorn.conf.py on a free
loopback port, and many keep-alive connections reading pages and the API.

    .venv/bin/python benchmarks/load.py --database-url sqlite:///db.sqlite3
    .venv/bin/python benchmarks/load.py --redis-url redis://127.0.0.1:6379/0 \\
        --cache-seconds 300 --connections 64 --duration 10

As a library (the benchmark harness imports it):

    env = server_environment(database_url=..., cache_seconds=0)
    with serve(env) as server:
        result = drive(server.port, default_paths(server.port), duration=10)
    print(result.report())

It talks to 127.0.0.1 only, and stops by itself: every request has a timeout,
the run a hard deadline, and gunicorn's whole process group is stopped when it
ends, however it ends.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONFIG = ROOT / "config" / "gunicorn.conf.py"

# Far above what a run can send, so that the load measures serving rather than
# turning into 429s. Per second: the throttle keeps a timestamp per request
# within its window, and a minute's worth would make every request slower.
UNTHROTTLED = "1000000/s"

# Settings of the calling shell that must not leak into the server under test.
NOT_INHERITED = ("DATABASE_URL", "REDIS_URL", "CACHE_SECONDS", "CACHE_KEY_PREFIX")
NOT_INHERITED_PREFIXES = ("GUNICORN_", "STATIC_")
NOT_INHERITED += ("PORT", "WEB_CONCURRENCY", "API_ANON_RATE", "API_USER_RATE")

# A connection the server closed while it was idle (a worker restarting after
# max_requests, say) fails on its next request before any answer: a client
# sends that request again on a new connection, as browsers do.
STALE_CONNECTION = (
    http.client.RemoteDisconnected,
    ConnectionResetError,
    BrokenPipeError,
)

MAX_EXAMPLES = 10


def loopback_only(host: str) -> None:
    if host != HOST:
        raise ValueError(f"The load generator talks to {HOST} only, not {host!r}.")


def free_port() -> int:
    """A port nothing listens on now (another process could take it before
    gunicorn does; start_server then fails loudly)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


# The server ------------------------------------------------------------------------


def server_environment(
    *,
    database_url: str,
    cache_seconds: int = 0,
    redis_url: str | None = None,
    workers: int | None = None,
    threads: int | None = None,
    access_log: bool = True,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of a production-like server on `database_url`: DEBUG off,
    hashed static files, throttling out of the way."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in NOT_INHERITED and not name.startswith(NOT_INHERITED_PREFIXES)
    }
    env.update(
        DATABASE_URL=database_url,
        CACHE_SECONDS=str(cache_seconds),
        DEBUG="false",
        ALLOWED_HOSTS=HOST,
        API_ANON_RATE=UNTHROTTLED,
        API_USER_RATE=UNTHROTTLED,
        GUNICORN_ACCESS_LOG="true" if access_log else "false",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
        # A prefix of this run's own: nothing shared with another run or server.
        env["CACHE_KEY_PREFIX"] = f"serantau-load-{uuid.uuid4().hex[:12]}"
    if workers is not None:
        env["WEB_CONCURRENCY"] = str(workers)
    if threads is not None:
        env["GUNICORN_THREADS"] = str(threads)
    env.update(extra or {})
    return env


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log_dir: Path
    env: dict[str, str]
    _logs: list[IO[bytes]] = field(default_factory=list, repr=False)

    @property
    def stdout_path(self) -> Path:
        return self.log_dir / "stdout.log"

    @property
    def stderr_path(self) -> Path:
        return self.log_dir / "stderr.log"

    def stderr_tail(self, lines: int = 30) -> str:
        try:
            text = self.stderr_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def start_server(
    env: Mapping[str, str],
    *,
    port: int | None = None,
    ready_path: str = "/",
    timeout: float = 60.0,
) -> Server:
    """gunicorn with config/gunicorn.conf.py on 127.0.0.1:`port` (a free one by
    default), in a process group of its own; returns once `ready_path` answers.
    Raises RuntimeError, with gunicorn's last words, if it does not."""
    port = port or free_port()
    env = {**env, "GUNICORN_BIND": f"{HOST}:{port}"}
    log_dir = Path(tempfile.mkdtemp(prefix="serantau-gunicorn-"))
    stdout = (log_dir / "stdout.log").open("wb")
    stderr = (log_dir / "stderr.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(GUNICORN_CONFIG),
            "config.wsgi",
        ],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=stderr,
        # Its own group, so that stopping it stops every worker too.
        start_new_session=True,
    )
    server = Server(process, port, log_dir, env, [stdout, stderr])
    try:
        wait_until_ready(server, ready_path, timeout=timeout)
    except BaseException:
        stop_server(server)
        raise
    return server


def wait_until_ready(server: Server, path: str = "/", *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"gunicorn exited with {server.process.returncode} before it "
                f"answered:\n{server.stderr_tail()}"
            )
        try:
            status, _body = fetch(server.port, path, timeout=2.0)
        except OSError:
            time.sleep(0.2)
            continue
        if status < 500:
            return
        raise RuntimeError(f"GET {path} answered {status}:\n{server.stderr_tail()}")
    raise RuntimeError(
        f"gunicorn did not answer within {timeout:.0f} s:\n{server.stderr_tail()}"
    )


def stop_server(server: Server, *, grace: float = 10.0) -> None:
    """Stop gunicorn and its workers: TERM to the group (a graceful shutdown),
    KILL after `grace` seconds."""
    process = server.process
    try:
        if process.returncode is None:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            if not _exited(process, grace):
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                _exited(process, 5.0)
            # The master has exited and is not reaped yet, so no other process
            # can have its group id: any worker still in the group is ours.
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    finally:
        for log in server._logs:
            log.close()


def _exited(process: subprocess.Popen, timeout: float) -> bool:
    """Wait for `process` to exit, leaving it to be reaped (and its pid and
    group id reserved) until process.wait()."""
    deadline = time.monotonic() + timeout
    while True:
        if os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT | os.WNOHANG):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


@contextmanager
def serve(env: Mapping[str, str], **kwargs) -> Iterator[Server]:
    """start_server(), and stop_server() however the block ends."""
    server = start_server(env, **kwargs)
    try:
        yield server
    finally:
        stop_server(server)


def fetch(
    port: int,
    path: str,
    *,
    host: str = HOST,
    timeout: float = 10.0,
    headers: Mapping[str, str] | None = None,
) -> tuple[int, bytes]:
    loopback_only(host)
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=dict(headers or {}))
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def default_paths(port: int, *, details: int = 12) -> list[str]:
    """The list pages, the API lists and up to `details` record pages named
    in the sitemap, whichever corpus the database holds."""
    paths = [
        "/",
        "/meetings/",
        "/actors/",
        "/countries/",
        "/commitments/",
        "/articles/",
        "/timeline/",
        "/feeds/briefings.rss",
        "/api/v1/meetings/",
        "/api/v1/articles/",
        "/api/v1/actors/",
        "/api/v1/commitments/",
    ]
    status, body = fetch(port, "/sitemap.xml")
    if status == 200:
        found = re.findall(r"<loc>https?://[^/<]+(/[^<]*)</loc>", body.decode())
        records = [p for p in found if p.count("/") > 2 and p not in paths]
        paths += records[:details]
    return paths


# The load --------------------------------------------------------------------------


@dataclass
class LoadResult:
    connections: int
    duration: float
    requests: int
    errors: int
    error_examples: list[str]
    statuses: dict[int, int]
    # Requests sent again on a new connection after the server closed an idle
    # one; not errors.
    reconnects: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    # Connections still waiting on an answer at the hard stop.
    stuck: int = 0
    # Each path's share: requests, p50_ms, p95_ms; the slow pages stand out.
    by_path: dict[str, dict] = field(default_factory=dict)

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.duration if self.duration else 0.0

    def as_dict(self) -> dict:
        return {**asdict(self), "requests_per_second": self.requests_per_second}

    def report(self) -> str:
        def ms(value: float | None) -> str:
            return "—" if value is None else f"{value:.1f} ms"

        lines = [
            f"{self.requests} requests in {self.duration:.1f} s over "
            f"{self.connections} connections: {self.requests_per_second:.0f}/s",
            f"latency p50 {ms(self.p50_ms)}, p95 {ms(self.p95_ms)}, "
            f"p99 {ms(self.p99_ms)}",
            f"errors {self.errors}, statuses {dict(sorted(self.statuses.items()))}, "
            f"reconnects {self.reconnects}, stuck {self.stuck}",
        ]
        lines += [f"  e.g. {example}" for example in self.error_examples]
        slowest = sorted(
            self.by_path.items(), key=lambda item: -(item[1]["p50_ms"] or 0)
        )[:5]
        lines += ["slowest paths (p50):"] + [
            f"  {ms(figures['p50_ms']):>10}  {path}" for path, figures in slowest
        ]
        return "\n".join(lines)


@dataclass
class _Tally:
    latencies: list[float] = field(default_factory=list)
    by_path: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter = field(default_factory=Counter)
    errors: int = 0
    examples: list[str] = field(default_factory=list)
    reconnects: int = 0
    finished: float = 0.0

    def error(self, message: str) -> None:
        self.errors += 1
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append(message)


def percentile(ordered: Sequence[float], fraction: float) -> float | None:
    """Nearest rank: the smallest value with `fraction` of the values at or
    below it."""
    if not ordered:
        return None
    rank = max(1, math.ceil(len(ordered) * fraction))
    return ordered[rank - 1]


def drive(
    port: int,
    paths: Sequence[str],
    *,
    host: str = HOST,
    connections: int = 64,
    duration: float = 10.0,
    request_timeout: float = 10.0,
    headers: Mapping[str, str] | None = None,
) -> LoadResult:
    """GET `paths` in turn over `connections` keep-alive connections, each its
    own thread, for `duration` seconds; a request under way at the deadline is
    given `request_timeout` to finish, then the run ends regardless."""
    loopback_only(host)
    if not paths or any(not path.startswith("/") for path in paths):
        raise ValueError("Give paths that start with /.")
    if connections < 1 or duration <= 0:
        raise ValueError("Give at least one connection and a positive duration.")
    tallies = [_Tally() for _ in range(connections)]
    go = threading.Event()
    deadline = 0.0

    def connection_loop(index: int) -> None:
        tally = tallies[index]
        connection = http.client.HTTPConnection(host, port, timeout=request_timeout)
        # Each connection starts at its own place in the list.
        turn = index
        go.wait()
        try:
            while time.monotonic() < deadline:
                path = paths[turn % len(paths)]
                turn += 1
                began = time.perf_counter()
                reused = connection.sock is not None
                try:
                    try:
                        status = _get(connection, path, headers)
                    except STALE_CONNECTION:
                        if not reused:
                            raise
                        tally.reconnects += 1
                        connection.close()
                        status = _get(connection, path, headers)
                except (OSError, http.client.HTTPException) as error:
                    tally.error(f"GET {path}: {type(error).__name__}: {error}")
                    connection.close()
                    continue
                latency = time.perf_counter() - began
                tally.latencies.append(latency)
                tally.by_path.setdefault(path, []).append(latency)
                tally.statuses[status] += 1
                if status != 200:
                    tally.error(f"GET {path}: HTTP {status}")
        finally:
            connection.close()
            tally.finished = time.monotonic()

    threads = [
        threading.Thread(
            target=connection_loop, args=(i,), name=f"load-{i}", daemon=True
        )
        for i in range(connections)
    ]
    for thread in threads:
        thread.start()
    start = time.monotonic()
    deadline = start + duration
    go.set()
    hard_stop = deadline + request_timeout + 5.0
    for thread in threads:
        thread.join(timeout=max(0.0, hard_stop - time.monotonic()))
    stuck = sum(thread.is_alive() for thread in threads)
    ended = max([t.finished for t in tallies] + [deadline])
    if stuck:
        ended = time.monotonic()

    latencies = sorted(x for tally in tallies for x in list(tally.latencies))
    statuses: Counter = Counter()
    for tally in tallies:
        statuses.update(tally.statuses)
    examples = [example for tally in tallies for example in tally.examples]
    per_path: dict[str, list[float]] = {path: [] for path in paths}
    for tally in tallies:
        for path, values in list(tally.by_path.items()):
            per_path[path] += values
    by_path = {}
    for path, values in per_path.items():
        values.sort()
        by_path[path] = {
            "requests": len(values),
            "p50_ms": _ms(percentile(values, 0.50)),
            "p95_ms": _ms(percentile(values, 0.95)),
        }
    return LoadResult(
        connections=connections,
        duration=ended - start,
        requests=len(latencies),
        errors=sum(tally.errors for tally in tallies) + stuck,
        error_examples=examples[:MAX_EXAMPLES],
        statuses=dict(statuses),
        reconnects=sum(tally.reconnects for tally in tallies),
        p50_ms=_ms(percentile(latencies, 0.50)),
        p95_ms=_ms(percentile(latencies, 0.95)),
        p99_ms=_ms(percentile(latencies, 0.99)),
        stuck=stuck,
        by_path=by_path,
    )


def _get(
    connection: http.client.HTTPConnection,
    path: str,
    headers: Mapping[str, str] | None,
) -> int:
    connection.request("GET", path, headers=dict(headers or {}))
    response = connection.getresponse()
    response.read()
    if response.will_close:
        connection.close()
    return response.status


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else seconds * 1000


def run(
    paths: Sequence[str] | None = None,
    *,
    env: Mapping[str, str],
    connections: int = 64,
    seconds: float = 10.0,
    request_timeout: float = 10.0,
    start_timeout: float = 60.0,
) -> dict:
    """Start gunicorn with `env` (DATABASE_URL, CACHE_SECONDS, REDIS_URL…), drive
    `paths` (default_paths() when None) for `seconds`, stop gunicorn; the
    figures of LoadResult.as_dict().

    The API throttle is raised to a per-second rate whatever `env` says: the
    load must not become 429s, and a per-minute rate that high would have the
    throttle carry a minute of timestamps through every request.
    """
    env = {**env, "API_ANON_RATE": UNTHROTTLED, "API_USER_RATE": UNTHROTTLED}
    with serve(env, timeout=start_timeout) as server:
        chosen = list(paths) if paths else default_paths(server.port)
        result = drive(
            server.port,
            chosen,
            connections=connections,
            duration=seconds,
            request_timeout=request_timeout,
        )
    return result.as_dict()


# Command line ----------------------------------------------------------------------


def forget_cache(env: Mapping[str, str]) -> None:
    """Delete what the run left in Redis under its own prefix (the generation
    number never expires)."""
    prefix, url = env.get("CACHE_KEY_PREFIX"), env.get("REDIS_URL")
    if not (prefix and url):
        return
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
    except redis.RedisError as error:
        print(f"Could not clean up Redis keys {prefix}:*: {error}", file=sys.stderr)
    finally:
        client.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=(
            "Start gunicorn with config/gunicorn.conf.py on a free 127.0.0.1 port, "
            "read pages and the API over many keep-alive connections for a "
            "bounded time, print requests/s, errors and latency percentiles, "
            "and stop the server."
        )
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or f"sqlite:///{ROOT / 'db.sqlite3'}",
        help="the database to serve (default: DATABASE_URL, else db.sqlite3, which "
        "`make run` fills with the seed corpus)",
    )
    parser.add_argument(
        "--redis-url", help="a Redis for the cache (needed for --cache-seconds)"
    )
    parser.add_argument(
        "--cache-seconds",
        type=int,
        default=0,
        help="CACHE_SECONDS for the server (default 0: every request renders)",
    )
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds")
    parser.add_argument("--workers", type=int, help="WEB_CONCURRENCY for gunicorn")
    parser.add_argument("--threads", type=int, help="GUNICORN_THREADS for gunicorn")
    parser.add_argument(
        "--path",
        action="append",
        dest="paths",
        help="a path to request (repeat; default: lists, API and sitemap records)",
    )
    parser.add_argument(
        "--no-access-log", action="store_true", help="turn gunicorn's access log off"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)

    env = server_environment(
        database_url=args.database_url,
        cache_seconds=args.cache_seconds,
        redis_url=args.redis_url,
        workers=args.workers,
        threads=args.threads,
        access_log=not args.no_access_log,
    )
    try:
        with serve(env) as server:
            paths = args.paths or default_paths(server.port)
            result = drive(
                server.port,
                paths,
                connections=args.connections,
                duration=args.duration,
            )
    finally:
        forget_cache(env)
    if args.json:
        print(json.dumps({**result.as_dict(), "paths": paths}, indent=2))
    else:
        print(f"{len(paths)} paths, CACHE_SECONDS={args.cache_seconds}")
        print(result.report())
    return 0 if result.errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
