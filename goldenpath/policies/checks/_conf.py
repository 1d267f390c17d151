"""Reading checkov's HCL-shaped resource configuration (every value wrapped in a list)."""

from __future__ import annotations

import json
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


def listed(value: Any) -> list:
    """IAM's "one or many": a value or a list of values, as a list."""
    return value if isinstance(value, list) else [value]


def trust_policy(conf: dict[str, Any]) -> dict | None:
    """An ``aws_iam_role``'s assume-role policy as a dict (synthesized as a JSON string), or None if unreadable."""
    policy = first(conf, "assume_role_policy")
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError:
            return None
    return policy if isinstance(policy, dict) else None
