"""GP_K8S_002: every StorageClass of the EBS CSI driver encrypts its volumes (``encrypted: "true"``).

The driver's ``encrypted`` parameter defaults to "false" (aws-ebs-csi-driver docs/parameters.md): a
class without it creates unencrypted persistent volumes.
"""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from goldenpath.policies.checks._conf import first

EBS_CSI_PROVISIONER = "ebs.csi.aws.com"


class EbsStorageClassEncrypts(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure StorageClasses of the EBS CSI driver encrypt their volumes",
            id="GP_K8S_002",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["kubernetes_storage_class_v1", "kubernetes_storage_class"],
        )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        if first(conf, "storage_provisioner") != EBS_CSI_PROVISIONER:
            return CheckResult.UNKNOWN
        parameters = first(conf, "parameters") or {}
        encrypted = parameters.get("encrypted") if isinstance(parameters, dict) else None
        if isinstance(encrypted, list):
            encrypted = encrypted[0] if encrypted else None
        return CheckResult.PASSED if str(encrypted).lower() == "true" else CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        return ["parameters/encrypted"]


check = EbsStorageClassEncrypts()
