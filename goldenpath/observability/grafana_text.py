"""Text that passes through Terraform and Grafana's provisioning unchanged.

Two layers rewrite a string on its way to Grafana: Terraform reads ``${...}`` and ``%{...}``
as templates (``$${`` and ``%%{`` escape them), and Grafana expands ``$VAR`` and ``${VAR}``
from its environment in provisioning files (``$$`` escapes a dollar; facts.
GRAFANA_ENV_EXPANSION_SOURCE). A derived-field URL such as ``${__value.raw}`` must survive
both, so it is escaped for each, innermost first.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Mapping

_GRAFANA_VARIABLE = re.compile(r"\$\$|\$\{([^}]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def map_strings(value: Any, transform: Callable[[str], str]) -> Any:
    """``value`` (nested lists and dicts) with ``transform`` applied to every string in it."""
    if isinstance(value, str):
        return transform(value)
    if isinstance(value, list):
        return [map_strings(item, transform) for item in value]
    if isinstance(value, dict):
        return {key: map_strings(item, transform) for key, item in value.items()}
    return value


def provisioning_literal(value: Any) -> Any:
    """``value`` with every ``$`` in its strings doubled, so Grafana's expansion gives it back."""
    return map_strings(value, lambda text: text.replace("$", "$$"))


def grafana_expand(text: str, environment: Mapping[str, str] | None = None) -> str:
    """What Grafana makes of ``text`` in a provisioning file: ``$$`` -> ``$``; ``$VAR`` and ``${VAR}``
    -> the variable's value (empty when unset, as in Grafana's container)."""
    env = environment or {}

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        return env.get(match.group(1) or match.group(2), "")

    return _GRAFANA_VARIABLE.sub(replace, text)


def terraform_literal(text: str) -> str:
    """Escape Terraform template sequences so the text reaches the provider verbatim."""
    return text.replace("${", "$${").replace("%{", "%%{")


def terraform_unescape(text: str) -> str:
    """What Terraform makes of a literal produced by :func:`terraform_literal`."""
    return text.replace("$${", "${").replace("%%{", "%{")
