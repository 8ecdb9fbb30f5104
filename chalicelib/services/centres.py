"""Certification centres and their members (created by a platform admin)."""
from __future__ import annotations

import time
import uuid

from chalicelib.domain.certification.session import Centre
from chalicelib.domain.errors import NotFound
from chalicelib.services.certification_inputs import CentreInput, CentreMemberInput
from chalicelib.store import certification as store


def create_centre(data: CentreInput) -> dict:
    centre = Centre(uuid.uuid4().hex[:16], data.name, data.type.value, (data.uai or "").upper() or None,
                    int(time.time()))
    store.create_centre(centre)
    return centre_view(centre)


def get_centre(centre_id: str) -> dict:
    return centre_view(require_centre(centre_id))


def require_centre(centre_id: str) -> Centre:
    centre = store.centre(centre_id)
    if centre is None:
        raise NotFound("Centre de certification introuvable.", code="centre_not_found")
    return centre


def add_member(centre_id: str, data: CentreMemberInput) -> dict:
    require_centre(centre_id)
    from chalicelib.services import accounts

    if accounts.get_user(data.user_id) is None:
        raise NotFound("Utilisateur introuvable.", code="user_not_found")
    accounts.add_membership(data.user_id, "centre", centre_id, data.role)
    store.add_centre_member(centre_id, data.user_id, data.role)
    return {"centre_id": centre_id, "user_id": data.user_id, "role": data.role}


def centre_view(centre: Centre) -> dict:
    return {"centre_id": centre.centre_id, "name": centre.name, "type": centre.type, "uai": centre.uai}
