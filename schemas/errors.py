"""Turn a pydantic ValidationError into one line a PIM integrator can act on."""

from __future__ import annotations

from pydantic import ValidationError

_MAX_INPUT_PREVIEW = 60


def _preview(value: object) -> str:
    text = repr(value)
    if len(text) > _MAX_INPUT_PREVIEW:
        size = f"{len(value)} chars" if isinstance(value, (str, bytes)) else f"{len(text)} chars as repr"
        return f"{text[:_MAX_INPUT_PREVIEW]}... ({size})"
    return text


def describe_validation_error(error: ValidationError, limit: int = 5) -> str:
    """'product.title: String should have at most 300 characters (got '...' (1048576 chars))'."""
    parts = []
    for item in error.errors()[:limit]:
        location = ".".join(str(part) for part in item["loc"]) or "<root>"
        message = item["msg"]
        if item["type"] not in ("missing",) and "input" in item:
            message += f" (got {_preview(item['input'])})"
        parts.append(f"{location}: {message}")
    more = error.error_count() - limit
    if more > 0:
        parts.append(f"... and {more} more")
    return "; ".join(parts)
