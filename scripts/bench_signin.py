"""The exam morning at a school behind one address (issue 16, point 1), and
a password guesser at that address, replayed with the real sign-in and
throttle code (services/authentication.py, services/throttle.py) on moto
in-process, on a fake clock: no sleeping, hours simulated in seconds.

The decisions are the shipped code's; the storage under them is an
in-memory stand-in of the same store functions (throttle counters with the
conditional increment, sign-in guards, login lookup), because moto costs
≈ 50 ms a call on the bench machine and one sign-in makes ≈ 15 calls: an
800-pupil hour would take hours. Token issuance after a successful sign-in
is left out (it does not decide who gets in).

A class of `pupils` arrives uniformly over `spread` seconds; a share
`typo` types a wrong password first (then the right one 5–15 s later).
On 429 a pupil either *waits* as told (Retry-After, plus 0–3 s) or
*retries* every 2 s whatever the answer says. Reported: pupils in after 1,
2, 5 and 60 minutes, when the last got in, refusals, and how many
right-password attempts a *failure* cap held (admission refusals are a
queue, failure-cap refusals would be a lockout).

argon2 runs at its cheapest parameters (the bench measures admission, not
hashing); the limits are the shipped ones.
"""
from __future__ import annotations

import heapq
import random

SCHOOL = "203.0.113.10"
PASSWORD, WRONG = "Secret123", "Wrong1234"
HORIZON_S = 3600


class _Clock:
    def __init__(self) -> None:
        self.now = 1_790_000_000.0

    def __call__(self) -> float:
        return self.now


class _Memory:
    """The store functions sign-in calls, over dicts, same semantics."""

    def __init__(self) -> None:
        self.counters: dict = {}
        self.guards: dict = {}
        self.users: dict = {}

    def install(self) -> None:
        from types import SimpleNamespace

        from chalicelib.services import authentication, passwords
        from chalicelib.store import accounts, credentials
        from chalicelib.store import throttle as counters

        c, g = self.counters, self.guards

        def increment(key, index, expires_at):
            c[(key, index)] = c.get((key, index), 0) + 1
            return c[(key, index)]

        def increment_below(key, index, expires_at, ceiling):
            if ceiling <= 0 or c.get((key, index), 0) >= ceiling:
                return None
            return increment(key, index, expires_at)

        counters.increment, counters.increment_below = increment, increment_below
        counters.count = lambda key, index, consistent=True: c.get((key, index), 0)
        counters.clear = lambda key, index: c.pop((key, index), None)

        def guard(login, source):
            return g.setdefault((login, source), SimpleNamespace(
                failures=0, blocked_until=None, last_success=None, trusted_until=None))

        def add_failure(login, source, expires_at):
            guard(login, source).failures += 1
            return guard(login, source).failures

        def set_block(login, source, until):
            guard(login, source).blocked_until = int(until)

        def record_success(login, source, now, trusted_until):
            item = guard(login, source)
            item.failures, item.blocked_until = 0, None
            item.last_success, item.trusted_until = now, trusted_until

        credentials.get_guard = lambda login, source: g.get((login, source))
        credentials.add_failure, credentials.set_block = add_failure, set_block
        credentials.record_success = record_success
        accounts.user_id_for_login = lambda login: login if login in self.users else None
        accounts.get_user = lambda user_id: self.users.get(user_id)
        passwords.needs_rehash = lambda password_hash: False
        authentication._issue = lambda item: {"user_id": item.user_id}

    def reset(self) -> None:
        self.counters.clear()
        self.guards.clear()


def _setup(memory: _Memory, pupils: int):
    from types import SimpleNamespace

    from argon2 import PasswordHasher

    from chalicelib.services import passwords

    passwords._HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    passwords._dummy_hash.cache_clear()
    hashed = passwords.hash_password(PASSWORD)
    logins = [f"eleve{n:04d}@lycee.example.org" for n in range(pupils)]
    for login in logins:
        memory.users[login] = SimpleNamespace(user_id=login, login=login, email=login,
                                              password_hash=hashed, token_version=0)
    return logins


def _instrument(clock):
    """Fake clock everywhere, and which check refused (admission or a failure cap)."""
    from chalicelib.domain.errors import TooManyRequests
    from chalicelib.services import authentication, throttle

    authentication._now = clock
    throttle._now = clock
    last = {"kind": ""}
    real_peek, real_hit = throttle.peek, throttle.hit

    def peek(key, *a, **kw):
        try:
            return real_peek(key, *a, **kw)
        except TooManyRequests:
            last["kind"] = "failure cap"
            raise

    def hit(key, *a, **kw):
        try:
            return real_hit(key, *a, **kw)
        except TooManyRequests:
            last["kind"] = "admission"
            raise

    throttle.peek, throttle.hit = peek, hit
    return last


def class_arrives(memory, logins, clock, last, *, spread: float, typo: float, mode: str,
                  seed: int, guesser_every: float = 0.0) -> dict:
    from chalicelib.domain.errors import TooManyRequests, Unauthenticated
    from chalicelib.services import authentication

    memory.reset()
    rng = random.Random(seed)
    start = clock.now
    queue = [(start + rng.uniform(0, spread), n) for n in range(len(logins))]
    if guesser_every:
        queue.append((start, -1))
    heapq.heapify(queue)
    typo_left = [rng.random() < typo for _ in logins]
    got_in: dict[int, float] = {}
    stats = {"401": 0, "429 admission": 0, "429 failure cap": 0, "right password held by a failure cap": 0,
             "guesses": 0, "guesses checked": 0, "attempts": 0}
    while queue:
        at, n = heapq.heappop(queue)
        if at - start > HORIZON_S:
            break
        clock.now = at
        if n < 0:  # the guesser: one login of the class after another, a common password
            stats["guesses"] += 1
            target = logins[stats["guesses"] % len(logins)]
            try:
                authentication.sign_in(target, "Azerty123", SCHOOL)
            except Unauthenticated:
                stats["guesses checked"] += 1
            except TooManyRequests:
                pass
            heapq.heappush(queue, (at + guesser_every, -1))
            if len(got_in) == len(logins) and at - start > 900:
                break
            continue
        stats["attempts"] += 1
        wrong = typo_left[n]
        try:
            authentication.sign_in(logins[n], WRONG if wrong else PASSWORD, SCHOOL)
            got_in[n] = at - start
        except Unauthenticated:
            stats["401"] += 1
            typo_left[n] = False
            heapq.heappush(queue, (at + rng.uniform(5, 15), n))
        except TooManyRequests as refused:
            stats[f"429 {last['kind']}"] += 1
            if last["kind"] == "failure cap" and not wrong:
                stats["right password held by a failure cap"] += 1
            delay = refused.retry_after + rng.uniform(0, 3) if mode == "wait" else 2.0
            heapq.heappush(queue, (at + delay, n))
        if len(got_in) == len(logins) and not guesser_every:
            break
    times = sorted(got_in.values())
    clock.now = start + 2 * HORIZON_S  # the next scenario starts with every window gone

    def within(s: float) -> int:
        return sum(1 for t in times if t <= s)

    return {"spread": spread, "typo": typo, "mode": mode, "in_1min": within(60),
            "in_2min": within(120), "in_5min": within(300), "in_60min": within(HORIZON_S),
            "last_in_s": round(times[-1]) if len(times) == len(logins) else None, **stats}


def guesser_alone(memory, logins, clock, last, *, seconds: int, every: float, spray: bool) -> dict:
    """One address guessing for `seconds`: the whole class's logins in turn
    (spraying) or one login (brute force). How many guesses were checked."""
    from chalicelib.domain.errors import TooManyRequests, Unauthenticated
    from chalicelib.services import authentication

    memory.reset()
    start = clock.now
    tried = checked = 0
    while clock.now - start < seconds:
        target = logins[tried % len(logins)] if spray else logins[0]
        tried += 1
        try:
            authentication.sign_in(target, f"Guess{tried:06d}", "198.51.100.66")
        except Unauthenticated:
            checked += 1
        except TooManyRequests:
            pass
        clock.now += every
    clock.now = start + seconds + 2 * 24 * 3600
    return {"kind": "spraying (every login of the class)" if spray else "brute force (one login)",
            "seconds": seconds, "requests": tried, "guesses checked": checked}


def run(pupils: int = 800, seed: int = 2026, spreads=(60, 120, 300), typos=(0.0, 0.10, 0.25),
        retry_cases=((60, 0.0), (60, 0.25), (120, 0.10))) -> dict:
    clock = _Clock()
    last = _instrument(clock)
    memory = _Memory()
    memory.install()
    logins = _setup(memory, pupils)
    rows = []
    for spread in spreads:
        for typo in typos:
            rows.append(class_arrives(memory, logins, clock, last, spread=spread, typo=typo, mode="wait",
                                      seed=seed))
    for spread, typo in retry_cases:
        rows.append(class_arrives(memory, logins, clock, last, spread=spread, typo=typo, mode="retry",
                                  seed=seed))
    mixed = class_arrives(memory, logins, clock, last, spread=120, typo=0.10, mode="wait", seed=seed,
                          guesser_every=0.5)
    guessers = [guesser_alone(memory, logins, clock, last, seconds=3600, every=0.25, spray=True),
                guesser_alone(memory, logins, clock, last, seconds=3600, every=0.25, spray=False)]
    return {"pupils": pupils, "rows": rows, "mixed": mixed, "guessers": guessers}
