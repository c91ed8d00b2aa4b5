"""Server start-up: what requests need is loaded, then frozen out of the garbage collector's way."""

from __future__ import annotations

import gc

from avec.warmup import warm_up


def test_warm_up_freezes_the_loaded_heap() -> None:
    gc.unfreeze()
    try:
        warm_up(detection=True, verification=True)
        # The lexicons and models now sit in the permanent generation: a full collection no
        # longer walks them.
        assert gc.get_freeze_count() > 100_000
        assert len(gc.get_objects()) < gc.get_freeze_count()
    finally:
        gc.unfreeze()
