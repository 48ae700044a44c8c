"""Factories for tests; the demo corpus lives in fixtures/, not here."""

import factory
from django.contrib.auth import get_user_model

from briefings.models import (
    Actor,
    ActorAlias,
    ActorKind,
    Annotation,
    Article,
    Commitment,
    CommitmentKind,
    ComplianceAssessment,
    EditorialStatus,
    Language,
    Meeting,
    MeetingFormat,
    MeetingLevel,
    Mention,
    OrganisationType,
    Participation,
    ParticipationRole,
    Topic,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")
    status = EditorialStatus.PUBLISHED


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actor

    kind = ActorKind.COUNTRY
    name = factory.Sequence(lambda n: f"Country {n}")
    slug = factory.Sequence(lambda n: f"country-{n}")
    # Two letters from the sequence; no real code is reused across a test run.
    iso_code = factory.Sequence(lambda n: f"{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}")
    status = EditorialStatus.PUBLISHED


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actor

    kind = ActorKind.PERSON
    name = factory.Sequence(lambda n: f"Person {n}")
    slug = factory.Sequence(lambda n: f"person-{n}")
    status = EditorialStatus.PUBLISHED


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actor

    kind = ActorKind.ORGANISATION
    organisation_type = OrganisationType.MINISTRY
    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    status = EditorialStatus.PUBLISHED


class AliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActorAlias

    actor = factory.SubFactory(PersonFactory)
    name = factory.Sequence(lambda n: f"Alias {n}")


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    name = factory.Sequence(lambda n: f"Meeting {n}")
    slug = factory.Sequence(lambda n: f"meeting-{n}")
    level = MeetingLevel.MINISTERIAL
    format = MeetingFormat.MULTILATERAL
    start = "2025-02-26"
    status = EditorialStatus.PUBLISHED


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    meeting = factory.SubFactory(MeetingFactory)
    actor = factory.SubFactory(PersonFactory)
    role = ParticipationRole.PARTICIPANT


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Article {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    language = Language.MALAY
    published = "2025-02-26"
    body = factory.Sequence(
        lambda n: f"Menteri Pertahanan hadir di mesyuarat ke-{n}. Kerjasama diperkukuh."
    )
    content_hash = factory.LazyAttribute(lambda a: Article.hash_text(a.body))
    status = EditorialStatus.PUBLISHED


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    title = factory.Sequence(lambda n: f"Commitment {n}")
    slug = factory.Sequence(lambda n: f"commitment-{n}")
    statement = "Kerjasama diperkukuh."
    kind = CommitmentKind.TARGET
    source_article = factory.SubFactory(ArticleFactory)
    status = EditorialStatus.PUBLISHED


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComplianceAssessment

    commitment = factory.SubFactory(CommitmentFactory)
    actor = factory.SubFactory(CountryFactory)
    score = 0
    rationale = "Partly done."


class AnnotationFactory(factory.django.DjangoModelFactory):
    """Anchors the first sentence of the article's body unless told otherwise."""

    class Meta:
        model = Annotation

    article = factory.SubFactory(ArticleFactory)
    start = 0
    end = factory.LazyAttribute(lambda a: a.article.body.index(".") + 1)
    quote = factory.LazyAttribute(lambda a: a.article.body[a.start : a.end])


class MentionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mention

    article = factory.SubFactory(ArticleFactory)
    start = 0
    end = 7
    text = factory.LazyAttribute(lambda m: m.article.body[m.start : m.end])
