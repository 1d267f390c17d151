"""GitHub Actions expressions (``${{ ... }}``), the part of the language the generated workflows use, evaluated as
GitHub documents them ("Evaluate expressions in workflows and actions"): literals, property dereference (``a.b``,
``a['b']``, the ``*`` object filter), ``!``, ``==``, ``!=``, ``&&``, ``||``, parentheses, and the functions
``contains``, ``startsWith``, ``fromJSON``, ``toJSON``, ``format`` and the status checks. Anything else is an
error: the harness never guesses.

Comparison is loose as GitHub's (strings compared case-insensitively); ``&&`` and ``||`` return an operand, not
a boolean; a missing property is null.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(r"""\s*(?:(?P<number>-?\d+(?:\.\d+)?)|(?P<string>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||[!().\[\],*])|(?P<name>[A-Za-z_][A-Za-z0-9_-]*))""")
STATUS_FUNCTIONS = ("always", "cancelled", "success", "failure")


class ExpressionError(Exception):
    pass


@dataclass
class Status:
    """The job's state for the status functions."""

    failed: bool = False
    cancelled: bool = False


def _tokens(text: str) -> list[tuple[str, str]]:
    found, position = [], 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise ExpressionError(f"cannot read {text[position:]!r} in {text!r}")
        kind = match.lastgroup or ""
        found.append((kind, match.group(kind)))
        position = match.end()
    return found


def _truthy(value: Any) -> bool:
    return value not in (None, False, 0, "", -0.0) and value == value  # NaN is falsy


def _coerce(value: Any) -> Any:
    if isinstance(value, str):
        return value.lower()
    return value


def _equal(left: Any, right: Any) -> bool:
    if type(left) is not type(right) and not (isinstance(left, (int, float)) and isinstance(right, (int, float))):
        def number(v: Any) -> float:
            if v is None:
                return 0.0
            if isinstance(v, bool):
                return float(v)
            if isinstance(v, (int, float)):
                return float(v)
            if isinstance(v, str):
                try:
                    return float(v) if v.strip() else 0.0
                except ValueError:
                    return float("nan")
            return float("nan")
        return number(left) == number(right)
    return _coerce(left) == _coerce(right)


def as_string(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Parser:
    def __init__(self, text: str, context: dict[str, Any], status: Status):
        self.tokens, self.index, self.context, self.status, self.text = _tokens(text), 0, context, status, text

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise ExpressionError(f"expected {value or 'more'} in {self.text!r}")
        self.index += 1
        return token

    def parse(self) -> Any:
        value = self.or_()
        if self.peek() is not None:
            raise ExpressionError(f"unexpected {self.peek()[1]!r} in {self.text!r}")  # type: ignore[index]
        return value

    def or_(self) -> Any:
        left = self.and_()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.and_()
            left = left if _truthy(left) else right
        return left

    def and_(self) -> Any:
        left = self.equality()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.equality()
            left = right if _truthy(left) else left
        return left

    def equality(self) -> Any:
        left = self.unary()
        while self.peek() in (("op", "=="), ("op", "!=")):
            op = self.take()[1]
            right = self.unary()
            left = _equal(left, right) if op == "==" else not _equal(left, right)
        return left

    def unary(self) -> Any:
        if self.peek() == ("op", "!"):
            self.take()
            return not _truthy(self.unary())
        return self.postfix(self.primary())

    def primary(self) -> Any:
        kind, value = self.take()
        if kind == "number":
            return float(value) if "." in value else int(value)
        if kind == "string":
            return value[1:-1].replace("''", "'")
        if value == "(":
            inner = self.or_()
            self.take(")")
            return inner
        if kind == "name":
            if value in ("true", "false"):
                return value == "true"
            if value == "null":
                return None
            if self.peek() == ("op", "("):
                return self.call(value)
            if value not in self.context:
                raise ExpressionError(f"unknown context {value!r} in {self.text!r}")
            return self.context[value]
        raise ExpressionError(f"unexpected {value!r} in {self.text!r}")

    def postfix(self, value: Any) -> Any:
        while self.peek() in (("op", "."), ("op", "[")):
            if self.take()[1] == ".":
                kind, name = self.take()
                if name == "*":
                    # an object's values, an array's items (GitHub: "Object filters")
                    value = list(value.values()) if isinstance(value, dict) else list(value) if isinstance(value, list) else []
                    value = _Filtered(value)
                    continue
                value = _member(value, name)
            else:
                key = self.or_()
                self.take("]")
                value = _member(value, key)
        return value.items if isinstance(value, _Filtered) else value

    def call(self, name: str) -> Any:
        self.take("(")
        args = []
        while self.peek() != ("op", ")"):
            args.append(self.or_())
            if self.peek() == ("op", ","):
                self.take()
        self.take(")")
        lowered = name.lower()
        if lowered == "always":
            return True
        if lowered == "cancelled":
            return self.status.cancelled
        if lowered == "success":
            return not self.status.failed and not self.status.cancelled
        if lowered == "failure":
            return self.status.failed
        if lowered == "contains":
            haystack, needle = args
            if isinstance(haystack, list):
                return any(_equal(item, needle) for item in haystack)
            return as_string(needle).lower() in as_string(haystack).lower()
        if lowered == "startswith":
            return as_string(args[0]).lower().startswith(as_string(args[1]).lower())
        if lowered == "fromjson":
            return json.loads(as_string(args[0]))
        if lowered == "tojson":
            return json.dumps(args[0], indent=2)
        if lowered == "format":
            text = as_string(args[0])
            for index, arg in enumerate(args[1:]):
                text = text.replace("{" + str(index) + "}", as_string(arg))
            return text
        raise ExpressionError(f"function {name}() is not supported by the harness (in {self.text!r})")


@dataclass
class _Filtered:
    items: list


def _member(value: Any, name: Any) -> Any:
    if isinstance(value, _Filtered):
        return _Filtered([_member(item, name) for item in value.items])
    if isinstance(value, dict):
        for key in value:  # property names are case-insensitive
            if isinstance(key, str) and isinstance(name, str) and key.lower() == name.lower():
                return value[key]
        return None
    if isinstance(value, list) and isinstance(name, (int, float)):
        index = int(name)
        return value[index] if 0 <= index < len(value) else None
    return None


def evaluate(expression: str, context: dict[str, Any], status: Status | None = None) -> Any:
    return _Parser(expression, context, status or Status()).parse()


_EMBEDDED = re.compile(r"\$\{\{((?:(?!\}\}).)*)\}\}", re.S)  # one expression: never across a "}}"


def interpolate(value: Any, context: dict[str, Any], status: Status | None = None) -> Any:
    """A workflow value with its ``${{ }}``: a string that is one expression gives the expression's value (a
    matrix from fromJSON stays a list); expressions inside a longer string are joined as strings."""
    if isinstance(value, dict):
        return {k: interpolate(v, context, status) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, context, status) for v in value]
    if not isinstance(value, str) or "${{" not in value:
        return value
    whole = _EMBEDDED.fullmatch(value.strip())
    if whole:
        return evaluate(whole.group(1), context, status)
    return _EMBEDDED.sub(lambda m: as_string(evaluate(m.group(1), context, status)), value)


def condition(text: Any, context: dict[str, Any], status: Status) -> bool:
    """A job's or step's ``if``: without a status function it means ``success() && (...)``."""
    if text is None:
        return not status.failed and not status.cancelled
    if isinstance(text, bool):
        return text and not status.failed
    expression = str(text).strip()
    whole = _EMBEDDED.fullmatch(expression)
    if whole:
        expression = whole.group(1)
    if not any(re.search(rf"\b{name}\s*\(", expression, re.I) for name in STATUS_FUNCTIONS):
        if status.failed or status.cancelled:
            return False
    return _truthy(evaluate(expression, context, status))
