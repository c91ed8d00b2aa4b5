"""A short needs questionnaire, and the ranking of catalogue systems for those needs.

Requirements the professional states (health data, HDS hosting, data in the EU, no
training on their requests) exclude a system that certainly fails them; an unknown answer
keeps the system but says what to check. Remaining systems are ordered by the evaluation
grid's score. Every position comes with its reasons, in French.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from avec.apprendre.grid import GRID, Criterion, SystemProfile, profile_from_system
from avec.catalog import TASK_IDS, task_label


@dataclass(frozen=True, slots=True)
class Question:
    """A question of the needs questionnaire (for the web form)."""

    id: str
    text: str
    choices: tuple[tuple[str, str], ...]


_YES_NO = (("oui", "Oui"), ("non", "Non"))

QUESTIONS: tuple[Question, ...] = (
    Question(
        "task",
        "Pour quelle tâche voulez-vous utiliser une IA ?",
        tuple((t, task_label(t)) for t in sorted(TASK_IDS)),
    ),
    Question(
        "health_data",
        "Votre demande contiendra-t-elle des informations de santé, même pseudonymisées ?",
        _YES_NO,
    ),
    Question("require_hds", "Exigez-vous un hébergement certifié pour les données de santé (HDS) ?", _YES_NO),
    Question("require_eu", "Exigez-vous que les données restent dans l'Union européenne ?", _YES_NO),
    Question(
        "refuse_training", "Refusez-vous que l'éditeur entraîne ses modèles avec vos demandes ?", _YES_NO
    ),
    Question(
        "clinical_decision",
        "Le résultat servira-t-il à poser un diagnostic ou choisir un traitement ?",
        _YES_NO,
    ),
    Question(
        "environment",
        "Quelle importance donnez-vous à l'impact environnemental ?",
        (("0", "Faible"), ("1", "Moyenne"), ("2", "Forte")),
    ),
)


class QuestionnaireError(ValueError):
    """An answer is missing or not one of the choices (French message)."""


@dataclass(frozen=True, slots=True)
class Needs:
    """What the professional needs, from the questionnaire."""

    task: str
    health_data: bool = True
    require_hds: bool = False
    require_eu: bool = False
    refuse_training: bool = True
    clinical_decision: bool = False
    environment: int = 1


def needs_from_answers(answers: Mapping[str, str]) -> Needs:
    """Parse form answers (question id → choice id).

    Raises:
        QuestionnaireError: a missing answer or an unknown choice.
    """
    values: dict[str, str] = {}
    for q in QUESTIONS:
        value = answers.get(q.id)
        if value not in {c for c, _ in q.choices}:
            raise QuestionnaireError(f"réponse manquante ou invalide : « {q.text} »")
        values[q.id] = value
    yes = {k: v == "oui" for k, v in values.items()}
    return Needs(
        task=values["task"],
        health_data=yes["health_data"],
        require_hds=yes["require_hds"],
        require_eu=yes["require_eu"],
        refuse_training=yes["refuse_training"],
        clinical_decision=yes["clinical_decision"],
        environment=int(values["environment"]),
    )


@dataclass(frozen=True, slots=True)
class RankedSystem:
    """A system's place for the stated needs.

    Attributes:
        eligible: False when a stated requirement certainly fails.
        score: grid score, 0 to 100 (unknown answers earn nothing).
        reasons_for, reasons_against: what the grid says, in French.
        to_check: criteria not documented in the catalogue.
    """

    system_id: str
    name: str
    eligible: bool
    score: float
    reasons_for: tuple[str, ...]
    reasons_against: tuple[str, ...]
    to_check: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Ranking:
    """Systems best first (eligible ones before excluded ones), and general warnings."""

    systems: tuple[RankedSystem, ...]
    warnings: tuple[str, ...]


def _required(needs: Needs) -> set[Criterion]:
    req = set()
    if needs.health_data:
        req.add(Criterion.HEALTH_DATA)
    if needs.require_hds:
        req.add(Criterion.HDS_HOSTING)
    if needs.require_eu:
        req.add(Criterion.EU_DATA)
    if needs.refuse_training:
        req.add(Criterion.NO_TRAINING)
    return req


def rank_profile(profile: SystemProfile, needs: Needs) -> RankedSystem:
    """Score one system for ``needs`` and give its reasons."""
    required = _required(needs)
    pros: list[str] = []
    cons: list[str] = []
    unknown: list[str] = []
    eligible = needs.task in profile.intended_uses
    if eligible:
        pros.append(f"prévu par votre organisation pour la tâche « {task_label(needs.task)} »")
    else:
        cons.append(f"non prévu par votre organisation pour la tâche « {task_label(needs.task)} »")
    points = total = 0.0
    for line in GRID:
        weight = line.weight * (
            (0.5, 1.0, 2.0)[needs.environment] if line.criterion is Criterion.ENVIRONMENT else 1
        )
        total += weight
        answer = profile.answers.get(line.criterion)
        if answer is True:
            points += weight
            pros.append(line.yes)
        elif answer is False:
            cons.append(line.no + (" (exigé)" if line.criterion in required else ""))
            eligible = eligible and line.criterion not in required
        else:
            unknown.append(
                line.label + (" (exigé : à vérifier avant usage)" if line.criterion in required else "")
            )
    return RankedSystem(
        profile.system_id,
        profile.name,
        eligible,
        round(100 * points / total, 1),
        tuple(pros),
        tuple(cons),
        tuple(unknown),
    )


def rank_systems(systems: Iterable[object], needs: Needs) -> Ranking:
    """Rank catalogue systems (or :class:`SystemProfile` objects) for ``needs``."""
    profiles = [s if isinstance(s, SystemProfile) else profile_from_system(s) for s in systems]
    ranked = sorted(
        (rank_profile(p, needs) for p in profiles), key=lambda r: (not r.eligible, -r.score, r.name.lower())
    )
    warnings: list[str] = []
    if needs.clinical_decision:
        warnings.append(
            "Une IA générative généraliste n'est pas un dispositif médical : elle ne doit pas servir à poser "
            "un diagnostic ni à choisir un traitement. Pour cela, seul un dispositif médical marqué CE prévu "
            "pour cet usage convient ; la décision reste la vôtre."
        )
    if not any(r.eligible for r in ranked):
        warnings.append(
            "Aucun système du catalogue ne répond à vos exigences : demandez conseil à votre DPO."
        )
    if any("vérifier" in p.review_note for p in profiles):
        warnings.append(
            "Les fiches du catalogue portent la mention « à vérifier » : confirmez-les avant de décider."
        )
    return Ranking(tuple(ranked), tuple(warnings))
