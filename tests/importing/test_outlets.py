"""The outlet as the text names it: a "Sumber:" line, the dateline, a wire
credit at the end, a press office's sign-off; and none when the text names
none.
"""

import pytest

from briefings.importing import parse_text

STORY = (
    "Tentara Nasional Indonesia dan Angkatan Bersenjata Australia akan menggelar "
    "latihan bersama di Darwin tahun depan, kata juru bicara TNI pada hari ini."
)


@pytest.mark.parametrize(
    ("text", "name", "how"),
    [
        (f"Judul\n\nJakarta (ANTARA) - {STORY}", "ANTARA", "dateline"),
        (
            f"Judul\n\nKUALA LUMPUR, Jan 22 (Bernama) -- {STORY}",
            "Bernama",
            "dateline",
        ),
        (f"Judul\n\nTRIBUN-BALI.COM, MANGUPURA - {STORY}", "Tribun Bali", "dateline"),
        (f"Judul\n\nKUALA LUMPUR: {STORY} – Bernama", "Bernama", "wire credit"),
        (f"Judul\n\n{STORY}\n\nSumber: Tribun Bali", "Tribun Bali", "source line"),
        (
            f"Judul\n\n{STORY}\n\nSumber: https://www.antaranews.com/berita/1",
            "ANTARA",
            "source URL",
        ),
        (
            f"Judul\n\n{STORY}\n\nSumber: https://www.example.org/a/b",
            "example.org",
            "source URL",
        ),
        (
            f"Judul\n\n{STORY}\n\nKementerian Pertahanan Malaysia\n26 Februari 2025",
            "Kementerian Pertahanan Malaysia",
            "sign-off",
        ),
    ],
)
def test_the_outlet_is_named_where_the_text_names_it(text, name, how):
    outlet = parse_text(text).outlet
    assert (outlet.name, outlet.how) == (name, how)


def test_a_source_url_is_kept_as_the_articles_url():
    parsed = parse_text(f"{STORY}\n\nSumber: https://www.example.org/a/b.")
    assert parsed.url == "https://www.example.org/a/b"


def test_a_text_that_names_no_outlet_gets_none_and_a_warning():
    parsed = parse_text(f"Judul\n\nKUALA LUMPUR, 22 Jan — {STORY}")
    assert parsed.outlet is None
    assert "names no outlet" in " ".join(parsed.warnings)


def test_an_outlet_unknown_to_the_gazetteer_is_flagged(curated_gazetteer):
    parsed = parse_text(
        f"Judul\n\nJakarta (ANTARA) - {STORY}", gazetteer=curated_gazetteer
    )
    assert parsed.outlet.actor_id is None
    assert any("ANTARA" in w and "not a curated actor" in w for w in parsed.warnings)
