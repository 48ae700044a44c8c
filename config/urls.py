from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Serantau editorial desk")
admin.site.site_title = _("Serantau")
admin.site.index_title = _("Curated briefings")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("briefings.api.urls")),
    path("", include("briefings.urls")),
]
