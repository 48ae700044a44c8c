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
* A file of 10,000 rows costs no query per row: the unique values its rows
  give are fetched with the slugs (`UniqueValues`), constraints Python can
  read are read here (`holds`), new articles are inserted in batches and every
  new record's links in one INSERT per relation, and the revision's versions
  are added once, after the last row (`record_history`). The preview alone
  keeps each row's diff.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime

import reversion
import tablib
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    FieldDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db import connections, models, router, transaction
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from import_export import fields, resources, widgets
from import_export.formats import base_formats
from import_export.instance_loaders import CachedInstanceLoader
from import_export.results import Result
from import_export.tmp_storages import CacheStorage

from briefings.cache import bump_after_commit
from briefings.importing.encoding import OFFICE_MANIFEST, binary_kind, zip_names
from briefings.models import Actor, ActorKind, Article, Commitment, Meeting, Topic
from briefings.services import can_publish, check_publication, record_claim_version

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


def refuse_binary(data: bytes, format_name: str) -> None:
    """UnreadableFile unless `data`, chosen as a text format, is text: the
    bytes are checked, not the name, before any parser sees them."""
    if kind := binary_kind(data):
        raise UnreadableFile(
            _("The file is not %(format)s text: it is %(kind)s.")
            % {"format": format_name, "kind": kind}
        )
    if b"\x00" in data:
        raise UnreadableFile(
            _("The file is not %(format)s text: it holds binary data (NUL bytes).")
            % {"format": format_name}
        )


class CSV(base_formats.CSV):
    """CSV that says which row is malformed, and when a file is not UTF-8."""

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            refuse_binary(in_stream, "CSV")
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
        if isinstance(in_stream, bytes):
            refuse_binary(in_stream, "JSON")
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

    def create_dataset(self, in_stream):
        # A workbook is a zip holding the Office manifest; anything else (a CSV
        # given the wrong name, an image) is said to be what it is, rather than
        # left to openpyxl's complaint about zips.
        data = bytes(in_stream)
        if OFFICE_MANIFEST not in (zip_names(data) or ()):
            kind = binary_kind(data)
            if not kind and b"\x00" not in data:
                kind = _("text (choose CSV or JSON for it)")
            elif not kind:
                kind = _("binary data of another kind")
            raise UnreadableFile(
                _("The file is not an XLSX workbook: it is %(kind)s.") % {"kind": kind}
            )
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            return super().create_dataset(data)
        except (
            InvalidFileException,
            zipfile.BadZipFile,
            KeyError,
            ValueError,
            OSError,
            StopIteration,
        ) as error:
            raise UnreadableFile(
                _("The file cannot be read as an XLSX workbook: %(error)s")
                % {"error": error or type(error).__name__}
            ) from error

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


class UniqueValues:
    """Which records hold the values of a model's unique text columns that a
    file's rows would give, fetched in one query per column before the first row.

    Django checks each unique column and each unique constraint of a record
    with a query of its own (three a row for an article). The rows' values are
    known before the first row, so are those that records already hold; the
    resource updates this index as it saves (`saved`). A value no row was
    expected to give is looked up when it comes, as Django would.

    Indexed: a text column that is `unique=True`, and a unique constraint on
    one text column whose condition Python can read (`holds`), as
    ``UniqueConstraint(fields=["url"], condition=~Q(url=""))``. Any other check
    is left to Django.
    """

    def __init__(self, model: type[models.Model], using: str):
        self.model = model
        self.using = using
        opts = model._meta
        in_groups = {name for group in opts.unique_together for name in group}
        in_groups |= {
            name
            for constraint in opts.constraints
            if isinstance(constraint, models.UniqueConstraint)
            and len(constraint.fields) > 1
            for name in constraint.fields
        }
        # Column name → the condition of the rows it is unique among (None:
        # every row); a constraint's name → its column.
        self.columns: dict[str, Q | None] = {}
        self.constraints: dict[str, str] = {}
        if connections[using].features.interprets_empty_strings_as_nulls:
            return
        for field in opts.concrete_fields:
            if (
                field.unique
                and not field.primary_key
                and self.indexable(field)
                and field.name not in in_groups
                and not (
                    field.unique_for_date
                    or field.unique_for_month
                    or field.unique_for_year
                )
            ):
                self.columns[field.name] = None
        for constraint in opts.constraints:
            if (
                isinstance(constraint, models.UniqueConstraint)
                and len(constraint.fields) == 1
                and isinstance(constraint.condition, Q)
                and constraint.nulls_distinct is not False
                and constraint.fields[0] not in self.columns
                and self.indexable(opts.get_field(constraint.fields[0]))
            ):
                self.columns[constraint.fields[0]] = constraint.condition
                self.constraints[constraint.name] = constraint.fields[0]
        self.wanted: dict[str, set[str]] = {name: set() for name in self.columns}
        self.fetched: dict[str, set[str]] = {name: set() for name in self.columns}
        self.holders: dict[str, dict[str, object]] = {n: {} for n in self.columns}
        # What each record held when it was last seen, to free it when it changes.
        self.held: dict[str, dict[object, str]] = {n: {} for n in self.columns}

    def indexable(self, field: models.Field) -> bool:
        return (
            isinstance(field, models.CharField | models.TextField)
            and field.model is self.model
            and not field.generated
            and not field.db_collation
        )

    def want(self, name: str, values: Iterable) -> None:
        if name in self.wanted:
            self.wanted[name].update(v for v in values if isinstance(v, str))

    def load(self, name: str) -> None:
        values = self.wanted[name] - self.fetched[name]
        if not values:
            return
        self.fetched[name] |= values
        queryset = self.model._default_manager.using(self.using)
        condition = self.columns[name]
        if condition is not None:
            queryset = queryset.filter(condition)
        found = queryset.filter(**{f"{name}__in": values}).values_list(name, "pk")
        for value, pk in found:
            self.holders[name][value] = pk
            self.held[name][pk] = value

    def holder(self, name: str, value: str):
        """The primary key of the record that holds `value` (the record itself
        while it waits to be inserted), or None."""
        if value not in self.fetched[name]:
            self.want(name, [value])
            self.load(name)
        return self.holders[name].get(value)

    def taken(self, instance: models.Model, name: str) -> bool | None:
        """Whether another record holds the value; None if Django must judge."""
        value = getattr(instance, instance._meta.get_field(name).attname)
        if value is None:
            return False
        if not isinstance(value, str):
            return None
        holder = self.holder(name, value)
        return holder is not None and (instance._state.adding or holder != instance.pk)

    def validate_unique(self, instance: models.Model, exclude: set[str]) -> None:
        """`instance.validate_unique(exclude)`, the indexed columns from here."""
        indexed = {name for name, condition in self.columns.items() if not condition}
        errors: dict = {}
        try:
            instance.validate_unique(exclude=exclude | indexed)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for name in sorted(indexed - exclude):
            taken = self.taken(instance, name)
            if taken is None:
                others = {f.name for f in self.model._meta.concrete_fields} - {name}
                try:
                    instance.validate_unique(exclude=others)
                except ValidationError as error:
                    errors = error.update_error_dict(errors)
            elif taken:
                errors.setdefault(name, []).append(
                    instance.unique_error_message(self.model, (name,))
                )
        if errors:
            raise ValidationError(errors)

    def violates(self, constraint, instance, exclude: set[str]) -> bool | None:
        """Whether `instance` breaks an indexed constraint; None if not indexed."""
        name = self.constraints.get(constraint.name)
        if name is None:
            return None
        if name in exclude:
            return False
        applies = holds(constraint.condition, self.model, instance, exclude)
        if applies is None:
            return None
        return applies and self.taken(instance, name)

    def saved(self, instance: models.Model) -> None:
        """What a saved record now holds, and no longer holds."""
        for name, condition in list(self.columns.items()):
            value = getattr(instance, instance._meta.get_field(name).attname)
            before = None
            if instance.pk is not None:
                before = self.held[name].pop(instance.pk, None)
            if before is not None and self.holders[name].get(before) == instance.pk:
                del self.holders[name][before]
            applies = True
            if condition is not None:
                applies = holds(condition, self.model, instance, set())
            if applies is None:
                # Not readable here: Django checks the constraint from now on.
                del self.columns[name]
                self.constraints = {
                    k: v for k, v in self.constraints.items() if v != name
                }
                continue
            if applies and isinstance(value, str):
                # A record not inserted yet (Meta.use_bulk) holds it by itself.
                if instance.pk is None:
                    self.holders[name][value] = instance
                else:
                    self.holders[name][value] = instance.pk
                    self.held[name][instance.pk] = value
                self.fetched[name].add(value)


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

    Only the preview shows it: the confirmed run, which reports its totals,
    keeps none (a file of 10,000 articles would hold every text twice more).
    """

    def __init__(self, resource, instance, new):
        self.shown = resource.dry_run
        self.left = resource.diff_values(instance, before=True) if self.shown else []
        self.right = []
        self.new = new

    def compare_with(self, resource, instance):
        if self.shown:
            self.right = resource.diff_values(instance, before=False)

    def as_html(self):
        return super().as_html() if self.shown else []


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


def holds(condition: Q, model: type[models.Model], instance, exclude) -> bool | None:
    """Whether a constraint's condition holds for `instance`, worked out here
    when it only compares text columns with text (``~Q(body="")``); None when
    only the database can tell, as Django's `Q.check` asks it.

    Django asks with a query per constraint per record (in a savepoint): three
    queries a row for a condition Python can read.
    """
    if condition.connector not in (Q.AND, Q.OR):
        return None
    results = []
    for child in condition.children:
        if isinstance(child, Q):
            result = holds(child, model, instance, exclude)
        elif isinstance(child, tuple) and len(child) == 2:
            lookup, value = child
            name, _, operator = lookup.partition("__")
            if operator not in ("", "exact") or not isinstance(value, str):
                return None
            if exclude and name in exclude:
                # Django passes a constraint on a field it does not validate.
                return None
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                return None
            if (
                not isinstance(field, models.CharField | models.TextField)
                or field.null
                or field.generated
                or field.db_collation
            ):
                return None
            current = getattr(instance, field.attname)
            if not isinstance(current, str):
                return None
            result = current == value
        else:
            return None
        if result is None:
            return None
        results.append(result)
    combined = all(results) if condition.connector == Q.AND else any(results)
    return not combined if condition.negated else combined


def validate_constraints(
    instance: models.Model, exclude: set[str], index: UniqueValues | None = None
) -> None:
    """`instance.validate_constraints(exclude)`, with the conditions that Python
    can read (`holds`) read here, and the unique constraints that `index` holds
    checked there, rather than each in a query."""
    using = router.db_for_write(type(instance), instance=instance)
    by_python = not connections[using].features.interprets_empty_strings_as_nulls
    errors: dict = {}
    for model_class, constraints in instance.get_constraints():
        for constraint in constraints:
            condition = getattr(constraint, "condition", None)
            verdict = violates = None
            if by_python and isinstance(condition, Q):
                verdict = holds(condition, model_class, instance, exclude)
            if index is not None and isinstance(constraint, models.UniqueConstraint):
                violates = index.violates(constraint, instance, exclude)
            try:
                if violates is not None:
                    if violates:
                        raise ValidationError(
                            constraint.get_violation_error_message(),
                            code=constraint.violation_error_code,
                        )
                elif (
                    isinstance(constraint, models.CheckConstraint)
                    and verdict is not None
                ):
                    if not verdict:
                        raise ValidationError(
                            constraint.get_violation_error_message(),
                            code=constraint.violation_error_code,
                        )
                elif (
                    isinstance(constraint, models.UniqueConstraint) and verdict is False
                ):
                    # The constraint does not cover this record.
                    pass
                else:
                    constraint.validate(
                        model_class, instance, exclude=exclude, using=using
                    )
            except ValidationError as error:
                # As Model.validate_constraints files them.
                if (
                    getattr(error, "code", None) == "unique"
                    and len(constraint.fields) == 1
                ):
                    errors.setdefault(constraint.fields[0], []).append(error)
                else:
                    errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def cleaned(field: fields.Field, rows: Iterable[dict]) -> Iterable:
    """The column's values that clean; a row says why another does not."""
    for row in rows:
        try:
            yield field.clean(row)
        except Exception:
            continue


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
        self.new = False
        self.relations_before: dict[str, list[models.Model]] = {}
        self.relations_after: dict[str, list[models.Model]] = {}
        # What the rows saved: the records, in order, and the many-to-many links
        # of new records, written for the whole file after the last row.
        self.dry_run = False
        self.saved: list[models.Model] = []
        # Rows whose new record is inserted with the others (Meta.use_bulk):
        # their result learns the record's id once it has one.
        self.queued_rows: list[tuple[object, models.Model]] = []
        self.unique_values: UniqueValues | None = None
        self.new_links: dict[type[models.Model], list[models.Model]] = {}

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
        self.dry_run = dry_run
        self.saved = []
        self.queued_rows = []
        self.new_links = {}
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
                # The rows save without history; after the last row, each saved
                # record is added to this revision once (record_history).
                with reversion.create_revision(
                    manage_manually=True, using=using, atomic=False
                ):
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
        self.load_unique_values(dataset)

    def load_unique_values(self, dataset: tablib.Dataset) -> None:
        """Fetch which records hold the unique values the rows would give."""
        index = UniqueValues(self._meta.model, self.get_db_connection_name())
        for field in self.get_import_fields():
            if (
                field.attribute in index.columns
                and field.column_name in dataset.headers
            ):
                index.want(field.attribute, cleaned(field, dataset.dict))
        for name, values in self.unique_candidates(dataset).items():
            index.want(name, values)
        for name in index.columns:
            index.load(name)
        self.unique_values = index

    def unique_candidates(self, dataset: tablib.Dataset) -> dict[str, Iterable[str]]:
        """Unique values the rows would give that no column holds as such."""
        return {}

    def before_import_row(self, row, **kwargs):
        # A background import (briefings/jobs.py) says how far it has got: the
        # rows before this one are done.
        if progress := kwargs.get("progress"):
            progress(kwargs["row_number"] - 1)

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
        self.new = new
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
        # As the library's validate_instance, which is full_clean(), with the
        # unique values checked against those fetched before the first row.
        if self._meta.clean_model_instances:
            known = self.clean_known_relations(instance, errors)
            try:
                instance.full_clean(
                    exclude=errors.keys() | known,
                    validate_unique=False,
                    validate_constraints=False,
                )
            except ValidationError as error:
                errors = error.update_error_dict(errors)
            index = self.unique_values
            if index is not None and type(instance) is not index.model:
                index = None
            if validate_unique:
                try:
                    if index is None:
                        instance.validate_unique(exclude=set(errors))
                    else:
                        index.validate_unique(instance, set(errors))
                except ValidationError as error:
                    errors = error.update_error_dict(errors)
            try:
                validate_constraints(instance, set(errors), index)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def clean_known_relations(self, instance: models.Model, errors: dict) -> set[str]:
        """Clean the foreign keys that point at a record this import fetched.

        As Model.clean_fields would, but for its query per key and row that
        the record exists: the slug index read it from the database in this
        transaction. Returns the keys so cleaned (errors go into `errors`).
        """
        known = set()
        for field in self.lookup_fields():
            if not isinstance(field.widget, SlugWidget) or field.attribute in errors:
                continue
            try:
                key = instance._meta.get_field(field.attribute)
            except FieldDoesNotExist:
                continue
            if (
                not isinstance(key, models.ForeignKey)
                or key.remote_field.parent_link
                or key.get_limit_choices_to()
            ):
                continue
            related = key.get_cached_value(instance, None)
            if (
                related is None
                or related.pk is None
                or key.remote_field.field_name != related._meta.pk.name
                or getattr(instance, key.attname) != related.pk
                or field.widget.index.by_slug.get(related.slug) is not related
            ):
                continue
            known.add(key.name)
            try:
                value = key.to_python(getattr(instance, key.attname))
                # ForeignKey.validate without its query.
                super(models.ForeignKey, key).validate(value, instance)
                key.run_validators(value)
                setattr(instance, key.attname, value)
            except ValidationError as error:
                errors[key.name] = error.error_list
        return known

    def after_save_instance(self, instance, row, **kwargs):
        index = self.indexes.get(type(instance))
        if index is not None:
            index.remember(instance)
        if (
            self.unique_values is not None
            and type(instance) is self.unique_values.model
        ):
            self.unique_values.saved(instance)
        self.saved.append(instance)

    def import_row(self, row, instance_loader, **kwargs):
        saved = len(self.saved)
        row_result = super().import_row(row, instance_loader, **kwargs)
        if len(self.saved) > saved and self.saved[-1].pk is None:
            self.queued_rows.append((row_result, self.saved[-1]))
        return row_result

    def save_instance(self, instance, is_create, row, **kwargs):
        """Save the row's record; with Meta.use_bulk, a new one is queued.

        With use_bulk the library gives the rows no savepoint of their own: an
        update is saved at once in one, so that a failing row fails alone.
        New records are inserted a batch at a time (`bulk_create`), after each
        row was checked as before, and a row that points at a record another
        row creates needs its id: the resources whose files may do so (actors,
        meetings) save row by row.
        """
        if self._meta.use_bulk and not is_create:
            self.before_save_instance(instance, row, **kwargs)
            with transaction.atomic(using=self.get_db_connection_name()):
                self.do_instance_save(instance, is_create)
            self.after_save_instance(instance, row, **kwargs)
            return
        super().save_instance(instance, is_create, row, **kwargs)

    def do_instance_save(self, instance, is_create):
        # An update moves the record's version on, so that a form opened before
        # the import is refused rather than saved over it; and it is claimed
        # from the version the import read, so that a save made in between is
        # not overwritten either (the row fails with the conflict).
        if not is_create:
            record_claim_version(instance=instance)
        super().do_instance_save(instance, is_create)

    def bulk_create(
        self, using_transactions, dry_run, raise_errors, batch_size=None, result=None
    ):
        # bulk_create sends no post_save: the page cache is told here, once.
        if self.create_instances:
            bump_after_commit()
        super().bulk_create(
            using_transactions, dry_run, raise_errors, batch_size, result
        )

    def save_m2m(self, instance, row, **kwargs):
        """Set the row's relations, as import_instance read them.

        The links of a new record are only added: they are kept, and written
        for the whole file in one INSERT per relation (`after_import`). Those of
        an existing record are set here, and only when they changed.
        """
        for field in self.relation_fields():
            if field.column_name not in self.relations_after:
                continue
            after = self.relations_after[field.column_name]
            before = self.relations_before[field.column_name]
            if {obj.pk for obj in after} == {obj.pk for obj in before}:
                continue
            if not self.new:
                with transaction.atomic(using=self.get_db_connection_name()):
                    getattr(instance, field.attribute).set(after)
                continue
            relation = instance._meta.get_field(field.attribute)
            through = relation.remote_field.through
            source = relation.m2m_field_name()
            target = relation.m2m_reverse_field_name()
            self.new_links.setdefault(through, []).extend(
                through(**{source: instance, target: obj}) for obj in after
            )

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        for row_result, instance in self.queued_rows:
            row_result.object_id = instance.pk
        self.queued_rows = []
        if failed(result):
            return
        for through, links in self.new_links.items():
            through._default_manager.bulk_create(links, batch_size=1000)
        self.new_links = {}
        if not self.dry_run:
            self.record_history()

    def record_history(self, chunk: int = 500) -> None:
        """Add every saved record to the import's revision, as it now stands.

        One version per record, as if each had been saved with history on; its
        many-to-many relations and the relations history follows are fetched
        per chunk of records rather than per record.
        """
        using = self.get_db_connection_name()
        for model in {type(obj) for obj in self.saved}:
            if not reversion.is_registered(model):
                continue
            objects = [obj for obj in self.saved if type(obj) is model]
            # The registration's follow= (django-reversion has no public getter).
            follow = reversion.revisions._get_options(model).follow
            # A version holds the ids of a record's many-to-many relations.
            related = [
                Prefetch(f.name, queryset=f.related_model._default_manager.only("pk"))
                for f in model._meta.many_to_many
            ]
            related += follow
            for start in range(0, len(objects), chunk):
                part = objects[start : start + chunk]
                for obj in part:
                    # Relations prefetched before the row changed them.
                    getattr(obj, "_prefetched_objects_cache", {}).clear()
                prefetch_related_objects(part, *related)
                for obj in part:
                    reversion.add_to_revision(obj, model_db=using)
                    # The prefetched relations go with the revision's versions.
                    obj._prefetched_objects_cache = {}

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
        # New articles are inserted a thousand at a time (see save_instance).
        use_bulk = True
        batch_size = 1000
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

    def unique_candidates(self, dataset: tablib.Dataset) -> dict[str, Iterable[str]]:
        if "body" not in dataset.headers:
            return {}
        widget = self.fields["body"].widget
        return {
            "content_hash": {
                Article.hash_text(widget.clean(body)) for body in dataset["body"]
            }
        }

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
                holder = None
                if self.unique_values is not None:
                    holder = self.unique_values.holders.get("content_hash", {}).get(
                        instance.content_hash
                    )
                if isinstance(holder, Article):
                    # An earlier row of the file, not inserted yet (use_bulk).
                    other = (holder.title, holder.slug)
                else:
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
