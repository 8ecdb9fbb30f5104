"""GAR single sign-on: pupils of GAR schools sign in through their ENT, with no
password (issue 18). SAML rules in domain/saml.py (signature by signxml);
state (requests sent, assertions seen, links) in store/gar.py.

Flow: `start` sends the browser to the GAR with an AuthnRequest (its id kept
10 minutes, usable once); the GAR posts a signed Response to `consume`, which
accepts it only if it answers one of our requests (once) and was never seen
before (replay), then finds the person:

1. a GAR link (IDO -> user) made at an earlier sign-in: that user;
2. otherwise, a pupil only: the school is the organisation whose UAI the
   assertion names (an unknown UAI is refused); in *that* school's roster,
   one active pupil whose names match and, when the ENT sends it, whose birth
   date matches (without one, the class (`DIV`) must match too). A pupil
   already tied to an account (created by the school, or reconciled) keeps it;
   otherwise an account without password is created (created by the school:
   it consents for its minor pupils, as for accounts it creates itself) and
   tied to the roster entry. The IDO is then linked to the user.

Teachers: the GAR sends no birth date nor e-mail for them, so nothing ties a
first sign-in to an account, and school rights must come from an
organisation admin, never from an assertion. A teacher (or anyone with an
account) links their GAR identity once, signed in: `start(link_for=user)`,
then the ACS makes a code that the same signed-in account confirms
(`confirm_link`). Without a link, a teacher's assertion is refused (403).

Single logout (SAML 2.0 profiles §4.4), when our key pair and the GAR's
logout URL are configured: each sign-in keeps its GAR session (NameID,
SessionIndex -> user); the browser keeps a handle to it.
- We start it (`logout`): our refresh token is revoked, then the browser goes
  to the GAR with our LogoutRequest, signed (HTTP-Redirect); the GAR's signed
  LogoutResponse comes back to `single_logout`, which checks it answers that
  request, once.
- The GAR starts it (another resource or the ENT signed out): its signed
  LogoutRequest reaches `single_logout`, every token of the users of the
  sessions it names stops working (token version bumped: we cannot tell which
  device holds which token), and the browser goes back with our signed
  LogoutResponse.
"""
from __future__ import annotations

import datetime as dt
import logging
import secrets as random
import time
from dataclasses import dataclass

from chalicelib.config import settings
from chalicelib.domain import roster, saml
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from chalicelib.services import authentication, secrets
from chalicelib.store import accounts as account_store
from chalicelib.store import gar as store
from chalicelib.store import organizations as org_store

log = logging.getLogger("pix.gar")

REQUEST_TTL = 600
CODE_TTL = 60


def _now() -> float:
    return time.time()


def _config() -> tuple[str, str, str, str, str]:
    """(IdP entity id, IdP sign-in URL, IdP certificate, our entity id, our ACS URL)."""
    cfg = settings()
    certificate = secrets.gar_idp_certificate()
    if not (cfg.gar_idp_entity_id and cfg.gar_idp_sso_url and certificate):
        raise NotFound("La connexion GAR n'est pas configurée sur cette plateforme.",
                       code="gar_not_configured")
    base = cfg.public_base_url.rstrip("/")
    return (cfg.gar_idp_entity_id, cfg.gar_idp_sso_url, certificate,
            cfg.gar_sp_entity_id or f"{base}/gar/metadata", f"{base}/gar/acs")


def _slo_url() -> str:
    return settings().public_base_url.rstrip("/") + "/gar/slo"


def _logout_config() -> tuple[str, str] | None:
    """(the GAR's SingleLogoutService URL, our private key), None when single
    logout is not set up (then signing out ends our session only)."""
    cfg = settings()
    key = secrets.gar_sp_key()
    return (cfg.gar_idp_slo_url, key) if cfg.gar_idp_slo_url and key else None


def metadata() -> str:
    """Our SP metadata, for the GAR's registration of the resource: with our
    certificate and logout service once our key pair is configured."""
    _, _, _, sp_entity_id, acs_url = _config()
    cfg = settings()
    return saml.sp_metadata(sp_entity_id=sp_entity_id, acs_url=acs_url,
                            slo_url=_slo_url() if _logout_config() else None,
                            certificate=cfg.gar_sp_certificate)


def start(relay_state: str | None, *, link_for: str | None = None) -> str:
    """The GAR sign-in URL carrying a fresh AuthnRequest (kept to check the
    answer). `link_for`: a signed-in user asking to tie their GAR identity to
    their account (teachers, or anyone with an account already)."""
    _, sso_url, _, sp_entity_id, acs_url = _config()
    if relay_state is not None and len(relay_state) > 80:
        raise InvalidInput("RelayState trop long (80 caractères au plus).", code="invalid_relay_state")
    now = _now()
    request_id = saml.new_request_id()
    store.save_request(request_id, int(now) + REQUEST_TTL, link_for)
    request = saml.authn_request(request_id, sp_entity_id=sp_entity_id, acs_url=acs_url,
                                 idp_sso_url=sso_url, now=now)
    return saml.redirect_url(sso_url, request, relay_state)


@dataclass(frozen=True)
class _Consumed:
    """What a checked Response leads to: a code confirming a link request, or
    a signed-in user (first sign-in or not) and their GAR session's handle."""
    link_code: str | None = None
    user_id: str | None = None
    first_sign_in: bool = False
    gar_session: str | None = None


def _consumed(saml_response: str) -> _Consumed:
    """The one path behind both ACS answers (JSON and browser): every check,
    then the link request or the person, and the GAR session kept."""
    identity, asked_by = _accepted(saml_response)
    if asked_by is not None:
        return _Consumed(link_code=_link_code(identity, asked_by))
    user_id, first = _user_of(identity)
    return _Consumed(user_id=user_id, first_sign_in=first,
                     gar_session=_keep_session(identity, user_id))


def consume(saml_response: str) -> dict:
    """Check the posted Response, find or create the person, issue our tokens
    (an API caller asking for JSON gets them in the answer). The answer to a
    link request is a code to confirm the link with (`confirm_link`)."""
    done = _consumed(saml_response)
    if done.link_code is not None:
        return {"link_code": done.link_code}
    return {**authentication.sign_in_vouched(done.user_id), "first_sign_in": done.first_sign_in,
            "gar_session": done.gar_session}


def consume_for_browser(saml_response: str) -> str:
    """The same checks; the browser is sent to the sign-in page with a one-time
    code (60 s, in the URL fragment, which no server or log sees), which the
    page exchanges for the tokens (`exchange`): tokens never travel in a URL.
    A link request goes back to the profile page, which confirms it."""
    done = _consumed(saml_response)
    base = settings().public_base_url.rstrip("/")
    if done.link_code is not None:
        return f"{base}/profil#garlien={done.link_code}"
    code = random.token_urlsafe(32)
    store.save_code(code, done.user_id, int(_now()) + CODE_TTL, session=done.gar_session)
    return f"{base}/connexion#gar={code}"


def exchange(code: str) -> dict:
    """Our tokens for a one-time code made by `consume_for_browser`, once."""
    item = store.use_code(code, _now()) if code else None
    if item is None or item.ido is not None:
        raise Unauthenticated("Code de connexion GAR inconnu, expiré ou déjà utilisé : "
                              "reconnectez-vous depuis l'ENT.", code="gar_code_invalid")
    return {**authentication.sign_in_vouched(item.user_id), "gar_session": item.session}


def _keep_session(identity: saml.GarIdentity, user_id: str) -> str | None:
    """The GAR session a LogoutRequest will name, kept as long as our refresh
    token lives; its handle for the browser (None without a NameID)."""
    from chalicelib.services import tokens

    if not identity.name_id:
        return None
    return store.save_session(identity.issuer, identity.name_id, identity.name_id_format,
                              identity.session_index, user_id, int(_now()) + tokens.REFRESH_TTL)


def logout(user_id: str, refresh_token: str | None, handle: str | None) -> dict:
    """Sign out of a GAR sign-in: this device's refresh token is revoked, and
    the answer is the GAR's logout URL carrying our signed LogoutRequest (the
    browser goes there, the GAR ends its session and sends it back to
    `single_logout`); `url` None when the GAR session is unknown, not this
    user's, or single logout is not configured (our session has ended anyway)."""
    if refresh_token:
        authentication.revoke(refresh_token)
    now = _now()
    item = store.session_of(handle, now) if handle else None
    logout_config = _logout_config()
    if item is None or item.user_id != user_id or logout_config is None:
        return {"url": None}
    store.delete_session(item)
    _, _, _, sp_entity_id, _ = _config()
    slo_url, key = logout_config
    request_id = saml.new_request_id()
    store.save_request(request_id, int(now) + REQUEST_TTL, purpose="logout")
    request = saml.logout_request(request_id, sp_entity_id=sp_entity_id, idp_slo_url=slo_url,
                                  name_id=item.name_id, name_id_format=item.name_id_format or "",
                                  session_index=item.session_index or "", now=now)
    log.info('{"event": "gar_logout_sent"}')
    return {"url": saml.signed_redirect_url(slo_url, "SAMLRequest", request, None, key)}


def single_logout(saml_request: str | None, saml_response: str | None,
                  relay_state: str | None) -> str:
    """What the GAR posts to our logout service; the URL the browser goes to
    next. A LogoutRequest (the GAR ends a session): the tokens of the users it
    names stop working, and the browser returns to the GAR with our signed
    LogoutResponse. A LogoutResponse (to our request): checked, then home."""
    idp_entity_id, _, certificate, sp_entity_id, _ = _config()
    logout_config = _logout_config()
    if logout_config is None:
        raise NotFound("La déconnexion GAR n'est pas configurée sur cette plateforme.",
                       code="gar_not_configured")
    now = _now()
    try:
        message = saml.read_logout(saml.decode_post(saml_request or saml_response or ""),
                                   idp_entity_id=idp_entity_id, idp_certificate=certificate,
                                   slo_url=_slo_url(), now=now)
    except saml.SamlRefused as err:
        log.info('{"event": "gar_logout_refused", "code": "%s"}', err.code)
        raise Unauthenticated(err.message, code=err.code)
    if message.is_request != bool(saml_request):
        raise Unauthenticated("Message de déconnexion SAML dans le mauvais champ.",
                              code="saml_malformed")
    if not store.note_assertion(message.issuer, "logout:" + message.message_id, message.expires_at):
        raise Unauthenticated("Ce message de déconnexion a déjà été utilisé.", code="saml_replayed")
    base = settings().public_base_url.rstrip("/")
    if not message.is_request:
        if not store.use_request(message.in_response_to, now, purpose="logout")[0]:
            raise Unauthenticated("Cette réponse ne correspond à aucune demande de déconnexion en "
                                  "cours.", code="saml_unsolicited")
        log.info('{"event": "gar_logout_done", "success": %s}', str(message.success).lower())
        return f"{base}/"
    ended = store.sessions_of(message.issuer, message.name_id, message.session_indexes)
    for user_id in {item.user_id for item in ended}:
        account_store.bump_token_version(user_id)
    for item in ended:
        store.delete_session(item)
    log.info('{"event": "gar_logout_received", "sessions": %d}', len(ended))
    slo_url, key = logout_config
    answer = saml.logout_response(saml.new_request_id(), message.message_id,
                                  sp_entity_id=sp_entity_id, idp_slo_url=slo_url, now=now)
    return saml.signed_redirect_url(slo_url, "SAMLResponse", answer, relay_state, key)


def confirm_link(user_id: str, code: str) -> dict:
    """Tie the GAR identity of a link request to the signed-in account.

    Two steps, not one: the ACS only makes a code, and the link is made when the
    *same* account, signed in in the page holding its tokens, confirms it. A
    link request URL sent to someone else (who would then sign in to the
    GAR and tie *their* identity to the sender's account) ends on a page
    without the sender's tokens, so the link is never made."""
    item = store.use_code(code, _now()) if code else None
    if item is None or item.ido is None:
        raise Unauthenticated("Code de rattachement GAR inconnu, expiré ou déjà utilisé : "
                              "recommencez depuis votre profil.", code="gar_code_invalid")
    if item.user_id != user_id:
        raise Forbidden("Ce rattachement a été demandé par un autre compte.", code="gar_link_other_account")
    existing = store.link_of(item.ido)
    if existing is not None and existing.user_id != user_id:
        raise Conflict("Cette identité GAR est déjà rattachée à un autre compte.", code="gar_already_linked")
    if existing is None and not store.put_link(item.ido, user_id, None, None):
        raise Conflict("Cette identité GAR vient d'être rattachée à un autre compte.",
                       code="gar_already_linked")
    log.info('{"event": "gar_linked_by_user"}')
    return {"linked": True}


def _link_code(identity: saml.GarIdentity, user_id: str) -> str:
    code = random.token_urlsafe(32)
    store.save_code(code, user_id, int(_now()) + CODE_TTL, ido=identity.ido)
    return code


def _accepted(saml_response: str) -> tuple[saml.GarIdentity, str | None]:
    """The verified identity, and the user of a link request (None: a sign-in)."""
    idp_entity_id, _, certificate, sp_entity_id, acs_url = _config()
    now = _now()
    try:
        identity = saml.read_response(saml.decode_post(saml_response), idp_entity_id=idp_entity_id,
                                      idp_certificate=certificate, sp_entity_id=sp_entity_id,
                                      acs_url=acs_url, now=now, sp_key=secrets.gar_sp_key())
    except saml.SamlRefused as err:
        log.info('{"event": "gar_refused", "code": "%s"}', err.code)
        raise Unauthenticated(err.message, code=err.code)
    if not store.note_assertion(identity.issuer, identity.assertion_id, identity.expires_at):
        raise Unauthenticated("Cette assertion a déjà été utilisée : reconnectez-vous depuis l'ENT.",
                              code="saml_replayed")
    answered, asked_by = store.use_request(identity.in_response_to, now)
    if not answered:
        raise Unauthenticated("Cette réponse ne correspond à aucune demande de connexion en cours "
                              "(expirée ou déjà utilisée) : recommencez depuis l'ENT.",
                              code="saml_unsolicited")
    return identity, asked_by


def _user_of(identity: saml.GarIdentity) -> tuple[str, bool]:
    from chalicelib.services import accounts

    link = store.link_of(identity.ido)
    if link is not None:
        if accounts.get_user(link.user_id) is not None:
            return link.user_id, False
        store.delete_link(link)   # its account was erased: a first sign-in again
    if not identity.is_pupil:
        raise Forbidden("Aucun compte n'est encore rattaché à cet identifiant GAR d'enseignant : "
                        "connectez-vous avec votre compte de la plateforme, puis « Lier mon compte "
                        "ENT » dans votre profil.", code="gar_not_linked")
    org_id, learner = _roster_entry(identity)
    claim = org_store.claim_of(org_id, learner.learner_id)
    if claim is not None:
        user_id, first = claim.user_id, False
    else:
        user_id, first = _create_pupil_account(org_id, learner), True
    if not store.put_link(identity.ido, user_id, org_id, learner.learner_id):
        # a parallel first sign-in of the same person won: use its link
        link = store.link_of(identity.ido)
        return link.user_id, False
    log.info('{"event": "gar_linked", "org": "%s", "created": %s}', org_id, str(first).lower())
    return user_id, first


def _roster_entry(identity: saml.GarIdentity):
    if len(identity.uais) != 1:
        raise Conflict("Plusieurs établissements dans l'assertion GAR : rattachement impossible.",
                       code="gar_ambiguous_school")
    org_id = org_store.org_of_uai(identity.uais[0])
    if org_id is None:
        raise Forbidden(f"L'établissement {identity.uais[0]} n'utilise pas la plateforme.",
                        code="gar_unknown_school")
    if identity.birth_date:
        records = org_store.learners_born(org_id, identity.birth_date)
    else:
        records = [r for d in identity.divisions for r in org_store.learners_of_division(org_id, d)]
    active = {r.learner_id: r for r in records if r.left_at is None}
    try:
        learner = roster.one_match(map(_learner, active.values()), identity.first_name,
                                   identity.last_name, birth_date=identity.birth_date,
                                   divisions=identity.divisions)
    except roster.NoMatch:
        raise NotFound("Aucun élève de votre établissement ne correspond à votre identité GAR : "
                       "votre établissement doit importer sa base élèves (SIECLE).",
                       code="gar_learner_not_found")
    except roster.SeveralMatches:
        raise Conflict("Plusieurs élèves correspondent : contactez votre établissement.",
                       code="gar_ambiguous_learner")
    return org_id, active[learner.learner_id]


def _learner(rec) -> roster.Learner:
    from chalicelib.services import rosters

    return rosters.to_learner(rec)


def _create_pupil_account(org_id: str, learner) -> str:
    from chalicelib.services import accounts

    user = accounts.register(first_name=learner.first_names.split(" ")[0],
                             last_name=learner.usage_name or learner.last_name, password=None,
                             birth_date=dt.date.fromisoformat(learner.birth_date),
                             accepted_terms=False, created_by_org=org_id)
    try:
        org_store.put_link(org_id, user.id, learner.learner_id, int(_now()))
    except org_store.Conflicting:
        accounts.erase_account(user.id)
        claim = org_store.claim_of(org_id, learner.learner_id)
        if claim is None:
            raise Conflict("Rattachement impossible : réessayez.", code="concurrent_update")
        return claim.user_id
    return user.id


def export_links(user_id: str) -> dict:
    """RGPD export: the GAR links of the account (the IDO itself is kept hashed)."""
    return {"gar_links": [{"org_id": link.org_id, "learner_id": link.learner_id}
                          for link in store.links_of_user(user_id)]}


def erase_links(user_id: str) -> None:
    for link in store.links_of_user(user_id):
        store.delete_link(link)
    for item in store.sessions_of_user(user_id):
        store.delete_session(item)


def _register() -> None:
    from chalicelib.services import personal_data

    personal_data.register("gar", export_links, erase_links)


_register()
