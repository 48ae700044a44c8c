"""API-only filter pieces; the FilterSets themselves live in briefings.filters."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

from briefings.filters import CommitmentFilter


class StrictOrderingFilter(OrderingFilter):
    """Answer 400 for an unknown ordering field instead of ignoring it.

    A client that mistypes `ordering=-strat` should learn so, not receive a
    list in some other order that looks right.
    """

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
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
