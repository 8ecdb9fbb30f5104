"""Jury rules (domain/certification/jury.py), rule by rule: end reason ->
scored, imputed, rejected or held; the jury's decision; what people read."""
from __future__ import annotations

import pytest

from chalicelib.domain.certification import jury
from chalicelib.domain.certification.jury import (
    Decision,
    EndReason,
    Ending,
    JuryChoice,
    Scoring,
    Status,
    decide,
    ending_of,
)
from chalicelib.domain.errors import Conflict

MIN = 20


def rule(reason: EndReason, answered: int, real: int | None = None, fraud: bool = False) -> Decision:
    return decide(Ending(reason, fraud), answered=answered, real=answered if real is None else real,
                  min_answers=MIN)


# --- what the centre's report and the course say ------------------------------------

def test_a_course_completed_by_its_stopping_rule_is_finished():
    assert ending_of("completed", set()) == Ending(EndReason.FINISHED)
    assert ending_of("completed", {"technical_problem"}) == Ending(EndReason.FINISHED)


@pytest.mark.parametrize("category", ["technical_problem", "accessibility"])
def test_an_invigilator_ending_with_a_technical_category_is_an_incident(category):
    assert ending_of("invigilator", {category, "other"}) == Ending(EndReason.TECHNICAL_INCIDENT)


@pytest.mark.parametrize("categories", [set(), {"left_early"}, {"late_arrival"}, {"other"}])
def test_other_invigilator_endings_are_abandonments(categories):
    assert ending_of("invigilator", categories) == Ending(EndReason.ABANDONED)


def test_a_course_out_of_time_is_timed_out():
    assert ending_of("timed_out", set()).reason is EndReason.TIMED_OUT


def test_a_fraud_report_is_recorded_whatever_the_ending():
    assert ending_of("completed", {"fraud_suspicion"}) == Ending(EndReason.FINISHED, True)
    assert ending_of("invigilator", {"fraud_suspicion", "technical_problem"}) == \
        Ending(EndReason.TECHNICAL_INCIDENT, True)


# --- the table ------------------------------------------------------------------------

@pytest.mark.parametrize("reason", [EndReason.FINISHED, EndReason.TECHNICAL_INCIDENT])
def test_endings_nobody_chose_are_scored_on_the_answers_given(reason):
    assert rule(reason, MIN) == Decision(Status.VALIDATED, Scoring.AS_GIVEN)
    assert rule(reason, 32) == Decision(Status.VALIDATED, Scoring.AS_GIVEN)


@pytest.mark.parametrize("reason", [EndReason.ABANDONED, EndReason.TIMED_OUT])
def test_only_the_candidates_own_ending_imputes_missing_answers(reason):
    assert rule(reason, MIN) == Decision(Status.VALIDATED, Scoring.IMPUTED)
    assert jury.CANDIDATE_ENDINGS == {EndReason.ABANDONED, EndReason.TIMED_OUT}


@pytest.mark.parametrize("answered", [0, 1, MIN - 1])
def test_an_incident_before_min_answers_is_rejected(answered):
    assert rule(EndReason.TECHNICAL_INCIDENT, answered) == \
        Decision(Status.REJECTED, Scoring.NONE, jury.INCIDENT_TOO_SHORT)


@pytest.mark.parametrize("reason", [EndReason.ABANDONED, EndReason.TIMED_OUT, EndReason.FINISHED])
@pytest.mark.parametrize("answered", [0, 1, MIN - 1])
def test_any_other_ending_before_min_answers_is_held_for_the_jury(reason, answered):
    assert rule(reason, answered) == Decision(Status.HELD, Scoring.NONE, jury.TOO_SHORT)


@pytest.mark.parametrize("reason", list(EndReason))
def test_too_many_neutralisations_reject(reason):
    assert rule(reason, 32, real=MIN - 1) == Decision(Status.REJECTED, Scoring.NONE,
                                                      jury.NEUTRALISED_TOO_SHORT)
    assert rule(reason, 32, real=MIN).status is Status.VALIDATED


@pytest.mark.parametrize("reason", list(EndReason))
def test_a_fraud_report_holds_every_ending(reason):
    full = rule(reason, 32, fraud=True)
    assert full.status is Status.HELD and full.reason == jury.FRAUD_REPORTED
    # the score kept for the jury follows the ending's own rule
    assert full.scoring is rule(reason, 32).scoring
    for answered, real in ((5, 5), (32, 3)):
        assert rule(reason, answered, real, fraud=True) == Decision(Status.HELD, Scoring.NONE,
                                                                    jury.FRAUD_REPORTED)


def test_no_ending_ever_validates_a_test_shorter_than_min_answers():
    for reason in EndReason:
        for fraud in (False, True):
            for answered in range(MIN):
                assert rule(reason, answered, fraud=fraud).status is not Status.VALIDATED


# --- the jury's decision on a held certificate ----------------------------------------------

def test_the_jury_validates_a_held_score_or_rejects_it():
    assert jury.jury_decision("held", True, JuryChoice.VALIDATE) == (Status.VALIDATED, jury.JURY_VALIDATED)
    assert jury.jury_decision("held", True, JuryChoice.REJECT) == (Status.REJECTED, jury.JURY_REJECTED)
    assert jury.jury_decision("held", False, JuryChoice.REJECT) == (Status.REJECTED, jury.JURY_REJECTED)


def test_the_jury_cannot_certify_a_test_without_a_score():
    with pytest.raises(Conflict) as err:
        jury.jury_decision("held", False, JuryChoice.VALIDATE)
    assert err.value.code == "certificate_not_scorable"


@pytest.mark.parametrize("status", ["validated", "rejected"])
def test_only_held_certificates_are_decided(status):
    with pytest.raises(Conflict) as err:
        jury.jury_decision(status, True, JuryChoice.REJECT)
    assert err.value.code == "certificate_not_held"


# --- what people read -----------------------------------------------------------------

@pytest.mark.parametrize("code", [jury.INCIDENT_TOO_SHORT, jury.TOO_SHORT, jury.NEUTRALISED_TOO_SHORT,
                                  jury.FRAUD_REPORTED, jury.JURY_REJECTED, jury.MISSING_IMPUTED])
def test_every_reason_reads_in_french(code):
    message = jury.reason_message("held", code, 20)
    assert message and "{" not in message
    assert any(word in message for word in ("Test", "Résultat", "Moins", "Suspicion"))


def test_reasons_name_the_versions_minimum():
    assert "20 réponses" in jury.reason_message("rejected", jury.INCIDENT_TOO_SHORT, 20)
    assert "15 réponses" in jury.reason_message("held", jury.TOO_SHORT, 15)


def test_old_free_text_reasons_read_as_their_status():
    assert jury.reason_message("rejected", "incident before 20 answers") == "Résultat annulé."
    assert jury.reason_message("validated", None) is None
    assert jury.reason_message("validated", "3 missing answers counted as skipped") is None


def test_a_competence_without_a_level_is_not_evaluated_never_level_0():
    rows = jury.competence_results({"1.1": 0, "1.2": 4}, ["1.1", "1.2", "1.3"])
    assert rows == [
        {"code": "1.1", "level": 0, "evaluated": True, "label": "niveau 0"},
        {"code": "1.2", "level": 4, "evaluated": True, "label": "niveau 4"},
        {"code": "1.3", "level": None, "evaluated": False, "label": "non évalué"},
    ]


# --- the certificate's views --------------------------------------------------------

def _cert(**changes):
    from chalicelib.domain.certificate import Certificate

    base = dict(certificate_id="c1", verification_code="P-B2C3D4F6", first_name="Léa",
                last_name="Dupont", birth_date="2008-05-14", session_date="2026-06-10",
                centre_name="Lycée", global_score=310, level_label="Indépendant 3", level=3,
                competence_levels={"1.1": 3, "1.2": 0}, certification_version="2026.1",
                issued_at="2026-06-10T12:00:00+00:00", published=True, theta=1.0)
    base.update(changes)
    return Certificate(**base)


def test_the_public_view_prints_non_evalue_for_an_unmeasured_competence_and_0_for_level_0():
    view = _cert().public_view()
    rows = {c["code"]: c for c in view["competences"]}
    assert len(rows) == 16
    assert rows["1.2"]["label"] == "niveau 0" and rows["1.2"]["evaluated"]
    assert rows["2.1"] == {"code": "2.1", "level": None, "evaluated": False, "label": "non évalué"}
    assert view["not_evaluated"] == [c for c in rows if c not in ("1.1", "1.2")]
    assert view["competence_levels"] == {"1.1": 3, "1.2": 0}   # measured ones only, never a 0 added


def test_a_held_or_rejected_result_shows_its_reason_never_its_score():
    held = _cert(status="held", reason=jury.FRAUD_REPORTED).status_view(20)
    assert held["status"] == "held" and "Suspicion de fraude" in held["message"]
    assert not {"global_score", "level", "level_label", "competences"} & set(held)
    assert held["verification_code"] is None
    unpublished = _cert(status="rejected", reason=jury.INCIDENT_TOO_SHORT, published=False).status_view(20)
    assert (unpublished["status"], unpublished["reason"]) == ("pending", None)
    assert unpublished["message"] == "Résultat en cours de vérification par la plateforme."


def test_the_admin_sees_the_true_status_and_the_score_only_when_there_is_one():
    fraud = _cert(status="held", reason=jury.FRAUD_REPORTED, published=False).admin_view(20)
    assert (fraud["status"], fraud["global_score"], fraud["level"]) == ("held", 310, 3)
    short = _cert(status="held", reason=jury.TOO_SHORT, theta=None, global_score=0, level=0,
                  level_label="").admin_view(20)
    assert (short["global_score"], short["level"], short["competences"]) == (None, None, [])
    assert "20 réponses" in short["message"]
