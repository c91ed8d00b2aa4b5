"""Estimer: objectives, dashboard figures, AI-error register, team report (HTML, PDF, CSV)."""

from avec.estimate.dashboard import DashboardFigures, Footprint, WeekPoint, dashboard
from avec.estimate.objectives import EXAMPLE_OBJECTIVES, Metric, Objective, ObjectiveError, Progress, evaluate
from avec.estimate.register import (
    DETECTED_BY,
    ERROR_CATEGORIES,
    SEVERITIES,
    ErrorReport,
    Register,
    RegisterError,
    SharedLesson,
)
from avec.estimate.render_csv import render_csv
from avec.estimate.render_html import render_html
from avec.estimate.render_pdf import render_pdf
from avec.estimate.report import TeamReport, build_team_report
from avec.estimate.snapshot import Snapshot, load_snapshot, period_bounds
from avec.estimate.transparency import SystemTransparency, transparency_register

__all__ = [
    "DETECTED_BY",
    "ERROR_CATEGORIES",
    "EXAMPLE_OBJECTIVES",
    "SEVERITIES",
    "DashboardFigures",
    "ErrorReport",
    "Footprint",
    "Metric",
    "Objective",
    "ObjectiveError",
    "Progress",
    "Register",
    "RegisterError",
    "SharedLesson",
    "Snapshot",
    "SystemTransparency",
    "TeamReport",
    "WeekPoint",
    "build_team_report",
    "dashboard",
    "evaluate",
    "load_snapshot",
    "period_bounds",
    "render_csv",
    "render_html",
    "render_pdf",
    "transparency_register",
]
