"""Bulk-load plain-text articles: `manage.py import_articles PATH [PATH ...]`.

The same service as the admin's "Import text articles" page
(services.articles_import_text), so the same checks, the same duplicates and
the same drafts with proposed mentions; only the confirmation differs: running
the command without --dry-run is it. The whole run is one transaction unless
--batch-size says otherwise, so a failure leaves the database as it was.
With --background the files are queued as one import job instead, which a
worker (`manage.py db_worker`) runs and the admin shows (briefings/jobs.py).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Sequence

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from tqdm import tqdm

from briefings.importing import ImportProblem
from briefings.importing.archive import Limits, read_paths
from briefings.jobs import import_job_enqueue_text
from briefings.services import (
    ImportFailed,
    ImportOutcome,
    ImportReport,
    articles_import_text,
)


class Command(BaseCommand):
    help = (
        "Import .txt articles (files, .zip archives of them, or directories of "
        ".txt files) as drafts with proposed links to the curated actors and "
        "meetings. Nothing is published or linked without an editor."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="+", metavar="PATH", help="A .txt, a .zip or a directory."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Read and check everything, report, and write nothing.",
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="Whom the history records as the importer (default: the system).",
        )
        parser.add_argument(
            "--no-progress",
            action="store_true",
            help="No progress bar (there is none anyway when stderr is no terminal).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=0,
            metavar="N",
            help=(
                "Commit after every N files (a zip counts as one) instead of once "
                "for the whole run; a failure then keeps the batches before it."
            ),
        )

        parser.add_argument(
            "--background",
            action="store_true",
            help=(
                "Queue the files as one import job for a worker "
                "(manage.py db_worker) instead of importing them now."
            ),
        )

    def handle(
        self,
        *args,
        paths,
        dry_run,
        user,
        no_progress,
        batch_size,
        background,
        **options,
    ):
        started = time.monotonic()
        if background and (dry_run or batch_size):
            raise CommandError(
                "--background queues one import job: it takes neither --dry-run "
                "nor --batch-size."
            )
        self.verbosity = options["verbosity"]
        importer = self._user(user)
        limits = Limits.from_settings()
        try:
            uploads = read_paths(paths, limits=limits)
        except ImportProblem as problem:
            raise CommandError(str(problem)) from problem
        if not uploads:
            raise CommandError("No .txt or .zip file found in the paths given.")
        if background:
            self._enqueue(uploads, importer)
            return
        show_progress = not no_progress and sys.stderr.isatty()

        def progress(items: Sequence, stage: str) -> Iterable:
            return tqdm(
                items,
                desc=str(stage),
                total=len(items),
                unit="file",
                file=sys.stderr,
                disable=not show_progress,
                leave=False,
            )

        size = batch_size if batch_size > 0 else len(uploads)
        reports: list[ImportReport] = []
        for first in range(0, len(uploads), size):
            try:
                report = articles_import_text(
                    files=uploads[first : first + size],
                    user=importer,
                    dry_run=dry_run,
                    limits=limits,
                    progress=progress,
                )
            except ImportFailed as failure:
                self._summary(reports, dry_run, started)
                raise CommandError(str(failure)) from failure
            except PermissionDenied as denied:
                raise CommandError(str(denied)) from denied
            self._lines(report)
            reports.append(report)
        failed = self._summary(reports, dry_run, started)
        if failed:
            raise CommandError(
                f"{failed} file{'s' if failed != 1 else ''} could not be imported."
            )

    def _enqueue(self, uploads: list[tuple[str, bytes]], importer) -> None:
        try:
            job = import_job_enqueue_text(files=uploads, user=importer)
        except PermissionDenied as denied:
            raise CommandError(str(denied)) from denied
        url = reverse("admin:briefings_importjob_change", args=[job.pk])
        self.stdout.write(
            self.style.SUCCESS(
                f"Queued import job {job.pk} ({job.total} files) for a worker "
                f"(manage.py db_worker); the admin shows it at {url}"
            )
        )

    def _user(self, username: str | None):
        if not username:
            return None
        User = get_user_model()
        try:
            return User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(f"There is no user {username!r}.") from None

    def _lines(self, report: ImportReport) -> None:
        for file in report.files:
            if file.outcome == ImportOutcome.ERROR:
                self.stdout.write(
                    self.style.ERROR(f"error      {file.name}: ") + file.message
                )
            elif file.outcome == ImportOutcome.DUPLICATE:
                self.stdout.write(
                    self.style.WARNING(f"duplicate  {file.name}: ") + file.message
                )
            elif self.verbosity >= 2:
                title = file.article.title if file.article else ""
                verb = "would import" if report.dry_run else "imported"
                self.stdout.write(f"{verb:<10} {file.name}: {title}")

    def _summary(
        self, reports: list[ImportReport], dry_run: bool, started: float
    ) -> int:
        files = [file for report in reports for file in report.files]
        done = [
            f
            for f in files
            if f.outcome in (ImportOutcome.IMPORTED, ImportOutcome.READY)
        ]
        duplicates = sum(f.outcome == ImportOutcome.DUPLICATE for f in files)
        errors = sum(f.outcome == ImportOutcome.ERROR for f in files)
        mentions = (
            sum(f.mention_count for f in done)
            if not dry_run
            else sum(f.proposal_count for f in done)
        )
        elapsed = max(time.monotonic() - started, 1e-6)
        if dry_run:
            head = (
                f"Dry run, nothing written: {len(done)} would be imported as drafts "
                f"with {mentions} proposed mentions"
            )
        else:
            head = f"Imported {len(done)} drafts with {mentions} proposed mentions"
        style = self.style.ERROR if errors else self.style.SUCCESS
        self.stdout.write(
            style(f"{head}; {duplicates} duplicates and {errors} errors skipped.")
        )
        rate = len(files) / elapsed
        self.stdout.write(
            f"{len(files)} files in {elapsed:.1f} s ({rate:.1f} files/s)."
        )
        return errors
