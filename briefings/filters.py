"""FilterSets shared by the public pages and the API.

Choice lists come from querysets filtered by the same visibility rule as the
pages, so a filter form never names a draft record.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from briefings.dates import on_or_after, on_or_before
from briefings.models import (
    Actor,
    Annotation,
    Article,
    Commitment,
    CommitmentKind,
    ComplianceAssessment,
    Meeting,
    Mention,
    Standing,
    Topic,
)

# The browser's own date picker; it needs no script and sends YYYY-MM-DD.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StrictBooleanField(forms.NullBooleanField):
    """True, false or not asked; any other value is an error, not "not asked".

    Django's NullBooleanField reads `?resolved=maybe` as no filter at all, which
    answers with every record as if the client had been understood.
    """

    widget = forms.Select(
        choices=[("", "---------"), ("true", _("Yes")), ("false", _("No"))]
    )
    default_error_messages = {"invalid": _("Enter true or false.")}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if str(value).lower() in ("true", "1"):
            return True
        if str(value).lower() in ("false", "0"):
            return False
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


def _visible(model, **lookup):
    def queryset(request):
        user = getattr(request, "user", None)
        return model.objects.visible_to(user).filter(**lookup)

    return queryset


class CommitmentFilter(django_filters.FilterSet):
    standing = django_filters.ChoiceFilter(
        label=_("Standing"), choices=Standing.choices, empty_label=_("Any standing")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=CommitmentKind.choices, empty_label=_("Any kind")
    )
    topic = django_filters.ModelChoiceFilter(
        label=_("Topic"),
        field_name="topics",
        to_field_name="slug",
        queryset=_visible(Topic),
        empty_label=_("Any topic"),
    )
    # Its method reads no model field the schema generator could describe.
    country = extend_schema_field(OpenApiTypes.STR)(
        django_filters.ModelChoiceFilter(
            label=_("Country"),
            to_field_name="iso_code",
            queryset=_visible(Actor, kind="country"),
            method="filter_country",
            empty_label=_("Any country"),
        )
    )
    actor = django_filters.ModelChoiceFilter(
        label=_("Made by"),
        field_name="actors",
        to_field_name="slug",
        queryset=_visible(Actor),
        empty_label=_("Anyone"),
    )
    meeting = django_filters.ModelChoiceFilter(
        label=_("Meeting"),
        to_field_name="slug",
        queryset=_visible(Meeting),
        empty_label=_("Any meeting"),
    )
    deadline_after = django_filters.DateFilter(
        label=_("Deadline on or after"),
        method="filter_deadline_after",
        widget=DATE_INPUT,
    )
    deadline_before = django_filters.DateFilter(
        label=_("Deadline on or before"),
        method="filter_deadline_before",
        widget=DATE_INPUT,
    )

    class Meta:
        model = Commitment
        fields = [
            "standing",
            "kind",
            "topic",
            "country",
            "actor",
            "meeting",
            "deadline_after",
            "deadline_before",
        ]

    def filter_country(self, queryset, name, value):
        """Made by the country itself, or by one of its people or organisations."""
        return queryset.filter(Q(actors=value) | Q(actors__country=value))

    def filter_deadline_after(self, queryset, name, value):
        return queryset.filter(on_or_after("deadline", value))

    def filter_deadline_before(self, queryset, name, value):
        return queryset.filter(on_or_before("deadline", value))

    @property
    def qs(self):
        # Many-to-many filters may repeat a row; a tracker counts each once.
        return super().qs.distinct()


def _date_window(field: str, label: str):
    """A pair of filters, `<name>_after` and `<name>_before`, on a partial date."""

    # django-filter calls a method given as a callable with (queryset, name, value).
    def after(queryset, name, value):
        return queryset.filter(on_or_after(field, value))

    def before(queryset, name, value):
        return queryset.filter(on_or_before(field, value))

    return (
        django_filters.DateFilter(
            label=_("%(label)s on or after") % {"label": label},
            method=after,
            widget=DATE_INPUT,
        ),
        django_filters.DateFilter(
            label=_("%(label)s on or before") % {"label": label},
            method=before,
            widget=DATE_INPUT,
        ),
    )


class MeetingFilter(django_filters.FilterSet):
    start_after, start_before = _date_window("start", _("Start"))
    country = django_filters.ModelChoiceFilter(
        label=_("Country (ISO code)"),
        to_field_name="iso_code",
        queryset=_visible(Actor, kind="country"),
    )
    actor = django_filters.ModelChoiceFilter(
        label=_("Participant (slug)"),
        field_name="participants",
        to_field_name="slug",
        queryset=_visible(Actor),
        distinct=True,
    )
    topic = django_filters.ModelChoiceFilter(
        label=_("Topic (slug)"),
        field_name="topics",
        to_field_name="slug",
        queryset=_visible(Topic),
    )
    reports_to = django_filters.ModelChoiceFilter(
        label=_("Reports to (slug)"), to_field_name="slug", queryset=_visible(Meeting)
    )
    series = django_filters.CharFilter(label=_("Series"), lookup_expr="iexact")

    class Meta:
        model = Meeting
        fields = ["level", "format", "state", "status", "series"]


class ArticleFilter(django_filters.FilterSet):
    published_after, published_before = _date_window("published", _("Published"))
    outlet = django_filters.ModelChoiceFilter(
        label=_("Outlet (slug)"), to_field_name="slug", queryset=_visible(Actor)
    )
    meeting = django_filters.ModelChoiceFilter(
        label=_("Meeting (slug)"),
        field_name="meetings",
        to_field_name="slug",
        queryset=_visible(Meeting),
    )
    actor = django_filters.ModelChoiceFilter(
        label=_("Actor (slug)"),
        field_name="actors",
        to_field_name="slug",
        queryset=_visible(Actor),
    )
    topic = django_filters.ModelChoiceFilter(
        label=_("Topic (slug)"),
        field_name="topics",
        to_field_name="slug",
        queryset=_visible(Topic),
    )
    country = django_filters.ModelChoiceFilter(
        label=_("Country of the outlet (ISO code)"),
        field_name="outlet__country",
        to_field_name="iso_code",
        queryset=_visible(Actor, kind="country"),
    )

    class Meta:
        model = Article
        fields = ["language", "status"]


class ActorFilter(django_filters.FilterSet):
    country = django_filters.ModelChoiceFilter(
        label=_("Country (ISO code)"),
        to_field_name="iso_code",
        queryset=_visible(Actor, kind="country"),
    )
    parent = django_filters.ModelChoiceFilter(
        label=_("Part of (slug)"), to_field_name="slug", queryset=_visible(Actor)
    )
    meeting = django_filters.ModelChoiceFilter(
        label=_("Took part in (meeting slug)"),
        field_name="meetings",
        to_field_name="slug",
        queryset=_visible(Meeting),
        distinct=True,
    )
    is_asean_member = BooleanFilter()

    class Meta:
        model = Actor
        fields = ["kind", "organisation_type", "is_asean_member", "iso_code", "status"]


class TopicFilter(django_filters.FilterSet):
    class Meta:
        model = Topic
        fields = ["status"]


class AssessmentFilter(django_filters.FilterSet):
    commitment = django_filters.ModelChoiceFilter(
        label=_("Commitment (slug)"),
        to_field_name="slug",
        queryset=_visible(Commitment),
    )
    actor = django_filters.ModelChoiceFilter(
        label=_("Actor assessed (slug)"), to_field_name="slug", queryset=_visible(Actor)
    )
    assessed_after = django_filters.DateFilter(
        label=_("Assessed on or after"), field_name="assessed_on", lookup_expr="gte"
    )
    assessed_before = django_filters.DateFilter(
        label=_("Assessed on or before"), field_name="assessed_on", lookup_expr="lte"
    )

    class Meta:
        model = ComplianceAssessment
        fields = ["score"]


class AnnotationFilter(django_filters.FilterSet):
    article = django_filters.ModelChoiceFilter(
        label=_("Article (slug)"), to_field_name="slug", queryset=_visible(Article)
    )
    commitment = django_filters.ModelChoiceFilter(
        label=_("Supports commitment (slug)"),
        to_field_name="slug",
        queryset=_visible(Commitment),
    )
    meeting = django_filters.ModelChoiceFilter(
        label=_("About meeting (slug)"),
        to_field_name="slug",
        queryset=_visible(Meeting),
    )
    actor = django_filters.ModelChoiceFilter(
        label=_("About actor (slug)"), to_field_name="slug", queryset=_visible(Actor)
    )

    class Meta:
        model = Annotation
        fields = ["anchor_state"]


class MentionFilter(django_filters.FilterSet):
    article = django_filters.ModelChoiceFilter(
        label=_("Article (slug)"), to_field_name="slug", queryset=_visible(Article)
    )
    actor = django_filters.ModelChoiceFilter(
        label=_("Refers to (slug)"), to_field_name="slug", queryset=_visible(Actor)
    )
    resolved = BooleanFilter(
        label=_("Confirmed by an editor, as an actor or a meeting"),
        method="filter_resolved",
    )

    class Meta:
        model = Mention
        fields = ["article", "actor", "resolved"]

    def filter_resolved(self, queryset, name, value):
        return queryset.resolved() if value else queryset.unresolved()
