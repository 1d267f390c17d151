"""The apply gate and its waves, decision by decision; drift's three answers. terraform is replaced here by a
recorder that returns given plans (the harness, tests/e2e/test_delivery_workflows.py, runs the real one)."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from goldenpath.delivery.apply import (ApplyRun, Confirmation, Review, apply_environment, gate, parse_confirmation,
                                       pending_changes, pending_stacks, removed_records)
from goldenpath.delivery.comment import stack_digest
from goldenpath.delivery.drift import check_environment
from goldenpath.delivery.plans import PlanSummary, ResourceChange
from goldenpath.delivery.records import AppliedRecords
from goldenpath.delivery.stacks import environment_stacks
from goldenpath.delivery.affected import SynthOutput
from goldenpath.errors import GoldenpathError
from tests.test_delivery_affected import stack, vpc

HEAD = "c0ffee0000000000000000000000000000000000"


def summary(*changes: tuple[str, tuple[str, ...]], status="planned") -> PlanSummary:
    return PlanSummary("dev-network", status, changes=[ResourceChange(a, a.split(".")[0], acts) for a, acts in changes])


UPDATE = summary(("aws_vpc.main", ("update",)))
REPLACE = summary(("aws_eks_cluster.main", ("delete", "create")))


@pytest.mark.parametrize("plan, options, expected", [
    (summary(), {}, ("record", "no changes")),
    (UPDATE, {"reviewed": stack_digest(UPDATE)}, ("apply", "as reviewed")),
    (UPDATE, {"reviewed": stack_digest(REPLACE)}, ("stop", "differ from those reviewed")),
    (UPDATE, {}, ("stop", "no reviewed plan")),
    (UPDATE, {"planned_on_pull_requests": False}, ("apply", "creates and updates only")),
    (REPLACE, {"reviewed": stack_digest(REPLACE)}, ("stop", "would destroy or replace aws_eks_cluster.main")),
    (REPLACE, {"planned_on_pull_requests": False}, ("stop", "would destroy or replace")),
    (REPLACE, {"confirmed": True}, ("apply", "confirmed")),
    (summary(("aws_vpc.main", ("delete",))), {"removed": True}, ("stop", "goldenpath/destroy label")),
    (summary(("aws_vpc.main", ("delete",))), {"removed": True, "destroy_labelled": True}, ("apply", "label")),
    (summary(("aws_vpc.main", ("delete",))), {"removed": True, "destroy_labelled": True, "reviewed": "other"}, ("stop", "destroy plan differs")),
    (summary(status="failed"), {"confirmed": True}, ("stop", "failed")),
])
def test_gate(plan, options, expected):
    settings = {"reviewed": None, "planned_on_pull_requests": True, "confirmed": False, **options}
    decision, reason = gate(plan, **settings)
    assert decision == expected[0] and expected[1] in reason


def test_a_confirmation_binds_to_the_commit_being_applied():
    assert parse_confirmation("dev-network@c0ffee0 dev-cluster@C0FFEE00", HEAD) == Confirmation(frozenset({"dev-network", "dev-cluster"}))
    assert parse_confirmation("all@c0ffee0", HEAD).covers("anything")
    assert parse_confirmation("", HEAD) == Confirmation()
    with pytest.raises(GoldenpathError, match="confirms commit deadbee, but this run applies c0ffee000000"):
        parse_confirmation("dev-network@deadbee", HEAD)
    with pytest.raises(GoldenpathError, match="expected STACK@SHA"):
        parse_confirmation("dev-network", HEAD)


class RecordingTerraform:
    """Stands in for terraform: `show -json` answers the plan given for the stack; applies are recorded."""

    def __init__(self, plans: dict[str, list[dict] | Exception]):
        self.plans, self.applied, self.planned = plans, [], []

    def ready(self) -> None:
        pass

    def init(self, stack_dir: Path) -> None:
        pass

    def run(self, stack_dir: Path, *args: str, ok_codes=(0,)):
        if args[0] == "plan":
            self.planned.append(stack_dir.name)
            found = self.plans.get(stack_dir.name, [])
            if isinstance(found, Exception):
                raise found
        if args[0] == "apply":
            self.applied.append(stack_dir.name)

    def capture(self, stack_dir: Path, *args: str, stdin=None) -> str:
        changes = self.plans.get(stack_dir.name, [])
        return json.dumps({"resource_changes": changes})


def change(address: str, *actions: str) -> dict:
    return {"address": address, "type": address.split(".")[0], "mode": "managed", "change": {"actions": list(actions)}}


@pytest.fixture
def synth(tmp_path) -> SynthOutput:
    root = tmp_path / "out"
    stack(root, "dev-network", "dev", vpc("cc-2"))
    stack(root, "dev-cluster", "dev", vpc("cc-2"), ["dev-network"])
    stack(root, "dev-observability", "dev", vpc("cc-2"), ["dev-cluster"])
    stack(root, "dev-tenants-shop", "dev", vpc("cc-2"), ["dev-cluster"], providers=("aws", "kubernetes"))
    return SynthOutput.read(root)


@pytest.fixture
def records():
    with mock_aws():
        s3 = boto3.client("s3", region_name="eu-west-1")
        s3.create_bucket(Bucket="state-dev", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        yield AppliedRecords(s3, "state-dev")


def test_a_failed_stack_blocks_only_its_dependents(synth, records):
    stack(synth.root, "dev-ci", "dev", vpc("cc-2"))  # depends on nothing
    stacks = environment_stacks(SynthOutput.read(synth.root), "dev")
    terraform = RecordingTerraform({"dev-network": GoldenpathError("boom"), "dev-observability": [change("aws_s3_bucket.logs", "update")]})
    pending = pending_stacks(stacks, records)
    assert pending == sorted(stacks)  # never applied
    review = Review({"dev-observability": stack_digest(PlanSummary("x", "planned", changes=[
        ResourceChange("aws_s3_bucket.logs", "aws_s3_bucket", ("update",))]))})
    report = apply_environment(ApplyRun(terraform, records, HEAD), "dev", stacks, pending, [], review, Confirmation())
    outcomes = {r.stack: r.outcome for r in report.results}
    assert outcomes == {"dev-ci": "unchanged", "dev-network": "failed", "dev-cluster": "blocked",
                        "dev-observability": "blocked", "dev-tenants-shop": "blocked"}
    assert terraform.applied == [] and not report.ok
    assert "run this workflow manually with confirm" not in report.markdown()


def test_reviewed_stacks_apply_and_move_their_record_and_nothing_else_is_pending(synth, records):
    stacks = environment_stacks(synth, "dev")
    update = [change("aws_vpc.main", "update")]
    terraform = RecordingTerraform({"dev-network": update, "dev-cluster": [], "dev-observability": [],
                                    "dev-tenants-shop": [change("kubernetes_namespace_v1.web", "create")]})
    reviewed = stack_digest(PlanSummary("x", "planned", changes=[ResourceChange("aws_vpc.main", "aws_vpc", ("update",))]))
    report = apply_environment(ApplyRun(terraform, records, HEAD), "dev", stacks, pending_stacks(stacks, records), [],
                               Review({"dev-network": reviewed}), Confirmation())
    assert {r.stack: r.outcome for r in report.results} == {
        "dev-network": "applied", "dev-cluster": "unchanged", "dev-observability": "unchanged", "dev-tenants-shop": "applied"}
    assert terraform.applied == ["dev-network", "dev-tenants-shop"] and report.ok
    assert pending_stacks(stacks, records) == []
    assert records.get("dev/dev-network.tfstate").commit == HEAD


def test_a_stopped_plan_says_how_to_confirm_it(synth, records):
    stacks = environment_stacks(synth, "dev")
    terraform = RecordingTerraform({"dev-network": [change("aws_vpc.main", "delete", "create")]})
    report = apply_environment(ApplyRun(terraform, records, HEAD), "dev", {"dev-network": stacks["dev-network"]},
                               ["dev-network"], [], Review(), Confirmation())
    assert report.results[0].outcome == "stopped"
    assert "confirm `dev-network@c0ffee000000`" in report.markdown()


def test_removed_stacks_are_destroyed_from_their_record_with_the_label(synth, records):
    stacks = environment_stacks(synth, "dev")
    terraform = RecordingTerraform({})
    apply_environment(ApplyRun(terraform, records, HEAD), "dev", stacks, pending_stacks(stacks, records), [], Review(),
                      Confirmation(everything=True))
    remaining = {k: v for k, v in stacks.items() if k != "dev-tenants-shop"}
    gone = removed_records(remaining, "dev", records)
    assert [r.stack for r in gone] == ["dev-tenants-shop"]
    terraform.plans["dev-tenants-shop"] = [change("aws_iam_role.deploy", "delete")]
    stopped = apply_environment(ApplyRun(terraform, records, HEAD), "dev", remaining, [], gone, Review(), Confirmation())
    assert stopped.results[0].outcome == "stopped" and records.get("dev/dev-tenants-shop.tfstate") is not None
    done = apply_environment(ApplyRun(terraform, records, HEAD), "dev", remaining, [], gone,
                             Review(labels=frozenset({"goldenpath/destroy"})), Confirmation())
    assert done.results[0].outcome == "destroyed" and records.get("dev/dev-tenants-shop.tfstate") is None


def test_pending_changes_name_what_the_emulator_cannot_apply_instead_of_counting_it(synth, records):
    stacks = environment_stacks(synth, "dev")
    apply_environment(ApplyRun(RecordingTerraform({}), records, HEAD, emulator=True), "dev", stacks,
                      pending_stacks(stacks, records), [], Review(), Confirmation(everything=True))
    on_emulator = pending_changes(stacks, "dev", records, emulator=True)
    assert on_emulator.pending == () and on_emulator.not_run == ("dev-tenants-shop",) and not on_emulator.any
    assert on_emulator.summary() == ("pending in dev: none; removed: none; "
                                     "not counted (the emulator has no Kubernetes API): dev-tenants-shop")
    on_aws = pending_changes(stacks, "dev", records)
    assert on_aws.pending == ("dev-tenants-shop",) and on_aws.not_run == () and on_aws.any
    remaining = {k: v for k, v in stacks.items() if k != "dev-network"}
    removed = pending_changes(remaining, "dev", records, emulator=True)
    assert removed.removed == ("dev-network",) and removed.any
    assert removed.summary().startswith("pending in dev: none; removed: dev-network;")


def test_drift_tells_a_changed_cloud_from_an_unapplied_change(synth, records, tmp_path):
    stacks = environment_stacks(synth, "dev")
    apply_environment(ApplyRun(RecordingTerraform({}), records, HEAD), "dev", stacks, sorted(stacks), [], Review(),
                      Confirmation(everything=True))
    stack(synth.root, "dev-cluster", "dev", vpc("cc-3"), ["dev-network"])  # merged, not applied yet
    terraform = RecordingTerraform({"dev-network": [change("aws_vpc.main", "update")], "dev-observability": GoldenpathError("x")})
    found = {d.stack: d for d in check_environment(stacks, "dev", records, terraform, emulator=False)}
    assert found["dev-network"].status == "drift" and found["dev-network"].changes == ["aws_vpc.main update"]
    assert found["dev-cluster"].status == "unapplied" and "dev-cluster" not in terraform.planned
    assert found["dev-observability"].status == "error"
    assert found["dev-tenants-shop"].status == "clean"
    emulated = {d.stack: d.status for d in check_environment(stacks, "dev", records, terraform, emulator=True)}
    assert emulated["dev-tenants-shop"] == "not-run"
