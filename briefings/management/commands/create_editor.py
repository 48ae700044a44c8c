"""Create the local editor account with a random password, shown once.

There is never a default password: a fresh instance that anyone can reach would
otherwise open its admin to anyone who has read the README.
"""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the local editor account and print its random password once."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="editor")

    def handle(self, *args, username: str, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.stdout.write(
                f"The account {username!r} exists already; its password is unchanged. "
                f"To set a new one: python manage.py changepassword {username}"
            )
            return
        password = secrets.token_urlsafe(12)
        # The person who runs the instance curates and publishes on it.
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created the editor account.\n"
                f"  user:     {username}\n"
                f"  password: {password}\n"
                "It is shown only this once; keep it somewhere safe."
            )
        )
