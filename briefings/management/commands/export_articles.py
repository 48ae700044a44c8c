"""Every article, drafts too, as CSV: `manage.py export_articles [--output FILE]`.

The same streamed file as the admin's "Export all (CSV, streamed)"
(briefings/exports.py): written a row at a time, so the memory it needs does
not grow with the number of articles.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from django.core.management.base import BaseCommand

from briefings import exports


class Command(BaseCommand):
    help = (
        "Write every article (drafts included) as CSV, with the columns of the "
        "admin's spreadsheet export, to a file or to standard output."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            metavar="FILE",
            help="Write to FILE instead of standard output.",
        )

    def handle(self, *args, output, **options):
        started = time.monotonic()
        lines = exports.articles_csv()
        if output:
            with open(output, "w", encoding="utf-8", newline="") as file:
                rows = self._write(lines, file.write)
        else:
            rows = self._write(lines, lambda line: self.stdout.write(line, ending=""))
        if options["verbosity"] and output:
            self.stderr.write(
                f"{rows} articles written to {output} "
                f"in {time.monotonic() - started:.1f} s."
            )

    @staticmethod
    def _write(lines: Iterable[str], write: Callable[[str], object]) -> int:
        """Write every line; how many articles they held (less the header)."""
        count = -1
        for count, line in enumerate(lines):  # noqa: B007
            write(line)
        return count
