from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import DefaultRouter

from briefings.api import views
from briefings.api.search import SearchView

router = DefaultRouter()
router.register("articles", views.ArticleViewSet, basename="article")
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("actors", views.ActorViewSet, basename="actor")
router.register("commitments", views.CommitmentViewSet, basename="commitment")
router.register("assessments", views.AssessmentViewSet, basename="assessment")
router.register("annotations", views.AnnotationViewSet, basename="annotation")
router.register("mentions", views.MentionViewSet, basename="mention")
router.register("topics", views.TopicViewSet, basename="topic")

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file, which the
    # Content Security Policy allows (an inline one it refuses).
    path(
        "docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"
    ),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("search/", SearchView.as_view(), name="search"),
    path("", include(router.urls)),
]
