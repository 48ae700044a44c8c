"""Tabular import and export of the curated records (django-import-export).

One Resource per record type — topics, actors, meetings, articles,
commitments — reads and writes CSV, XLSX and JSON with the same columns, so a
file exported here imports back unchanged. The rules, and why:

* A row is identified by its slug, and a relation by the slug of the record it
  points at (a country also by its ISO code; a many-to-many column holds
  comma-separated slugs). Every slug a file names is fetched before the first
  row, in one query per related model (`SlugIndex`), and a slug that matches
  nothing is an error in its row, never a silent blank. A row may point at a
  record that another row of the same file creates: such rows are imported
  after the rows they point at, and reported under their own row numbers.
* Each row is checked as the admin and the API check a record: the content
  hash is recomputed from the text, publishing needs the publish permission
  (`services.check_publication`), and the instance is `full_clean()`ed.
* The admin's preview is a dry run of the whole file in a transaction that is
  rolled back, and it records no history. The confirmed run is one transaction
  and one django-reversion revision, with the importing user: if any row
  fails, nothing of the file is written.
* An unchanged row is skipped, so importing the same file twice changes
  nothing the second time.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime

import reversion
import tablib
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from import_export import fields, resources, widgets
from import_export.formats import base_formats
from import_export.instance_loaders import CachedInstanceLoader
from import_export.results import Result
from import_export.tmp_storages import CacheStorage

from briefings.models import Actor, ActorKind, Article, Commitment, Meeting, Topic
from briefings.services import can_publish, check_publication

# Files ---------------------------------------------------------------------------


class UnreadableFile(ValueError):
    """A file that cannot be read as a table; the message says where and why."""


class UploadExpired(Exception):
    """The file to confirm is no longer in the cache."""


class SharedCacheStorage(CacheStorage):
    """Keeps the uploaded file between preview and confirmation in the cache.

    The two requests may reach two app servers, so the file cannot wait on one
    server's disk; the cache is shared between them. A file that has left the
    cache (expired, or a cache that is not shared after all) is said so,
    rather than read as an empty file.
    """

    def read(self):
        data = super().read()
        if data is None:
            raise UploadExpired(
                _("The uploaded file is no longer available; upload it again.")
            )
        return data


class CSV(base_formats.CSV):
    """CSV that says which row is malformed, and when a file is not UTF-8."""

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            try:
                in_stream = in_stream.decode(self.encoding or "utf-8-sig")
            except UnicodeDecodeError as error:
                raise UnreadableFile(
                    _(
                        "The file is not UTF-8 text (byte %(position)s); save it as "
                        "“CSV UTF-8”."
                    )
                    % {"position": error.start + 1}
                ) from error
        try:
            return super().create_dataset(in_stream, **kwargs)
        except tablib.InvalidDimensions as error:
            raise UnreadableFile(ragged_row(in_stream)) from error
        except csv.Error as error:
            raise UnreadableFile(
                _("The file is not CSV: %(error)s") % {"error": error}
            ) from error


def ragged_row(text: str) -> str:
    rows = csv.reader(io.StringIO(text, newline=""))
    width = len(next(rows, []))
    for number, row in enumerate(rows, 1):
        if len(row) > width:
            return _(
                "Row %(row)s has %(cells)s cells, but the header names only "
                "%(columns)s columns."
            ) % {"row": number, "cells": len(row), "columns": width}
    return _("The rows do not match the header.")


class JSON(base_formats.JSON):
    """JSON that says why a file cannot be read, in a sentence."""

    def create_dataset(self, in_stream, **kwargs):
        try:
            return super().create_dataset(in_stream, **kwargs)
        except (ValueError, TypeError, AttributeError, KeyError) as error:
            raise UnreadableFile(
                _("The file is not a JSON list of records: %(error)s")
                % {"error": error}
            ) from error


class XLSX(base_formats.XLSX):
    """XLSX in which every exported value is text, even one that starts with "=".

    openpyxl stores such a string as a formula, which the import, reading
    values only, would get back empty.
    """

    def export_data(self, dataset, **kwargs):
        # Imported here, as the library does, so that openpyxl loads only when
        # a spreadsheet is written.
        from openpyxl import Workbook
        from openpyxl.utils.exceptions import IllegalCharacterError

        book = Workbook()
        sheet = book.active
        sheet.freeze_panes = "A2"
        try:
            sheet.append(dataset.headers)
            for row in dataset:
                sheet.append(row)
        except IllegalCharacterError as error:
            raise ValueError(
                _(
                    "A value holds a control character that XLSX cannot store; "
                    "export as CSV or JSON instead."
                )
            ) from error
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
        stream = io.BytesIO()
        book.save(stream)
        return stream.getvalue()


# The formats the admin offers for import and export, in this order.
FORMATS = (CSV, XLSX, JSON)


def cell_text(value) -> str:
    """A cell as text without surrounding blanks: XLSX gives numbers and dates."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def tidy_headers(dataset: tablib.Dataset) -> None:
    """Header cells without a byte-order mark or surrounding blanks.

    A BOM decoded as text ("\\ufeffslug") would hide the first column.
    """
    if dataset.headers:
        dataset.headers = [
            cell_text(h).lstrip("\ufeff").strip() for h in dataset.headers
        ]


def quoted(values: Iterable[str]) -> str:
    return ", ".join(f"“{value}”" for value in values)


# Look-ups by slug ------------------------------------------------------------------


class SlugIndex:
    """The records of one model that a file names, fetched in one query.

    The resource collects every slug of the file (`want`) and loads them all
    before the first row (`load`); a record that a row saves is added
    (`remember`), so that a later row may point at it. A look-up of a key that
    was not collected (a widget used outside an import) fetches that key.
    """

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.wanted: set[str] = set()
        self.fetched: set[str] = set()
        self.by_slug: dict[str, models.Model] = {}
        self.by_iso_code: dict[str, models.Model] = {}
        # Slugs that the file itself creates, by row number: a row that points
        # at one whose row failed is told so.
        self.file_rows: dict[str, int] = {}

    def want(self, keys: Iterable[str]) -> None:
        self.wanted.update(keys)

    def load(self) -> None:
        keys = self.wanted - self.fetched
        if not keys:
            return
        self.fetched |= keys
        condition = Q(slug__in=keys)
        if self.model is Actor:
            codes = {key.upper() for key in keys if len(key) == 2}
            if codes:
                condition |= Q(kind=ActorKind.COUNTRY, iso_code__in=codes)
        for obj in self.model._default_manager.filter(condition):
            self.remember(obj)

    def remember(self, obj: models.Model) -> None:
        self.by_slug[obj.slug] = obj
        if getattr(obj, "iso_code", ""):
            self.by_iso_code[obj.iso_code] = obj

    def get(self, key: str, *, iso_code: bool = False) -> models.Model | None:
        if key not in self.fetched:
            self.want([key])
            self.load()
        obj = self.by_slug.get(key)
        if obj is None and iso_code:
            obj = self.by_iso_code.get(key.upper())
        return obj

    def missing(self, keys: list[str]) -> str:
        """Why these keys found nothing."""
        opts = self.model._meta
        failed_rows = [self.file_rows[key] for key in keys if key in self.file_rows]
        if failed_rows:
            return ngettext(
                "The %(model)s of row %(rows)s could not be imported.",
                "The %(models)s of rows %(rows)s could not be imported.",
                len(failed_rows),
            ) % {
                "model": opts.verbose_name,
                "models": opts.verbose_name_plural,
                "rows": ", ".join(map(str, failed_rows)),
            }
        return ngettext(
            "No %(model)s has the slug %(keys)s.",
            "No %(models)s have the slugs %(keys)s.",
            len(keys),
        ) % {
            "model": opts.verbose_name,
            "models": opts.verbose_name_plural,
            "keys": quoted(keys),
        }


class SlugWidget(widgets.Widget):
    """A foreign key, written as the slug of the record it points at.

    `countries=True` accepts a country's ISO code as well ("MY") and refuses
    an actor that is not a country.
    """

    def __init__(self, model: type[models.Model], *, countries: bool = False):
        super().__init__()
        self.model = model
        self.countries = countries
        self.index = SlugIndex(model)

    def keys(self, value) -> list[str]:
        key = cell_text(value)
        return [key] if key else []

    def clean(self, value, row=None, **kwargs):
        key = cell_text(value)
        if not key:
            return None
        obj = self.index.get(key, iso_code=self.countries)
        if obj is None:
            if self.countries and key not in self.index.file_rows:
                raise ValueError(
                    _("No country has the slug or ISO code “%(key)s”.") % {"key": key}
                )
            raise ValueError(self.index.missing([key]))
        if self.countries and obj.kind != ActorKind.COUNTRY:
            raise ValueError(_("“%(key)s” is not a country.") % {"key": key})
        return obj

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.slug


class SlugsWidget(widgets.ManyToManyWidget):
    """A many-to-many relation, written as comma-separated slugs.

    A subclass of ManyToManyWidget, so that import-export saves the relation
    after the row and compares it when it decides whether a row changed.
    """

    def __init__(self, model: type[models.Model], *, required: bool = False):
        super().__init__(model, separator=",", field="slug")
        self.required = required
        self.index = SlugIndex(model)

    def keys(self, value) -> list[str]:
        parts = (part.strip() for part in cell_text(value).split(self.separator))
        return list(dict.fromkeys(part for part in parts if part))

    def clean(self, value, row=None, **kwargs) -> list[models.Model]:
        keys = self.keys(value)
        found = {key: self.index.get(key) for key in keys}
        missing = [key for key, obj in found.items() if obj is None]
        if missing:
            raise ValueError(self.index.missing(missing))
        if self.required and not keys:
            raise ValueError(
                _("Name at least one %(model)s.")
                % {"model": self.model._meta.verbose_name}
            )
        return list(found.values())

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        related = value if isinstance(value, list) else value.all()
        return self.separator.join(sorted(item.slug for item in related))


# Values ----------------------------------------------------------------------------


class PartialDateWidget(widgets.Widget):
    """A date as precise as its source, as its ISO string: 2025, 2025-09, --12-04.

    The model validates the string; a spreadsheet's own date cell is a full date.
    """

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            return value.isoformat()
        return cell_text(value)

    def render(self, value, obj=None, **kwargs):
        return str(value or "")


class MomentWidget(widgets.Widget):
    """A date and time in ISO 8601 with its offset, to the microsecond.

    The library's default format drops the offset and the microseconds, and a
    timestamp that comes back different makes an unchanged row look changed.
    """

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime):
            moment = value
        else:
            text = cell_text(value)
            if not text:
                return None
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                raise ValueError(
                    _(
                        "“%(value)s” is not a date and time such as "
                        "2025-02-26T09:00:00+08:00."
                    )
                    % {"value": text}
                ) from None
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment

    def render(self, value, obj=None, **kwargs):
        return timezone.localtime(value).isoformat() if value else ""


class WholeNumberWidget(widgets.Widget):
    """An integer; the library's widget lets "1.5" through as 1."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        text = cell_text(value)
        if not text:
            return None
        if not re.fullmatch(r"[+-]?\d{1,9}", text):
            raise ValueError(_("“%(value)s” is not a whole number.") % {"value": text})
        return int(text)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class YesNoWidget(widgets.Widget):
    """1 or 0; the library's widget reads any word it does not know as "no"."""

    YES = {"1", "true", "yes"}
    NO = {"0", "false", "no", ""}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = cell_text(value).lower()
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(
            _("“%(value)s” is neither 1 (yes) nor 0 (no).") % {"value": text}
        )

    def render(self, value, obj=None, **kwargs):
        return "1" if value else "0"


class SourceTextWidget(widgets.Widget):
    """An article's text, verbatim but for CRLF line ends.

    The admin's form turns CRLF into LF as well (ArticleAdminForm.clean_body);
    a spreadsheet that saved the text with CRLF would otherwise change it, its
    hash and every offset into it.
    """

    def clean(self, value, row=None, **kwargs):
        return "" if value is None else str(value).replace("\r\n", "\n")

    def render(self, value, obj=None, **kwargs):
        return value or ""


# Resources -------------------------------------------------------------------------


class RowDiff(resources.Diff):
    """The preview's diff, with each row's relations as the resource holds them.

    The library renders them from the record before and after the row, which
    costs a query per relation per row: its copy of the record loses the
    prefetched relations, and the saved record has just been set from the
    row's own values.
    """

    def __init__(self, resource, instance, new):
        self.left = resource.diff_values(instance, before=True)
        self.right = []
        self.new = new

    def compare_with(self, resource, instance):
        self.right = resource.diff_values(instance, before=False)


def dependency_order(dependencies: list[list[int]]) -> list[int]:
    """Row indices with each row after the rows it depends on, else in file order.

    A loop is broken where it closes; the row that then comes too early
    reports the record it points at as missing.
    """
    unseen, visiting, done = 0, 1, 2
    state = [unseen] * len(dependencies)
    order: list[int] = []
    for root in range(len(dependencies)):
        if state[root] != unseen:
            continue
        state[root] = visiting
        stack = [(root, iter(dependencies[root]))]
        while stack:
            node, children = stack[-1]
            for child in children:
                if state[child] == unseen:
                    state[child] = visiting
                    stack.append((child, iter(dependencies[child])))
                    break
            else:
                stack.pop()
                state[node] = done
                order.append(node)
    return order


def failed(result: Result) -> bool:
    return result.has_errors() or result.has_validation_errors()


class CuratedResource(resources.ModelResource):
    """What the import of every curated record shares; see the module docstring."""

    # Text columns read an empty spreadsheet cell (None) as "", as CharFields do.
    WIDGETS_MAP = {
        **resources.ModelResource.WIDGETS_MAP,
        "TextField": widgets.CharWidget,
    }

    status = fields.Field(
        attribute="status", column_name="status", widget=widgets.CharWidget()
    )
    # A blank cell keeps the time a record was first published: importing a
    # published record without one stamps it (check_publication), and the
    # same file imported again must not clear it.
    published_at = fields.Field(
        attribute="published_at",
        column_name="published_at",
        widget=MomentWidget(),
        saves_null_values=False,
    )

    #: Columns a file needs besides the slug, to create records.
    required_columns: tuple[str, ...] = ()

    class Meta:
        import_id_fields = ("slug",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True
        # The records a file updates, fetched in one query before the first row.
        instance_loader_class = CachedInstanceLoader

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.user = None
        self.file_name = ""
        self.indexes: dict[type[models.Model], SlugIndex] = {}
        self.row_numbers: list[int] = []
        # The current row's record as stored: when it was first published, and
        # its many-to-many relations (and those the file gives it).
        self.published_at_before = None
        self.relations_before: dict[str, list[models.Model]] = {}
        self.relations_after: dict[str, list[models.Model]] = {}

    @classmethod
    def get_diff_class(cls):
        return RowDiff

    def lookup_fields(self) -> list[fields.Field]:
        return [
            field
            for field in self.fields.values()
            if isinstance(field.widget, SlugWidget | SlugsWidget)
        ]

    # Export: the same columns, the relations fetched per chunk of rows.

    def with_relations(self, queryset: QuerySet) -> QuerySet:
        # The admin's changelist queryset may carry prefetches of its own, which
        # would clash with these.
        lookups = self.lookup_fields()
        return (
            queryset.select_related(
                *(f.attribute for f in lookups if isinstance(f.widget, SlugWidget))
            )
            .prefetch_related(None)
            .prefetch_related(
                *(f.attribute for f in lookups if isinstance(f.widget, SlugsWidget))
            )
        )

    def get_queryset(self) -> QuerySet:
        return self.with_relations(super().get_queryset())

    def filter_export(self, queryset: QuerySet, **kwargs) -> QuerySet:
        return self.with_relations(queryset)

    # Import.

    def import_data(
        self,
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=None,
        collect_failed_rows=False,
        rollback_on_validation_errors=True,
        **kwargs,
    ):
        self.user = kwargs.get("user")
        self.file_name = kwargs.get("file_name") or _("the file")
        self.row_numbers = []
        tidy_headers(dataset)
        arguments = {
            "dry_run": dry_run,
            "raise_errors": raise_errors,
            "use_transactions": use_transactions,
            "collect_failed_rows": collect_failed_rows,
            "rollback_on_validation_errors": rollback_on_validation_errors,
            **kwargs,
        }
        using = self.get_db_connection_name()
        if dry_run:
            # The preview's writes are rolled back, but a revision that a
            # caller has open would still record them: keep them out of it.
            with reversion.create_revision(manage_manually=True, using=using):
                result = super().import_data(dataset, **arguments)
        else:
            with reversion.create_revision(using=using):
                result = super().import_data(dataset, **arguments)
                if failed(result):
                    # Whatever the caller asked: a file with a bad row writes
                    # nothing, and no revision.
                    transaction.set_rollback(True, using=using)
                else:
                    if self.user is not None:
                        reversion.set_user(self.user)
                    reversion.set_comment(
                        _("Imported from %(file)s.") % {"file": self.file_name}
                    )
        self.restore_file_order(result)
        result.file_name = self.file_name
        return result

    def import_data_inner(
        self,
        dataset,
        dry_run,
        raise_errors,
        using_transactions,
        collect_failed_rows,
        **kwargs,
    ):
        problems = self.file_problems(dataset)
        if not problems:
            return super().import_data_inner(
                dataset,
                dry_run,
                raise_errors,
                using_transactions,
                collect_failed_rows,
                **kwargs,
            )
        # A file with wrong columns, or a slug twice, is refused before any row:
        # each row would otherwise report the same gap, or overwrite another.
        result = self.get_result_class()()
        result.diff_headers = self.get_diff_headers()
        result.total_rows = len(dataset)
        for problem in problems:
            self.handle_import_error(result, UnreadableFile(problem), raise_errors)
        return result

    def file_problems(self, dataset: tablib.Dataset) -> list[str]:
        headers = [h for h in dataset.headers or [] if h]
        known = {field.column_name for field in self.fields.values()}
        needed = [*self.get_import_id_fields(), *self.required_columns]
        problems = []
        missing = [column for column in needed if column not in headers]
        if missing:
            problems.append(
                ngettext(
                    "%(file)s has no column %(columns)s, which the import needs.",
                    "%(file)s has no columns %(columns)s, which the import needs.",
                    len(missing),
                )
                % {"file": self.file_name, "columns": quoted(missing)}
            )
        unknown = [header for header in headers if header not in known]
        if unknown:
            problems.append(
                ngettext(
                    "%(file)s has a column the import does not know: %(columns)s.",
                    "%(file)s has columns the import does not know: %(columns)s.",
                    len(unknown),
                )
                % {"file": self.file_name, "columns": quoted(unknown)}
            )
        twice = [header for header, n in Counter(headers).items() if n > 1]
        if twice:
            problems.append(
                _("%(file)s has more than one column %(columns)s.")
                % {"file": self.file_name, "columns": quoted(twice)}
            )
        if problems or not dataset.height:
            return problems
        rows_of: dict[str, list[int]] = {}
        for number, slug in enumerate(dataset["slug"], 1):
            if cell_text(slug):
                rows_of.setdefault(cell_text(slug), []).append(number)
        for slug, numbers in rows_of.items():
            if len(numbers) > 1:
                problems.append(
                    _("%(file)s has the slug “%(slug)s” in rows %(rows)s.")
                    % {
                        "file": self.file_name,
                        "slug": slug,
                        "rows": ", ".join(map(str, numbers)),
                    }
                )
        return problems

    def before_import(self, dataset, **kwargs):
        self.put_referenced_rows_first(dataset)
        self.load_lookups(dataset)

    def put_referenced_rows_first(self, dataset: tablib.Dataset) -> None:
        """Import a row that others point at (a country, a parent) before them."""
        model = self._meta.model
        own = [
            field
            for field in self.lookup_fields()
            if field.widget.model is model and field.column_name in dataset.headers
        ]
        slugs = [cell_text(slug) for slug in dataset["slug"]]
        row_of = {slug: i for i, slug in enumerate(slugs) if slug}
        dependencies = [
            [
                row_of[key]
                for field in own
                for key in field.widget.keys(row[field.column_name])
                if row_of.get(key, i) != i
            ]
            for i, row in enumerate(dataset.dict)
        ]
        order = dependency_order(dependencies)
        self.row_numbers = [i + 1 for i in order]
        if order != sorted(order):
            rows = [dataset[i] for i in order]
            headers = dataset.headers
            dataset.wipe()
            dataset.headers = headers
            dataset.extend(rows)

    def load_lookups(self, dataset: tablib.Dataset) -> None:
        """Fetch every record the file names, one query per related model."""
        self.indexes = {}
        for field in self.lookup_fields():
            index = self.indexes.setdefault(
                field.widget.model, SlugIndex(field.widget.model)
            )
            field.widget.index = index
            if field.column_name in dataset.headers:
                for value in dataset[field.column_name]:
                    index.want(field.widget.keys(value))
        own = self.indexes.get(self._meta.model)
        if own is not None:
            slugs = dataset["slug"]
            own.file_rows = {
                cell_text(slugs[i]): number
                for i, number in enumerate(self.row_numbers)
                if cell_text(slugs[i])
            }
        for index in self.indexes.values():
            index.load()

    def restore_file_order(self, result: Result) -> None:
        """Report rows under their numbers in the file, in the file's order."""
        numbers = self.row_numbers
        if numbers == sorted(numbers):
            return

        def in_file(number):
            return numbers[number - 1] if 0 < (number or 0) <= len(numbers) else number

        for row in result.invalid_rows:
            row.number = in_file(row.number)
        for row in result.error_rows:
            row.number = in_file(row.number)
            for error in row.errors:
                error.number = in_file(error.number)
        result.invalid_rows.sort(key=lambda row: row.number)
        result.error_rows.sort(key=lambda row: row.number)
        if len(result.rows) == len(numbers):
            pairs = sorted(zip(numbers, result.rows, strict=True), key=lambda p: p[0])
            result.rows = [row for _, row in pairs]

    def relation_fields(self) -> list[fields.Field]:
        return [f for f in self.lookup_fields() if isinstance(f.widget, SlugsWidget)]

    def after_init_instance(self, instance, new, row, **kwargs):
        self.published_at_before = instance.published_at
        # Read from the prefetched relations of the record the loader fetched.
        self.relations_before = {
            field.column_name: [] if new else list(field.get_value(instance).all())
            for field in self.relation_fields()
        }
        self.relations_after = {}

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, list[ValidationError]] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # The library reads many-to-many columns only when it saves them, and
        # would report an unknown slug there as a crash rather than as this
        # row's error.
        for field in self.relation_fields():
            if field.column_name in row:
                try:
                    self.relations_after[field.column_name] = field.clean(row)
                except ValueError as error:
                    errors.setdefault(field.attribute, []).append(
                        ValidationError(str(error), code="invalid")
                    )
        self.prepare_instance(instance)
        if errors:
            raise ValidationError(errors)

    def prepare_instance(self, instance: models.Model) -> None:
        """Derive what the columns do not give; see ArticleResource."""

    def validate_instance(
        self, instance, import_validation_errors=None, validate_unique=True
    ):
        errors = {k: list(v) for k, v in (import_validation_errors or {}).items()}
        # The admin shows the date of first publication read-only to those who
        # may not publish; a file may not change it for them either. (Checked
        # before check_publication, which stamps it on a published record.)
        model = type(instance)
        if (
            instance.published_at != self.published_at_before
            and self.user is not None
            and not can_publish(self.user, model)
        ):
            errors.setdefault("published_at", []).append(
                ValidationError(
                    _("You may not change when %(things)s were first published.")
                    % {"things": model._meta.verbose_name_plural},
                    code="permission_denied",
                )
            )
        try:
            check_publication(instance=instance, user=self.user)
        except PermissionDenied as denied:
            errors.setdefault("status", []).append(
                ValidationError(str(denied), code="permission_denied")
            )
        super().validate_instance(instance, errors, validate_unique)

    def after_save_instance(self, instance, row, **kwargs):
        index = self.indexes.get(type(instance))
        if index is not None:
            index.remember(instance)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # As the library decides, with the relations compared as held above.
        if not self._meta.skip_unchanged or import_validation_errors:
            return False
        for field in self.get_import_fields():
            if not isinstance(field.widget, SlugsWidget):
                if field.get_value(instance) != field.get_value(original):
                    return False
            elif field.column_name in self.relations_after:
                after = {obj.pk for obj in self.relations_after[field.column_name]}
                before = {obj.pk for obj in self.relations_before[field.column_name]}
                if after != before:
                    return False
        return True

    def diff_values(self, instance: models.Model, *, before: bool) -> list[str]:
        values = []
        for field in self.get_import_fields():
            if isinstance(field.widget, SlugsWidget):
                relations = self.relations_before.get(field.column_name, [])
                if not before:
                    relations = self.relations_after.get(field.column_name, relations)
                values.append(field.widget.render(relations))
            else:
                values.append(field.export(instance))
        return values


def import_errors(result: Result) -> list[str]:
    """Every problem of an import, one sentence each, naming the file and the row."""
    name = getattr(result, "file_name", "") or _("the file")
    lines = [str(error.error) for error in result.base_errors]
    for row in result.invalid_rows:
        for column, messages in row.error_dict.items():
            for message in messages:
                if column == NON_FIELD_ERRORS:
                    line = _("%(file)s, row %(row)s: %(message)s")
                else:
                    line = _("%(file)s, row %(row)s, column “%(column)s”: %(message)s")
                lines.append(
                    line
                    % {
                        "file": name,
                        "row": row.number,
                        "column": column,
                        "message": message,
                    }
                )
    for number, errors in result.row_errors():
        for error in errors:
            lines.append(
                _("%(file)s, row %(row)s: %(message)s")
                % {"file": name, "row": number, "message": error.error}
            )
    return lines


class TopicResource(CuratedResource):
    required_columns = ("name",)

    class Meta(CuratedResource.Meta):
        model = Topic
        fields = ("slug", "name", "description", "status", "published_at")


class ActorResource(CuratedResource):
    country = fields.Field(
        attribute="country",
        column_name="country",
        widget=SlugWidget(Actor, countries=True),
    )
    parent = fields.Field(
        attribute="parent", column_name="parent", widget=SlugWidget(Actor)
    )
    is_asean_member = fields.Field(
        attribute="is_asean_member", column_name="is_asean_member", widget=YesNoWidget()
    )

    required_columns = ("kind", "name")

    class Meta(CuratedResource.Meta):
        model = Actor
        fields = (
            "slug",
            "kind",
            "organisation_type",
            "name",
            "honorific",
            "position",
            "position_local",
            "country",
            "parent",
            "iso_code",
            "is_asean_member",
            "wikidata_id",
            "description",
            "status",
            "published_at",
        )


class MeetingResource(CuratedResource):
    edition = fields.Field(
        attribute="edition", column_name="edition", widget=WholeNumberWidget()
    )
    start = fields.Field(
        attribute="start", column_name="start", widget=PartialDateWidget()
    )
    end = fields.Field(attribute="end", column_name="end", widget=PartialDateWidget())
    country = fields.Field(
        attribute="country",
        column_name="country",
        widget=SlugWidget(Actor, countries=True),
    )
    reports_to = fields.Field(
        attribute="reports_to", column_name="reports_to", widget=SlugWidget(Meeting)
    )
    topics = fields.Field(
        attribute="topics", column_name="topics", widget=SlugsWidget(Topic)
    )

    required_columns = ("name", "format")

    class Meta(CuratedResource.Meta):
        model = Meeting
        fields = (
            "slug",
            "name",
            "short_name",
            "name_local",
            "series",
            "edition",
            "level",
            "format",
            "start",
            "end",
            "date_note",
            "venue",
            "city",
            "country",
            "state",
            "reports_to",
            "summary",
            "topics",
            "status",
            "published_at",
        )


class ArticleResource(CuratedResource):
    outlet = fields.Field(
        attribute="outlet", column_name="outlet", widget=SlugWidget(Actor)
    )
    published = fields.Field(
        attribute="published", column_name="published", widget=PartialDateWidget()
    )
    body = fields.Field(attribute="body", column_name="body", widget=SourceTextWidget())
    # Exported so that a reader of the file can check the text; on import it is
    # recomputed from the body, never read.
    content_hash = fields.Field(
        attribute="content_hash", column_name="content_hash", readonly=True
    )
    meetings = fields.Field(
        attribute="meetings", column_name="meetings", widget=SlugsWidget(Meeting)
    )
    actors = fields.Field(
        attribute="actors", column_name="actors", widget=SlugsWidget(Actor)
    )
    topics = fields.Field(
        attribute="topics", column_name="topics", widget=SlugsWidget(Topic)
    )

    required_columns = ("title", "language", "body")

    class Meta(CuratedResource.Meta):
        model = Article
        fields = (
            "slug",
            "title",
            "outlet",
            "url",
            "language",
            "published",
            "date_note",
            "body",
            "summary",
            "content_hash",
            "imported_from",
            "meetings",
            "actors",
            "topics",
            "status",
            "published_at",
        )

    def prepare_instance(self, instance: Article) -> None:
        # As services.record_save does: the hash always follows the text.
        instance.content_hash = Article.hash_text(instance.body)

    def validate_instance(
        self, instance, import_validation_errors=None, validate_unique=True
    ):
        try:
            super().validate_instance(
                instance, import_validation_errors, validate_unique
            )
        except ValidationError as error:
            errors = error.update_error_dict({})
            if errors.pop("content_hash", None):
                # The hash is no column of the file: name the text it comes from,
                # as the admin's form does.
                other = (
                    Article.objects.filter(content_hash=instance.content_hash)
                    .exclude(pk=instance.pk)
                    .values_list("title", "slug")
                    .first()
                )
                title, slug = other or ("?", "?")
                errors.setdefault("body", []).append(
                    ValidationError(
                        _("This text is already on the desk as “%(title)s” (%(slug)s).")
                        % {"title": title, "slug": slug},
                        code="duplicate_text",
                    )
                )
            raise ValidationError(errors) from None


class CommitmentResource(CuratedResource):
    actors = fields.Field(
        attribute="actors",
        column_name="actors",
        widget=SlugsWidget(Actor, required=True),
    )
    meeting = fields.Field(
        attribute="meeting", column_name="meeting", widget=SlugWidget(Meeting)
    )
    topics = fields.Field(
        attribute="topics", column_name="topics", widget=SlugsWidget(Topic)
    )
    deadline = fields.Field(
        attribute="deadline", column_name="deadline", widget=PartialDateWidget()
    )
    source_article = fields.Field(
        attribute="source_article",
        column_name="source_article",
        widget=SlugWidget(Article),
    )

    required_columns = ("title", "statement", "kind", "actors", "source_article")

    class Meta(CuratedResource.Meta):
        model = Commitment
        fields = (
            "slug",
            "title",
            "statement",
            "summary",
            "kind",
            "actors",
            "meeting",
            "topics",
            "deadline",
            "deadline_note",
            "source_article",
            "standing",
            "status",
            "published_at",
        )
