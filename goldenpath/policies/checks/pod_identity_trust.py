"""GP_AWS_004: a role EKS Pod Identity may assume names the cluster (by ARN), namespace and service account
that may use it.

Without ``aws:RequestTag/kubernetes-namespace`` and ``aws:RequestTag/kubernetes-service-account``
conditions (session tags EKS Pod Identity adds to its AssumeRole request), anyone allowed to create
pod identity associations and pass the role can bind it to any service account in any cluster.
"""

from __future__ import annotations

from goldenpath.policies.checks._conf import TrustConditionCheck

REQUIRED_TAGS = ("aws:RequestTag/eks-cluster-arn", "aws:RequestTag/kubernetes-namespace", "aws:RequestTag/kubernetes-service-account")


class PodIdentityTrustConditioned(TrustConditionCheck):
    services = ("pods.eks.amazonaws.com",)

    def __init__(self) -> None:
        super().__init__("Ensure roles trusted by EKS Pod Identity are conditioned on cluster ARN, namespace and service account",
                         "GP_AWS_004")

    def conditioned(self, statement: dict) -> bool:
        equals = (statement.get("Condition") or {}).get("StringEquals", {})
        return all(equals.get(tag) for tag in REQUIRED_TAGS)


check = PodIdentityTrustConditioned()
