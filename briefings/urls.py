from django.contrib.sitemaps.views import sitemap
from django.urls import path
from django.views.generic import TemplateView

from briefings import feeds, views
from briefings.sitemaps import sitemaps

urlpatterns = [
    path("", views.home, name="home"),
    path("meetings/", views.MeetingList.as_view(), name="meeting-list"),
    path("meetings/<slug:slug>/", views.meeting_detail, name="meeting-detail"),
    path("actors/", views.ActorList.as_view(), name="actor-list"),
    path("actors/<slug:slug>/", views.actor_detail, name="actor-detail"),
    path("countries/", views.CountryList.as_view(), name="country-list"),
    path("countries/<slug:slug>/", views.country_detail, name="country-detail"),
    path("topics/", views.TopicList.as_view(), name="topic-list"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic-detail"),
    path("commitments/", views.commitment_tracker, name="commitment-tracker"),
    path("commitments/<slug:slug>/", views.commitment_detail, name="commitment-detail"),
    path("articles/", views.ArticleList.as_view(), name="article-list"),
    path("articles/<slug:slug>/", views.article_detail, name="article-detail"),
    path("search/", views.search, name="search"),
    path("timeline/", views.timeline, name="timeline"),
    path("feeds/briefings.rss", feeds.BriefingsFeed(), name="feed-briefings-rss"),
    path("feeds/briefings.atom", feeds.BriefingsAtomFeed(), name="feed-briefings-atom"),
    path("feeds/articles.rss", feeds.ArticlesFeed(), name="feed-articles-rss"),
    path("feeds/articles.atom", feeds.ArticlesAtomFeed(), name="feed-articles-atom"),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps}, name="sitemap"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
]
