"""Mail leaves the request through an SQS queue (issue 13, point 6).

A request that may end in a mail (password reset) only enqueues what to do,
the same message whatever the address, so its duration says nothing about
whether an account exists; the consumer function (`deliver_mail` in app.py,
chalicelib/jobs/deliver_mail.py) looks the account up and sends. A delivery
that fails is retried by SQS (the message reappears after its visibility
timeout) and lands in the dead-letter queue after MAX_RECEIVES attempts.

    <prefix>-mail          the queue (declared in infra/resources.json)
    <prefix>-mail-dead     its dead-letter queue, kept 14 days

Locally (`make run`) and in tests the queues are moto's; `create_queues`
makes them, and `receive`/`delete` let the local runner drain the queue like
Lambda's event source mapping does in AWS.
"""
from __future__ import annotations

import json

from chalicelib import aws_clients
from chalicelib.config import settings

MAX_RECEIVES = 5
VISIBILITY_TIMEOUT_S = 180        # six times the consumer's 30 s timeout (AWS's advice)
DEAD_LETTER_RETENTION_S = 14 * 24 * 3600


def queue_name() -> str:
    return f"{settings().table_prefix}-mail"


def dead_letter_name() -> str:
    return f"{queue_name()}-dead"


def _sqs():
    cfg = settings()
    return aws_clients.client("sqs", cfg.sqs_endpoint, cfg.region)


def _url(name: str) -> str:
    return _sqs().get_queue_url(QueueName=name)["QueueUrl"]


def enqueue(message: dict) -> None:
    """One SendMessage: the whole cost of a mail inside the request."""
    _sqs().send_message(QueueUrl=_url(queue_name()),
                        MessageBody=json.dumps(message, ensure_ascii=False, sort_keys=True))


def create_queues() -> None:
    """The queue and its dead-letter queue, as the template declares them
    (local stack and tests; in AWS CloudFormation creates them)."""
    sqs = _sqs()
    dead = sqs.create_queue(QueueName=dead_letter_name(), Attributes={
        "MessageRetentionPeriod": str(DEAD_LETTER_RETENTION_S)})["QueueUrl"]
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    sqs.create_queue(QueueName=queue_name(), Attributes={
        "VisibilityTimeout": str(VISIBILITY_TIMEOUT_S),
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dead_arn,
                                     "maxReceiveCount": str(MAX_RECEIVES)})})


def receive(*, dead_letters: bool = False, visibility_timeout: int | None = None) -> list[dict]:
    """Up to 10 messages as Lambda's SQS event records (local runner, tests)."""
    name = dead_letter_name() if dead_letters else queue_name()
    url = _url(name)
    extra = {} if visibility_timeout is None else {"VisibilityTimeout": visibility_timeout}
    answer = _sqs().receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                    AttributeNames=["All"], **extra)
    arn = f"arn:aws:sqs:{settings().region}:000000000000:{name}"
    return [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
             "attributes": m.get("Attributes", {}), "messageAttributes": {},
             "eventSource": "aws:sqs", "eventSourceARN": arn, "awsRegion": settings().region}
            for m in answer.get("Messages", [])]


def delete(record: dict) -> None:
    _sqs().delete_message(QueueUrl=_url(queue_name()), ReceiptHandle=record["receiptHandle"])
