"""Fill an empty desk with a synthetic corpus: `manage.py generate_corpus --articles N`.

For benchmarks and for trying the desk at scale; see briefings/corpus.py for
what is generated. The same N and --seed give the same corpus. The last line
of output sums it up for scripts:

    Generated 100000 articles, 5000 meetings, … in 84.2 s.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from briefings import corpus


class Command(BaseCommand):
    help = (
        "Generate a deterministic synthetic corpus of N articles with meetings, "
        "actors, commitments and annotations in a real desk's proportions. "
        "Refuses a database that holds curated records unless --flush is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--articles",
            type=int,
            required=True,
            metavar="N",
            help="How many articles; the other records scale with it.",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=corpus.DEFAULT_SEED,
            help="The same seed gives the same corpus (default %(default)s).",
        )
        parser.add_argument(
            "--flush",
            action="store_true",
            help=(
                "Delete every curated record, and its history, before generating. "
                "Accounts are kept."
            ),
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=2000,
            metavar="ROWS",
            help="Rows per INSERT batch (default %(default)s).",
        )

    # One transaction: a failed run leaves the desk as it was, flushed or not.
    @transaction.atomic
    def handle(self, *args, articles, seed, flush, batch_size, **options):
        if articles < 1:
            raise CommandError("--articles must be at least 1.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        started = time.perf_counter()
        if corpus.has_curated_records():
            present = ", ".join(
                f"{count:,} {name}"
                for name, count in corpus.curated_counts().items()
                if count
            )
            if not flush:
                raise CommandError(
                    f"The database holds curated records ({present}). "
                    "generate_corpus fills an empty desk only; run it with --flush "
                    "to delete every curated record and its history first."
                )
            self.stdout.write(
                self.style.WARNING(
                    f"Deleting every curated record and its history: {present}."
                )
            )
            corpus.flush_curated()
        report = self.stdout.write if options["verbosity"] > 0 else _quiet
        report(f"Generating a corpus of {articles:,} articles (seed {seed}):")
        generator = corpus.generate(
            articles=articles, seed=seed, batch_size=batch_size, report=report
        )
        counts = generator.counts
        summary = ", ".join(
            f"{counts[label]} {label}"
            for label in (
                "articles",
                "meetings",
                "actors",
                "aliases",
                "participations",
                "commitments",
                "assessments",
                "annotations",
                "mentions",
                "topics",
            )
        )
        self.stdout.write(
            f"Generated {summary} in {time.perf_counter() - started:.1f} s."
        )


def _quiet(message: str) -> None:
    pass
