"""What each CI role may do, evaluated as IAM evaluates the synthesized policies (goldenpath.iam), tried as the
least-trusted actor holding it would: the plan role runs a pull request's code, the preview role a service
repository's pull request, the deploy role a service's deploy job.

AWS's ReadOnlyAccess is a managed policy that is not in the synthesized JSON; it is stood in for by what it grants
in kind (every Describe, Get and List): the denies goldenpath adds must hold against it."""

from __future__ import annotations

import json

import pytest

from goldenpath.iam.evaluate import Policy, Request, decide

READ_ONLY_STAND_IN = Policy("ReadOnlyAccess (in kind)", {"Statement": [
    {"Effect": "Allow", "Action": ["*:Describe*", "*:Get*", "*:List*", "s3:GetObject*"], "Resource": "*"}]})
STATE = "goldenpath-tfstate-111111111111-eu-west-1"


@pytest.fixture(scope="module")
def policies(bundled_synth) -> dict[str, list[Policy]]:
    """role name -> its identity policies (inline and, for the read-only roles, the managed one in kind)."""
    found: dict[str, list[Policy]] = {}
    for name, folder in bundled_synth.stacks.items():
        document = json.loads((folder / "cdk.tf.json").read_text())
        resources = document.get("resource", {})
        names = {key: role["name"] for key, role in resources.get("aws_iam_role", {}).items()}
        for inline in resources.get("aws_iam_role_policy", {}).values():
            role = next((n for key, n in names.items() if key in inline["role"]), inline["role"])
            found.setdefault(role, []).append(Policy(f"{role}/{inline['name']}", json.loads(inline["policy"])))
        for attachment in resources.get("aws_iam_role_policy_attachment", {}).values():
            if attachment["policy_arn"].endswith("/ReadOnlyAccess"):
                role = next(n for key, n in names.items() if key in attachment["role"])
                found.setdefault(role, []).append(READ_ONLY_STAND_IN)
    return found


def allowed(policies, role: str, action: str, resource: str = "*", **context) -> bool:
    return bool(decide(Request(action, resource, context), identity=policies[role]))


@pytest.mark.parametrize("role", ["goldenpath-dev-ci-plan", "goldenpath-dev-ci-drift"])
def test_a_read_only_role_reads_its_state_but_no_data(policies, role):
    assert allowed(policies, role, "s3:GetObject", f"arn:aws:s3:::{STATE}/dev/network.tfstate")
    assert allowed(policies, role, "ec2:DescribeVpcs")
    for action, resource in [("s3:PutObject", f"arn:aws:s3:::{STATE}/dev/network.tfstate"),  # no lock, no write
                             ("s3:GetObject", f"arn:aws:s3:::{STATE}/previews/pr-1.tfstate"),
                             ("s3:GetObject", f"arn:aws:s3:::{STATE}/sandboxes/x.tfstate"),
                             ("s3:GetObject", "arn:aws:s3:::dev-tenants-payments-checkout/customer.csv"),
                             ("secretsmanager:GetSecretValue", "*"), ("ssm:GetParameter", "arn:aws:ssm:eu-west-1:111111111111:parameter/db"),
                             ("dynamodb:Scan", "*"), ("logs:GetLogEvents", "*"), ("sqs:ReceiveMessage", "*"),
                             ("iam:CreateRole", "*"), ("sts:AssumeRole", "*")]:
        assert not allowed(policies, role, action, resource), f"{role} may {action} on {resource}"
    assert allowed(policies, role, "ssm:GetParameter", "arn:aws:ssm:eu-west-1::parameter/aws/service/eks/optimized-ami/x")


def test_the_apply_role_writes_its_state_and_not_another_owner_s(policies):
    role = "goldenpath-dev-ci-apply"
    assert allowed(policies, role, "s3:PutObject", f"arn:aws:s3:::{STATE}/dev/network.tfstate")
    assert allowed(policies, role, "eks:CreateCluster")
    for prefix in ("previews/", "sandboxes/"):
        assert not allowed(policies, role, "s3:PutObject", f"arn:aws:s3:::{STATE}/{prefix}x.tfstate")
    assert not allowed(policies, role, "sts:AssumeRole", "arn:aws:iam::111111111111:role/OrganizationAccountAccessRole")
    assert not allowed(policies, role, "secretsmanager:GetSecretValue")  # no stack uses it, so the role has none of it


def test_the_preview_role_reaches_previews_only(policies):
    role = "goldenpath-dev-ci-preview"
    assert allowed(policies, role, "s3:PutObject", f"arn:aws:s3:::{STATE}/previews/pr-1-web.tfstate")
    assert not allowed(policies, role, "s3:PutObject", f"arn:aws:s3:::{STATE}/dev/network.tfstate")
    assert not allowed(policies, role, "s3:GetObject", f"arn:aws:s3:::{STATE}/dev/tenants/payments.tfstate")
    key = "arn:aws:kms:eu-west-1:111111111111:key/1"
    assert allowed(policies, role, "kms:ScheduleKeyDeletion", key, **{"aws:ResourceTag/goldenpath:preview": "pr-1-web"})
    assert not allowed(policies, role, "kms:ScheduleKeyDeletion", key)  # the platform's keys are not tagged as previews
    assert not allowed(policies, role, "s3:DeleteBucket", "arn:aws:s3:::dev-tenants-payments-checkout")
    assert not allowed(policies, role, "iam:CreateRole") and not allowed(policies, role, "eks:DeleteCluster")


def test_a_deploy_role_only_describes_its_cluster(policies):
    role = "goldenpath-dev-deploy-storefront-web"
    assert allowed(policies, role, "eks:DescribeCluster", "arn:aws:eks:eu-west-1:111111111111:cluster/dev-cluster")
    assert not allowed(policies, role, "eks:DescribeCluster", "arn:aws:eks:eu-west-1:111111111111:cluster/other")
    assert not allowed(policies, role, "s3:GetObject", f"arn:aws:s3:::{STATE}/dev/network.tfstate")
    assert not allowed(policies, role, "eks:UpdateClusterConfig", "arn:aws:eks:eu-west-1:111111111111:cluster/dev-cluster")


def test_cluster_access_follows_the_role(bundled_synth):
    """Inside the cluster: apply administers, drift views, reap reaches preview namespaces only, a preview session its
    own namespace only (RBAC, no access policy), a deploy role its own namespace only, and the plan role (a pull
    request's code) nothing."""
    document = json.loads((bundled_synth.stacks["dev-cluster"] / "cdk.tf.json").read_text())
    entries = {e["principal_arn"].split("/")[-1]: e for e in document["resource"]["aws_eks_access_entry"].values()}
    associations = {}
    for a in document["resource"]["aws_eks_access_policy_association"].values():
        associations.setdefault(a["principal_arn"].split("/")[-1], []).append(
            (a["policy_arn"].split("/")[-1], a["access_scope"]["type"], tuple(a["access_scope"].get("namespaces", ()))))
    assert "goldenpath-dev-ci-plan" not in entries
    assert associations["goldenpath-dev-ci-apply"] == [("AmazonEKSClusterAdminPolicy", "cluster", ())]
    assert associations["goldenpath-dev-ci-drift"] == [("AmazonEKSAdminViewPolicy", "cluster", ())]
    assert associations["goldenpath-dev-ci-reap"] == [("AmazonEKSAdminPolicy", "namespace", ("pr-*",))]
    assert "goldenpath-dev-ci-preview" not in associations  # test_isolation.py tries its sessions
    assert entries["goldenpath-dev-ci-preview"]["user_name"] == "goldenpath-preview:{{SessionName}}"
    team = json.loads((bundled_synth.stacks["dev-tenants-storefront"] / "cdk.tf.json").read_text())
    # A deploy role holds no access policy: only its namespace's RoleBindings for its group (test_isolation.py tries it).
    assert "aws_eks_access_policy_association" not in team["resource"]
    (deploy,) = [e for e in team["resource"]["aws_eks_access_entry"].values()
                 if e["principal_arn"].endswith("goldenpath-dev-deploy-storefront-web")]
    assert deploy["kubernetes_groups"] == ["goldenpath:deployers:storefront-web"]
