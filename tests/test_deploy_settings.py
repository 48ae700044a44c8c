"""DJANGO_ENV=production: what it refuses to start without, and the HTTPS it
turns on. Settings are read in a subprocess with an environment of the test's
own, as a server would read them; the suite itself runs in development."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent

# Real-looking: 64 random characters, as `secrets.token_urlsafe(48)` gives.
SECRET_KEY = "q8ZJ3vN0kX7tR2mW5yB9cH4fL6pD1sG8aE0uV3nK7jT2xM5wQ9rY4bC6hF1zS8dP"
PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": SECRET_KEY,
    "ALLOWED_HOSTS": "briefings.example.org",
}
# The settings production turns on, read from a subprocess and applied here.
SECURITY_SETTINGS = [
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
]


def run(args: list[str], **environment: str) -> subprocess.CompletedProcess:
    """`args` under this interpreter with the inherited environment minus every
    setting this file is about, plus `environment`."""
    env = {
        name: value
        for name, value in os.environ.items()
        # The browser tests allow Django's ORM under Playwright's event loop in
        # this process; a deployed server never has that.
        if name
        not in (
            "DJANGO_ENV",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DEBUG",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        )
        and not name.startswith(("SECURE_", "CSRF_"))
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**env, **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_settings(**environment: str) -> dict:
    program = (
        "import json, config.settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {SECURITY_SETTINGS!r}}}))"
    )
    result = run(["-c", program], **{**PRODUCTION, **environment})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# What production refuses ----------------------------------------------------------


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"DJANGO_ENV": "prod"}, "DJANGO_ENV must be development or production"),
        ({"SECRET_KEY": ""}, "DJANGO_ENV=production needs a SECRET_KEY"),
        (
            {"SECRET_KEY": "insecure-local-development-key-change-me"},
            "DJANGO_ENV=production needs a SECRET_KEY",
        ),
        ({"SECRET_KEY": "x7" * 24}, "at least 50 characters"),
        ({"SECRET_KEY": "django-insecure-" + "k" * 50}, "at least 50 characters"),
        ({"ALLOWED_HOSTS": ""}, "DJANGO_ENV=production needs ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": " , "}, "DJANGO_ENV=production needs ALLOWED_HOSTS"),
        ({"DEBUG": "true"}, "DEBUG must be off when DJANGO_ENV=production"),
        ({"SECURE_HSTS_SECONDS": "a year"}, "SECURE_HSTS_SECONDS must be a whole"),
        ({"SECURE_SSL_REDIRECT": "sometimes"}, "SECURE_SSL_REDIRECT must be true"),
    ],
    ids=[
        "an unknown DJANGO_ENV",
        "no key",
        "the local key",
        "a short key",
        "a startproject key",
        "no ALLOWED_HOSTS",
        "empty ALLOWED_HOSTS",
        "DEBUG on",
        "a bad HSTS age",
        "a bad redirect switch",
    ],
)
def test_production_refuses_to_start_without_what_a_public_site_needs(
    environment, message
):
    result = run(["-c", "import config.settings"], **{**PRODUCTION, **environment})
    assert result.returncode != 0
    assert message in result.stderr


def test_production_refuses_the_local_host_names_it_was_not_given():
    environment = {k: v for k, v in PRODUCTION.items() if k != "ALLOWED_HOSTS"}
    result = run(["-c", "import config.settings"], **environment)
    assert result.returncode != 0
    assert "DJANGO_ENV=production needs ALLOWED_HOSTS" in result.stderr


def test_development_starts_with_no_configuration_at_all():
    result = run(
        ["-c", "import config.settings as s; print(s.DJANGO_ENV, s.SECRET_KEY)"]
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "development",
        "insecure-local-development-key-change-me",
    ]


# What production turns on ---------------------------------------------------------


def test_production_passes_djangos_deployment_checks():
    """HSTS preload is the domain owner's decision (README, "Deploying"): while
    it is off, the check that asks for it is silenced, and on, it is not needed."""
    for preload in ("false", "true"):
        result = run(
            [
                "manage.py",
                "check",
                "--deploy",
                "--fail-level",
                "WARNING",
            ],
            **PRODUCTION,
            SECURE_HSTS_PRELOAD=preload,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "no issues" in result.stdout


def test_production_settings_default_to_https_only():
    values = production_settings()
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is False
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["CSRF_TRUSTED_ORIGINS"] == []


def test_trusted_origins_come_from_the_environment():
    values = production_settings(
        CSRF_TRUSTED_ORIGINS="https://desk.example.org, https://example.org"
    )
    assert values["CSRF_TRUSTED_ORIGINS"] == [
        "https://desk.example.org",
        "https://example.org",
    ]


@pytest.fixture
def production():
    values = production_settings()
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    with override_settings(**values):
        yield


HTTPS = {"X-Forwarded-Proto": "https"}


@pytest.mark.django_db
def test_a_plain_http_request_is_sent_to_https(client, production):
    response = client.get("/topics/?page=2")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/topics/?page=2"


@pytest.mark.django_db
def test_a_request_the_proxy_says_came_over_https_is_served(client, production):
    response = client.get("/topics/", headers=HTTPS)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains"
    )
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_admin_sign_in_cookies_travel_over_https_only(client, production, editor):
    page = client.get(reverse("admin:login"), headers=HTTPS)
    assert page.status_code == 200
    assert page.cookies["csrftoken"]["secure"] is True
    response = client.post(
        reverse("admin:login"),
        {"username": "editor", "password": "correct horse battery staple"},
        headers=HTTPS,
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert (session["secure"], session["httponly"]) == (True, True)
