"""Database sessions that refuse a session key Django could not have issued.

Django's own keys are lowercase letters and digits. A cookie carrying anything
else (a NUL byte, say) would otherwise reach PostgreSQL, which refuses NUL in
text and answers every page with a server error.
"""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key):
        return super()._validate_session_key(key) and set(key) <= set(VALID_KEY_CHARS)
