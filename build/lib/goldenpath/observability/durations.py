"""Prometheus durations (``30s``, ``5m``, ``1h``, ``3d``)."""

from __future__ import annotations

import re

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION = re.compile(r"^(\d+)([smhdw])$")


def seconds(duration: str) -> int:
    match = _DURATION.match(duration)
    if not match:
        raise ValueError(f"duration {duration!r}: expected a number and one unit of s, m, h, d, w (e.g. 5m)")
    return int(match.group(1)) * _UNITS[match.group(2)]
