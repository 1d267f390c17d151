"""`goldenpath init`: scaffold a platform repository that synthesizes and validates as written.

Files: ``environments/<name>.yaml`` (schema reference, commented defaults), its schema and the
team (catalog) schema,
generated runbooks, ``main.py`` and ``cdktf.json`` (so ``cdktn``/``cdktf`` work too),
``platform_extensions.py``, ``.gitignore`` and a pull-request workflow that runs ``goldenpath
validate`` and uploads the SARIF to code scanning. Existing files are never overwritten unless
``force``; running it twice changes nothing.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from goldenpath.templating import package_templates

from goldenpath._version import __version__
from goldenpath.config.model import PACKAGE_SPEC, Network
from goldenpath.errors import GoldenpathError
from goldenpath.delivery.workflows import ACTIONS

# Pinned by full commit SHA (tag in the comment): the same pins as the delivery workflows.
CHECKOUT = ACTIONS["checkout"][1:]
SETUP_PYTHON = ACTIONS["setup_python"][1:]
UPLOAD_SARIF = ACTIONS["upload_sarif"][1:]
WORKFLOW = Path(".github/workflows/goldenpath-validate.yml")

_NAME = re.compile(r"^[a-z]([a-z0-9-]{0,18}[a-z0-9])?$")
_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
_ACCOUNT = re.compile(r"^\d{12}$")
_TEAM = re.compile(r"^[a-z][a-z0-9-]{0,40}$")



@dataclass(frozen=True)
class InitSettings:
    directory: Path
    environment: str = "dev"
    """Name of the first environment. Default: dev."""
    region: str = "eu-west-1"
    account_id: str = "123456789012"
    """Default: a placeholder account: replace it before a real deploy."""
    owner: str = "platform-team"
    """Owning team: tagged on every resource and the first alert route. Default: platform-team."""
    cost_center: str = "cc-0000"
    runbook_base_url: str = "https://git.example.com/platform/blob/main/docs/runbooks"
    package: str = field(default=f"goldenpath=={__version__}")
    """What the validate workflow installs. Default: this goldenpath version."""
    production: bool = False
    """Writes ``production: true`` (no previews or sandboxes; stricter checks). Default: a non-production environment."""
    cidr: str | None = None
    """The VPC range. Default: the first of 10.10.0.0/16, 10.20.0.0/16, ... that overlaps no other environment of the
    same account in the repository's environments/ folder."""

    def check(self) -> None:
        for flag, value, pattern, expected in (
            ("--env", self.environment, _NAME, "a lowercase DNS label of at most 20 characters, e.g. dev"),
            ("--region", self.region, _REGION, "an AWS region, e.g. eu-west-1"),
            ("--account-id", self.account_id, _ACCOUNT, "a 12-digit AWS account id"),
            ("--owner", self.owner, _TEAM, "a team name: lowercase letters, digits, hyphens"),
        ):
            if not pattern.match(value):
                raise GoldenpathError(f"{flag}: got {value!r}, expected {expected}")
        if not re.match(PACKAGE_SPEC, self.package):
            raise GoldenpathError(f"--package: got {self.package!r}, expected a pinned goldenpath: goldenpath==X.Y.Z, an "
                                  "https URL of a goldenpath-X.Y.Z wheel, or git+https://...@TAG")
        if self.cidr is not None:
            try:
                network = ipaddress.IPv4Network(self.cidr)
            except ValueError:
                network = None
            if network is None or not network.is_private:  # prefix lengths: the environment file's own check
                raise GoldenpathError(f"--cidr: got {self.cidr!r}, expected a private IPv4 range without host bits, "
                                      "e.g. 10.30.0.0/16")


@dataclass
class InitResult:
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    overwritten: list[Path] = field(default_factory=list)


def planned_files(settings: InitSettings) -> dict[Path, str]:
    """Relative path -> content of every file ``init`` writes."""
    from goldenpath.config.loader import parse_environment
    from goldenpath.config.schema import environment_schema_json
    from goldenpath.extensions import NO_EXTENSIONS
    from goldenpath.tenancy.schema import team_schema_json
    from goldenpath.observability.rules import all_alerts
    from goldenpath.observability.runbooks import render_runbooks

    settings.check()
    cidr = settings.cidr or free_cidr(_taken_ranges(settings), settings.directory / "environments")
    context = {
        "name": settings.environment, "production": settings.production, "cidr": cidr, "region": settings.region, "account_id": settings.account_id,
        "owner": settings.owner, "cost_center": settings.cost_center, "runbook_base_url": settings.runbook_base_url,
        "project_id": f"{settings.owner}-platform", "package": settings.package,
        "ebs_key_owner": ebs_key_owner(settings),
        "checkout_sha": CHECKOUT[0], "checkout_version": CHECKOUT[1],
        "setup_python_sha": SETUP_PYTHON[0], "setup_python_version": SETUP_PYTHON[1],
        "upload_sarif_sha": UPLOAD_SARIF[0], "upload_sarif_version": UPLOAD_SARIF[1],
    }
    render = lambda template: package_templates("goldenpath.scaffold").get_template(template).render(**context)  # noqa: E731
    environment_file = Path("environments") / f"{settings.environment}.yaml"
    environment_text = render("environment.yaml.j2")
    parse_environment(environment_text, str(environment_file))  # the scaffold itself must be valid
    files = {
        environment_file: environment_text,
        Path("docs/environment.schema.json"): environment_schema_json(),
        # `goldenpath team add` writes teams/<team>.yaml pointing at this schema.
        Path("docs/team.schema.json"): team_schema_json(),
        Path("main.py"): render("main.py.j2"),
        Path("cdktf.json"): render("cdktf.json.j2"),
        Path("platform_extensions.py"): render("platform_extensions.py.j2"),
        Path(".gitignore"): render("gitignore.j2"),
        WORKFLOW: render("goldenpath-validate.yml.j2"),
    }
    alerts = all_alerts(list(NO_EXTENSIONS.all_slos()), list(NO_EXTENSIONS.all_alerts()))
    for runbook in render_runbooks(alerts):
        files[Path("docs/runbooks") / f"{runbook.slug}.md"] = runbook.text
    return files


CANDIDATE_RANGES = tuple(ipaddress.IPv4Network(f"10.{second}.0.0/16") for second in range(10, 256, 10))


def _other_environments(settings: InitSettings) -> list[Path]:
    return [p for p in sorted((settings.directory / "environments").glob("*.yaml")) if p.stem != settings.environment]


def _same_account(settings: InitSettings) -> list[tuple[str, dict]]:
    """(name, document) of the repository's other environments in the same account. Read leniently: a file that
    does not parse is skipped here (``validate`` names its problem); init only needs what is there."""
    found = []
    for path in _other_environments(settings):
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            if str(document.get("account_id")) == settings.account_id:
                found.append((path.stem, document))
        except (OSError, yaml.YAMLError, AttributeError):
            continue
    return found


def _taken_ranges(settings: InitSettings) -> list[ipaddress.IPv4Network]:
    """VPC ranges of the repository's other environments in the same account."""
    taken = []
    for _, document in _same_account(settings):
        try:
            taken.append(ipaddress.IPv4Network(document["network"]["cidr"]))
        except (KeyError, TypeError, ValueError):
            continue
    return taken


# What an environment file that does not name network.ebs_default_key gets: the model's own default.
EBS_KEY_DEFAULT = Network.model_fields["ebs_default_key"].default


def ebs_key_owner(settings: InitSettings) -> str | None:
    """The other environment that sets the default EBS key of this account and region, if any (one may)."""
    for name, document in _same_account(settings):
        network = document.get("network")
        key = network.get("ebs_default_key", EBS_KEY_DEFAULT) if isinstance(network, dict) else EBS_KEY_DEFAULT
        if document.get("region") == settings.region and key == "environment":
            return name
    return None


def free_cidr(taken: list[ipaddress.IPv4Network], folder: Path) -> str:
    for candidate in CANDIDATE_RANGES:
        if not any(candidate.overlaps(other) for other in taken):
            return str(candidate)
    raise GoldenpathError(f"{folder}: every range goldenpath init picks from (10.10.0.0/16 to 10.250.0.0/16) overlaps an "
                          "environment of this account; expected a free one: pass --cidr")


def init_project(settings: InitSettings, force: bool = False) -> InitResult:
    """Write the scaffold into ``settings.directory``. A file that exists with other content is a
    conflict: nothing is written unless ``force``."""
    files = planned_files(settings)
    root = settings.directory
    if _other_environments(settings):
        # Adding an environment to a repository: its file only. The shared files (main.py, the workflow,
        # platform_extensions.py, ...) are the repository's own by now, edited or from an older goldenpath.
        environment_file = Path("environments") / f"{settings.environment}.yaml"
        files = {environment_file: files[environment_file]}
    if root.exists() and not root.is_dir():
        raise GoldenpathError(f"{root}: exists and is not a directory; expected a folder for the platform repository")
    conflicts = sorted(str(p) for p, text in files.items() if (root / p).exists() and (root / p).read_text() != text)
    if conflicts and not force:
        raise GoldenpathError(f"{root}: {len(conflicts)} file(s) exist with other content: {', '.join(conflicts)}; "
                              "expected new files only (edit them, or rerun with --force to overwrite)")
    result = InitResult()
    for relative, text in sorted(files.items()):
        path = root / relative
        if path.exists() and path.read_text() == text:
            result.unchanged.append(relative)
            continue
        (result.overwritten if path.exists() else result.written).append(relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return result
