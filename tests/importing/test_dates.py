"""Dates as Malay, Indonesian and English sources write them, at the precision
they state, and the publication date taken only from where a publication date
stands.
"""

from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefings.dates import PartialDate, Precision
from briefings.importing import dates
from briefings.importing.dates import (
    DateRole,
    find_dates,
    parse_date,
    publication_date,
)

FORMS = [
    # Malay
    ("26 Februari 2025", "2025-02-26"),
    ("Selasa, 5 Mac 2024", "2024-03-05"),
    ("Khamis 2 Mei 2024", "2024-05-02"),
    ("Jumaat, 3 Mei 2024 10:30", "2024-05-03"),
    ("5 Ogos 2024", "2024-08-05"),
    ("1 Julai 2024", "2024-07-01"),
    ("12 Disember 2023", "2023-12-12"),
    ("4 Dis 2023", "2023-12-04"),
    ("5hb Mac 2024", "2024-03-05"),
    # Indonesian
    ("Kamis 18 Mei 2023", "2023-05-18"),
    ("Senin, 5 Maret 2024", "2024-03-05"),
    ("17 Agustus 2023", "2023-08-17"),
    ("19 Juni 2023", "2023-06-19"),
    ("4 Desember 2023", "2023-12-04"),
    ("10 Nopember 2020", "2020-11-10"),
    ("Kamis, 18 Mei 2023 10:00 WIB", "2023-05-18"),
    # English
    ("Thursday, 18 May 2023", "2023-05-18"),
    ("March 5, 2024", "2024-03-05"),
    ("Sept 3, 2024", "2024-09-03"),
    ("3 September 2024", "2024-09-03"),
    # Numeric, day first, and ISO
    ("23/01/2021 12:12 AM", "2021-01-23"),
    ("05/03/2024", "2024-03-05"),
    ("5.3.2024", "2024-03-05"),
    ("2025-09-22", "2025-09-22"),
    # A day and a month, no year: the year stays unknown
    ("22 Jan", "--01-22"),
    ("4 Desember", "--12-04"),
    ("5 Mac", "--03-05"),
    ("29 Februari", "--02-29"),
    ("Jan 22", "--01-22"),
    # A month and a year: month precision
    ("Agustus 2023", "2023-08"),
    ("Ogos 2023", "2023-08"),
    ("March 2024", "2024-03"),
]


@pytest.mark.parametrize(("expression", "expected"), FORMS)
def test_each_written_form_is_read_at_its_precision(expression, expected):
    assert parse_date(expression) == expected


@pytest.mark.parametrize(
    ("malay", "indonesian", "month"),
    [("Mac", "Maret", 3), ("Ogos", "Agustus", 8), ("Disember", "Desember", 12)],
)
def test_malay_and_indonesian_month_spellings_name_the_same_month(
    malay, indonesian, month
):
    assert parse_date(f"9 {malay} 2024").month == month
    assert parse_date(f"9 {indonesian} 2024").month == month


@pytest.mark.parametrize(
    ("expression", "precision"),
    [
        ("26 Februari 2025", Precision.DAY),
        ("Agustus 2023", Precision.MONTH),
        ("4 Desember", Precision.DAY_MONTH),
    ],
)
def test_the_precision_is_what_the_expression_states(expression, precision):
    assert parse_date(expression).precision == precision


@pytest.mark.parametrize(
    "expression",
    ["31 Februari 2024", "29 Februari 2023", "32/01/2024", "2024-13-01", "Mei", ""],
)
def test_what_is_not_a_date_is_none(expression):
    assert parse_date(expression) is None


def test_a_number_and_a_month_like_word_in_a_sentence_is_not_mistaken():
    assert find_dates("Seramai 150 peserta hadir; 5 may be more.") == []


@pytest.fixture
def frozen_today(monkeypatch):
    """A far-off today (9 July 2031), so that a leaked part would show."""
    monkeypatch.setattr(dates, "_today", lambda: datetime(2031, 7, 9, 12, 0))
    dates._month.cache_clear()
    yield datetime(2031, 7, 9)
    dates._month.cache_clear()


@pytest.mark.parametrize(
    "expression", ["4 Desember", "22 Jan", "Agustus 2023", "Jan 22", "5 Mac"]
)
def test_no_part_of_today_is_ever_filled_in(frozen_today, expression):
    value = parse_date(expression)
    assert "2031" not in value
    assert value.day is None or value.day == int(
        "".join(c for c in expression if c.isdigit())
    )
    assert value.precision in (Precision.DAY_MONTH, Precision.MONTH)


def test_a_year_less_dateline_stays_day_month_with_a_warning(frozen_today):
    published = publication_date(
        "KUALA LUMPUR, 22 Jan — Mesyuarat Menteri-Menteri Digital ASEAN Pertama "
        "komited meneruskan kerjasama lebih erat dengan Rakan Dialog."
    )
    assert published.value == "--01-22"
    assert published.precision == Precision.DAY_MONTH
    assert published.role == DateRole.DATELINE
    assert any("no year" in warning for warning in published.warnings)


def test_the_real_today_is_not_filled_in_either():
    today = date.today()
    value = parse_date("4 Desember")
    assert value.year is None
    value = parse_date("Agustus 2023")
    assert value.day is None and value.year == 2023
    assert str(today.year) not in parse_date("22 Jan")


STORY = (
    "Pertemuan ini merupakan wadah bagi negara-negara anggota ASEAN untuk "
    "berkumpul dan mendiskusikan strategi pada Kamis 18 Mei 2023."
)


def test_a_date_in_running_text_is_never_the_publication_date():
    published = publication_date(
        "Pada tanggal 4 Desember, di Tokyo, Jepang, Dialog Wakil Menteri Luar "
        "Negeri dan Menteri Pertahanan Vietnam - Jepang yang pertama berlangsung."
    )
    assert published.value is None
    assert published.mentions[0].role == DateRole.STORY


def test_story_dates_of_one_year_give_only_that_year_with_a_warning():
    published = publication_date(STORY + "\nSOMTC akan diadakan pada 23 Juni 2023.")
    assert published.value == "2023"
    assert published.role == DateRole.INFERRED
    assert any("no publication date" in w for w in published.warnings)


def test_story_dates_of_different_years_give_nothing():
    published = publication_date(STORY + "\nSebelumnya pada 5 Mac 2019 ia bermula.")
    assert published.value is None


def test_a_metadata_prefix_is_a_publication_date():
    published = publication_date(
        " date 2025-09-22 KUALA LUMPUR: Malaysia akan memperkukuh hubungan "
        "pertahanan dengan Korea Selatan ke tahap strategik serta lain-lain."
    )
    assert (published.value, published.role) == ("2025-09-22", DateRole.METADATA)
    assert published.text == "2025-09-22"


def test_a_labelled_line_is_metadata_too():
    published = publication_date("Diterbitkan: 5 Mac 2024\n\n" + STORY)
    assert (published.value, published.role) == ("2024-03-05", DateRole.METADATA)


def test_a_timestamp_above_the_story_beats_a_year_less_dateline_and_says_so():
    published = publication_date(
        "Tajuk berita\n\n23/01/2021 12:12 AM\n\nKUALA LUMPUR, 22 Jan — Mesyuarat "
        "Menteri-Menteri Digital ASEAN Pertama komited meneruskan kerjasama erat."
    )
    assert published.value == "2021-01-23"
    assert published.role == DateRole.DATE_LINE
    assert published.text == "23/01/2021 12:12 AM"
    assert any("22 Jan" in w for w in published.warnings)


def test_a_sign_off_below_the_story_dates_a_press_release():
    published = publication_date(STORY + "\nKementerian Pertahanan\n26 Februari 2025")
    assert (published.value, published.role) == ("2025-02-26", DateRole.SIGN_OFF)


def test_a_dateline_and_a_sign_off_that_agree_raise_no_warning():
    published = publication_date(
        "PULAU PINANG, 26 Februari 2025 – " + STORY + "\n26 Februari 2025"
    )
    assert published.role == DateRole.DATELINE
    assert published.warnings == ()


def test_dates_of_ignored_spans_count_for_nothing():
    text = STORY + "\nBaca juga: Banjir di Jakarta pada 5 Mac 2019"
    start = text.index("Baca juga")
    published = publication_date(text, ignore=[(start, len(text))])
    assert published.value == "2023"


def test_a_date_does_not_run_across_lines():
    (mention,) = find_dates("Pada 18\nMei 2023 ia berlangsung.")
    assert mention.text == "Mei 2023"


def test_mentions_carry_their_exact_offsets():
    text = "JAKARTA, Kamis (18/5/2023) - Polri menyelenggarakan pertemuan ini."
    (mention,) = find_dates(text)
    assert text[mention.start : mention.end] == mention.text == "18/5/2023"
    assert mention.role == DateRole.DATELINE


DATEISH = st.sampled_from(
    [
        "26 Februari 2025",
        "Kamis 18 Mei 2023",
        "22 Jan",
        "4 Desember",
        "Agustus 2023",
        "23/01/2021 12:12 AM",
        "2025-09-22",
        "KUALA LUMPUR, ",
        " – ",
        " date ",
        "Pada tanggal ",
        "\n",
        "Mac",
        "31",
        "2031",
        "09",
        "/",
        ", ",
    ]
)
TEXTS = st.one_of(st.text(), st.lists(st.one_of(DATEISH, st.text()), max_size=25))


def _as_text(value: str | list[str]) -> str:
    return value if isinstance(value, str) else "".join(value)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_finding_dates_in_any_text_never_fails_and_stays_inside_it(value):
    text = _as_text(value)
    previous_end = 0
    for mention in find_dates(text):
        assert 0 <= mention.start < mention.end <= len(text)
        assert mention.start >= previous_end
        previous_end = mention.end
        assert text[mention.start : mention.end] == mention.text
        assert "\n" not in mention.text
        assert PartialDate(mention.value) == mention.value
        # Nothing the text does not say: a year in the value is in the text.
        if mention.value.year is not None:
            assert str(mention.value.year) in mention.text


@settings(max_examples=200, deadline=None)
@given(TEXTS)
def test_the_publication_date_of_any_text_is_stated_or_absent(value):
    text = _as_text(value)
    published = publication_date(text)
    if published.value is not None and published.role != DateRole.INFERRED:
        assert text[published.start : published.end] == published.text
    if published.value is not None and published.value.year is not None:
        assert str(published.value.year) in text
