"""A real SMTP server for tests (aiosmtpd on a free local port) and helpers to read what it got."""

from __future__ import annotations

import logging
import re
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

_LINK = re.compile(r"https?://[^\s<>\"]+")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Inbox:
    """Everything the SMTP server accepted, parsed."""

    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if address.lower() in m["To"].lower()]

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def links_in(message: EmailMessage, starting: str = "") -> list[str]:
    return [link for link in _LINK.findall(text_of(message)) if link.startswith(starting)]


class SmtpServer:
    def __init__(self) -> None:
        # aiosmtpd logs every connection; its thread can outlive pytest's captured streams.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


def subject_of(message: EmailMessage) -> str:
    """The decoded subject (a folded, encoded header may come back with a leading space)."""
    return " ".join(str(message["Subject"]).split())
