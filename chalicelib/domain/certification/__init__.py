"""Certification: adaptive 2PL test over the 16 competences and its scoring.

- `irt`: 2PL model, EAP ability estimates (ours and Pix's variant).
- `selection`: `CertificationVersion` and `next_item` (exposure control,
  one item per tube, competence and area rotation, early stop).
- `scoring`: `score_certification`, score out of 1024, labels, levels.
- `jury`: how a test ended -> scored, imputed, rejected or held; the
  jury's decision on held results; the French reasons; « non évalué ».
- `versions`: the registry of versions; a course is always served and
  scored with the version it recorded (`version_named`), new ones take
  `CURRENT`.
Pure standard library.
"""
from .answers import CertificationAnswer
from .irt import AbilityEstimate, Prior, Response, eap, information, pix_eap, probability, wle
from .scoring import (
    LEVEL_LABELS,
    PIX_SCALE,
    CertificationResult,
    level_from_score,
    level_from_theta,
    level_label,
    score_cap,
    score_certification,
    score_from_theta,
)
from .selection import (
    DEFAULT_VERSION,
    PIX_VERSION,
    CertificationVersion,
    estimate,
    final_estimate,
    is_finished,
    next_item,
)
from .versions import CURRENT, REGISTRY, UnknownVersion, register, version_named

__all__ = [
    "AbilityEstimate", "CertificationAnswer", "CertificationResult", "CertificationVersion",
    "DEFAULT_VERSION", "LEVEL_LABELS", "PIX_SCALE", "PIX_VERSION", "Prior", "Response",
    "eap", "estimate", "information", "is_finished", "level_from_score", "level_from_theta",
    "level_label", "next_item", "pix_eap", "probability", "score_cap", "score_certification",
    "score_from_theta", "CURRENT", "REGISTRY", "UnknownVersion", "register", "version_named",
    "final_estimate", "wle",
]
