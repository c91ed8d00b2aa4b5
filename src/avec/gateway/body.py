"""Reading request bodies within limits: size (streamed, so a body without ``Content-Length``
cannot fill memory), JSON syntax and nesting depth (deep nesting would exhaust the stack).

Every refusal is an OpenAI-style error in French that never quotes the body.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from avec.gateway.errors import GatewayError, bad_request


def too_large(limit: int) -> GatewayError:
    """The 413 error of a body over ``limit`` bytes."""
    return GatewayError(413, "avec_body_too_large", f"Requête trop volumineuse (maximum {limit} octets).")


def too_deep(limit: int) -> GatewayError:
    """The 400 error of a body nested deeper than ``limit`` levels."""
    return bad_request(
        "avec_json_too_deep", f"Corps de requête trop imbriqué (au plus {limit} niveaux de JSON)."
    )


def exceeds_depth(value: Any, limit: int) -> bool:
    """Whether ``value`` nests lists and objects more than ``limit`` levels (iterative, no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def loads_bounded(raw: str | bytes, limit: int) -> Any:
    """``json.loads`` that refuses deep nesting instead of overflowing the stack.

    Raises:
        ValueError: not JSON.
        GatewayError: nested deeper than ``limit``.
    """
    try:
        data = json.loads(raw)
    except RecursionError:
        raise too_deep(limit) from None
    if exceeds_depth(data, limit):
        raise too_deep(limit)
    return data


async def read_json_object(request: Request, max_bytes: int, max_depth: int) -> dict[str, Any]:
    """The JSON object of the request body.

    Raises:
        GatewayError: 413 too large, 400 not a JSON object or too deeply nested.
    """
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise too_large(max_bytes)
    parts: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise too_large(max_bytes)
        parts.append(chunk)
    invalid = bad_request("avec_invalid_json", "Corps de requête invalide : un objet JSON est attendu.")
    try:
        body = loads_bounded(b"".join(parts), max_depth)
    except ValueError:  # includes UnicodeDecodeError (invalid UTF-8)
        raise invalid from None
    if not isinstance(body, dict):
        raise invalid
    return body
