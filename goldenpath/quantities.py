"""Kubernetes resource quantities as exact Decimals ("500m" -> 0.5, "4Gi" -> 4294967296)."""

from __future__ import annotations

import re
from decimal import Decimal

_SUFFIX: dict[str, Decimal] = {
    "": Decimal(1), "m": Decimal("0.001"), "k": Decimal(10**3), "M": Decimal(10**6), "G": Decimal(10**9),
    "T": Decimal(10**12), "Ki": Decimal(2**10), "Mi": Decimal(2**20), "Gi": Decimal(2**30), "Ti": Decimal(2**40),
}
_QUANTITY = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$")
GIB = Decimal(2**30)


def quantity(text: str) -> Decimal:
    """The value of a quantity; ValueError names the text when it is not one."""
    match = _QUANTITY.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a Kubernetes quantity (for example 500m, 2, 4Gi)")
    return Decimal(match.group(1)) * _SUFFIX[match.group(2) or ""]
