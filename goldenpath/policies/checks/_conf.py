"""Reading checkov's HCL-shaped resource configuration (every value wrapped in a list)."""

from __future__ import annotations

import json
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


def first(conf: dict[str, Any], key: str, default: Any = None) -> Any:
    """The value of ``key``, unwrapped from checkov's one-element list."""
    value = conf.get(key, default)
    if isinstance(value, list):
        return value[0] if value else default
    return value


def block(conf: dict[str, Any], key: str) -> dict[str, Any]:
    value = first(conf, key)
    return value if isinstance(value, dict) else {}


def plain(value: Any) -> Any:
    """checkov's configuration in the provider's own shape: one-item scalar lists unwrapped, checkov's
    ``__startline__``/``__endline__`` bookkeeping dropped (nested blocks stay lists of dicts)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, list):
        if len(value) == 1 and not isinstance(value[0], (dict, list)):
            return value[0]
        return [plain(v) for v in value]
    return value


def listed(value: Any) -> list:
    """IAM's "one or many": a value or a list of values, as a list."""
    return value if isinstance(value, list) else [value]


def json_object(conf: dict[str, Any], key: str) -> dict | None:
    """An attribute synthesized as a JSON string (a policy, add-on configuration values) as a dict, or None."""
    value = first(conf, key)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, dict) else None


class TrustConditionCheck(BaseResourceCheck):
    """An ``aws_iam_role`` check: every Allow statement of the trust policy that trusts one of ``services``
    must carry the conditions ``conditioned`` looks for."""

    services: tuple[str, ...] = ()

    def __init__(self, name: str, id: str) -> None:  # noqa: A002 - checkov's own keyword
        super().__init__(name=name, id=id, categories=[CheckCategories.IAM], supported_resources=["aws_iam_role"])

    def conditioned(self, statement: dict) -> bool:
        raise NotImplementedError

    def unconditioned(self, document: dict) -> list[dict]:
        return [s for s in listed(document.get("Statement", []))
                if s.get("Effect") == "Allow"
                and any(service in self.services for service in listed((s.get("Principal") or {}).get("Service", [])))
                and not self.conditioned(s)]

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        policy = json_object(conf, "assume_role_policy")
        if policy is None:
            return CheckResult.UNKNOWN
        return CheckResult.FAILED if self.unconditioned(policy) else CheckResult.PASSED

    def get_evaluated_keys(self) -> list[str]:
        return ["assume_role_policy"]
