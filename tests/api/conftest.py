"""API clients for the cast, and a throttle that starts afresh in every test."""

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

# The corpus the page crawl reads, with a draft wired to a published record in
# every way editors can wire them; the API is read against the same records.
from tests.test_no_draft_leaks import corpus  # noqa: F401


@pytest.fixture(autouse=True)
def fresh_throttle():
    """The throttles count requests in the cache; one test's requests must not
    count against the next test's allowance."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    """An anonymous client."""
    return APIClient()


def client_with_token(user) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def editor_client(editor) -> APIClient:
    return client_with_token(editor)


@pytest.fixture
def publisher_client(publisher) -> APIClient:
    return client_with_token(publisher)


@pytest.fixture
def outsider_client(outsider) -> APIClient:
    return client_with_token(outsider)


def if_match(record) -> dict[str, str]:
    """The If-Match a client sends after reading `record`: its current ETag."""
    record.refresh_from_db(fields=["version"])
    return {"HTTP_IF_MATCH": f'"{record.version}"'}
