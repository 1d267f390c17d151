"""docs/api.md, generated from the code: every exported construct and module with its props,
their types, defaults and docs. ``python -m goldenpath.reference > docs/api.md`` (``make api-docs``);
a test keeps the committed file current."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import sys
from typing import Any

PACKAGES = ("goldenpath.constructs", "goldenpath.modules")


def _field_docs(cls: type) -> dict[str, str]:
    """Attribute docstrings: the string literal right after a field in the class body."""
    try:
        tree = ast.parse(inspect.getsource(cls))
    except (OSError, TypeError):
        return {}
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    docs = {}
    for current, following in zip(body, body[1:]):
        if (isinstance(current, ast.AnnAssign) and isinstance(current.target, ast.Name)
                and isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)):
            docs[current.target.id] = " ".join(following.value.value.split())
    return docs


def _default(field: dataclasses.Field[Any]) -> str:
    if field.default is not dataclasses.MISSING:
        return f"`{field.default!r}`"
    if field.default_factory is not dataclasses.MISSING:
        return f"`{field.default_factory()!r}`"
    return "required"


def _summary(obj: object) -> str:
    doc = obj.__dict__.get("__doc__") if isinstance(obj, type) else inspect.getdoc(obj)  # own doc, not a base's
    doc = inspect.cleandoc(doc or "")
    return " ".join(doc.split("\n\n")[0].split())


def _section(name: str, cls: type) -> list[str]:
    lines = [f"### `{name}`", "", f"`{cls.__module__}`", ""]
    summary = _summary(cls)
    if summary and not (dataclasses.is_dataclass(cls) and summary.startswith(cls.__name__ + "(")):
        lines += [summary, ""]
    if dataclasses.is_dataclass(cls):
        docs = _field_docs(cls)
        lines += ["| prop | type | default | what |", "|---|---|---|---|"]
        for field in dataclasses.fields(cls):
            kind = str(field.type).replace("|", "\\|")
            lines.append(f"| `{field.name}` | `{kind}` | {_default(field)} | {docs.get(field.name, '').replace('|', '/')} |")
        lines.append("")
    elif "__init__" in cls.__dict__:
        signature = str(inspect.signature(cls.__dict__["__init__"])).replace("self, ", "")
        lines += [f"`{name}{signature}`", ""]
    own = [base for base in reversed(cls.__mro__) if base.__module__.startswith("goldenpath")]  # goldenpath's mixins too
    found = {n: m for base in own for n, m in base.__dict__.items() if inspect.isfunction(m) and not n.startswith("_")}
    methods = sorted(found.items(), key=lambda item: list(cls.__dict__).index(item[0]) if item[0] in cls.__dict__ else -1)
    for method_name, method in methods:
        signature = str(inspect.signature(method)).replace("self, ", "").replace("(self)", "()")
        lines.append(f"- `{method_name}{signature}`: {_summary(method)}")
    return lines + ([""] if methods else [])


def api_reference() -> str:
    import importlib

    lines = ["# API reference", "",
             "Generated from the code by `python -m goldenpath.reference` (`make api-docs`); do not edit.",
             "Props are frozen dataclasses; a prop is required only when no sensible default exists.",
             "Construct ids are API: renaming one replaces real resources (see CHANGELOG.md).", ""]
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        lines += [f"## `{package_name}`", "", _summary(package), ""]
        for name in package.__all__:
            lines += _section(name, getattr(package, name))
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    sys.stdout.write(api_reference())
