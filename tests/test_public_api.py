"""The public API is pinned: a change to it is a decision, not an accident."""

import avec


def test_public_names() -> None:
    assert sorted(avec.__all__) == [
        "Conversation", "Finding", "Label", "Protected", "Span", "protect", "reveal", "verify",
    ]
    for name in avec.__all__:
        assert hasattr(avec, name)


def test_span_checks_itself() -> None:
    import pytest

    with pytest.raises(ValueError):
        avec.Span(5, 5, "NOM")
    with pytest.raises(ValueError):
        avec.Span(-1, 3, "NOM")
    assert avec.Span(0, 3, "NOM").overlaps(avec.Span(2, 4, "DATE"))
