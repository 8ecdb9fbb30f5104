"""The item bank as immutable domain objects.

Loaded once per cold start by `chalicelib.bank.loader`; everything downstream
(matching, adaptive selection, candidate views) reads these objects only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

# Prior 2PL difficulty by skill level: a learner at the lower bound of level L
# on the certification ability scale succeeds a level-L item half the time.
PRIOR_DIFFICULTY_BY_LEVEL = {1: -1.4, 2: -0.519, 3: 0.6, 4: 1.5, 5: 2.25, 6: 3.1, 7: 4.0, 8: 5.0}
PRIOR_DISCRIMINATION = 1.2
ALL_TOLERANCES = ("t1", "t2", "t3")


class ItemType(str, Enum):
    QCU = "QCU"
    QCM = "QCM"
    QROC = "QROC"
    QROCM_IND = "QROCM-ind"
    QROCM_DEP = "QROCM-dep"

    @property
    def is_choice(self) -> bool:
        return self in (ItemType.QCU, ItemType.QCM)


class ItemStatus(str, Enum):
    VALIDATED = "validated"
    # Field test: served unscored in positioning pilot slots to collect
    # answers for calibration (domain/positioning.py, PilotPolicy); never a
    # skill, never counted, promoted to validated by the content team once
    # scripts/calibrate.py proposes it.
    PILOT = "pilot"
    DRAFT = "draft"
    RETIRED = "retired"


FIELD_KINDS = ("text", "number", "time", "shortcut", "url")


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str = "text"  # one of FIELD_KINDS
    solutions: tuple[str, ...] = ()
    unit: str | None = None           # number fields: accepted when typed, shown beside the input
    wrong: tuple[str, ...] = ()       # known wrong answers: win over typo tolerance
    accept: tuple[str, ...] = ()      # reviewers' examples, run through the matcher by a test
    reject: tuple[str, ...] = ()


@dataclass(frozen=True)
class ItemFile:
    """An illustration or an attachment of an item, as the platform serves it.

    `name` is what candidates see in the URL: the first 20 hex digits of the
    SHA-256 of the bytes plus the extension. Content-addressed, so a URL never
    changes meaning (cacheable for ever: a new bank version with new bytes gets
    a new URL) and it says nothing the bytes do not (not the item id, not the
    author's file name, which may hint at the answer). `source` (path inside
    `item_bank/`) stays on the server.
    """

    name: str          # "3f9a…c2.csv"
    source: str        # "assets/ventes-trimestre.csv"
    media_type: str    # "text/csv; charset=utf-8"
    label: str         # short format name shown beside the link: "CSV", "PDF"…
    size: int          # bytes
    text: str          # illustration: its text alternative; attachment: its title


@dataclass(frozen=True)
class Calibration:
    a: float
    b: float
    n: int = 0  # answers the estimate is based on; 0 = prior


@dataclass(frozen=True)
class Item:
    id: str
    competence: str
    tube: str          # "@moteurRecherche"
    level: int         # 1..8
    type: ItemType
    instruction: str
    tutorial: str
    calibration: Calibration
    status: ItemStatus = ItemStatus.VALIDATED
    locales: tuple[str, ...] = ("fr-fr",)
    proposals: tuple[str, ...] = ()
    solution: frozenset[int] = frozenset()     # 1-based proposal indices
    fields: tuple[Field, ...] = ()
    groups: tuple[tuple[str, ...], ...] = ()   # QROCM-dep
    expected_correct: int | None = None
    tolerances: frozenset[str] = frozenset(ALL_TOLERANCES)
    timer: int | None = None
    focused: bool = False
    shuffle: bool = False
    accessible: bool = True
    illustration_alt: str | None = None
    illustration: ItemFile | None = None   # an image shown with the instruction
    attachment: ItemFile | None = None     # a file to download and work on
    # Items never served in the same test as this one: declared on either side,
    # made symmetric by the loader (a pair that asks the same thing, or where
    # one gives away the other's answer).
    enemies: frozenset[str] = frozenset()

    @property
    def skill(self) -> str:
        return f"{self.tube}{self.level}"

    @property
    def is_timed(self) -> bool:
        return self.timer is not None


@dataclass(frozen=True)
class Skill:
    name: str          # "@moteurRecherche3"
    competence: str
    tube: str
    level: int
    pix_value: float
    item_ids: tuple[str, ...]


@dataclass(frozen=True)
class ItemBank:
    """Validated items indexed the ways the engines need them."""

    version: str
    items: dict[str, Item]
    skills: dict[str, Skill]
    # competence code -> tube name -> {level: skill name}
    tubes: dict[str, dict[str, dict[int, str]]] = field(default_factory=dict)
    # public file name -> file, for the illustrations and attachments of every item
    files: dict[str, ItemFile] = field(default_factory=dict)

    def served_items(self) -> list[Item]:
        return [i for i in self.items.values() if i.status is ItemStatus.VALIDATED]

    def skills_of(self, competence: str) -> list[Skill]:
        return [s for s in self.skills.values() if s.competence == competence]
