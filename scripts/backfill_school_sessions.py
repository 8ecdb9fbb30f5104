"""One-off migration after deploying the paged school session list (issue 16.3).

Schools' enrolment notes written before the change carry no index keys, so
`GET /organizations/{id}/certification-sessions` would leave those sessions
out. Run once per stage after the deployment (rerunning is harmless: each note
is updated only while it has no keys):

    TABLE_PREFIX=pix-prod AWS_DEFAULT_REGION=eu-west-3 .venv/bin/python scripts/backfill_school_sessions.py

Locally, `DYNAMODB_ENDPOINT=http://127.0.0.1:<port>` points it at `make run`'s moto.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    from chalicelib.services.school_certification import backfill_session_index

    print(json.dumps(backfill_session_index()))


if __name__ == "__main__":
    main()
