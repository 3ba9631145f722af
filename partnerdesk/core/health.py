"""``/healthz`` and ``/readyz`` for load balancers, answered before the Host header is checked.

A load balancer probes each app machine by its own address (``Host: 10.0.0.7:8000``), which is
not one of ``PARTNERDESK_ALLOWED_HOSTS``: further down, Django would answer 400 and the balancer
would take every machine out of service. The probes reveal nothing (a status word, or why the
machine is not ready), so they are answered for any host; every other path keeps the host check.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD") and request.path_info in ("/healthz", "/readyz"):
            from partnerdesk.web import views

            return views.health(request) if request.path_info == "/healthz" else views.ready(request)
        return self.get_response(request)
