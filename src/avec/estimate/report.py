"""The team report of a period: dashboard figures, objectives, AI-error register, lessons and
the transparency register, gathered from the journal into one plain object.

Renderers (:mod:`avec.estimate.render_html`, :mod:`~avec.estimate.render_pdf`,
:mod:`~avec.estimate.render_csv`) only format this object; the report holds no identifying
text (the journal holds none, lessons are screened when shared).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Engine

from avec.catalog import System, load_catalog
from avec.estimate.dashboard import DashboardFigures, dashboard
from avec.estimate.objectives import Objective, Progress, evaluate
from avec.estimate.register import ErrorReport, Register, SharedLesson
from avec.estimate.snapshot import load_snapshot, period_bounds
from avec.estimate.transparency import SystemTransparency, transparency_register

#: Method notes printed at the end of every report.
METHOD_NOTES: tuple[str, ...] = (
    "Le journal d'AVEC ne contient aucun texte identifiant : seulement des catégories, des comptes, "
    "des durées et des notes.",
    "Taux de correction : part du texte modifiée par le professionnel entre la réponse de l'IA et le "
    "texte final (0 % = gardé tel quel), sur les réponses validées.",
    "Empreinte environnementale : estimée avec EcoLogits (mix électrique français) pour les requêtes "
    "passées par la passerelle, à partir des jetons générés seulement ; c'est un minimum. Les usages "
    "par copier-coller dans un assistant ne peuvent pas être mesurés.",
    "Les équivalences (smartphone, voiture, verres d'eau) sont des ordres de grandeur.",
)


@dataclass(frozen=True, slots=True)
class TeamReport:
    """Everything the team report shows.

    Attributes:
        first_day, last_day: the period, both days included.
        team: the team reported on, None for the whole organisation.
        generated_at: when the report was built (UTC).
        figures: dashboard figures.
        objectives: progress of each active objective of the team (personal ones excluded).
        errors: AI errors reported in the period.
        errors_by_category, errors_by_severity: counts of ``errors``.
        lessons: lessons shared in the period.
        transparency: the organisation transparency register for the period.
        system_names: catalogue names by system code.
    """

    first_day: date
    last_day: date
    team: str | None
    generated_at: datetime
    figures: DashboardFigures
    objectives: tuple[Progress, ...]
    errors: tuple[ErrorReport, ...]
    errors_by_category: dict[str, int]
    errors_by_severity: dict[str, int]
    lessons: tuple[SharedLesson, ...]
    transparency: tuple[SystemTransparency, ...]
    system_names: dict[str, str]

    @property
    def title(self) -> str:
        """The report's title, in French."""
        who = f"équipe {self.team}" if self.team else "ensemble de l'organisation"
        return f"Rapport d'usage de l'IA générative — {who}"

    @property
    def period_fr(self) -> str:
        """The period as "du 01/11/2026 au 30/11/2026"."""
        return f"du {self.first_day.strftime('%d/%m/%Y')} au {self.last_day.strftime('%d/%m/%Y')}"

    def system_name(self, system_id: str) -> str:
        """Catalogue name of a system (its code when unknown)."""
        return self.system_names.get(system_id, system_id)


def build_team_report(
    engine: Engine,
    first_day: date,
    last_day: date,
    *,
    team: str | None = None,
    catalog: Sequence[System] | None = None,
    objectives: Sequence[Objective] | None = None,
    now: datetime | None = None,
) -> TeamReport:
    """Gather the team report of ``[first_day, last_day]`` from the journal.

    Args:
        engine: a migrated journal engine.
        first_day: first day of the period (included).
        last_day: last day of the period (included).
        team: one team, or None for the whole organisation.
        catalog: GenAI systems (names, decisions); the configured catalogue by default.
        objectives: objectives to follow; the stored active ones of the team by default.
        now: the report's timestamp (tests pass a fixed one).

    Raises:
        ValueError: ``last_day`` is before ``first_day``.
    """
    start, end = period_bounds(first_day, last_day)
    systems = tuple(catalog) if catalog is not None else load_catalog()
    register = Register(engine)
    snapshot = load_snapshot(engine, start, end, team=team)
    errors = register.errors(start, end, team=team)
    followed = list(objectives) if objectives is not None else register.objectives(team=team)
    return TeamReport(
        first_day=first_day,
        last_day=last_day,
        team=team,
        generated_at=now or datetime.now(UTC),
        figures=dashboard(snapshot),
        objectives=tuple(evaluate(o, snapshot) for o in followed if o.user_id is None),
        errors=tuple(errors),
        errors_by_category=dict(Counter(e.category for e in errors).most_common()),
        errors_by_severity=dict(Counter(e.severity for e in errors).most_common()),
        lessons=tuple(register.lessons(start, end, team=team)),
        transparency=tuple(transparency_register(snapshot, errors, systems)),
        system_names={s.id: s.name for s in systems},
    )
