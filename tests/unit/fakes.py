"""In-memory repositories with the same functions as the store modules they
stand for, so a service's rules run without moto (Architecture Patterns with
Python, "fake repository"). Install one with `monkeypatch.setattr(service,
"store", Fake())`: a function the fake lacks fails loudly instead of reaching
a table. Each fake keeps the store's contract: same conflicts, same cursors.
"""
from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field

from chalicelib.domain.accounts import Account, Membership, SignInGuard
from chalicelib.domain.api_clients import ApiClient
from chalicelib.domain.campaigns import Campaign, Participation, SharedResult
from chalicelib.domain.certification import session as lifecycle
from chalicelib.domain.certification.session import Centre, Session, Step
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.organization import Organization
from chalicelib.store.organizations import decode_cursor, encode_cursor, result_sk
from chalicelib.store.writes import Conflicting


class InMemoryOrganizations:
    """`chalicelib.store.organizations`, the organisation part."""

    def __init__(self) -> None:
        self.organizations: dict[str, Organization] = {}
        self.uais: dict[str, str] = {}

    def organization(self, org_id: str) -> Organization | None:
        return self.organizations.get(org_id)

    def create_organization(self, org: Organization) -> None:
        if org.org_id in self.organizations or (org.uai and org.uai in self.uais):
            raise Conflicting()
        self.organizations[org.org_id] = org
        if org.uai:
            self.uais[org.uai] = org.org_id

    def organizations_page(self, cursor: str | None, limit: int) -> tuple[list[Organization], str | None]:
        ordered = sorted(self.organizations.values(), key=lambda o: (o.created_at, o.org_id))
        start = decode_cursor(cursor, "")
        if start:
            if start not in self.organizations:
                raise InvalidInput("Curseur de pagination invalide.", code="invalid_cursor")
            ordered = ordered[[o.org_id for o in ordered].index(start) + 1:]
        if len(ordered) > limit:
            return ordered[:limit], encode_cursor(ordered[limit - 1].org_id)
        return ordered, None


class InMemoryAccounts:
    """`chalicelib.store.accounts`: a login names one account (claimed with it,
    all or nothing), updates of a missing account return None, bumping the
    token version notes the revocation the store would write."""

    def __init__(self) -> None:
        self.accounts: dict[str, Account] = {}
        self.logins: dict[str, str] = {}
        self.members: dict[tuple[str, str, str], str] = {}   # (user, kind, scope) -> role
        self.revoked_below: dict[str, int] = {}

    def create_user(self, account: Account) -> bool:
        if account.login in self.logins or account.user_id in self.accounts:
            return False
        self.accounts[account.user_id], self.logins[account.login] = account, account.user_id
        return True

    def get_user(self, user_id: str) -> Account | None:
        return self.accounts.get(user_id)

    def user_id_for_login(self, login: str) -> str | None:
        return self.logins.get(login)

    def _update(self, user_id: str, **changes) -> Account | None:
        if user_id not in self.accounts:
            return None
        self.accounts[user_id] = dataclasses.replace(self.accounts[user_id], **changes)
        return self.accounts[user_id]

    def set_password(self, user_id: str, password_hash: str, *, revoke_tokens: bool) -> Account | None:
        account = self._update(user_id, password_hash=password_hash)
        return self.bump_token_version(user_id) if account and revoke_tokens else account

    def bump_token_version(self, user_id: str) -> Account | None:
        account = self.accounts.get(user_id)
        if account is None:
            return None
        account = self._update(user_id, token_version=account.token_version + 1)
        self.revoked_below[user_id] = account.token_version
        return account

    def set_admin(self, user_id: str, is_admin: bool) -> Account | None:
        return self._update(user_id, is_admin=is_admin)

    def put_membership(self, user_id: str, kind: str, scope_id: str, role: str) -> None:
        self.members[(user_id, kind, scope_id)] = role

    def delete_membership(self, user_id: str, kind: str, scope_id: str) -> None:
        self.members.pop((user_id, kind, scope_id), None)

    def memberships(self, user_id: str) -> list[Membership]:
        return [Membership(kind, scope, role) for (uid, kind, scope), role in self.members.items()
                if uid == user_id]

    def members_of(self, kind: str, scope_id: str) -> list[tuple[str, str]]:
        return [(uid, role) for (uid, k, scope), role in self.members.items()
                if (k, scope) == (kind, scope_id)]

    def delete_user(self, user_id: str, login: str) -> None:
        self.accounts.pop(user_id, None)
        self.members = {k: v for k, v in self.members.items() if k[0] != user_id}
        if self.logins.get(login) == user_id:
            del self.logins[login]


class InMemoryCredentials:
    """`chalicelib.store.credentials`: refresh tokens used once (with the
    store's "ok" / "retried" / "reused" / "missing"), reset tokens consumed
    once, and the sign-in guard per login and source."""

    def __init__(self) -> None:
        self.refresh: dict[tuple[str, str], int | None] = {}   # (user, jti) -> used at
        self.resets: dict[str, tuple[str, int, int]] = {}       # token -> user, version, expiry
        self.guards: dict[tuple[str, str], SignInGuard] = {}

    def save_refresh(self, user_id: str, jti: str, expires_at: int) -> None:
        self.refresh[(user_id, jti)] = None

    def use_refresh(self, user_id: str, jti: str, now: int, grace_s: int = 0) -> str:
        if (user_id, jti) not in self.refresh:
            return "missing"
        used = self.refresh[(user_id, jti)]
        if used is None:
            self.refresh[(user_id, jti)] = now
            return "ok"
        return "retried" if now - used <= grace_s else "reused"

    def delete_refresh(self, user_id: str, jti: str) -> None:
        self.refresh.pop((user_id, jti), None)

    def save_reset(self, token: str, user_id: str, token_version: int, expires_at: int) -> None:
        self.resets[token] = (user_id, token_version, expires_at)

    def get_reset(self, token: str):
        from chalicelib.store.credentials import Reset

        found = self.resets.get(token)
        return Reset(found[0], found[1], float(found[2])) if found else None

    def consume_reset(self, token: str) -> bool:
        return self.resets.pop(token, None) is not None

    def get_guard(self, login: str, source: str) -> SignInGuard | None:
        return self.guards.get((login, source))

    def _change(self, login: str, source: str, **changes) -> SignInGuard:
        guard = dataclasses.replace(self.guards.get((login, source), SignInGuard()), **changes)
        self.guards[(login, source)] = guard
        return guard

    def add_failure(self, login: str, source: str, expires_at: int) -> int:
        current = self.guards.get((login, source), SignInGuard())
        return self._change(login, source, failures=current.failures + 1).failures

    def set_block(self, login: str, source: str, until: float) -> None:
        self._change(login, source, blocked_until=int(until))

    def record_success(self, login: str, source: str, now: int, trusted_until: int) -> None:
        self._change(login, source, failures=0, blocked_until=None, last_success=now,
                     trusted_until=trusted_until)

    def clear_guard(self, login: str) -> None:
        self.guards = {k: v for k, v in self.guards.items() if k[0] != login}


class InMemoryCounters:
    """`chalicelib.store.throttle`: one counter per key and window."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, int], int] = {}

    def increment(self, key: str, window_index: int, expires_at: int) -> int:
        self.counts[(key, window_index)] = self.counts.get((key, window_index), 0) + 1
        return self.counts[(key, window_index)]

    def increment_below(self, key: str, window_index: int, expires_at: int, ceiling: int) -> int | None:
        if ceiling <= 0 or self.counts.get((key, window_index), 0) >= ceiling:
            return None
        return self.increment(key, window_index, expires_at)

    def count(self, key: str, window_index: int, *, consistent: bool = True) -> int:
        return self.counts.get((key, window_index), 0)

    def clear(self, key: str, window_index: int) -> None:
        self.counts.pop((key, window_index), None)


class InMemoryApiClients:
    """`chalicelib.store.api_clients`: rotation and deletion only within the
    owning organisation (the store's condition on `org_id`)."""

    def __init__(self) -> None:
        self.clients: dict[str, ApiClient] = {}

    def create(self, client: ApiClient) -> None:
        if client.client_id in self.clients:
            raise Conflicting()
        self.clients[client.client_id] = client

    def get(self, client_id: str) -> ApiClient | None:
        return self.clients.get(client_id)

    def list_for_org(self, org_id: str) -> list[ApiClient]:
        return sorted((c for c in self.clients.values() if c.org_id == org_id),
                      key=lambda c: (c.created_at, c.client_id))

    def set_secret(self, client_id: str, org_id: str, secret_hash: str, now: int) -> ApiClient | None:
        found = self.clients.get(client_id)
        if found is None or found.org_id != org_id:
            return None
        self.clients[client_id] = dataclasses.replace(found, secret_hash=secret_hash, rotated_at=now)
        return self.clients[client_id]

    def delete(self, client_id: str, org_id: str) -> bool:
        found = self.clients.get(client_id)
        if found is None or found.org_id != org_id:
            return False
        del self.clients[client_id]
        return True


class InMemoryCampaigns:
    """`chalicelib.store.organizations`, the campaign part (and whether an account
    reconciled with a roster entry). Codes are unique, a participation is
    written once, a share is stamped once, results page in sharing order with
    the store's cursors."""

    Conflicting = Conflicting

    def __init__(self) -> None:
        self.campaigns: dict[str, Campaign] = {}
        self.codes: dict[str, str] = {}
        self.participations: dict[tuple[str, str], Participation] = {}
        self.results: dict[str, dict[str, SharedResult]] = {}   # campaign -> sort key -> result
        self.links: set[tuple[str, str]] = set()                  # (org, user) reconciled

    # --- campaigns
    def campaign(self, org_id: str, campaign_id: str) -> Campaign | None:
        found = self.campaigns.get(campaign_id)
        return found if found is not None and found.org_id == org_id else None

    def campaigns_of(self, org_id: str) -> list[Campaign]:
        return [c for c in self.campaigns.values() if c.org_id == org_id]

    def campaign_by_code(self, code: str) -> Campaign | None:
        campaign_id = self.codes.get(code)
        return self.campaigns[campaign_id] if campaign_id else None

    def create_campaign(self, new: Campaign) -> None:
        if new.code in self.codes or new.campaign_id in self.campaigns:
            raise Conflicting()
        self.campaigns[new.campaign_id], self.codes[new.code] = new, new.campaign_id

    # --- participations
    def create_participation(self, new: Participation) -> Participation:
        return self.participations.setdefault((new.campaign_id, new.user_id), new)

    def participation(self, campaign_id: str, user_id: str) -> Participation | None:
        return self.participations.get((campaign_id, user_id))

    def participations_of_user(self, user_id: str) -> list[Participation]:
        return [p for (_, uid), p in self.participations.items() if uid == user_id]

    def participations_of_campaign(self, campaign_id: str):
        return iter([p for (cid, _), p in self.participations.items() if cid == campaign_id])

    def mark_shared(self, campaign_id: str, user_id: str, shared_at_ms: int) -> None:
        part = self.participations.get((campaign_id, user_id))
        if part is None or part.shared_at is not None:
            raise Conflicting()
        self.participations[(campaign_id, user_id)] = dataclasses.replace(part, shared_at=shared_at_ms)

    def forget_participations_of_user(self, user_id: str) -> None:
        for part in self.participations_of_user(user_id):
            del self.participations[(part.campaign_id, user_id)]
            if part.shared_at is not None:
                self.results.get(part.campaign_id, {}).pop(result_sk(part.shared_at, user_id), None)

    # --- shared results
    def save_result(self, result: SharedResult) -> None:
        self.save_results([result])

    def save_results(self, results) -> None:
        for r in results:
            self.results.setdefault(r.campaign_id, {})[result_sk(r.shared_at, r.user_id)] = r

    def result(self, campaign_id: str, shared_at_ms: int, user_id: str) -> SharedResult | None:
        return self.results.get(campaign_id, {}).get(result_sk(shared_at_ms, user_id))

    def all_results(self, campaign_id: str):
        return iter([r for _, r in sorted(self.results.get(campaign_id, {}).items())])

    def results_page(self, campaign_id: str, cursor: str | None, limit: int):
        start = decode_cursor(cursor, "RESULT#")
        rows = [(sk, r) for sk, r in sorted(self.results.get(campaign_id, {}).items())
                if start is None or sk > start]
        if len(rows) > limit:
            return [r for _, r in rows[:limit]], encode_cursor(rows[limit - 1][0])
        return [r for _, r in rows], None

    # --- rosters
    def is_linked(self, org_id: str, user_id: str) -> bool:
        return (org_id, user_id) in self.links


class InMemoryCentres:
    """`chalicelib.store.certification`, the centre part: an id names one centre."""

    def __init__(self) -> None:
        self.centres: dict[str, Centre] = {}
        self.members: dict[tuple[str, str], str] = {}   # (centre, user) -> role

    def create_centre(self, centre: Centre) -> None:
        if centre.centre_id in self.centres:
            raise Conflicting()
        self.centres[centre.centre_id] = centre

    def centre(self, centre_id: str) -> Centre | None:
        return self.centres.get(centre_id)

    def add_centre_member(self, centre_id: str, user_id: str, role: str) -> None:
        self.members[(centre_id, user_id)] = role


class InMemorySessionQueue(InMemoryCentres):
    """`chalicelib.store.certification`, what the issuance job reads and writes:
    the finalised sessions oldest first, their candidates, and the close,
    applied only from a status the first step may start from (as the store's
    condition), leaving the queue."""

    def __init__(self) -> None:
        super().__init__()
        self.sessions: dict[str, Session] = {}
        self.enrolled: dict[str, list] = {}
        self.closes = 0

    def finalised_sessions(self, page_size: int = 25):
        queued = [s for s in self.sessions.values() if s.status is lifecycle.SessionStatus.FINALISED]
        return iter(sorted(queued, key=lambda s: (s.transitions[-1].at if s.transitions else 0,
                                                  s.session_id)))

    def candidates(self, session_id: str) -> list:
        return list(self.enrolled.get(session_id, []))

    def finalisation_reports(self, session: Session) -> dict:
        """The reports as filed (kept here on the session's finalisation)."""
        return dict(((session.finalisation or {}).get("candidates")) or {})

    def close_session(self, session: Session, steps: list[Step]) -> bool:
        stored = self.sessions[session.session_id]
        if stored.status not in lifecycle.sources(steps[0].status):
            return False
        self.sessions[session.session_id] = dataclasses.replace(
            stored, status=steps[-1].status, transitions=stored.transitions + tuple(steps))
        self.closes += 1
        return True


@dataclass
class StoredCourse:
    """What `chalicelib.store.certification.course` hands the certification
    test service: the course's fields as stored (status as its string)."""
    course_id: str
    session_id: str
    candidate_id: str
    user_id: str
    certification_version: str
    status: str = "waiting"
    authorised: bool = False
    answers: list = field(default_factory=list)        # CourseAnswer, in order
    current_item_id: str | None = None
    served_at: int | None = None
    neutralised: list = field(default_factory=list)
    alerts: list = field(default_factory=list)
    ended_by: str | None = None
    extra_time_percent: int = 0
    accessible_only: bool = False
    started_at: int | None = None
    ended_at: int | None = None
    version: int = 1


@dataclass
class StoredCandidate:
    session_id: str
    candidate_id: str
    first_name: str = "Ada"
    last_name: str = "Lovelace"
    birth_date: str = "2008-01-02"
    extra_time_percent: int = 0
    accessibility: bool = False
    user_id: str | None = None
    course_id: str | None = None


class InMemoryCertification:
    """`chalicelib.store.certification`, the course part the certification
    test service uses. Reads hand out copies and every write checks the
    copy's version against the stored one, as the table's optimistic lock
    does: a write from a stale read raises Conflicting."""

    Conflicting = Conflicting

    def __init__(self) -> None:
        self._courses: dict[str, StoredCourse] = {}
        self._candidates: dict[tuple[str, str], StoredCandidate] = {}
        self.writes = 0

    # --- set-up helpers (the centre's side, not under test here)
    def enrol(self, candidate: StoredCandidate) -> None:
        self._candidates[(candidate.session_id, candidate.candidate_id)] = candidate

    # --- reads
    def course(self, course_id: str) -> StoredCourse | None:
        found = self._courses.get(course_id)
        return copy.deepcopy(found) if found else None

    def courses(self, course_ids: list[str], *, consistent: bool = False) -> dict[str, StoredCourse]:
        return {cid: self.course(cid) for cid in course_ids if cid in self._courses}

    def courses_of_user(self, user_id: str) -> list[StoredCourse]:
        return [self.course(cid) for cid, c in self._courses.items() if c.user_id == user_id]

    def candidate(self, session_id: str, candidate_id: str) -> StoredCandidate | None:
        return copy.deepcopy(self._candidates.get((session_id, candidate_id)))

    def candidates(self, session_id: str) -> list[StoredCandidate]:
        return [copy.deepcopy(c) for (sid, _), c in self._candidates.items() if sid == session_id]

    def candidates_page(self, session_id: str, cursor: str | None, limit: int):
        """Pages in candidate-id order; the cursor is an offset (opaque to the service)."""
        rows = sorted(self.candidates(session_id), key=lambda c: c.candidate_id)
        start = int(cursor) if cursor else 0
        end = start + limit
        return rows[start:end], (str(end) if end < len(rows) else None)

    @staticmethod
    def answers_of(course: StoredCourse) -> list:
        return list(course.answers)

    @staticmethod
    def plain(value) -> dict:
        return dict(value or {})

    # --- writes
    def new_course(self, course) -> StoredCourse:
        if course.course_id in self._courses:
            raise Conflicting()
        stored = StoredCourse(course.course_id, course.session_id, course.candidate_id, course.user_id,
                              course.certification_version, status=course.status.value,
                              authorised=course.authorised, extra_time_percent=course.extra_time_percent,
                              accessible_only=course.accessible_only)
        self._courses[course.course_id] = stored
        return copy.deepcopy(stored)

    def link_candidate(self, candidate, user_id: str, course_id: str) -> None:
        stored = self._candidates[(candidate.session_id, candidate.candidate_id)]
        if stored.user_id not in (None, user_id):
            raise Conflicting()
        stored.user_id, stored.course_id = user_id, course_id

    def _write(self, course: StoredCourse, change, condition=lambda stored: True) -> None:
        stored = self._courses[course.course_id]
        if stored.version != course.version or not condition(stored):
            raise Conflicting()
        for target in (stored, course):   # the table returns the new item (ALL_NEW)
            change(target)
            target.version += 1
        self.writes += 1

    @staticmethod
    def _serve(target: StoredCourse, next_item_id: str | None, now_ms: int) -> None:
        if next_item_id is None:
            target.status, target.ended_by, target.ended_at = "completed", "completed", now_ms
            target.current_item_id = None
        else:
            target.status, target.current_item_id, target.served_at = "started", next_item_id, now_ms

    def withdraw_authorisation(self, course: StoredCourse) -> None:
        self._write(course, lambda t: setattr(t, "authorised", False))

    def record_course_answer(self, course, answer, next_item_id, now_ms) -> None:
        def change(t):
            t.answers.append(answer)
            self._serve(t, next_item_id, now_ms)
        self._write(course, change, lambda s: s.current_item_id == answer.item_id)

    def start_course(self, course, first_item_id, now_ms) -> None:
        def change(t):
            t.authorised, t.started_at = True, now_ms
            self._serve(t, first_item_id, now_ms)
        self._write(course, change, lambda s: s.status == "waiting")

    def reauthorise_course(self, course, now_ms) -> None:
        def change(t):
            t.authorised, t.served_at = True, now_ms
        self._write(course, change, lambda s: s.status == "started")

    def end_course_by_invigilator(self, course, now_ms) -> None:
        def change(t):
            t.status, t.ended_by, t.ended_at, t.current_item_id = "ended", "invigilator", now_ms, None
        self._write(course, change)

    def neutralise_item(self, course, item_id, reason, now_ms, *, replace_current=False,
                        next_item_id=None) -> None:
        def change(t):
            t.neutralised.append(item_id)
            t.alerts.append({"item_id": item_id, "reason": reason, "at": now_ms})
            if replace_current:
                self._serve(t, next_item_id, now_ms)
        self._write(course, change)
