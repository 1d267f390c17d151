"""L3 platform modules: the cluster, observability, preview environments, aws sandboxes.

``from goldenpath.modules import Cluster`` imports only that module's submodule, on first use.
The reference is docs/api.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "Cluster": "cluster", "ClusterProps": "cluster", "NodeGroupProps": "cluster",
    "ObservabilityStack": "observability", "ObservabilityStackProps": "observability",
    "PreviewEnvironment": "preview", "PreviewEnvironmentProps": "preview",
    "PreviewRequest": "preview_request",
    "AwsSandbox": "sandbox", "AwsSandboxProps": "sandbox",
    "SandboxBudget": "sandbox_budget", "SandboxBudgetProps": "sandbox_budget",
    "SandboxSpendStop": "sandbox_spend_stop", "SandboxSpendStopProps": "sandbox_spend_stop",
}
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from goldenpath.modules.cluster import Cluster, ClusterProps, NodeGroupProps
    from goldenpath.modules.observability import ObservabilityStack, ObservabilityStackProps
    from goldenpath.modules.preview import PreviewEnvironment, PreviewEnvironmentProps
    from goldenpath.modules.preview_request import PreviewRequest
    from goldenpath.modules.sandbox import AwsSandbox, AwsSandboxProps
    from goldenpath.modules.sandbox_budget import SandboxBudget, SandboxBudgetProps
    from goldenpath.modules.sandbox_spend_stop import SandboxSpendStop, SandboxSpendStopProps


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'goldenpath.modules' has no attribute {name!r}")
    return getattr(importlib.import_module(f"goldenpath.modules.{_EXPORTS[name]}"), name)


def __dir__() -> list[str]:
    return __all__
