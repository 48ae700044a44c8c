from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BriefingsConfig(AppConfig):
    name = "briefings"
    verbose_name = _("Briefings")

    def ready(self) -> None:
        # Registers every curated model with django-reversion, so that the API,
        # the importers and commands keep history without the admin loaded.
        from briefings import history  # noqa: F401

        # Every change to a curated record, in any process, empties the page
        # and API cache (briefings/cache.py).
        from briefings.cache import connect_signals

        connect_signals()

        # A restored old version moves the record's version number on.
        from django.db.models.signals import pre_save

        from briefings.models import keep_versions_moving_on

        pre_save.connect(keep_versions_moving_on, dispatch_uid="briefings.versions")
