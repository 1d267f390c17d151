"""A Kubernetes NetworkPolicy manifest (the API's own shape, as a dict) rendered as the provider's typed
``kubernetes_network_policy_v1``. Tenants, previews and the observability namespace describe their policies
as plain manifests (testable without jsii) and render them through here."""

from __future__ import annotations

from typing import Any, Callable

from cdktn_provider_kubernetes.network_policy_v1 import (
    NetworkPolicyV1,
    NetworkPolicyV1Spec,
    NetworkPolicyV1SpecEgress,
    NetworkPolicyV1SpecEgressPorts,
    NetworkPolicyV1SpecEgressTo,
    NetworkPolicyV1SpecEgressToIpBlock,
    NetworkPolicyV1SpecEgressToNamespaceSelector,
    NetworkPolicyV1SpecEgressToPodSelector,
    NetworkPolicyV1SpecIngress,
    NetworkPolicyV1SpecIngressFrom,
    NetworkPolicyV1SpecIngressFromIpBlock,
    NetworkPolicyV1SpecIngressFromNamespaceSelector,
    NetworkPolicyV1SpecIngressFromPodSelector,
    NetworkPolicyV1SpecIngressPorts,
    NetworkPolicyV1SpecPodSelector,
    NetworkPolicyV1SpecPodSelectorMatchExpressions,
)
from constructs import Construct


def _selector(cls: Callable[..., Any], block: dict) -> Any:
    return cls(match_labels=dict(block["matchLabels"])) if block.get("matchLabels") else cls()


def _peer(peer: dict, classes: tuple[Any, ...]) -> Any:
    peer_cls, namespace_cls, pod_cls, ip_cls = classes
    args: dict[str, Any] = {}
    if "namespaceSelector" in peer:
        args["namespace_selector"] = _selector(namespace_cls, peer["namespaceSelector"])
    if "podSelector" in peer:
        args["pod_selector"] = _selector(pod_cls, peer["podSelector"])
    if "ipBlock" in peer:
        args["ip_block"] = ip_cls(cidr=peer["ipBlock"]["cidr"], except_=list(peer["ipBlock"]["except"]) if peer["ipBlock"].get("except") else None)
    return peer_cls(**args)


_FROM = (NetworkPolicyV1SpecIngressFrom, NetworkPolicyV1SpecIngressFromNamespaceSelector,
         NetworkPolicyV1SpecIngressFromPodSelector, NetworkPolicyV1SpecIngressFromIpBlock)
_TO = (NetworkPolicyV1SpecEgressTo, NetworkPolicyV1SpecEgressToNamespaceSelector,
       NetworkPolicyV1SpecEgressToPodSelector, NetworkPolicyV1SpecEgressToIpBlock)


def _ports(cls: Callable[..., Any], rule: dict) -> list | None:
    return [cls(port=str(p["port"]), protocol=p["protocol"]) for p in rule.get("ports", [])] or None


def _rules(rules: list[dict], peers_key: str, rule_cls: Callable[..., Any], classes: tuple[Any, ...], ports_cls: Callable[..., Any],
           peers_arg: str) -> list:
    # A rule without peers and ports ({}) allows everything in its direction: kept as an empty block.
    return [rule_cls(**{peers_arg: [_peer(p, classes) for p in rule[peers_key]] if rule.get(peers_key) else None,
                        "ports": _ports(ports_cls, rule)})
            for rule in rules]


def _pod_selector(block: dict) -> NetworkPolicyV1SpecPodSelector:
    """The pods the policy selects: by labels and, for the policy itself only, by expressions."""
    expressions = [NetworkPolicyV1SpecPodSelectorMatchExpressions(key=e["key"], operator=e["operator"],
                                                                  values=list(e.get("values") or []) or None)
                   for e in block.get("matchExpressions", [])]
    return NetworkPolicyV1SpecPodSelector(match_labels=dict(block["matchLabels"]) if block.get("matchLabels") else None,
                                          match_expressions=expressions or None)


def policy_spec(spec: dict) -> NetworkPolicyV1Spec:
    """``spec`` of a NetworkPolicy manifest as the provider's typed spec."""
    ingress = _rules(spec.get("ingress", []), "from", NetworkPolicyV1SpecIngress, _FROM, NetworkPolicyV1SpecIngressPorts, "from_")
    egress = _rules(spec.get("egress", []), "to", NetworkPolicyV1SpecEgress, _TO, NetworkPolicyV1SpecEgressPorts, "to")
    return NetworkPolicyV1Spec(pod_selector=_pod_selector(spec.get("podSelector", {})),
                               policy_types=spec["policyTypes"], ingress=ingress or None, egress=egress or None)


def network_policy(scope: Construct, id_: str, manifest: dict, depends_on: list | None = None) -> NetworkPolicyV1:
    """Render one NetworkPolicy manifest (``metadata`` with name, namespace, labels; ``spec``)."""
    return NetworkPolicyV1(scope, id_, metadata=manifest["metadata"], spec=policy_spec(manifest["spec"]), depends_on=depends_on)
