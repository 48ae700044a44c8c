"""How fast the importer reads a bulk load: 1,000 files against 10,000 names.

    .venv/bin/python benchmarks/ingest.py [--files 1000] [--names 10000]

Generates seed-like files (the five seeds with their people, dates and
encodings varied, deterministically) into a temporary folder and a gazetteer of
generated actor names plus the curated ones (in memory, no database), then
reads every file step by step and prints files per second and the time per
file of each step. A bulk load runs as a background task, but an editor's
upload of a zip waits for it, so the whole must stay well under a minute.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from briefings.importing import (  # noqa: E402
    Gazetteer,
    Name,
    decode,
    detect_language,
    find_dates,
    parse_bytes,
    publication_date,
    strip_boilerplate,
)


def words(text: str) -> tuple[str, ...]:
    """A list of names written as prose, to keep the lists below short."""
    return tuple(text.split())


GIVEN = words(
    "Ahmad Aziz Faizal Hafiz Hamzah Ismail Kamal Khairul Mahathir Nazri Rafizi "
    "Rosli Saifuddin Shamsul Syed Zahid Zulkifli Anwar Hishammuddin Azmin "
    "Budi Agus Bambang Dedi Eko Fajar Hadi Joko Prabowo Retno Sri Teguh Wahyu "
    "Yusuf Andi Dwi Rizky Nguyen Tran Le Pham Hoang Vu Dang Bui Do Ngo "
    "James Michael Robert David Sarah Emily Hiroshi Kenji Takeshi Yuki"
)
MIDDLE = words(
    "Abdul Ali Bakar Hassan Husin Ibrahim Jaafar Latif Musa Omar Razak Salleh "
    "Tahir Wira Adi Putra Cahya Minh Xuan Van Thi Quoc Duc Thanh Huu Anh"
)
FAMILY = words(
    "Abdullah Rahman Hamid Hussein Ismail Mohamad Nordin Osman Rahim Yassin "
    "Santoso Wijaya Setiawan Susanto Pratama Hidayat Kurniawan Saputra Nugroho "
    "Chien Vu Hung Dung Long Nam Son Tuan Smith Tanaka Sato Suzuki Kim Park"
)
HONORIFICS = (
    "Dato' Seri",
    "Datuk Seri",
    "Tan Sri",
    "Jenderal",
    "Letnan Jenderal",
    "Letnan Jenderal Senior",
    "Bapak",
    "Laksamana",
    "",
    "",
)
BODIES = words(
    "Kementerian Badan Jabatan Direktorat Pusat Lembaga Komisi Dewan Majlis "
    "Agensi Institut Akademi Markas"
)
FIELDS = words(
    "Pertahanan Keselamatan Luar Negeri Dalam Negeri Maritim Siber Kewangan "
    "Perdagangan Pendidikan Kesihatan Pengangkutan Komunikasi Digital Tenaga "
    "Alam Sekitar Perindustrian Pelancongan Penerangan Kebudayaan Belia Sukan"
)
PLACES = words(
    "Malaysia Indonesia Vietnam Thailand Filipina Singapura Brunei Kemboja Laos "
    "Myanmar Jepang Korea Australia India China Sabah Sarawak Johor Aceh Bali "
    "Papua Jawa Timur Barat Tengah Selatan Utara"
)
# The people named in the seeds, replaced by generated people in the copies.
SEED_PEOPLE = (
    "Mohamed Khaled bin Nordin",
    "Mohamed Khaled Nordin",
    "Mohamed Khaled",
    "Andhika Chrisnayudanto",
    "Listyo\u00a0Sigit\u00a0Prabowo",
    "Nguyen Minh Vu",
    "Hoang Xuan Chien",
    "Namazu Hiroyuki",
    "Kano Koji",
)
STEPS = ("decode", "strip boilerplate", "parse date", "detect language", "match names")


def curated_names() -> list[Name]:
    """The seed corpus's actors, aliases and meetings, read from the fixture."""
    records = json.loads((ROOT / "fixtures" / "seed_corpus.json").read_text("utf-8"))
    actors = {r["pk"]: r["fields"] for r in records if r["model"] == "briefings.actor"}
    names = [
        Name("actor", pk, f["name"], f["kind"], f["organisation_type"])
        for pk, f in actors.items()
    ]
    for record in records:
        fields = record["fields"]
        if record["model"] == "briefings.actoralias":
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
        elif record["model"] == "briefings.meeting":
            for key in ("name", "short_name", "name_local"):
                if fields[key]:
                    names.append(Name("meeting", record["pk"], fields[key]))
    return names


def generated_names(count: int, rng: random.Random) -> tuple[list[Name], list[str]]:
    """`count` names in all: the curated ones and generated people and bodies,
    about three in four of them people (with an alias each, as curated)."""
    names = curated_names()
    people: list[str] = []
    seen = {name.text for name in names}
    target_id = 10_000
    while len(names) < count:
        target_id += 1
        if rng.random() < 0.75:
            parts = [rng.choice(GIVEN)]
            if rng.random() < 0.6:
                parts.append(rng.choice(MIDDLE))
            parts.append(rng.choice(FAMILY))
            full = " ".join(parts)
            if full in seen:
                continue
            seen.add(full)
            people.append(full)
            names.append(Name("actor", target_id, full, "person"))
            names.append(Name("actor", target_id, " ".join(parts[:2]), "person"))
        else:
            words = [rng.choice(BODIES), rng.choice(FIELDS)]
            if rng.random() < 0.5:
                words.append(rng.choice(FIELDS))
            words.append(rng.choice(PLACES))
            full = " ".join(words)
            if full in seen:
                continue
            seen.add(full)
            names.append(Name("actor", target_id, full, "organisation", "ministry"))
    return names[:count], people


def misspell(name: str, rng: random.Random) -> str:
    """One letter of one longer word doubled: a typo an editor would forgive."""
    words = name.split()
    long_words = [i for i, word in enumerate(words) if len(word) >= 5]
    if not long_words:
        return name
    i = rng.choice(long_words)
    j = rng.randrange(1, len(words[i]) - 1)
    words[i] = words[i][:j] + words[i][j] + words[i][j:]
    return " ".join(words)


def vary_dates(text: str, rng: random.Random) -> str:
    """Each date of the seed with another day and year, in the same form."""
    pieces: list[str] = []
    cursor = 0
    year = str(rng.randint(2015, 2025))
    for mention in find_dates(text):
        changed = re.sub(r"\b(?:19|20)\d\d\b", year, mention.text)
        changed = re.sub(
            r"(?<![\d/:.-])\b([0-2]?\d)\b(?![:.]\d)",
            lambda m: str(rng.randint(1, 28)).zfill(len(m.group(1))),
            changed,
            count=1,
        )
        pieces += [text[cursor : mention.start], changed]
        cursor = mention.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def generate_files(folder: Path, count: int, people: list[str], seed: int) -> None:
    rng = random.Random(seed)
    seeds = [path.read_text("utf-8") for path in sorted((ROOT / "seeds").glob("*"))]
    for index in range(count):
        text = seeds[index % len(seeds)]
        for person in SEED_PEOPLE:
            if person in text:
                replacement = rng.choice(people)
                if rng.random() < 0.2:
                    replacement = misspell(replacement, rng)
                text = text.replace(person, f"{rng.choice(HONORIFICS)} {replacement}")
        text = vary_dates(text, rng)
        if index % 50 == 7:
            # A Windows export now and then: CRLF and Windows-1252.
            data = text.replace("\n", "\r\n").encode("cp1252", errors="replace")
        else:
            data = text.encode("utf-8")
        (folder / f"{index:04d}.txt").write_bytes(data)


def prepare(
    files: int, names: int, seed: int
) -> tuple[Gazetteer, float, list[tuple[str, bytes]]]:
    """A gazetteer of `names` names, the seconds it took to build, and `files`
    generated files read into memory as (name, bytes)."""
    rng = random.Random(seed)
    gazetteer_names, people = generated_names(names, rng)
    started = time.perf_counter()
    gazetteer = Gazetteer(gazetteer_names)
    built = time.perf_counter() - started

    with tempfile.TemporaryDirectory(prefix="serantau-ingest-") as folder:
        folder_path = Path(folder)
        generate_files(folder_path, files, people, seed)
        paths = sorted(folder_path.iterdir())
        blobs = [(path.name, path.read_bytes()) for path in paths]
    return gazetteer, built, blobs


def warm_up(blobs: list[tuple[str, bytes]], gazetteer: Gazetteer) -> float:
    """Seconds to read the first file, which pays for loading the language
    models and date locales once per process: reported apart from the rest."""
    started = time.perf_counter()
    parse_bytes(blobs[0][1], name=blobs[0][0], gazetteer=gazetteer)
    return time.perf_counter() - started


def parse_all(blobs: list[tuple[str, bytes]], gazetteer: Gazetteer) -> float:
    """Seconds to read every file as the importer does (parse_bytes)."""
    started = time.perf_counter()
    for name, data in blobs:
        parse_bytes(data, name=name, gazetteer=gazetteer)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--names", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2025)
    options = parser.parse_args()

    gazetteer, built, blobs = prepare(options.files, options.names, options.seed)
    first = warm_up(blobs, gazetteer)

    per_step: dict[str, list[float]] = defaultdict(list)
    proposals = dated = 0
    for name, data in blobs:
        clock = time.perf_counter()
        text = decode(data, name=name).text
        per_step["decode"].append(time.perf_counter() - clock)

        clock = time.perf_counter()
        dates = find_dates(text)
        found_dates = time.perf_counter() - clock

        clock = time.perf_counter()
        stripped = strip_boilerplate(text, dates=dates)
        per_step["strip boilerplate"].append(time.perf_counter() - clock)

        clock = time.perf_counter()
        published = publication_date(
            text, ignore=stripped.foreign_spans(), mentions=dates
        )
        per_step["parse date"].append(found_dates + time.perf_counter() - clock)
        dated += published.value is not None

        clock = time.perf_counter()
        language = detect_language(stripped.body)
        per_step["detect language"].append(time.perf_counter() - clock)

        clock = time.perf_counter()
        proposals += len(gazetteer.propose(stripped.body, language=language.code))
        per_step["match names"].append(time.perf_counter() - clock)

    whole = parse_all(blobs, gazetteer)

    count = len(blobs)
    size = sum(len(data) for _, data in blobs) / count
    print(
        f"files: {count} (mean {size / 1024:.1f} KiB), gazetteer: {options.names} names"
    )
    print(f"gazetteer built in {built * 1000:.0f} ms; first file {first * 1000:.0f} ms")
    print(f"{'step':<20}{'mean ms/file':>14}{'p95 ms':>10}{'total s':>10}")
    for step in STEPS:
        times = per_step[step]
        p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
        print(
            f"{step:<20}{statistics.fmean(times) * 1000:>14.2f}"
            f"{p95 * 1000:>10.2f}{sum(times):>10.2f}"
        )
    steps_total = sum(sum(times) for times in per_step.values())
    mean = steps_total / count * 1000
    print(f"{'sum of steps':<20}{mean:>14.2f}{'':>10}{steps_total:>10.2f}")
    print(
        f"whole parse_bytes: {whole:.2f} s for {count} files = "
        f"{count / whole:.0f} files/s ({whole / count * 1000:.2f} ms/file)"
    )
    print(f"proposals: {proposals} ({proposals / count:.1f}/file); dated: {dated}")


if __name__ == "__main__":
    main()
