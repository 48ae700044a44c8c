"""The seed corpus, read as a reviewer reads it beside the five seed texts.

First the facts a reader checks in each seed (dates at the precision the source
gives, places, chairs and hosts, who took part in what role, how many
commitments), then the rules every curated record keeps: quotes match the text
at their offsets, bodies are the seed text less site boilerplate, and no date
says more than its source.
"""

import re
from collections import Counter

import pytest
from django.conf import settings

from briefings.dates import PartialDate, Precision
from briefings.models import (
    Actor,
    ActorAlias,
    Annotation,
    Article,
    Commitment,
    Meeting,
    Mention,
    Participation,
    Topic,
)

pytestmark = pytest.mark.usefixtures("seed_corpus")

SEEDS = settings.BASE_DIR / "seeds"

ASEAN_TEN = {"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"}

# Site furniture that the seed files carry and no article body may keep.
BOILERPLATE = [
    "Berita Internasional",
    "Zaenal/Tribun Bali",
    "Baca juga",
    "Luis Milla",
    "PSSI",
    "Ketut Gingsir",
    "Sumber:",
    "Berita Terkait",
    "Ikuti kami di",
    "Berita Terkini",
    "TRIBUNnews.com",
    "All Right Reserved",
    "Leave a Reply",
    "Komentar (0)",
    " date 2025-09-22",
    "23/01/2021 12:12 AM",
]

# The metadata prefix of seed 001, cut from its first line; the rest is verbatim.
DATE_PREFIX = re.compile(r"^ date \d{4}-\d{2}-\d{2} ")


def article(seed: str) -> Article:
    return Article.objects.get(imported_from__startswith=f"seeds/{seed}_")


def meeting(short_name: str) -> Meeting:
    return Meeting.objects.get(short_name=short_name)


def actor(slug: str) -> Actor:
    return Actor.objects.get(slug=slug)


def roles(of: Meeting) -> set[tuple[str, str]]:
    return {(p.actor.slug, p.role) for p in of.participations.select_related("actor")}


def participant_isos(of: Meeting) -> set[str]:
    return set(
        of.participations.filter(role="participant", actor__kind="country").values_list(
            "actor__iso_code", flat=True
        )
    )


def seed_lines(art: Article) -> list[str]:
    path = settings.BASE_DIR / art.imported_from
    return path.read_text(encoding="utf-8").split("\n")


# --------------------------------------------------------------------------- 000


def test_the_admm_retreat_release_is_malay_from_the_defence_ministry_of_26_feb():
    release = article("000")
    assert release.language == "ms"
    assert release.published == "2025-02-26"
    assert release.published.precision == Precision.DAY
    assert release.outlet.slug == "mindef-malaysia"
    assert release.title.startswith("SESI PERMUKIMAN MENTERI-MENTERI PERTAHANAN")
    assert release.body.startswith("1. PULAU PINANG, 26 Februari 2025 –")
    assert release.body.endswith("Kementerian Pertahanan Malaysia\n26 Februari 2025")


def test_admm_retreat_was_held_in_penang_on_26_february_2025():
    retreat = meeting("ADMM Retreat 2025")
    assert (retreat.start, retreat.end) == ("2025-02-26", "2025-02-26")
    assert retreat.start.precision == Precision.DAY
    assert (retreat.venue, retreat.city) == ("Shangri-La Hotel", "Penang")
    assert retreat.country.iso_code == "MY"
    assert retreat.state == "held"
    assert (retreat.level, retreat.format) == ("ministerial", "multilateral")


def test_admm_retreat_was_officiated_by_mohamed_khaled_nordin_for_malaysia():
    chair = Participation.objects.get(
        meeting=meeting("ADMM Retreat 2025"), role="chair"
    )
    assert chair.actor.slug == "mohamed-khaled-nordin"
    assert chair.represents.iso_code == "MY"
    assert "disempurnakan" in chair.note


def test_malaysia_and_its_defence_ministry_hosted_the_admm_retreat():
    assert {("malaysia", "host"), ("mindef-malaysia", "host")} <= roles(
        meeting("ADMM Retreat 2025")
    )


def test_the_ten_member_states_and_timor_leste_took_part_in_the_retreat():
    retreat = meeting("ADMM Retreat 2025")
    assert participant_isos(retreat) == ASEAN_TEN | {"TL"}
    timor = retreat.participations.get(actor__iso_code="TL")
    assert "26 October 2025" in timor.note


def test_the_adsom_working_group_met_in_february_2025_and_reports_to_adsom_2025():
    group = meeting("ADSOM WG (February 2025)")
    assert group.start == group.end == "2025-02"
    assert group.start.precision == Precision.MONTH
    assert "Turut berlangsung" in group.date_note
    assert group.level == "working_group"
    assert group.reports_to == meeting("ADSOM 2025")
    assert participant_isos(group) == ASEAN_TEN | {"TL"}


def test_adsom_2025_in_september_reports_to_admm_2025_in_november():
    adsom, admm = meeting("ADSOM 2025"), meeting("ADMM 2025")
    assert (adsom.start, adsom.state, adsom.level) == (
        "2025-09",
        "announced",
        "senior_officials",
    )
    assert (admm.start, admm.state, admm.level) == (
        "2025-11",
        "announced",
        "ministerial",
    )
    assert adsom.reports_to == admm
    assert admm.reports_to is None


def test_the_retreat_release_yields_exactly_five_targets_due_by_admm_2025():
    commitments = Commitment.objects.filter(source_article=article("000"))
    targets = commitments.filter(kind="target")
    assert targets.count() == commitments.count() == 5
    for target in targets:
        assert target.meeting == meeting("ADMM Retreat 2025")
        assert target.deadline == "2025-11"
        assert "September" in target.deadline_note
        assert "November" in target.deadline_note
    topics = set(targets.values_list("topics__slug", flat=True))
    assert {
        "artificial-intelligence",
        "hadr",
        "cybersecurity",
        "defence-industry",
        "maritime-security",
    } <= topics


def test_the_five_targets_are_quoted_item_by_item():
    statements = Commitment.objects.filter(source_article=article("000")).values_list(
        "statement", flat=True
    )
    openings = {statement.split()[0] for statement in statements}
    assert openings == {
        "Meneroka",
        "Memperkukuhkan",
        "Mempertingkatkan",
        "Menambah",
        "Mendokong",
    }


# --------------------------------------------------------------------------- 001


def test_the_korea_seminar_report_is_bernama_in_malay_of_22_september_2025():
    report = article("001")
    assert (report.language, report.published) == ("ms", "2025-09-22")
    assert report.outlet.slug == "bernama"
    assert report.body.startswith("KUALA LUMPUR: Malaysia akan memperkukuh")
    assert report.body.endswith("– Bernama")


def test_khaled_gave_the_keynote_at_the_third_malaysia_korea_seminar():
    seminar = meeting("3rd Malaysia–Korea Defence Industry Seminar")
    assert seminar.name_local == (
        "Seminar Ketiga Kerjasama Industri Pertahanan Malaysia-Korea"
    )
    assert (seminar.edition, seminar.level, seminar.format) == (
        3,
        "seminar",
        "bilateral",
    )
    keynote = seminar.participations.get(role="keynote_speaker")
    assert keynote.actor.slug == "mohamed-khaled-nordin"
    assert keynote.represents.iso_code == "MY"


def test_the_korea_seminar_is_dated_to_september_2025_with_no_venue_invented():
    seminar = meeting("3rd Malaysia–Korea Defence Industry Seminar")
    assert seminar.start == "2025-09"
    assert seminar.start.precision == Precision.MONTH
    assert "22 September" in seminar.date_note
    assert "KUALA LUMPUR" in seminar.date_note
    assert (seminar.venue, seminar.city, seminar.country) == ("", "", None)


def test_about_150_people_from_both_countries_attended_the_korea_seminar():
    seminar = meeting("3rd Malaysia–Korea Defence Industry Seminar")
    assert "150" in seminar.summary
    assert participant_isos(seminar) == {"MY", "KR"}


def test_the_g2g_procurement_agreement_goes_to_cabinet_by_october_2025():
    agreement = Commitment.objects.get(source_article=article("001"), kind="agreement")
    assert agreement.deadline == "2025-10"
    assert agreement.deadline.precision == Precision.MONTH
    assert "Cabinet approval by October" in agreement.deadline_note
    assert "Türkiye" in agreement.deadline_note
    assert "(G2G)" in agreement.statement
    quotes = agreement.annotations.values_list("quote", flat=True)
    assert any("Jemaah Menteri menjelang Oktober" in quote for quote in quotes)
    assert any("selepas Turkiye" in quote for quote in quotes)


def test_the_korea_seminar_report_yields_five_commitments():
    kinds = Counter(
        Commitment.objects.filter(source_article=article("001")).values_list(
            "kind", flat=True
        )
    )
    assert kinds == {"statement_of_intent": 4, "agreement": 1}


def test_khaled_is_named_without_his_honorific_and_under_every_written_form():
    khaled = actor("mohamed-khaled-nordin")
    assert khaled.name == "Mohamed Khaled Nordin"
    assert khaled.honorific == "Dato' Seri"
    assert (khaled.position, khaled.position_local) == (
        "Minister of Defence",
        "Menteri Pertahanan",
    )
    assert khaled.country.iso_code == "MY"
    assert {
        "Mohamed Khaled bin Nordin",
        "Mohamed Khaled Nordin",
        "Mohamed Khaled",
    } <= set(khaled.aliases.values_list("name", flat=True))


# --------------------------------------------------------------------------- 002


def test_the_adgmin1_report_is_malay_of_23_january_2021_and_names_no_outlet():
    report = article("002")
    assert (report.language, report.published) == ("ms", "2021-01-23")
    assert report.outlet is None
    assert "no outlet" in report.date_note
    assert report.body.startswith("KUALA LUMPUR, 22 Jan — ")


def test_adgmin1_ended_on_22_january_2021_and_no_opening_day_is_given():
    adgmin = meeting("ADGMIN1")
    assert (adgmin.start, adgmin.end) == ("2021-01", "2021-01-22")
    assert adgmin.start.precision == Precision.MONTH
    assert adgmin.end.precision == Precision.DAY
    assert "no opening day" in adgmin.date_note
    assert (adgmin.series, adgmin.edition, adgmin.level) == ("ADGMIN", 1, "ministerial")
    assert participant_isos(adgmin) == ASEAN_TEN


def test_the_meetings_adgmin1_cites_keep_only_the_dates_the_text_gives():
    cyber = meeting("5th AMCC")
    assert (cyber.start, cyber.edition) == ("", 5)
    assert cyber.date_note
    for short_name in ("ASEAN 5G Ecosystem Conference 2020", "ADM2025 Symposium 2020"):
        cited = meeting(short_name)
        assert cited.start == "2020"
        assert cited.start.precision == Precision.YEAR
    assert {m.slug for m in article("002").meetings.all()} == {
        "adgmin-1",
        "asean-ministerial-conference-cybersecurity-5",
        "asean-conference-5g-ecosystem-development-2020",
        "symposium-adm2025-2020",
    }


def test_the_adgmin1_joint_statement_yields_six_commitments():
    commitments = Commitment.objects.filter(source_article=article("002"))
    assert Counter(commitments.values_list("kind", flat=True)) == {
        "statement_of_intent": 1,
        "support": 4,
        "plan": 1,
    }
    assert set(commitments.values_list("meeting__short_name", flat=True)) == {"ADGMIN1"}
    plan = commitments.get(kind="plan")
    assert "lima tahun akan datang" in plan.statement
    assert set(plan.actors.values_list("slug", flat=True)) >= {"asean", "china"}


def test_the_dialogue_partners_adgmin1_thanks_are_curated():
    names = set(article("002").actors.values_list("slug", flat=True))
    assert {
        "china",
        "japan",
        "south-korea",
        "united-states",
        "usaid",
        "india",
        "itu",
    } <= names
    itu = actor("itu")
    assert itu.organisation_type == "international_body"
    assert ActorAlias.objects.filter(
        actor=itu, name="Kesatuan Telekomunikasi Antarabangsa", language="ms"
    ).exists()


# --------------------------------------------------------------------------- 003


def test_the_tribun_bali_report_is_indonesian_and_dated_only_to_2023():
    report = article("003")
    assert (report.language, report.published) == ("id", "2023")
    assert report.published.precision == Precision.YEAR
    assert "18 May 2023" in report.date_note
    assert report.outlet.slug == "tribun-bali"


def test_19th_somtc_wg_on_ct_was_held_in_kuta_bali_on_18_may_2023():
    group = meeting("19th SOMTC WG on CT")
    assert group.start == group.end == "2023-05-18"
    assert group.start.precision == Precision.DAY
    assert group.city == "Kuta, Badung, Bali"
    assert group.country.iso_code == "ID"
    assert (group.series, group.edition, group.level) == (
        "SOMTC WG on CT",
        19,
        "working_group",
    )
    assert group.state == "held"


def test_indonesia_chaired_and_divhubinter_polri_organised_the_working_group():
    group = meeting("19th SOMTC WG on CT")
    assert {("indonesia", "chair"), ("divhubinter-polri", "host")} <= roles(group)
    assert participant_isos(group) == ASEAN_TEN


def test_bnpt_deputy_andhika_chrisnayudanto_opened_the_working_group():
    opening = Participation.objects.get(
        meeting=meeting("19th SOMTC WG on CT"), actor__slug="andhika-chrisnayudanto"
    )
    assert opening.role == "keynote_speaker"
    assert opening.represents.slug == "bnpt"
    assert "kata pembukaan" in opening.note
    assert opening.actor.position_local == "Deputi Kerja Sama Internasional BNPT"


def test_the_working_group_reports_to_the_23rd_somtc_which_reports_to_ammtc():
    group = meeting("19th SOMTC WG on CT")
    assert group.reports_to.short_name == "23rd SOMTC"
    assert group.reports_to.reports_to.short_name == "AMMTC 2023"
    assert group.reports_to.reports_to.reports_to is None


def test_23rd_somtc_is_set_for_19_to_23_june_2023_at_royal_ambarukmo_yogyakarta():
    somtc = meeting("23rd SOMTC")
    assert (somtc.start, somtc.end) == ("2023-06-19", "2023-06-23")
    assert (somtc.venue, somtc.city) == ("Royal Ambarukmo Hotel", "Yogyakarta")
    assert (somtc.series, somtc.edition, somtc.state) == ("SOMTC", 23, "announced")
    assert {("bareskrim-polri", "chair"), ("divhubinter-polri", "secretary")} <= roles(
        somtc
    )
    assert "Kabareskrim" in somtc.participations.get(role="chair").note


def test_ammtc_is_planned_for_august_2023_in_labuan_bajo_under_the_kapolri():
    ammtc = meeting("AMMTC 2023")
    assert ammtc.start == "2023-08"
    assert ammtc.start.precision == Precision.MONTH
    assert ammtc.city == "Labuan Bajo, Nusa Tenggara Timur"
    assert ammtc.state == "announced"
    chair = ammtc.participations.get(role="chair").actor
    assert (chair.name, chair.honorific, chair.position_local) == (
        "Listyo Sigit Prabowo",
        "Jenderal",
        "Kapolri",
    )


def test_the_asean_australia_counter_terrorism_dialogue_is_announced_undated():
    dialogue = meeting("ASEAN–Australia CT Dialogue")
    assert (dialogue.start, dialogue.level, dialogue.state) == ("", "", "announced")
    assert dialogue.date_note
    assert {"asean", "australia"} == {slug for slug, _ in roles(dialogue)}


def test_divhubinter_and_bareskrim_are_units_of_polri():
    polri = actor("polri")
    assert set(polri.units.values_list("slug", flat=True)) == {
        "divhubinter-polri",
        "bareskrim-polri",
    }
    assert ActorAlias.objects.filter(
        actor__slug="divhubinter-polri", name="Divisi Hubungan Internasional Polri"
    ).exists()
    assert ActorAlias.objects.filter(
        actor__slug="bnpt", name="Badan Nasional Penanggulangan Terorisme"
    ).exists()


def test_the_counter_terrorism_report_yields_four_commitments():
    commitments = Commitment.objects.filter(source_article=article("003"))
    assert Counter(commitments.values_list("kind", flat=True)) == {
        "statement_of_intent": 1,
        "plan": 3,
    }
    deadlines = set(commitments.values_list("deadline", flat=True))
    assert deadlines == {"", "2023-06-19", "2023-08"}


# --------------------------------------------------------------------------- 004


def test_the_vietnamplus_text_is_indonesian_with_no_publication_date():
    report = article("004")
    assert (report.language, report.published) == ("id", "")
    assert "no year" in report.date_note
    assert report.outlet.slug == "vietnamplus"
    assert report.url.startswith("https://www.vietnamplus.vn/")


def test_vietnam_japan_2plus2_was_held_in_tokyo_on_4_december_in_no_stated_year():
    dialogue = meeting("1st Vietnam–Japan 2+2")
    assert dialogue.start == dialogue.end == "--12-04"
    assert dialogue.start.precision == Precision.DAY_MONTH
    assert dialogue.start.year is None
    assert "no year" in dialogue.date_note
    assert (dialogue.city, dialogue.country.iso_code) == ("Tokyo", "JP")
    assert (dialogue.level, dialogue.format, dialogue.edition) == (
        "deputy_ministerial",
        "bilateral",
        1,
    )


def test_four_deputy_ministers_co_headed_the_two_delegations():
    heads = Participation.objects.filter(
        meeting=meeting("1st Vietnam–Japan 2+2"), role="head_of_delegation"
    )
    assert {(h.actor.name, h.represents.iso_code) for h in heads} == {
        ("Nguyen Minh Vu", "VN"),
        ("Hoang Xuan Chien", "VN"),
        ("Namazu Hiroyuki", "JP"),
        ("Kano Koji", "JP"),
    }
    assert all("diketuai bersama" in head.note for head in heads)


def test_hoang_xuan_chien_keeps_his_rank_apart_from_his_name():
    chien = actor("hoang-xuan-chien")
    assert (chien.name, chien.honorific) == (
        "Hoang Xuan Chien",
        "Letnan Jenderal Senior",
    )
    assert "Wakil Menteri Pertahanan" in chien.position_local
    assert actor("nguyen-minh-vu").position_local == "Wakil Menteri Luar Negeri"


def test_the_defence_policy_dialogue_has_held_eleven_sessions_on_no_given_dates():
    policy = meeting("Vietnam–Japan Defence Policy Dialogue")
    assert (policy.edition, policy.start, policy.level) == (
        11,
        "",
        "deputy_ministerial",
    )
    assert "11 sesi" in policy.date_note


def test_the_2plus2_yields_eight_commitments():
    commitments = Commitment.objects.filter(source_article=article("004"))
    assert Counter(commitments.values_list("kind", flat=True)) == {
        "statement_of_intent": 5,
        "support": 1,
        "letter_of_intent": 1,
        "mou": 1,
    }


def test_the_letter_of_intent_and_the_mou_are_to_be_signed_after_the_dialogue():
    for kind in ("letter_of_intent", "mou"):
        document = Commitment.objects.get(source_article=article("004"), kind=kind)
        assert document.deadline == ""
        assert "setelah Dialog" in document.deadline_note
        assert set(document.actors.values_list("slug", flat=True)) == {
            "mnd-vietnam",
            "mod-japan",
        }


def test_the_loi_rendered_as_letnan_jenderal_is_annotated_as_a_translation_slip():
    slip = Annotation.objects.get(article=article("004"), quote="(Letnan Jenderal)")
    assert slip.commitment.kind == "letter_of_intent"
    assert "LOI" in slip.note


def test_the_year_less_date_of_the_2plus2_is_annotated():
    note = Annotation.objects.get(
        article=article("004"), quote__startswith="Pada tanggal 4 Desember"
    )
    assert note.meeting == meeting("1st Vietnam–Japan 2+2")
    assert "No year" in note.note


def test_vietnams_east_sea_position_and_four_nos_are_statements_of_intent():
    commitments = Commitment.objects.filter(
        source_article=article("004"), kind="statement_of_intent"
    )
    assert commitments.filter(statement__contains="UNCLOS 1982").exists()
    assert commitments.filter(statement__contains="empat larangan").exists()


# --------------------------------------------------------------------------- corpus


def test_every_annotation_quotes_the_text_at_its_offsets():
    for note in Annotation.objects.select_related("article"):
        body = note.article.body
        assert note.quote == body[note.start : note.end]
        assert note.prefix == body[max(0, note.start - 32) : note.start]
        assert note.suffix == body[note.end : note.end + 32]
        assert note.anchor_state == "anchored"
        assert note.note


def test_every_mention_is_the_text_at_its_offsets_and_names_an_actor():
    for mention in Mention.objects.select_related("article"):
        assert mention.text == mention.article.body[mention.start : mention.end]
        assert mention.is_resolved


def test_every_mentioned_actor_is_linked_to_the_article_or_is_its_outlet():
    for mention in Mention.objects.select_related("article"):
        linked = set(mention.article.actors.values_list("pk", flat=True))
        assert mention.actor_id in linked | {mention.article.outlet_id}, mention.text


def _bounded(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return not before.isalnum() and not after.isalnum()


def test_every_name_of_a_curated_actor_in_a_body_is_mentioned():
    for art in Article.objects.all():
        plain = art.body.replace("\xa0", " ")
        spans = list(art.mentions.values_list("start", "end"))
        for who in Actor.objects.prefetch_related("aliases"):
            names = {who.name} | {
                alias.name
                for alias in who.aliases.all()
                if alias.language in ("", art.language)
            }
            for name in names:
                for found in re.finditer(re.escape(name), plain):
                    if not _bounded(plain, found.start(), found.end()):
                        continue
                    assert any(
                        start <= found.start() and found.end() <= end
                        for start, end in spans
                    ), f"{name!r} at {found.start()} in {art.imported_from}"


def test_every_commitment_is_anchored_in_its_source_article():
    for commitment in Commitment.objects.select_related("source_article"):
        quotes = commitment.annotations.filter(article=commitment.source_article)
        assert commitment.statement in quotes.values_list("quote", flat=True)
        assert commitment.statement in commitment.source_article.body
        assert commitment.actors.exists()
        assert commitment.standing == "announced"
        if commitment.meeting:
            assert commitment.meeting in commitment.source_article.meetings.all()


def test_every_meeting_is_described_and_anchored_in_an_article():
    for each in Meeting.objects.all():
        assert each.summary
        assert each.articles.exists()
        assert each.annotations.exists(), each.short_name


def test_every_content_hash_is_the_hash_of_the_body():
    for art in Article.objects.all():
        assert art.content_hash == Article.hash_text(art.body)


def test_every_body_is_the_seed_text_less_boilerplate_in_the_seed_order():
    for art in Article.objects.all():
        lines = seed_lines(art)
        position = 0
        for line in art.body.split("\n"):
            while position < len(lines) and line not in (
                lines[position],
                DATE_PREFIX.sub("", lines[position]),
            ):
                position += 1
            assert position < len(lines), f"{line[:40]!r} in {art.imported_from}"
            position += 1
        assert art.body == art.body.strip("\n")
        assert "\n\n\n" not in art.body
        assert art.summary
        assert art.title not in art.body.split("\n")


def test_no_body_keeps_site_boilerplate():
    for art in Article.objects.all():
        for furniture in BOILERPLATE:
            assert furniture not in art.body, (furniture, art.imported_from)
        assert "AA" not in art.body.split("\n")


def test_the_tribun_bali_standfirst_and_photo_caption_appear_once():
    body = article("003").body
    assert body.count("Sesi ini memberikan peluang") == 1
    assert body.count("Suasana pertemuan Kelompok Kerja ASEAN") == 1


def test_each_seed_file_is_curated_once():
    imported = set(Article.objects.values_list("imported_from", flat=True))
    assert imported == {f"seeds/{path.name}" for path in SEEDS.glob("*.txt")}


@pytest.mark.parametrize(
    "model",
    [
        Topic,
        Actor,
        ActorAlias,
        Meeting,
        Participation,
        Article,
        Commitment,
        Annotation,
        Mention,
    ],
)
def test_every_record_passes_full_clean(model):
    assert model.objects.exists()
    for record in model.objects.all():
        record.full_clean()


@pytest.mark.parametrize("model", [Topic, Actor, Meeting, Article, Commitment])
def test_every_publishable_record_is_published(model):
    assert not model.objects.exclude(status="published").exists()
    assert not model.objects.filter(published_at__isnull=True).exists()


def test_no_date_carries_a_year_its_source_does_not_give():
    for each in Meeting.objects.prefetch_related("articles"):
        for value in (each.start, each.end):
            if value and value.year is not None:
                sources = [art.body + str(art.published) for art in each.articles.all()]
                assert any(str(value.year) in text for text in sources), each.slug
    for commitment in Commitment.objects.select_related("source_article"):
        if commitment.deadline:
            art = commitment.source_article
            assert str(commitment.deadline.year) in art.body + art.published
    assert article("004").published == ""
    assert meeting("1st Vietnam–Japan 2+2").start == PartialDate("--12-04")


def test_participants_stand_for_countries_or_organisations_never_people():
    for participation in Participation.objects.exclude(represents=None):
        assert participation.represents.kind in ("country", "organisation")
        assert participation.actor.kind == "person"


def test_the_asean_member_states_and_timor_leste_are_flagged_as_members():
    members = set(
        Actor.objects.filter(is_asean_member=True).values_list("iso_code", flat=True)
    )
    assert members == ASEAN_TEN | {"TL"}
    assert "26 October 2025" in actor("timor-leste").description


def test_the_people_in_the_baca_juga_links_are_not_actors():
    for name in ("Luis Milla", "PSSI", "Ketut Gingsir"):
        assert not Actor.objects.filter(name__icontains=name).exists()
        assert not ActorAlias.objects.filter(name__icontains=name).exists()
        assert not Mention.objects.filter(text__icontains=name).exists()
