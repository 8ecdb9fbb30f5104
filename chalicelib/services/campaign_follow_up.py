"""What a school follows of a campaign: who joined and who sent results, per
class and per pupil, and the competence profile of a class.

Progress never reads the pupils' answers: a participation says when the
pupil joined and whether results were sent; results themselves only exist
once sent (services/campaigns.py). Per-pupil lists are read for one class at
a time, so a 6,000-participant campaign is never sent to a browser whole.
"""
from __future__ import annotations

from chalicelib.domain.class_profile import class_profile
from chalicelib.services.campaigns import _iso, _iso_ms, require
from chalicelib.store import organizations as store

NO_CLASS = ""   # pupils outside the roster (profile collection of adults, unreconciled)


def progress(org_id: str, campaign_id: str, division: str | None) -> dict:
    """Counts per class (joined, shared); with `division`, that class's pupils
    ("" names those with no class)."""
    campaign = require(org_id, campaign_id)
    by_class: dict[str, list[int]] = {}
    pupils = []
    for part in store.participations_of_campaign(campaign.campaign_id):
        key = part.division or NO_CLASS
        pair = by_class.setdefault(key, [0, 0])
        pair[0] += 1
        pair[1] += part.shared_at is not None
        if division is not None and key == division:
            pupils.append({"last_name": part.last_name, "first_name": part.first_name,
                           "learner_id": part.learner_id, "joined_at": _iso(part.joined_at),
                           "shared_at": _iso_ms(part.shared_at)})
    pupils.sort(key=lambda p: (p["last_name"].casefold(), p["first_name"].casefold()))
    return {"campaign_id": campaign.campaign_id,
            "classes": [{"division": d or None, "joined": j, "shared": s}
                        for d, (j, s) in sorted(by_class.items())],
            "joined": sum(j for j, _ in by_class.values()),
            "shared": sum(s for _, s in by_class.values()),
            "division": division, "pupils": pupils if division is not None else None}


def competence_profile(org_id: str, campaign_id: str, division: str | None) -> dict:
    """Levels per competence over the shared results (of one class, or all)."""
    campaign = require(org_id, campaign_id)
    levels = (shared.competences for shared in store.all_results(campaign.campaign_id)
              if division is None or (shared.division or NO_CLASS) == division)
    rows = class_profile(campaign.competences, levels)
    return {"campaign_id": campaign.campaign_id, "division": division,
            "pupils": rows[0].pupils if rows else 0,
            "competences": [r.as_dict() for r in rows]}
