"""Catalogue of GenAI systems (intended uses, health data, contact) and of companion tasks."""

from avec.catalog.loader import CatalogError, load_catalog, parse_catalog
from avec.catalog.models import TASK_IDS, TASKS, System, Task, task_label

__all__ = [
    "TASKS",
    "TASK_IDS",
    "CatalogError",
    "System",
    "Task",
    "load_catalog",
    "parse_catalog",
    "task_label",
]
