"""The floor under the API's meeting list: the same JSON without DRF.

GET /api/v1/meetings/?page_size=50 answers 50 meetings with their
participants (and each participant's actor) and commitments nested. This view
answers the same page from the same prefetched rows — the queryset
MeetingViewSet.get_queryset builds, in its order, paginated by Django's
Paginator as DRF's pagination does, links concealed by the same `conceal` —
but builds plain dicts by hand and dumps them with json, as a hand-written
Django view would. What the API costs above this is what the serializers,
the renderer and the view machinery add; the benchmark (benchmarks/run.py)
checks that both answer the same `results` before it times them.

Served only by the benchmark's urlconf (benchmarks/urls.py), never by the site.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone

from briefings.api.views import MeetingViewSet
from briefings.models import Meeting, conceal

PAGE_SIZE = 50


def meeting_queryset(request: HttpRequest) -> QuerySet[Meeting]:
    """The viewset's own queryset for a list, in its default order."""
    viewset = MeetingViewSet(request=request, action="list", format_kwarg=None)
    return viewset.get_queryset().order_by(*MeetingViewSet.ordering)


def moment(value) -> str | None:
    """A datetime as DRF writes it: ISO 8601 in the current time zone."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def precision(value) -> str | None:
    return value.precision.value if value else None


def prefix(view_name: str) -> str:
    """The path of a record's URL up to its slug, resolved once per page."""
    return reverse(view_name, kwargs={"slug": "-"})[:-2]


def meetings(request: HttpRequest) -> JsonResponse:
    page = Paginator(meeting_queryset(request), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    user = request.user
    rows = list(page.object_list)
    conceal(user, rows, "country", "reports_to")
    for meeting in rows:
        conceal(user, meeting.participations.all(), "represents")

    origin = request.build_absolute_uri("/")[:-1]
    meeting_api = origin + prefix("api:meeting-detail")
    meeting_page = origin + prefix("meeting-detail")
    actor_api = origin + prefix("api:actor-detail")
    commitment_api = origin + prefix("api:commitment-detail")

    results = []
    for meeting in rows:
        country = meeting.country
        reports_to = meeting.reports_to
        results.append(
            {
                "url": f"{meeting_api}{meeting.slug}/",
                "page_url": f"{meeting_page}{meeting.slug}/",
                "slug": meeting.slug,
                "name": meeting.name,
                "short_name": meeting.short_name,
                "name_local": meeting.name_local,
                "series": meeting.series,
                "edition": meeting.edition,
                "level": meeting.level,
                "format": meeting.format,
                "state": meeting.state,
                "start": str(meeting.start),
                "start_precision": precision(meeting.start),
                "end": str(meeting.end),
                "end_precision": precision(meeting.end),
                "date_note": meeting.date_note,
                "venue": meeting.venue,
                "city": meeting.city,
                "country": country.slug if country else None,
                "country_code": country.iso_code if country else None,
                "reports_to": reports_to.slug if reports_to else None,
                "topics": [topic.slug for topic in meeting.topics.all()],
                "summary": meeting.summary,
                "participants": [
                    {
                        "actor": {
                            "url": f"{actor_api}{p.actor.slug}/",
                            "slug": p.actor.slug,
                            "name": p.actor.name,
                            "kind": p.actor.kind,
                            "iso_code": p.actor.iso_code,
                        },
                        "role": p.role,
                        "represents": p.represents.slug if p.represents else None,
                        "note": p.note,
                    }
                    for p in meeting.participations.all()
                ],
                "commitments": [
                    {
                        "url": f"{commitment_api}{c.slug}/",
                        "slug": c.slug,
                        "title": c.title,
                        "kind": c.kind,
                        "standing": c.standing,
                    }
                    for c in meeting.commitments.all()
                ],
                "status": meeting.status,
                "published_at": moment(meeting.published_at),
                "created_at": moment(meeting.created_at),
                "updated_at": moment(meeting.updated_at),
                "version": meeting.version,
            }
        )

    def link(number: int) -> str:
        return request.build_absolute_uri(f"?page={number}&page_size={PAGE_SIZE}")

    return JsonResponse(
        {
            "count": page.paginator.count,
            "next": link(page.next_page_number()) if page.has_next() else None,
            "previous": link(page.previous_page_number())
            if page.has_previous()
            else None,
            "results": results,
        },
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )
