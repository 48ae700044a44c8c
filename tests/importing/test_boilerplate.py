"""Site furniture out, the story in verbatim: whole lines dropped or kept, a
metadata prefix the only cut inside a line, and every cut reported.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefings.importing.boilerplate import Furniture, strip_boilerplate

LEAD = (
    "KUALA LUMPUR, 22 Jan — Mesyuarat Menteri-Menteri Digital ASEAN Pertama "
    "komited meneruskan kerjasama lebih erat dengan Rakan Dialog."
)
PARAGRAPH = (
    "Para menteri turut mengalu-alukan lebih banyak penglibatan sektor swasta "
    "untuk membangunkan infrastruktur dan perkhidmatan ICT berkualiti."
)


def cut(text: str) -> dict[str, Furniture]:
    return {r.text.strip(): r.kind for r in strip_boilerplate(text).removed}


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Baca juga: Banjir di Jakarta, 5 orang hilang", Furniture.RELATED),
        ("BACA JUGA: Usai Timnas Indonesia U22 Sabet Medali Emas", Furniture.RELATED),
        ("Leave a Reply", Furniture.PROMPT),
        ("Komentar (0)", Furniture.PROMPT),
        ("Berita Terkait", Furniture.PROMPT),
        ("Ikuti kami di", Furniture.PROMPT),
        ("AA", Furniture.PROMPT),
        ("Berita Terkini", Furniture.PROMPT),
        (
            "© 2025 TRIBUNnews.com Network,a subsidiary of KG Media.",
            Furniture.COPYRIGHT,
        ),
        ("All Right Reserved", Furniture.COPYRIGHT),
        ("Hak cipta terpelihara 2024 Bernama", Furniture.COPYRIGHT),
        ("Sumber: Tribun Bali", Furniture.SOURCE),
        ("Sumber: https://www.vietnamplus.vn/a-post1.vnp", Furniture.SOURCE),
        ("Zaenal/Tribun Bali", Furniture.PHOTO_CREDIT),
        ("Foto: Bernama", Furniture.PHOTO_CREDIT),
        ("Editor: Ahmad Suhaimi", Furniture.BYLINE),
    ],
)
def test_each_kind_of_furniture_is_cut_wherever_it_stands(line, kind):
    text = f"{LEAD}\n\n{line}\n\n{PARAGRAPH}"
    stripped = strip_boilerplate(text)
    assert cut(text) == {line: kind}
    assert stripped.body == f"{LEAD}\n\n{PARAGRAPH}"


def test_the_headline_and_its_repeats_are_cut_and_reported_as_the_headline():
    text = f"ASEAN KOMITED\nASEAN KOMITED\n{LEAD}\n{PARAGRAPH}\nASEAN Komited"
    stripped = strip_boilerplate(text)
    assert stripped.headline == "ASEAN KOMITED"
    assert stripped.body == f"{LEAD}\n{PARAGRAPH}"
    assert [r.kind for r in stripped.removed] == [Furniture.TITLE] * 3


def test_a_section_label_above_the_headline_is_cut():
    stripped = strip_boilerplate(f"Berita Internasional\n\nJudul Berita\n\n{LEAD}")
    assert stripped.headline == "Judul Berita"
    assert cut(f"Berita Internasional\n\nJudul Berita\n\n{LEAD}") == {
        "Berita Internasional": Furniture.SECTION,
        "Judul Berita": Furniture.TITLE,
    }
    assert stripped.body == LEAD


def test_a_timestamp_above_the_story_is_cut_but_a_sign_off_date_stays():
    text = (
        f"Judul\n\n23/01/2021 12:12 AM\n\n{LEAD}\nKementerian Pertahanan\n26 Jan 2021"
    )
    stripped = strip_boilerplate(text)
    assert cut(text)["23/01/2021 12:12 AM"] == Furniture.DATE_LINE
    assert stripped.body.endswith("Kementerian Pertahanan\n26 Jan 2021")


def test_a_metadata_prefix_is_cut_from_its_line_and_the_rest_kept():
    text = f" date 2025-09-22 {LEAD}"
    stripped = strip_boilerplate(text)
    assert stripped.body == LEAD
    (removal,) = stripped.removed
    assert (removal.kind, removal.text) == (Furniture.METADATA, " date 2025-09-22 ")
    assert text[removal.start : removal.end] == removal.text


def test_a_standfirst_the_story_repeats_is_cut_above_and_kept_in_the_story():
    text = f"Judul\n\n{PARAGRAPH}\n\n{LEAD}\n\n{PARAGRAPH}"
    stripped = strip_boilerplate(text)
    assert stripped.body == f"{LEAD}\n\n{PARAGRAPH}"
    assert cut(text)[PARAGRAPH] == Furniture.STANDFIRST


def test_a_photo_caption_is_kept_once_and_its_repeats_cut():
    caption = "Suasana pertemuan Kelompok Kerja ASEAN di Kuta, Badung, Bali."
    text = (
        f"Judul\n\nZaenal/Tribun Bali\n{caption}\u00a0\n\n{LEAD}\n\n"
        f"{caption}\n{caption} (Zaenal/Tribun Bali)\n\n{PARAGRAPH}"
    )
    stripped = strip_boilerplate(text)
    assert stripped.body == f"{caption}\u00a0\n\n{LEAD}\n\n{PARAGRAPH}"
    kinds = [r.kind for r in stripped.removed]
    assert kinds.count(Furniture.CAPTION) == 2


def test_cutting_related_links_leaves_one_blank_line_between_paragraphs():
    text = f"{LEAD}\n\nBaca juga: A\n\nBaca juga: B\n\n\n{PARAGRAPH}\n\nLeave a Reply\n"
    assert strip_boilerplate(text).body == f"{LEAD}\n\n{PARAGRAPH}"


def test_lines_are_kept_verbatim_with_their_own_spaces():
    line = "  Beliau berkata,\u00a0kerjasama itu penting.\t"
    text = f"{LEAD}\n{line}"
    assert strip_boilerplate(text).body == f"{LEAD}\n{line}"


def test_the_lead_is_the_dateline_paragraph():
    stripped = strip_boilerplate(f"Judul\n\n{LEAD}\n\n{PARAGRAPH}")
    assert stripped.body.split("\n")[stripped.lead_line] == LEAD


def test_an_all_capital_headline_with_a_colon_is_not_taken_for_a_dateline():
    text = f"ADGMIN1: ASEAN komited kukuh kerjasama\n\n{LEAD}"
    assert strip_boilerplate(text).headline == "ADGMIN1: ASEAN komited kukuh kerjasama"


def test_a_story_without_furniture_is_left_as_it_is():
    text = f"{LEAD}\n\n{PARAGRAPH}"
    stripped = strip_boilerplate(text)
    assert stripped.body == text
    assert stripped.removed == ()


LINES = st.sampled_from(
    [
        "",
        " ",
        "Berita Internasional",
        "Judul Berita Hari Ini",
        "23/01/2021 12:12 AM",
        " date 2025-09-22 KUALA LUMPUR: Malaysia akan memperkukuh hubungan.",
        LEAD,
        PARAGRAPH,
        "Zaenal/Tribun Bali",
        "Suasana pertemuan di Bali.",
        "Suasana pertemuan di Bali. (Zaenal/Tribun Bali)",
        "Baca juga: Berita lain",
        "Sumber: Tribun Bali",
        "Sumber: https://example.com/a",
        "AA",
        "© 2025 Example",
        "Kementerian Pertahanan Malaysia",
        "26 Februari 2025",
        "Home » Berita » Dunia",
    ]
)
TEXTS = st.one_of(
    st.text(),
    st.lists(st.one_of(LINES, st.text(max_size=40)), max_size=30).map("\n".join),
)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_the_body_of_any_text_is_a_subsequence_of_its_lines(text):
    stripped = strip_boilerplate(text)
    lines = text.split("\n")
    body_lines = stripped.body.split("\n") if stripped.line_map else []
    assert stripped.body == "\n".join(body_lines)
    assert len(body_lines) == len(stripped.line_map)
    assert list(stripped.line_map) == sorted(set(stripped.line_map))
    trimmed = {r.line for r in stripped.removed if r.kind == Furniture.METADATA}
    for body_line, index in zip(body_lines, stripped.line_map, strict=True):
        # Verbatim, or less a metadata prefix that is reported as cut.
        assert lines[index] == body_line or (
            index in trimmed and lines[index].endswith(body_line)
        )


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_every_cut_is_reported_with_offsets_inside_the_text(text):
    stripped = strip_boilerplate(text)
    for removal in stripped.removed:
        assert 0 <= removal.start <= removal.end <= len(text)
        assert text[removal.start : removal.end] == removal.text
    if stripped.lead_line is not None:
        assert 0 <= stripped.lead_line < len(stripped.line_map)
