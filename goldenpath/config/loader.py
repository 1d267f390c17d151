"""Load environment files into typed models, turning every failure into one clear ConfigError."""

from __future__ import annotations

import ipaddress
import json
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import ValidationError

from goldenpath.config.model import Environment, FieldProblem, SourcedDocument
from goldenpath.errors import ConfigError

DEFAULT_ENVIRONMENTS_DIR = Path("environments")
# Fields that moved elsewhere: the error says where (see docs/upgrading.md).
MOVED_FIELDS: dict[tuple[Any, ...], str] = {
    ("previews", "services"): "moved to the service catalog in 0.3: give the service a `previews:` block (its chart) "
    "in teams/<team>.yaml and remove this key; see docs/upgrading.md",
}
MOVED_TIER_ASSUME_FROM = ("removed in 0.7: a sandbox's role trusts its owner's IAM Identity Center sessions, listed once in "
                          "sandboxes.identity_roles; see docs/upgrading.md")
D = TypeVar("D", bound=SourcedDocument)


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys instead of silently keeping the last one."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (each key may appear once)", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _field_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "(top level)"


def _show(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(value)  # a YAML number read exactly: shown as written
    text = json.dumps(value, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _problem(error: dict[str, Any]) -> str:
    loc = tuple(part for part in error["loc"] if part not in ("function-after", "function-before"))
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, FieldProblem):
        extra = tuple(cause.field.split("."))
        # A field validator's location already ends with the field it names.
        field = _field_path(loc if loc[-1:] == extra[:1] else (*loc, *extra))
        return f"{field}: got {_show(cause.value)}, expected {cause.expected}"
    field = _field_path(loc)
    kind = error["type"]
    if kind == "extra_forbidden" and loc in MOVED_FIELDS:
        return f"{field}: {MOVED_FIELDS[loc]}"
    if kind == "extra_forbidden" and loc[:2] == ("sandboxes", "tiers") and loc[-1] == "assume_from":
        return f"{field}: {MOVED_TIER_ASSUME_FROM}"
    if kind == "extra_forbidden":
        return f"{field}: unknown key (value {_show(error['input'])}); remove it or check its spelling"
    if kind == "missing":
        return f"{field}: missing; this field is required"
    expected = error["msg"].removeprefix("Value error, ").removeprefix("Input should be ")
    return f"{field}: got {_show(error['input'])}, expected {expected[:1].lower()}{expected[1:]}"


def read_yaml_mapping(text: str, source: str, expected_keys: str) -> dict[str, Any]:
    """YAML text as a mapping (duplicate keys refused), or one ConfigError naming the line."""
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(source, [f"{where}malformed YAML: {problem}"]) from None
    if data is None:
        raise ConfigError(source, [f"the file is empty; expected a mapping with the keys {expected_keys}"])
    if not isinstance(data, dict):
        raise ConfigError(source, [f"(top level): got {_show(data)}, expected a mapping with the keys {expected_keys}"])
    return data


def validation_problems(exc: ValidationError) -> list[str]:
    """One line per pydantic error: field path, the value, what was expected."""
    return [_problem(dict(e)) for e in exc.errors()]


def parse_document(text: str, source: str, model: type[D]) -> D:
    """Parse YAML text into ``model`` (an environment, a team); ``source`` names the file in errors."""
    data = read_yaml_mapping(text, source, ", ".join(model.model_fields))
    try:
        document = model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(source, validation_problems(exc)) from None
    document._source = source
    return document


def check_file_name(name: str, path: Path) -> None:
    """A document's ``name`` is its file's name: ``environments/dev.yaml`` holds ``name: dev``."""
    if name != path.stem:
        raise ConfigError(str(path), [f"name: got {name!r}, expected {path.stem!r} (the file's name)"])


def yaml_files(directory: Path) -> list[Path]:
    """The ``*.yaml`` and ``*.yml`` files in ``directory``, sorted; none when it does not exist."""
    if not directory.is_dir():
        return []
    return sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])


def parse_environment(text: str, source: str) -> Environment:
    """Parse YAML text into an Environment; ``source`` names the file in errors."""
    return parse_document(text, source, Environment)


def read_text(path: Path, expected: str) -> str:
    """The file's text, or one ConfigError saying it is missing or unreadable."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), [f"file not found; expected {expected}"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), [f"cannot be read: {exc}"]) from None


def load_environment(path: Path | str) -> Environment:
    path = Path(path)
    environment = parse_environment(read_text(path, "an environment YAML file"), str(path))
    check_file_name(environment.name, path)
    return environment


def environment_files(directory: Path | str = DEFAULT_ENVIRONMENTS_DIR) -> list[Path]:
    directory = Path(directory)
    if not directory.is_dir():
        raise ConfigError(str(directory), ["directory not found; expected a folder of <name>.yaml environment files"])
    files = yaml_files(directory)
    if not files:
        raise ConfigError(str(directory), ["no environment files; expected at least one <name>.yaml"])
    return files


def load_environments(
    directory: Path | str = DEFAULT_ENVIRONMENTS_DIR, names: list[str] | None = None, option: str = "--env"
) -> list[Environment]:
    """Load every environment in ``directory`` (or only ``names``, given by ``option``), checking them against each other."""
    files = environment_files(directory)
    by_name = {f.stem: f for f in files}
    if names:
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise ConfigError(
                str(directory), [f"{option}: got {', '.join(map(repr, unknown))}, expected one of {', '.join(sorted(by_name))}"]
            )
    environments = [load_environment(f) for f in files]
    _check_address_plan(environments, by_name)
    _check_sandbox_accounts(environments, by_name)
    _check_ebs_default_keys(environments, by_name)
    wanted = set(names or by_name)
    return [e for e in environments if e.name in wanted]


def _check_address_plan(environments: list[Environment], files: dict[str, Path]) -> None:
    """VPCs in one account must not overlap: they could never be peered or routed together."""
    for index, first in enumerate(environments):
        for second in environments[index + 1 :]:
            if first.account_id != second.account_id:
                continue
            if ipaddress.IPv4Network(first.network.cidr).overlaps(ipaddress.IPv4Network(second.network.cidr)):
                raise ConfigError(
                    str(files[second.name]),
                    [
                        f"network.cidr: got {second.network.cidr!r}, expected a range that does not overlap "
                        f"{first.network.cidr} of environment {first.name!r} in the same account {first.account_id}"
                    ],
                )


def _check_ebs_default_keys(environments: list[Environment], files: dict[str, Path]) -> None:
    """An account and region has one default EBS key: two environments setting their own would undo each other
    on every apply."""
    owners: dict[tuple[str, str], str] = {}
    for environment in environments:
        if environment.network.ebs_default_key != "environment":
            continue
        place = (environment.account_id, environment.region)
        if place in owners:
            raise ConfigError(str(files[environment.name]), [
                f"network.ebs_default_key: got 'environment', expected 'aws-managed': environment {owners[place]!r} "
                f"already sets the default EBS key of account {place[0]} in {place[1]} (one key per account and "
                f"region; its volumes are encrypted all the same)"])
        owners[place] = environment.name


def _check_sandbox_accounts(environments: list[Environment], files: dict[str, Path]) -> None:
    """A sandbox account is nobody's environment account: a sandbox there could reach that environment."""
    accounts = {e.account_id: e.name for e in environments}
    for environment in environments:
        sandbox_account = environment.sandboxes.account_id if environment.sandboxes else None
        if sandbox_account in accounts:
            raise ConfigError(str(files[environment.name]), [
                f"sandboxes.account_id: got {sandbox_account!r}, expected an account of its own, not environment "
                f"{accounts[sandbox_account]!r}'s: a sandbox there could reach that environment's cluster, state and keys"])
