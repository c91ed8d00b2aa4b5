"""The team report laid out as titled sections of small tables, in French.

HTML and PDF render the same layout, so both always show the same figures. Values are
formatted here once (decimal comma, units, French labels).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from avec.catalog import task_label
from avec.estimate.register import DETECTED_BY, ERROR_CATEGORIES, SEVERITIES
from avec.estimate.report import METHOD_NOTES, TeamReport
from avec.text import LABEL_FR
from avec.verify.findings import TYPE_FR, FindingType

OUTCOME_FR = {
    "validated": "validée",
    "rejected": "rejetée",
    "abandoned": "abandonnée",
    "ok": "passerelle : aboutie",
    "blocked": "passerelle : bloquée",
    "error": "passerelle : erreur",
}


@dataclass(frozen=True, slots=True)
class Table:
    """A small table; ``bars`` (0 to 1 per row) asks renderers to draw a bar chart beside it."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    bars: tuple[float, ...] = ()
    caption: str = ""


@dataclass(frozen=True, slots=True)
class Section:
    """A titled part of the report."""

    title: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[Table, ...] = field(default_factory=tuple)


def num(value: float | None, digits: int = 1) -> str:
    """A number French style; "—" when missing."""
    if value is None:
        return "—"
    return f"{value:,.{digits}f}".replace(",", "\u202f").replace(".", ",")


def pct(value: float | None) -> str:
    """A ratio (0 to 1) as a French percentage; "—" when missing."""
    return "—" if value is None else f"{num(value * 100, 0)} %"


def duration(seconds: float) -> str:
    """A duration in hours and minutes."""
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def finding_fr(code: str) -> str:
    """French wording of a finding type code."""
    try:
        return TYPE_FR[FindingType(code)]
    except ValueError:
        return code


def _count_table(counts: dict[str, int], first: str, label: dict[str, str] | None = None) -> Table:
    top = max(counts.values(), default=0)
    rows = tuple((label.get(k, k) if label else k, str(v)) for k, v in counts.items())
    return Table((first, "Nombre"), rows, tuple(v / top for v in counts.values()) if top else ())


def sections(report: TeamReport) -> list[Section]:
    """The report's sections, in reading order."""
    f = report.figures
    tasks = {k: task_label(k) for k in f.uses_by_task} | {k: task_label(k) for k in f.ai_free_by_task}
    summary = Table(
        ("Indicateur", "Valeur"),
        (
            ("Utilisations de l'IA", str(f.uses)),
            ("Personnes ou postes utilisateurs", str(f.actors)),
            ("Tâches faites sans IA", str(f.ai_free_tasks)),
            ("Part de la pratique sans IA", pct(f.ai_free_share)),
            ("Taux de correction moyen", pct(f.correction_ratio_mean)),
            ("Facilité d'usage moyenne (1 à 5)", num(f.rating_mean)),
            ("Temps passé avec l'IA", duration(f.time_spent_seconds)),
            ("Constats de vérification", str(sum(f.findings_by_type.values()))),
            ("Identifiants remplacés", str(sum(f.replaced_by_category.values()))),
            ("Identifiants bloqués", str(sum(f.blocked_by_category.values()))),
            ("Erreurs d'IA signalées", str(len(report.errors))),
        ),
    )
    out = [
        Section("Chiffres clés", (f"Période {report.period_fr}.",), (summary,)),
        Section(
            "Usages",
            (),
            (
                _count_table(f.uses_by_task, "Tâche", tasks),
                _count_table(f.uses_by_system, "Système", report.system_names),
                _count_table(f.outcomes, "Issue", OUTCOME_FR),
            ),
        ),
        Section(
            "Corrections, facilité d'usage et temps",
            (),
            (
                Table(
                    ("Semaine du", "Taux de correction", "Réponses", "Facilité (1 à 5)", "Notes"),
                    tuple(
                        (
                            c.week.strftime("%d/%m/%Y"),
                            pct(c.value),
                            str(c.sample),
                            num(r.value),
                            str(r.sample),
                        )
                        for c, r in zip(f.correction_by_week, f.rating_by_week, strict=True)
                    ),
                ),
                Table(
                    ("Tâche", "Temps passé"),
                    tuple((task_label(k), duration(v)) for k, v in f.time_by_task_seconds.items()),
                ),
                _count_table(f.ai_free_by_task, "Tâche faite sans IA", tasks),
            ),
        ),
        Section(
            "Vérification et protection des données",
            (),
            (
                _count_table({finding_fr(k): v for k, v in f.findings_by_type.items()}, "Constat"),
                _count_table(f.replaced_by_category, "Identifiant remplacé", LABEL_FR),
                _count_table(f.blocked_by_category, "Identifiant bloqué", LABEL_FR),
            ),
        ),
        _footprint_section(report),
        _objectives_section(report),
        _errors_section(report),
        Section(
            "Leçons partagées",
            tuple(f"{le.created_at.strftime('%d/%m/%Y')} — {le.text}" for le in report.lessons)
            or ("Aucune leçon partagée sur la période.",),
        ),
        _transparency_section(report),
        Section("Méthode", METHOD_NOTES),
    ]
    return out


def _footprint_section(report: TeamReport) -> Section:
    fp = report.figures.footprint
    rows = (
        ("Requêtes mesurées", str(fp.measured_requests)),
        ("Énergie", f"{num(fp.energy_kwh * 1000, 2)} Wh"),
        ("Émissions de gaz à effet de serre", f"{num(fp.gwp_kgco2eq * 1000, 2)} g CO2e"),
        ("Eau", "—" if fp.water_l is None else f"{num(fp.water_l, 3)} L"),
        (
            "Énergie par requête",
            "—" if fp.energy_wh_per_request is None else f"{num(fp.energy_wh_per_request, 3)} Wh",
        ),
        ("CO2e par requête", "—" if fp.gwp_g_per_request is None else f"{num(fp.gwp_g_per_request, 3)} g"),
        (
            "Eau par requête",
            "—" if fp.water_ml_per_request is None else f"{num(fp.water_ml_per_request, 1)} mL",
        ),
    )
    paragraphs = tuple(f"Soit {e.text} ({e.basis})." for e in fp.equivalents) or (
        "Aucune requête mesurée sur la période.",
    )
    return Section("Empreinte environnementale", paragraphs, (Table(("Mesure", "Valeur"), rows),))


def _objectives_section(report: TeamReport) -> Section:
    if not report.objectives:
        return Section("Objectifs", ("Aucun objectif d'équipe n'est défini.",))
    rows = tuple(
        (
            p.objective.label_fr(),
            p.objective.scope_fr,
            "—" if p.met is None else ("atteint" if p.met else "pas encore"),
            p.message,
        )
        for p in report.objectives
    )
    bars = tuple(p.completion for p in report.objectives)
    return Section("Objectifs", (), (Table(("Objectif", "Pour", "État", "Détail"), rows, bars),))


def _errors_section(report: TeamReport) -> Section:
    if not report.errors:
        return Section("Registre des erreurs d'IA", ("Aucune erreur signalée sur la période.",))
    rows = tuple(
        (
            e.created_at.strftime("%d/%m/%Y") if e.created_at else "—",
            report.system_name(e.system_id),
            task_label(e.task),
            ERROR_CATEGORIES[e.category],
            SEVERITIES[e.severity].split(" :")[0],
            DETECTED_BY[e.detected_by],
            "oui" if e.reached_patient else "non",
        )
        for e in report.errors
    )
    return Section(
        "Registre des erreurs d'IA",
        (f"{len(report.errors)} erreur(s) signalée(s).",),
        (
            Table(
                ("Date", "Système", "Tâche", "Catégorie", "Gravité", "Détectée par", "A atteint le patient"),
                rows,
            ),
            _count_table(
                report.errors_by_severity, "Gravité", {k: v.split(" :")[0] for k, v in SEVERITIES.items()}
            ),
        ),
    )


def _cats(counts: dict[str, int]) -> str:
    return ", ".join(f"{LABEL_FR.get(k, k)} ({v})" for k, v in counts.items()) or "aucune"


def _transparency_section(report: TeamReport) -> Section:
    rows = tuple(
        (
            t.name + ("" if t.in_catalogue else " (hors catalogue)"),
            {True: "oui", False: "non", None: "—"}[t.health_data_allowed],
            str(t.uses),
            pct(t.adoption),
            _cats(t.sent_pseudonymized),
            _cats(t.sent_allowed),
            f"{_cats(t.blocked)} ; {t.blocked_requests} requête(s)",
            ", ".join(f"{k} ({v})" for k, v in t.incidents.items()) or "aucun",
        )
        for t in report.transparency
    )
    headers = (
        "Système", "Données de santé autorisées", "Usages", "Adoption", "Envoyées pseudonymisées",
        "Envoyées telles quelles (autorisées)", "Bloquées", "Incidents signalés",
    )  # fmt: skip
    return Section(
        "Registre de transparence",
        ("Catégories de données envoyées à chaque système, blocages, adoption et incidents signalés.",),
        (Table(headers, rows),),
    )
