"""A portable archive of everything curated: `manage.py export_corpus` and
`manage.py import_corpus`.

The archive is one zip file:

- `manifest.json`: the format and its version, the Serantau version and the
  database it came from, when it was made, and for each member in order its
  model, row count and SHA-256;
- one JSON Lines member per table, in dependency order, rows by primary key:
  every curated model of this app (all but import jobs), the link tables of
  its many-to-many fields, then django-reversion's revisions and versions of
  those records.

Rows are written field by field from the models' concrete fields, so a field
added by a migration is archived without a change here. Primary keys are kept,
so links and the history's object ids stay valid. A link to a record outside
the archive (a user, a content type) is written by natural key — a username,
[app_label, model] — because ids differ between databases. Passwords, sessions,
API tokens, import jobs, the task queue, lock-out records and the search index
(maintained by triggers from the rows) are not archived.

Restoring writes rows with bulk_create in one transaction: no save signal
fires, so django-reversion records no new history (the history is the
archive's) and the page cache is bumped once, after the commit.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from reversion.models import Revision, Version

from briefings import corpus
from briefings.cache import bump_after_commit

FORMAT = "serantau-corpus"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
# Rows per read from the database and per INSERT.
CHUNK = 2000
# Models of this app that hold no editorial content.
NOT_CURATED = {"briefings.importjob"}
HISTORY_APP = "briefings"

Report = Callable[[str], None]


class ArchiveError(Exception):
    """The archive, or the database it is to be restored into, is refused."""


# What is archived ------------------------------------------------------------------


def curated_models() -> list[type[models.Model]]:
    """Every curated model and many-to-many link table, parents before children."""
    found = [
        model
        for model in apps.get_app_config("briefings").get_models(
            include_auto_created=True
        )
        if model._meta.label_lower not in NOT_CURATED
    ]
    return _in_dependency_order(found)


def archived_models() -> list[type[models.Model]]:
    return [*curated_models(), Revision, Version]


def _in_dependency_order(
    models_: list[type[models.Model]],
) -> list[type[models.Model]]:
    """Models that others point to first; a model pointing to itself is fine,
    the foreign keys being checked at the end of each table."""
    pending = list(models_)
    ordered: list[type[models.Model]] = []
    while pending:
        for model in pending:
            needs = {
                f.related_model
                for f in model._meta.concrete_fields
                if f.is_relation and f.related_model is not model
            }
            if not needs & set(pending):
                ordered.append(model)
                pending.remove(model)
                break
        else:
            names = ", ".join(m._meta.label for m in pending)
            raise ArchiveError(f"These models point at each other in a loop: {names}.")
    return ordered


def _history_versions() -> models.QuerySet:
    return Version.objects.filter(content_type__app_label=HISTORY_APP)


def _rows(model: type[models.Model]) -> models.QuerySet:
    if model is Version:
        rows = _history_versions()
    elif model is Revision:
        rows = Revision.objects.filter(pk__in=_history_versions().values("revision"))
    else:
        rows = model._base_manager.all()
    return rows.order_by("pk")


def member_name(model: type[models.Model]) -> str:
    return f"{model._meta.label_lower}.jsonl"


def present_counts() -> dict[str, int]:
    """Records already in the tables an import writes, by kind, where any (the
    link tables go without saying)."""
    counts = {
        str(model._meta.verbose_name_plural): _rows(model).count()
        for model in archived_models()
        if not model._meta.auto_created
    }
    return {name: n for name, n in counts.items() if n}


# Values ----------------------------------------------------------------------------


def _outside(f: models.Field, inside: set) -> bool:
    """A link to a record the archive does not hold (a user, a content type)."""
    return f.is_relation and f.related_model not in inside


class _NaturalKeys:
    """Ids of users and content types to natural keys and back, each looked up
    once: there are few of them and many rows naming them."""

    def __init__(self) -> None:
        self.keys: dict[tuple[type[models.Model], Any], list] = {}
        self.ids: dict[tuple[type[models.Model], tuple], Any] = {}
        self.created_users: list[str] = []

    def key(self, related: type[models.Model], pk: Any) -> list:
        if (related, pk) not in self.keys:
            self.keys[related, pk] = list(
                related._base_manager.get(pk=pk).natural_key()
            )
        return self.keys[related, pk]

    def pk(self, related: type[models.Model], key: list) -> Any:
        if not isinstance(key, list):
            raise ValueError(f"expected a natural key (a list), not {key!r}")
        found = self.ids.get((related, tuple(key)))
        if found is None:
            try:
                found = related._default_manager.get_by_natural_key(*key).pk
            except ObjectDoesNotExist:
                if related is not get_user_model():
                    raise ValueError(
                        f"no {related._meta.verbose_name} {key!r} in this database"
                    ) from None
                found = self._create_user(related, *key)
            self.ids[related, tuple(key)] = found
        return found

    def _create_user(self, user_model: type[models.Model], username: str) -> Any:
        # The history names the account; its password was never archived. An
        # inactive account without a usable password keeps the name and lets
        # nobody in until an administrator decides otherwise.
        user = user_model(**{user_model.USERNAME_FIELD: username}, is_active=False)
        user.set_unusable_password()
        user.save()
        self.created_users.append(username)
        return user.pk


def _encode(
    obj: models.Model, fields: list[models.Field], inside: set, keys: _NaturalKeys
) -> str:
    row: dict[str, Any] = {}
    for f in fields:
        value = getattr(obj, f.attname)
        if value is None:
            row[f.name] = None
        elif _outside(f, inside):
            row[f.name] = keys.key(f.related_model, value)
        elif isinstance(value, bool | int | float | str):
            row[f.name] = value
        else:
            # Full precision, unlike DjangoJSONEncoder, which cuts datetimes
            # to milliseconds.
            row[f.name] = f.value_to_string(obj)
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"))


def _decode(
    model: type[models.Model],
    line: str,
    fields: dict[str, models.Field],
    inside: set,
    keys: _NaturalKeys,
) -> models.Model:
    row = json.loads(line)
    if not isinstance(row, dict):
        raise ValueError("a row is a JSON object")
    unknown = set(row) - set(fields)
    if unknown:
        raise ValueError(f"no such field here: {', '.join(sorted(unknown))}")
    values = {}
    for name, f in fields.items():
        if name not in row:
            # A field added since the archive was made takes its default.
            if f.has_default() or f.null:
                continue
            raise ValueError(f"the field {name!r} is missing")
        value = row[name]
        if value is not None:
            if _outside(f, inside):
                value = keys.pk(f.related_model, value)
            elif f.is_relation:
                value = f.target_field.to_python(value)
            else:
                value = f.to_python(value)
        values[f.attname] = value
    return model(**values)


# Export ----------------------------------------------------------------------------


@dataclass
class Member:
    name: str
    model: str
    rows: int
    sha256: str


@dataclass
class Summary:
    members: list[Member] = field(default_factory=list)
    created_users: list[str] = field(default_factory=list)

    def rows(self, label: str) -> int:
        return next((m.rows for m in self.members if m.model == label), 0)


def serantau_version() -> str:
    try:
        return metadata.version("serantau")
    except metadata.PackageNotFoundError:
        return "unknown"


def export(path: Path, *, report: Report = lambda message: None) -> Summary:
    """Write the archive to `path`, replacing it only once it is complete."""
    summary = Summary()
    path = Path(path)
    handle, scratch = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".part", dir=path.parent
    )
    os.close(handle)
    try:
        consistent = (
            connection.vendor == "postgresql" and not connection.in_atomic_block
        )
        with transaction.atomic():
            if consistent:
                # Every table read as of one moment, while editors keep working.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            with zipfile.ZipFile(scratch, "w", zipfile.ZIP_DEFLATED) as archive:
                inside = set(archived_models())
                keys = _NaturalKeys()
                for model in archived_models():
                    summary.members.append(_export_member(archive, model, inside, keys))
                    member = summary.members[-1]
                    report(f"  {member.model}: {member.rows:,} rows")
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "serantau_version": serantau_version(),
                    "created": timezone.now().isoformat(),
                    "database": connection.vendor,
                    "members": [asdict(m) for m in summary.members],
                }
                archive.writestr(
                    MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
                )
        os.replace(scratch, path)
    finally:
        if os.path.exists(scratch):
            os.unlink(scratch)
    return summary


def _export_member(
    archive: zipfile.ZipFile,
    model: type[models.Model],
    inside: set,
    keys: _NaturalKeys,
) -> Member:
    name = member_name(model)
    fields = list(model._meta.concrete_fields)
    digest = hashlib.sha256()
    rows = 0
    with archive.open(name, "w", force_zip64=True) as out:
        lines: list[str] = []
        for obj in _rows(model).iterator(chunk_size=CHUNK):
            lines.append(_encode(obj, fields, inside, keys))
            rows += 1
            if len(lines) == CHUNK:
                _write(out, digest, lines)
                lines = []
        _write(out, digest, lines)
    return Member(
        name=name, model=model._meta.label, rows=rows, sha256=digest.hexdigest()
    )


def _write(out: IO[bytes], digest: Any, lines: list[str]) -> None:
    data = "".join(f"{line}\n" for line in lines).encode()
    digest.update(data)
    out.write(data)


# Import ----------------------------------------------------------------------------


def _open(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError:
        raise ArchiveError(f"{path}: no such file.") from None
    except (zipfile.BadZipFile, OSError) as error:
        raise ArchiveError(
            f"{path} is not a complete zip archive (truncated or damaged?): {error}"
        ) from None


def read_manifest(archive: zipfile.ZipFile) -> list[Member]:
    """The members the manifest lists, once each has been read in full and
    found as the manifest describes it. Nothing is written before this."""
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise ArchiveError(
            f"The archive has no {MANIFEST}: not an export_corpus archive."
        ) from None
    except (ValueError, zipfile.BadZipFile, OSError) as error:
        raise ArchiveError(f"{MANIFEST} cannot be read: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError(f"{MANIFEST} does not describe a {FORMAT} archive.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ArchiveError(
            f"The archive is in format version {manifest.get('format_version')!r}; "
            f"this Serantau ({serantau_version()}) reads version {FORMAT_VERSION}."
        )
    try:
        members = [Member(**entry) for entry in manifest["members"]]
    except (KeyError, TypeError) as error:
        raise ArchiveError(f"{MANIFEST} lists its members wrongly: {error}") from None
    known = {model._meta.label: model for model in archived_models()}
    for member in members:
        if member.model not in known or member.name != member_name(known[member.model]):
            raise ArchiveError(
                f"{member.name}: the archive holds {member.model}, which this "
                "database does not have."
            )
        _check_member(archive, member)
    extra = set(archive.namelist()) - {MANIFEST} - {m.name for m in members}
    if extra:
        raise ArchiveError(
            f"The archive holds members its manifest does not list: "
            f"{', '.join(sorted(extra))}."
        )
    return members


def _check_member(archive: zipfile.ZipFile, member: Member) -> None:
    digest = hashlib.sha256()
    lines = 0
    try:
        with archive.open(member.name) as data:
            for chunk in iter(lambda: data.read(1 << 20), b""):
                digest.update(chunk)
                lines += chunk.count(b"\n")
    except KeyError:
        raise ArchiveError(
            f"{member.name}: listed in {MANIFEST} but missing."
        ) from None
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise ArchiveError(f"{member.name} cannot be read: {error}") from None
    if digest.hexdigest() != member.sha256:
        raise ArchiveError(
            f"{member.name}: the checksum does not match the manifest; the member "
            "was changed or damaged after export."
        )
    if lines != member.rows:
        raise ArchiveError(
            f"{member.name}: {lines:,} rows where the manifest says {member.rows:,}."
        )


def restore(
    path: Path, *, replace: bool = False, report: Report = lambda message: None
) -> Summary:
    """Restore the archive at `path` into a database without curated records
    (or, with `replace`, after deleting them), all or nothing."""
    with _open(Path(path)) as archive:
        members = read_manifest(archive)
        summary = Summary(members=members)
        keys = _NaturalKeys()
        with transaction.atomic():
            present = present_counts()
            if present and not replace:
                listed = ", ".join(f"{n:,} {name}" for name, n in present.items())
                raise ArchiveError(
                    f"The database holds curated records or history already "
                    f"({listed}); nothing was written. import_corpus restores into "
                    "an empty database; --replace deletes what is there first."
                )
            if present:
                report("Deleting every curated record and its history first.")
                corpus.flush_curated()
            restored = archived_models()
            with (
                corpus._timestamps_as_given(restored),
                corpus._large_page_cache(),
                corpus._search_index_rebuilt_after("INSERT"),
            ):
                for member in members:
                    model = apps.get_model(member.model)
                    _load_member(archive, member, model, set(restored), keys)
                    report(f"  {member.model}: {member.rows:,} rows")
            # Rows came with their ids: the next record created must get a
            # fresh one (PostgreSQL; SQLite's AUTOINCREMENT follows by itself).
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), restored):
                    cursor.execute(sql)
            bump_after_commit()
        summary.created_users = keys.created_users
    if not connection.in_atomic_block:
        # Planner statistics for the tables just filled.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return summary


def _lines(archive: zipfile.ZipFile, member: Member) -> Iterator[tuple[int, bytes]]:
    with archive.open(member.name) as data:
        yield from enumerate(data, start=1)


def _load_member(
    archive: zipfile.ZipFile,
    member: Member,
    model: type[models.Model],
    inside: set,
    keys: _NaturalKeys,
) -> None:
    fields = {f.name: f for f in model._meta.concrete_fields}
    batch: list[tuple[int, models.Model]] = []
    for number, line in _lines(archive, member):
        try:
            row = _decode(model, line.decode("utf-8"), fields, inside, keys)
        except (ValueError, ValidationError, TypeError) as error:
            raise ArchiveError(
                f"{member.name}, row {number}: {_message(error)}; nothing was written."
            ) from None
        batch.append((number, row))
        if len(batch) >= CHUNK:
            _insert(member, model, batch)
            batch = []
    _insert(member, model, batch)
    try:
        # Foreign keys are checked at commit; check this table's now, so that
        # the message names it.
        with transaction.atomic():
            connection.check_constraints(table_names=[model._meta.db_table])
    except DatabaseError as error:
        raise ArchiveError(
            f"{member.name}: a row points at a record the archive does not hold: "
            f"{error}; nothing was written."
        ) from None


def _insert(
    member: Member, model: type[models.Model], batch: list[tuple[int, models.Model]]
) -> None:
    if not batch:
        return
    try:
        with transaction.atomic():
            model._base_manager.bulk_create([obj for _, obj in batch])
        return
    except DatabaseError:
        pass
    # The batch was refused: find the row, one at a time, to name it.
    for number, obj in batch:
        try:
            with transaction.atomic():
                model._base_manager.bulk_create([obj])
        except DatabaseError as error:
            raise ArchiveError(
                f"{member.name}, row {number} (id {obj.pk}): the database refuses "
                f"it: {error}; nothing was written."
            ) from None


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    return str(error)


def describe(summary: Summary, labels: Iterable[str]) -> str:
    """ "5 articles, 12 meetings, …" for the models named, by verbose name."""
    parts = []
    for label in labels:
        model = apps.get_model(label)
        parts.append(f"{summary.rows(label):,} {model._meta.verbose_name_plural}")
    return ", ".join(parts)
