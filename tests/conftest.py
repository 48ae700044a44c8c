"""The cast of every test: an editor, a publisher and an outsider."""

import pytest
from django.contrib.auth.models import Permission

from tests.factories import UserFactory


def _grant(user, *codenames):
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    """Pages and API reads are rendered afresh in every test, whatever the
    environment says, so that the pinned query counts count what a view costs;
    tests/test_cache.py turns the cache on where it is the subject. The cache
    itself is this process's memory, emptied for each test, not the files or
    the Redis a running site shares."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "serantau-tests",
        }
    }
    settings.CACHE_SECONDS = 0
    from django.core.cache import cache

    cache.clear()


CURATED = ["topic", "actor", "actoralias", "meeting", "participation", "article"]
CURATED += ["commitment", "complianceassessment", "annotation", "mention"]


@pytest.fixture
def editor(db):
    """Staff who may add, change and view every curated record, but not publish."""
    user = UserFactory(username="editor", is_staff=True)
    _grant(
        user,
        *(
            f"{action}_{model}"
            for model in CURATED
            for action in ("add", "change", "view")
        ),
    )
    return user


@pytest.fixture
def publisher(db):
    """An editor who may also publish and delete."""
    user = UserFactory(username="publisher", is_staff=True)
    _grant(
        user,
        *(
            f"{action}_{model}"
            for model in CURATED
            for action in ("add", "change", "view", "delete", "publish")
        ),
    )
    return user


@pytest.fixture
def outsider(db):
    """A signed-up user with no staff access and no permissions."""
    return UserFactory(username="outsider")


@pytest.fixture
def seed_corpus(db):
    """The curated records of the five seed documents, loaded from fixtures/."""
    from django.core.management import call_command

    call_command("loaddata", "seed_corpus", verbosity=0)


@pytest.fixture
def desk(seed_corpus):
    """The curated actors and meetings of the seed corpus, and no articles: the
    desk an editor imports new articles into."""
    from briefings.models import (
        Annotation,
        Article,
        Commitment,
        ComplianceAssessment,
        Mention,
    )

    ComplianceAssessment.objects.all().delete()
    Commitment.objects.all().delete()
    Annotation.objects.all().delete()
    Mention.objects.all().delete()
    Article.objects.all().delete()
