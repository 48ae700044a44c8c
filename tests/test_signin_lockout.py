"""The admin sign-in's lockout: five failed attempts for one username from one
address pause that username there, even with the right password."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory

from briefings.signin import client_ip

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # tests/factories.py's UserFactory
LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def quick_password_hashing(settings):
    # Every attempt hashes a password; the cheapest hasher keeps these fast.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sign_in(client, username, password=PASSWORD, **headers):
    return client.post(
        f"{LOGIN}?next=/admin/",
        {"username": username, "password": password},
        **headers,
    )


def fail(client, username, times, **headers):
    for _ in range(times):
        sign_in(client, username, "wrong password", **headers)


def test_a_right_password_signs_in(client, editor):
    response = sign_in(client, "editor")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_four_failures_still_let_the_right_password_in(client, editor):
    fail(client, "editor", 4)
    assert sign_in(client, "editor").status_code == 302


def test_after_five_failures_even_the_right_password_is_refused(client, editor):
    fail(client, "editor", 5)
    response = sign_in(client, "editor")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_says_why_and_for_how_long_in_the_admins_look(client, editor):
    fail(client, "editor", 5)
    response = sign_in(client, "editor")
    page = response.content.decode()
    assert response.status_code == 429
    assert "Too many failed sign-ins" in page
    assert "Signing in is paused after 5 failed attempts." in page
    assert "Sign-ins as “editor” from this address are refused" in page
    assert "for 15 minutes" in page
    # The admin's header and stylesheet, not a bare line of text.
    assert "Serantau editorial desk" in page
    assert "admin/css/base.css" in page


def test_a_success_starts_the_count_again(client, editor):
    fail(client, "editor", 4)
    assert sign_in(client, "editor").status_code == 302
    client.logout()
    fail(client, "editor", 4)
    assert sign_in(client, "editor").status_code == 302


def test_another_user_at_the_same_address_is_unaffected(client, editor, publisher):
    fail(client, "editor", 5)
    assert sign_in(client, "editor").status_code == 429
    assert sign_in(client, "publisher").status_code == 302


def test_the_same_user_from_another_address_is_unaffected(client, editor):
    fail(client, "editor", 5, REMOTE_ADDR="198.51.100.7")
    assert sign_in(client, "editor", REMOTE_ADDR="198.51.100.7").status_code == 429
    assert sign_in(client, "editor", REMOTE_ADDR="198.51.100.8").status_code == 302


def test_the_pause_ends_after_the_cool_off(client, editor):
    fail(client, "editor", 5)
    assert sign_in(client, "editor").status_code == 429
    # Sixteen minutes later.
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )
    assert sign_in(client, "editor").status_code == 302


def test_the_cool_off_is_the_configured_one(client, editor, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=1)
    fail(client, "editor", 5)
    response = sign_in(client, "editor")
    assert "for 1 minute." in response.content.decode()
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=2)
    )
    assert sign_in(client, "editor").status_code == 302


def test_attempts_for_a_username_nobody_has_are_limited_too(client):
    fail(client, "nobody", 5)
    assert sign_in(client, "nobody", "anything").status_code == 429


def test_a_forged_x_forwarded_for_does_not_dodge_the_lockout_in_development(
    client, editor
):
    for number in range(5):
        sign_in(
            client,
            "editor",
            "wrong password",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{number}",
        )
    response = sign_in(client, "editor", HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert response.status_code == 429
    assert AccessAttempt.objects.get().ip_address == "127.0.0.1"


def test_an_unlocked_user_signs_in_again(client, editor):
    from django.core.management import call_command

    fail(client, "editor", 5)
    call_command("axes_reset_username", "editor", verbosity=0)
    assert sign_in(client, "editor").status_code == 302


# The client's address behind the production proxy ------------------------------


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXY_IPS = ["127.0.0.1", "::1"]


def request_from(remote_addr, forwarded=None):
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post(LOGIN, **headers)


def test_behind_the_proxy_the_client_is_the_address_the_proxy_heard(
    behind_proxy,
):
    assert client_ip(request_from("127.0.0.1", "198.51.100.7")) == "198.51.100.7"


def test_behind_the_proxy_what_the_client_wrote_itself_is_ignored(behind_proxy):
    # The client sent "X-Forwarded-For: 203.0.113.1"; the proxy appended the
    # address it really came from.
    request = request_from("127.0.0.1", "203.0.113.1, 198.51.100.7")
    assert client_ip(request) == "198.51.100.7"


def test_a_header_from_an_address_that_is_not_a_trusted_proxy_is_ignored(
    behind_proxy,
):
    assert client_ip(request_from("198.51.100.7", "203.0.113.1")) == "198.51.100.7"


def test_behind_the_proxy_rotating_a_forged_header_does_not_dodge_the_lockout(
    client, editor, behind_proxy
):
    for number in range(5):
        sign_in(
            client,
            "editor",
            "wrong password",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{number}, 198.51.100.7",
        )
    forged = "203.0.113.99, 198.51.100.7"
    assert sign_in(client, "editor", HTTP_X_FORWARDED_FOR=forged).status_code == 429
    # Another reader behind the same proxy is somebody else.
    other = "198.51.100.8"
    assert sign_in(client, "editor", HTTP_X_FORWARDED_FOR=other).status_code == 302


def test_without_trusted_proxies_the_header_is_not_read(settings):
    settings.TRUSTED_PROXY_IPS = []
    assert client_ip(request_from("127.0.0.1", "198.51.100.7")) == "127.0.0.1"
