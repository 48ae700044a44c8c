"""Rendered public pages and API reads, kept in the shared cache for anonymous
readers.

Only anonymous readers are served from the cache or fill it: signed-in staff
see drafts and previews, which must never be kept where an anonymous reader
could be served them, and everybody else signed in is few enough to render for.

Invalidation is one number, the *generation*, kept in the cache and part of
every key. Any change to a curated record (every model of this app, its
through tables and many-to-many links) bumps it once the change is committed,
so the next request of every app server misses and renders afresh; the old
entries are never read again and expire by themselves. Signals catch ordinary
saves and deletes, whether from the admin, the API, a service, a spreadsheet
import or a django-reversion revert (which saves raw, and still signals); the
bulk writes in briefings/services.py, which send no signals, call
`bump_after_commit()` themselves. A write made with `QuerySet.update()` or raw
SQL must do the same.

Why after the commit: a request that reads the database between the change and
its commit sees the old rows; were the bump earlier, it would store them under
the new generation, and they would be served until they expire. A request reads
the generation before it reads the database, so whatever it stores is filed
under a generation at least as old as what it read.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.response import SimpleTemplateResponse
from django.utils.cache import cc_delim_re
from rest_framework.request import Request
from rest_framework.response import Response

logger = logging.getLogger(__name__)

HEADER = "X-Cache"
GENERATION_KEY = "briefings:generation"

# Headers the view itself may say the response varies on, which the key covers:
# the language is part of it. Anything else (Cookie, say) means the response
# is somebody's own.
KEYED_VARY = {"accept-language"}
# Said by the cache on the way out, never stored.
NOT_STORED = {HEADER.lower(), "set-cookie"}
# Models of this app that no page or API read shows: their changes leave the
# cache alone. Any other model, a new one included, empties it.
NOT_SHOWN = {"briefings.importjob"}


def backend() -> BaseCache:
    """The cache every app server shares (Redis when REDIS_URL is set)."""
    return caches["default"]


def seconds() -> int:
    """How long an entry is kept; 0 when caching is off."""
    return getattr(settings, "CACHE_SECONDS", 0)


# The generation --------------------------------------------------------------------


def _fresh_generation() -> int:
    # A random start rather than 0: a generation lost to eviction or a cache
    # restart is replaced by a number no stored entry was ever filed under.
    return secrets.randbits(62)


def generation() -> int | None:
    """The current generation, or None when the cache cannot be reached (and
    nothing is cached or served from it)."""
    cache = backend()
    try:
        value = cache.get(GENERATION_KEY)
        if value is None:
            cache.add(GENERATION_KEY, _fresh_generation(), timeout=None)
            value = cache.get(GENERATION_KEY)
    except Exception:
        logger.warning("The cache is unreachable; serving uncached.", exc_info=True)
        return None
    return value


def bump() -> None:
    """Start a new generation now: every entry stored so far is out of date."""
    cache = backend()
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:
            # Not there (never set, evicted): any new number is a new generation.
            cache.add(GENERATION_KEY, _fresh_generation(), timeout=None)
    except Exception:
        # The change is committed and cannot be undone from here. Pages cached
        # before it may be served until they expire (CACHE_SECONDS).
        logger.exception(
            "Could not invalidate the page cache; cached pages may be stale "
            "for up to %s seconds.",
            seconds(),
        )


def bump_after_commit() -> None:
    """Bump once the current transaction commits (at once outside one); a rolled
    back change changes nothing readers can see, and bumps nothing.

    A transaction that saves ten thousand rows bumps once: a bump already
    waiting at this savepoint or an enclosing one runs whenever this one would.
    """
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        current = set(connection.savepoint_ids)
        for savepoints, callback, _robust in connection.run_on_commit:
            pending = getattr(callback, "pending_bump", False)
            if pending and savepoints <= current:
                return

    def bump_once() -> None:
        # Run: a later change in the same transaction needs a bump of its own
        # (tests run callbacks without committing).
        bump_once.pending_bump = False
        bump()

    bump_once.pending_bump = True
    transaction.on_commit(bump_once, robust=True)


def _changed(sender, **kwargs: Any) -> None:
    bump_after_commit()


def _m2m_changed(sender, action: str, **kwargs: Any) -> None:
    if sender._meta.app_label == "briefings" and action.startswith("post_"):
        bump_after_commit()


def connect_signals() -> None:
    """Bump after every save and delete of a curated record and every change of
    its many-to-many links. Called once from BriefingsConfig.ready()."""
    # Per model rather than for every sender: a post_delete receiver for a model
    # makes Django fetch and signal each row a cascade deletes, so the
    # auto-created link tables (covered by m2m_changed) are left out.
    for model in apps.get_app_config("briefings").get_models():
        if model._meta.label_lower in NOT_SHOWN:
            continue
        uid = f"briefings.cache:{model._meta.label}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_changed, sender=model, dispatch_uid=uid)
    m2m_changed.connect(_m2m_changed, dispatch_uid="briefings.cache:m2m")


# Keys ------------------------------------------------------------------------------


def _key(kind: str, request: HttpRequest | Request, *parts: str) -> str | None:
    """The entry of this response: everything it depends on, in the current
    generation. None when the cache cannot be reached."""
    current = generation()
    if current is None:
        return None
    # HEAD runs the same view as GET and shares its entry; the server leaves the
    # body out.
    method = "GET" if request.method == "HEAD" else request.method
    varies = [
        method,
        # Scheme and host too: feeds, the sitemap and the API's page links are
        # absolute URLs.
        request.build_absolute_uri(),
        getattr(request, "LANGUAGE_CODE", ""),
        *parts,
    ]
    digest = hashlib.sha256("\n".join(varies).encode()).hexdigest()
    return f"briefings:{kind}:{current}:{digest}"


def _anonymous(request: HttpRequest | Request) -> bool:
    user = getattr(request, "user", None)
    return user is not None and not user.is_authenticated


def _get(key: str) -> Any:
    try:
        return backend().get(key)
    except Exception:
        logger.warning("The cache is unreachable; serving uncached.", exc_info=True)
        return None


def _set(key: str, value: Any) -> None:
    try:
        backend().set(key, value, timeout=seconds())
    except Exception:
        logger.warning("The cache is unreachable; not caching.", exc_info=True)


# Pages -----------------------------------------------------------------------------


def _page_request_cacheable(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or not _anonymous(request):
        return False
    # A message waiting for this reader (after signing out, say) belongs on the
    # page they get, and on nobody else's.
    return not len(get_messages(request))


def _page_response_cacheable(request: HttpRequest, response: HttpResponseBase) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    # Cookies that the middleware will set on the way out: a CSRF token the
    # page used, a session it changed. They are this reader's.
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    control = {
        part.split("=")[0].strip().lower()
        for part in cc_delim_re.split(response.get("Cache-Control", ""))
    }
    if control & {"private", "no-cache", "no-store"}:
        return False
    vary = {v.strip().lower() for v in cc_delim_re.split(response.get("Vary", ""))}
    return vary - {""} <= KEYED_VARY


def _freeze(response: HttpResponse) -> tuple[int, list[tuple[str, str]], bytes]:
    headers = [
        (name, value)
        for name, value in response.headers.items()
        if name.lower() not in NOT_STORED
    ]
    return (response.status_code, headers, response.content)


def _thaw(stored: tuple[int, list[tuple[str, str]], bytes]) -> HttpResponse:
    status, headers, content = stored
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    return response


def public_page(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Serve a public page to anonymous readers from the cache, and keep what it
    renders for them. Applied in briefings/urls.py, so that a view never has to
    know."""

    @wraps(view)
    def cached_view(request: HttpRequest, *args: Any, **kwargs: Any):
        if not seconds() or not _page_request_cacheable(request):
            return view(request, *args, **kwargs)
        key = _key("page", request)
        if key is None:
            return view(request, *args, **kwargs)
        stored = _get(key)
        if stored is not None:
            response = _thaw(stored)
            response[HEADER] = "hit"
            return response
        response = view(request, *args, **kwargs)

        def store(rendered: HttpResponseBase) -> None:
            if _page_response_cacheable(request, rendered):
                _set(key, _freeze(rendered))

        response[HEADER] = "miss"
        if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
            # A class-based view's page is rendered after it returns.
            response.add_post_render_callback(store)
        else:
            store(response)
        return response

    return cached_view


# API reads -------------------------------------------------------------------------


def api_read(
    request: Request, handler: Callable[..., Response], *args: Any, **kwargs: Any
) -> Response:
    """`handler(request, *args, **kwargs)` (a viewset's list or retrieve), its
    serialized data kept for anonymous clients.

    The data is kept, not the rendered bytes, so that the view's checks
    (authentication, throttling) and content negotiation run on every request;
    the negotiated format is part of the key all the same, in case a
    representation ever depends on it.
    """
    if not seconds() or request.method not in ("GET", "HEAD"):
        return handler(request, *args, **kwargs)
    if not _anonymous(request):
        return handler(request, *args, **kwargs)
    renderer = getattr(request, "accepted_renderer", None)
    key = _key("api", request, getattr(renderer, "format", "") or "")
    if key is None:
        return handler(request, *args, **kwargs)
    stored = _get(key)
    if stored is not None:
        return Response(stored, headers={HEADER: "hit"})
    response = handler(request, *args, **kwargs)
    response[HEADER] = "miss"
    if response.status_code == 200 and not response.cookies:
        _set(key, response.data)
    return response
