"""API v1 viewsets.

Each `get_queryset` starts from the same visibility rule as the pages and a
`for_api_*` set of joins, so a page of 100 records costs the same queries as a
page of one. Writes go through briefings.services.record_save, which checks the
publish permission, validates with the model's own rules and keeps history.
"""

from __future__ import annotations

import re

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, ProtectedError
from django.utils import timezone
from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.settings import api_settings

from briefings import filters
from briefings.api import serializers as api
from briefings.api.filters import CommitmentApiFilter
from briefings.cache import api_read
from briefings.models import (
    Actor,
    Annotation,
    Article,
    Commitment,
    ComplianceAssessment,
    Meeting,
    Mention,
    Participation,
    Topic,
    conceal,
    visible_q,
)
from briefings.services import (
    EditConflict,
    assessment_add,
    record_delete,
    record_save,
)


def as_serializer_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    """The model's errors by field, with its record-wide errors under DRF's
    `non_field_errors` rather than Django's `__all__`, as a serializer's own
    validation would answer."""
    if not hasattr(error, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: error.messages}
    return {
        api_settings.NON_FIELD_ERRORS_KEY if name == NON_FIELD_ERRORS else name: errors
        for name, errors in error.message_dict.items()
    }


# A slug as SlugField validates it. Any other value is no record's address and
# answers 404 from the URL resolver: a NUL byte would reach PostgreSQL, which
# refuses to compare it with text, and answer 500.
SLUG = "[-a-zA-Z0-9_]+"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


# Concurrent writes ------------------------------------------------------------------
#
# A record's ETag is its version ("3"). A PUT, PATCH or DELETE names the version
# it was made from in If-Match, and services.record_save refuses it, 412, if the
# record has moved on since; without If-Match, 428. `If-Match: *` ("any
# version") would be exactly the overwrite this prevents, and counts as none.
# GET with If-None-Match naming the current ETag answers 304. The ETag is read
# from the serialized data, so a response from the anonymous cache has the same.

WRITES = ("update", "partial_update", "destroy")


def etag(version: int) -> str:
    return f'"{version}"'


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_code = "precondition_required"
    default_detail = gettext_lazy(
        "Send If-Match with the ETag of the record from your GET (its version, "
        'such as "3"), so that your change cannot overwrite somebody else\'s. '
        "If-Match: * is not accepted."
    )


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"

    def __init__(self, conflict: EditConflict | None = None, detail=None) -> None:
        super().__init__(detail)
        # As EditConflictSerializer documents; the version stays a number.
        self.detail = (
            api.EditConflictSerializer(conflict).data
            if conflict is not None
            else {
                "detail": self.detail,
                "version": None,
                "changed_by": None,
                "changed_at": None,
                "changes": [],
            }
        )


def if_match_version(request) -> int:
    """The version an If-Match header names; 428 or 412 when it names none."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        raise PreconditionRequired()
    tag = re.fullmatch(r'"([0-9]{1,18})"', header)
    if tag is None:
        raise PreconditionFailed(
            detail=_(
                'If-Match must be the one ETag from GET, such as "3" (quotes '
                "included, not weak)."
            )
        )
    return int(tag[1])


class VersionedSchema(AutoSchema):
    """The conditional-request headers and answers in the OpenAPI document."""

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        action = getattr(self.view, "action", None)
        etag_header = OpenApiParameter(
            "ETag",
            str,
            OpenApiParameter.HEADER,
            response=["200", "201"],
            description="The record's version, quoted: send it back in If-Match.",
        )
        if action == "retrieve":
            parameters += [
                etag_header,
                OpenApiParameter(
                    "If-None-Match",
                    str,
                    OpenApiParameter.HEADER,
                    description="An ETag from an earlier GET: 304 if it is current.",
                ),
            ]
        elif action in ("create", "update", "partial_update"):
            parameters.append(etag_header)
        if action in WRITES:
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    str,
                    OpenApiParameter.HEADER,
                    required=True,
                    description=(
                        'The ETag from GET (such as "3"). 412 if the record '
                        "changed since; 428 without it. `*` is not accepted."
                    ),
                )
            )
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        action = getattr(self.view, "action", None)
        if action == "retrieve":
            responses["304"] = {"description": "The If-None-Match ETag is current."}
        if action in WRITES:
            responses["412"] = self._get_response_for_code(
                api.EditConflictSerializer, "412", direction=direction
            )
            responses["428"] = self._get_response_for_code(
                api.PreconditionRequiredSerializer, "428", direction=direction
            )
        return responses


class CuratedViewSet(viewsets.ModelViewSet):
    """Shared behaviour: visibility, concealed links, writes through services."""

    schema = VersionedSchema()
    # Links that may point at a record the client may not see.
    conceal_paths: tuple[str, ...] = ()
    # The version a write's If-Match named.
    asked_version: int | None = None
    detail_serializer_class: type[serializers.Serializer] | None = None
    write_serializer_class: type[serializers.Serializer] | None = None

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return self.write_serializer_class or self.serializer_class
        if self.action == "retrieve" and self.detail_serializer_class:
            return self.detail_serializer_class
        return self.serializer_class

    # Anonymous reads come from the shared cache (briefings/cache.py). Throttling
    # and content negotiation have run by now, in initial().
    def list(self, request, *args, **kwargs):
        return api_read(request, super().list, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        return api_read(request, super().retrieve, *args, **kwargs)

    def get_object(self):
        instance = super().get_object()
        # After the lookup and its permission checks, which answer first.
        if self.action in WRITES:
            self.asked_version = if_match_version(self.request)
        return instance

    def finalize_response(self, request, response, *args, **kwargs):
        data = getattr(response, "data", None)
        if (
            self.action in ("retrieve", "create", "update", "partial_update")
            and response.status_code in (200, 201)
            and isinstance(data, dict)
            and "version" in data
        ):
            tag = etag(data["version"])
            asked = request.headers.get("If-None-Match")
            if (
                self.action == "retrieve"
                and asked
                and {tag, "*"} & {t.removeprefix("W/") for t in parse_etags(asked)}
            ):
                response = Response(status=status.HTTP_304_NOT_MODIFIED)
            response["ETag"] = tag
        return super().finalize_response(request, response, *args, **kwargs)

    def get_serializer(self, *args, **kwargs):
        # Reading only: a concealed link must never be saved back.
        if args and "data" not in kwargs:
            instances = args[0] if kwargs.get("many") else [args[0]]
            self.conceal(instances)
        return super().get_serializer(*args, **kwargs)

    def conceal(self, instances) -> None:
        conceal(self.request.user, instances, *self.conceal_paths)

    def perform_create(self, serializer):
        self._save(serializer, serializer.Meta.model())

    def perform_update(self, serializer):
        serializer.instance.version = self.asked_version
        self._save(serializer, serializer.instance)

    def _save(self, serializer, instance) -> None:
        data = dict(serializer.validated_data)
        m2m = {
            field.name: data.pop(field.name)
            for field in instance._meta.many_to_many
            if field.name in data
        }
        for name, value in data.items():
            setattr(instance, name, value)
        try:
            record_save(
                instance=instance,
                user=self.request.user,
                m2m=m2m,
                comment=_("Changed through the API."),
            )
        except EditConflict as conflict:
            raise PreconditionFailed(conflict) from conflict
        except DjangoPermissionDenied as error:
            raise exceptions.PermissionDenied(str(error)) from error
        except DjangoValidationError as error:
            raise serializers.ValidationError(as_serializer_errors(error)) from error
        serializer.instance = instance

    def perform_destroy(self, instance):
        instance.version = self.asked_version
        try:
            record_delete(
                instance=instance,
                user=self.request.user,
                comment=_("Deleted through the API."),
            )
        except EditConflict as conflict:
            raise PreconditionFailed(conflict) from conflict
        except DjangoPermissionDenied as error:
            # An editor may delete a draft, not a published record.
            raise exceptions.PermissionDenied(str(error)) from error
        except ProtectedError as error:
            names = ", ".join(sorted({str(obj) for obj in error.protected_objects})[:5])
            raise Conflict(
                _("Other records depend on this one: %(names)s.") % {"names": names}
            ) from error


class TopicViewSet(CuratedViewSet):
    serializer_class = api.TopicSerializer
    lookup_field = "slug"
    lookup_value_regex = SLUG
    filterset_class = filters.TopicFilter
    search_fields = ["name", "description"]
    ordering_fields = ["name", "published_at", "updated_at"]
    ordering = ["name"]

    def get_queryset(self):
        return Topic.objects.visible_to(self.request.user)


class ActorViewSet(CuratedViewSet):
    serializer_class = api.ActorSerializer
    lookup_field = "slug"
    lookup_value_regex = SLUG
    filterset_class = filters.ActorFilter
    search_fields = ["name", "aliases__name", "honorific", "position", "position_local"]
    ordering_fields = ["name", "kind", "published_at", "updated_at"]
    ordering = ["name"]
    conceal_paths = ("country", "parent")

    def get_queryset(self):
        return (
            Actor.objects.visible_to(self.request.user)
            .select_related("country", "parent")
            .prefetch_related("aliases")
        )


PARTICIPATION_FIELDS = (
    "meeting_id",
    "role",
    "note",
    *(f"actor__{name}" for name in ("slug", "name", "kind", "iso_code", "status")),
    "represents__slug",
    "represents__status",
)
COMMITMENT_REF_FIELDS = ("meeting_id", "slug", "title", "kind", "standing", "status")


class MeetingViewSet(CuratedViewSet):
    serializer_class = api.MeetingSerializer
    detail_serializer_class = api.MeetingDetailSerializer
    lookup_field = "slug"
    lookup_value_regex = SLUG
    filterset_class = filters.MeetingFilter
    search_fields = ["name", "short_name", "name_local", "series", "summary"]
    ordering_fields = ["start", "end", "name", "published_at", "updated_at"]
    ordering = ["-start", "name"]
    conceal_paths = ("country", "reports_to")

    def get_queryset(self):
        user = self.request.user
        meetings = (
            Meeting.objects.visible_to(user)
            .select_related("country", "reports_to")
            .prefetch_related(
                Prefetch(
                    "participations",
                    queryset=Participation.objects.filter(visible_q(user, "actor__"))
                    .select_related("actor", "represents")
                    # A page of meetings lists thousands of participants: only
                    # what ParticipationSerializer shows.
                    .only(*PARTICIPATION_FIELDS)
                    .order_by("role", "actor__name"),
                ),
                Prefetch(
                    "commitments",
                    queryset=Commitment.objects.visible_to(user)
                    .only(*COMMITMENT_REF_FIELDS)
                    .order_by("pk"),
                ),
                Prefetch("topics", queryset=Topic.objects.visible_to(user)),
            )
        )
        if self.action == "retrieve":
            meetings = meetings.prefetch_related(
                Prefetch(
                    "reporting_meetings", queryset=Meeting.objects.visible_to(user)
                ),
                Prefetch("articles", queryset=Article.objects.visible_to(user)),
            )
        return meetings

    def conceal(self, instances) -> None:
        super().conceal(instances)
        for meeting in instances:
            conceal(self.request.user, meeting.participations.all(), "represents")


class ArticleViewSet(CuratedViewSet):
    serializer_class = api.ArticleSerializer
    detail_serializer_class = api.ArticleDetailSerializer
    write_serializer_class = api.ArticleWriteSerializer
    lookup_field = "slug"
    lookup_value_regex = SLUG
    filterset_class = filters.ArticleFilter
    search_fields = ["title", "summary", "body"]
    ordering_fields = ["published", "title", "published_at", "updated_at"]
    ordering = ["-published", "title"]
    conceal_paths = ("outlet",)

    def get_queryset(self):
        user = self.request.user
        articles = (
            Article.objects.visible_to(user)
            .select_related("outlet")
            .prefetch_related(
                Prefetch("meetings", queryset=Meeting.objects.visible_to(user)),
                Prefetch("actors", queryset=Actor.objects.visible_to(user)),
                Prefetch("topics", queryset=Topic.objects.visible_to(user)),
            )
        )
        if self.action == "retrieve":
            articles = articles.prefetch_related(
                Prefetch(
                    "annotations",
                    queryset=Annotation.objects.select_related("article"),
                )
            )
        elif self.action == "list":
            # The list leaves the source text out (ArticleSerializer).
            articles = articles.defer("body")
        return articles


class CommitmentViewSet(CuratedViewSet):
    serializer_class = api.CommitmentSerializer
    detail_serializer_class = api.CommitmentDetailSerializer
    lookup_field = "slug"
    lookup_value_regex = SLUG
    filterset_class = CommitmentApiFilter
    search_fields = ["title", "statement", "summary"]
    ordering_fields = ["deadline", "title", "standing", "published_at", "updated_at"]
    ordering = ["deadline", "pk"]
    conceal_paths = ("meeting", "source_article")

    def get_queryset(self):
        user = self.request.user
        commitments = Commitment.objects.visible_to(user)
        if self.action == "retrieve":
            # The page does not show who assessed; the API does.
            return commitments.for_commitment_page(user).prefetch_related(
                "assessments__assessed_by"
            )
        return commitments.for_listing(user)

    def conceal(self, instances) -> None:
        super().conceal(instances)
        if self.action == "retrieve":
            for commitment in instances:
                conceal(
                    self.request.user,
                    commitment.assessments.all(),
                    "actor",
                    "evidence_article",
                )


class AssessmentViewSet(CuratedViewSet):
    """Compliance assessments, visible with the commitment they judge.

    An assessment is never overwritten: a changed judgement is a new assessment
    (POST), which supersedes the latest of its actor and sets the commitment's
    standing. There is no PUT, PATCH or DELETE; they answer 405.
    """

    http_method_names = ["get", "post", "head", "options"]
    serializer_class = api.AssessmentSerializer
    filterset_class = filters.AssessmentFilter
    search_fields = ["rationale"]
    ordering_fields = ["assessed_on", "score", "created_at"]
    ordering = ["-assessed_on", "-pk"]
    conceal_paths = ("actor", "evidence_article")

    def get_queryset(self):
        user = self.request.user
        return ComplianceAssessment.objects.filter(
            visible_q(user, "commitment__")
        ).select_related("commitment", "actor", "evidence_article", "assessed_by")

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            serializer.instance = assessment_add(
                commitment=data["commitment"],
                actor=data["actor"],
                score=data["score"],
                rationale=data["rationale"],
                assessed_on=data.get("assessed_on") or timezone.localdate(),
                evidence_article=data.get("evidence_article"),
                evidence_url=data.get("evidence_url", ""),
                user=self.request.user,
            )
        except DjangoPermissionDenied as error:
            raise exceptions.PermissionDenied(str(error)) from error
        except DjangoValidationError as error:
            raise serializers.ValidationError(as_serializer_errors(error)) from error


class AnnotationViewSet(CuratedViewSet):
    """Annotations, visible with the article they are anchored in."""

    serializer_class = api.AnnotationSerializer
    filterset_class = filters.AnnotationFilter
    search_fields = ["quote", "note"]
    ordering_fields = ["start", "created_at"]
    ordering = ["article", "start"]
    conceal_paths = ("actor", "meeting", "commitment")

    def get_queryset(self):
        return (
            Annotation.objects.filter(visible_q(self.request.user, "article__"))
            .select_related("article", "actor", "meeting", "commitment")
            .defer("article__body")
        )

    def perform_create(self, serializer):
        serializer.validated_data["created_by"] = self.request.user
        super().perform_create(serializer)


class MentionViewSet(CuratedViewSet):
    """Names found in articles; `actor` is set once an editor confirms it."""

    serializer_class = api.MentionSerializer
    filterset_class = filters.MentionFilter
    search_fields = ["text"]
    ordering_fields = ["start", "text"]
    ordering = ["article", "start"]
    conceal_paths = ("actor",)

    def get_queryset(self):
        return (
            Mention.objects.filter(visible_q(self.request.user, "article__"))
            .select_related("article", "actor")
            .defer("article__body")
        )

    def _save(self, serializer, instance) -> None:
        # Setting the actor is the editor's confirmation; clearing it withdraws it.
        if "actor" in serializer.validated_data:
            confirmed = serializer.validated_data["actor"] is not None
            serializer.validated_data["confirmed_by"] = (
                self.request.user if confirmed else None
            )
            serializer.validated_data["confirmed_at"] = (
                timezone.now() if confirmed else None
            )
        super()._save(serializer, instance)
