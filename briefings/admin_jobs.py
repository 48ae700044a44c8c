"""Background imports on the desk: the jobs' list and each job's page, and the
step from a confirmed import to a job (see briefings/jobs.py).

Every editor who may import sees every job, whoever started it: the desk is
shared. Nobody adds, changes or deletes a job here; a job is the record of an
import, kept with its report.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tablib
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from import_export.forms import ConfirmImportForm
from import_export.results import RowResult

from briefings.jobs import (
    can_import,
    import_job_enqueue_tabular,
    import_job_progress,
    import_job_trouble,
)
from briefings.models import ImportJob, ImportKind, ImportState
from briefings.services import ImportOutcome

# A report lists at most this many records on the job's page; the counts
# above the list cover them all.
LISTED_RECORDS = 500
# Seconds between two reloads of an unfinished job's page; longer when the job
# seems stuck, which a page left open should not poll for ever at full speed.
REFRESH_SECONDS = 2
REFRESH_STUCK_SECONDS = 30

ROW_OUTCOMES = {
    RowResult.IMPORT_TYPE_NEW: gettext_lazy("new"),
    RowResult.IMPORT_TYPE_UPDATE: gettext_lazy("updated"),
    RowResult.IMPORT_TYPE_DELETE: gettext_lazy("deleted"),
}


def job_url(job: ImportJob) -> str:
    return reverse("admin:briefings_importjob_change", args=[job.pk])


def _number(n: int) -> str:
    return formats.number_format(n, force_grouping=True)


# A report's counts in words, each in its order, for the number it counts.
TEXT_COUNTS: dict[str, Callable[[int], str]] = {
    "imported": lambda n: ngettext(
        "%(n)s article imported as a draft", "%(n)s articles imported as drafts", n
    ),
    "duplicate": lambda n: ngettext(
        "%(n)s duplicate skipped", "%(n)s duplicates skipped", n
    ),
    "error": lambda n: ngettext(
        "%(n)s file that cannot be imported", "%(n)s files that cannot be imported", n
    ),
}
ROW_COUNTS: dict[str, Callable[[int], str]] = {
    RowResult.IMPORT_TYPE_NEW: lambda n: _("%(n)s new"),
    RowResult.IMPORT_TYPE_UPDATE: lambda n: _("%(n)s updated"),
    RowResult.IMPORT_TYPE_DELETE: lambda n: _("%(n)s deleted"),
    RowResult.IMPORT_TYPE_SKIP: lambda n: _("%(n)s unchanged"),
    RowResult.IMPORT_TYPE_INVALID: lambda n: ngettext(
        "%(n)s invalid row", "%(n)s invalid rows", n
    ),
    RowResult.IMPORT_TYPE_ERROR: lambda n: ngettext(
        "%(n)s row in error", "%(n)s rows in error", n
    ),
}


def count_phrases(kind: str, counts: dict[str, int] | None) -> list[str]:
    """A report's counts in words: "238 articles imported as drafts", …"""
    counts = counts or {}
    words = TEXT_COUNTS if kind == ImportKind.TEXT else ROW_COUNTS
    return [
        phrase(counts[key]) % {"n": _number(counts[key])}
        for key, phrase in words.items()
        if counts.get(key)
    ]


# From a confirmed import to a job ---------------------------------------------------


def import_job_started(request: HttpRequest, job: ImportJob) -> HttpResponseRedirect:
    """Tell the editor the import goes on without them, and show them where."""
    if job.kind == ImportKind.TEXT:
        message = ngettext(
            "Importing %(n)s file in the background; this page shows its progress.",
            "Importing %(n)s files in the background; this page shows its progress.",
            job.total,
        )
    else:
        message = ngettext(
            "Importing %(n)s row in the background; this page shows its progress.",
            "Importing %(n)s rows in the background; this page shows its progress.",
            job.total,
        )
    messages.info(request, message % {"n": _number(job.total)})
    return redirect(job_url(job))


def tabular_job_for(
    model_admin, dataset: tablib.Dataset, form: ConfirmImportForm, request
) -> ImportJob | None:
    """The job that imports a confirmed spreadsheet, if it has more rows than
    IMPORT_BACKGROUND_ROWS; None to import it at once.

    The job keeps the file as uploaded, read again from the admin's temporary
    storage (which the confirmation empties next), so that the worker reads
    it exactly as the preview did.
    """
    if len(dataset) <= settings.IMPORT_BACKGROUND_ROWS:
        return None
    input_format = model_admin.get_import_formats()[int(form.cleaned_data["format"])]
    storage = model_admin.get_tmp_storage_class()(
        name=form.cleaned_data["import_file_name"],
        read_mode="rb",
        **model_admin.get_tmp_storage_class_kwargs(),
    )
    content = storage.read()
    if isinstance(content, str):
        content = content.encode()
    return import_job_enqueue_tabular(
        resource_class=model_admin.choose_import_resource_class(form, request),
        file_name=form.cleaned_data["original_file_name"],
        file_format=input_format().get_extension(),
        content=content,
        rows=len(dataset),
        user=request.user,
    )


# The jobs ---------------------------------------------------------------------------


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = (
        "file_name",
        "kind",
        "records",
        "asked_by",
        "created_at",
        "state_display",
        "outcome",
    )
    list_display_links = ("file_name",)
    list_filter = ("state", "kind")
    search_fields = ("file_name", "created_by_name")
    list_per_page = 50
    job_template = "admin/briefings/importjob/job.html"

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[ImportJob]:
        return ImportJob.objects.for_desk()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_import(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_import(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=gettext_lazy("records"))
    def records(self, job: ImportJob) -> str:
        return str(job.content_type.model_class()._meta.verbose_name_plural)

    @admin.display(description=gettext_lazy("asked by"), ordering="created_by_name")
    def asked_by(self, job: ImportJob) -> str:
        return job.created_by_name or _("the system")

    @admin.display(description=gettext_lazy("state"), ordering="state")
    def state_display(self, job: ImportJob) -> str:
        label = job.get_state_display()
        if job.is_finished:
            return label
        # A cache read for each unfinished job: a handful at a time.
        progress = import_job_progress(job.pk)
        if import_job_trouble(job, progress):
            return format_html("{} ({})", label, _("stalled"))
        if progress is not None:
            return format_html("{} ({} %)", label, progress.percent)
        return label

    @admin.display(description=gettext_lazy("outcome"))
    def outcome(self, job: ImportJob) -> str:
        return "; ".join(count_phrases(job.kind, job.report_counts))

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        job = None
        if object_id.isdigit():
            job = ImportJob.objects.for_page().filter(pk=int(object_id)).first()
        if job is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return TemplateResponse(
            request,
            self.job_template,
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": str(job),
                "job": job,
                **job_page_context(job),
                **(extra_context or {}),
            },
        )


def job_page_context(job: ImportJob) -> dict[str, Any]:
    """What a job's page shows beyond the job: progress, trouble, the report."""
    progress = import_job_progress(job.pk) if job.state == ImportState.RUNNING else None
    trouble = import_job_trouble(job, progress, check_task=True)
    refresh = REFRESH_STUCK_SECONDS if trouble else REFRESH_SECONDS
    records = job.content_type.model_class()
    report = job.report or {}
    items = report.get("items", [])
    listed = [item for item in items if item.get("id") is not None]
    skipped = [item for item in items if item.get("outcome") in SKIPPED]
    for item in listed + skipped:
        item["label"] = _outcome_label(job.kind, item["outcome"])
    return {
        "progress": progress,
        "trouble": trouble,
        "refresh": None if job.is_finished else refresh,
        "records_opts": records._meta,
        "counts": count_phrases(job.kind, report.get("counts")),
        "problems": report.get("problems", []),
        "skipped": skipped,
        "listed": listed[:LISTED_RECORDS],
        "unlisted": max(len(listed) - LISTED_RECORDS, 0),
    }


# Files of a text import that were not imported, each with its reason.
SKIPPED = (ImportOutcome.DUPLICATE, ImportOutcome.ERROR)


def _outcome_label(kind: str, outcome: str) -> str:
    if kind == ImportKind.TEXT:
        return str(ImportOutcome(outcome).label)
    return str(ROW_OUTCOMES.get(outcome, outcome))
