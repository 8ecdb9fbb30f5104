"""Which competence to work on next, and when a retry opens (domain rules)."""
from __future__ import annotations

from chalicelib.domain import attempts
from chalicelib.domain.framework import COMPETENCES
from chalicelib.domain.orientation import CompetenceStanding, next_competence


def standings(**changes) -> list[CompetenceStanding]:
    """The 16 competences not started, with `changes` (code with _ for .) applied."""
    out = []
    for c in COMPETENCES:
        status, level, improvable = changes.get(c.code.replace(".", "_"), ("not_started", 0, False))
        out.append(CompetenceStanding(c.code, c.area_code, status, level, improvable))
    return out


def test_the_suggestion_follows_the_documented_order():
    cases = [
        # a new learner starts at the first competence
        (standings(), False, None, "1.1"),
        # a started test comes first, whatever else
        (standings(**{"1_1": ("completed", 2, False), "3_2": ("started", 0, False)}), False, None, "3.2"),
        # not certifiable: an area not explored yet (1 is, 2 is next)
        (standings(**{"1_1": ("completed", 2, False)}), False, None, "2.1"),
        # every area explored: any competence not started
        (standings(**{"1_1": ("completed", 1, False), "2_1": ("completed", 1, False), "3_1": ("completed", 0, False),
                      "4_1": ("completed", 1, False), "5_1": ("completed", 1, False)}), False, None, "1.2"),
        # the competence just finished is never suggested right after itself
        (standings(**{"1_1": ("started", 0, False)}), False, "1.1", "2.1"),
    ]
    everything = {c.code.replace(".", "_"): ("completed", 3, False) for c in COMPETENCES}
    # all done: the lowest level that may be retried today
    retry = dict(everything, **{"2_2": ("completed", 1, True), "4_3": ("completed", 0, True), "5_2": ("completed", 0, False)})
    cases.append((standings(**retry), True, None, "4.3"))
    for given, certifiable, exclude, expected in cases:
        found = next_competence(given, certifiable=certifiable, exclude=exclude)
        assert found is not None and found.code == expected, (expected, found)
        assert found.reason
    # nothing to retry today: no suggestion (the profile shows the dates instead)
    assert next_competence(standings(**everything), certifiable=True) is None


def test_retry_opens_four_days_after_the_end_and_reset_seven_after_the_last_answer():
    end = 1_700_000_000_000
    opens = attempts.improve_available_at("completed", end)
    assert opens == end + 4 * attempts.DAY_MS
    assert not attempts.can_improve("completed", end, opens - 1)
    assert attempts.can_improve("completed", end, opens)
    assert attempts.improve_available_at("started", None) is None
    assert not attempts.can_improve("started", None, end * 2)
    assert attempts.reset_available_at(end) == end + 7 * attempts.DAY_MS
    assert not attempts.can_reset(end, end + 7 * attempts.DAY_MS - 1)
    assert attempts.can_reset(end, end + 7 * attempts.DAY_MS)
