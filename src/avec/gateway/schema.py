"""The OpenAPI description of ``POST /v1/chat/completions`` (the body is read by hand, not by FastAPI).

The route reads its body itself (size, depth, fail-closed protection), so FastAPI cannot infer a
schema: this one documents what the gateway accepts, for clients and for schema-based fuzzing
(schemathesis). Extra fields are allowed, as in OpenAI's API.
"""

from __future__ import annotations

from typing import Any

_TEXT_PART: dict[str, Any] = {
    "type": "object",
    "required": ["type", "text"],
    "properties": {"type": {"type": "string", "enum": ["text"]}, "text": {"type": "string"}},
}

_MESSAGE: dict[str, Any] = {
    "type": "object",
    "required": ["role"],
    "properties": {
        "role": {"type": "string", "enum": ["system", "developer", "user", "assistant", "tool"]},
        "content": {"anyOf": [{"type": "string"}, {"type": "array", "items": _TEXT_PART}, {"type": "null"}]},
        "name": {"type": "string"},
        "tool_call_id": {"type": "string"},
    },
}

CHAT_REQUEST: dict[str, Any] = {
    "type": "object",
    "required": ["model", "messages"],
    "properties": {
        "model": {"type": "string"},
        "messages": {"type": "array", "items": _MESSAGE},
        "stream": {"type": "boolean"},
        "stream_options": {"type": "object", "properties": {"include_usage": {"type": "boolean"}}},
        "temperature": {"type": "number"},
        "max_tokens": {"type": "integer"},
        "user": {"type": "string"},
        "tools": {"type": "array", "items": {"type": "object"}},
    },
}

_ERROR: dict[str, Any] = {
    "description": "Erreur au format OpenAI, message en français",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {
                    "error": {
                        "type": "object",
                        "properties": {
                            "message": {"type": "string"},
                            "type": {"type": "string"},
                            "param": {"type": ["string", "null"]},
                            "code": {"type": ["string", "null"]},
                        },
                    }
                },
            }
        }
    },
}

CHAT_OPENAPI: dict[str, Any] = {
    "requestBody": {"required": True, "content": {"application/json": {"schema": CHAT_REQUEST}}},
    "parameters": [
        {"name": "Authorization", "in": "header", "required": False, "schema": {"type": "string"}},
        {"name": "X-AVEC-Conversation", "in": "header", "required": False, "schema": {"type": "string"}},
        {"name": "X-AVEC-Task", "in": "header", "required": False, "schema": {"type": "string"}},
    ],
    "responses": {
        "200": {"description": "Réponse (JSON, ou flux text/event-stream si stream=true)"},
        **{str(code): _ERROR for code in (400, 401, 403, 404, 413, 429, 500, 502, 503, 504)},
    },
}
