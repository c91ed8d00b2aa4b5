"""Turning upstream stream chunks into revealed client chunks.

Prose deltas (``content``, ``refusal``, ``reasoning_content``...) go through one
:class:`~avec.gateway.revealing.LowLatencyRevealer` per choice and field, so text is released as
soon as it cannot be the start of a surrogate. Tool-call arguments are JSON: they are buffered
per call and revealed JSON-aware when the choice finishes, in one delta (clients accumulate
arguments anyway). Usage is always requested upstream (for the journal) and passed on only when
the client asked for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from avec.gateway.revealing import LowLatencyRevealer, reveal_json_text
from avec.protect.api import Conversation

_NOT_PROSE = frozenset({"role", "tool_calls", "function_call"})


@dataclass
class _ToolBuffer:
    arguments: list[str] = field(default_factory=list)


class StreamTransformer:
    """Reveals a stream chunk by chunk.

    Args:
        conversation: the request's conversation.
        model: the model id the client asked for (written in every chunk).
        client_wants_usage: pass usage chunks on (``stream_options.include_usage``).
    """

    def __init__(self, conversation: Conversation, model: str, client_wants_usage: bool) -> None:
        self.conversation = conversation
        self.model = model
        self.client_wants_usage = client_wants_usage
        self.usage: dict[str, Any] | None = None
        self.texts: dict[int, list[str]] = {}
        self.chunks_in = 0
        self._revealers: dict[tuple[int, str], LowLatencyRevealer] = {}
        self._tools: dict[tuple[int, int], _ToolBuffer] = {}
        self._legacy: dict[int, _ToolBuffer] = {}
        self._finished: set[int] = set()
        self._template: dict[str, Any] = {}

    def _revealer(self, index: int, key: str) -> LowLatencyRevealer:
        rev = self._revealers.get((index, key))
        if rev is None:
            rev = self._revealers[(index, key)] = LowLatencyRevealer(self.conversation)
        return rev

    def process(self, chunk: dict[str, Any]) -> list[dict[str, Any]]:
        """Client chunks for one upstream chunk (possibly none while text is held back)."""
        self.chunks_in += 1
        if not self._template:
            self._template = {
                k: chunk[k] for k in ("id", "object", "created", "system_fingerprint") if k in chunk
            }
            self._template.setdefault("object", "chat.completion.chunk")
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            self.usage = usage
        choices = chunk.get("choices") or []
        out_choices = [c for c in (self._choice(c) for c in choices if isinstance(c, dict)) if c is not None]
        out: dict[str, Any] = {**chunk, "model": self.model, "choices": out_choices}
        if not self.client_wants_usage:
            out.pop("usage", None)
        if out_choices or (self.client_wants_usage and isinstance(usage, dict)):
            return [out]
        return []

    def _choice(self, choice: dict[str, Any]) -> dict[str, Any] | None:
        index = int(choice.get("index", 0))
        delta = choice.get("delta") or {}
        new: dict[str, Any] = {}
        for key, value in delta.items():
            if key == "role" or value is None:
                new[key] = value
            elif key == "tool_calls" and isinstance(value, list):
                calls = [c for c in (self._tool_delta(index, tc) for tc in value) if c is not None]
                if calls:
                    new["tool_calls"] = calls
            elif key == "function_call" and isinstance(value, dict):
                self._legacy.setdefault(index, _ToolBuffer()).arguments.append(
                    str(value.get("arguments") or "")
                )
                head = {k: v for k, v in value.items() if k != "arguments"}
                if head:
                    new["function_call"] = {**head, "arguments": ""}
            elif isinstance(value, str) and key not in _NOT_PROSE:
                text = self._revealer(index, key).feed(value)
                if key == "content":
                    self.texts.setdefault(index, []).append(text)
                if text or "role" in delta:
                    new[key] = text
            else:
                new[key] = value
        finish = choice.get("finish_reason")
        if finish is not None:
            self._finish_into(index, new)
        if not new and finish is None:
            return None
        rest = {k: v for k, v in choice.items() if k not in ("delta", "logprobs")}
        return {**rest, "index": index, "delta": new}

    def _tool_delta(self, index: int, call: Any) -> dict[str, Any] | None:
        if not isinstance(call, dict):
            return None
        position = int(call.get("index", 0))
        function = call.get("function") or {}
        self._tools.setdefault((index, position), _ToolBuffer()).arguments.append(
            str(function.get("arguments") or "")
        )
        head = {k: v for k, v in call.items() if k != "function"}
        fhead = {k: v for k, v in function.items() if k != "arguments"}
        if len(head) <= 1 and not fhead:
            return None  # only an arguments fragment: held until the choice finishes
        return {**head, "function": {**fhead, "arguments": ""}}

    def _finish_into(self, index: int, delta: dict[str, Any]) -> None:
        """Flush what choice ``index`` holds into ``delta`` (its last chunk)."""
        self._finished.add(index)
        for (i, key), rev in self._revealers.items():
            if i == index:
                tail = rev.flush()
                if key == "content":
                    self.texts.setdefault(index, []).append(tail)
                if tail:
                    delta[key] = delta.get(key, "") + tail
        calls = []
        for (i, position), buf in sorted(self._tools.items()):
            if i == index and buf.arguments:
                args = reveal_json_text("".join(buf.arguments), self.conversation)
                calls.append({"index": position, "function": {"arguments": args}})
                buf.arguments = []
        if calls:
            delta.setdefault("tool_calls", []).extend(calls)
        legacy = self._legacy.pop(index, None)
        if legacy is not None:
            args = reveal_json_text("".join(legacy.arguments), self.conversation)
            delta["function_call"] = {"arguments": args}

    def finish(self) -> list[dict[str, Any]]:
        """Chunks flushing choices the upstream never finished (end of the stream)."""
        pending = {i for i, _ in self._revealers} | {i for i, _ in self._tools} | set(self._legacy)
        choices = []
        for index in sorted(pending - self._finished):
            delta: dict[str, Any] = {}
            self._finish_into(index, delta)
            if delta:
                choices.append({"index": index, "delta": delta, "finish_reason": None})
        if not choices:
            return []
        return [{**self._template, "model": self.model, "choices": choices}]

    def complete(self) -> bool:
        """Whether every choice seen so far received its ``finish_reason``."""
        seen = {i for i, _ in self._revealers} | {i for i, _ in self._tools} | set(self._legacy)
        return bool(self._finished) and seen <= self._finished

    def last_template(self) -> dict[str, Any]:
        """Chunk fields (id, object, created) for an extra chunk at the end of the stream."""
        return {**self._template, "model": self.model}

    def answers(self) -> list[str]:
        """The revealed content of each choice, in index order (for verification)."""
        return ["".join(self.texts[i]) for i in sorted(self.texts)]
