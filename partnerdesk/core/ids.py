"""Public ids: a type prefix and 20 random base62 characters (~119 bits).

Random, not sequential, so an id never reveals how many rows exist (API.md).
"""

from __future__ import annotations

import secrets
import string

from django.db import models

_ALPHABET = string.ascii_letters + string.digits


_SPACE = len(_ALPHABET) ** 20


def new_public_id(prefix: str) -> str:
    # One uniform draw from all 62^20 ids, written in base62: the same distribution as
    # 20 independent secrets.choice calls, at a fraction of the cost (the billing run
    # makes tens of thousands of ids).
    n = secrets.randbelow(_SPACE)
    chars = []
    for _ in range(20):
        n, digit = divmod(n, 62)
        chars.append(_ALPHABET[digit])
    return f"{prefix}_" + "".join(chars)


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
