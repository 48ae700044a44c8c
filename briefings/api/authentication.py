from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


class HexTokenAuthentication(TokenAuthentication):
    """DRF's tokens are 40 hexadecimal characters; anything else is refused
    before it reaches the database (a NUL byte would make PostgreSQL fail)."""

    def authenticate_credentials(self, key):
        if not key.isascii() or not key.isalnum():
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return super().authenticate_credentials(key)
