"""The Content Security Policy, plus what some pages that are not public need.

django-csp's decorators change the policy of one view; the Django admin, the
browsable API and the API docs are whole URL trees served by other packages'
views, so their additions are listed by path in
settings.CONTENT_SECURITY_POLICY_BY_PATH and added here.
"""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase


class PathScopedCSPMiddleware(CSPMiddleware):
    def get_policy_parts(
        self,
        request: HttpRequest,
        response: HttpResponseBase,
        report_only: bool = False,
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        additions: dict[str, list[str]] = {}
        # Every matching prefix adds its sources, then a view's own @csp_update.
        scoped = getattr(settings, "CONTENT_SECURITY_POLICY_BY_PATH", {})
        updates = [
            directives
            for prefix, directives in scoped.items()
            if request.path_info.startswith(prefix)
        ]
        updates.append(parts.update or {})
        for directives in updates:
            for name, sources in directives.items():
                if isinstance(sources, str):
                    sources = [sources]
                additions.setdefault(name, []).extend(sources)
        parts.update = additions or None
        return parts
