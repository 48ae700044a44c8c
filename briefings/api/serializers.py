"""Representations of the curated records.

Relations are written and read as slugs (ids for records without one), with
compact nested objects where a client would otherwise need a second request.
`url` is the record in this API, `page_url` its public page; the source URL of
an article is `source_url`. Serializers hold no logic: writes go through
briefings.services from the viewsets.
"""

from __future__ import annotations

import re

from django.core.validators import ProhibitNullCharactersValidator
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from briefings.dates import Precision
from briefings.models import (
    Actor,
    ActorAlias,
    Annotation,
    Article,
    Commitment,
    ComplianceAssessment,
    Meeting,
    Mention,
    Participation,
    Topic,
)


@extend_schema_field(
    serializers.ChoiceField(choices=Precision.choices, allow_null=True)
)
class PrecisionField(serializers.ReadOnlyField):
    """How precise a partial date is; null when no date is stated."""

    def to_representation(self, value):
        return value.precision.value if value else None


@extend_schema_field(OpenApiTypes.URI)
class PageUrlField(serializers.ReadOnlyField):
    """The absolute URL of the record's public page."""

    def __init__(self, **kwargs):
        super().__init__(source="*", **kwargs)

    def to_representation(self, instance):
        request = self.context.get("request")
        path = instance.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class SlugIdentityField(serializers.HyperlinkedIdentityField):
    """The record's API URL by its slug, reversed once per response.

    A page of meetings links thousands of participants; reversing each URL
    cost more than building the rest of the response. The URL is reversed
    once with a stand-in slug, which each record's slug then replaces. A slug
    that SlugField would not accept is reversed as usual.
    """

    STAND_IN = "serantau-slug-stand-in"
    PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+")

    def __init__(self, view_name, **kwargs):
        super().__init__(view_name=view_name, lookup_field="slug", **kwargs)

    def get_url(self, obj, view_name, request, format):
        slug = getattr(obj, self.lookup_field)
        if not isinstance(slug, str) or not self.PLAIN_SLUG.fullmatch(slug):
            return super().get_url(obj, view_name, request, format)
        templates = self.__dict__.setdefault("_url_templates", {})
        key = (view_name, format)
        if key not in templates:
            url = self.reverse(
                view_name,
                kwargs={self.lookup_url_kwarg: self.STAND_IN},
                request=request,
                format=format,
            )
            templates[key] = url if url.count(self.STAND_IN) == 1 else None
        template = templates[key]
        if template is None:
            return super().get_url(obj, view_name, request, format)
        return template.replace(self.STAND_IN, slug)


# Django bounds an integer field by the database in use, 64-bit on SQLite; these
# are PostgreSQL's, so that the API validates and documents the same bounds on
# both and the committed schema does not depend on where it was generated.
OFFSET = {"min_value": 0, "max_value": 2_147_483_647}
SPAN = {"start": OFFSET, "end": OFFSET}


class SlugRelatedField(serializers.SlugRelatedField):
    """A writable link by slug that refuses NUL characters before querying.

    PostgreSQL cannot compare text with a NUL in it and would raise an error
    (a 500) where SQLite just finds nothing; DRF's CharField refuses NUL for the
    same reason, its related fields do not.
    """

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            raise serializers.ValidationError(
                ProhibitNullCharactersValidator.message,
                code=ProhibitNullCharactersValidator.code,
            )
        return super().to_internal_value(data)


def slug_field(queryset, **kwargs) -> SlugRelatedField:
    return SlugRelatedField(slug_field="slug", queryset=queryset, **kwargs)


class ConcealableSlugRelatedField(SlugRelatedField):
    """A required link that reads as null when the client may not see its target.

    The viewsets conceal links to drafts (`conceal_paths`); a client writes the
    link as a slug and may not write null, but may read null.
    """


class ConcealableSlugRelatedFieldExtension(OpenApiSerializerFieldExtension):
    target_class = ConcealableSlugRelatedField

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(
            self.target, direction, bypass_extensions=True
        )
        if direction == "response":
            schema["nullable"] = True
        return schema


def concealable_slug_field(queryset, **kwargs) -> ConcealableSlugRelatedField:
    return ConcealableSlugRelatedField(slug_field="slug", queryset=queryset, **kwargs)


# Compact forms, nested in other records ----------------------------------------


class ActorRefSerializer(serializers.ModelSerializer):
    url = SlugIdentityField("api:actor-detail")

    class Meta:
        model = Actor
        fields = ["url", "slug", "name", "kind", "iso_code"]


class CommitmentRefSerializer(serializers.ModelSerializer):
    url = SlugIdentityField("api:commitment-detail")

    class Meta:
        model = Commitment
        fields = ["url", "slug", "title", "kind", "standing"]


class ArticleRefSerializer(serializers.ModelSerializer):
    url = SlugIdentityField("api:article-detail")
    page_url = PageUrlField()

    class Meta:
        model = Article
        fields = ["url", "page_url", "slug", "title", "language", "published"]


class ParticipationSerializer(serializers.ModelSerializer):
    actor = ActorRefSerializer(read_only=True)
    represents = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )

    class Meta:
        model = Participation
        fields = ["actor", "role", "represents", "note"]

    def to_representation(self, participation: Participation) -> dict:
        """The same as the fields above would give, built directly: a page of
        meetings lists thousands of participants, and the generic path through
        two nested serializers was most of its time."""
        actor = participation.actor
        url_field = self.fields["actor"].fields["url"]
        represents = participation.represents
        return {
            "actor": {
                "url": url_field.to_representation(actor),
                "slug": actor.slug,
                "name": actor.name,
                "kind": actor.kind,
                "iso_code": actor.iso_code,
            },
            "role": participation.role,
            "represents": represents.slug if represents is not None else None,
            "note": participation.note,
        }


class QuoteSerializer(serializers.ModelSerializer):
    """An annotation as the anchored quote it is (W3C position + quote selectors)."""

    article = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    page_url = PageUrlField()

    class Meta:
        model = Annotation
        fields = [
            "id",
            "article",
            "page_url",
            "start",
            "end",
            "quote",
            "prefix",
            "suffix",
            "note",
            "anchor_state",
        ]
        extra_kwargs = SPAN


class AliasSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActorAlias
        fields = ["name", "language"]


# Records --------------------------------------------------------------------------

# `version` is the record's ETag: send it back in If-Match to change the record.
EDITORIAL = ["status", "published_at", "created_at", "updated_at", "version"]
EDITORIAL_READ_ONLY = ["published_at", "created_at", "updated_at", "version"]


class TopicSerializer(serializers.ModelSerializer):
    url = SlugIdentityField("api:topic-detail")
    page_url = PageUrlField()

    class Meta:
        model = Topic
        fields = ["url", "page_url", "slug", "name", "description", *EDITORIAL]
        read_only_fields = EDITORIAL_READ_ONLY


class ActorSerializer(serializers.ModelSerializer):
    url = SlugIdentityField("api:actor-detail")
    page_url = PageUrlField()
    country = slug_field(Actor.objects.countries(), required=False, allow_null=True)
    parent = slug_field(Actor.objects.all(), required=False, allow_null=True)
    aliases = AliasSerializer(many=True, read_only=True)

    class Meta:
        model = Actor
        fields = [
            "url",
            "page_url",
            "slug",
            "kind",
            "organisation_type",
            "name",
            "honorific",
            "full_name",
            "aliases",
            "position",
            "position_local",
            "country",
            "parent",
            "iso_code",
            "is_asean_member",
            "wikidata_id",
            "description",
            *EDITORIAL,
        ]
        read_only_fields = ["full_name", *EDITORIAL_READ_ONLY]


class MeetingSerializer(serializers.ModelSerializer):
    url = SlugIdentityField("api:meeting-detail")
    page_url = PageUrlField()
    start_precision = PrecisionField(source="start")
    end_precision = PrecisionField(source="end")
    country = slug_field(Actor.objects.countries(), required=False, allow_null=True)
    country_code = serializers.SerializerMethodField()
    reports_to = slug_field(Meeting.objects.all(), required=False, allow_null=True)
    topics = slug_field(Topic.objects.all(), many=True, required=False)
    participants = ParticipationSerializer(
        source="participations", many=True, read_only=True
    )
    commitments = CommitmentRefSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "url",
            "page_url",
            "slug",
            "name",
            "short_name",
            "name_local",
            "series",
            "edition",
            "level",
            "format",
            "state",
            "start",
            "start_precision",
            "end",
            "end_precision",
            "date_note",
            "venue",
            "city",
            "country",
            "country_code",
            "reports_to",
            "topics",
            "summary",
            "participants",
            "commitments",
            *EDITORIAL,
        ]
        read_only_fields = EDITORIAL_READ_ONLY
        extra_kwargs = {"edition": {"min_value": 0, "max_value": 32_767}}

    def get_country_code(self, meeting: Meeting) -> str | None:
        return meeting.country.iso_code if meeting.country else None


class MeetingDetailSerializer(MeetingSerializer):
    reporting_meetings = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True
    )
    articles = ArticleRefSerializer(many=True, read_only=True)

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "reporting_meetings", "articles"]


class ArticleSerializer(serializers.ModelSerializer):
    url = SlugIdentityField("api:article-detail")
    page_url = PageUrlField()
    source_url = serializers.URLField(
        source="url", required=False, allow_blank=True, max_length=1000
    )
    published_precision = PrecisionField(source="published")
    outlet = slug_field(Actor.objects.all(), required=False, allow_null=True)
    meetings = slug_field(Meeting.objects.all(), many=True, required=False)
    actors = slug_field(Actor.objects.all(), many=True, required=False)
    topics = slug_field(Topic.objects.all(), many=True, required=False)

    class Meta:
        model = Article
        fields = [
            "url",
            "page_url",
            "slug",
            "title",
            "outlet",
            "source_url",
            "language",
            "published",
            "published_precision",
            "date_note",
            "summary",
            "content_hash",
            "imported_from",
            "meetings",
            "actors",
            "topics",
            *EDITORIAL,
        ]
        read_only_fields = ["content_hash", *EDITORIAL_READ_ONLY]


class ArticleDetailSerializer(ArticleSerializer):
    annotations = QuoteSerializer(many=True, read_only=True)

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "body", "annotations"]


class ArticleWriteSerializer(ArticleSerializer):
    """The body is written in full; lists leave it out to stay compact."""

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "body"]


class CommitmentSerializer(serializers.ModelSerializer):
    url = SlugIdentityField("api:commitment-detail")
    page_url = PageUrlField()
    actors = slug_field(Actor.objects.all(), many=True)
    meeting = slug_field(Meeting.objects.all(), required=False, allow_null=True)
    topics = slug_field(Topic.objects.all(), many=True, required=False)
    source_article = concealable_slug_field(Article.objects.all())
    deadline_precision = PrecisionField(source="deadline")

    class Meta:
        model = Commitment
        fields = [
            "url",
            "page_url",
            "slug",
            "title",
            "kind",
            "statement",
            "summary",
            "actors",
            "meeting",
            "topics",
            "deadline",
            "deadline_precision",
            "deadline_note",
            "source_article",
            "standing",
            *EDITORIAL,
        ]
        read_only_fields = EDITORIAL_READ_ONLY


class AssessmentSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:assessment-detail")
    commitment = slug_field(Commitment.objects.all())
    actor = concealable_slug_field(Actor.objects.all())
    evidence_article = slug_field(
        Article.objects.all(), required=False, allow_null=True
    )
    assessed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = ComplianceAssessment
        fields = [
            "id",
            "url",
            "commitment",
            "actor",
            "assessed_on",
            "score",
            "rationale",
            "evidence_article",
            "evidence_url",
            "assessed_by",
            "supersedes",
            "created_at",
            "version",
        ]
        # assessment_add sets what a new assessment supersedes.
        read_only_fields = ["supersedes", "created_at", "version"]
        # The choices bound the score; the database's range would only make the
        # schema differ between SQLite and PostgreSQL.
        extra_kwargs = {"score": {"validators": []}}


class CommitmentDetailSerializer(CommitmentSerializer):
    parties = ActorRefSerializer(source="actors", many=True, read_only=True)
    # Null when the source article is concealed, as `source_article` is.
    source = ArticleRefSerializer(
        source="source_article", read_only=True, allow_null=True
    )
    supporting_quotes = QuoteSerializer(source="annotations", many=True, read_only=True)
    assessments = AssessmentSerializer(many=True, read_only=True)

    class Meta(CommitmentSerializer.Meta):
        fields = [
            *CommitmentSerializer.Meta.fields,
            "parties",
            "source",
            "supporting_quotes",
            "assessments",
        ]


class AnnotationSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:annotation-detail")
    page_url = PageUrlField()
    article = slug_field(Article.objects.all())
    actor = slug_field(Actor.objects.all(), required=False, allow_null=True)
    meeting = slug_field(Meeting.objects.all(), required=False, allow_null=True)
    commitment = slug_field(Commitment.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Annotation
        fields = [
            "id",
            "url",
            "page_url",
            "article",
            "start",
            "end",
            "quote",
            "prefix",
            "suffix",
            "note",
            "anchor_state",
            "actor",
            "meeting",
            "commitment",
            "created_at",
            "version",
        ]
        read_only_fields = ["created_at", "version"]
        extra_kwargs = SPAN


class MentionSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:mention-detail")
    article = slug_field(Article.objects.all())
    actor = slug_field(Actor.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Mention
        fields = [
            "id",
            "url",
            "article",
            "start",
            "end",
            "text",
            "actor",
            "confirmed_at",
            "version",
        ]
        read_only_fields = ["confirmed_at", "version"]
        extra_kwargs = SPAN


# Concurrent writes ------------------------------------------------------------------


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField(source="name")
    label = serializers.CharField()
    loaded = serializers.CharField(
        help_text="The value in the version the If-Match named; empty when that "
        "version is no longer in the history."
    )
    current = serializers.CharField()


class EditConflictSerializer(serializers.Serializer):
    """The body of 412 Precondition Failed: the record changed since the
    version the If-Match named."""

    detail = serializers.CharField(source="message")
    version = serializers.IntegerField(
        source="current_version", allow_null=True, help_text="The current version."
    )
    changed_by = serializers.CharField(allow_null=True)
    changed_at = serializers.DateTimeField(allow_null=True)
    changes = FieldChangeSerializer(many=True)


class PreconditionRequiredSerializer(serializers.Serializer):
    """The body of 428 Precondition Required: a write without If-Match."""

    detail = serializers.CharField()
