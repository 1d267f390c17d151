"""The cluster's default StorageClass: encrypted gp3 volumes through the EBS CSI driver.

Facts: the aws-ebs-csi-driver provisions as ``ebs.csi.aws.com`` and its ``encrypted`` parameter
defaults to "false" (kubernetes-sigs/aws-ebs-csi-driver docs/parameters.md and
examples/kubernetes/storageclass/manifests/storageclass.yaml @ v1.64.0); ``type`` defaults to gp3 and is
set anyway. Since Kubernetes 1.30 EKS no longer marks its ``gp2`` StorageClass as the default
(awsdocs/amazon-eks-user-guide latest/ug/versioning/kubernetes-versions-extended.adoc @ ae05865), so a
claim without a class would get no volume: this class is the one default, and it encrypts.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktn_provider_kubernetes.storage_class_v1 import StorageClassV1, StorageClassV1Metadata
from constructs import Construct

EBS_CSI_PROVISIONER = "ebs.csi.aws.com"
DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"


@dataclass(frozen=True)
class DefaultStorageClassProps:
    name: str = "gp3-encrypted"
    """Default: gp3-encrypted."""
    labels: dict[str, str] | None = None
    """Labels on the object. Default: none."""


class DefaultStorageClass(Construct):
    """One StorageClass, annotated as the cluster default: encrypted gp3, bound when a pod is scheduled
    (so the volume lands in the pod's zone), expandable, deleted with its claim."""

    def __init__(self, scope: Construct, id_: str, props: DefaultStorageClassProps = DefaultStorageClassProps()):
        super().__init__(scope, id_)
        self.storage_class = StorageClassV1(
            self, "class",
            metadata=StorageClassV1Metadata(name=props.name, labels=props.labels,
                                            annotations={DEFAULT_CLASS_ANNOTATION: "true"}),
            storage_provisioner=EBS_CSI_PROVISIONER,
            parameters={"type": "gp3", "encrypted": "true"},
            reclaim_policy="Delete", volume_binding_mode="WaitForFirstConsumer", allow_volume_expansion=True,
        )
