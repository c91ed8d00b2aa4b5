"""Start-up of a long-running server: load what requests need, then keep it out of the GC's way.

Detection and verification hold about half a million Python objects (name lists, lexicons,
automata). Each full garbage collection walks them all, about 120 ms on this kind of machine,
and lands on whatever request is running. Loaded once and never freed, they are moved to the
permanent generation (``gc.freeze``), so collections only walk what requests create.
"""

from __future__ import annotations

import gc


def warm_up(*, detection: bool = True, verification: bool = True) -> None:
    """Load the detection pipeline and the verification lexicons, then freeze the heap."""
    if detection:
        from avec.protect.pipeline import default_pipeline

        default_pipeline()
    if verification:
        from avec.verify import verify

        verify("Amlodipine 5 mg par jour.", "Amlodipine 5 mg par jour.")  # loads every lexicon
    gc.collect()
    gc.freeze()
