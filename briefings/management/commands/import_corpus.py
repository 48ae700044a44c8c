"""Restore an export_corpus archive: `manage.py import_corpus FILE`.

All or nothing: the manifest and every member's checksum and row count are
checked before anything is written, and the rows are written in one
transaction. See briefings/portable.py.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from briefings import portable
from briefings.management.commands.export_corpus import SUMMED_UP


class Command(BaseCommand):
    help = (
        "Restore an archive written by export_corpus (on SQLite or PostgreSQL) "
        "into a database without curated records: every curated record, link and "
        "annotation with its id, and the history of each. Accounts are not in "
        "the archive: a user the history names who has no account here gets an "
        "inactive account without a password, listed in the output. Sessions, "
        "API tokens, import jobs, the task queue and lock-out records are not "
        "touched; the search index follows the rows. Refuses a database that "
        "holds curated records or their history, unless --replace is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="The zip file to restore.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help=(
                "Delete every curated record and its history first, in the same "
                "transaction: if the restore fails, they are kept."
            ),
        )

    def handle(self, *args, archive: Path, replace: bool, **options):
        started = time.perf_counter()
        report = self.stdout.write if options["verbosity"] > 1 else _quiet
        try:
            summary = portable.restore(archive, replace=replace, report=report)
        except portable.ArchiveError as error:
            raise CommandError(str(error)) from None
        if summary.created_users:
            self.stdout.write(
                self.style.WARNING(
                    f"Created {len(summary.created_users)} inactive accounts "
                    "without a password for users the history names: "
                    f"{', '.join(summary.created_users)}. An administrator may "
                    "activate them and set a password."
                )
            )
        rows = sum(member.rows for member in summary.members)
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {archive}: {portable.describe(summary, SUMMED_UP)}; "
                f"{rows:,} rows in {len(summary.members)} tables, "
                f"in {time.perf_counter() - started:.1f} s."
            )
        )


def _quiet(message: str) -> None:
    pass
