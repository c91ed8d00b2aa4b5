"""Catalogue of GenAI systems (intended uses, health data, contact) and of companion tasks."""

from avec.catalog.loader import CatalogError, load_catalog, parse_catalog
from avec.catalog.models import TASK_IDS, TASKS, System, Task, task_label
from avec.catalog.writer import dump_catalog, save_catalog, system_to_dict

__all__ = [
    "TASKS",
    "TASK_IDS",
    "CatalogError",
    "System",
    "Task",
    "dump_catalog",
    "load_catalog",
    "parse_catalog",
    "save_catalog",
    "system_to_dict",
    "task_label",
]
