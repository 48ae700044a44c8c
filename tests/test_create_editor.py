import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.test import RequestFactory

pytestmark = pytest.mark.django_db


def sign_in():
    # The admin's sign-in request, which the lockout (django-axes) reads the
    # client's address from.
    return RequestFactory().post("/admin/login/")


def run(*args):
    out = StringIO()
    call_command("create_editor", *args, stdout=out)
    return out.getvalue()


def test_it_creates_an_editor_with_a_random_password_it_prints_once():
    output = run()
    password = re.search(r"password: (\S+)", output).group(1)
    assert len(password) >= 16
    assert authenticate(sign_in(), username="editor", password=password) is not None
    assert get_user_model().objects.get(username="editor").is_staff


def test_two_instances_get_different_passwords():
    first = re.search(r"password: (\S+)", run("--username", "a")).group(1)
    second = re.search(r"password: (\S+)", run("--username", "b")).group(1)
    assert first != second


def test_running_it_again_keeps_the_password_and_says_how_to_change_it():
    password = re.search(r"password: (\S+)", run()).group(1)
    output = run()
    assert password not in output
    assert "changepassword editor" in output
    assert authenticate(sign_in(), username="editor", password=password) is not None
