"""The pull request's plan comment: a table per environment, critical replacements flagged, owners, provisional
plans, stacks not planned and why, the cost diff, GitHub's size limit, and the digest the apply job reads back."""

from __future__ import annotations

import json

from goldenpath.delivery.affected import SynthOutput
from goldenpath.delivery.comment import MARKER, MAX_COMMENT, StackRow, comment_rows, provisional_marks, render, reviewed_digest, stack_digest
from goldenpath.delivery.plans import PlanSummary, ResourceChange, summarize
from tests.test_delivery_affected import stack, vpc


def plan(name: str, *changes: tuple[str, tuple[str, ...]], outputs=(), owner="platform") -> PlanSummary:
    return PlanSummary(name, "planned", changes=[ResourceChange(a, a.split(".")[0], acts) for a, acts in changes],
                       outputs_changed=list(outputs), owner=owner)


def test_one_table_per_environment_with_critical_replacements_flagged():
    rows = [StackRow("dev", plan("dev-cluster", ("aws_eks_cluster.main", ("delete", "create")), ("aws_iam_role.x", ("update",)))),
            StackRow("prod", plan("prod-tenants-shop", ("aws_s3_bucket.data", ("create",)), owner="shop")),
            StackRow("prod", PlanSummary("prod-platform", "not-planned", "needs the cluster's API"))]
    body = render(rows, "a" * 40, "### cost\n+ $10/month")
    assert body.startswith(MARKER) and "#### dev" in body and "#### prod" in body and "+ $10/month" in body
    assert "| `dev-cluster` | platform | 1 | 1 | 1 | yes | **replaces `aws_eks_cluster.main`** |" in body
    assert "| `prod-tenants-shop` | shop | 1 | 0 | 0 |  |  |" in body
    assert "not-planned: needs the cluster's API" in body
    assert "Applying it after merge stops for confirmation" in body
    assert reviewed_digest(body) == {"dev-cluster": stack_digest(rows[0].summary), "prod-tenants-shop": stack_digest(rows[1].summary)}


def test_the_comment_stays_under_github_s_limit_and_keeps_its_digest():
    rows = [StackRow("dev", plan(f"dev-tenants-team{i}", *((f"aws_iam_role.r{j}", ("create",)) for j in range(5)))) for i in range(2000)]
    body = render(rows, "b" * 40)
    assert len(body) <= MAX_COMMENT and "cut to GitHub's comment limit" in body
    assert len(reviewed_digest(body)) == 2000  # the digest survives the cut: apply compares every stack


def test_a_downstream_plan_is_provisional_when_outputs_it_reads_will_change():
    summaries = {"dev-cluster": plan("dev-cluster", ("aws_eks_cluster.main", ("update",)), outputs=["endpoint", "name"]),
                 "dev-platform": plan("dev-platform")}
    marks = provisional_marks(summaries, {"dev-platform": ["dev-cluster"]},
                              {"dev-platform": {"dev/cluster.tfstate": {"endpoint"}}}, {"dev-cluster": "dev/cluster.tfstate"})
    assert marks == {"dev-platform": "dev-cluster changes endpoint"}
    quiet = provisional_marks(summaries, {"dev-platform": ["dev-cluster"]},
                              {"dev-platform": {"dev/cluster.tfstate": {"oidc_issuer"}}}, {"dev-cluster": "dev/cluster.tfstate"})
    assert quiet == {}


def test_rows_say_why_a_stack_has_no_plan(tmp_path):
    root = tmp_path / "head"
    stack(root, "dev-network", "dev", vpc("cc-2"))
    stack(root, "dev-platform", "dev", vpc("cc-2"), providers=("aws", "helm"))
    stack(root, "dev-cluster", "dev", vpc("cc-2"))
    stack(root, "qa-network", "qa", vpc("cc-2"))
    affected = {"added": [], "changed": ["dev-cluster", "dev-network", "dev-platform", "qa-network"], "removed": [],
                "matrix": [{"environment": "dev", "stacks": "dev-network dev-cluster", "removed": ""}]}
    rows = {r.summary.stack: r.summary for r in comment_rows(SynthOutput.read(root), SynthOutput.read(tmp_path / "none"),
                                                             affected, {"dev-network": plan("dev-network")})}
    assert rows["dev-network"].status == "planned"
    assert rows["dev-cluster"].status == "failed" and "did not finish" in rows["dev-cluster"].reason
    assert rows["dev-platform"].status == "not-planned" and "cluster's API" in rows["dev-platform"].reason
    assert rows["qa-network"].status == "not-planned" and "no ci section" in rows["qa-network"].reason


def test_summaries_hold_addresses_and_actions_never_values():
    shown = {"resource_changes": [
        {"address": "aws_db_instance.main", "type": "aws_db_instance", "mode": "managed",
         "change": {"actions": ["update"], "before": {"password": "hunter2"}, "after": {"password": "hunter3"}}},
        {"address": "data.aws_caller_identity.me", "type": "aws_caller_identity", "mode": "data", "change": {"actions": ["read"]}},
        {"address": "aws_vpc.main", "type": "aws_vpc", "mode": "managed", "change": {"actions": ["no-op"]}}],
        "output_changes": {"endpoint": {"actions": ["update"], "after": "secret-ish"}, "same": {"actions": ["no-op"]}}}
    summary = summarize("dev-db", shown)
    text = json.dumps(summary.as_json())
    assert "hunter" not in text and "secret-ish" not in text
    assert summary.digest() == ["aws_db_instance.main update"] and summary.outputs_changed == ["endpoint"]
