"""A database that cannot be reached answers 503, plainly, until it is back.

When PostgreSQL is restarted, failed over or cut off by the network, every
request that needs it fails on connecting, or on a connection that was dropped
under it. That is an outage, not a bug: the reader gets "503 Service
Unavailable" with Retry-After and a page (or, under /api/, JSON) that is
rendered without the database, and the error log gets the exception once.
DEBUG changes nothing here: a traceback of a refused connection tells a
developer no more than the log line does.

Nothing has to be restarted afterwards: Django opens a connection for each
request (or, with CONN_MAX_AGE, checks a kept one first; CONN_HEALTH_CHECKS in
config/settings.py), so the first request after the database returns succeeds.
A request that failed half-way wrote nothing: each write is one transaction,
which the database rolls back when its connection goes.

Only connection failures are caught. A constraint violated, a bad query or a
missing table is a bug, and stays a 500 with its traceback.
"""

from __future__ import annotations

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.deprecation import MiddlewareMixin
from django.utils.log import log_response
from django.utils.translation import gettext as _

# Seconds a client is asked to wait: a restart or a failover takes about that.
RETRY_AFTER = 30

# PostgreSQL's SQLSTATEs for "no connection": class 08 (connection exception),
# the server shutting down or starting (57P01-57P03), and too many connections.
_PG_UNAVAILABLE_CLASS = "08"
_PG_UNAVAILABLE = {"57P01", "57P02", "57P03", "53300"}
# SQLite's primary result codes for a file that cannot be opened or used now;
# SQLITE_ERROR (1), which "no such table" carries, is not among them.
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_IOERR, _SQLITE_CANTOPEN = 5, 6, 10, 14
_SQLITE_UNAVAILABLE = {_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_IOERR, _SQLITE_CANTOPEN}


def database_unavailable(error: BaseException) -> bool:
    """Whether `error` says the database cannot be reached, rather than that a
    query was wrong."""
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    # Django wraps the driver's exception; the driver's says what happened.
    cause = error.__cause__ or error
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate:
        return sqlstate.startswith(_PG_UNAVAILABLE_CLASS) or sqlstate in _PG_UNAVAILABLE
    code = getattr(cause, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _SQLITE_UNAVAILABLE
    # No code at all: psycopg's own errors on connecting, or on a connection
    # the server closed, carry no SQLSTATE.
    return True


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """The 503 answer, built from a template and a JSON body alone: no context
    processor, session or user, each of which could query the database."""
    message = _(
        "The service is unavailable for a moment: its database cannot be reached. "
        "Please try again shortly."
    )
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=503)
    else:
        response = HttpResponse(
            loader.get_template("503.html").render({"message": message}),
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER)
    # Not to be kept by a proxy or the browser in place of the real page.
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware(MiddlewareMixin):
    """Turns a database connection failure, anywhere in a view or the rendering
    of its template, into unavailable_response()."""

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        if not database_unavailable(exception):
            return None
        response = unavailable_response(request)
        # As Django logs a 500, to the same logger; marks the response logged
        # so that the handler does not log it a second time without the cause.
        log_response(
            "%s: %s",
            response.reason_phrase,
            request.path,
            response=response,
            request=request,
            exception=exception,
        )
        return response
