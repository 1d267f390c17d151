"""The README's main job: `goldenpath deploy --env dev --emulator --destroy`, as a newcomer runs it.

One full run of dev's AWS stacks with real terraform against moto: apply in dependency order, a
second plan of each is empty, the emulator's own API shows the cluster and buckets with their
protections and one state object per stack, destroy in reverse, and afterwards the API holds
nothing of the environment (checked by the command itself, and reported)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.e2e


def test_deploy_to_emulator_applies_verifies_and_destroys(terraform_and_mirror, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "goldenpath.cli.main", "--environments", str(REPO / "environments"),
         "deploy", "--env", "dev", "--emulator", "--destroy"],
        cwd=tmp_path, capture_output=True, text=True, timeout=1200,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    out = result.stdout
    assert "applied on the emulator: dev-ci, dev-network, dev-cluster, dev-observability, dev-tenants" in out
    assert ("not applied (in-cluster; the emulator has no Kubernetes API): dev-platform, dev-tenants-payments, "
            "dev-tenants-storefront") in out
    assert "second plan showed no changes: dev-ci, dev-network, dev-cluster, dev-observability, dev-tenants" in out
    assert "destroyed: dev-tenants, dev-observability, dev-cluster, dev-network, dev-ci" in out
    assert ("state objects: dev/ci.tfstate, dev/cluster.tfstate, dev/network.tfstate, dev/observability.tfstate, "
            "dev/tenants.tfstate") in out
    assert ("EKS cluster dev-cluster: Kubernetes 1.36, private endpoint on, public endpoint on, encrypted secrets, "
            "node groups dev-general") in out
    assert "bucket dev-logs-111111111111: aws:kms, public access blocked, objects expire after 8 days" in out
    assert "bucket dev-traces-111111111111: aws:kms, public access blocked, objects expire after 3 days" in out
    assert "after destroy the emulator holds nothing of the environment" in out
    # 18 resources (the default EBS key setting; add-ons; access entries and policy associations, the CI roles' too;
    # Pod Identity associations) and 6 lookups (5 add-on versions, 1 AMI release)
    assert "left out of the emulated apply (24; moto has no API for them): aws_ebs_default_kms_key" in out
    assert "data.aws_eks_addon_version, data.aws_ssm_parameter" in out
    assert "aws_eks_node_group leaves out release_version" in out
    assert "Traceback" not in result.stderr
    # Progress, not noise: one line per stack and action, terraform's own output in the logs.
    assert "dev-network                  apply" in out and "Apply complete!" not in out
    assert len(out.splitlines()) <= 5 * 4 + 20, out  # a line per stack and action (init, apply, plan, destroy), then the summary
    assert (tmp_path / ".goldenpath" / "logs" / "dev-network-apply.log").read_text().count("Creation complete") > 10
