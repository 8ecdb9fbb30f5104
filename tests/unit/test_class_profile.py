"""The class competence profile: pupils per level and mean level per competence."""
from chalicelib.domain.class_profile import class_profile


def test_pupils_are_counted_once_per_competence_and_levels_are_clamped():
    rows = class_profile(["1.1", "2.1"], [{"1.1": (20, 2), "2.1": (8, 1)}, {"1.1": (99, 12)}, {}])
    c11, c21 = rows
    assert c11.pupils == c21.pupils == 3
    assert c11.by_level == (1, 0, 1, 0, 0, 0, 0, 0, 1) and c11.mean_level == 3.3
    assert c21.by_level[:2] == (2, 1) and c21.mean_level == 0.3
    assert c11.title.startswith("Mener une recherche")


def test_no_pupil_gives_zeros_not_an_error():
    (row,) = class_profile(["3.4"], [])
    assert (row.pupils, row.mean_level, sum(row.by_level)) == (0, 0.0, 0)
