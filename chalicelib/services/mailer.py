"""Sending e-mail behind one small interface: `send(to, subject, body)`.

Locally and in tests (MAILER=log) messages are logged and kept in an
in-memory outbox that tests read; in AWS (MAILER=ses) they go through SES.
Callers never choose: `send()` uses the implementation the configuration names.
Only the mail-queue consumer (jobs/deliver_mail.py) sends: no request waits on SES.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Protocol

from chalicelib.config import settings

log = logging.getLogger("pix.mailer")


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str) -> None: ...


class LogMailer:
    """Development mailer: the message (reset links included) goes to the log."""

    def __init__(self) -> None:
        self.outbox: list[Message] = []

    def send(self, to: str, subject: str, body: str) -> None:
        self.outbox.append(Message(to, subject, body))
        log.info(json.dumps({"event": "mail", "to": to, "subject": subject, "body": body},
                            ensure_ascii=False))


class SesMailer:
    def __init__(self, sender: str, region: str) -> None:
        import boto3  # only in AWS, only when mail is actually sent
        from botocore.config import Config

        # Throttling and 5xx from SES are retried here first; what still fails
        # raises, and the queue redelivers the message (services/mail_queue.py).
        self._client = boto3.client("sesv2", region_name=region,
                                    config=Config(retries={"mode": "standard", "max_attempts": 4}))
        self._sender = sender

    def send(self, to: str, subject: str, body: str) -> None:
        self._client.send_email(
            FromEmailAddress=self._sender, Destination={"ToAddresses": [to]},
            Content={"Simple": {"Subject": {"Data": subject, "Charset": "UTF-8"},
                                "Body": {"Text": {"Data": body, "Charset": "UTF-8"}}}})
        log.info(json.dumps({"event": "mail", "subject": subject}))


_mailer: Mailer | None = None


def get_mailer() -> Mailer:
    global _mailer
    if _mailer is None:
        cfg = settings()
        _mailer = SesMailer(cfg.mail_from, cfg.region) if cfg.mailer == "ses" else LogMailer()
    return _mailer


def send(to: str, subject: str, body: str) -> None:
    get_mailer().send(to, subject, body)


def outbox() -> list[Message]:
    """The messages kept by the development mailer (tests read and clear it)."""
    mailer = get_mailer()
    return mailer.outbox if isinstance(mailer, LogMailer) else []
