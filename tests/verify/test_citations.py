from datetime import date

from avec.verify.citations import check_citations

TODAY = date(2026, 1, 15)


def _found(text: str) -> list[tuple[str, str]]:
    return [(text[f.start : f.end], str(f.type)) for f in check_citations(text, today=TODAY)]


def test_well_formed_references_pass() -> None:
    text = (
        "Références :\n"
        "1. Haute Autorité de santé. Prise en charge de la BPCO. Fiche mémo. Saint-Denis : HAS ; 2024. "
        "https://www.has-sante.fr/jcms/p_1234567\n"
        "2. Martin L, Durand P et al. Essai randomisé sur la marche. Lancet. 1998;352:1021-7. "
        "doi:10.1016/S0140-6736(98)01234-5 PMID: 9759751\n"
    )
    assert _found(text) == []  # an old primary study is not outdated


def test_malformed_identifiers() -> None:
    text = (
        "1. ANSM. Bon usage des opioïdes. Rapport. 2022. doi:10.12/abc\n"
        "Voir htps//ansm.sante.fr et PMID: 12B45."
    )
    assert _found(text) == [
        ("doi:10.12/abc", "CITATION_MALFORMED"),
        ("htps//ansm.sante.fr", "CITATION_MALFORMED"),
        ("PMID: 12B45", "CITATION_MALFORMED"),
    ]


def test_incomplete_and_outdated() -> None:
    text = (
        "1. Collège de la médecine générale. Dépistage du diabète. Recommandation.\n"
        "2. Surveillance des anticoagulants. Guide. 2021.\n"
        "3. Haute Autorité de santé. Prévention des escarres. Recommandation de bonne pratique. 2009.\n"
    )
    found = _found(text)
    assert [t for _, t in found] == ["CITATION_INCOMPLETE", "CITATION_INCOMPLETE", "CITATION_OUTDATED"]
    assert found[2][0].endswith("2009.")
    assert check_citations(text, today=TODAY, outdated_years=20)[-1].type == "CITATION_INCOMPLETE"


def test_in_text_guideline_citation() -> None:
    assert _found("Selon les recommandations (HAS, 2011), on peut ...") == [
        ("(HAS, 2011)", "CITATION_OUTDATED")
    ]
    assert _found("Selon Dupont et al., 2009, la marche aide.") == []


def test_prescription_lines_are_not_references() -> None:
    assert _found("- metformine 1000 mg matin et soir.\n- Aspirine 75 mg.") == []
