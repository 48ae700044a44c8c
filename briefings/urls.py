from collections.abc import Callable

from django.contrib.sitemaps import views as sitemap_views
from django.urls import URLPattern, path
from django.views.generic import TemplateView

from briefings import feeds, views
from briefings.cache import public_page
from briefings.sitemaps import sitemaps


def page(route: str, view: Callable, *args, **kwargs) -> URLPattern:
    """A public page: anonymous readers are served it from the cache."""
    return path(route, public_page(view), *args, **kwargs)


urlpatterns = [
    page("", views.home, name="home"),
    page("meetings/", views.MeetingList.as_view(), name="meeting-list"),
    page("meetings/<slug:slug>/", views.meeting_detail, name="meeting-detail"),
    page("actors/", views.ActorList.as_view(), name="actor-list"),
    page("actors/<slug:slug>/", views.actor_detail, name="actor-detail"),
    page("countries/", views.CountryList.as_view(), name="country-list"),
    page("countries/<slug:slug>/", views.country_detail, name="country-detail"),
    page("topics/", views.TopicList.as_view(), name="topic-list"),
    page("topics/<slug:slug>/", views.topic_detail, name="topic-detail"),
    page("commitments/", views.commitment_tracker, name="commitment-tracker"),
    page("commitments/<slug:slug>/", views.commitment_detail, name="commitment-detail"),
    page("articles/", views.ArticleList.as_view(), name="article-list"),
    page("articles/<slug:slug>/", views.article_detail, name="article-detail"),
    page("search/", views.search, name="search"),
    page("timeline/", views.timeline, name="timeline"),
    page("feeds/briefings.rss", feeds.BriefingsFeed(), name="feed-briefings-rss"),
    page("feeds/briefings.atom", feeds.BriefingsAtomFeed(), name="feed-briefings-atom"),
    page("feeds/articles.rss", feeds.ArticlesFeed(), name="feed-articles-rss"),
    page("feeds/articles.atom", feeds.ArticlesAtomFeed(), name="feed-articles-atom"),
    page(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": sitemaps, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    page(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": sitemaps},
        name="sitemap-section",
    ),
    page(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
]
