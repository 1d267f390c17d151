"""A service's deploy from the reusable workflow (`goldenpath ci deploy`): what is deployed where comes from the
catalog, only for the repository the catalog names; the DORA event is sent by a pod in the service's own
namespace (no port-forward into observability), which the tenant network policy lets reach the collector and
Kubernetes accepts under the restricted Pod Security profile."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import kubernetes_validate
import pytest

from goldenpath.config.model import SUPPORTED_KUBERNETES_VERSIONS
from goldenpath.delivery.deploy import COLLECTOR_URL, CURL_IMAGE, deploy, deploy_target, dora_pod, lead_time
from goldenpath.errors import GoldenpathError
from goldenpath.observability.dora_events import DeploymentEvent
from goldenpath.observability.network import OTLP_PORTS
from goldenpath.tenancy.catalog import catalog_for
from goldenpath.tenancy.spec import network_policy
from goldenpath.tenancy.tenants import tenant_spec
from tests.conftest import REPO

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def target(bundled_environments):
    return deploy_target(bundled_environments, catalog_for(REPO, bundled_environments), "prod", "web", "acme/Storefront-Web")


def test_the_target_comes_from_the_catalog(target):
    assert (target.namespace, target.cluster, target.team) == ("storefront-web", "prod-cluster", "storefront")
    assert target.role_arn == "arn:aws:iam::333333333333:role/goldenpath-prod-deploy-storefront-web"
    assert target.chart.version == "1.4.2"


def test_another_repository_cannot_deploy_the_service(bundled_environments):
    catalog = catalog_for(REPO, bundled_environments)
    with pytest.raises(GoldenpathError, match="service 'web' deploys from 'acme/storefront-web', but this job runs for 'acme/checkout'"):
        deploy_target(bundled_environments, catalog, "prod", "web", "acme/checkout")
    with pytest.raises(GoldenpathError, match="--service: got 'nope'"):
        deploy_target(bundled_environments, catalog, "prod", "nope", "acme/checkout")


def test_the_dora_pod_is_valid_restricted_and_allowed_to_reach_the_collector(target, bundled_environments):
    catalog = catalog_for(REPO, bundled_environments)
    placement = next(p for p in catalog.placements("prod") if p.service.name == "web")
    pod = dora_pod(target, DeploymentEvent("web", "storefront", "prod", 600.0), NOW)
    for version in SUPPORTED_KUBERNETES_VERSIONS:  # whichever the service's cluster runs
        kubernetes_validate.validate(pod, version, strict=True)
    spec, container = pod["spec"], pod["spec"]["containers"][0]
    # Pod Security "restricted": non-root (the image's user is a name, so a number is set), no escalation, no
    # capabilities, RuntimeDefault seccomp; and no service-account token, limits within the tenant quota.
    assert spec["securityContext"]["runAsNonRoot"] and spec["securityContext"]["runAsUser"] > 0
    assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert container["securityContext"] == {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                            "capabilities": {"drop": ["ALL"]}}
    assert spec["automountServiceAccountToken"] is False and container["resources"]["limits"]
    assert container["image"] == CURL_IMAGE and container["args"][0].startswith("-")  # the entrypoint then runs curl
    body = json.loads(container["args"][container["args"].index("--data-binary") + 1])
    assert body["resourceMetrics"][0]["scopeMetrics"][0]["metrics"][0]["name"] == "goldenpath.dora.deployment"
    # the tenant's own network policy lets its pods reach the collector's OTLP/HTTP port in observability
    assert COLLECTOR_URL == f"http://otel-collector.observability.svc:{OTLP_PORTS[1]}/v1/metrics"
    egress = network_policy(tenant_spec(placement))["spec"]["egress"]
    assert any(rule["to"][0].get("namespaceSelector", {}).get("matchLabels") == {"kubernetes.io/metadata.name": "observability"}
               and {"port": 4318, "protocol": "TCP"} in rule.get("ports", []) for rule in egress)


class Recorder:
    def __init__(self, failing: str = ""):
        self.failing, self.calls = failing, []

    def __call__(self, command: list[str]) -> subprocess.CompletedProcess:
        self.calls.append(command)
        if "-f" in command:
            self.pod = json.loads(Path(command[command.index("-f") + 1]).read_text())
        return subprocess.CompletedProcess(command, 1 if self.failing and self.failing == command[0] else 0, "", "no")


def test_a_deploy_then_its_event_and_a_failed_deploy_counts_as_a_change_failure(target):
    ok = Recorder()
    outcome = deploy(target, "sha-abc", 60.0, NOW, run=ok)
    assert outcome.deployed and outcome.dora_sent
    helm = next(c for c in ok.calls if c[0] == "helm")
    assert helm[helm.index("--namespace") + 1] == "storefront-web" and "serviceAccount.name=web" in helm
    assert not any("port-forward" in c for c in ok.calls)
    failed = Recorder("helm")
    outcome = deploy(target, "sha-abc", 60.0, NOW, run=failed)
    assert not outcome.deployed and outcome.dora_sent and "helm exited 1" in outcome.detail
    metrics = [m["name"] for m in json.loads(failed.pod["spec"]["containers"][0]["args"][9])["resourceMetrics"][0]["scopeMetrics"][0]["metrics"]]
    assert "goldenpath.dora.change_failure" in metrics
    unreachable = Recorder("aws")
    outcome = deploy(target, "sha-abc", None, NOW, run=unreachable)
    assert not outcome.deployed and not outcome.dora_sent and [c[0] for c in unreachable.calls] == ["aws"]


def test_lead_time():
    assert lead_time("2026-12-04T11:00:00Z", NOW) == 3600
    assert lead_time("", NOW) is None
    with pytest.raises(GoldenpathError, match="--first-commit-at: got 'yesterday'"):
        lead_time("yesterday", NOW)
