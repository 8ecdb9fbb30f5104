"""The CRCN framework: 5 areas, 16 competences, levels 1 to 8.

Static reference data, the same in every deployment; the item bank hangs its
tubes and skills under these competence codes.
"""
from __future__ import annotations

from dataclasses import dataclass

MAX_LEVEL = 8
# The highest level open to learners today (the reference platform opened 5,
# then 6, then 7): positioning shows no level above it and certification
# certifies none above it (`CertificationVersion.max_open_level` of the
# current version). One constant, so the two can never disagree again
# (positioning capped at 6 while certification certified 7: issue 22).
# Opening level 8 means changing it here and registering a new
# certification version.
MAX_OPEN_LEVEL = 7
PIX_PER_LEVEL = 8
MAX_PIX_PER_COMPETENCE = MAX_LEVEL * PIX_PER_LEVEL  # 64
MAX_SKILL_PIX = 4.0


@dataclass(frozen=True)
class Area:
    code: str
    title: str


@dataclass(frozen=True)
class Competence:
    code: str
    area_code: str
    title: str


AREAS: tuple[Area, ...] = (
    Area("1", "Informations et données"),
    Area("2", "Communication et collaboration"),
    Area("3", "Création de contenu"),
    Area("4", "Protection et sécurité"),
    Area("5", "Environnement numérique"),
)

COMPETENCES: tuple[Competence, ...] = (
    Competence("1.1", "1", "Mener une recherche et une veille d'information"),
    Competence("1.2", "1", "Gérer des données"),
    Competence("1.3", "1", "Traiter des données"),
    Competence("2.1", "2", "Interagir"),
    Competence("2.2", "2", "Partager et publier"),
    Competence("2.3", "2", "Collaborer"),
    Competence("2.4", "2", "S'insérer dans le monde numérique"),
    Competence("3.1", "3", "Développer des documents textuels"),
    Competence("3.2", "3", "Développer des documents multimédia"),
    Competence("3.3", "3", "Adapter les documents à leur finalité"),
    Competence("3.4", "3", "Programmer"),
    Competence("4.1", "4", "Sécuriser l'environnement numérique"),
    Competence("4.2", "4", "Protéger les données personnelles et la vie privée"),
    Competence("4.3", "4", "Protéger la santé, le bien-être et l'environnement"),
    Competence("5.1", "5", "Résoudre des problèmes techniques"),
    Competence("5.2", "5", "Construire un environnement numérique"),
)

COMPETENCE_BY_CODE: dict[str, Competence] = {c.code: c for c in COMPETENCES}
AREA_BY_CODE: dict[str, Area] = {a.code: a for a in AREAS}
MAX_TOTAL_PIX = MAX_PIX_PER_COMPETENCE * len(COMPETENCES)  # 1024


def is_competence_code(code: str) -> bool:
    return code in COMPETENCE_BY_CODE


def skill_pix_value(skills_at_level: int) -> float:
    """min(4, 8 / n): each level of a competence is worth 8 pix in all."""
    if skills_at_level <= 0:
        raise ValueError("a level with no skill has no pix value")
    return min(MAX_SKILL_PIX, PIX_PER_LEVEL / skills_at_level)


def level_from_pix(pix: float, max_reachable_level: int) -> int:
    return max(0, min(int(pix // PIX_PER_LEVEL), max_reachable_level))
