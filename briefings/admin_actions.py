"""The editorial workflow as changelist actions: send to review, publish, withdraw.

Each action moves the ticked records one by one through
services.record_transition, which checks the permission and keeps history, so
the changelist follows the same rules as the change form and the API. A record
the user may not move, or that cannot make the move, is skipped and named; the
others are changed. BriefingAdmin.get_actions offers these on the changelists of
publishable models only, and `permissions` hides them from users who could not
use them (`has_publish_permission` on BriefingAdmin).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import model_ngettext
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from briefings.models import EditorialStatus
from briefings.services import record_transition


def transition(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    *,
    to_status: EditorialStatus,
    done: str,
) -> None:
    """Move every record of `queryset` to `to_status`; `done` is the success
    message, with %(n)d and %(things)s."""
    changed = 0
    refused: list[str] = []
    unchanged: list[str] = []
    # The changelist's joins and counts are of no use here.
    for obj in queryset.select_related(None).prefetch_related(None):
        try:
            record_transition(instance=obj, user=request.user, to_status=to_status)
        except PermissionDenied as denied:
            refused.append(f"“{obj}” ({denied})")
        except ValidationError as error:
            unchanged.append(f"“{obj}” ({' '.join(error.messages)})")
        else:
            changed += 1
    if refused:
        modeladmin.message_user(
            request,
            _("Skipped, as you may not change them so: %(records)s")
            % {"records": "; ".join(refused)},
            messages.WARNING,
        )
    if unchanged:
        modeladmin.message_user(
            request,
            _("Skipped: %(records)s") % {"records": "; ".join(unchanged)},
            messages.WARNING,
        )
    modeladmin.message_user(
        request,
        done % {"n": changed, "things": model_ngettext(modeladmin.opts, changed)},
        messages.SUCCESS if changed else messages.WARNING,
    )


@admin.action(description=gettext_lazy("Send to review"), permissions=("change",))
def send_to_review(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet
) -> None:
    transition(
        modeladmin,
        request,
        queryset,
        to_status=EditorialStatus.IN_REVIEW,
        done=_("Sent %(n)d %(things)s to review."),
    )


@admin.action(description=gettext_lazy("Publish"), permissions=("publish",))
def publish(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet
) -> None:
    transition(
        modeladmin,
        request,
        queryset,
        to_status=EditorialStatus.PUBLISHED,
        done=_("Published %(n)d %(things)s."),
    )


@admin.action(description=gettext_lazy("Withdraw"), permissions=("publish",))
def withdraw(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet
) -> None:
    transition(
        modeladmin,
        request,
        queryset,
        to_status=EditorialStatus.DRAFT,
        done=_("Withdrew %(n)d %(things)s to draft."),
    )


WORKFLOW_ACTIONS = (send_to_review, publish, withdraw)
