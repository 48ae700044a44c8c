"""The site's URLs plus the floor view, for the benchmark process only."""

from django.urls import path

from benchmarks import floor
from config.urls import urlpatterns as site

urlpatterns = [
    path("bench/floor/meetings/", floor.meetings, name="bench-floor-meetings"),
    *site,
]
