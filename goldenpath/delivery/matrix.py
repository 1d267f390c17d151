"""The plan jobs of a pull request: one matrix entry per environment and batch of its affected stacks, each naming
the environment's plan role and its GitHub environment (so the job's OIDC subject is that role's alone).

GitHub runs at most 256 jobs per matrix: an environment's stacks are split into batches of at most
``STACKS_PER_JOB``, and batches grow when there would be more jobs than that.
"""

from __future__ import annotations

import math

from goldenpath.config.model import Environment
from goldenpath.delivery.affected import MATRIX_LIMIT, Affected, SynthOutput
from goldenpath.ci_identities.roles import github_environment, platform_roles
from goldenpath.delivery.stacks import environment_stacks
from goldenpath.tenancy.catalog import Catalog

STACKS_PER_JOB = 8


def _plannable(synth: SynthOutput, environment: str, names: list[str]) -> list[str]:
    stacks = environment_stacks(synth, environment)
    return [n for n in names if n in stacks and not stacks[n].needs_kubernetes]


def plan_matrix(affected: Affected, head: SynthOutput, base: SynthOutput, environments: list[Environment],
                catalog: Catalog, per_job: int = STACKS_PER_JOB, limit: int = MATRIX_LIMIT) -> list[dict[str, str]]:
    """Entries ``{name, environment, github_environment, role, region, stacks, removed}``; stacks and removed
    are space-separated and hold only the stacks a plan role can plan (not those needing a cluster's API)."""
    work: list[tuple[Environment, list[str], list[str]]] = []
    changed = [*affected.added, *affected.changed]
    for env in environments:
        if env.ci is None:
            continue
        stacks = _plannable(head, env.name, changed)
        removed = _plannable(base, env.name, affected.removed)
        if stacks or removed:
            work.append((env, stacks, removed))
    total = sum(len(s) + len(r) for _, s, r in work)
    size = max(per_job, math.ceil(total / limit)) if total else per_job
    while sum(math.ceil((len(s) + len(r)) / size) for _, s, r in work) > limit:
        size += 1
    entries = []
    for env, stacks, removed in work:
        role = next(r.arn for r in platform_roles(env, catalog) if r.kind == "plan")
        items = [(name, False) for name in stacks] + [(name, True) for name in removed]
        batches = math.ceil(len(items) / size)
        for index in range(batches):
            part = items[index::batches]
            entries.append({"name": f"{env.name}-{index + 1}", "environment": env.name,
                            "github_environment": github_environment("plan", env.name), "role": role, "region": env.region,
                            "stacks": " ".join(n for n, gone in part if not gone),
                            "removed": " ".join(n for n, gone in part if gone)})
    return entries
