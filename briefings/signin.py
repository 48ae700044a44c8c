"""The admin sign-in's lockout (django-axes, configured in settings): whose
address a sign-in came from, and the page a locked-out editor is shown."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _


def client_ip(request: HttpRequest) -> str:
    """The address the sign-in came from, as django-axes counts failures by it.

    Behind the production proxy REMOTE_ADDR is the proxy's own address, and the
    client's is in X-Forwarded-For, to which each proxy appends the address it
    heard from. Only the entries written by proxies we trust
    (settings.TRUSTED_PROXY_IPS, the addresses gunicorn trusts) can be
    believed: the right-most entry no trusted proxy claims is the client, and
    whatever a client wrote further left is ignored, so rotating a forged
    header does not dodge the lockout. With no trusted proxies (development)
    the header is not read at all.
    """
    address = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXY_IPS
    if not trusted or ("*" not in trusted and address not in trusted):
        return address
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in header.split(",") if hop.strip()]
    if "*" in trusted:
        # Any peer may be the proxy: only the last hop is its own word.
        return hops[-1] if hops else address
    for hop in reversed(hops):
        if hop not in trusted:
            return hop
    return hops[0] if hops else address


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """The admin's own page, answered 429 Too Many Requests."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        **admin.site.each_context(request),
        "title": _("Too many failed sign-ins"),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": minutes,
        "username": (credentials or {}).get("username")
        or request.POST.get("username", ""),
    }
    return TemplateResponse(
        request,
        "admin/locked_out.html",
        context,
        status=settings.AXES_HTTP_RESPONSE_CODE,
    ).render()
