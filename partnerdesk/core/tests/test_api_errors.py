"""The error-shape middleware turns anything Django answers under /api/ into API.md's shape."""

import json

from django.http import HttpResponse, HttpResponseNotAllowed
from django.test import RequestFactory

from partnerdesk.core.api.errors import ApiErrorShapeMiddleware


def test_html_errors_under_api_become_the_error_shape():
    middleware = ApiErrorShapeMiddleware(lambda request: HttpResponseNotAllowed(["GET"]))
    response = middleware(RequestFactory().put("/api/v1/products"))
    assert response.status_code == 405 and response["Allow"] == "GET"
    assert json.loads(response.content)["error"]["type"] == "invalid_request"


def test_crashes_under_api_answer_json_500():
    middleware = ApiErrorShapeMiddleware(lambda request: HttpResponse("boom", status=500))
    request = RequestFactory().get("/api/v1/products")
    response = middleware.process_exception(request, RuntimeError("boom"))
    assert response.status_code == 500
    assert json.loads(response.content) == {
        "error": {
            "type": "api_error",
            "param": None,
            "message": "Something went wrong on our side; it has been logged.",
        }
    }


def test_pages_outside_api_are_left_alone():
    middleware = ApiErrorShapeMiddleware(lambda request: HttpResponse("<h1>Not found</h1>", status=404))
    response = middleware(RequestFactory().get("/somewhere"))
    assert response.content == b"<h1>Not found</h1>"
    assert middleware.process_exception(RequestFactory().get("/somewhere"), RuntimeError()) is None
