"""Reading checkov's HCL-shaped resource configuration (every value wrapped in a list)."""

from __future__ import annotations

from typing import Any


def first(conf: dict[str, Any], key: str, default: Any = None) -> Any:
    """The value of ``key``, unwrapped from checkov's one-element list."""
    value = conf.get(key, default)
    if isinstance(value, list):
        return value[0] if value else default
    return value


def block(conf: dict[str, Any], key: str) -> dict[str, Any]:
    value = first(conf, key)
    return value if isinstance(value, dict) else {}
