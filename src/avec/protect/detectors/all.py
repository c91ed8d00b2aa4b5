"""Imports every built-in detector module so that each registers itself, in run order.

Structured identifiers first (they are validated and reliable), then dates and places, then
names, whose rules consult what earlier steps found.
"""

import contextlib
import importlib

# Order matters: it is the default run order of the pipeline.
_MODULES = ("identifiers", "dates", "addresses", "places", "names")

for _mod in _MODULES:
    with contextlib.suppress(ModuleNotFoundError):
        importlib.import_module(f"avec.protect.detectors.{_mod}")
