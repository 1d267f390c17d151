"""Node updates and PodDisruptionBudgets: how long terraform and the apply job wait for a node group's version
update, and what `validate` says about it (an opt-out is shown with its reason). No jsii here: the workflow
renderer uses it too."""

from __future__ import annotations

from goldenpath.config.model import Environment

# A node update (AMI release, Kubernetes version, launch template) drains each node through the eviction API,
# so PodDisruptionBudgets hold it up, and tenants and previews' charts may write them (``edit`` does). EKS
# gives a node's pods 15 minutes to leave; without the force flag the update then fails with
# PodEvictionFailure, so one budget that admits no eviction (maxUnavailable: 0, minAvailable equal to the
# replicas, two budgets over one pod) would stop every node update of the cluster. With the flag EKS deletes
# what is left after those 15 minutes. Facts: awsdocs/amazon-eks-user-guide
# latest/ug/nodes/managed-node-update-behavior.adoc @ 2ef9e38 (upgrade phase: "If the Pods don't leave the
# node within 15 minutes and there's no force flag, the upgrade phase fails with a PodEvictionFailure error";
# "Aggressive PDB" and "multiple PDBs pointing to the same Pod" listed as causes); hashicorp/terraform-provider-aws
# internal/service/eks/node_group.go (read through the code index, not at the v5.100 tag): a change of
# launch_template, release_version or version calls UpdateNodegroupVersion with Force = force_update_version,
# and the resource's default update timeout is 60 minutes.
NODE_DRAIN_MINUTES = 15
NODE_UPDATE_MAX_UNAVAILABLE_PERCENT = 33
# Allowances, not facts: per batch, the 60 s wait after cordoning, termination and a replacement node turning
# Ready; once, the scale-up phase before the first batch.
NODE_REPLACE_MINUTES = 5
NODE_SCALE_UP_MINUTES = 15


def node_update_minutes(max_size: int) -> int:
    """How long a version update of a node group of up to ``max_size`` nodes may take when every batch's drain
    runs EKS's full 15 minutes: terraform must wait that long (its default, 60 minutes, is shorter for most
    group sizes), or the apply fails while EKS carries on. A batch is 33% of the nodes, counted down, at
    least one."""
    per_batch = max(1, max_size * NODE_UPDATE_MAX_UNAVAILABLE_PERCENT // 100)
    batches = -(-max_size // per_batch)
    return NODE_SCALE_UP_MINUTES + batches * (NODE_DRAIN_MINUTES + NODE_REPLACE_MINUTES)


# The apply job's limit besides its node groups' updates: every stack of an environment, a control-plane
# upgrade and its add-ons included (the limit before node updates were counted).
APPLY_MINUTES_BESIDES_NODES = 120
# GitHub-hosted runners end any job after 6 hours.
GITHUB_JOB_MAX_MINUTES = 360

OPT_OUT_FIELD = "cluster.node_updates_wait_for_disruption_budgets_reason"


def apply_timeout_minutes(environment: Environment) -> int:
    """The apply job's ``timeout-minutes``: GitHub cancels a job past it, mid-apply (the state lock stays held), so
    it covers the longest node group update terraform may wait for, besides the rest of the apply."""
    longest = max(node_update_minutes(group.max_size) for group in environment.cluster.node_groups)
    return min(GITHUB_JOB_MAX_MINUTES, APPLY_MINUTES_BESIDES_NODES + longest)


def node_update_line(environment: Environment) -> str:
    """One `validate` line: whether a PodDisruptionBudget can stop this environment's node updates."""
    reason = environment.cluster.node_updates_wait_for_disruption_budgets_reason
    if reason is None:
        return (f"node updates: {environment.name} deletes the pods a drain leaves after EKS's {NODE_DRAIN_MINUTES} "
                "minutes: no PodDisruptionBudget can stop a node AMI or Kubernetes version update")
    return (f"node updates: {environment.name} lets PodDisruptionBudgets stop node updates: a budget that admits no "
            f"eviction fails the update after {NODE_DRAIN_MINUTES} minutes ({OPT_OUT_FIELD}: {reason})")
