"""API-only filter pieces; the FilterSets themselves live in briefings.filters."""

from django.db.models import Model
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.settings import api_settings

from briefings import search
from briefings.filters import CommitmentFilter


def _listed_model(view) -> type[Model] | None:
    serializer = getattr(view, "serializer_class", None)
    return getattr(getattr(serializer, "Meta", None), "model", None)


class FullTextSearchFilter(SearchFilter):
    """`search`: the ranked full-text search of the search page, on the lists
    of meetings, actors, commitments and articles (briefings.search); on the
    other lists, DRF's match of the words within the view's `search_fields`.

    Ranked lists come best first unless `ordering` says otherwise
    (StrictOrderingFilter leaves them so).
    """

    full_text_description = format_lazy(
        gettext_lazy(
            "Words to look for. Each is matched in the language of the text (on "
            'PostgreSQL "commitments" also finds "commitment", "pertahanannya" '
            '"pertahanan"); a phrase in double quotes, a minus before a word to '
            "exclude it, `or` between alternatives; the last word also matches as "
            "a prefix. Without `ordering`, the best matches come first, ranked "
            "among the newest {candidates}; with it, every match is listed in "
            "that order."
        ),
        candidates=search.RANK_CANDIDATES,
    )

    def filter_queryset(self, request, queryset, view):
        if not search.supports(queryset.model):
            return super().filter_queryset(request, queryset, view)
        text = request.query_params.get(self.search_param, "")
        if not text.strip():
            return queryset
        # An explicit order needs every match, unranked.
        ranked = not request.query_params.get(api_settings.ORDERING_PARAM)
        return search.matching(queryset, text, ranked=ranked, user=request.user)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        model = _listed_model(view)
        if model is not None and search.supports(model):
            for parameter in parameters:
                parameter["description"] = str(self.full_text_description)
        return parameters


class StrictOrderingFilter(OrderingFilter):
    """Answer 400 for an unknown ordering field instead of ignoring it.

    A client that mistypes `ordering=-strat` should learn so, not receive a
    list in some other order that looks right.
    """

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if not params and search.RANK in queryset.query.annotations:
            # Ranked by FullTextSearchFilter: keep the best match first.
            return None
        if params:
            fields = [param.strip() for param in params.split(",") if param.strip()]
            valid = {name for name, _label in self.get_valid_fields(queryset, view)}
            unknown = [f for f in fields if f.lstrip("-") not in valid]
            if unknown:
                raise ValidationError(
                    {
                        self.ordering_param: _(
                            "Unknown field %(fields)s; order by one of %(valid)s."
                        )
                        % {
                            "fields": ", ".join(unknown),
                            "valid": ", ".join(sorted(valid)),
                        }
                    }
                )
        return super().get_ordering(request, queryset, view)


class CommitmentApiFilter(CommitmentFilter):
    class Meta(CommitmentFilter.Meta):
        fields = [*CommitmentFilter.Meta.fields, "status"]
