"""FilterSets shared by the public pages and the API.

Choice lists come from querysets filtered by the same visibility rule as the
pages, so a filter form never names a draft record.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from briefings.dates import on_or_after, on_or_before
from briefings.models import (
    Actor,
    Commitment,
    CommitmentKind,
    Meeting,
    Standing,
    Topic,
)

# The browser's own date picker; it needs no script and sends YYYY-MM-DD.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


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
    country = django_filters.ModelChoiceFilter(
        label=_("Country"),
        to_field_name="iso_code",
        queryset=_visible(Actor, kind="country"),
        method="filter_country",
        empty_label=_("Any country"),
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
