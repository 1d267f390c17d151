"""A service's deploy, as the platform's reusable deploy workflow runs it (`goldenpath ci deploy`): the service's
chart (pinned in the catalog of the platform repository's default branch) into its namespace with its service
account, then one DORA deployment event, sent from a short-lived pod in the service's own namespace to the
collector's OTLP/HTTP port. The tenant network policy already lets every pod of the namespace reach the collector's
OTLP ports (telemetry), so the deploy role needs no access to the ``observability`` namespace and no port-forward.

The pod runs the curl project's image (facts below), as a non-root user with a read-only root filesystem and no
service-account token, within the namespace's quota; it is deleted after it ran.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from goldenpath.config.model import Environment, PreviewService
from goldenpath.constructs.naming import Naming
from goldenpath.ci_identities.roles import deploy_roles
from goldenpath.errors import GoldenpathError
from goldenpath.modules.cluster import cluster_name
from goldenpath.observability.dora_events import DeploymentEvent, otlp_payload
from goldenpath.observability.network import COLLECTOR_RELEASE, OTLP_PORTS
from goldenpath.observability.values import NAMESPACE as OBSERVABILITY_NAMESPACE
from goldenpath.tenancy.catalog import Catalog, namespace_name

# Facts, curl/curl-container at tag 8.21.0: the image's entrypoint (etc/entrypoint.sh) runs `curl "$@"` when the
# first argument starts with "-"; its user is the name `curl_user` (create_appliance_image.sh: `buildah config
# --user curl_user`), not a number, so Kubernetes cannot check runAsNonRoot without an explicit runAsUser.
CURL_IMAGE = "quay.io/curl/curl:8.21.0"
DORA_USER = 65534
COLLECTOR_URL = f"http://{COLLECTOR_RELEASE}.{OBSERVABILITY_NAMESPACE}.svc:{OTLP_PORTS[1]}/v1/metrics"
Runner = Callable[[list[str]], subprocess.CompletedProcess]


@dataclass(frozen=True)
class DeployTarget:
    environment: str
    region: str
    cluster: str
    team: str
    service: str
    namespace: str
    service_account: str
    chart: PreviewService
    role_arn: str


def deploy_target(environments: list[Environment], catalog: Catalog, environment: str, service: str,
                  repository: str | None) -> DeployTarget:
    """What to deploy where, from the catalog; ``repository``: the calling repository ($GITHUB_REPOSITORY), which
    must be the one the catalog names for the service."""
    env = next((e for e in environments if e.name == environment), None)
    if env is None:
        raise GoldenpathError(f"--env: got {environment!r}, expected one of {', '.join(e.name for e in environments)}")
    placement = next((p for p in catalog.placements(environment) if p.service.name == service), None)
    if placement is None:
        raise GoldenpathError(f"--service: got {service!r}, expected a service of the catalog (teams/*.yaml) that runs "
                              f"on {environment}")
    team, entry = placement.team, placement.service
    if entry.repository is None or repository is None or entry.repository.lower() != repository.lower():
        raise GoldenpathError(f"{team.source_file}: service {service!r} deploys from {entry.repository!r}, but this job "
                              f"runs for {repository!r}; expected the repository the catalog names (services[].repository)")
    if entry.previews is None:
        raise GoldenpathError(f"{team.source_file}: service {service!r} names no chart; expected a previews block "
                              "(repository, chart, version, image_repository)")
    role = next(r for r in deploy_roles(env, catalog, team.name) if r.service == service)
    return DeployTarget(environment, env.region, cluster_name(Naming(environment)), team.name, service,
                        namespace_name(team.name, service), service, entry.previews, role.arn)


def kubeconfig_command(target: DeployTarget, kubeconfig: Path) -> list[str]:
    return ["aws", "eks", "update-kubeconfig", "--name", target.cluster, "--region", target.region,
            "--kubeconfig", str(kubeconfig)]


def helm_command(target: DeployTarget, image_tag: str, kubeconfig: Path) -> list[str]:
    chart = target.chart
    return ["helm", "upgrade", "--install", target.service, chart.chart, "--repo", chart.repository, "--version", chart.version,
            "--namespace", target.namespace, "--kubeconfig", str(kubeconfig), "--atomic", "--wait", "--timeout", "10m",
            "--set", f"image.repository={chart.image_repository}", "--set-string", f"image.tag={image_tag}",
            "--set", "serviceAccount.create=false", "--set", f"serviceAccount.name={target.service_account}"]


def dora_pod(target: DeployTarget, event: DeploymentEvent, now: datetime) -> dict:
    """The pod that sends the event: one POST to the collector, from the service's namespace."""
    name = f"dora-{target.service}-{int(now.timestamp())}"[:63].rstrip("-")
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": target.namespace,
                     "labels": {"app.kubernetes.io/name": "goldenpath-dora", "app.kubernetes.io/managed-by": "goldenpath"}},
        "spec": {
            "restartPolicy": "Never", "automountServiceAccountToken": False, "activeDeadlineSeconds": 60,
            "securityContext": {"runAsNonRoot": True, "runAsUser": DORA_USER, "runAsGroup": DORA_USER,
                                "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{
                "name": "send", "image": CURL_IMAGE,
                "args": ["-sS", "--fail-with-body", "--max-time", "10", "-X", "POST", "-H", "Content-Type: application/json",
                         "--data-binary", json.dumps(otlp_payload(event, now), separators=(",", ":")), COLLECTOR_URL],
                "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}, "limits": {"cpu": "100m", "memory": "32Mi"}},
                "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                    "capabilities": {"drop": ["ALL"]}},
            }],
        },
    }


def _run(command: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, text=True, capture_output=True, check=False)


@dataclass(frozen=True)
class DeployOutcome:
    deployed: bool
    dora_sent: bool
    detail: str


def deploy(target: DeployTarget, image_tag: str, lead_time_seconds: float | None, now: datetime,
           run: Runner = _run) -> DeployOutcome:
    """kubeconfig, helm, then the DORA event (a failed deploy is recorded as a change failure)."""
    with tempfile.TemporaryDirectory(prefix="goldenpath-deploy-") as folder:
        kubeconfig = Path(folder) / "kubeconfig"
        connected = run(kubeconfig_command(target, kubeconfig))
        if connected.returncode != 0:
            return DeployOutcome(False, False, f"aws eks update-kubeconfig exited {connected.returncode}: "
                                               f"{(connected.stderr or '').strip()[-300:]}")
        helm = run(helm_command(target, image_tag, kubeconfig))
        failure = f"helm exited {helm.returncode}: {(helm.stderr or '').strip()[-300:]}" if helm.returncode else ""
        event = DeploymentEvent(target.service, target.team, target.environment, lead_time_seconds, failed=bool(failure))
        pod = dora_pod(target, event, now)
        manifest = Path(folder) / "dora-pod.json"
        manifest.write_text(json.dumps(pod))
        kubectl = ["kubectl", "--kubeconfig", str(kubeconfig), "--namespace", target.namespace]
        name = pod["metadata"]["name"]
        sent = run([*kubectl, "apply", "-f", str(manifest)]).returncode == 0 and run(
            [*kubectl, "wait", "--for=jsonpath={.status.phase}=Succeeded", f"pod/{name}", "--timeout=90s"]).returncode == 0
        run([*kubectl, "delete", "pod", name, "--ignore-not-found", "--wait=false"])
    detail = failure or f"deployed {target.service}:{image_tag} to {target.namespace} on {target.cluster}"
    return DeployOutcome(not failure, sent, detail)


def lead_time(first_commit_at: str, now: datetime) -> float | None:
    """Seconds from ``first_commit_at`` (ISO 8601, as GitHub's push event gives it) to ``now``; None when absent."""
    if not first_commit_at.strip():
        return None
    try:
        started = datetime.fromisoformat(first_commit_at.strip().replace("Z", "+00:00"))
    except ValueError:
        raise GoldenpathError(f"--first-commit-at: got {first_commit_at!r}, expected an ISO 8601 time such as "
                              "2026-12-04T10:00:00Z") from None
    return max(0.0, (now - started).total_seconds())
