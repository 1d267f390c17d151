"""GitHub Actions workflows that drive previews, rendered from Jinja2 templates.

One concurrency group per pull request; cloud access by OIDC role assumption (no static
keys); no default token permissions (each job asks for what it uses); untrusted PR fields
reach shell only through environment variables; third-party actions pinned by commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from goldenpath._version import __version__
from goldenpath.errors import GoldenpathError
from goldenpath.templating import package_templates, write_rendered

PINNED_PACKAGE = f"goldenpath=={__version__}"
"""What generated workflows install: the version that rendered them, never whatever is newest."""

WORKFLOWS = ("preview-up", "preview-down", "preview-reap")
# Pinned by full commit SHA (tag in the comment); bump both together.
CHECKOUT = ("11bd71901bbe5b1630ceea73d27597364c9af683", "v4.2.2")
AWS_CREDENTIALS = ("e3dd6a429d7300a6a4c196c26e071d42e0343502", "v4.0.2")



def check_role_arn(role_arn: str, option: str = "--role-arn") -> None:
    """The role a generated workflow assumes through GitHub's OIDC provider must be an IAM role ARN."""
    if not role_arn.startswith("arn:aws") or ":role/" not in role_arn:
        raise GoldenpathError(f"{option}: got {role_arn!r}, expected an IAM role ARN for OIDC")


@dataclass(frozen=True)
class WorkflowSettings:
    environment: str
    service: str
    role_arn: str
    """IAM role the pull-request jobs (preview up and down) assume through GitHub's OIDC provider."""
    region: str
    package: str = PINNED_PACKAGE
    """What `pip install` installs, before any credentials are loaded. Default: this goldenpath's version, pinned."""
    reap_cron: str = "17 * * * *"
    """Default: hourly."""
    reap_role_arn: str | None = None
    """IAM role of the scheduled reap job (it destroys any expired preview, so it needs more than one pull
    request's job). Default: role_arn, one role for every job (a named opt-out the CLI prints)."""

    def check(self) -> None:
        check_role_arn(self.role_arn)
        if self.reap_role_arn is not None:
            check_role_arn(self.reap_role_arn, "--reap-role-arn")
        if len(self.reap_cron.split()) != 5:
            raise GoldenpathError(f"--reap-cron: got {self.reap_cron!r}, expected five cron fields")


def render_workflows(settings: WorkflowSettings) -> dict[str, str]:
    settings.check()
    context = {
        **settings.__dict__,
        "reap_role_arn": settings.reap_role_arn or settings.role_arn,
        "checkout_sha": CHECKOUT[0], "checkout_version": CHECKOUT[1],
        "aws_credentials_sha": AWS_CREDENTIALS[0], "aws_credentials_version": AWS_CREDENTIALS[1],
    }
    return {f"{name}.yml": package_templates("goldenpath.previews").get_template(f"{name}.yml.j2").render(**context) for name in WORKFLOWS}


def write_workflows(settings: WorkflowSettings, directory: Path) -> list[Path]:
    return write_rendered(render_workflows(settings), directory)  # checks the settings before anything is written
