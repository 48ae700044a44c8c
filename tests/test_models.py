"""The rules the database itself enforces, and the ones full_clean() adds."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from briefings.dates import PartialDate
from briefings.models import (
    Actor,
    ActorKind,
    Annotation,
    Article,
    ComplianceAssessment,
    EditorialStatus,
    Meeting,
)
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    AssessmentFactory,
    CountryFactory,
    MeetingFactory,
    MentionFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def refused_by_database(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_two_actors_cannot_share_a_slug():
    PersonFactory(slug="mohamed-khaled-nordin")
    refused_by_database(lambda: PersonFactory(slug="mohamed-khaled-nordin"))


def test_two_articles_cannot_share_a_url_but_many_may_have_none():
    ArticleFactory(url="https://example.org/a")
    refused_by_database(lambda: ArticleFactory(url="https://example.org/a"))
    ArticleFactory(url="")
    ArticleFactory(url="")
    assert Article.objects.filter(url="").count() == 2


def test_the_same_text_cannot_be_stored_twice():
    first = ArticleFactory(body="Sama.")
    refused_by_database(lambda: ArticleFactory(body="Sama."))
    assert first.content_hash == Article.hash_text("Sama.")


def test_a_meeting_cannot_end_before_it_starts():
    refused_by_database(lambda: MeetingFactory(start="2023-06-23", end="2023-06-19"))
    assert MeetingFactory(start="2023-06-19", end="2023-06-23").end == "2023-06-23"


def test_a_meeting_without_a_year_may_still_have_an_end():
    meeting = MeetingFactory(start="--12-04", end="--12-05")
    meeting.refresh_from_db()
    assert isinstance(meeting.start, PartialDate)
    assert meeting.start.display() == "4 December, year not stated"


def test_an_annotation_must_start_before_it_ends():
    article = ArticleFactory()
    refused_by_database(
        lambda: Annotation.objects.create(article=article, start=5, end=5, quote="")
    )


def test_an_annotation_outside_the_text_is_refused_by_validation():
    article = ArticleFactory(body="Pendek.")
    annotation = Annotation(article=article, start=2, end=40, quote="ndek.")
    with pytest.raises(ValidationError, match="outside the article's text"):
        annotation.full_clean()


def test_an_annotation_whose_quote_is_not_at_its_position_is_refused():
    article = ArticleFactory(body="Menteri hadir. Kerjasama diperkukuh.")
    annotation = Annotation(article=article, start=0, end=7, quote="Kerjasa")
    with pytest.raises(ValidationError) as raised:
        annotation.full_clean()
    assert "quote" in raised.value.message_dict


def test_a_valid_annotation_and_mention_pass_validation():
    AnnotationFactory().full_clean()
    MentionFactory().full_clean()


@pytest.mark.parametrize("score", [-2, 2, 5])
def test_a_compliance_score_is_minus_one_zero_or_one(score):
    assessment = AssessmentFactory()
    refused_by_database(
        lambda: ComplianceAssessment.objects.filter(pk=assessment.pk).update(
            score=score
        )
    )


def test_only_countries_carry_an_iso_code_and_each_code_is_unique():
    CountryFactory(iso_code="MY")
    refused_by_database(lambda: CountryFactory(iso_code="MY"))
    refused_by_database(lambda: PersonFactory(iso_code="ID"))


def test_only_countries_are_asean_members():
    refused_by_database(lambda: PersonFactory(is_asean_member=True))


def test_a_reporting_chain_cannot_loop():
    ministers = MeetingFactory()
    officials = MeetingFactory(reports_to=ministers)
    ministers.reports_to = officials
    with pytest.raises(ValidationError, match="loop"):
        ministers.full_clean()


def test_an_actors_country_must_be_a_country():
    person = PersonFactory()
    other = PersonFactory.build(country=person)
    with pytest.raises(ValidationError) as raised:
        other.full_clean()
    assert "country" in raised.value.message_dict


def test_published_leaves_out_drafts_and_records_in_review():
    published = MeetingFactory(status=EditorialStatus.PUBLISHED)
    MeetingFactory(status=EditorialStatus.DRAFT)
    MeetingFactory(status=EditorialStatus.IN_REVIEW)
    assert list(Meeting.objects.published()) == [published]


def test_staff_see_drafts_and_everybody_else_does_not():
    MeetingFactory(status=EditorialStatus.DRAFT)
    staff = UserFactory(is_staff=True)
    reader = UserFactory()
    assert Meeting.objects.visible_to(staff).count() == 1
    assert Meeting.objects.visible_to(reader).count() == 0
    assert Meeting.objects.visible_to(None).count() == 0


def test_names_read_as_an_editor_expects():
    country = CountryFactory(name="Malaysia", iso_code="MY")
    person = PersonFactory(
        name="Mohamed Khaled Nordin", honorific="Dato' Seri", country=country
    )
    assert str(country) == "Malaysia (MY)"
    assert str(person) == "Mohamed Khaled Nordin"
    assert person.full_name == "Dato' Seri Mohamed Khaled Nordin"
    assert str(MeetingFactory(name="x", short_name="ADMM Retreat 2025")) == (
        "ADMM Retreat 2025"
    )


def test_every_publishable_model_has_a_publish_permission():
    from django.contrib.auth.models import Permission

    codenames = set(
        Permission.objects.filter(codename__startswith="publish_").values_list(
            "codename", flat=True
        )
    )
    assert codenames == {
        "publish_topic",
        "publish_actor",
        "publish_meeting",
        "publish_article",
        "publish_commitment",
    }


def test_kind_country_is_what_countries_returns():
    CountryFactory()
    PersonFactory()
    assert [a.kind for a in Actor.objects.countries()] == [ActorKind.COUNTRY]


def test_a_mention_is_resolved_only_when_an_editor_linked_it():
    from briefings.models import Mention
    from tests.factories import MentionFactory

    as_actor = MentionFactory(actor=PersonFactory())
    as_meeting = MentionFactory(meeting=MeetingFactory())
    proposed_only = MentionFactory(proposed_actor=PersonFactory(), similarity=98)
    assert set(Mention.objects.resolved()) == {as_actor, as_meeting}
    assert list(Mention.objects.unresolved()) == [proposed_only]
    assert not proposed_only.is_resolved
