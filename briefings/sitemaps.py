"""The sitemap: every published record's page, and the list pages.

/sitemap.xml is an index of sections, each split into pages of LIMIT URLs: a
desk of 100,000 articles would pass the 50,000 URLs one file may hold, and
one page of every record would take a second to render. The index costs a
count and a latest-change query per section; a page costs a count and its
rows, fetching only the columns its URL and lastmod need.
"""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from briefings.models import Actor, ActorKind, Article, Commitment, Meeting, Topic


class PublishedSitemap(Sitemap):
    """Published records of one model; lastmod is the record's last change."""

    queryset = None
    # The columns get_absolute_url reads, besides the slug.
    url_fields: tuple[str, ...] = ()
    limit = 1000

    def items(self):
        return (
            self.queryset.published()
            .only("slug", "updated_at", *self.url_fields)
            .order_by("pk")
        )

    def lastmod(self, item):
        return item.updated_at

    def get_latest_lastmod(self):
        # Django's default reads every item to find the latest; the index
        # asks the database instead.
        return self.queryset.published().aggregate(latest=Max("updated_at"))["latest"]


class MeetingSitemap(PublishedSitemap):
    queryset = Meeting.objects.all()
    changefreq = "weekly"
    priority = 0.8


class ArticleSitemap(PublishedSitemap):
    queryset = Article.objects.all()
    changefreq = "monthly"
    priority = 0.6


class ActorSitemap(PublishedSitemap):
    """People and organisations; countries have a section of their own."""

    queryset = Actor.objects.exclude(kind=ActorKind.COUNTRY)
    url_fields = ("kind",)
    changefreq = "weekly"
    priority = 0.6


class CountrySitemap(PublishedSitemap):
    queryset = Actor.objects.countries()
    url_fields = ("kind",)
    changefreq = "weekly"
    priority = 0.6


class CommitmentSitemap(PublishedSitemap):
    queryset = Commitment.objects.all()
    changefreq = "weekly"
    priority = 0.7


class TopicSitemap(PublishedSitemap):
    queryset = Topic.objects.all()
    changefreq = "weekly"
    priority = 0.5


class ListPageSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.5

    def items(self):
        return [
            "home",
            "meeting-list",
            "commitment-tracker",
            "actor-list",
            "country-list",
            "topic-list",
            "article-list",
            "timeline",
            "search",
        ]

    def location(self, name):
        return reverse(name)


sitemaps = {
    "pages": ListPageSitemap,
    "meetings": MeetingSitemap,
    "commitments": CommitmentSitemap,
    "articles": ArticleSitemap,
    "actors": ActorSitemap,
    "countries": CountrySitemap,
    "topics": TopicSitemap,
}
