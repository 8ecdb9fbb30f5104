"""What an organisation's API client may be granted, one scope per kind of
access a school portal needs.

Every organisation route an API client can reach names exactly one of these
scopes (`api/access.py`): a client holding only `campaign-results` reads
campaign results and nothing else, in particular not the roster nor the
pupils' temporary passwords. Members (people) are not bound by scopes: their
organisation role decides.
"""
from __future__ import annotations

# scope -> what it lets a portal do (shown to the organisation admin, in French)
SCOPES: dict[str, str] = {
    "organization-read": "lire les informations de l'organisation",
    "learners-read": "lire la liste des apprenants (dont les dates de naissance)",
    "roster-import": "remplacer la liste des apprenants (import CSV)",
    "learner-accounts": "créer le compte d'un élève (mot de passe temporaire)",
    "certification-enrolment": "inscrire des élèves à une session de certification",
    "certification-results": "lire le livret scolaire (certificats publiés)",
    "campaigns-read": "lire les campagnes de l'organisation",
    "campaigns-write": "créer des campagnes",
    "campaign-results": "lire les résultats partagés des campagnes",
}


# National clients (platform-level, created by a platform admin: LSU/LSL) act for
# no organisation; their scopes are apart so no school client can be granted one.
NATIONAL_SCOPES: dict[str, str] = {
    "lsu:read": "lire les résultats de certification de tout établissement, par UAI (livrets LSU/LSL)",
}


def check_known_national(scope: str) -> str:
    if scope not in NATIONAL_SCOPES:
        raise ValueError(f"unknown national client scope {scope!r}: add it to domain/scopes.py")
    return scope


def check_known(scope: str) -> str:
    """A route naming a scope nobody can be granted would be unreachable by
    clients without anyone noticing: refuse it when the route is declared."""
    if scope not in SCOPES:
        raise ValueError(f"unknown API client scope {scope!r}: add it to domain/scopes.py")
    return scope
