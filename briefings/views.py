"""Public briefing pages.

Every page reads through `visible_to(request.user)`: anonymous readers see
published records only, staff preview drafts under a banner. Links from a
visible record to a hidden one (a published meeting's draft country, say) are
dropped by `conceal()` before the template sees them, so no template has to
remember the rule.
"""

from __future__ import annotations

from collections import defaultdict

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView

from briefings import charts
from briefings import search as full_text
from briefings.filters import CommitmentFilter
from briefings.highlighting import segments
from briefings.models import (
    Actor,
    ActorKind,
    AnchorState,
    Annotation,
    Article,
    Commitment,
    Meeting,
    Participation,
    ParticipationRole,
    Standing,
    Topic,
    conceal,
    visible_q,
)

PAGE_SIZE = 25


def get_visible(queryset, user, **lookup):
    try:
        return queryset.visible_to(user).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404(_("No such record.")) from None


def paginate(request: HttpRequest, queryset, per_page: int = PAGE_SIZE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    meetings = Meeting.objects.visible_to(user).for_listing()
    latest = list(meetings.exclude(state="announced")[:8])
    upcoming = list(meetings.upcoming().order_by("start", "name")[:8])
    conceal(user, latest + upcoming, "country")
    open_commitments = list(
        Commitment.objects.visible_to(user)
        .open()
        .for_listing(user)
        .order_by("deadline", "pk")[:8]
    )
    conceal(user, open_commitments, "meeting", "source_article")
    return render(
        request,
        "briefings/home.html",
        {
            "latest_meetings": latest,
            "upcoming_meetings": upcoming,
            "open_commitments": open_commitments,
            "timeline_svg": charts.meeting_timeline(meetings.count_by_year()),
        },
    )


class PublicListView(ListView):
    """A paginated list of the records the reader may see."""

    paginate_by = PAGE_SIZE
    conceal_paths: tuple[str, ...] = ()

    def base_queryset(self):
        raise NotImplementedError

    def get_queryset(self):
        return self.base_queryset().visible_to(self.request.user)

    def paginate_queryset(self, queryset, page_size):
        # A mistyped or stale ?page= shows a page (the first or the last), as the
        # function views' paginate() does, instead of ListView's 404.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        conceal(self.request.user, context["object_list"], *self.conceal_paths)
        return context


class MeetingList(PublicListView):
    template_name = "briefings/meeting_list.html"
    conceal_paths = ("country",)

    def base_queryset(self):
        return Meeting.objects.for_listing()


def meeting_detail(request: HttpRequest, slug: str) -> HttpResponse:
    user = request.user
    meeting = get_visible(Meeting.objects.for_briefing_page(user), user, slug=slug)
    conceal(
        user,
        [meeting],
        "country",
        "reports_to",
        "reports_to.reports_to",
        "reports_to.reports_to.reports_to",
    )
    participations = list(meeting.participations.all())
    conceal(user, participations, "represents")
    commitments = list(meeting.commitments.all())
    conceal(user, commitments, "source_article")
    conceal(user, meeting.articles.all(), "outlet")
    # The chain upwards, as far as the reader may follow it.
    chain = []
    parent = meeting.reports_to
    while parent is not None and len(chain) < 3:
        chain.append(parent)
        parent = parent.reports_to
    quotes = list(meeting.annotations.all())
    commitment_quotes = _quotes_by_commitment(commitments, meeting.articles.all())
    return render(
        request,
        "briefings/meeting_detail.html",
        {
            "meeting": meeting,
            "preview": not meeting.is_published,
            "chain": chain,
            "reporting_meetings": meeting.reporting_meetings.all(),
            "participants_by_role": _group_by_role(participations),
            "commitments": [(c, commitment_quotes.get(c.pk, [])) for c in commitments],
            "articles": meeting.articles.all(),
            "topics": meeting.topics.all(),
            "quotes": quotes,
        },
    )


def _group_by_role(participations: list[Participation]) -> list[tuple[str, list]]:
    """Participants in role order: host and chair first, observers last."""
    groups: dict[str, list[Participation]] = defaultdict(list)
    for participation in participations:
        groups[participation.role].append(participation)
    return [
        (label, groups[role])
        for role, label in ParticipationRole.choices
        if role in groups
    ]


def _quotes_by_commitment(commitments, articles) -> dict[int, list]:
    """Supporting quotes of each commitment, from the articles the reader may see."""
    visible_articles = {a.pk for a in articles} | {
        # conceal() blanks a hidden source article through its id: the
        # non-nullable relation itself would raise rather than return None.
        c.source_article_id
        for c in commitments
        if c.source_article_id is not None
    }
    quotes: dict[int, list] = defaultdict(list)
    annotations = Annotation.objects.filter(
        commitment__in=[c.pk for c in commitments], article__in=visible_articles
    ).select_related("article")
    for annotation in annotations:
        quotes[annotation.commitment_id].append(annotation)
    return quotes


class ActorList(PublicListView):
    template_name = "briefings/actor_list.html"
    conceal_paths = ("country",)

    def base_queryset(self):
        actors = Actor.objects.exclude(kind=ActorKind.COUNTRY).select_related("country")
        kind = self.request.GET.get("kind")
        if kind in (ActorKind.PERSON, ActorKind.ORGANISATION):
            actors = actors.filter(kind=kind)
        return actors

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["kind"] = self.request.GET.get("kind", "")
        return context


class CountryList(PublicListView):
    template_name = "briefings/country_list.html"

    def base_queryset(self):
        return Actor.objects.countries().order_by("-is_asean_member", "name")


def actor_detail(request: HttpRequest, slug: str) -> HttpResponse:
    user = request.user
    actor = get_visible(Actor.objects.for_actor_page(user), user, slug=slug)
    if actor.kind == ActorKind.COUNTRY:
        return redirect("country-detail", slug=actor.slug, permanent=True)
    conceal(user, [actor], "country", "parent")
    participations = list(actor.participations.all())
    conceal(user, participations, "meeting.country", "represents")
    # The first page, and whether there is more; the tracker lists them all.
    commitments = list(
        Commitment.objects.visible_to(user)
        .filter(actors=actor)
        .for_listing(user)[: PAGE_SIZE + 1]
    )
    more_commitments = len(commitments) > PAGE_SIZE
    commitments = commitments[:PAGE_SIZE]
    conceal(user, commitments, "meeting", "source_article")
    return render(
        request,
        "briefings/actor_detail.html",
        {
            "more_commitments": more_commitments,
            "actor": actor,
            "preview": not actor.is_published,
            "aliases": actor.aliases.all(),
            "participations_by_role": _group_by_role(participations),
            "commitments": commitments,
            "quotes": actor.annotations.all(),
            "units": actor.units.all(),
        },
    )


def country_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A country, and everything that happened there or involved it or its people."""
    user = request.user
    country = get_visible(Actor.objects.countries().for_country_page(), user, slug=slug)
    meetings = paginate(
        request,
        Meeting.objects.visible_to(user)
        .involving(country)
        .for_listing()
        .order_by("-start", "name"),
    )
    conceal(user, meetings.object_list, "country")
    # The first page only; the tracker, filtered by the country, lists them all.
    all_commitments = Commitment.objects.visible_to(user).made_by_country(country)
    commitments = list(
        all_commitments.for_listing(user).order_by("deadline", "pk")[:PAGE_SIZE]
    )
    commitment_count = all_commitments.count()
    conceal(user, commitments, "meeting", "source_article")
    people_and_organisations = (
        Actor.objects.visible_to(user).filter(country=country).order_by("kind", "name")
    )
    return render(
        request,
        "briefings/country_detail.html",
        {
            "country": country,
            "preview": not country.is_published,
            "meetings": meetings,
            "commitments": commitments,
            "commitment_count": commitment_count,
            "nationals": people_and_organisations,
            # Those from the newest articles: a country is quoted thousands of times.
            "quotes": Annotation.objects.filter(
                visible_q(user, "article__"), actor=country
            ).select_related("article")[:PAGE_SIZE],
        },
    )


class TopicList(PublicListView):
    template_name = "briefings/topic_list.html"

    def base_queryset(self):
        return Topic.objects.all()


def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    user = request.user
    topic = get_visible(Topic.objects, user, slug=slug)
    meetings = list(
        Meeting.objects.visible_to(user).filter(topics=topic).for_listing()[:PAGE_SIZE]
    )
    conceal(user, meetings, "country")
    commitments = list(
        Commitment.objects.visible_to(user)
        .filter(topics=topic)
        .for_listing(user)
        .order_by("deadline", "pk")[:PAGE_SIZE]
    )
    conceal(user, commitments, "meeting", "source_article")
    articles = list(
        Article.objects.visible_to(user).filter(topics=topic).for_listing()[:PAGE_SIZE]
    )
    conceal(user, articles, "outlet")
    return render(
        request,
        "briefings/topic_detail.html",
        {
            "topic": topic,
            "preview": not topic.is_published,
            "meetings": meetings,
            "commitments": commitments,
            "articles": articles,
        },
    )


TRACKER_SLUG_FILTERS = ("actor", "meeting")


def commitment_tracker(request: HttpRequest) -> HttpResponse:
    user = request.user
    visible = Commitment.objects.visible_to(user)
    filterset = CommitmentFilter(request.GET, queryset=visible, request=request)
    # Actors and meetings run to thousands: a <select> of every one cost more
    # than the rest of the page. The tracker takes their slug as text instead.
    for name in TRACKER_SLUG_FILTERS:
        filterset.form.fields[name].widget = forms.TextInput(
            attrs={"placeholder": _("slug"), "spellcheck": "false"}
        )
    # The filters' joins may repeat a row, so the filter set answers DISTINCT;
    # as a subquery of ids it leaves the page itself a plain indexed scan.
    commitments = (
        Commitment.objects.filter(pk__in=filterset.qs.values("pk"))
        .for_listing(user)
        .order_by("deadline", "pk")
    )
    counts = dict(
        filterset.qs.order_by()
        .values_list("standing")
        .annotate(n=Count("pk", distinct=True))
    )
    page = paginate(request, commitments)
    conceal(user, page.object_list, "meeting", "source_article")
    by_standing = [(label, counts.get(value, 0)) for value, label in Standing.choices]
    return render(
        request,
        "briefings/commitment_tracker.html",
        {
            "filter": filterset,
            "page_obj": page,
            "counts": by_standing,
            "chart_svg": charts.bar_chart(
                by_standing, title=_("Commitments by standing")
            ),
        },
    )


def commitment_detail(request: HttpRequest, slug: str) -> HttpResponse:
    user = request.user
    commitment = get_visible(
        Commitment.objects.for_commitment_page(user), user, slug=slug
    )
    conceal(user, [commitment], "meeting", "source_article")
    assessments = list(commitment.assessments.all())
    conceal(user, assessments, "actor", "evidence_article")
    return render(
        request,
        "briefings/commitment_detail.html",
        {
            "commitment": commitment,
            "preview": not commitment.is_published,
            "quotes": commitment.annotations.all(),
            "assessments": assessments,
        },
    )


class ArticleList(PublicListView):
    template_name = "briefings/article_list.html"
    conceal_paths = ("outlet",)

    def base_queryset(self):
        return Article.objects.for_listing()


def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    user = request.user
    article = get_visible(Article.objects.for_reader(user), user, slug=slug)
    conceal(user, [article], "outlet")
    annotations = list(article.annotations.all())
    conceal(user, annotations, "actor", "meeting", "commitment")
    commitments = list(article.commitments.all())
    conceal(user, commitments, "meeting")
    return render(
        request,
        "briefings/article_detail.html",
        {
            "article": article,
            "preview": not article.is_published,
            "annotations": annotations,
            # A quote that lost its place in a corrected text is listed, not
            # highlighted over words it may no longer match.
            "segments": segments(
                article.body,
                [a for a in annotations if a.anchor_state == AnchorState.ANCHORED],
            ),
            "meetings": article.meetings.all(),
            "actors": article.actors.all(),
            "topics": article.topics.all(),
            "commitments": commitments,
        },
    )


SEARCH_LIMIT = 20


def search(request: HttpRequest) -> HttpResponse:
    """Ranked full-text search of meetings, actors, commitments and articles.

    briefings.search does the work, for the API too: the best SEARCH_LIMIT of
    each kind that the reader may see, each with the passage that matched.
    """
    query = request.GET.get("q", "").strip()[: full_text.MAX_QUERY_LENGTH]
    results = full_text.search(query, user=request.user, limit=SEARCH_LIMIT)
    return render(
        request,
        "briefings/search.html",
        {"query": query, "results": results, "total": results.total},
    )


def timeline(request: HttpRequest) -> HttpResponse:
    user = request.user
    meetings = Meeting.objects.visible_to(user).for_listing().order_by("start", "name")
    page = paginate(request, meetings)
    conceal(user, page.object_list, "country")
    return render(
        request,
        "briefings/timeline.html",
        {
            "page_obj": page,
            "timeline_svg": charts.meeting_timeline(
                Meeting.objects.visible_to(user).count_by_year()
            ),
        },
    )
