from chalicelib.domain.identity import identity_key, name_key


def test_names_match_without_case_accents_spaces_or_hyphens():
    assert name_key("Lé-a  D'Arc") == name_key("lea darc") == "leadarc"
    assert name_key("ÉLODIE") == name_key("elodie")


def test_different_names_or_dates_differ():
    assert name_key("Dupont") != name_key("Dupond")
    assert identity_key("Dupont", "2008-05-14") != identity_key("Dupont", "2008-05-15")
