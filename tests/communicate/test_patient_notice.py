"""Patient information notice: says what the AI did, with which kinds of data, checked by whom."""

from __future__ import annotations

from datetime import date

import pytest

from avec.communicate.notice import NoticeError, SharedKind, build_notice
from avec.communicate.readability import readability


def test_notice_tells_task_data_kinds_replacements_and_checking() -> None:
    notice = build_notice(
        task="courrier",
        shared=[SharedKind.MEDICAL, SharedKind.TREATMENT],
        replaced_categories=["NOM", "PRENOM", "NOM", "DATE_NAISSANCE"],
        checked=True,
        on=date(2026, 11, 30),
        profession="médecin",
    )
    text = notice.as_text()
    assert "intelligence artificielle" in text
    assert "préparer un courrier le 30/11/2026" in text
    assert "des informations médicales" in text and "vos traitements" in text
    assert "nom de famille, prénom et date de naissance" in text
    assert "Votre médecin a relu le résultat" in text
    assert "ne pose pas de diagnostic" in text


def test_notice_is_easy_to_read() -> None:
    text = build_notice(
        task="resume_cr", shared=[SharedKind.MEDICAL], replaced_categories=["NOM"], checked=True
    )
    report = readability(text.as_text())
    assert report.flesch_fr is not None and report.flesch_fr >= 60
    assert report.words_per_sentence <= 15


def test_no_notice_before_the_professional_checked() -> None:
    with pytest.raises(NoticeError, match="relecture"):
        build_notice(task="courrier", shared=[SharedKind.MEDICAL], checked=False)


def test_unknown_label_is_refused_and_nothing_shared_is_said_plainly() -> None:
    with pytest.raises(NoticeError):
        build_notice(task="courrier", shared=[], replaced_categories=["Jean Dupont"], checked=True)
    text = build_notice(task="autre", shared=[], checked=True).as_text()
    assert "aucune information sur vous" in text
    assert "Aucune information qui permet de vous reconnaître" in text


def test_html_is_escaped() -> None:
    html = build_notice(
        task="courrier", shared=[SharedKind.SOCIAL], checked=True, profession="<b>x</b>"
    ).as_html()
    assert "<b>x</b>" not in html and "&lt;b&gt;" in html
