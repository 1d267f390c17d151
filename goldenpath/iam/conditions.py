"""IAM condition operators, as the IAM User Guide defines them (reference_policies_elements_condition_operators
and reference_policies_condition-single-vs-multi-valued-context-keys):

- a key that is absent from the request makes a positive operator false and a negated one (``...Not...``)
  true; ``...IfExists`` makes an absent key true; ``Null: "true"`` holds when the key is absent;
- ``ForAnyValue:`` holds when at least one of the request's values matches (false when absent);
  ``ForAllValues:`` when every one does (true when absent: the empty set);
- condition key names compare case-insensitively, values case-sensitively (except ``...IgnoreCase``);
- ``*`` and ``?`` are wildcards in ``StringLike`` and ``ArnLike``; ARNs compare component by component.

Operators this model does not know raise ``UnsupportedPolicy``: a decision is never guessed.
"""

from __future__ import annotations

import ipaddress
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Callable, Mapping

class UnsupportedPolicy(ValueError):
    """A policy uses an element or operator this model does not evaluate."""


@lru_cache(maxsize=4096)
def _glob(pattern: str, ignore_case: bool = False) -> re.Pattern[str]:
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def glob_match(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """IAM's wildcard match: ``*`` any run of characters, ``?`` any one character."""
    return _glob(pattern, ignore_case).fullmatch(value) is not None


def arn_match(pattern: str, arn: str) -> bool:
    """ArnLike: the six colon-separated parts matched one by one (the last may contain colons)."""
    if pattern == "*":
        return True
    wanted, given = pattern.split(":", 5), arn.split(":", 5)
    return len(wanted) == len(given) == 6 and all(glob_match(w, g) for w, g in zip(wanted, given))


def _number(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise UnsupportedPolicy(f"not a number: {value!r}") from None


def _bool(value: Any) -> str:
    return str(value).lower()


Comparator = Callable[[str, Any], bool]
"""(policy value, request value) -> bool."""

_POSITIVE: dict[str, Comparator] = {
    "StringEquals": lambda p, r: str(p) == str(r),
    "StringEqualsIgnoreCase": lambda p, r: str(p).lower() == str(r).lower(),
    "StringLike": lambda p, r: glob_match(str(p), str(r)),
    "ArnEquals": lambda p, r: str(p) == str(r),
    "ArnLike": lambda p, r: arn_match(str(p), str(r)),
    "NumericEquals": lambda p, r: _number(r) == _number(p),
    "NumericLessThan": lambda p, r: _number(r) < _number(p),
    "NumericLessThanEquals": lambda p, r: _number(r) <= _number(p),
    "NumericGreaterThan": lambda p, r: _number(r) > _number(p),
    "NumericGreaterThanEquals": lambda p, r: _number(r) >= _number(p),
    "Bool": lambda p, r: _bool(p) == _bool(r),
    "IpAddress": lambda p, r: ipaddress.ip_address(str(r)) in ipaddress.ip_network(str(p), strict=False),
}
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
    "NumericNotEquals": "NumericEquals",
    "NotIpAddress": "IpAddress",
}


def _listed(value: Any) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _lookup(context: Mapping[str, Any], key: str) -> Any:
    lowered = key.lower()
    for name, value in context.items():
        if name.lower() == lowered:
            return value
    return None


def _operator(name: str) -> tuple[str, str, bool]:
    """(set qualifier, base operator, if-exists) of an operator such as ``ForAnyValue:StringLikeIfExists``."""
    qualifier, _, base = name.rpartition(":")
    if qualifier not in ("", "ForAnyValue", "ForAllValues"):
        raise UnsupportedPolicy(f"condition operator {name}: unknown set qualifier {qualifier}")
    if_exists = base.endswith("IfExists") and base != "Null"
    return qualifier, base.removesuffix("IfExists") if if_exists else base, if_exists


def _single(base: str, expected: list, actual: Any) -> bool:
    """One request value against the policy's values (any of them), for a positive or negated operator."""
    if base in _POSITIVE:
        return any(_POSITIVE[base](p, actual) for p in expected)
    if base in _NEGATED:
        return not any(_POSITIVE[_NEGATED[base]](p, actual) for p in expected)
    raise UnsupportedPolicy(f"condition operator {base} is not modelled")


def operator_holds(name: str, key: str, expected: Any, context: Mapping[str, Any]) -> bool:
    """Whether one ``{operator: {key: expected}}`` entry holds for the request ``context``."""
    qualifier, base, if_exists = _operator(name)
    actual = _lookup(context, key)
    expected_values = _listed(expected)
    if base == "Null":
        return (actual is None) == (_bool(expected_values[0]) == "true")
    if actual is None:
        if qualifier == "ForAllValues" or if_exists:
            return True
        return base in _NEGATED and qualifier != "ForAnyValue"
    values = _listed(actual)
    if qualifier == "ForAnyValue":
        return any(_single(base, expected_values, v) for v in values)
    if qualifier == "ForAllValues":
        return all(_single(base, expected_values, v) for v in values)
    if len(values) != 1:
        raise UnsupportedPolicy(f"{name} on multivalued key {key}: use ForAnyValue or ForAllValues")
    return _single(base, expected_values, values[0])


def conditions_hold(conditions: Mapping[str, Mapping[str, Any]], context: Mapping[str, Any]) -> bool:
    """Every operator and every key of a Condition element holds (they are ANDed)."""
    return all(operator_holds(operator, key, expected, context)
               for operator, entries in conditions.items() for key, expected in entries.items())
