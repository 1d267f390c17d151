"""Does a tier fit the cluster? A quota larger than the largest node group at its maximum size
could never be scheduled, so it is refused when the catalog is loaded."""

from __future__ import annotations

from decimal import Decimal

from goldenpath.config.model import Environment, QuotaTier
from goldenpath.constructs.instance_types import capacity
from goldenpath.quantities import GIB, quantity


def largest_node_group(environment: Environment) -> tuple[str, Decimal, Decimal] | str:
    """(name, vCPUs, memory GiB) of the node group offering the most CPU at max_size, counting
    each group's smallest instance type (the one it may get); or a problem naming an unknown type."""
    best: tuple[str, Decimal, Decimal] | None = None
    for group in environment.cluster.node_groups:
        sizes = []
        for instance_type in group.instance_types:
            found = capacity(instance_type)
            if found is None:
                return (f"cannot be checked: instance type {instance_type!r} of node group {group.name!r} is not in "
                        "goldenpath's table (goldenpath/constructs/instance_types.py); expected a listed type")
            sizes.append(found)
        cpu = Decimal(min(s.vcpus for s in sizes) * group.max_size)
        memory = min(s.memory_gib for s in sizes) * group.max_size
        if best is None or (cpu, memory) > (best[1], best[2]):
            best = (group.name, cpu, memory)
    assert best is not None  # a cluster has at least one node group (model rule)
    return best


def tier_fits(tier: QuotaTier, environment: Environment) -> str | None:
    """None when the tier's requests fit the largest node group; otherwise the problem, with figures."""
    largest = largest_node_group(environment)
    if isinstance(largest, str):
        return largest
    name, cpu, memory = largest
    wanted_cpu = quantity(tier.requests_cpu)
    wanted_memory = quantity(tier.requests_memory) / GIB
    if wanted_cpu > cpu or wanted_memory > memory:
        return (f"requests {tier.requests_cpu} CPU and {tier.requests_memory} memory, more than the largest node group "
                f"{name!r} of {environment.source_file} can ever offer ({cpu} vCPUs and {memory} GiB at max_size); "
                "expected a smaller tier or a larger node group")
    return None
