"""An environment's stacks as the pipeline sees them: read from a synth output alone (its manifest and each stack's
S3 backend), so the plan, apply and drift jobs need no environment file, only the synthesized stacks and their
state. A stack belongs to the environment whose name starts its state key (``dev/network.tfstate``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from goldenpath.delivery.affected import SynthOutput
from goldenpath.errors import GoldenpathError
from goldenpath.stacks.emulator import KUBERNETES_PROVIDERS

TEAM_PREFIX = "tenants/"


@dataclass(frozen=True)
class PipelineStack:
    name: str
    path: Path
    environment: str
    state_key: str
    bucket: str
    region: str
    kms_key: str | None
    dependencies: tuple[str, ...]
    needs_kubernetes: bool
    """It configures the kubernetes or helm provider: planning it needs the cluster's API."""

    @property
    def owner(self) -> str:
        """The team of a team's tenants stack (``dev/tenants/<team>.tfstate``), else the platform."""
        rest = self.state_key.removeprefix(f"{self.environment}/")
        return rest.removeprefix(TEAM_PREFIX).removesuffix(".tfstate") if rest.startswith(TEAM_PREFIX) else "platform"


def read_stack(name: str, path: Path, dependencies: list[str]) -> PipelineStack:
    document = json.loads((path / "cdk.tf.json").read_text())
    try:
        backend = document["terraform"]["backend"]["s3"]
        key, bucket, region = backend["key"], backend["bucket"], backend["region"]
    except KeyError:
        raise GoldenpathError(f"{path / 'cdk.tf.json'}: terraform.backend.s3: missing, expected the S3 backend "
                              "(bucket, key, region) every goldenpath stack has") from None
    providers = set(document["terraform"].get("required_providers", {}))
    return PipelineStack(name, path, key.split("/", 1)[0], key, bucket, region, backend.get("kms_key_id"),
                         tuple(dependencies), bool(providers & set(KUBERNETES_PROVIDERS)))


def environment_stacks(synth: SynthOutput, environment: str) -> dict[str, PipelineStack]:
    """The stacks of ``environment`` in ``synth`` (none when it has none)."""
    found = {}
    for name, path in synth.stacks.items():
        stack = read_stack(name, path, synth.dependencies.get(name, []))
        if stack.environment == environment:
            found[name] = stack
    return found


def environments_of(synth: SynthOutput) -> list[str]:
    return sorted({read_stack(n, p, []).environment for n, p in synth.stacks.items()})


def state_location(stacks: dict[str, PipelineStack], environment: str) -> tuple[str, str, str | None]:
    """(bucket, region, kms key) of the environment's state: one per environment."""
    places = {(s.bucket, s.region, s.kms_key) for s in stacks.values()}
    if len(places) != 1:
        raise GoldenpathError(f"{environment}: its stacks keep state in {len(places)} places, expected one bucket "
                              "(state.bucket in its environment file)" if places else
                              f"--env: no stack of {environment!r} in the synth output")
    return places.pop()
