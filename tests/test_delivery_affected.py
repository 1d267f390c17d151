"""Which stacks a change affects: from synthesized JSON (not file paths), in dependency waves, batched for
GitHub's matrix limit; and the plan matrix that gives each environment's jobs its own plan role."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from goldenpath.delivery.affected import MATRIX_LIMIT, Affected, SynthOutput, affected, batches, canonical, fingerprint, waves
from goldenpath.delivery.matrix import plan_matrix
from goldenpath.errors import GoldenpathError
from goldenpath.tenancy.catalog import catalog_for
from tests.conftest import REPO


def stack(root: Path, name: str, env: str, body: dict, depends: list[str] = (), providers=("aws",)) -> None:  # type: ignore[assignment]
    folder = root / "stacks" / name
    folder.mkdir(parents=True, exist_ok=True)
    document = {"//": {"metadata": {"stackName": name, "version": "x"}},
                "terraform": {"backend": {"s3": {"bucket": f"state-{env}", "key": f"{env}/{name}.tfstate", "region": "eu-west-1"}},
                              "required_providers": {p: {"source": f"hashicorp/{p}"} for p in providers}},
                **body}
    (folder / "cdk.tf.json").write_text(json.dumps(document))
    manifest_path = root / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {"stacks": {}}
    manifest["stacks"][name] = {"workingDirectory": f"stacks/{name}", "dependencies": list(depends)}
    manifest_path.write_text(json.dumps(manifest))


def vpc(tag: str, path: str = "a/b") -> dict:
    return {"resource": {"aws_vpc": {"main": {"//": {"metadata": {"path": path}}, "tags": {"cost-center": tag}}}}}


@pytest.fixture
def base(tmp_path) -> Path:
    root = tmp_path / "base"
    stack(root, "dev-network", "dev", vpc("cc-1"))
    stack(root, "dev-cluster", "dev", vpc("cc-1"), ["dev-network"])
    stack(root, "dev-tenants-shop", "dev", vpc("cc-1"), ["dev-cluster"], providers=("aws", "kubernetes"))
    stack(root, "prod-network", "prod", vpc("cc-1"))
    return root


def test_construct_paths_and_key_order_do_not_count(base, tmp_path):
    head = tmp_path / "head"
    shutil.copytree(base, head)
    stack(head, "dev-network", "dev", vpc("cc-1", path="renamed/in/a/refactor"))
    result = affected(SynthOutput.read(base), SynthOutput.read(head))
    assert result.added == result.changed == result.removed == [] and len(result.unchanged) == 4
    assert canonical(base / "stacks" / "dev-network") == canonical(head / "stacks" / "dev-network")


def test_a_dev_change_affects_only_the_dev_stacks_whose_json_changed(base, tmp_path):
    head = tmp_path / "head"
    shutil.copytree(base, head)
    stack(head, "dev-network", "dev", vpc("cc-2"))
    stack(head, "dev-tenants-shop", "dev", vpc("cc-2"), ["dev-cluster"], providers=("aws", "kubernetes"))
    result = affected(SynthOutput.read(base), SynthOutput.read(head))
    assert result.changed == ["dev-network", "dev-tenants-shop"] and result.added == result.removed == []
    # dev-cluster did not change, but the team stack still waits for the network through it
    assert result.waves == [["dev-network"], ["dev-tenants-shop"]]


def test_assets_count_and_removed_stacks_get_reverse_waves(base, tmp_path):
    head = tmp_path / "head"
    shutil.copytree(base, head)
    (head / "stacks" / "prod-network" / "assets").mkdir()
    (head / "stacks" / "prod-network" / "assets" / "code.zip").write_bytes(b"new code")
    assert fingerprint(head / "stacks" / "prod-network") != fingerprint(base / "stacks" / "prod-network")
    manifest = json.loads((head / "manifest.json").read_text())
    for gone in ("dev-cluster", "dev-tenants-shop"):
        del manifest["stacks"][gone]
        shutil.rmtree(head / "stacks" / gone)
    (head / "manifest.json").write_text(json.dumps(manifest))
    result = affected(SynthOutput.read(base), SynthOutput.read(head))
    assert result.changed == ["prod-network"]
    assert result.destroy_waves == [["dev-tenants-shop"], ["dev-cluster"]]  # dependents first


def test_a_base_without_a_platform_adds_everything(base, tmp_path):
    result = affected(SynthOutput.read(tmp_path / "no-base-yet"), SynthOutput.read(base))
    assert result.added == sorted(["dev-network", "dev-cluster", "dev-tenants-shop", "prod-network"])
    with pytest.raises(GoldenpathError, match="no manifest.json"):
        (tmp_path / "empty").mkdir()
        (tmp_path / "empty" / "x").write_text("")
        SynthOutput.read(tmp_path / "empty")


def test_waves_refuse_a_cycle():
    with pytest.raises(GoldenpathError, match="dependency cycle: a -> b -> a"):
        waves({"a", "b"}, {"a": ["b"], "b": ["a"]})


def test_batches_respect_the_matrix_limit():
    stacks = [f"s{i}" for i in range(1000)]
    split = batches(stacks)
    assert len(split) == MATRIX_LIMIT and sorted(s for b in split for s in b) == sorted(stacks)
    assert batches([]) == [] and batches(["a"]) == [["a"]]


def test_the_plan_matrix_gives_each_environment_its_own_plan_role_and_stays_under_256_jobs(bundled_environments, bundled_synth):
    catalog = catalog_for(REPO, bundled_environments)
    synth = SynthOutput.read(bundled_synth.outdir)
    everything = Affected(added=sorted(synth.stacks))
    entries = plan_matrix(everything, synth, SynthOutput.read(REPO / "no-such-dir"), bundled_environments, catalog)
    for entry in entries:
        env = entry["environment"]
        assert entry["github_environment"] == f"goldenpath-plan-{env}"
        assert entry["role"].endswith(f":role/goldenpath-{env}-ci-plan")
        for name in entry["stacks"].split():
            assert name.startswith(f"{env}-")
    planned = {n for e in entries for n in e["stacks"].split()}
    # stacks needing a cluster's API are not given to plan roles (they have none)
    assert "dev-platform" not in planned and "dev-network" in planned
    tight = plan_matrix(everything, synth, SynthOutput.read(REPO / "no-such-dir"), bundled_environments, catalog, per_job=1, limit=5)
    assert len(tight) <= 5 and {n for e in tight for n in e["stacks"].split()} == planned
