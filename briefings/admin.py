"""The editorial desk: where analysts curate meetings, actors, commitments and sources.

Every changelist fetches its rows in a bounded number of queries: foreign keys
shown as columns are joined (`list_select_related`), counts are correlated
subqueries, and many-to-many columns are prefetched. tests/test_admin.py pins
each count.

Every admin keeps history through django-reversion. A model shown as an inline
is saved in its parent's revision, so reverting a meeting reverts its
participants and commitments (and their assessments) with it, and removes those
added since.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR, IncorrectLookupParameters
from django.contrib.admin.widgets import AdminTextareaWidget
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Substr
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ExportActionMixin, ImportExportMixin
from import_export.results import Result
from reversion.models import Version

from briefings import exports, markup, resources
from briefings.admin_actions import WORKFLOW_ACTIONS
from briefings.admin_import import TextImportMixin
from briefings.admin_jobs import import_job_started, tabular_job_for
from briefings.anchoring import reanchor, selectors_for
from briefings.dates import PartialDate, ended_before
from briefings.history import HistoryAdmin
from briefings.jobs import may_import_tabular
from briefings.models import (
    Actor,
    ActorAlias,
    AnchorState,
    Annotation,
    Article,
    Commitment,
    ComplianceAssessment,
    ComplianceScore,
    ImportJob,
    Meeting,
    Mention,
    Participation,
    Publishable,
    Topic,
)
from briefings.services import (
    EditConflict,
    annotations_confirm_anchors,
    article_correct_text,
    article_save,
    assessment_add,
    assessment_check_date,
    assessment_previous,
    can_publish,
    is_versioned,
    mentions_accept_proposals,
    record_check_version,
    record_claim_version,
)

EDITORIAL_FIELDS = (
    "status",
    "published_at",
    "last_changed_by",
    "created_at",
    "updated_at",
)
TIMESTAMPS = ("created_at", "updated_at")
# A source URL pasted without its scheme is an https one; Django 6 assumes so too.
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


# Helpers -------------------------------------------------------------------------


def count_of(model: type[models.Model], fk_name: str) -> Coalesce:
    """How many `model` rows point at the outer row through `fk_name`.

    A correlated subquery rather than Count() over a join: two counts on one
    changelist would otherwise multiply each other's rows, and the database only
    evaluates a subquery for the hundred rows of the page.
    """
    rows = (
        model._default_manager.filter(**{fk_name: OuterRef("pk")})
        .order_by()
        .values(fk_name)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=models.IntegerField()), 0)


def readable_date(value: str) -> str | None:
    """A partial date as an editor reads it; None lets the admin show its dash."""
    return PartialDate(value).display() if value else None


# Who did what comes from the request, never from a form field that anyone could
# fill in for somebody else.


def stamp_annotation(
    annotation: Annotation, form: forms.ModelForm, user: AbstractBaseUser
) -> None:
    if annotation._state.adding:
        annotation.created_by = user


def stamp_mention(
    mention: Mention, form: forms.ModelForm, user: AbstractBaseUser
) -> None:
    # Resolving a name to an actor or a meeting is the editor's confirmation;
    # clearing it withdraws it.
    if {"actor", "meeting"} & set(form.changed_data):
        resolved = mention.is_resolved
        mention.confirmed_by = user if resolved else None
        mention.confirmed_at = timezone.now() if resolved else None


STAMPS = {
    # An assessment's assessor is assessment_add's to set.
    Annotation: stamp_annotation,
    Mention: stamp_mention,
}


def stamp(obj: models.Model, form: forms.ModelForm, user: AbstractBaseUser) -> None:
    stamper = STAMPS.get(type(obj))
    if stamper is not None:
        stamper(obj, form, user)


# Concurrent editing ----------------------------------------------------------------
#
# A change form carries the version of the record it was opened at (a hidden
# field). Saving checks it with the row locked: if somebody saved the record in
# between, the form is shown again with the editor's input, the current version
# and what the other person changed, and nothing is saved. The record's own
# version covers its inlines, as every save of the page moves it on; a changed
# inline row is checked against its own version too, for an edit made on the
# row's own page in between. Deleting needs no check: the confirmation page
# shows the record as it is. The history's revert and recover pages restore an
# old version on purpose and post no version: a form without one is not checked.

LOADED_VERSION = "loaded_version"


def restoring(request: HttpRequest) -> bool:
    """Whether `request` is a history page's revert or recovery."""
    return getattr(request, "restoring_history", False)


def with_version_check(form_class: type[forms.ModelForm]) -> type[forms.ModelForm]:
    """`form_class` with the version the record was opened at, checked on save."""

    class VersionCheckedForm(form_class):
        loaded_version = forms.IntegerField(
            widget=forms.HiddenInput, required=False, min_value=1
        )

        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.edit_conflict: EditConflict | None = None
            if self.instance.pk is not None:
                self.fields[LOADED_VERSION].initial = self.instance.version

        def has_changed(self) -> bool:
            # The version alone is no change of an inline row.
            return any(name != LOADED_VERSION for name in self.changed_data)

        def clean(self):
            cleaned_data = super().clean()
            loaded = self.cleaned_data.get(LOADED_VERSION)
            if self.instance.pk is None or loaded is None:
                return cleaned_data
            # An unchanged inline row is not saved, whatever its version.
            if self.prefix and not self.has_changed():
                return cleaned_data
            try:
                record_check_version(instance=self.instance, version=loaded)
            except EditConflict as conflict:
                self.edit_conflict = conflict
                # Shown again, the form carries the version it now shows, and
                # the other editor's value wherever this editor left the field
                # as it was: only the fields both changed are left to merge.
                data = self.data.copy()
                data[self.add_prefix(LOADED_VERSION)] = conflict.current_version or ""
                for change in conflict.changes if conflict.history_known else ():
                    if self._left_as_loaded(change):
                        self._show_current(data, change)
                self.data = data
                message = conflict.message
                if self.prefix:
                    message = f"{message} {conflict.summary}"
                raise ValidationError(message, code="edit_conflict") from conflict
            # The save is made over the version the editor opened.
            self.instance.version = loaded
            return cleaned_data

        def _left_as_loaded(self, change) -> bool:
            field = self.fields.get(change.name)
            if field is None or change.name not in self.cleaned_data:
                return False
            if isinstance(field.widget, (forms.MultiWidget, forms.CheckboxInput)):
                return False
            value = self.cleaned_data[change.name]
            if isinstance(value, models.Model):
                value = value.pk
            elif isinstance(value, QuerySet):
                value = sorted(value.values_list("pk", flat=True))
            return value == change.loaded_value or (
                value in ("", None) and change.loaded_value in ("", None)
            )

        def _show_current(self, data, change) -> None:
            name = self.add_prefix(change.name)
            current = change.current_value
            if isinstance(current, list):
                data.setlist(name, [str(pk) for pk in current])
            else:
                data[name] = "" if current is None else str(current)

    VersionCheckedForm.__name__ = form_class.__name__
    VersionCheckedForm.__qualname__ = form_class.__qualname__
    return VersionCheckedForm


# Filters -------------------------------------------------------------------------


class PartialDateYearFilter(admin.SimpleListFilter):
    """Years present in a partial-date field, plus the records that give none.

    Use `PartialDateYearFilter.on("start", _("year"))` in list_filter.
    """

    NOT_STATED = "none"
    field_name: str

    @classmethod
    def on(cls, field_name: str, title: str) -> type[PartialDateYearFilter]:
        return type(
            f"{field_name.title()}YearFilter",
            (cls,),
            {
                "field_name": field_name,
                "title": title,
                "parameter_name": f"{field_name}_year",
            },
        )

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin
    ) -> list[tuple[str, str]]:
        # The first four characters are the year, "--MM" for a date without one
        # or "" for none at all: one DISTINCT query over the indexed column.
        prefixes = list(
            model_admin.model._default_manager.order_by()
            .annotate(prefix=Substr(self.field_name, 1, 4))
            .values_list("prefix", flat=True)
            .distinct()
        )
        years = sorted((p for p in prefixes if p.isdigit()), reverse=True)
        choices = [(year, year) for year in years]
        if len(years) < len(prefixes):
            choices.append((self.NOT_STATED, _("year not stated")))
        return choices

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        value = self.value()
        if value is None:
            return None
        if value == self.NOT_STATED:
            return queryset.filter(
                Q(**{self.field_name: ""})
                | Q(**{f"{self.field_name}__startswith": "--"})
            )
        if len(value) == 4 and value.isdigit():
            return queryset.filter(**{f"{self.field_name}__startswith": value})
        raise IncorrectLookupParameters(value)


class ResolvedFilter(admin.SimpleListFilter):
    title = _("resolved")
    parameter_name = "resolved"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin
    ) -> list[tuple[str, str]]:
        return [
            ("yes", _("resolved to an actor or a meeting")),
            ("no", _("unresolved")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        if self.value() == "yes":
            return queryset.resolved()
        if self.value() == "no":
            return queryset.unresolved()
        return None


class ProposalFilter(admin.SimpleListFilter):
    """What the importer proposed; fixed choices, so the filter costs no query."""

    title = _("proposal")
    parameter_name = "proposal"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin
    ) -> list[tuple[str, str]]:
        return [
            ("awaiting", _("awaiting confirmation")),
            ("actor", _("of an actor")),
            ("meeting", _("of a meeting")),
            ("none", _("nothing proposed")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        proposed = Q(proposed_actor__isnull=False) | Q(proposed_meeting__isnull=False)
        match self.value():
            case "awaiting":
                return queryset.filter(
                    proposed, actor__isnull=True, meeting__isnull=True
                )
            case "actor":
                return queryset.filter(proposed_actor__isnull=False)
            case "meeting":
                return queryset.filter(proposed_meeting__isnull=False)
            case "none":
                return queryset.exclude(proposed)
        return None


class OverdueFilter(admin.SimpleListFilter):
    """Commitments whose deadline has passed without a final assessment.

    A deadline has passed when its last possible day is before today ("2025-10"
    on 1 November); a deadline without a year never has. A final assessment is
    a +1 or a -1; a 0 leaves the question open. One fixed choice, so the filter
    costs no query until it is chosen, and then a subquery, not one per row.
    """

    title = _("overdue")
    parameter_name = "overdue"

    @staticmethod
    def today() -> date:
        return timezone.localdate()

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin
    ) -> list[tuple[str, str]]:
        return [("yes", _("Overdue without a final assessment"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        if self.value() is None:
            return None
        if self.value() != "yes":
            raise IncorrectLookupParameters(self.value())
        final = ComplianceAssessment.objects.filter(
            commitment=OuterRef("pk"),
            score__in=[ComplianceScore.KEPT, ComplianceScore.NOT_KEPT],
        )
        return queryset.filter(ended_before("deadline", self.today()), ~Exists(final))


# Base classes --------------------------------------------------------------------


class PublishPermissionMixin:
    """Only a user with the publish permission may change the editorial status.

    Editors draft and put records in review; making a record public is a
    permission of its own (see Publishable.Meta).
    """

    model: type[models.Model]

    def get_readonly_fields(
        self, request: HttpRequest, obj: models.Model | None = None
    ) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        if issubclass(self.model, Publishable) and not can_publish(
            request.user, self.model
        ):
            fields += tuple(f for f in ("status", "published_at") if f not in fields)
        return fields


class MarkdownHintMixin:
    """Tells the editor, under each field written in Markdown, what works there."""

    def formfield_for_dbfield(
        self, db_field: models.Field, request: HttpRequest, **kwargs
    ) -> forms.Field | None:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and markup.is_markdown(
            db_field.model._meta.label_lower, db_field.name
        ):
            formfield.help_text = markup.HINT
        return formfield


class BriefingAdmin(MarkdownHintMixin, PublishPermissionMixin, HistoryAdmin):
    list_per_page = 100
    # Carries the version the record was opened at (with_version_check).
    change_form_template = "admin/briefings/change_form.html"
    formfield_overrides = URL_FIELDS

    def get_readonly_fields(
        self, request: HttpRequest, obj: models.Model | None = None
    ) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        if issubclass(self.model, Publishable) and "last_changed_by" not in fields:
            fields += ("last_changed_by",)
        return fields

    @admin.display(description=_("last changed by"))
    def last_changed_by(self, obj: models.Model) -> str | None:
        # The history's latest revision, with its user, in one query.
        if obj.pk is None:
            return None
        version = (
            Version.objects.get_for_object(obj).select_related("revision__user").first()
        )
        if version is None:
            return None
        revision = version.revision
        when = formats.date_format(
            timezone.localtime(revision.date_created), "DATETIME_FORMAT"
        )
        return _("%(user)s, %(when)s") % {
            "user": revision.user or _("the system"),
            "when": when,
        }

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return issubclass(self.model, Publishable) and can_publish(
            request.user, self.model
        )

    def has_delete_permission(
        self, request: HttpRequest, obj: models.Model | None = None
    ) -> bool:
        # Editors delete drafts; a published record is withdrawn first, or
        # deleted by someone who may withdraw it (as services.record_delete).
        if (
            isinstance(obj, Publishable)
            and obj.is_published
            and not can_publish(request.user, type(obj))
        ):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        if not issubclass(self.model, Publishable) or self.actions is None:
            return actions
        if IS_POPUP_VAR in request.GET:
            return actions
        workflow = [
            (func, func.__name__, self._get_action_description(func, func.__name__))
            for func in WORKFLOW_ACTIONS
        ]
        for func, name, description in self._filter_actions_by_permissions(
            request, workflow
        ):
            actions[name] = (func, name, description)
        return actions

    def get_form(
        self,
        request: HttpRequest,
        obj: models.Model | None = None,
        change: bool = False,
        **kwargs,
    ) -> type[forms.ModelForm]:
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None and is_versioned(self.model) and not restoring(request):
            form = with_version_check(form)
        return form

    # A revert or recovery restores an old version on purpose, inside the
    # request that shows it (django-reversion reverts again on the POST): its
    # page is not checked against the version it showed, which the revert
    # itself moves on (models.keep_versions_moving_on). The save still claims
    # the version, so it moves on once more.
    def revision_view(self, request: HttpRequest, *args, **kwargs):
        request.restoring_history = True
        return super().revision_view(request, *args, **kwargs)

    def recover_view(self, request: HttpRequest, *args, **kwargs):
        request.restoring_history = True
        return super().recover_view(request, *args, **kwargs)

    def get_fields(
        self, request: HttpRequest, obj: models.Model | None = None
    ) -> list[str]:
        # Rendered by the change form template, not as a row of a fieldset.
        return [f for f in super().get_fields(request, obj) if f != LOADED_VERSION]

    def get_formsets_with_inlines(self, request: HttpRequest, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            if (
                obj is not None
                and is_versioned(formset.model)
                and not restoring(request)
            ):
                formset.form = with_version_check(formset.form)
            yield formset, inline

    def get_inline_formsets(self, request, formsets, inline_instances, obj=None):
        inline_formsets = super().get_inline_formsets(
            request, formsets, inline_instances, obj
        )
        # Rendered (hidden) only if it is in a fieldset of the inline.
        for inline_formset in inline_formsets:
            if LOADED_VERSION in inline_formset.formset.form.base_fields:
                (name, options), *rest = inline_formset.fieldsets
                shown = [*options["fields"], LOADED_VERSION]
                inline_formset.fieldsets = [(name, {**options, "fields": shown}), *rest]
        return inline_formsets

    def save_model(
        self,
        request: HttpRequest,
        obj: models.Model,
        form: forms.ModelForm,
        change: bool,
    ) -> None:
        stamp(obj, form, request.user)
        if change and is_versioned(type(obj)):
            record_claim_version(instance=obj)
        super().save_model(request, obj, form, change)

    def save_formset(
        self,
        request: HttpRequest,
        form: forms.ModelForm,
        formset: forms.BaseModelFormSet,
        change: bool,
    ) -> None:
        for inline_form in formset.forms:
            if inline_form.has_changed():
                stamp(inline_form.instance, inline_form, request.user)
                if (
                    inline_form.instance.pk is not None
                    and is_versioned(formset.model)
                    and inline_form not in formset.deleted_forms
                ):
                    record_claim_version(instance=inline_form.instance)
        super().save_formset(request, form, formset, change)


class ImportExportBriefingAdmin(ImportExportMixin, ExportActionMixin, BriefingAdmin):
    """A curated record's admin with tabular import and export.

    Import previews the whole file as a dry run, then imports it when the editor
    confirms, in one transaction and one revision (see briefings/resources.py).
    Export writes the columns the import reads, for the filtered changelist
    (the Export button) or for the rows ticked (the "Export selected" action).
    """

    formats = resources.FORMATS
    # ExportActionMixin names its own; ours extends it.
    change_form_template = BriefingAdmin.change_form_template
    # Both buttons; with the export action the library would show Import only.
    import_export_change_list_template = (
        "admin/import_export/change_list_import_export.html"
    )
    # One problem per message, up to this many, after a failed import.
    import_error_messages = 20

    def has_import_permission(self, request: HttpRequest) -> bool:
        # The same rule as a background import's.
        return may_import_tabular(request.user, self.model)

    def has_export_permission(self, request: HttpRequest) -> bool:
        # Unless told, the library lets any staff user export any model.
        return self.has_view_or_change_permission(request)

    def get_export_data(self, file_format, request, queryset, **kwargs):
        if isinstance(file_format, resources.CSV):
            # The byte-order mark tells spreadsheet programs the file is UTF-8;
            # without it they misread curly quotes and dashes, and save the text
            # back changed.
            kwargs["encoding"] = "utf-8-sig"
        return super().get_export_data(file_format, request, queryset, **kwargs)

    def get_valid_export_item_pks(self, request: HttpRequest) -> QuerySet:
        # The library calls this deprecated hook, and warns, on every export of
        # a selection; the rows are those of the changelist either way.
        return self.get_queryset(request).values_list("pk", flat=True)

    def import_url(self) -> str:
        opts = self.model._meta
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_import",
            current_app=self.admin_site.name,
        )

    def import_action(self, request: HttpRequest, **kwargs) -> HttpResponse:
        response = super().import_action(request, **kwargs)
        result = (getattr(response, "context_data", None) or {}).get("result")
        if result is not None and resources.failed(result):
            self.report_import_errors(request, result)
        return response

    def process_import(self, request: HttpRequest, **kwargs) -> HttpResponse:
        try:
            return super().process_import(request, **kwargs)
        except resources.UploadExpired as expired:
            messages.error(request, str(expired))
            return redirect(self.import_url())

    def process_dataset(self, dataset, form, request: HttpRequest, **kwargs):
        # A file of more than IMPORT_BACKGROUND_ROWS rows is imported by a
        # worker; the confirmation only queues it (briefings/admin_jobs.py).
        job = tabular_job_for(self, dataset, form, request)
        if job is not None:
            return job
        return super().process_dataset(dataset, form, request, **kwargs)

    def process_result(
        self, result: Result | ImportJob, request: HttpRequest
    ) -> HttpResponse:
        if isinstance(result, ImportJob):
            return import_job_started(request, result)
        if resources.failed(result):
            # The preview passed, but the desk changed before the confirmation.
            # The import rolled back: say so instead of "Import finished".
            self.report_import_errors(request, result)
            messages.error(request, _("Nothing was imported."))
            return redirect(self.import_url())
        return super().process_result(result, request)

    def report_import_errors(self, request: HttpRequest, result: Result) -> None:
        lines = resources.import_errors(result)
        for line in lines[: self.import_error_messages]:
            messages.error(request, line)
        more = len(lines) - self.import_error_messages
        if more > 0:
            messages.error(
                request,
                ngettext(
                    "… and %(n)d more problem.", "… and %(n)d more problems.", more
                )
                % {"n": more},
            )

    def add_data_read_fail_error_to_form(self, form, e: Exception) -> None:
        if isinstance(e, resources.UnreadableFile | resources.UploadExpired):
            name = form.cleaned_data["import_file"].name
            form.add_error("import_file", f"{name}: {e}")
        else:
            super().add_data_read_fail_error_to_form(form, e)


# Inlines -------------------------------------------------------------------------


class ActorAliasInline(admin.TabularInline):
    model = ActorAlias
    fields = ("name", "language")
    extra = 0


class ParticipationInline(MarkdownHintMixin, admin.TabularInline):
    model = Participation
    verbose_name = _("participant")
    verbose_name_plural = _("participants")
    fields = ("actor", "role", "represents", "note")
    autocomplete_fields = ("actor", "represents")
    extra = 0


class CommitmentInline(PublishPermissionMixin, admin.StackedInline):
    model = Commitment
    fields = (
        ("title", "slug"),
        ("kind", "standing", "status"),
        "statement",
        ("actors", "topics"),
        ("source_article", "deadline", "deadline_note"),
    )
    autocomplete_fields = ("actors", "topics", "source_article")
    prepopulated_fields = {"slug": ("title",)}
    show_change_link = True
    extra = 0

    def has_delete_permission(self, request, obj=None) -> bool:
        # The inline's delete boxes cannot tell a draft commitment from a
        # published one, so only those who may withdraw published records get
        # them; editors delete drafts from the commitment's own page.
        return can_publish(request.user, Commitment) and super().has_delete_permission(
            request, obj
        )


class AssessmentForm(forms.ModelForm):
    """Reports on the form what assessment_add would refuse: an entry dated
    before the one it supersedes."""

    def clean(self) -> dict:
        data = super().clean()
        commitment, actor = data.get("commitment"), data.get("actor")
        assessed_on = data.get("assessed_on")
        if not (self.instance._state.adding and actor and assessed_on):
            return data
        if commitment is None or commitment.pk is None:
            return data
        previous = assessment_previous(commitment=commitment, actor=actor)
        try:
            assessment_check_date(previous=previous, assessed_on=assessed_on)
        except ValidationError as error:
            self.add_error(None, error)
        return data


class ComplianceAssessmentInline(MarkdownHintMixin, admin.StackedInline):
    """Assessments are dated entries, added and never changed: the earlier ones
    show read-only, and a new one supersedes the latest of its actor."""

    model = ComplianceAssessment
    form = AssessmentForm
    fk_name = "commitment"
    formfield_overrides = URL_FIELDS
    fields = (
        ("actor", "score", "assessed_on"),
        "rationale",
        ("evidence_article", "evidence_url"),
        ("supersedes", "assessed_by"),
    )
    readonly_fields = ("assessed_by", "supersedes")
    autocomplete_fields = ("actor", "evidence_article")
    can_delete = False
    extra = 0

    # Without the change permission the admin shows existing rows read-only
    # and ignores whatever is posted for them; new rows stay editable.
    def has_change_permission(
        self, request: HttpRequest, obj: models.Model | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: models.Model | None = None
    ) -> bool:
        return False


def stored_body(article: Article) -> str | None:
    """The article's text as saved, before the form being validated changed it;
    fetched once per request and kept on the instance."""
    if article.pk is None:
        return None
    if not hasattr(article, "_stored_body"):
        article._stored_body = (
            Article.objects.filter(pk=article.pk).values_list("body", flat=True).first()
        )
    return article._stored_body


class AnnotationForm(forms.ModelForm):
    """An annotation's span, checked against its article's text.

    Without script an editor may give only the quote (and, when it occurs more
    than once, the words just before or after it): the form finds the offsets.
    When the article's text is corrected in the same save, an annotation the
    editor did not touch follows the text, as ArticleAdmin.save_model re-anchors
    it, instead of failing against words it was not written for.
    """

    # Where the annotation is; prefix and suffix follow from it.
    SPAN_FIELDS = ("start", "end", "quote")

    class Meta:
        model = Annotation
        # The admin builds the form from its fieldsets; these are the most.
        fields = (
            "article",
            "start",
            "end",
            "quote",
            "prefix",
            "suffix",
            "note",
            "anchor_state",
            "actor",
            "meeting",
            "commitment",
        )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("start", "end"):
            if name in self.fields:
                self.fields[name].required = False
                self.fields[name].help_text = _(
                    "Leave both empty to find the quote in the text."
                )
        for name in ("quote", "prefix", "suffix"):
            if name in self.fields:
                # Verbatim: a quote may begin or end with a blank or a line break.
                self.fields[name].strip = False
        self._orphan = False

    def clean_quote(self) -> str:
        # As the article's text, without a browser's CRLF line ends.
        return self.cleaned_data["quote"].replace("\r\n", "\n")

    def _span_touched(self) -> bool:
        return any(
            self.cleaned_data.get(name) != self.initial.get(name)
            for name in self.SPAN_FIELDS
        )

    def _article(self) -> Article | None:
        article = self.cleaned_data.get("article")
        if article is not None:
            return article
        try:
            return self.instance.article
        except Article.DoesNotExist:
            return None

    def clean(self) -> dict:
        cleaned_data = super().clean()
        article = self._article()
        if article is None:
            return cleaned_data
        start, end = cleaned_data.get("start"), cleaned_data.get("end")
        if start is None and end is None:
            if cleaned_data.get("quote"):
                self._find_quote(article.body, cleaned_data)
            elif "quote" not in self.errors:
                self.add_error("quote", _("Give the quote, or its offsets."))
        elif start is None or end is None:
            self.add_error(
                "end" if end is None else "start",
                _("Give both offsets, or neither to find the quote in the text."),
            )
        elif self._follows_correction(article):
            anchor = reanchor(stored_body(article), article.body, self.instance)
            cleaned_data.update(
                start=anchor.start,
                end=anchor.end,
                quote=anchor.quote,
                prefix=anchor.prefix,
                suffix=anchor.suffix,
                anchor_state=anchor.state,
            )
            self._orphan = anchor.state == AnchorState.ORPHANED
        elif self.instance.anchor_state == AnchorState.ORPHANED and not (
            self._span_touched()
        ):
            self._orphan = True
        elif article.body[start:end] == cleaned_data.get("quote"):
            # The context is derived from the position, not typed: a text input
            # would lose the line breaks in it anyway.
            _quote, prefix, suffix = selectors_for(article.body, start, end)
            cleaned_data.update(prefix=prefix, suffix=suffix)
        return cleaned_data

    def _follows_correction(self, article: Article) -> bool:
        return (
            self.instance.pk is not None
            and not self._span_touched()
            and stored_body(article) not in (None, article.body)
        )

    def _find_quote(self, body: str, cleaned_data: dict) -> None:
        quote = cleaned_data["quote"].replace("\r\n", "\n").strip()
        prefix = cleaned_data.get("prefix", "").replace("\r\n", "\n")
        suffix = cleaned_data.get("suffix", "").replace("\r\n", "\n")
        starts, at = [], body.find(quote)
        while quote and at != -1:
            starts.append(at)
            at = body.find(quote, at + 1)
        if not starts:
            self.add_error(
                "quote",
                _(
                    "This quote is not in the article's text. Paste it exactly "
                    "as it stands there."
                ),
            )
            return
        fitting = [
            at
            for at in starts
            if body[:at].endswith(prefix) and body[at + len(quote) :].startswith(suffix)
        ]
        if len(fitting) != 1:
            if fitting:
                message = _(
                    "This quote occurs %(count)d times in the article's text. "
                    "Add the words just before it under “text before” (or just "
                    "after it under “text after”) to say which one you mean."
                )
            else:
                message = _(
                    "This quote occurs %(count)d times in the article's text, "
                    "but never with this text before and after it."
                )
            self.add_error("prefix", message % {"count": len(fitting or starts)})
            return
        start = fitting[0]
        quote, prefix, suffix = selectors_for(body, start, start + len(quote))
        cleaned_data.update(
            start=start,
            end=start + len(quote),
            quote=quote,
            prefix=prefix,
            suffix=suffix,
            anchor_state=AnchorState.ANCHORED,
        )

    def _post_clean(self) -> None:
        super()._post_clean()
        if self._orphan:
            # An orphan's quote is, by definition, no longer at its position;
            # keeping it, or saving its note, must not need it found first.
            self._errors.pop("quote", None)


class AnnotationInline(MarkdownHintMixin, admin.StackedInline):
    model = Annotation
    form = AnnotationForm
    fields = (
        ("start", "end", "anchor_state"),
        "quote",
        ("prefix", "suffix"),
        "note",
        ("actor", "meeting", "commitment"),
        "created_by",
    )
    readonly_fields = ("created_by",)
    autocomplete_fields = ("actor", "meeting", "commitment")
    extra = 0


class MentionInline(admin.TabularInline):
    model = Mention
    fields = (
        "text",
        "start",
        "end",
        "actor",
        "meeting",
        "proposed_actor",
        "proposed_meeting",
        "similarity",
        "confirmed_by",
        "confirmed_at",
    )
    # A proposal is the importer's; the editor answers it in `actor`/`meeting`
    # (or with the Mentions list's "Accept the proposed actor or meeting").
    readonly_fields = (
        "proposed_actor",
        "proposed_meeting",
        "similarity",
        "confirmed_by",
        "confirmed_at",
    )
    autocomplete_fields = ("actor", "meeting")
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Mention]:
        return (
            super()
            .get_queryset(request)
            .select_related("proposed_actor", "proposed_meeting", "confirmed_by")
        )


# Model admins --------------------------------------------------------------------
#
# Each model's history, and the relations its revisions follow, are registered
# in briefings/history.py, before any of these admins is created.


@admin.register(Topic)
class TopicAdmin(ImportExportBriefingAdmin):
    resource_classes = [resources.TopicResource]
    list_display = (
        "name",
        "slug",
        "meeting_count",
        "article_count",
        "commitment_count",
        "status",
    )
    list_filter = ("status",)
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}
    date_hierarchy = "published_at"
    fieldsets = (
        (_("What"), {"fields": ("name", "slug", "description")}),
        (_("Editorial"), {"fields": EDITORIAL_FIELDS}),
    )
    readonly_fields = TIMESTAMPS

    def get_queryset(self, request: HttpRequest) -> QuerySet[Topic]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                meeting_count=count_of(Meeting.topics.through, "topic"),
                article_count=count_of(Article.topics.through, "topic"),
                commitment_count=count_of(Commitment.topics.through, "topic"),
            )
        )

    @admin.display(description=_("meetings"), ordering="meeting_count")
    def meeting_count(self, topic: Topic) -> int:
        return topic.meeting_count

    @admin.display(description=_("articles"), ordering="article_count")
    def article_count(self, topic: Topic) -> int:
        return topic.article_count

    @admin.display(description=_("commitments"), ordering="commitment_count")
    def commitment_count(self, topic: Topic) -> int:
        return topic.commitment_count


@admin.register(Actor)
class ActorAdmin(ImportExportBriefingAdmin):
    resource_classes = [resources.ActorResource]
    list_display = (
        "name",
        "honorific",
        "kind",
        "organisation_type",
        "position",
        "country",
        "status",
    )
    list_filter = (
        "status",
        "kind",
        "organisation_type",
        "is_asean_member",
        ("country", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("country",)
    search_fields = (
        "name",
        "honorific",
        "position",
        "position_local",
        "aliases__name",
        "iso_code",
        "slug",
    )
    search_help_text = _(
        "Name, honorific, position, ISO code or any alias as the sources write it."
    )
    autocomplete_fields = ("country", "parent")
    prepopulated_fields = {"slug": ("name",)}
    date_hierarchy = "published_at"
    save_on_top = True
    inlines = (ActorAliasInline,)
    fieldsets = (
        (
            _("Who"),
            {
                "fields": (
                    ("kind", "organisation_type"),
                    ("honorific", "name"),
                    "slug",
                    ("position", "position_local"),
                    "description",
                )
            },
        ),
        (
            _("Where and part of what"),
            {"fields": ("country", "parent", ("iso_code", "is_asean_member"))},
        ),
        (_("Links"), {"fields": ("wikidata_id",)}),
        (_("Editorial"), {"fields": EDITORIAL_FIELDS}),
    )
    readonly_fields = TIMESTAMPS


@admin.register(ActorAlias)
class ActorAliasAdmin(BriefingAdmin):
    list_display = ("name", "actor", "language")
    list_filter = ("language",)
    list_select_related = ("actor",)
    search_fields = ("name", "actor__name")
    autocomplete_fields = ("actor",)


@admin.register(Commitment)
class CommitmentAdmin(ImportExportBriefingAdmin):
    resource_classes = [resources.CommitmentResource]
    list_display = (
        "title",
        "kind",
        "standing",
        "made_by",
        "meeting",
        "deadline_display",
        "source_article",
        "status",
    )
    list_filter = (
        "status",
        "kind",
        "standing",
        ("topics", admin.RelatedOnlyFieldListFilter),
        ("meeting", admin.RelatedOnlyFieldListFilter),
        PartialDateYearFilter.on("deadline", _("deadline year")),
        OverdueFilter,
    )
    list_select_related = ("meeting", "source_article")
    search_fields = ("title", "statement", "summary", "deadline_note", "slug")
    search_help_text = _("Title, statement as written, summary or deadline.")
    autocomplete_fields = ("actors", "meeting", "topics", "source_article")
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "published_at"
    save_on_top = True
    inlines = (ComplianceAssessmentInline,)
    fieldsets = (
        (
            _("What"),
            {"fields": (("title", "slug"), "kind", "statement", "summary")},
        ),
        (
            _("When and where"),
            {"fields": ("meeting", ("deadline", "deadline_note"), "standing")},
        ),
        (_("Links"), {"fields": ("actors", "topics", "source_article")}),
        (_("Editorial"), {"fields": EDITORIAL_FIELDS}),
    )
    readonly_fields = TIMESTAMPS

    def get_queryset(self, request: HttpRequest) -> QuerySet[Commitment]:
        return super().get_queryset(request).prefetch_related("actors")

    def save_formset(
        self,
        request: HttpRequest,
        form: forms.ModelForm,
        formset: forms.BaseModelFormSet,
        change: bool,
    ) -> None:
        if formset.model is not ComplianceAssessment:
            super().save_formset(request, form, formset, change)
            return
        # The inline neither changes nor deletes, so only new rows come back;
        # each goes through the service, which supersedes and sets the standing.
        formset.new_objects = [
            assessment_add(
                commitment=form.instance,
                actor=new.actor,
                score=new.score,
                rationale=new.rationale,
                assessed_on=new.assessed_on,
                evidence_article=new.evidence_article,
                evidence_url=new.evidence_url,
                user=request.user,
            )
            for new in formset.save(commit=False)
            if new._state.adding
        ]

    @admin.display(description=_("made by"))
    def made_by(self, commitment: Commitment) -> str:
        return ", ".join(str(actor) for actor in commitment.actors.all())

    @admin.display(description=_("deadline"), ordering="deadline")
    def deadline_display(self, commitment: Commitment) -> str | None:
        return readable_date(commitment.deadline)


@admin.register(Meeting)
class MeetingAdmin(ImportExportBriefingAdmin):
    resource_classes = [resources.MeetingResource]
    list_display = (
        "name",
        "start_display",
        "level",
        "format",
        "state",
        "country",
        "reports_to",
        "participant_count",
        "commitment_count",
        "status",
    )
    list_filter = (
        "status",
        "level",
        "format",
        "state",
        PartialDateYearFilter.on("start", _("year")),
        ("country", admin.RelatedOnlyFieldListFilter),
        ("topics", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("country", "reports_to")
    search_fields = (
        "name",
        "short_name",
        "name_local",
        "series",
        "venue",
        "city",
        "slug",
    )
    search_help_text = _("Name in English or as written, short name, series, venue.")
    autocomplete_fields = ("country", "reports_to", "topics")
    prepopulated_fields = {"slug": ("short_name",)}
    date_hierarchy = "published_at"
    save_on_top = True
    inlines = (ParticipationInline, CommitmentInline)
    fieldsets = (
        (
            _("What"),
            {
                "fields": (
                    "name",
                    ("short_name", "slug"),
                    "name_local",
                    ("series", "edition"),
                    ("level", "format"),
                    "summary",
                )
            },
        ),
        (
            _("When and where"),
            {
                "fields": (
                    ("start", "end"),
                    "date_note",
                    ("venue", "city"),
                    "country",
                    "state",
                )
            },
        ),
        (_("Links"), {"fields": ("reports_to", "topics")}),
        (_("Editorial"), {"fields": EDITORIAL_FIELDS}),
    )
    readonly_fields = TIMESTAMPS

    def get_queryset(self, request: HttpRequest) -> QuerySet[Meeting]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                participant_count=count_of(Participation, "meeting"),
                commitment_count=count_of(Commitment, "meeting"),
            )
        )

    @admin.display(description=_("start"), ordering="start")
    def start_display(self, meeting: Meeting) -> str | None:
        return readable_date(meeting.start)

    @admin.display(description=_("participants"), ordering="participant_count")
    def participant_count(self, meeting: Meeting) -> int:
        return meeting.participant_count

    @admin.display(description=_("commitments"), ordering="commitment_count")
    def commitment_count(self, meeting: Meeting) -> int:
        return meeting.commitment_count


@admin.register(Participation)
class ParticipationAdmin(BriefingAdmin):
    list_display = ("actor", "role", "meeting", "represents", "note")
    list_filter = ("role", ("meeting", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("actor", "meeting", "represents")
    search_fields = (
        "actor__name",
        "actor__aliases__name",
        "meeting__name",
        "meeting__short_name",
        "note",
    )
    autocomplete_fields = ("meeting", "actor", "represents")


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        # The admin builds the form from its fieldsets; this class only adds the
        # checks on the source text.
        fields = ("body",)

    def clean_body(self) -> str:
        # Browsers send a textarea back with CRLF line ends. Undo that, or merely
        # saving the form would change the text, its hash and every offset that
        # annotations and mentions hold into it.
        body = self.cleaned_data["body"].replace("\r\n", "\n")
        # The field keeps surrounding whitespace, so "required" alone would let a
        # text of blanks through.
        if not body.strip():
            raise ValidationError(
                _("An article needs its source text."), code="required"
            )
        return body

    def clean(self) -> dict:
        cleaned_data = super().clean()
        body = cleaned_data.get("body")
        # content_hash is not a form field, so the form's own unique checks skip
        # it; without this, article_save()'s full_clean() would fail after the
        # form had been accepted.
        if body:
            duplicate = (
                Article.objects.filter(content_hash=Article.hash_text(body))
                .exclude(pk=self.instance.pk)
                .only("title")
                .first()
            )
            if duplicate is not None:
                self.add_error(
                    "body",
                    ValidationError(
                        _("This text is already on the desk as “%(title)s”."),
                        code="duplicate_text",
                        params={"title": duplicate.title},
                    ),
                )
        return cleaned_data


@admin.register(Article)
class ArticleAdmin(TextImportMixin, ImportExportBriefingAdmin):
    resource_classes = [resources.ArticleResource]
    # Import and export, recovery, and "Import text articles" (admin_import.py).
    import_export_change_list_template = "admin/briefings/article/change_list.html"
    form = ArticleAdminForm
    list_display = ("title", "outlet", "language", "published_display", "status")
    list_filter = (
        "status",
        "language",
        ("outlet", admin.RelatedOnlyFieldListFilter),
        PartialDateYearFilter.on("published", _("year published")),
        ("topics", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("outlet",)
    search_fields = ("title", "body", "summary", "url", "slug")
    search_help_text = _("Title, source text, summary or URL.")
    autocomplete_fields = ("outlet", "meetings", "actors", "topics")
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "published_at"
    save_on_top = True
    inlines = (AnnotationInline, MentionInline)
    fieldsets = (
        (_("What"), {"fields": ("title", "slug", "language", "body", "summary")}),
        (_("Annotate"), {"fields": ("annotate_body",)}),
        (
            _("When and where"),
            {
                "fields": (
                    ("published", "date_note"),
                    "outlet",
                    "url",
                    "imported_from",
                )
            },
        ),
        (_("Links"), {"fields": ("meetings", "actors", "topics")}),
        (_("Editorial"), {"fields": (*EDITORIAL_FIELDS, "content_hash")}),
    )
    readonly_fields = (*TIMESTAMPS, "content_hash", "annotate_body")

    class Media:
        js = ("serantau/admin-annotate.js",)
        css = {"all": ("serantau/admin.css",)}

    @admin.display(description=_("text to annotate"))
    def annotate_body(self, article: Article) -> str:
        # The saved text, character for character (pre-wrap, no markup inside),
        # so that offsets in the page's text are offsets in the body.
        return format_html(
            '<div data-annotate-body class="annotate-body">{}</div>'
            '<p><button type="button" class="button" data-annotate-button hidden>'
            "{}</button></p>",
            article.body,
            _("Annotate selection"),
        )

    def formfield_for_dbfield(
        self, db_field: models.Field, request: HttpRequest, **kwargs
    ) -> forms.Field | None:
        if db_field.name == "body":
            # Verbatim text: no stripping of leading or trailing blank lines, and
            # room to read it.
            kwargs["strip"] = False
            kwargs["widget"] = AdminTextareaWidget(attrs={"rows": 30})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(
        self,
        request: HttpRequest,
        obj: Article,
        form: forms.ModelForm,
        change: bool,
    ) -> None:
        before = stored_body(obj) if change else None
        if before is None or before == obj.body:
            article_save(article=obj, user=request.user)
            return
        summary = article_correct_text(
            article=obj, new_body=obj.body, user=request.user
        )
        if summary.total:
            self.message_user(
                request,
                _(
                    "The text was corrected and its annotations re-anchored: "
                    "%(anchored)d in place, %(fuzzy)d found approximately (confirm "
                    "them), %(orphaned)d not found (orphaned)."
                )
                % {
                    "anchored": summary.anchored,
                    "fuzzy": summary.fuzzy,
                    "orphaned": summary.orphaned,
                },
                messages.WARNING
                if summary.fuzzy or summary.orphaned
                else messages.INFO,
            )

    @admin.display(description=_("published"), ordering="published")
    def published_display(self, article: Article) -> str | None:
        return readable_date(article.published)

    def get_urls(self):
        opts = self.opts
        return [
            path(
                "export-all/",
                self.admin_site.admin_view(self.export_all_view),
                name=f"{opts.app_label}_{opts.model_name}_export_all",
            ),
            *super().get_urls(),
        ]

    def export_all_view(self, request: HttpRequest) -> StreamingHttpResponse:
        """Every article, drafts too, as CSV written while it is read (see
        briefings/exports.py): the Export button builds the file in memory."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        response = StreamingHttpResponse(
            exports.articles_csv(), content_type="text/csv; charset=utf-8"
        )
        name = f"articles-{timezone.localdate():%Y-%m-%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


@admin.register(ComplianceAssessment)
class ComplianceAssessmentAdmin(BriefingAdmin):
    list_display = (
        "commitment",
        "actor",
        "score",
        "assessed_on",
        "assessed_by",
        "evidence_article",
    )
    list_filter = ("score", ("actor", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("commitment", "actor", "assessed_by", "evidence_article")
    search_fields = ("commitment__title", "actor__name", "rationale")
    autocomplete_fields = ("commitment", "actor", "evidence_article")
    date_hierarchy = "assessed_on"
    form = AssessmentForm
    fieldsets = (
        (_("What"), {"fields": ("commitment", "actor", "score", "rationale")}),
        (_("When"), {"fields": ("assessed_on",)}),
        (
            _("Links"),
            {"fields": ("evidence_article", "evidence_url", "supersedes")},
        ),
        (_("Editorial"), {"fields": ("assessed_by", "created_at")}),
    )
    readonly_fields = ("assessed_by", "supersedes", "created_at")

    # Never overwritten: an assessment is added, then only read. A changed
    # judgement is a new assessment, which supersedes this one.
    def has_change_permission(
        self, request: HttpRequest, obj: ComplianceAssessment | None = None
    ) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(
        self, request: HttpRequest, obj: ComplianceAssessment | None = None
    ) -> bool:
        return False

    def save_model(
        self,
        request: HttpRequest,
        obj: ComplianceAssessment,
        form: forms.ModelForm,
        change: bool,
    ) -> None:
        if change:
            raise PermissionDenied
        saved = assessment_add(
            commitment=obj.commitment,
            actor=obj.actor,
            score=obj.score,
            rationale=obj.rationale,
            assessed_on=obj.assessed_on,
            evidence_article=obj.evidence_article,
            evidence_url=obj.evidence_url,
            user=request.user,
        )
        # The admin goes on with the object it passed (the message, the redirect).
        vars(obj).update(vars(saved))


@admin.register(Annotation)
class AnnotationAdmin(BriefingAdmin):
    form = AnnotationForm
    actions = ("confirm_fuzzy_anchors",)
    list_display = ("quote_excerpt", "article", "anchor_state", "created_by")
    list_filter = ("anchor_state",)
    list_select_related = ("article", "created_by")
    search_fields = ("quote", "note", "article__title")
    autocomplete_fields = ("article", "actor", "meeting", "commitment")
    fieldsets = (
        (
            _("What"),
            {"fields": ("article", ("start", "end"), "quote", ("prefix", "suffix"))},
        ),
        (_("Note"), {"fields": ("note",)}),
        (_("Links"), {"fields": ("actor", "meeting", "commitment")}),
        (_("Editorial"), {"fields": ("anchor_state", "created_by", "created_at")}),
    )
    readonly_fields = ("created_by", "created_at")

    @admin.display(description=_("quote"), ordering="quote")
    def quote_excerpt(self, annotation: Annotation) -> str:
        quote = annotation.quote
        return quote if len(quote) <= 80 else quote[:77] + "…"

    @admin.action(description=_("Confirm fuzzy anchors"), permissions=["change"])
    def confirm_fuzzy_anchors(
        self, request: HttpRequest, queryset: QuerySet[Annotation]
    ) -> None:
        count = annotations_confirm_anchors(
            annotations=queryset.select_related("article"), user=request.user
        )
        self.message_user(
            request,
            ngettext(
                "Confirmed %(n)d fuzzy anchor.", "Confirmed %(n)d fuzzy anchors.", count
            )
            % {"n": count},
        )


@admin.register(Mention)
class MentionAdmin(BriefingAdmin):
    list_display = (
        "text",
        "article",
        "actor",
        "meeting",
        "proposed_actor",
        "proposed_meeting",
        "similarity",
        "confirmed_by",
        "confirmed_at",
    )
    list_filter = (ResolvedFilter, ProposalFilter)
    list_select_related = (
        "article",
        "actor",
        "meeting",
        "proposed_actor",
        "proposed_meeting",
        "confirmed_by",
    )
    search_fields = ("text", "actor__name", "meeting__name", "article__title")
    autocomplete_fields = ("article", "actor", "meeting")
    fieldsets = (
        (_("What"), {"fields": ("article", ("start", "end"), "text")}),
        (
            _("Refers to"),
            {"fields": ("actor", "meeting", ("confirmed_by", "confirmed_at"))},
        ),
        (
            _("Proposed by the importer"),
            {"fields": ("proposed_actor", "proposed_meeting", "similarity")},
        ),
    )
    readonly_fields = (
        "proposed_actor",
        "proposed_meeting",
        "similarity",
        "confirmed_by",
        "confirmed_at",
    )
    actions = ("accept_proposals",)

    @admin.action(
        description=_("Accept the proposed actor or meeting"),
        permissions=("change",),
    )
    def accept_proposals(self, request: HttpRequest, queryset: QuerySet) -> None:
        # The importer only proposes; this action, taken by a person, links.
        try:
            accepted = mentions_accept_proposals(
                mentions=queryset.select_related(None), user=request.user
            )
        except PermissionDenied as denied:
            self.message_user(request, str(denied), messages.ERROR)
            return
        except EditConflict as conflict:
            # Nothing was linked (one transaction); a second try reads anew.
            self.message_user(
                request,
                _(
                    "Nothing was linked: “%(record)s” was saved by someone else "
                    "while the links were being made. Run the action again."
                )
                % {"record": conflict.current},
                messages.ERROR,
            )
            return
        self.message_user(
            request,
            ngettext(
                "Linked %(n)d mention to its proposed actor or meeting.",
                "Linked %(n)d mentions to their proposed actors or meetings.",
                accepted,
            )
            % {"n": accepted},
            messages.SUCCESS if accepted else messages.WARNING,
        )
