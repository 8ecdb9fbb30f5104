"""Who may call each route: the table the authorisation matrix
(tests/api/test_authorization_matrix.py) walks with every role.

One line per route: (METHOD, path exactly as registered) -> the name of the
access policy the route declares (`chalicelib/api/access.py`):

    "public"                        anyone, token or not
    "user"                          any signed-in user (learner and up)
    "admin"                         platform admins
    "centre_member:<param>"         members of the centre named by <param>
    "invigilator:<param>"           the invigilator token of the session <param>
    "org_member:<param>[<scope>]"   members (people) of the organisation <param>, whatever
                                    their role, and its API clients holding <scope>
    "org_admin:<param>"             admins of the organisation <param>
    "org_client:<param>[<scope>]"   API clients of the organisation <param> holding <scope>
    "national_client[<scope>]"      national clients (LSU/LSL, no organisation) holding <scope>

Every policy that admits API clients names exactly one scope (issue 13,
point 1): a client reaches a route only if it holds the scope written on the
route's line; the matrix checks it with a client holding every scope and
with one client per scope holding that scope alone.

Platform admins pass every scope check (not the principal-kind check: an
admin is not an invigilator nor an API client). The matrix derives each
role's expected status from the name alone. Adding a route without a line
here, or declaring another policy than the one written here, fails the matrix:
the line is the reviewed statement of who may call the route.
"""
from __future__ import annotations

ACCESS: dict[tuple[str, str], str] = {
    # platform
    ("GET", "/health"): "public",
    ("GET", "/openapi.json"): "public",

    # accounts
    ("POST", "/users"): "public",
    ("POST", "/auth/token"): "public",
    ("POST", "/auth/refresh"): "public",
    ("POST", "/auth/revoke"): "public",
    ("POST", "/auth/password-reset"): "public",
    ("POST", "/auth/password-reset/confirm"): "public",
    ("GET", "/me"): "user",
    ("DELETE", "/me"): "user",
    ("GET", "/me/data"): "user",
    ("PUT", "/me/password"): "user",

    # API clients of organisations
    ("POST", "/oauth/token"): "public",
    ("GET", "/gar/metadata"): "public",
    ("GET", "/gar/login"): "public",
    ("POST", "/gar/acs"): "public",
    ("POST", "/gar/session"): "public",
    ("POST", "/me/gar-link/start"): "user",
    ("POST", "/me/gar-link"): "user",
    ("POST", "/gar/logout"): "user",
    ("POST", "/gar/slo"): "public",
    ("GET", "/organizations/{org_id}/api-clients"): "org_admin:org_id",
    ("POST", "/organizations/{org_id}/api-clients"): "org_admin:org_id",
    ("POST", "/organizations/{org_id}/api-clients/{client_id}/rotate"): "org_admin:org_id",
    ("DELETE", "/organizations/{org_id}/api-clients/{client_id}"): "org_admin:org_id",

    # positioning
    ("GET", "/me/profile"): "user",
    ("POST", "/me/competences/{code}/assessment"): "user",
    ("GET", "/me/competences/{code}/assessment"): "user",
    ("POST", "/me/competences/{code}/assessment/answers"): "user",
    ("GET", "/me/competences/{code}/assessment/recap"): "user",
    ("POST", "/me/competences/{code}/assessment/items/{item_id}/start"): "user",
    ("GET", "/me/competences/{code}/assessment/answers/{item_id}"): "user",
    ("POST", "/me/competences/{code}/improve"): "user",
    ("POST", "/me/competences/{code}/reset"): "user",

    # certification centres and sessions
    ("POST", "/centres"): "admin",
    ("GET", "/centres/{centre_id}"): "centre_member:centre_id",
    ("POST", "/centres/{centre_id}/members"): "admin",
    ("POST", "/centres/{centre_id}/sessions"): "centre_member:centre_id",
    ("GET", "/centres/{centre_id}/sessions"): "centre_member:centre_id",
    ("POST", "/centres/{centre_id}/sessions/import"): "centre_member:centre_id",
    ("GET", "/centres/{centre_id}/sessions/{session_id}"): "centre_member:centre_id",
    ("POST", "/centres/{centre_id}/sessions/{session_id}/candidates"): "centre_member:centre_id",
    ("GET", "/centres/{centre_id}/sessions/{session_id}/candidates"): "centre_member:centre_id",
    ("POST", "/centres/{centre_id}/sessions/{session_id}/candidates/import"):
        "centre_member:centre_id",
    ("POST", "/centres/{centre_id}/sessions/{session_id}/finalise"): "centre_member:centre_id",
    ("POST", "/centres/{centre_id}/sessions/{session_id}/kit"): "centre_member:centre_id",
    ("POST", "/admin/sessions/{session_id}/publish"): "admin",
    ("GET", "/admin/sessions/{session_id}/results"): "admin",
    ("POST", "/admin/certificates/{certificate_id}/jury-decision"): "admin",
    ("POST", "/admin/certificates/{certificate_id}/cancellation"): "admin",

    # certification test and invigilation
    ("POST", "/certification/join"): "user",
    ("GET", "/me/certification-courses"): "user",
    ("GET", "/me/certification-courses/{course_id}"): "user",
    ("POST", "/me/certification-courses/{course_id}/answers"): "user",
    ("POST", "/invigilation/token"): "public",
    ("GET", "/sessions/{session_id}/invigilation"): "invigilator:session_id",
    ("POST", "/sessions/{session_id}/candidates/{candidate_id}/authorise"):
        "invigilator:session_id",
    ("POST", "/sessions/{session_id}/candidates/{candidate_id}/alerts"): "invigilator:session_id",
    ("POST", "/sessions/{session_id}/candidates/{candidate_id}/end"): "invigilator:session_id",

    # certificates
    ("GET", "/me/certificates"): "user",
    ("GET", "/me/certificates/{certificate_id}/attestation"): "user",
    ("GET", "/me/certificates/{certificate_id}/credential"): "user",
    ("GET", "/certificates/{code}"): "public",
    ("GET", "/.well-known/badge-key"): "public",
    ("GET", "/issuer"): "public",
    ("GET", "/credentials/status/{list_id}"): "public",
    ("GET", "/badges/certification-numerique/{image}"): "public",

    # organisations, rosters, school certification
    ("POST", "/organizations"): "admin",
    ("GET", "/organizations"): "admin",
    ("GET", "/organizations/{org_id}"): "org_member:org_id[organization-read]",
    ("POST", "/organizations/{org_id}/members"): "org_admin:org_id",
    ("GET", "/organizations/{org_id}/members"): "org_admin:org_id",
    ("PATCH", "/organizations/{org_id}/members/{user_id}"): "org_admin:org_id",
    ("DELETE", "/organizations/{org_id}/members/{user_id}"): "org_admin:org_id",
    ("POST", "/organizations/{org_id}/learners/import"): "org_member:org_id[roster-import]",
    ("GET", "/organizations/{org_id}/learners"): "org_member:org_id[learners-read]",
    ("GET", "/organizations/{org_id}/learners/{learner_id}"):
        "org_member:org_id[learners-read]",
    ("POST", "/organizations/{org_id}/learners/{learner_id}/account"):
        "org_member:org_id[learner-accounts]",
    ("POST", "/organizations/{org_id}/certification-sessions/{session_id}/enrolments"):
        "org_member:org_id[certification-enrolment]",
    ("GET", "/organizations/{org_id}/report-book"): "org_client:org_id[certification-results]",
    ("GET", "/report-book/{uai}"): "national_client[lsu:read]",
    ("POST", "/organizations/{org_id}/learners/uploads"): "org_member:org_id[roster-import]",
    ("GET", "/organizations/{org_id}/learners/uploads/{import_id}"): "org_member:org_id[roster-import]",
    ("POST", "/national-clients"): "admin",

    # campaigns
    ("POST", "/organizations/{org_id}/campaigns"): "org_member:org_id[campaigns-write]",
    ("GET", "/organizations/{org_id}/campaigns"): "org_member:org_id[campaigns-read]",
    ("GET", "/organizations/{org_id}/campaigns/{campaign_id}"):
        "org_member:org_id[campaigns-read]",
    ("GET", "/organizations/{org_id}/campaigns/{campaign_id}/results"):
        "org_member:org_id[campaign-results]",
    ("GET", "/organizations/{org_id}/campaigns/{campaign_id}/results/export"):
        "org_member:org_id[campaign-results]",
    ("GET", "/campaigns/{code}"): "user",
    ("POST", "/campaigns/{code}/reconciliation"): "user",
    ("POST", "/campaigns/{code}/participation"): "user",
    ("GET", "/me/campaign-participations"): "user",
    ("GET", "/me/campaign-participations/{campaign_id}"): "user",
    ("POST", "/me/campaign-participations/{campaign_id}/share"): "user",

    # school space (chalicelib/api/school.py)
    ("GET", "/organizations/{org_id}/divisions"): "org_member:org_id[learners-read]",
    ("GET", "/organizations/{org_id}/division-roster"): "org_member:org_id[learners-read]",
    ("POST", "/organizations/{org_id}/learner-accounts"): "org_member:org_id[learner-accounts]",
    ("POST", "/organizations/{org_id}/credentials-sheet"): "org_member:org_id[learner-accounts]",
    ("GET", "/organizations/{org_id}/campaigns/{campaign_id}/progress"):
        "org_member:org_id[campaign-results]",
    ("GET", "/organizations/{org_id}/campaigns/{campaign_id}/competence-profile"):
        "org_member:org_id[campaign-results]",
    ("GET", "/organizations/{org_id}/certification-sessions"):
        "org_member:org_id[certification-results]",
    ("GET", "/organizations/{org_id}/certification-sessions/{session_id}"):
        "org_member:org_id[certification-results]",
    ("GET", "/organizations/{org_id}/certification-sessions/{session_id}/attestations"):
        "org_member:org_id[certification-results]",

    # web front (chalicelib/api/web.py): pages and their versioned assets
    ("GET", "/"): "public",
    ("GET", "/inscription"): "public",
    ("GET", "/connexion"): "public",
    ("GET", "/mot-de-passe-oublie"): "public",
    ("GET", "/mot-de-passe/nouveau"): "public",
    ("GET", "/profil"): "public",
    ("GET", "/positionnement"): "public",
    ("GET", "/certification"): "public",
    ("GET", "/surveillance"): "public",
    ("GET", "/verification"): "public",
    ("GET", "/cgu"): "public",
    ("GET", "/confidentialite"): "public",
    ("GET", "/etablissement"): "public",
    ("GET", "/centre"): "public",
    ("GET", "/administration"): "public",
    ("GET", "/campagne"): "public",
    ("GET", "/code"): "public",
    ("GET", "/web/{asset_version}/{name}"): "public",
    # illustrations and attachments of items (chalicelib/api/item_files.py)
    ("GET", "/pj/{name}"): "public",
}
