"""What django-reversion keeps of each curated record, and how the admin shows it.

Every curated model is registered here, once, when the app is ready
(BriefingsConfig.ready(); briefings/admin.py imports this module too, because
the admin is discovered before this app's ready() runs). The API, the importers
and management commands therefore record history whether or not the admin was
ever loaded, and VersionAdmin, which registers only models not registered yet,
adds nothing of its own.

A followed relation is saved in its parent's revision, so reverting the parent
reverts those rows with it and deletes those added since: a meeting its
participations and the commitments made at it (the meeting page edits both
inline), a commitment its assessments, an article its annotations and
mentions, an actor its aliases. Many-to-many links (topics, a commitment's
actors) are fields of the record itself and need no following.
"""

from __future__ import annotations

import difflib
import itertools

import reversion
from django.contrib.admin.utils import quote
from django.db import models
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from reversion_compare.admin import CompareVersionAdmin

from briefings.models import (
    Actor,
    ActorAlias,
    Annotation,
    Article,
    Commitment,
    ComplianceAssessment,
    Meeting,
    Mention,
    Participation,
    Topic,
)
from briefings.services import record_delete

FOLLOW: dict[type[models.Model], tuple[str, ...]] = {
    Topic: (),
    Actor: ("aliases",),
    ActorAlias: (),
    Meeting: ("participations", "commitments"),
    Participation: (),
    Article: ("annotations", "mentions"),
    # Assessments are only ever added (services.assessment_add): they keep their
    # own history, and reverting a commitment must never remove one.
    Commitment: (),
    ComplianceAssessment: (),
    Annotation: (),
    Mention: (),
}

for _model, _follow in FOLLOW.items():
    if not reversion.is_registered(_model):
        reversion.register(_model, follow=_follow)


class HistoryAdmin(CompareVersionAdmin):
    """VersionAdmin with a diff of any two versions (django-reversion-compare).

    The history page links each version to a comparison with the one before;
    the comparison lists each changed field as old → new, links added and
    removed by name, and long texts as a unified diff of their lines.
    """

    object_history_template = "admin/briefings/object_history.html"
    compare_template = "admin/briefings/compare.html"

    def _get_action_list(self, request: HttpRequest, object_id, extra_context=None):
        actions = super()._get_action_list(request, object_id, extra_context)
        opts = self.model._meta
        compare_url = reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_compare",
            args=(quote(object_id),),
        )
        # Newest first (history_latest_first): the previous version is the next.
        ordered = actions if self.history_latest_first else actions[::-1]
        for action, previous in itertools.pairwise(ordered):
            action["compare_url"] = (
                f"{compare_url}?version_id1={previous['version'].pk}"
                f"&version_id2={action['version'].pk}"
            )
        return actions

    @property
    def compare_exclude(self) -> list[str]:
        # A reverse relation that is not followed is not in the revision: the
        # package would compare today's rows with themselves, one query each.
        follow = set(FOLLOW.get(self.model, ()))
        return [
            rel.name
            for rel in self.model._meta.related_objects
            if not rel.many_to_many and rel.get_accessor_name() not in follow
        ]

    # VersionAdmin keeps no revision of a deletion: the record could be recovered
    # from its last save, but nobody would know who deleted it, or when.
    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        record_delete(
            instance=obj, user=request.user, comment=_("Deleted in the admin.")
        )

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        for obj in queryset:
            record_delete(
                instance=obj, user=request.user, comment=_("Deleted in the admin.")
            )

    def compare_TextField(self, obj_compare) -> str:
        old, new = (value or "" for value in obj_compare.to_string())
        lines = difflib.unified_diff(
            old.splitlines(), new.splitlines(), lineterm="", n=2
        )
        # The first two lines name the files, which are the same record here.
        rows = [(line_class(line), line) for line in list(lines)[2:]]
        return format_html(
            '<pre class="unified-diff">{}</pre>',
            format_html_join("\n", '<span class="{}">{}</span>', rows),
        )


def line_class(line: str) -> str:
    return {"+": "added", "-": "removed", "@": "hunk"}.get(line[:1], "context")
