"""The consumer of the mail queue (services/mail_queue.py): one Lambda
invocation per message (batch size 1), so a failed delivery is retried
alone by SQS and never resends the mails of a batch that went out.

An exception leaves the message in the queue: it comes back after the
visibility timeout, and goes to the dead-letter queue after
mail_queue.MAX_RECEIVES attempts. Unknown kinds are logged and dropped
(retrying cannot make them known).
"""
from __future__ import annotations

import json
import logging

from chalicelib.services import authentication

log = logging.getLogger("pix.jobs.deliver_mail")


def handler(event, context=None) -> None:
    for record in event:
        deliver(record.body, _receive_count(record))


def deliver(body: str, receive_count: int = 1) -> None:
    message = json.loads(body)
    if message.get("kind") == "password_reset":
        authentication.deliver_password_reset(message["login"], first_delivery=receive_count <= 1)
    else:
        log.warning(json.dumps({"event": "mail_dropped", "kind": message.get("kind")}))


def _receive_count(record) -> int:
    attributes = record.to_dict().get("attributes") or {}
    try:
        return int(attributes.get("ApproximateReceiveCount", 1))
    except (TypeError, ValueError):
        return 1
