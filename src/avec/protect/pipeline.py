"""The detection pipeline: named detectors run in order over one document, then resolved."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from avec.protect.detectors import REGISTRY, Detector, Document
from avec.protect.resolve import resolve
from avec.text import Span, detection_view


def _default_steps() -> list[str]:
    """Built-in steps in their order, then steps registered by users (before names)."""
    from avec.protect.detectors.all import DEFAULT_ORDER

    extra = [n for n in REGISTRY if n not in DEFAULT_ORDER]
    return [*DEFAULT_ORDER[:-1], *extra, DEFAULT_ORDER[-1]]


class ProtectionError(Exception):
    """Detection could not be completed; nothing must be forwarded."""


class Pipeline:
    """An ordered group of named detectors that a caller can switch off per call.

    Args:
        steps: step names to use, in order; all registered detectors when omitted.
    """

    def __init__(self, steps: Sequence[str] | None = None) -> None:
        names = list(steps) if steps is not None else _default_steps()
        unknown = [n for n in names if n not in REGISTRY]
        if unknown:
            raise ValueError(f"étape(s) de détection inconnue(s) : {', '.join(unknown)}")
        self._detectors: list[Detector] = [REGISTRY[n]() for n in names]
        self._loaded = False

    @property
    def steps(self) -> list[str]:
        """Names of the detectors, in run order."""
        return [d.name for d in self._detectors]

    def load(self) -> None:
        """Load every detector's resources (models, lexicons) once."""
        if not self._loaded:
            for det in self._detectors:
                det.load()
            self._loaded = True

    def detect(self, text: str, disable: Iterable[str] = ()) -> list[Span]:
        """Find identifiers in ``text``.

        Args:
            text: the text to scan.
            disable: step names to skip for this call.

        Returns:
            Non-overlapping spans sorted by start offset.

        Raises:
            ProtectionError: a detector failed; the message holds no text from the input.
        """
        self.load()
        view = detection_view(text)
        if view is not None:
            # Detect on a normalised copy (no zero-width characters, composed accents), then
            # map the spans back, so that hidden characters cannot split an identifier.
            return [
                Span(*view.original(s.start, s.end), s.label, s.score, s.source)
                for s in self._detect(view.text, disable)
            ]
        return self._detect(text, disable)

    def _detect(self, text: str, disable: Iterable[str]) -> list[Span]:
        off = set(disable)
        doc = Document(text)
        for det in self._detectors:
            if det.name in off:
                continue
            try:
                found = det.detect(doc)
            except Exception as exc:  # fail closed, without echoing the text
                raise ProtectionError(
                    f"la détection « {det.name} » a échoué ({type(exc).__name__})"
                ) from None
            doc.spans.extend(found)
        return resolve(text, doc.spans)


@lru_cache(maxsize=1)
def default_pipeline() -> Pipeline:
    """The shared pipeline with every built-in detector, built and loaded on first use."""
    import avec.protect.detectors.all  # noqa: F401  (registers the built-in detectors)

    pipe = Pipeline()
    pipe.load()
    return pipe
