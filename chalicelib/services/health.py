from __future__ import annotations

from chalicelib.config import settings
from chalicelib.store import health as health_store


def check() -> dict:
    cfg = settings()
    ok, detail = health_store.dynamodb_answers()
    from chalicelib.bank.loader import get_bank

    bank = get_bank()
    return {"status": "ok" if ok else "degraded", "version": cfg.app_version,
            "dynamodb": {"ok": ok, "detail": detail},
            "item_bank": {"version": bank.version, "items": len(bank.served_items())}}
