"""The registry of certification versions: how each course is run and scored.

A course records the name of the version it was taken under (at join), and is
served its items and scored with that version only, never with whatever the
current one is: a certificate must not change meaning because the algorithm
was tuned after the candidate sat the test. Hence:
- `CURRENT` is what a new course is taken under;
- every version a stored course may carry stays in `REGISTRY`, with its
  parameters frozen (changing them under the same name would silently
  re-score old courses: `register` refuses it, so tuning means a new name);
- `version_named` finds a recorded version, and refuses an unknown one
  instead of guessing.
"""
from __future__ import annotations

from .selection import DEFAULT_VERSION, CertificationVersion

# The first production version, spelled out: its parameters are what every
# course recorded as "2026.1" was served and must be scored with, whatever
# the defaults of `CertificationVersion` become.
V2026_1 = CertificationVersion(
    version="2026.1", max_items=32, min_answers=20, early_stop_se=0.32, min_items_before_stop=20,
    top_k=10, pick_weights=None, min_info_ratio=0.0, per_competence=True, competence_choice="best",
    prior_mean=0.5, prior_sd=1.5, estimator="eap", competence_rotation=True, area_rotation=True,
    max_open_level=7)

REGISTRY: dict[str, CertificationVersion] = {}


class UnknownVersion(LookupError):
    """A stored course names a version this code does not know (a deployment
    error, not a user's): scoring it with another one would issue a
    certificate on the wrong rules, so the job stops loudly instead."""


def register(version: CertificationVersion) -> CertificationVersion:
    """Add a version; the same name with other parameters is an error."""
    known = REGISTRY.get(version.version)
    if known is not None and known != version:
        raise ValueError(f"certification version {version.version!r} is already registered with other "
                         "parameters: give the new parameters a new version name")
    REGISTRY[version.version] = version
    return version


def version_named(name: str) -> CertificationVersion:
    try:
        return REGISTRY[name]
    except KeyError:
        raise UnknownVersion(name) from None


# Issue 22: the most informative items within a per-test exposure budget
# instead of the uniform top-10, and a final estimator reaching the whole
# score range (docs/psychometrics.md, docs/benchmarks-certification.md).
V2026_2 = CertificationVersion(
    version="2026.2", max_items=32, min_answers=20, early_stop_se=0.32, min_items_before_stop=20,
    top_k=10, pick_weights=None, min_info_ratio=0.0, per_competence=True, competence_choice="best",
    prior_mean=0.5, prior_sd=1.5, estimator="eap", competence_rotation=True, area_rotation=True,
    max_open_level=7, exposure_budget=0.25, final_estimator="eap", final_prior_sd=2.5,
    open_ends=True)

register(V2026_1)
register(DEFAULT_VERSION)  # the dataclass defaults, equal to 2026.1
# 2026.2 beats 2026.1 on the real bank and on two synthetic banks nobody
# tuned for (RMSE, bias at the extremes, level 7 at θ = 4.5, the full score
# range; exposure ≤ 25% of a level band): docs/benchmarks-certification.md.
CURRENT: CertificationVersion = register(V2026_2)
