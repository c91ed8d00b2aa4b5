"""The pages beyond the request flow, gathered in one router for ``create_app``.

Estimer (dashboard, objectives, register, report), Apprendre (catalogue, questionnaire),
Communiquer (patient version and notice) and one short page per guide key.
"""

from __future__ import annotations

from fastapi import APIRouter

from avec.web.routes import catalogue, estimate, keys, patient

router = APIRouter()
router.include_router(estimate.router)
router.include_router(catalogue.router)
router.include_router(patient.router)
router.include_router(keys.router)
