"""Credentials no server issued get a plain refusal, never a server error."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_session_cookie_with_a_nul_byte_is_treated_as_no_session(client):
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/meetings/").status_code == 200


def test_a_session_cookie_django_could_not_have_issued_is_ignored(client, editor):
    client.force_login(editor)
    client.cookies["sessionid"] = client.cookies["sessionid"].value.upper()
    assert client.get("/admin/").status_code == 302


def test_a_token_with_a_nul_byte_is_refused_with_401(client):
    response = client.get("/api/v1/meetings/", HTTP_AUTHORIZATION="Token abc\x00def")
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid token."
