"""Grafana dashboards across one environment's stacks (the platform's and every team's tenants stack): each where
Grafana's dashboards sidecar looks, and none repeating another's file name, uid or title. The sidecar writes a data
key to a file of that name, so a repeated key replaces the other dashboard; a repeated uid or title makes Grafana's
provisioner stop writing the dashboards (``goldenpath.observability.facts.GRAFANA_DASHBOARD_SOURCES``). No stack sees
the others, so only this check can tell."""

from __future__ import annotations

import json

from goldenpath.observability.facts import GRAFANA_DASHBOARD_LABEL
from goldenpath.observability.values import NAMESPACE
from goldenpath.policies.kubernetes_objects import KubernetesObject


def _is_dashboard(obj: KubernetesObject) -> bool:
    label, value = GRAFANA_DASHBOARD_LABEL
    manifest = obj.manifest
    return manifest.get("kind") == "ConfigMap" and manifest["metadata"].get("labels", {}).get(label) == value


def dashboard_problems(objects_by_stack: dict[str, list[KubernetesObject]]) -> list[tuple[str, str]]:
    """(stack, problem) pairs, empty when every dashboard ConfigMap is in the searched namespace and its data keys,
    uids and titles are its own."""
    problems: list[tuple[str, str]] = []
    seen: dict[tuple[str, str], str] = {}  # (what, value) -> the first "<stack> <address>" that had it
    for stack, objects in sorted(objects_by_stack.items()):
        for obj in filter(_is_dashboard, objects):
            where = f"{stack} {obj.address}"
            namespace = obj.manifest["metadata"].get("namespace")
            if namespace != NAMESPACE:
                problems.append((stack, f"{obj.address}: a dashboard ConfigMap in namespace {namespace!r}, which Grafana's "
                                        f"dashboards sidecar does not search (only {NAMESPACE!r}): it would never load"))
            for key, text in sorted(obj.manifest.get("data", {}).items()):
                try:
                    dashboard = json.loads(text)
                except ValueError as error:
                    problems.append((stack, f"{obj.address}: dashboard {key} is not JSON ({error})"))
                    continue
                for what, value in (("file", key), ("uid", dashboard.get("uid")), ("title", dashboard.get("title"))):
                    if value is None:
                        continue
                    first = seen.setdefault((what, value), where)
                    if first != where:
                        problems.append((stack, f"{obj.address}: dashboard {what} {value!r} is also {first}'s: Grafana "
                                                "would keep one file or stop provisioning dashboards"))
    return problems
