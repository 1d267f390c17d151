"""Reading synthesized Terraform JSON (CDK Terrain's output, as the providers' bindings write it)."""

from __future__ import annotations

from typing import Any


def single_block(block: Any) -> dict:
    """Provider blocks are sometimes a one-item list, sometimes an object."""
    if isinstance(block, list):
        return block[0] if block else {}
    return block or {}
