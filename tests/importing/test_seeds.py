"""The five seed files through the parser, checked against what editors made
of them (fixtures/seed_corpus.json): title, date at the precision stated,
outlet, URL, language, the body less boilerplate, and every curated quote still
in the body so that annotations can be anchored again.
"""

from datetime import date

import pytest

from briefings.dates import Precision
from briefings.importing import DateRole, Furniture, Gazetteer, parse_file
from tests.test_seed_corpus import BOILERPLATE as CORPUS_BOILERPLATE

from .corpus import curated, curated_article, seed_path

# The corpus tests' list, plus the lone "AA" (font-size) control line, which a
# body may not keep but which as a bare substring would match real text.
BOILERPLATE = [*CORPUS_BOILERPLATE, "\nAA\n"]

VIETNAMPLUS = (
    "https://www.vietnamplus.vn/doi-thoai-cap-thu-truong-ngoai-giao-quoc-phong-"
    "viet-nam-nhat-ban-22-lan-thu-nhat-post1081011.vnp"
)

EXPECTED = {
    "000": {
        "title": (
            "SESI PERMUKIMAN MENTERI-MENTERI PERTAHANAN ASEAN TAHUN 2025 "
            "(ADMM RETREAT 2025)"
        ),
        "title_from_lead": False,
        "published": "2025-02-26",
        "precision": Precision.DAY,
        "date_text": "26 Februari 2025",
        "role": DateRole.DATELINE,
        "outlet": "Kementerian Pertahanan Malaysia",
        "url": "",
        "language": "ms",
    },
    "001": {
        "title": (
            "Malaysia akan memperkukuh hubungan pertahanan dengan Korea Selatan "
            "ke tahap strategik"
        ),
        "title_from_lead": True,
        "published": "2025-09-22",
        "precision": Precision.DAY,
        "date_text": "2025-09-22",
        "role": DateRole.METADATA,
        "outlet": "Bernama",
        "url": "",
        "language": "ms",
    },
    "002": {
        "title": (
            "ADGMIN1: ASEAN komited kukuh kerjasama bersama rakan dialog dan "
            "pembangunan"
        ),
        "title_from_lead": False,
        "published": "2021-01-23",
        "precision": Precision.DAY,
        "date_text": "23/01/2021 12:12 AM",
        "role": DateRole.DATE_LINE,
        "outlet": None,
        "url": "",
        "language": "ms",
    },
    "003": {
        "title": (
            "Negara-Negara Anggota ASEAN Berkolaborasi Perkuat Upaya "
            "Pemberantasan Terorisme"
        ),
        "title_from_lead": False,
        "published": "2023",
        "precision": Precision.YEAR,
        "date_text": "",
        "role": DateRole.INFERRED,
        "outlet": "Tribun Bali",
        "url": "",
        "language": "id",
    },
    "004": {
        "title": (
            "Pada tanggal 4 Desember, di Tokyo, Jepang, Dialog Wakil Menteri Luar "
            "Negeri dan Menteri Pertahanan Vietnam - Jepang yang pertama (2+2) "
            "berlangsung"
        ),
        "title_from_lead": True,
        "published": None,
        "precision": None,
        "date_text": "",
        "role": None,
        "outlet": "VietnamPlus",
        "url": VIETNAMPLUS,
        "language": "id",
    },
}
SEEDS = sorted(EXPECTED)


@pytest.fixture(scope="module")
def parsed(curated_gazetteer):
    return {
        seed: parse_file(seed_path(seed), gazetteer=curated_gazetteer) for seed in SEEDS
    }


@pytest.mark.parametrize("seed", SEEDS)
def test_each_seed_gets_its_title(parsed, seed):
    assert parsed[seed].title == EXPECTED[seed]["title"]
    assert parsed[seed].title_from_lead is EXPECTED[seed]["title_from_lead"]


def test_a_headline_found_in_the_text_is_the_curated_title(parsed):
    for seed in ("000", "002", "003"):
        assert parsed[seed].title == curated_article(seed)["title"]


def test_a_title_cut_from_the_lead_is_flagged_for_the_editor(parsed):
    # 001's cut matches the editor's title; 004's editor rewrote the sentence.
    assert parsed["001"].title == curated_article("001")["title"]
    for seed in ("001", "004"):
        assert any("no headline" in warning for warning in parsed[seed].warnings)


@pytest.mark.parametrize("seed", SEEDS)
def test_each_seed_gets_its_publication_date_at_the_precision_stated(parsed, seed):
    published = parsed[seed].published
    expected = EXPECTED[seed]
    assert published.value == expected["published"]
    assert published.precision == expected["precision"]
    assert published.text == expected["date_text"]
    assert published.role == expected["role"]


@pytest.mark.parametrize("seed", SEEDS)
def test_no_seed_is_dated_today_or_this_year(parsed, seed):
    value = parsed[seed].published.value
    today = date.today()
    assert value is None or value.year != today.year
    assert value != today.isoformat()


@pytest.mark.parametrize("seed", SEEDS)
def test_each_seed_date_agrees_with_the_curated_record(parsed, seed):
    assert (parsed[seed].published.value or "") == curated_article(seed)["published"]


def test_the_release_of_000_is_dated_by_its_dateline_which_its_sign_off_confirms(
    parsed,
):
    roles = {m.role for m in parsed["000"].published.mentions}
    assert roles == {DateRole.DATELINE, DateRole.SIGN_OFF}
    assert parsed["000"].published.warnings == ()


def test_002_takes_the_page_timestamp_and_notes_the_dateline_a_day_earlier(parsed):
    warnings = parsed["002"].published.warnings
    assert any("22 Jan" in warning for warning in warnings)


def test_003_states_no_publication_date_and_gets_only_the_year_with_a_warning(
    parsed,
):
    published = parsed["003"].published
    assert published.precision == Precision.YEAR
    assert any("no publication date" in w for w in published.warnings)
    assert any("18 Mei 2023" in w for w in published.warnings)
    # The meeting's day is a date of the story, not of the article.
    story = {m.text: m.role for m in published.mentions}
    assert story["Kamis 18 Mei 2023"] == DateRole.STORY


def test_004s_year_less_4_desember_is_the_meetings_day_not_a_publication_date(
    parsed,
):
    published = parsed["004"].published
    assert published.value is None
    (mention,) = published.mentions
    assert (mention.text, mention.value, mention.role) == (
        "4 Desember",
        "--12-04",
        DateRole.STORY,
    )
    assert any("4 Desember" in w and "no year" in w for w in published.warnings)


@pytest.mark.parametrize("seed", SEEDS)
def test_each_seed_gets_its_outlet_and_url(parsed, seed):
    outlet = parsed[seed].outlet
    assert (outlet.name if outlet else None) == EXPECTED[seed]["outlet"]
    assert parsed[seed].url == EXPECTED[seed]["url"]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_outlet_resolves_to_the_curated_outlet_actor(parsed, seed):
    outlet = parsed[seed].outlet
    assert (outlet.actor_id if outlet else None) == curated_article(seed)["outlet"]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_url_is_the_curated_one(parsed, seed):
    assert parsed[seed].url == curated_article(seed)["url"]


@pytest.mark.parametrize("seed", SEEDS)
def test_each_seed_gets_its_language(parsed, seed):
    assert parsed[seed].language.code == EXPECTED[seed]["language"]
    assert parsed[seed].language.code == curated_article(seed)["language"]
    assert parsed[seed].language.confidence > 0.9


@pytest.mark.parametrize("seed", SEEDS)
def test_no_boilerplate_is_left_in_the_body(parsed, seed):
    for furniture in BOILERPLATE:
        assert furniture not in parsed[seed].body


@pytest.mark.parametrize("seed", SEEDS)
def test_the_body_is_the_curated_body_exactly(parsed, seed):
    assert parsed[seed].body == curated_article(seed)["body"]


@pytest.mark.parametrize("seed", SEEDS)
def test_every_curated_quote_is_in_the_body(parsed, seed):
    article = curated_article(seed)
    quotes = [
        r["fields"]["quote"]
        for r in curated("annotation")
        if r["fields"]["article"] == article["pk"]
    ]
    assert quotes
    for quote in quotes:
        assert quote in parsed[seed].body


@pytest.mark.parametrize("seed", SEEDS)
def test_what_was_cut_is_reported_verbatim_with_its_offsets(parsed, seed):
    source = seed_path(seed).read_text("utf-8")
    for removal in parsed[seed].removed:
        assert source[removal.start : removal.end] == removal.text


def test_the_cuts_of_003_are_named_for_what_they_are(parsed):
    kinds = {r.text.strip(): r.kind for r in parsed["003"].removed}
    assert kinds["Berita Internasional"] == Furniture.SECTION
    assert kinds["Zaenal/Tribun Bali"] == Furniture.PHOTO_CREDIT
    assert kinds["Sumber: Tribun Bali"] == Furniture.SOURCE
    assert kinds["All Right Reserved"] == Furniture.COPYRIGHT
    assert kinds["AA"] == Furniture.PROMPT
    assert (
        kinds[
            "Sesi ini memberikan peluang bagi negara-negara ASEAN untuk bertukar "
            "wawasan, pengalaman, praktik terbaik hingga hambatan yang dihadapi."
        ]
        == Furniture.STANDFIRST
    )
    captions = [r for r in parsed["003"].removed if r.kind == Furniture.CAPTION]
    assert len(captions) == 2


@pytest.mark.parametrize("seed", SEEDS)
def test_the_lead_is_a_span_of_the_body(parsed, seed):
    lead = parsed[seed].lead
    assert parsed[seed].body[lead.start : lead.end] == lead.text


def test_the_lead_leaves_the_dateline_out(parsed):
    assert parsed["000"].lead.text.startswith("Sesi Permukiman Menteri-menteri")
    assert parsed["000"].lead.text.endswith("hari ini.")
    assert parsed["001"].lead.text.startswith("Malaysia akan memperkukuh")
    assert parsed["002"].lead.text.startswith("Mesyuarat Menteri-Menteri Digital")
    assert parsed["003"].lead.text.startswith("Divhubinter Polri menyelenggarakan")
    assert parsed["003"].lead.text.endswith("pada Kamis 18 Mei 2023.")
    assert parsed["004"].lead.text.startswith("Pada tanggal 4 Desember")


@pytest.mark.parametrize("seed", SEEDS)
def test_every_curated_mention_is_proposed_with_its_actor(parsed, seed):
    article = curated_article(seed)
    expected = {
        (r["fields"]["start"], r["fields"]["end"], r["fields"]["actor"])
        for r in curated("mention")
        if r["fields"]["article"] == article["pk"]
    }
    proposed = {(p.start, p.end, p.actor_id) for p in parsed[seed].proposals}
    assert expected <= proposed


@pytest.mark.parametrize("seed", SEEDS)
def test_every_proposal_is_a_span_of_the_body_and_links_nothing(parsed, seed):
    body = parsed[seed].body
    for proposal in parsed[seed].proposals:
        assert body[proposal.start : proposal.end] == proposal.text
        assert (proposal.actor_id is None) != (proposal.meeting_id is None)
        assert 0 < proposal.similarity <= 100


def test_the_meetings_of_each_seed_are_proposed(parsed):
    meetings = {
        seed: {p.meeting_id for p in parsed[seed].proposals if p.meeting_id}
        for seed in SEEDS
    }
    for seed in SEEDS:
        curated_meetings = set(curated_article(seed)["meetings"])
        # 003's SOMTC and AMMTC are described, not named as curated.
        assert len(meetings[seed] & curated_meetings) >= min(2, len(curated_meetings))
    assert {1, 2, 3, 4} <= meetings["000"]
    assert 10 in meetings["003"]


def test_the_parser_needs_no_gazetteer(parsed):
    plain = parse_file(seed_path("001"))
    assert plain.proposals == ()
    assert plain.outlet.name == "Bernama"
    assert plain.outlet.actor_id is None
    assert plain.body == parsed["001"].body


@pytest.mark.django_db
def test_the_gazetteer_from_the_database_proposes_the_curated_mentions(
    seed_corpus,
):
    gazetteer = Gazetteer.from_db()
    for seed in SEEDS:
        parsed = parse_file(seed_path(seed), gazetteer=gazetteer)
        article = curated_article(seed)
        expected = {
            (r["fields"]["start"], r["fields"]["end"], r["fields"]["actor"])
            for r in curated("mention")
            if r["fields"]["article"] == article["pk"]
        }
        assert expected <= {(p.start, p.end, p.actor_id) for p in parsed.proposals}
        assert (parsed.outlet.actor_id if parsed.outlet else None) == article["outlet"]
