"""The shared throttle (services/throttle.py) on moto: counts, sliding window,
retry_after, and timestamps rather than TTL deciding what is expired."""
from __future__ import annotations

import pytest

from chalicelib.domain.errors import TooManyRequests


@pytest.fixture()
def throttle(aws, monkeypatch):
    from chalicelib.services import throttle

    clock = {"now": 60.0 * 20_000}  # the start of a 60 s window
    monkeypatch.setattr(throttle, "_now", lambda: clock["now"])
    throttle.clock = clock
    return throttle


def test_allows_the_limit_then_refuses_with_retry_after(throttle):
    for _ in range(3):
        throttle.hit("k", 3, 60)
    with pytest.raises(TooManyRequests) as refused:
        throttle.hit("k", 3, 60)
    assert refused.value.retry_after >= 60 and refused.value.code == "too_many_requests"
    throttle.hit("other-key", 3, 60)  # keys are independent


def test_window_slides_instead_of_resetting_at_the_boundary(throttle):
    throttle.clock["now"] += 50          # 5 requests late in the first window
    for _ in range(5):
        throttle.hit("k", 5, 60)
    throttle.clock["now"] += 15          # next window, previous still weighs 45/60
    with pytest.raises(TooManyRequests) as refused:
        throttle.hit("k", 5, 60)
    assert 0 < refused.value.retry_after <= 60
    throttle.clock["now"] += 120         # both windows gone, whatever TTL did (moto: nothing)
    for _ in range(5):
        throttle.hit("k", 5, 60)


def test_peek_checks_without_counting(throttle):
    for _ in range(10):
        throttle.peek("k", 2, 60)
    throttle.hit("k", 2, 60)
    throttle.peek("k", 2, 60)
    throttle.hit("k", 2, 60)
    with pytest.raises(TooManyRequests):
        throttle.peek("k", 2, 60)


def test_keys_are_stored_hashed(throttle):
    from chalicelib.store.tables import AccountsTable

    throttle.hit("signin:ip:203.0.113.7", 5, 60)
    assert all("203.0.113.7" not in i.pk for i in AccountsTable.scan())


def test_reset_forgets_a_key(throttle):
    throttle.hit("k", 1, 60)
    throttle.reset("k", 60)
    throttle.hit("k", 1, 60)


def test_refused_requests_are_not_counted(throttle):
    """Issue 16: counting refused requests kept a school's window full while
    its pupils retried on 429 (a livelock). Now the refused wait their turn."""
    for _ in range(3):
        throttle.hit("k", 3, 60)
    for _ in range(100):
        with pytest.raises(TooManyRequests):
            throttle.hit("k", 3, 60)
    throttle.clock["now"] += 60  # the 3 admitted still weigh a whole window...
    with pytest.raises(TooManyRequests) as refused:
        throttle.hit("k", 3, 60)
    assert refused.value.retry_after == 20  # ...a third of it slides out in 20 s
    throttle.clock["now"] += 20
    throttle.hit("k", 3, 60)  # (counting the 100 refused, this would wait a whole window)


def test_exactly_the_limit_gets_in_per_window(throttle):
    admitted = 0
    for _ in range(50):
        try:
            throttle.hit("k", 7, 60)
            admitted += 1
        except TooManyRequests:
            pass
    assert admitted == 7


def test_record_counts_and_peek_takes_an_allowance(throttle):
    for _ in range(3):
        throttle.record("f", 60)
    assert throttle.total("f", 60) == 3
    with pytest.raises(TooManyRequests):
        throttle.peek("f", 3, 60)
    throttle.peek("f", 3, 60, allowance=1)
