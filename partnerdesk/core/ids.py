"""Public ids: a type prefix and 20 random base62 characters (~119 bits).

Random, not sequential, so an id never reveals how many rows exist (API.md).
"""

from __future__ import annotations

import os
import string

from django.db import models

_ALPHABET = string.ascii_letters + string.digits


# Random bytes become characters in C: bytes 0..247 map to _ALPHABET[byte % 62] (each
# character exactly four bytes, so uniform) and 248..255 are dropped. The billing run
# makes tens of thousands of ids; a Python loop per character cost a twentieth of it.
_TO_CHARACTER = bytes(_ALPHABET[byte % 62].encode()[0] for byte in range(256))
_DROPPED = bytes(range(248, 256))


def new_public_id(prefix: str) -> str:
    raw = os.urandom(28).translate(_TO_CHARACTER, _DROPPED)
    while len(raw) < 20:  # rare: more than 8 of 28 bytes dropped
        raw += os.urandom(8).translate(_TO_CHARACTER, _DROPPED)
    return f"{prefix}_{raw[:20].decode()}"


class PublicIdField(models.CharField):
    """A unique ``<prefix>_…`` id filled in when the row is first saved."""

    def __init__(self, *args, prefix: str = "", **kwargs) -> None:
        self.prefix = prefix
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("unique", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["prefix"] = self.prefix
        for key, default in (("max_length", 32), ("unique", True), ("editable", False)):
            if kwargs.get(key) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if not value:
            value = new_public_id(self.prefix)
            setattr(model_instance, self.attname, value)
        return value
