"""Run the real terraform binary on synthesized stacks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TextIO

from goldenpath.deploy.progress import LOG_DIR, StackProgress, log_path, tail
from goldenpath.errors import GoldenpathError

MIRROR_ENV = "GOLDENPATH_TF_MIRROR"
_MIRROR_CANDIDATES = (
    "/opt/tf-plugins",
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
    "~/.terraform.d/plugins",
    "~/.local/share/terraform/plugins",
)


def find_terraform() -> str:
    path = shutil.which("terraform")
    if not path:
        raise GoldenpathError(
            "terraform not found on PATH; expected Terraform >= 1.10 (or set PATH to include it). "
            "`goldenpath doctor` lists what is missing."
        )
    return path


def terraform_version(binary: str) -> str | None:
    try:
        out = subprocess.run([binary, "version", "-json"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    import json

    try:
        return json.loads(out.stdout).get("terraform_version")
    except ValueError:
        return None


def find_aws_mirror() -> Path | None:
    """A filesystem mirror root holding registry.terraform.io/hashicorp/aws, if this machine has one."""
    candidates = [os.environ[MIRROR_ENV]] if os.environ.get(MIRROR_ENV) else []
    candidates += [str(Path(c).expanduser()) for c in _MIRROR_CANDIDATES]
    candidates += [str(p.parent) for p in sorted(Path("/").glob("*/*/registry.terraform.io"))]
    for candidate in candidates:
        root = Path(candidate)
        if (root / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
            return root
    return None


def mirror_cli_config(mirror: Path, directory: Path) -> Path:
    """Write a Terraform CLI config that installs hashicorp/aws from ``mirror`` (offline)."""
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "terraformrc"
    config.write_text(
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f'    path    = "{mirror}"\n'
        '    include = ["registry.terraform.io/hashicorp/aws"]\n'
        "  }\n"
        "  direct {\n"
        '    exclude = ["registry.terraform.io/hashicorp/aws"]\n'
        "  }\n"
        "}\n"
    )
    return config


@dataclass
class Terraform:
    """terraform in one stack's working directory, with a fixed environment.

    ``stream``: terraform's own output on the terminal (``--verbose``, and interactive applies that
    ask for confirmation). Otherwise the output goes to ``log_dir`` and, with ``progress``, one
    concise line per stack and action is printed (goldenpath.deploy.progress)."""

    binary: str
    env: dict[str, str]
    stream: bool = True
    reconfigure: bool = False
    """Re-initialise the backend without migrating state: only for throw-away (emulator) state."""
    log_dir: Path = LOG_DIR
    progress: TextIO | None = None
    """Where per-stack progress lines go (when not streaming). Default: nowhere."""
    prepare: Callable[[], None] | None = None
    """Run once before the first terraform command (writes what it needs, such as its CLI config), so that a
    command refused before any terraform run has written nothing. Default: nothing to prepare."""

    def ready(self) -> None:
        """Prepare now (before running terraform from several threads at once)."""
        if self.prepare is not None:
            self.prepare()
            self.prepare = None

    def run(self, stack_dir: Path, *args: str, ok_codes: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
        self.ready()
        command = [self.binary, *args]
        if self.stream:
            print(f"$ (cd {stack_dir} && terraform {' '.join(args)})", flush=True)
            result = subprocess.run(command, cwd=stack_dir, env=self.env, text=True, check=False)
            if result.returncode not in ok_codes:
                raise GoldenpathError(f"{stack_dir.name}: `terraform {' '.join(args)}` exited {result.returncode}")
            return result
        return self._run_logged(stack_dir, args, ok_codes)

    def _run_logged(self, stack_dir: Path, args: tuple[str, ...], ok_codes: tuple[int, ...]) -> subprocess.CompletedProcess:
        action = args[0]
        log = log_path(self.log_dir, stack_dir.name, action)
        tracker = StackProgress(stack_dir.name, action, self.progress) if self.progress else None
        output: list[str] = []
        with log.open("w") as sink, subprocess.Popen([self.binary, *args], cwd=stack_dir, env=self.env, text=True,
                                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as process:
            assert process.stdout is not None  # PIPE was asked for
            for line in process.stdout:
                sink.write(line)
                output.append(line)
                if tracker:
                    tracker.feed(line)
            returncode = process.wait()
        ok = returncode in ok_codes
        if tracker:
            tracker.finish(ok, log)
        if not ok:
            raise GoldenpathError(f"{stack_dir.name}: `terraform {' '.join(args)}` exited {returncode}; "
                                  f"last lines (full log: {log}):\n{tail(log)}")
        return subprocess.CompletedProcess([self.binary, *args], returncode, "".join(output), None)

    def capture(self, stack_dir: Path, *args: str, stdin: str | None = None) -> str:
        """terraform's stdout, never written to a log or the terminal (for `state pull`: state holds secrets)."""
        self.ready()
        result = subprocess.run([self.binary, *args], cwd=stack_dir, env=self.env, text=True, input=stdin,
                                capture_output=True, check=False)
        if result.returncode != 0:
            raise GoldenpathError(f"{stack_dir.name}: `terraform {' '.join(args)}` exited {result.returncode}: "
                                  f"{result.stderr.strip().splitlines()[-1] if result.stderr.strip() else 'no message'}")
        return result.stdout

    def init(self, stack_dir: Path) -> None:
        self.run(stack_dir, "init", "-input=false", "-no-color", *(["-reconfigure"] if self.reconfigure else []))

    def apply(self, stack_dir: Path, auto_approve: bool, targets: tuple[str, ...] = ()) -> None:
        """``targets``: apply only these resource addresses (and what they depend on). Default: everything."""
        self.run(stack_dir, "apply", "-input=false", "-no-color", *(["-auto-approve"] if auto_approve else []),
                 *(f"-target={address}" for address in targets))

    def destroy(self, stack_dir: Path, auto_approve: bool) -> None:
        self.run(stack_dir, "destroy", "-input=false", "-no-color", *(["-auto-approve"] if auto_approve else []))

    def plan_has_changes(self, stack_dir: Path) -> bool:
        result = self.run(stack_dir, "plan", "-input=false", "-no-color", "-detailed-exitcode", ok_codes=(0, 2))
        return result.returncode == 2


def base_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("CHECKPOINT_DISABLE", "1")  # no phone-home
    env["TF_IN_AUTOMATION"] = "1"
    env.update(extra or {})
    return env


def require_aws_credentials() -> str:
    """How credentials were found (a local lookup, no AWS call); a clear error when there are none,
    before terraform starts (otherwise it fails later on the EC2 metadata service)."""
    import boto3

    try:
        credentials = boto3.Session().get_credentials()
    except Exception as exc:  # noqa: BLE001 - a broken credentials file: say so in one line
        raise GoldenpathError(f"AWS credentials cannot be read: {exc}") from None
    if credentials is None:
        raise GoldenpathError(
            "no AWS credentials found; expected AWS_PROFILE (or a default profile), AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, SSO, or a web identity token (in CI: OIDC role assumption). "
            "`goldenpath doctor` shows what is missing; `deploy --emulator` needs none."
        )
    return str(credentials.method)

