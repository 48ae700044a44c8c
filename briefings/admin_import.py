"""The admin's "Import text articles" page: upload, preview, confirm.

An editor uploads one `.txt` file or a `.zip` of many. The preview is a dry run
of services.articles_import_text, which writes nothing; the confirmation runs
it again for real on the same bytes. Between the two requests, which may reach
two app servers, the upload waits in the cache (shared, as the tabular import's
does; see config/settings.py), under a random token tied to the user, for an
hour. The confirmation reads the files afresh, so a file imported by someone
else in the meantime is reported as a duplicate rather than saved twice. A
batch of more than IMPORT_BACKGROUND_FILES files is confirmed into a job that a
worker imports instead, while the editor watches its page (briefings/jobs.py).
"""

from __future__ import annotations

import secrets

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from briefings.admin_jobs import import_job_started
from briefings.importing import DateRole
from briefings.importing.archive import Limits, read_upload
from briefings.jobs import import_job_enqueue_text, uploads_file_count
from briefings.services import (
    FileReport,
    ImportFailed,
    ImportReport,
    articles_import_text,
)

# Long enough to read a preview of a large zip over lunch, short enough that
# forgotten uploads leave the cache.
UPLOAD_TIMEOUT = 60 * 60
# Messages after an import name at most this many skipped files; the preview
# listed them all.
SKIPPED_MESSAGES = 20

DATE_ROLES = {
    DateRole.METADATA: gettext_lazy("the page's metadata"),
    DateRole.DATE_LINE: gettext_lazy("a date line above the story"),
    DateRole.DATELINE: gettext_lazy("the dateline"),
    DateRole.SIGN_OFF: gettext_lazy("a date line below the story"),
    DateRole.STORY: gettext_lazy("the story"),
    DateRole.INFERRED: gettext_lazy("the story's dates (not stated)"),
}


class TextImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Text file or zip archive"),
        help_text=gettext_lazy(
            "One .txt file, or a .zip of .txt files, each an article as copied "
            "from the source's page (as the files in seeds/ are)."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".txt,.zip,text/plain,application/zip"}
        ),
        # The importer says "empty.txt: the file is empty." in its preview, as
        # it says it of an empty member of a zip.
        allow_empty_file=True,
    )


class TextImportConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)


def _cache_key(request: HttpRequest, token: str) -> str:
    # The user is part of the key: a token seen by somebody else confirms
    # nothing for them.
    return f"briefings:text-import:{request.user.pk}:{token}"


def _preview_row(file: FileReport) -> dict:
    """What the preview shows of one file beyond the report itself: labels."""
    parsed = file.parsed
    return {
        "file": file,
        "date_role": DATE_ROLES.get(parsed.published.role) if parsed else None,
        "confidence": round(parsed.language.confidence * 100) if parsed else None,
        "groups": [
            (_("Meetings"), file.meetings, "meeting"),
            (_("Actors"), file.actors, "actor"),
        ],
    }


class TextImportMixin:
    """Adds "Import text articles" to the Article admin (see the module doc)."""

    text_import_template = "admin/briefings/article/import_text.html"
    text_import_preview_template = "admin/briefings/article/import_text_preview.html"

    def get_urls(self):
        opts = self.opts
        name = f"{opts.app_label}_{opts.model_name}"
        return [
            path(
                "import-text/",
                self.admin_site.admin_view(self.import_text_view),
                name=f"{name}_import_text",
            ),
            path(
                "import-text/confirm/",
                self.admin_site.admin_view(self.import_text_confirm_view),
                name=f"{name}_import_text_confirm",
            ),
            *super().get_urls(),
        ]

    def _url(self, view: str) -> str:
        opts = self.opts
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_{view}",
            current_app=self.admin_site.name,
        )

    def _context(self, request: HttpRequest, **context) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import text articles"),
            "has_view_permission": self.has_view_permission(request),
            **context,
        }

    def import_text_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = TextImportForm(request.POST or None, request.FILES or None)
        if request.method != "POST" or not form.is_valid():
            return TemplateResponse(
                request,
                self.text_import_template,
                self._context(request, form=form, limits=Limits.from_settings()),
            )
        limits = Limits.from_settings()
        upload = form.cleaned_data["file"]
        files = [(upload.name, read_upload(upload, limits))]
        report = articles_import_text(
            files=files, user=request.user, dry_run=True, limits=limits
        )
        token = ""
        if report.ready:
            token = secrets.token_urlsafe(24)
            cache.set(_cache_key(request, token), files, UPLOAD_TIMEOUT)
        return TemplateResponse(
            request,
            self.text_import_preview_template,
            self._context(
                request,
                title=_("Import text articles: preview"),
                report=report,
                rows=[_preview_row(file) for file in report.files],
                upload_name=upload.name,
                confirm_form=TextImportConfirmForm(initial={"token": token}),
            ),
        )

    def import_text_confirm_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = TextImportConfirmForm(request.POST or None)
        if request.method != "POST" or not form.is_valid():
            return redirect(self._url("import_text"))
        key = _cache_key(request, form.cleaned_data["token"])
        files = cache.get(key)
        if files is None:
            messages.error(
                request,
                _(
                    "The uploaded file is no longer available (uploads wait an "
                    "hour for confirmation); upload it again."
                ),
            )
            return redirect(self._url("import_text"))
        # Whatever happens next, this upload is done with: a second click on
        # the confirm button cannot import it twice.
        cache.delete(key)
        # A large batch is imported by a worker, while the editor watches its
        # progress on the job's page (briefings/admin_jobs.py).
        count = uploads_file_count(files)
        if count > settings.IMPORT_BACKGROUND_FILES:
            job = import_job_enqueue_text(files=files, user=request.user, total=count)
            return import_job_started(request, job)
        try:
            report = articles_import_text(files=files, user=request.user, dry_run=False)
        except ImportFailed as failure:
            messages.error(request, str(failure))
            return redirect(self._url("import_text"))
        self._report_import(request, report)
        url = self._url("changelist")
        if report.imported:
            ids = ",".join(str(article.pk) for article in report.articles)
            url += f"?id__in={ids}"
        return redirect(url)

    def _report_import(self, request: HttpRequest, report: ImportReport) -> None:
        imported = len(report.imported)
        message = ngettext(
            "Imported %(n)d article as a draft.",
            "Imported %(n)d articles as drafts.",
            imported,
        ) % {"n": imported}
        skipped = []
        if duplicates := len(report.duplicates):
            skipped.append(
                ngettext("%(n)d duplicate", "%(n)d duplicates", duplicates)
                % {"n": duplicates}
            )
        if errors := len(report.errors):
            skipped.append(
                ngettext(
                    "%(n)d file that cannot be imported",
                    "%(n)d files that cannot be imported",
                    errors,
                )
                % {"n": errors}
            )
        if skipped:
            message += " " + _("Skipped: %(what)s.") % {"what": ", ".join(skipped)}
        level = messages.SUCCESS if imported else messages.WARNING
        messages.add_message(request, level, message)
        for file in (report.duplicates + report.errors)[:SKIPPED_MESSAGES]:
            messages.warning(request, f"{file.name}: {file.message}")
