"""No secret value in a Terraform state: a synthesized stack may route a secret only into write-only
arguments (``*_wo``, Terraform 1.11+), which Terraform never stores.

A secret is: the result of a ``random_password`` resource (the resource itself keeps it in the state, so
it is refused outright: use the ephemeral ``random_password``), and a variable that is sensitive, or named
``secret_*``, without ``ephemeral = true`` (a non-ephemeral variable's value is saved in the plan file).
"""

from __future__ import annotations

import re
from typing import Any, Iterator

RULE_ID = "GP_SECRETS_IN_STATE"
WRITE_ONLY_SUFFIXES = ("_wo",)
_VARIABLE = re.compile(r"\$\{var\.([A-Za-z0-9_-]+)")
# Generated secrets: a managed random_password's result, and any ephemeral value (Terraform itself refuses
# an ephemeral value outside write-only arguments; the check says so before a plan does).
GENERATED = (("${random_password.", "a random_password result"), ("${ephemeral.", "an ephemeral value"))


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(attribute path, string) for every string under ``value``, skipping write-only arguments."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, inner in value.items():
            if key == "//" or key.endswith(WRITE_ONLY_SUFFIXES):
                continue
            yield from _strings(inner, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _strings(inner, f"{path}[{index}]")


def secrets_in_state(document: dict) -> list[str]:
    """One sentence per place the stack would store a secret (empty when none)."""
    problems = [f"random_password.{name} keeps its result in the state; expected the ephemeral random_password "
                "routed into a write-only argument (*_wo)" for name in sorted(document.get("resource", {}).get("random_password", {}))]
    variables = document.get("variable", {})
    secret = {n for n, spec in variables.items() if spec.get("sensitive") or n.startswith("secret_")}
    problems += [f"variable {name} is secret but not ephemeral, so its value is saved in the plan; expected ephemeral = true"
                 for name in sorted(secret) if not variables[name].get("ephemeral")]
    for rtype, resources in sorted(document.get("resource", {}).items()):
        for name, body in sorted(resources.items()):
            for path, text in _strings(body, ""):
                used = [f"var.{v}" for v in sorted(set(_VARIABLE.findall(text)) & secret)]
                used += [what for marker, what in GENERATED if marker in text]
                if used:
                    what = ", ".join(used)
                    problems.append(f"{rtype}.{name}.{path} stores {what} in the state; expected it only in a "
                                    "write-only argument (*_wo)")
    return problems
