"""Invitation link tokens: 256 random bits in the e-mail, SHA-256 in the database."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings


def new_token() -> tuple[str, str]:
    """A fresh token and the hash to store. 32 bytes: far beyond the 128 bits required."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def accept_url(token: str) -> str:
    return f"{settings.BASE_URL}/invitations/{token}/"
