"""API key format and hashing: ``pd_<24 random base62>`` shown once, SHA-256 stored."""

from __future__ import annotations

import hashlib
import secrets
import string

_ALPHABET = string.ascii_letters + string.digits
KEY_PREFIX = "pd_"
VISIBLE_LENGTH = 11  # "pd_" + 8 characters: enough to tell keys apart, useless for guessing


def generate_key() -> str:
    return KEY_PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(43))  # ~256 bits


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def visible_prefix(key: str) -> str:
    return key[:VISIBLE_LENGTH]
