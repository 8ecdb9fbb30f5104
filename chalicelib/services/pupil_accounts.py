"""The school's view of its pupils: classes, each pupil's account status, and
accounts created for a whole class at once (the school prints the slips).

Pupils of a collège often have no e-mail address: the school creates their
accounts (username + temporary password, `rosters.create_account`) and hands
each pupil a slip. Creating a class's accounts is done in batches of
`ACCOUNTS_PER_CALL` so one request stays far below API Gateway's 29 s (each
account hashes a password); the page calls again while `remaining` > 0. A
retried call creates nobody twice: learners already tied to an account are
skipped (the claim item is conditional).
"""
from __future__ import annotations

from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.services import organizations, rosters
from chalicelib.store import organizations as store

ACCOUNTS_PER_CALL = 30
MAX_SLIPS = 300   # one credentials sheet: a class, or a few


def divisions(org_id: str) -> dict:
    """Classes of the roster with their number of pupils (still there, and gone)."""
    organizations.require(org_id)
    counts: dict[str, list[int]] = {}
    for rec in store.all_learners(org_id):
        pair = counts.setdefault(rec.division or "", [0, 0])
        pair[1 if rec.left_at is not None else 0] += 1
    return {"items": [{"division": d or None, "pupils": n, "left": gone}
                      for d, (n, gone) in sorted(counts.items())]}


def class_roster(org_id: str, division: str) -> dict:
    """A class in name order, each pupil with `has_account` (tied to an account,
    created by the school or reconciled by the pupil)."""
    organizations.require(org_id)
    records = sorted(store.learners_of_division(org_id, division), key=lambda r: r.gsi2sk or "")
    if not records:
        raise NotFound(f"Aucun apprenant dans la division « {division[:40]} ».",
                       code="division_not_found")
    claimed = store.claimed_learners(org_id, [r.learner_id for r in records])
    return {"division": division,
            "items": [{**rosters.learner_view(r), "has_account": r.learner_id in claimed}
                      for r in records]}


def create_class_accounts(org_id: str, division: str) -> dict:
    """Accounts for the class's pupils who have none, up to ACCOUNTS_PER_CALL.
    The temporary passwords are in this answer only: nothing keeps them."""
    learners = rosters.active_learners(org_id, division=division)
    claimed = store.claimed_learners(org_id, [r.learner_id for r in learners])
    todo = sorted((r for r in learners if r.learner_id not in claimed), key=lambda r: r.gsi2sk or "")
    created = []
    for rec in todo[:ACCOUNTS_PER_CALL]:
        try:
            account = rosters.create_account(org_id, rec.learner_id)
        except Conflict as err:  # tied meanwhile (the pupil reconciled, a parallel call)
            if err.code != "learner_already_reconciled":
                raise
            continue
        created.append({**account, "first_name": rec.first_names.split(" ")[0],
                        "last_name": rec.usage_name or rec.last_name, "division": division})
    return {"division": division, "created": created,
            "already": len(learners) - len(todo),
            "remaining": max(0, len(todo) - ACCOUNTS_PER_CALL)}


def check_slips(slips: list) -> None:
    if not slips:
        raise InvalidInput("Aucun identifiant à imprimer.", code="no_slips")
    if len(slips) > MAX_SLIPS:
        raise InvalidInput(f"Au plus {MAX_SLIPS} identifiants par fiche.", code="too_many_slips")
