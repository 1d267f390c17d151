"""vCPUs and memory of the EC2 instance types node groups may use (for capacity checks).

Source: AWS, "Amazon EC2 instance types" specifications (docs.aws.amazon.com/ec2/latest/instancetypes),
general purpose (t3, t3a, m5, m6i, m6a, m7i, m7g), compute optimized (c5, c6i, c6a, c7i, c7g) and
memory optimized (r5, r6i, r6a, r7i, r7g) families; read 2026-11. In these families memory per vCPU
is fixed by the family's class (c: 2 GiB, m and t from large up: 4 GiB, r: 8 GiB) and a size's
vCPUs are fixed by its name, so the table is generated from those two facts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class InstanceCapacity:
    vcpus: int
    memory_gib: Decimal


_GIB_PER_VCPU = {"c": 2, "m": 4, "t": 4, "r": 8}
_FAMILIES = {
    "t": ("t3", "t3a"),
    "m": ("m5", "m6i", "m6a", "m7i", "m7g"),
    "c": ("c5", "c6i", "c6a", "c7i", "c7g"),
    "r": ("r5", "r6i", "r6a", "r7i", "r7g"),
}
_SIZES = {"large": 2, "xlarge": 4, "2xlarge": 8, "4xlarge": 16, "8xlarge": 32, "12xlarge": 48, "16xlarge": 64}
# Burstable sizes below large do not follow the 4 GiB/vCPU rule.
_SMALL_BURSTABLE = {"micro": InstanceCapacity(2, Decimal("1")), "small": InstanceCapacity(2, Decimal("2")),
                    "medium": InstanceCapacity(2, Decimal("4"))}


def _table() -> dict[str, InstanceCapacity]:
    table: dict[str, InstanceCapacity] = {}
    for cls, families in _FAMILIES.items():
        for family in families:
            for size, vcpus in _SIZES.items():
                if cls == "t" and vcpus > 8:
                    continue  # t3 stops at 2xlarge
                table[f"{family}.{size}"] = InstanceCapacity(vcpus, Decimal(vcpus * _GIB_PER_VCPU[cls]))
            if cls == "t":
                table.update({f"{family}.{size}": cap for size, cap in _SMALL_BURSTABLE.items()})
    return table


INSTANCE_CAPACITY: dict[str, InstanceCapacity] = _table()


def capacity(instance_type: str) -> InstanceCapacity | None:
    """vCPUs and memory of ``instance_type``, or None when goldenpath's table does not list it."""
    return INSTANCE_CAPACITY.get(instance_type)


def architecture(instance_type: str) -> str:
    """``arm64`` for Graviton types (a ``g`` after the generation digit: m7g, c7gn, t4g), else ``x86_64``."""
    return "arm64" if re.match(r"^[a-z]+\d+g[a-z]*\.", instance_type) else "x86_64"


def group_architecture(instance_types: list[str] | tuple[str, ...]) -> str | None:
    """The one architecture of a node group's types, or None when they mix (one AMI serves a group)."""
    found = {architecture(t) for t in instance_types}
    return found.pop() if len(found) == 1 else None


# Baseline CPU per vCPU of the burstable sizes, the same for t3 and t3a (AWS, "Key concepts for burstable
# performance instances", table "CPU credits and baseline utilization"; read 2026-12): above it, an instance in
# unlimited mode (the T3/T3a default, Spot included) pays for surplus credits per vCPU-hour.
_BURSTABLE_BASELINE = {"nano": 5, "micro": 10, "small": 20, "medium": 20, "large": 30, "xlarge": 40, "2xlarge": 40}


def burstable_baseline(instance_type: str) -> Decimal | None:
    """The baseline share of each vCPU for a t3/t3a type (0.30 for large), or None for any other type."""
    family, _, size = instance_type.partition(".")
    if family not in _FAMILIES["t"] or size not in _BURSTABLE_BASELINE:
        return None
    return Decimal(_BURSTABLE_BASELINE[size]) / 100


def burstable_vcpus(instance_type: str) -> int | None:
    """vCPUs of a t3/t3a type (nano has 2, like micro to medium)."""
    if burstable_baseline(instance_type) is None:
        return None
    found = capacity(instance_type)
    return found.vcpus if found else 2
