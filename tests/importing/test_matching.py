"""Names the curated records know, proposed with exact spans and a score;
honorifics, "bin", spacing and small misspellings tolerated, short acronyms
taken only as written, and nothing linked.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefings.importing.matching import Gazetteer, Name, propose

KHALED, TRIBUN_BALI, ITU, MINDEF_MY, MINDEF_ID, VIETNAM = 41, 25, 28, 22, 90, 10
ADMM_RETREAT, SOMTC_WG = 1, 10


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer(
        [
            Name("actor", KHALED, "Mohamed Khaled Nordin", "person"),
            Name("actor", KHALED, "Mohamed Khaled bin Nordin", "person"),
            Name("actor", KHALED, "Mohamed Khaled", "person"),
            Name("actor", 45, "Hoàng Xuân Chiến", "person"),
            Name("actor", 43, "Jenderal Listyo Sigit Prabowo", "person"),
            Name("actor", VIETNAM, "Vietnam", "country"),
            Name("actor", 5, "Malaysia", "country"),
            Name("actor", TRIBUN_BALI, "Tribun Bali", "organisation", "news_outlet"),
            Name("actor", 26, "VietnamPlus", "organisation", "news_outlet"),
            Name("actor", ITU, "ITU", "organisation", "international_body"),
            Name("actor", 30, "Divhubinter", "organisation", "police", "id"),
            Name(
                "actor",
                MINDEF_MY,
                "Kementerian Pertahanan Malaysia",
                "organisation",
                "ministry",
                "ms",
            ),
            Name(
                "actor",
                MINDEF_MY,
                "Kementerian Pertahanan",
                "organisation",
                "ministry",
                "ms",
            ),
            Name(
                "actor",
                MINDEF_ID,
                "Kementerian Pertahanan",
                "organisation",
                "ministry",
                "id",
            ),
            Name("meeting", ADMM_RETREAT, "ASEAN Defence Ministers' Meeting Retreat"),
            Name("meeting", ADMM_RETREAT, "ADMM Retreat 2025"),
            Name("meeting", SOMTC_WG, "19th SOMTC WG on CT"),
            Name(
                "meeting",
                SOMTC_WG,
                "Pertemuan Kelompok Kerja ASEAN SOMTC Terkait Pemberantasan "
                "Terorisme Ke-19 (19th SOMTC WG on CT)",
            ),
        ]
    )


def found(gazetteer: Gazetteer, text: str, **options) -> list[tuple]:
    return [
        (p.text, p.actor_id or p.meeting_id, p.similarity)
        for p in gazetteer.propose(text, **options)
    ]


@pytest.mark.parametrize(
    ("text", "name", "honorific"),
    [
        (
            "Menteri Pertahanan Malaysia, Dato' Seri Mohamed Khaled bin Nordin, hadir.",
            "Mohamed Khaled bin Nordin",
            "Dato' Seri",
        ),
        (
            "Menteri Pertahanan Datuk Seri Mohamed Khaled Nordin menyatakan komitmen.",
            "Mohamed Khaled Nordin",
            "Datuk Seri",
        ),
        ("Mohamed Khaled menegaskan Malaysia bersedia.", "Mohamed Khaled", ""),
        (
            "DATO' SERI MOHAMED KHALED NORDIN tiba.",
            "MOHAMED KHALED NORDIN",
            "DATO' SERI",
        ),
        ("Mohamed  Khaled\u00a0Nordin berkata.", "Mohamed  Khaled\u00a0Nordin", ""),
    ],
)
def test_one_minister_under_his_honorifics_and_forms_of_name(
    gazetteer, text, name, honorific
):
    (proposal,) = [p for p in gazetteer.propose(text) if p.actor_id == KHALED]
    assert proposal.text == name
    assert text[proposal.start : proposal.end] == name
    assert proposal.honorific == honorific
    assert proposal.similarity == 100.0
    assert proposal.meeting_id is None


def test_a_curated_name_with_its_honorific_is_found_without_it(gazetteer):
    text = "Kapolri Jenderal Listyo Sigit Prabowo akan memimpin."
    (proposal,) = gazetteer.propose(text)
    assert (proposal.text, proposal.actor_id) == ("Listyo Sigit Prabowo", 43)
    assert proposal.honorific == "Jenderal"


def test_vietnamese_names_are_found_with_or_without_their_accents(gazetteer):
    for text in ("Letnan Jenderal Senior Hoang Xuan Chien", "Hoàng Xuân Chiến"):
        (proposal,) = gazetteer.propose(text)
        assert proposal.actor_id == 45 and proposal.similarity == 100.0
    (proposal,) = gazetteer.propose("Letnan Jenderal Senior Hoang Xuan Chien")
    assert proposal.honorific == "Letnan Jenderal Senior"


@pytest.mark.parametrize(
    "text",
    [
        "Menteri Mohamad Khaled Nordin hadir.",
        "Menteri Mohamed Khalid Nordin hadir.",
        "Menteri Mohd Khaled Nordin hadir.",
        "Menteri Mohamed Khaled Nordinn hadir.",
    ],
)
def test_a_small_misspelling_is_proposed_with_a_lower_score(gazetteer, text):
    (proposal,) = gazetteer.propose(text)
    assert proposal.actor_id == KHALED
    assert 85 <= proposal.similarity < 100
    assert text[proposal.start : proposal.end] == proposal.text
    assert proposal.text.endswith(("Nordin", "Nordinn"))


@pytest.mark.parametrize(
    "text",
    [
        "Perdana Menteri Anwar Ibrahim berkata di Putrajaya.",
        "Menteri Mohamed Hassan Nordin hadir.",
        "Kementerian Perdagangan Malaysia mengumumkan.",
        "Khaled sahaja hadir.",
    ],
)
def test_an_unrelated_name_is_not_proposed(gazetteer, text):
    proposals = [p for p in gazetteer.propose(text) if p.actor_id in (KHALED, 22)]
    assert proposals == []


def test_a_short_acronym_is_taken_only_as_written(gazetteer):
    text = "Itu bukan itu; ITU membantu. Kerjasama ITU-ASEAN."
    assert [p.text for p in gazetteer.propose(text)] == ["ITU", "ITU"]


def test_a_proper_name_in_lower_case_is_a_common_word(gazetteer):
    assert found(gazetteer, "kerjasama malaysia dan vietnam") == []


def test_meeting_short_names_are_found(gazetteer):
    text = "ADMM Retreat 2025 diadakan; 19th SOMTC WG on CT di Bali."
    assert found(gazetteer, text) == [
        ("ADMM Retreat 2025", ADMM_RETREAT, 100.0),
        ("19th SOMTC WG on CT", SOMTC_WG, 100.0),
    ]


def test_a_meetings_source_language_name_is_found_whole_with_its_bracket(gazetteer):
    text = (
        "Divhubinter menyelenggarakan Pertemuan Kelompok Kerja ASEAN SOMTC Terkait "
        "Pemberantasan Terorisme Ke- 19 (19th SOMTC WG on CT) di Badung."
    )
    meetings = [p for p in gazetteer.propose(text) if p.meeting_id]
    (proposal,) = meetings
    assert proposal.text.startswith("Pertemuan Kelompok")
    assert proposal.text.endswith("(19th SOMTC WG on CT)")
    assert text[proposal.start : proposal.end] == proposal.text


def test_the_longest_name_wins_where_names_overlap(gazetteer):
    text = "Kenyataan Kementerian Pertahanan Malaysia hari ini."
    assert found(gazetteer, text) == [
        ("Kementerian Pertahanan Malaysia", MINDEF_MY, 100.0)
    ]


def test_a_name_does_not_run_across_a_comma_or_a_line(gazetteer):
    assert found(gazetteer, "Mohamed Khaled,\nNordin") == [
        ("Mohamed Khaled", KHALED, 100.0)
    ]


def test_spacing_variants_are_proposed(gazetteer):
    assert found(gazetteer, "Menurut Vietnam Plus,") == [("Vietnam Plus", 26, 95.0)]
    assert found(gazetteer, "Menurut TribunBali,") == [
        ("TribunBali", TRIBUN_BALI, 95.0)
    ]


def test_the_head_of_a_unit_names_the_unit(gazetteer):
    (proposal,) = gazetteer.propose("Kadivhubinter selaku Sekretaris.")
    assert (proposal.text, proposal.actor_id, proposal.similarity) == (
        "Kadivhubinter",
        30,
        90.0,
    )


def test_a_name_shared_by_two_records_prefers_the_texts_language(gazetteer):
    text = "Kementerian Pertahanan menyatakan."
    (indonesian,) = gazetteer.propose(text, language="id")
    assert (indonesian.actor_id, indonesian.similarity) == (MINDEF_ID, 100.0)
    (malay,) = gazetteer.propose(text, language="ms")
    assert malay.actor_id == MINDEF_MY


def test_a_name_shared_by_two_records_offers_the_other_as_an_alternative(gazetteer):
    (proposal,) = gazetteer.propose("Kementerian Pertahanan menyatakan.")
    assert {proposal.actor_id, *proposal.alternatives} == {MINDEF_MY, MINDEF_ID}


def test_a_shared_name_goes_to_the_record_the_text_names_in_full(gazetteer):
    text = "Kementerian Pertahanan Malaysia berkata. Kementerian Pertahanan juga."
    assert [p.actor_id for p in gazetteer.propose(text)] == [MINDEF_MY, MINDEF_MY]


def test_the_outlet_is_looked_up_among_organisations(gazetteer):
    assert gazetteer.find_outlet("Tribun Bali") == TRIBUN_BALI
    assert gazetteer.find_outlet("TRIBUN BALI") == TRIBUN_BALI
    assert gazetteer.find_outlet("vietnamplus") == 26
    assert gazetteer.find_outlet("Vietnam") is None
    assert gazetteer.find_outlet("Unknown Daily") is None


def test_propose_is_the_gazetteers_proposal(gazetteer):
    text = "Dato' Seri Mohamed Khaled bin Nordin"
    assert propose(text, gazetteer) == gazetteer.propose(text)


def test_an_empty_gazetteer_proposes_nothing():
    assert Gazetteer([]).propose("Mohamed Khaled Nordin") == []


NAMEISH = st.sampled_from(
    [
        "Dato' Seri ",
        "Mohamed ",
        "Khaled ",
        "bin ",
        "Nordin",
        "ITU",
        "itu",
        "Kementerian Pertahanan ",
        "Malaysia",
        "(19th SOMTC WG on CT)",
        "ADMM Retreat 2025",
        "Ka",
        "divhubinter",
        "Vietnam",
        "Plus",
        ", ",
        "\n",
        "  ",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.lists(st.one_of(NAMEISH, st.text()), max_size=30)))
def test_any_text_gets_proposals_inside_it_and_never_overlapping(gazetteer, value):
    text = value if isinstance(value, str) else "".join(value)
    proposals = gazetteer.propose(text, language="ms")
    spans: dict[str, list[tuple[int, int]]] = {"actor": [], "meeting": []}
    for proposal in proposals:
        assert 0 <= proposal.start < proposal.end <= len(text)
        assert text[proposal.start : proposal.end] == proposal.text
        assert 0 <= proposal.similarity <= 100
        kind = "actor" if proposal.actor_id else "meeting"
        for start, end in spans[kind]:
            assert proposal.end <= start or proposal.start >= end
        spans[kind].append((proposal.start, proposal.end))
    assert len({(p.start, p.end) for p in proposals}) == len(proposals)


@pytest.mark.django_db
def test_the_gazetteer_is_built_from_the_database_in_three_queries(
    seed_corpus, django_assert_num_queries
):
    from briefings.models import Actor, ActorAlias, Meeting

    # Actors, aliases (with their actor's kind), meetings.
    with django_assert_num_queries(3):
        gazetteer = Gazetteer.from_db()
    names = Actor.objects.count() + ActorAlias.objects.count()
    names += sum(
        bool(text)
        for row in Meeting.objects.values_list("name", "short_name", "name_local")
        for text in row
    )
    # Duplicates (an alias equal to the canonical name) are kept once.
    assert 0 < len(gazetteer) <= names
    (proposal,) = gazetteer.propose("Dato' Seri Mohamed Khaled bin Nordin")
    assert Actor.objects.get(pk=proposal.actor_id).slug == "mohamed-khaled-nordin"
