"""`goldenpath migrate tenants`: move each team's resources from the single `<env>-tenants` state of goldenpath
0.6 into its own `<env>-tenants-<team>` state (0.7). Construct ids did not change, so every resource keeps its
address: this is a state move, never a replacement.

How: the new stacks are synthesized; each state is pulled and pushed with real terraform through a working
directory that holds only the stack's backend block (so no provider has to be installed); the old state is
split by which new stack declares each managed resource. Team states are pushed first, the shared state last,
so an interrupted run leaves every resource in at least one state and a second run finishes the job. A resource
no new stack declares stops the migration before anything is written.
"""

from __future__ import annotations

import copy
import json
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from goldenpath.deploy.terraform import Terraform
from goldenpath.errors import GoldenpathError


@dataclass
class Migration:
    moved: dict[str, list[str]] = field(default_factory=dict)
    """Team stack -> addresses moved into it."""
    kept: list[str] = field(default_factory=list)
    """Addresses that stay in the shared tenants state."""
    dropped_data: list[str] = field(default_factory=list)
    """Data sources of the old state: read again by each stack's next plan, never moved."""
    already_done: bool = False


def declared(stack_dir: Path) -> set[str]:
    """The managed resource addresses a synthesized stack declares."""
    document = json.loads((stack_dir / "cdk.tf.json").read_text())
    return {f"{rtype}.{name}" for rtype, block in document.get("resource", {}).items() for name in block}


def _address(resource: dict) -> str:
    prefix = "data." if resource.get("mode") == "data" else ""
    return f"{prefix}{resource['type']}.{resource['name']}"


def split_state(old: dict, targets: dict[str, set[str]], shared: set[str]) -> tuple[dict[str, list[dict]], list[dict], list[str]]:
    """Resources of ``old`` by target stack (``targets``: stack -> declared addresses), those the shared stack
    declares, and the data sources left behind. Raises when a managed resource belongs nowhere, or twice."""
    moved: dict[str, list[dict]] = {name: [] for name in targets}
    kept, data, orphans = [], [], []
    for resource in old.get("resources", []):
        address = _address(resource)
        if resource.get("mode") == "data":
            data.append(address)
            continue
        owners = [name for name, addresses in targets.items() if address in addresses]
        if len(owners) > 1:
            raise GoldenpathError(f"{address}: declared by {', '.join(owners)}, expected one stack")
        if owners:
            moved[owners[0]].append(resource)
        elif address in shared:
            kept.append(resource)
        else:
            orphans.append(address)
    if orphans:
        raise GoldenpathError(f"the old tenants state holds {', '.join(sorted(orphans))}, which no new stack declares; "
                              "expected every managed resource in a team's stack or the shared one (synthesize the same "
                              "catalog and goldenpath version the state was applied with, then upgrade)")
    return moved, kept, data


def new_state(template: dict, resources: list[dict]) -> dict:
    """A fresh state (its own lineage, serial 1) holding ``resources``."""
    state = {key: copy.deepcopy(value) for key, value in template.items() if key not in ("resources", "outputs")}
    return {**state, "serial": 1, "lineage": str(uuid.uuid4()), "outputs": {}, "resources": resources}


def backend_dir(stack_dir: Path, workdir: Path) -> Path:
    """A working directory with only ``stack_dir``'s backend block: terraform can init it without providers."""
    document = json.loads((stack_dir / "cdk.tf.json").read_text())
    target = workdir / stack_dir.name
    target.mkdir(parents=True, exist_ok=True)
    block = {"terraform": {"backend": document["terraform"]["backend"], "required_version": document["terraform"].get(
        "required_version", ">= 1.11")}}
    (target / "main.tf.json").write_text(json.dumps(block, indent=2, sort_keys=True))
    return target


def pull(terraform: Terraform, directory: Path) -> dict[str, Any]:
    terraform.init(directory)
    text = terraform.capture(directory, "state", "pull")
    return json.loads(text) if text.strip() else {}


def push(terraform: Terraform, directory: Path, state: dict) -> None:
    """`terraform state push -` with the state on stdin: it is never written to disk (states hold secrets)."""
    terraform.capture(directory, "state", "push", "-", stdin=json.dumps(state))


def migrate_tenants(terraform: Terraform, shared_dir: Path, team_dirs: dict[str, Path], workdir: Path) -> Migration:
    """Move team resources from the shared tenants state into each team's state (see the module's docstring)."""
    try:
        return _migrate(terraform, shared_dir, team_dirs, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)  # backend caches only, but nothing of a state is left behind


def _migrate(terraform: Terraform, shared_dir: Path, team_dirs: dict[str, Path], workdir: Path) -> Migration:
    directories = {name: backend_dir(path, workdir) for name, path in {shared_dir.name: shared_dir, **team_dirs}.items()}
    old = pull(terraform, directories[shared_dir.name])
    targets = {name: declared(path) for name, path in team_dirs.items()}
    moved, kept, data = split_state(old, targets, declared(shared_dir))
    if not any(moved.values()):
        return Migration(kept=[_address(r) for r in kept], already_done=True)
    for name, resources in moved.items():
        if not resources:
            continue
        existing = pull(terraform, directories[name])
        if existing.get("resources"):
            raise GoldenpathError(f"{name}: its state already holds {len(existing['resources'])} resource(s) while the old "
                                  "tenants state still holds some of its own; expected one of them empty (inspect both "
                                  "with `terraform state list` before going on)")
        push(terraform, directories[name], new_state(old, resources))
    remaining = {**old, "serial": int(old.get("serial", 0)) + 1, "resources": kept}
    push(terraform, directories[shared_dir.name], remaining)
    return Migration({n: [_address(r) for r in rs] for n, rs in moved.items() if rs}, [_address(r) for r in kept], data)
