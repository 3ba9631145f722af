"""Answering with JSON that is already in its response schema's shape, without validating it again.

ninja validates what a view returns against the response schema (pydantic, through a getter
for every field of every row) and then renders it with ``JSONRenderer``. For a hot list whose
rows are built from plain values of the schema's types, that validation is most of the cost of
the request and changes nothing: this renders the same data with the same renderer, so the bytes
are the same. The schema stays declared on the operation (OpenAPI is unchanged), and a test per
use compares the output with the validated one (tests/api/test_rendering.py).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from ninja.renderers import JSONRenderer

_RENDERER = JSONRenderer()
CONTENT_TYPE = f"{_RENDERER.media_type}; charset={_RENDERER.charset}"


def json_response(data: Any, *, status: int = 200) -> HttpResponse:
    return HttpResponse(_RENDERER.render(None, data, response_status=status), status=status, content_type=CONTENT_TYPE)
