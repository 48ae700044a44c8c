"""The seed files and the curated fixture, read without a database.

The curated records in fixtures/seed_corpus.json are what editors made of each
seed: the importer's output is checked against them as plain data, so these
tests need no database unless they build a gazetteer from one.
"""

import json
from functools import cache
from pathlib import Path

from django.conf import settings

from briefings.importing import Name

SEEDS = Path(settings.BASE_DIR) / "seeds"
FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "seed_corpus.json"


@cache
def curated_records() -> tuple[dict, ...]:
    return tuple(json.loads(FIXTURE.read_text("utf-8")))


def curated(model: str) -> list[dict]:
    return [r for r in curated_records() if r["model"] == f"briefings.{model}"]


def curated_article(seed: str) -> dict:
    """The curated article record of seed "000" … "004", its pk merged in."""
    for record in curated("article"):
        if record["fields"]["imported_from"].startswith(f"seeds/{seed}_"):
            return {"pk": record["pk"], **record["fields"]}
    raise LookupError(seed)


def seed_path(seed: str) -> Path:
    return next(SEEDS.glob(f"{seed}_*.txt"))


@cache
def curated_names() -> tuple[Name, ...]:
    """The curated actors, aliases and meetings as the gazetteer's plain data."""
    actors = {r["pk"]: r["fields"] for r in curated("actor")}
    names = [
        Name("actor", pk, f["name"], f["kind"], f["organisation_type"])
        for pk, f in actors.items()
    ]
    for record in curated("actoralias"):
        fields = record["fields"]
        actor = actors[fields["actor"]]
        names.append(
            Name(
                "actor",
                fields["actor"],
                fields["name"],
                actor["kind"],
                actor["organisation_type"],
                fields["language"],
            )
        )
    for record in curated("meeting"):
        for key in ("name", "short_name", "name_local"):
            if record["fields"][key]:
                names.append(Name("meeting", record["pk"], record["fields"][key]))
    return tuple(names)
