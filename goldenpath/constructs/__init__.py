"""L2 building blocks with secure defaults.

``from goldenpath.constructs import EncryptedBucket`` works and stays cheap: each name is
imported from its submodule on first use, so importing one construct does not load every
provider binding. The reference is docs/api.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "AwsTarget": "aws_context",
    "EncryptedBucket": "bucket", "EncryptedBucketProps": "bucket",
    "IrsaTrust": "iam", "PodIdentityTrust": "iam", "Statement": "iam", "WorkloadRole": "iam", "WorkloadRoleProps": "iam",
    "KeyAdministrators": "kms", "KmsKey": "kms", "KmsKeyLookup": "kms", "KmsKeyProps": "kms",
    "NameKind": "naming", "Naming": "naming",
    "Network": "network", "NetworkProps": "network",
    "MandatoryTags": "tagging",
}
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from goldenpath.constructs.aws_context import AwsTarget
    from goldenpath.constructs.bucket import EncryptedBucket, EncryptedBucketProps
    from goldenpath.constructs.iam import IrsaTrust, PodIdentityTrust, Statement, WorkloadRole, WorkloadRoleProps
    from goldenpath.constructs.kms import KeyAdministrators, KmsKey, KmsKeyLookup, KmsKeyProps
    from goldenpath.constructs.naming import NameKind, Naming
    from goldenpath.constructs.network import Network, NetworkProps
    from goldenpath.constructs.tagging import MandatoryTags


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'goldenpath.constructs' has no attribute {name!r}")
    return getattr(importlib.import_module(f"goldenpath.constructs.{_EXPORTS[name]}"), name)


def __dir__() -> list[str]:
    return __all__
