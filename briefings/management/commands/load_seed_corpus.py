"""Load the curated seed corpus into a database that has no curated records yet.

`make run` calls this on every start. Loading the fixture again would put the
seed records back as they were shipped, over whatever an editor has changed
since, so a database that holds any curated record is left alone.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from briefings.models import Actor, Article, Meeting


class Command(BaseCommand):
    help = "Load fixtures/seed_corpus.json unless curated records exist already."

    def handle(self, *args, **options):
        if (
            Article.objects.exists()
            or Meeting.objects.exists()
            or Actor.objects.exists()
        ):
            self.stdout.write(
                "Curated records exist already; the seed corpus is not loaded again."
            )
            return
        call_command("loaddata", "seed_corpus", verbosity=0)
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded the seed corpus: {Article.objects.count()} articles, "
                f"{Meeting.objects.count()} meetings, {Actor.objects.count()} actors."
            )
        )
