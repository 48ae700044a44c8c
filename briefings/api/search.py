"""GET /api/v1/search/: the search page's ranked results, all kinds in one list.

briefings.search does the work, with the same visibility rule as the pages:
anonymous clients find published records only. The lists' own `search`
parameter (briefings.api.filters.FullTextSearchFilter) runs the same search on
one kind, with that list's filters and pages.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from briefings import search
from briefings.cache import api_read

KIND_CHOICES = [(name, name) for name in search.KINDS]


class QueryField(serializers.CharField):
    """The words as typed; control characters, NUL included, are dropped rather
    than refused, as the search page does."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = search.CONTROL.sub(" ", data)
        return super().to_internal_value(data)


class SearchParameters(serializers.Serializer):
    q = QueryField(
        allow_blank=True,
        trim_whitespace=True,
        help_text=_(
            "Words to look for. Each is matched in the language of the text (on "
            'PostgreSQL "commitments" also finds "commitment", "pertahanannya" '
            '"pertahanan"); a phrase in double quotes, a minus before a word to '
            "exclude it, `or` between alternatives; the last word also matches as "
            "a prefix. Only the first 200 characters are read."
        ),
    )
    kind = serializers.MultipleChoiceField(
        choices=KIND_CHOICES,
        required=False,
        help_text=_(
            "Only these kinds of record (repeat the parameter); all four by default."
        ),
    )
    limit = serializers.IntegerField(
        min_value=1,
        max_value=100,
        default=20,
        help_text=_("How many results, best first."),
    )


class SearchHitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KIND_CHOICES)
    slug = serializers.SlugField()
    title = serializers.CharField(help_text=_("The name or title of the record."))
    url = serializers.URLField(help_text=_("The record in this API."))
    page_url = serializers.URLField(help_text=_("The record's public page."))
    snippet = serializers.CharField(
        help_text=_(
            "HTML: the passage that matched (an article's text, a meeting's "
            "summary, an actor's aliases, a commitment's statement), escaped, "
            "with the matching words in <mark> elements and no other markup. "
            "Empty when the record has no such passage."
        )
    )
    rank = serializers.FloatField(
        help_text=_(
            "How well the record matches, between 0 and 1, higher first. "
            "Comparable within a kind, roughly across kinds."
        )
    )


class SearchResultsSerializer(serializers.Serializer):
    query = serializers.CharField(help_text=_("The query as it was searched."))
    count = serializers.IntegerField()
    results = SearchHitSerializer(many=True)


class SearchView(APIView):
    # Anyone may search; search() shows each user only what they may see.
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="search",
        summary=_("Search all records"),
        description=_(
            "Ranked full-text search over meetings (names, series, summary), "
            "actors (names, aliases, positions), commitments (title, statement, "
            "summary) and articles (title, summary, text): the results of the "
            "search page, best first across kinds."
        ),
        parameters=[SearchParameters],
        responses=SearchResultsSerializer,
        examples=[
            OpenApiExample(
                "An alias",
                value={
                    "query": "khaled",
                    "count": 1,
                    "results": [
                        {
                            "kind": "actor",
                            "slug": "mohamed-khaled-nordin",
                            "title": "Mohamed Khaled Nordin",
                            "url": "https://example.org/api/v1/actors/mohamed-khaled-nordin/",
                            "page_url": "https://example.org/actors/mohamed-khaled-nordin/",
                            "snippet": "Mohamed <mark>Khaled</mark> bin Nordin",
                            "rank": 0.75,
                        }
                    ],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        return api_read(request, self._search)

    def _search(self, request: Request) -> Response:
        parameters = SearchParameters(data=request.query_params)
        parameters.is_valid(raise_exception=True)
        found = search.search(
            parameters.validated_data["q"],
            user=request.user,
            kinds=parameters.validated_data.get("kind") or None,
            limit=parameters.validated_data["limit"],
            mixed=True,
        )
        results = [
            {
                "kind": hit.kind,
                "slug": hit.record.slug,
                "title": getattr(hit.record, search.KINDS[hit.kind].title_field),
                "url": request.build_absolute_uri(
                    reverse(f"api:{hit.kind}-detail", kwargs={"slug": hit.record.slug})
                ),
                "page_url": request.build_absolute_uri(hit.record.get_absolute_url()),
                "snippet": str(hit.snippet),
                "rank": hit.rank,
            }
            for hit in found.hits
        ]
        return Response(
            SearchResultsSerializer(
                {"query": found.query.text, "count": len(results), "results": results}
            ).data
        )
