"""``partnerdesk serve``: gunicorn serving the WSGI app, static files through WhiteNoise."""

from __future__ import annotations

from django.core.management import call_command
from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from config.wsgi import application

        return application


def serve(*, host: str, port: int, workers: int) -> None:
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"partnerdesk is serving on http://{host}:{port}/ (Ctrl+C to stop)", flush=True)
    _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": max(1, workers),
            "threads": 4,
            "accesslog": "-",
            "errorlog": "-",
            "timeout": 60,
            "graceful_timeout": 10,
        }
    ).run()
