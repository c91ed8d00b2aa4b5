"""The detector contract and the registry users extend."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import ClassVar, TypeVar

from avec.text import Span, fold


@dataclass
class Document:
    """A text travelling through the pipeline, with the spans found so far.

    Detectors that run late (name propagation, context rules) read ``spans`` to build on
    earlier steps; they never modify the text.
    """

    text: str
    spans: list[Span] = field(default_factory=list)
    metadata: dict[str, object] = field(default_factory=dict)

    @cached_property
    def folded(self) -> str:
        """``fold(text)`` (same length as the text), computed once for all the detectors."""
        return fold(self.text)


class Detector(ABC):
    """Finds one family of identifiers.

    Subclasses set ``name`` (the step name a caller can switch off), compile their patterns as
    class constants, load heavy resources in :meth:`load` (never in ``__init__``) and return
    spans from :meth:`detect`.
    """

    name: ClassVar[str] = ""

    def load(self) -> None:  # noqa: B027 - optional hook, empty on purpose
        """Load models or lexicons; called once before the first :meth:`detect`."""

    @abstractmethod
    def detect(self, doc: Document) -> list[Span]:
        """Return the spans of ``doc.text`` this detector recognises."""


def first_not_after(first: str, before: str) -> str:
    """Regex for ``first`` (one character) not preceded by ``before`` (one character).

    The same as ``(?<!before)first``, with the character matched before the look-behind that
    guards it: a pattern that opens on a character lets ``re`` jump from one candidate
    character to the next, where a leading look-behind makes it try every position.
    """
    return f"{first}(?<!{before}{first})"


D = TypeVar("D", bound=type[Detector])

#: Detector classes by step name, in registration order (which is the default run order).
REGISTRY: dict[str, type[Detector]] = {}


def register(name: str) -> Callable[[D], D]:
    """Class decorator adding a detector to :data:`REGISTRY` under ``name``."""

    def deco(cls: D) -> D:
        if name in REGISTRY and REGISTRY[name] is not cls:
            raise ValueError(f"détecteur déjà enregistré : {name}")
        cls.name = name
        REGISTRY[name] = cls
        return cls

    return deco
