"""Write everything curated to a portable archive: `manage.py export_corpus FILE`.

See briefings/portable.py for the format; `import_corpus` restores it.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from briefings import portable

SUMMED_UP = (
    "briefings.Article",
    "briefings.Meeting",
    "briefings.Actor",
    "briefings.Commitment",
    "briefings.Annotation",
    "reversion.Version",
)


class Command(BaseCommand):
    help = (
        "Write everything curated to a portable zip archive that import_corpus "
        "restores into an empty SQLite or PostgreSQL database: topics, actors and "
        "their aliases, meetings and participations, articles, commitments, "
        "compliance assessments, annotations, mentions, every many-to-many link, "
        "and the history (django-reversion revisions and versions of those "
        "records). Users are named by username only. Not archived: accounts and "
        "passwords, sessions, API tokens, import jobs, the task queue, lock-out "
        "records, and the search index, which the database rebuilds from the rows."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "archive", type=Path, help="The zip file to write (replaced if it exists)."
        )

    def handle(self, *args, archive: Path, **options):
        started = time.perf_counter()
        if not archive.parent.is_dir():
            raise CommandError(f"{archive.parent}: no such directory.")
        report = self.stdout.write if options["verbosity"] > 1 else _quiet
        try:
            summary = portable.export(archive, report=report)
        except portable.ArchiveError as error:
            raise CommandError(str(error)) from None
        rows = sum(member.rows for member in summary.members)
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {archive}: {portable.describe(summary, SUMMED_UP)}; "
                f"{rows:,} rows in {len(summary.members)} tables, "
                f"{archive.stat().st_size / 1e6:.1f} MB, "
                f"in {time.perf_counter() - started:.1f} s."
            )
        )


def _quiet(message: str) -> None:
    pass
