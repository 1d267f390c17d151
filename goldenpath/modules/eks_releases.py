"""What EKS chooses unless told: the managed add-ons goldenpath installs and where EKS publishes the
recommended node AMI release. Plain data (no jsii), shared by the cluster module and ``goldenpath.pins``."""

from __future__ import annotations

# Add-ons the nodes need to become Ready are created before the node groups; add-ons that
# run as pods (CoreDNS, EBS CSI) after them, so they do not sit degraded waiting for nodes.
ADDONS_BEFORE_NODES = ("vpc-cni", "kube-proxy", "eks-pod-identity-agent")
ADDONS_AFTER_NODES = ("coredns", "aws-ebs-csi-driver")
ADDON_NAMES = ADDONS_BEFORE_NODES + ADDONS_AFTER_NODES

# Where EKS publishes the recommended AL2023 node AMI release per Kubernetes version and architecture
# (terraform-aws-modules/terraform-aws-eks v21.19.0, modules/eks-managed-node-group/main.tf, AL2023_*_STANDARD).
AMI_RELEASE_PARAMETER = "/aws/service/eks/optimized-ami/{kubernetes}/amazon-linux-2023/{arch}/standard/recommended/release_version"
AMI_TYPES = {"x86_64": "AL2023_x86_64_STANDARD", "arm64": "AL2023_ARM_64_STANDARD"}


def ami_release_parameter(kubernetes_version: str, arch: str) -> str:
    return AMI_RELEASE_PARAMETER.format(kubernetes=kubernetes_version, arch=arch)
