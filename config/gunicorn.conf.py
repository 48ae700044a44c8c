"""gunicorn settings for Serantau (`make serve`), from the environment.

    gunicorn -c config/gunicorn.conf.py config.wsgi

Each worker is a process with a few threads; none keeps anything the next
request needs (sessions are in the database, the shared cache and import
previews in Redis), so any worker, on any server, may answer any request. A bad
value stops gunicorn before a worker starts, with the variable's name.
"""

from __future__ import annotations

import os

from config.settings import envbool, envint


def _cores() -> int:
    # The CPUs this process may run on (a container's share), not the host's.
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _bind() -> list[str]:
    if address := os.environ.get("GUNICORN_BIND", "").strip():
        return [part.strip() for part in address.split(",") if part.strip()]
    if os.environ.get("PORT", "").strip():
        # A platform that sets PORT routes its own traffic to it from outside.
        return [f"0.0.0.0:{envint('PORT', 8000, minimum=1)}"]
    return ["127.0.0.1:8000"]


wsgi_app = "config.wsgi:application"
bind = _bind()

# Processes for the CPU-bound part (templates, serializers), threads to overlap
# the waits on the database and Redis.
workers = envint("WEB_CONCURRENCY", 2 * _cores() + 1, minimum=1)
worker_class = "gthread"
threads = envint("GUNICORN_THREADS", 4, minimum=1)

# A worker silent for this long is killed and replaced; a page that takes
# seconds is a bug, not a reason to wait.
timeout = envint("GUNICORN_TIMEOUT", 30, minimum=1)
# On a restart or deploy, requests under way get this long to finish.
graceful_timeout = envint("GUNICORN_GRACEFUL_TIMEOUT", 30, minimum=1)
# Longer than a load balancer's idle timeout would make it reuse a closed
# connection; this is below the common 60 s.
keepalive = envint("GUNICORN_KEEPALIVE", 5, minimum=1)

# A worker is replaced after this many requests, so that a slow leak never
# grows without end; the jitter keeps them from all restarting at once.
max_requests = envint("GUNICORN_MAX_REQUESTS", 10000)
max_requests_jitter = envint("GUNICORN_MAX_REQUESTS_JITTER", max_requests // 10)

# One line per request on standard output, errors on standard error, for the
# process manager to collect.
accesslog = "-" if envbool("GUNICORN_ACCESS_LOG", "true") else None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# Only a proxy at these addresses may say, in X-Forwarded-Proto, that the
# request came over HTTPS; Django then builds https:// links.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Workers report that they are alive through a file; on a disk-backed /tmp a
# slow disk can make a healthy worker look dead.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# gunicorn's control socket (gunicornc) defaults to one path per user, which two
# instances on one machine (a test, a benchmark, the real one) would fight
# over: off unless a path is given.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "").strip() or None
control_socket_disable = control_socket is None
