"""Adapt synthesized stacks to the local AWS emulator (moto), and say exactly how.

moto implements most of what our AWS-only stacks use, but not all of it. Rather than
hide the gaps, every adaptation is a named rule with the reason, and ``adapt_stack``
returns the list so the CLI prints it. The real (non-emulator) output is never touched.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from goldenpath.errors import GoldenpathError

# Resource types moto has no API for: left out of the emulated apply.
UNSUPPORTED_TYPES: dict[str, str] = {
    "aws_eks_addon": "moto has no EKS add-on API",
    "aws_eks_access_entry": "moto has no EKS access-entry API",
    "aws_eks_access_policy_association": "moto has no EKS access-entry API",
    "aws_eks_pod_identity_association": "moto has no EKS Pod Identity API",
    "aws_budgets_budget": "moto 5.2.5 has no Budgets ListTagsForResource or DescribeSubscribersForNotification, "
                          "which hashicorp/aws 5.100 reads every budget back with",
    "aws_budgets_budget_action": "moto has no budget actions",
    "aws_ebs_default_kms_key": "moto has no GetEbsDefaultKmsKeyId or ResetEbsDefaultKmsKeyId",
}

# Data sources moto cannot answer: left out, with every attribute that reads them.
UNSUPPORTED_DATA_SOURCES: dict[str, str] = {
    "aws_eks_addon_version": "moto has no DescribeAddonVersions",
    "aws_ssm_parameter": "moto does not publish EKS's AMI release parameters",
}
# Attributes left out of the emulated apply (they read an unsupported data source).
DROPPED_ATTRIBUTES: dict[str, dict[str, str]] = {
    "aws_eks_node_group": {"release_version": "moto does not know EKS AMI releases"},
}

# Attributes moto accepts but does not read back faithfully: ignored after creation so a
# second plan is empty. Creation still sends the real values.
IGNORED_ATTRIBUTES: dict[str, dict[str, str]] = {
    "aws_eks_cluster": {"access_config": "moto does not store accessConfig",
                        "upgrade_policy": "moto does not store upgradePolicy"},
    "aws_eks_node_group": {
        "remote_access": "moto reports a made-up SSH key for node groups",
        "update_config": "moto does not store updateConfig",
    },
    "aws_launch_template": {
        "tag_specifications": "moto reports the template's own tags as an extra tag specification",
    },
}


@dataclass(frozen=True)
class Adaptation:
    stack: str
    address: str
    change: str  # "left out" or "ignores <attribute>"
    reason: str

    def __str__(self) -> str:
        return f"{self.stack}: {self.address} {self.change} ({self.reason})"


KUBERNETES_PROVIDERS = ("kubernetes", "helm")
NO_KUBERNETES = "the emulator has no Kubernetes API"


def _providers(document: dict) -> set[str]:
    return set(document.get("terraform", {}).get("required_providers", {}))


def runs_on_emulator(stack_dir: Path, aws_half: bool = False) -> bool:
    """Whether the emulator can run the stack: only the aws provider (``aws_half``: also kubernetes and helm,
    whose resources ``adapt_stack(..., aws_half=True)`` leaves out)."""
    providers = _providers(json.loads((stack_dir / "cdk.tf.json").read_text()))
    return providers - ({"aws", *KUBERNETES_PROVIDERS} if aws_half else {"aws"}) == set()


def _without_kubernetes(document: dict, stack: str, removed: set[str]) -> list[Adaptation]:
    """Leave out the in-cluster half (kubernetes and helm resources, data sources and providers) and every output
    reading it: what remains is the stack's AWS half (a team's buckets, roles and deploy roles)."""
    adaptations = []
    for section, prefix in (("resource", ""), ("data", "data.")):
        blocks = document.get(section, {})
        for rtype in sorted(t for t in blocks if t.split("_", 1)[0] in KUBERNETES_PROVIDERS):
            for name in sorted(blocks.pop(rtype)):
                removed.add(f"{rtype}.{name}")
                adaptations.append(Adaptation(stack, f"{prefix}{rtype}.{name}", "left out", NO_KUBERNETES))
    for provider in KUBERNETES_PROVIDERS:
        document.get("provider", {}).pop(provider, None)
        document.get("terraform", {}).get("required_providers", {}).pop(provider, None)
    outputs = document.get("output", {})
    for name in sorted(outputs):
        if any(f"{address}." in json.dumps(outputs[name]) for address in removed):
            del outputs[name]
    return adaptations


def adapt_stack(stack_dir: Path, aws_half: bool = False) -> list[Adaptation]:
    """Rewrite ``stack_dir/cdk.tf.json`` for the emulator; return what was changed and why. ``aws_half``: also
    leave out the stack's kubernetes and helm half (see ``runs_on_emulator``)."""
    path = stack_dir / "cdk.tf.json"
    document = json.loads(path.read_text())
    stack = stack_dir.name
    resources: dict = document.get("resource", {})
    adaptations: list[Adaptation] = []
    removed: set[str] = set()
    if aws_half:
        adaptations += _without_kubernetes(document, stack, removed)
    for rtype, reason in UNSUPPORTED_TYPES.items():
        for name in sorted(resources.pop(rtype, {})):
            removed.add(f"{rtype}.{name}")
            adaptations.append(Adaptation(stack, f"{rtype}.{name}", "left out", reason))
    data_sources: dict = document.get("data", {})
    for dtype, reason in UNSUPPORTED_DATA_SOURCES.items():
        for name in sorted(data_sources.pop(dtype, {})):
            removed.add(f"{dtype}.{name}")
            adaptations.append(Adaptation(stack, f"data.{dtype}.{name}", "left out", reason))
    if "data" in document and not data_sources:
        del document["data"]
    for rtype, block in resources.items():
        for name, body in block.items():
            for attribute, reason in DROPPED_ATTRIBUTES.get(rtype, {}).items():
                if body.pop(attribute, None) is not None:
                    adaptations.append(Adaptation(stack, f"{rtype}.{name}", f"leaves out {attribute}", reason))
            if "depends_on" in body:
                body["depends_on"] = [d for d in body["depends_on"] if d.removeprefix("data.") not in removed]
                if not body["depends_on"]:
                    del body["depends_on"]
            for attribute, reason in IGNORED_ATTRIBUTES.get(rtype, {}).items():
                lifecycle = body.setdefault("lifecycle", {})
                lifecycle["ignore_changes"] = sorted({*lifecycle.get("ignore_changes", []), attribute})
                adaptations.append(Adaptation(stack, f"{rtype}.{name}", f"ignores {attribute}", reason))
    for section in ("resource", "data", "output", "provider"):  # terraform refuses an empty block
        if section in document and not document[section]:
            del document[section]
    text = json.dumps(document, indent=2)
    dangling = sorted({m for m in re.findall(r"\b((?:aws|kubernetes|helm)_[a-z0-9_]+\.[A-Za-z0-9_-]+)", text) if m in removed})
    if dangling:
        raise GoldenpathError(
            f"{stack}: cannot run on the emulator: {', '.join(dangling)} are left out (unsupported by moto) "
            "but other resources or outputs use their values"
        )
    path.write_text(text + "\n")
    return adaptations
