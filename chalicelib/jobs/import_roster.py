"""The roster import triggered by an upload to S3 (large SIECLE files that do
not fit a Lambda request body): one S3 event per uploaded object, whose key
`rosters/<org id>/<import id>` names the import announced by the school
(`services.rosters.start_upload`). The outcome, counts or the line-level
report, is kept on the import for the school to read (`upload_status`).

Declared in infra/resources.json (bucket, notification, permission); locally
and in tests the handler is called with an S3 event."""
from __future__ import annotations

import json
import logging
from urllib.parse import unquote_plus

from chalicelib.services import rosters

log = logging.getLogger("pix.jobs.import_roster")


def handler(event, context=None) -> dict:
    raw = event if isinstance(event, dict) else getattr(event, "to_dict", lambda: {})()
    records = raw.get("Records") or ([{"s3": {"object": {"key": event.key}}}]
                                     if hasattr(event, "key") else [])
    outcomes = []
    for record in records:
        key = unquote_plus(((record.get("s3") or {}).get("object") or {}).get("key", ""))
        outcomes.append(rosters.import_upload(key))
        log.info(json.dumps({"event": "roster_upload_imported", "outcome": outcomes[-1]}))
    return {"imports": outcomes}
