"""Imports too large to wait for: queued as jobs and run by a worker.

Past IMPORT_BACKGROUND_FILES text files or IMPORT_BACKGROUND_ROWS spreadsheet
rows, the admin's confirmation (and `manage.py import_articles --background`)
stores the upload on an ImportJob and queues `briefings.tasks.import_job_task`
instead of importing while the editor waits. A worker (`manage.py db_worker`)
takes the task from the queue, a table in the database, so it may run on any
machine that reaches the database: nothing is read from an app server's disk
or memory.

The worker imports through the same code as an import that runs at once: text
through services.articles_import_text, a spreadsheet through its resource's
import_data, each with its checks, its history under the importing user and its
one transaction, so that a failure leaves nothing of the file. That
transaction hides what it writes until it ends, the job's own row included if
it were written there, so the worker publishes how far it has got in the cache
(one cache for every server and worker when REDIS_URL is set) and writes the
outcome to the job once the import is over.
"""

from __future__ import annotations

import io
import json
import logging
import time
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_permission_codename
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from import_export.results import Result, RowResult

from briefings import resources
from briefings.importing.archive import file_count
from briefings.models import Article, ImportJob, ImportKind, ImportState
from briefings.services import (
    ImportFailed,
    ImportReport,
    articles_import_text,
    can_change,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

# The spreadsheets a job may import, by the model they hold.
TABULAR_RESOURCES: dict[str, type[resources.CuratedResource]] = {
    resource._meta.model._meta.label_lower: resource
    for resource in (
        resources.TopicResource,
        resources.ActorResource,
        resources.MeetingResource,
        resources.ArticleResource,
        resources.CommitmentResource,
    )
}
TABULAR_FORMATS = {fmt().get_extension(): fmt for fmt in resources.FORMATS}
# As the admin reads an upload (ImportMixin.from_encoding): a byte-order mark
# is no part of the first column's name.
TABULAR_ENCODING = "utf-8-sig"

# A finished job's progress is on its row; this only outlives a lost worker.
PROGRESS_TIMEOUT = 24 * 60 * 60
# Seconds between two writes to the cache, besides each stage's first and last.
PROGRESS_INTERVAL = 0.5
# A running job that has shown no progress for this long has most likely lost
# its worker: imports move at hundreds of files a second.
LOST_AFTER = timedelta(minutes=15)
# A queued job that no worker has taken for this long suggests none is running.
WAITING_AFTER = timedelta(minutes=1)

# The container of a text job's uploads: their names, then each upload's bytes.
_MANIFEST = "names.json"


# Who may import ---------------------------------------------------------------------


def may_import_tabular(user, model: type[models.Model]) -> bool:
    # A file both adds records and changes them. The admin's Import button
    # asks this too (ImportExportBriefingAdmin.has_import_permission).
    opts = model._meta
    add = f"{opts.app_label}.{get_permission_codename('add', opts)}"
    return user.has_perm(add) and can_change(user, model)


def can_import(user) -> bool:
    """Whether `user` may start an import of any kind, and so see the jobs: the
    desk is shared, and every editor who imports sees every import."""
    if user is None or not user.is_active:
        return False
    if user.has_perm("briefings.add_article"):
        return True
    return any(
        may_import_tabular(user, resource._meta.model)
        for resource in TABULAR_RESOURCES.values()
    )


# Uploads ----------------------------------------------------------------------------


def uploads_file_count(files: Sequence[tuple[str, bytes]]) -> int:
    """How many text files the uploads hold, counted as the import counts them
    (archive.file_count): enough to choose between importing now and in the
    background without unpacking anything."""
    return sum(file_count(data) for _name, data in files)


def uploads_pack(files: Sequence[tuple[str, bytes]]) -> bytes:
    """Several uploads as one value for the job's row: a zip, stored without
    compression (a zip upload is compressed already), with their names kept
    beside them rather than as member names, which a zip would normalise."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as container:
        container.writestr(_MANIFEST, json.dumps([name for name, _data in files]))
        for number, (_name, data) in enumerate(files):
            container.writestr(str(number), data)
    return buffer.getvalue()


def uploads_unpack(content: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(content)) as container:
        names = json.loads(container.read(_MANIFEST))
        return [
            (name, container.read(str(number))) for number, name in enumerate(names)
        ]


# Queueing ---------------------------------------------------------------------------


def _short_name(name: str) -> str:
    limit = ImportJob._meta.get_field("file_name").max_length
    return name if len(name) <= limit else "…" + name[-(limit - 1) :]


def import_job_enqueue_text(
    *, files: Sequence[tuple[str, bytes]], user, total: int | None = None
) -> ImportJob:
    """Queue text uploads (`.txt` files and zips) to be imported as
    services.articles_import_text imports them. `total` is the number of text
    files, when the caller has counted them already."""
    if not files:
        raise ValueError("Nothing to import.")
    if user is not None and not user.has_perm("briefings.add_article"):
        raise PermissionDenied(_("You may not add articles."))
    names = [name for name, _data in files]
    label = names[0]
    if len(names) > 1:
        label = _("%(first)s and %(n)d more") % {"first": label, "n": len(names) - 1}
    return _enqueue(
        ImportJob(
            kind=ImportKind.TEXT,
            content_type=ContentType.objects.get_for_model(Article),
            file_name=_short_name(label),
            content=uploads_pack(files),
            size=sum(len(data) for _name, data in files),
            total=uploads_file_count(files) if total is None else total,
        ),
        user=user,
    )


def import_job_enqueue_tabular(
    *,
    resource_class: type[resources.CuratedResource],
    file_name: str,
    file_format: str,
    content: bytes,
    rows: int,
    user,
) -> ImportJob:
    """Queue a spreadsheet, as the admin has read and previewed it, to be
    imported by `resource_class`."""
    model = resource_class._meta.model
    if TABULAR_RESOURCES.get(model._meta.label_lower) is not resource_class:
        raise ValueError(f"No background import of {resource_class.__name__}.")
    if file_format not in TABULAR_FORMATS:
        raise ValueError(f"No background import of {file_format!r} files.")
    if user is not None and not may_import_tabular(user, model):
        raise PermissionDenied(
            _("You may not import %(things)s.")
            % {"things": model._meta.verbose_name_plural}
        )
    return _enqueue(
        ImportJob(
            kind=ImportKind.TABULAR,
            content_type=ContentType.objects.get_for_model(model),
            file_name=_short_name(file_name),
            file_format=file_format,
            content=content,
            size=len(content),
            total=rows,
        ),
        user=user,
    )


@transaction.atomic
def _enqueue(job: ImportJob, *, user) -> ImportJob:
    # The queue is a table of the same database (TASKS in config/settings.py),
    # so the job and its task are committed together: a worker never takes a
    # task whose job it cannot see, and a job never waits without a task.
    from briefings.tasks import import_job_task  # briefings.tasks imports this

    job.created_by = user
    job.created_by_name = user.get_username() if user is not None else ""
    job.full_clean()
    job.save()
    result = import_job_task.enqueue(job_id=job.pk)
    job.task_id = str(result.id)
    job.save(update_fields=["task_id"])
    return job


# Running ----------------------------------------------------------------------------


class JobFailed(Exception):
    """The import cannot be done, for a reason the editor can act on; nothing
    of it was written."""

    def __init__(self, message: str, report: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.report = report or {}


def import_job_run(*, job_id: int) -> ImportJob:
    """Run a queued job and record its outcome on it.

    A reason the editor can act on (a bad row, a permission since lost, an
    account since removed) fails the job with its message. Anything else fails
    it too, and is raised again so that the task's result keeps the traceback
    for whoever runs the worker. Either way, nothing of the file is written.
    """
    # Taken once: a task run twice (retried, or enqueued twice) imports once.
    claimed = ImportJob.objects.filter(pk=job_id, state=ImportState.QUEUED).update(
        state=ImportState.RUNNING, started_at=timezone.now()
    )
    job = ImportJob.objects.select_related("created_by", "content_type").get(pk=job_id)
    if not claimed:
        logger.warning(
            "Import job %s is %s, not queued; not run again.", job_id, job.state
        )
        return job
    progress = JobProgress(job.pk)
    try:
        user = _importing_user(job)
        if job.kind == ImportKind.TEXT:
            report, total = _run_text(job, user=user, progress=progress)
        else:
            report, total = _run_tabular(job, user=user, progress=progress)
    except JobFailed as failure:
        _finish(
            job, state=ImportState.FAILED, error=str(failure), report=failure.report
        )
    except Exception as error:
        _finish(
            job,
            state=ImportState.FAILED,
            error=_(
                "The import stopped on an unexpected error, and nothing was "
                "imported (%(error)s). The worker's log has the details."
            )
            % {"error": f"{type(error).__name__}: {error}"},
        )
        raise
    else:
        _finish(job, state=ImportState.SUCCEEDED, report=report, total=total)
    return job


def _importing_user(job: ImportJob) -> AbstractBaseUser | None:
    """Whom the import runs as: who asked, if they still may; None, the
    system, only if the system asked."""
    user = job.created_by
    if user is None and job.created_by_name:
        raise JobFailed(
            _("The account of %(name)s no longer exists; nothing was imported.")
            % {"name": job.created_by_name}
        )
    if user is not None and not user.is_active:
        raise JobFailed(
            _("The account of %(name)s is no longer active; nothing was imported.")
            % {"name": job.created_by_name}
        )
    return user


def _finish(
    job: ImportJob,
    *,
    state: ImportState,
    report: dict[str, Any] | None = None,
    error: str = "",
    total: int | None = None,
) -> None:
    job.state = state
    job.finished_at = timezone.now()
    job.report = report or {}
    job.error = error
    if total is not None:
        job.total = total
    job.done = job.total if state == ImportState.SUCCEEDED else 0
    # The records are in the database, or the editor uploads the file again:
    # the bytes, up to IMPORT_ZIP_MAX_TOTAL_BYTES a job, need not stay.
    job.content = b""
    job.save(
        update_fields=[
            "state",
            "finished_at",
            "report",
            "error",
            "total",
            "done",
            "content",
        ]
    )
    cache.delete(progress_key(job.pk))


def _run_text(
    job: ImportJob, *, user, progress: JobProgress
) -> tuple[dict[str, Any], int]:
    files = uploads_unpack(bytes(job.content))
    try:
        report = articles_import_text(
            files=files, user=user, dry_run=False, progress=progress
        )
    except (ImportFailed, PermissionDenied) as failure:
        raise JobFailed(str(failure)) from failure
    return _text_report(report), len(report.files)


def _text_report(report: ImportReport) -> dict[str, Any]:
    return {
        "counts": {
            "imported": len(report.imported),
            "duplicate": len(report.duplicates),
            "error": len(report.errors),
        },
        "items": [
            {
                "name": file.name,
                "outcome": str(file.outcome),
                "message": file.message,
                "id": file.article.pk if file.article is not None else None,
                "title": file.article.title if file.article is not None else "",
            }
            for file in report.files
        ],
    }


def _run_tabular(
    job: ImportJob, *, user, progress: JobProgress
) -> tuple[dict[str, Any], int]:
    model = job.content_type.model_class()
    resource_class = TABULAR_RESOURCES[model._meta.label_lower]
    if user is not None and not may_import_tabular(user, model):
        raise JobFailed(
            _("You may not import %(things)s; nothing was imported.")
            % {"things": model._meta.verbose_name_plural}
        )
    input_format = TABULAR_FORMATS[job.file_format](encoding=TABULAR_ENCODING)
    try:
        dataset = input_format.create_dataset(bytes(job.content))
    except resources.UnreadableFile as error:
        raise JobFailed(f"{job.file_name}: {error}") from error
    total = len(dataset)
    stage = _("Importing rows")
    progress.publish(stage, 0, total, force=True)
    result = resource_class().import_data(
        dataset,
        dry_run=False,
        file_name=job.file_name,
        user=user,
        # As the admin asks, for the admin's log below.
        retain_instance_in_row_result=True,
        progress=lambda done: progress.publish(stage, done, total),
    )
    if resources.failed(result):
        problems = resources.import_errors(result)
        raise JobFailed(
            ngettext(
                "Nothing was imported: %(file)s has %(n)d problem, listed below.",
                "Nothing was imported: %(file)s has %(n)d problems, listed below.",
                len(problems),
            )
            % {"file": job.file_name, "n": len(problems)},
            report={"counts": _tabular_counts(result), "problems": problems},
        )
    progress.publish(stage, total, total, force=True)
    _log_admin_actions(result, user=user)
    return _tabular_report(result), total


# The rows a report lists one by one, with a link; unchanged rows are counted.
LISTED_ROWS = (
    RowResult.IMPORT_TYPE_NEW,
    RowResult.IMPORT_TYPE_UPDATE,
    RowResult.IMPORT_TYPE_DELETE,
)


def _tabular_counts(result: Result) -> dict[str, int]:
    return {kind: n for kind, n in result.totals.items() if n}


def _tabular_report(result: Result) -> dict[str, Any]:
    # CuratedResource.restore_file_order puts the rows back in the file's order.
    return {
        "counts": _tabular_counts(result),
        "items": [
            {
                "name": str(number),
                "outcome": row.import_type,
                "message": "",
                "id": (
                    row.object_id
                    if row.import_type != RowResult.IMPORT_TYPE_DELETE
                    else None
                ),
                "title": row.object_repr or "",
            }
            for number, row in enumerate(result.rows, 1)
            if row.import_type in LISTED_ROWS
        ],
    }


def _log_admin_actions(result: Result, *, user) -> None:
    """The admin's "Recent actions", as an import at once writes them
    (ImportMixin.generate_log_entries, which needs a request)."""
    if user is None or getattr(settings, "IMPORT_EXPORT_SKIP_ADMIN_LOG", False):
        return
    flags = {
        RowResult.IMPORT_TYPE_NEW: ADDITION,
        RowResult.IMPORT_TYPE_UPDATE: CHANGE,
        RowResult.IMPORT_TYPE_DELETE: DELETION,
    }
    rows: dict[str, list[models.Model]] = {}
    for row in result.rows:
        if row.import_type in flags:
            rows.setdefault(row.import_type, []).append(row.instance)
    for import_type, instances in rows.items():
        LogEntry.objects.log_actions(
            user.pk,
            instances,
            flags[import_type],
            change_message=f"{import_type} through import_export",
            single_object=len(instances) == 1,
        )


# Progress ---------------------------------------------------------------------------


def progress_key(job_id: int) -> str:
    return f"briefings:import-job:{job_id}:progress"


@dataclass(frozen=True, slots=True)
class ProgressNote:
    """How far a running job had got when its worker last said."""

    stage: str
    done: int
    total: int
    at: datetime

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


class JobProgress:
    """Publishes a running job's progress in the cache, where the job's page
    reads it on any app server; a services.Progress, wrapping each stage's
    items. A cache that fails costs the progress bar, never the import."""

    def __init__(self, job_id: int, *, interval: float | None = None) -> None:
        self.key = progress_key(job_id)
        self.interval = PROGRESS_INTERVAL if interval is None else interval
        self._last = float("-inf")

    def publish(
        self, stage: str, done: int, total: int, *, force: bool = False
    ) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        note = {"stage": str(stage), "done": done, "total": total, "at": time.time()}
        try:
            cache.set(self.key, note, PROGRESS_TIMEOUT)
        except Exception:
            logger.warning(
                "Cannot publish the progress of %s.", self.key, exc_info=True
            )

    def __call__(self, items: Sequence[T], stage: str) -> Iterator[T]:
        total = len(items)
        for done, item in enumerate(items):
            self.publish(stage, done, total, force=done == 0)
            yield item
        self.publish(stage, total, total, force=True)


def import_job_progress(job_id: int) -> ProgressNote | None:
    note = cache.get(progress_key(job_id))
    if not isinstance(note, dict):
        return None
    return ProgressNote(
        stage=note["stage"],
        done=note["done"],
        total=note["total"],
        at=datetime.fromtimestamp(note["at"], tz=UTC),
    )


def import_job_trouble(
    job: ImportJob,
    progress: ProgressNote | None,
    *,
    check_task: bool = False,
    now: datetime | None = None,
) -> str:
    """What seems wrong with an unfinished job, in a sentence; "" if nothing.

    A worker that dies (killed, out of memory, its machine gone) leaves its
    job running for ever: no progress for LOST_AFTER says so. With
    `check_task`, also asks the queue (a query), whose record of the task
    ends when the worker gives up on it.
    """
    if job.is_finished:
        return ""
    now = now or timezone.now()
    if check_task and job.task_id and _task_over(job):
        return _(
            "The worker ended this job's task without finishing the import; "
            "nothing of it was saved. Import the file again."
        )
    if job.state == ImportState.QUEUED and job.created_at < now - WAITING_AFTER:
        return _(
            "No worker has taken this job since %(time)s. Is a worker running "
            "(manage.py db_worker)?"
        ) % {"time": formats.date_format(timezone.localtime(job.created_at), "H:i")}
    if job.state == ImportState.RUNNING:
        seen = [
            moment for moment in (job.started_at, progress and progress.at) if moment
        ]
        last = max(seen) if seen else job.created_at
        if last < now - LOST_AFTER:
            return _(
                "No progress since %(time)s: the worker running this job has "
                "most likely stopped, and nothing of it was saved. Import the "
                "file again."
            ) % {"time": formats.date_format(timezone.localtime(last), "H:i")}
    return ""


def _task_over(job: ImportJob) -> bool:
    from django_tasks.exceptions import TaskException

    from briefings.tasks import import_job_task

    try:
        result = import_job_task.get_result(job.task_id)
    except (TaskException, NotImplementedError):
        # Pruned from the queue's table, or a backend that keeps no results.
        return False
    if not result.is_finished:
        return False
    # The task ends just after the job does: read the job again to be sure
    # it has not finished in between.
    state = ImportJob.objects.filter(pk=job.pk).values_list("state", flat=True).first()
    return state in (ImportState.QUEUED, ImportState.RUNNING)
