"""Malay and Indonesian told apart, and "und" with a warning when the text
cannot say: too short, or written in two languages at once.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefings.importing.language import UNDETERMINED, detect_language, detector
from briefings.models import Language

from .corpus import curated_article

MALAY = (
    "Menteri Pertahanan berkata kerajaan akan memperkukuh kerjasama dengan "
    "negara-negara jiran kerana keselamatan serantau adalah tanggungjawab "
    "bersama. Mesyuarat itu diadakan pada bulan Ogos dan dihadiri oleh "
    "pegawai kanan kementerian serta wakil industri pertahanan tempatan."
)
INDONESIAN = (
    "Menteri Pertahanan mengatakan pemerintah akan memperkuat kerja sama "
    "dengan negara-negara tetangga karena keamanan kawasan merupakan tanggung "
    "jawab bersama. Rapat itu diadakan pada bulan Agustus dan dihadiri oleh "
    "pejabat senior kementerian serta perwakilan industri pertahanan dalam negeri."
)
ENGLISH = (
    "The Defence Minister said the government would strengthen cooperation "
    "with neighbouring countries because regional security is a shared "
    "responsibility. The meeting was held in August and attended by senior "
    "ministry officials and representatives of the local defence industry."
)
VIETNAMESE = (
    "Bộ trưởng Quốc phòng cho biết chính phủ sẽ tăng cường hợp tác với các "
    "nước láng giềng vì an ninh khu vực là trách nhiệm chung. Cuộc họp được "
    "tổ chức vào tháng Tám với sự tham dự của các quan chức cấp cao."
)


@pytest.mark.parametrize(
    ("text", "code"),
    [(MALAY, "ms"), (INDONESIAN, "id"), (ENGLISH, "en"), (VIETNAMESE, "vi")],
)
def test_each_source_language_is_recognised(text, code):
    guess = detect_language(text)
    assert guess.code == code
    assert guess.confidence >= 0.6
    assert guess.warnings == ()


@pytest.mark.parametrize(
    ("seed", "code"),
    [("000", "ms"), ("001", "ms"), ("002", "ms"), ("003", "id"), ("004", "id")],
)
def test_the_curated_bodies_are_malay_or_indonesian_as_the_editors_said(seed, code):
    guess = detect_language(curated_article(seed)["body"])
    assert guess.code == code == curated_article(seed)["language"]
    assert guess.confidence > 0.9


@pytest.mark.parametrize("text", ["", "ASEAN", "Menteri Pertahanan", "Leave a Reply"])
def test_a_short_text_is_undetermined_with_a_warning(text):
    guess = detect_language(text)
    assert guess.code == UNDETERMINED
    assert "too short" in guess.warnings[0]


def test_a_text_half_in_english_and_half_in_malay_is_undetermined_with_a_warning():
    guess = detect_language("\n".join([MALAY, MALAY, ENGLISH, ENGLISH]))
    assert guess.code == UNDETERMINED
    assert "mixes languages" in guess.warnings[0]


def test_a_malay_text_quoting_a_line_of_english_is_still_malay():
    guess = detect_language("\n".join([MALAY, MALAY, MALAY, ENGLISH[:80]]))
    assert guess.code == "ms"


def test_the_detector_is_built_once():
    assert detector() is detector()


# Any text at all ---------------------------------------------------------------

SAMPLES = st.sampled_from([MALAY, INDONESIAN, ENGLISH, VIETNAMESE])
ANY_TEXT = st.one_of(
    st.text(max_size=600),
    st.lists(st.one_of(SAMPLES, st.text(max_size=80)), max_size=6).map("\n".join),
    st.lists(SAMPLES, min_size=1, max_size=4).map(" ".join),
)


@settings(max_examples=200, deadline=None)
@given(ANY_TEXT)
def test_any_text_gets_a_code_of_the_choices_and_says_why_when_it_cannot(text):
    # Binary junk, a lone emoji, half a sentence in each of two languages: the
    # import still gets an answer an editor can act on, never an exception.
    guess = detect_language(text)

    assert guess.code in Language.values
    assert 0.0 <= guess.confidence <= 1.0
    if guess.code == UNDETERMINED:
        assert guess.warnings
    else:
        assert not guess.warnings
