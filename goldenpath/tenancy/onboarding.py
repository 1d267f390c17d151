"""`goldenpath team add` and `service add`: write catalog entries, keeping comments and order.

The new text is checked as a whole catalog (parse, then the cross-file rules against every
environment) before the file is written, atomically; a refused change writes nothing.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from goldenpath.config.loader import check_file_name, yaml_files
from goldenpath.config.model import Environment
from goldenpath.errors import ConfigError
from goldenpath.files import write_text_atomically
from goldenpath.tenancy.catalog import DEFAULT_TEAMS_DIR, Catalog, check_catalog, load_team, parse_team

SCHEMA_COMMENT = "# yaml-language-server: $schema=../docs/team.schema.json\n"


@dataclass(frozen=True)
class Onboarded:
    path: Path
    next_steps: list[str]


def _yaml() -> YAML:
    yaml = YAML()  # round-trip: comments, key order and quoting survive
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    return yaml


def _dump(document: CommentedMap) -> str:
    buffer = io.StringIO()
    _yaml().dump(document, buffer)
    return buffer.getvalue()


def _check_with(project_root: Path, environments: list[Environment], path: Path, text: str) -> None:
    """The catalog as it would be with ``text`` at ``path``: every rule, nothing written."""
    candidate = parse_team(text, str(path))
    check_file_name(candidate.name, path)
    others = [load_team(f) for f in yaml_files(project_root / DEFAULT_TEAMS_DIR) if f.resolve() != path.resolve()]
    check_catalog(Catalog((*others, candidate), tuple(environments)))


def add_team(project_root: Path, environments: list[Environment], name: str, owners: str) -> Onboarded:
    path = project_root / DEFAULT_TEAMS_DIR / f"{name}.yaml"
    if path.exists():
        raise ConfigError(str(path), [f"team {name!r} exists already; add services with `goldenpath service add {name} SERVICE --env ...`"])
    document = CommentedMap([("name", name), ("owners", owners), ("services", CommentedSeq())])
    text = SCHEMA_COMMENT + _dump(document)
    _check_with(project_root, environments, path, text)
    write_text_atomically(path, text)
    routed = [e.name for e in environments if name in e.observability.teams]
    unrouted = [e for e in environments if name not in e.observability.teams]
    steps = [f"goldenpath service add {name} SERVICE --env {environments[0].name if environments else 'ENV'}"]
    if unrouted:
        steps.append(f"before adding SLOs: route the team's alerts, observability.teams.{name} (page, ticket) in "
                     + ", ".join(e.source_file for e in unrouted))
    if routed:
        steps.append(f"alerts already route in {', '.join(routed)}")
    return Onboarded(path, steps)


def add_service(project_root: Path, environments: list[Environment], team: str, name: str,
                envs: list[str], tier: str | None = None, hosts: Sequence[tuple[str, str]] = ()) -> Onboarded:
    """Append service ``name`` to ``teams/<team>.yaml``; ``hosts`` are (environment, host) pairs for its ``hosts``."""
    path = project_root / DEFAULT_TEAMS_DIR / f"{team}.yaml"
    if not path.is_file():
        known = [p.stem for p in yaml_files(project_root / DEFAULT_TEAMS_DIR)]
        raise ConfigError(str(path), [f"team: got {team!r}, expected one of {', '.join(known) or 'none yet'} "
                                      f"(create it with `goldenpath team add {team} --owners GROUP`)"])
    original = path.read_text(encoding="utf-8")
    document = _yaml().load(original)
    services = document.get("services")
    if services is None:
        services = document["services"] = CommentedSeq()
    entry = CommentedMap([("name", name), ("environments", CommentedSeq(envs))])
    entry["environments"].fa.set_flow_style()
    if tier is not None:
        entry["tier"] = tier
    if hosts:
        entry["hosts"] = CommentedMap()
        for environment, host in hosts:
            entry["hosts"].setdefault(environment, CommentedSeq()).append(host)
        for listed in entry["hosts"].values():
            listed.fa.set_flow_style()
    services.append(entry)
    text = _dump(document)
    _check_with(project_root, environments, path, text)
    write_text_atomically(path, text)
    namespace = f"{team}-{name}"
    return Onboarded(path, [
        f"goldenpath synth: {', '.join(f'{e}-tenants-{team}' for e in envs)} gain namespace {namespace} (only those stacks change)",
        f"optional in {path}: tier, slos (availability, latency), previews (its chart), cloud (its own bucket), "
        "hosts (its Ingress host names per environment; without them its Ingresses are refused)",
        "goldenpath validate, then open a pull request",
    ])
