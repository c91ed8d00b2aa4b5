"""Apprendre: an evaluation grid and a needs questionnaire that rank the catalogue's systems."""

from avec.apprendre.grid import GRID, Criterion, GridLine, SystemProfile, profile_from_system
from avec.apprendre.ranking import (
    QUESTIONS,
    Needs,
    Question,
    QuestionnaireError,
    RankedSystem,
    Ranking,
    needs_from_answers,
    rank_profile,
    rank_systems,
)

__all__ = [
    "GRID",
    "QUESTIONS",
    "Criterion",
    "GridLine",
    "Needs",
    "Question",
    "QuestionnaireError",
    "RankedSystem",
    "Ranking",
    "SystemProfile",
    "needs_from_answers",
    "profile_from_system",
    "rank_profile",
    "rank_systems",
]
