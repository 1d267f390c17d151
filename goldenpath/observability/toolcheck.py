"""Run the real promtool and amtool on generated files; a missing tool is an error, never a skip."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from pathlib import Path

import yaml

from goldenpath.errors import GoldenpathError
from goldenpath.observability.alertmanager import routing_cases

INSTALL_HINT = "install the Debian packages prometheus (promtool) and prometheus-alertmanager (amtool)"


# The generated config reads webhook URLs from files (url_file: Alertmanager 0.26+; kube-prometheus-stack 81.6.9
# runs v0.31.1): an older amtool would reject what the cluster accepts.
AMTOOL_MIN = (0, 26)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise GoldenpathError(f"{name} not found on PATH; {INSTALL_HINT}")
    if name == "amtool":
        _check_amtool_version(path)
    return path


@functools.lru_cache(maxsize=None)  # once per binary, not before every amtool run
def _check_amtool_version(path: str) -> None:
    text = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
    words = (text.stdout + text.stderr).split()
    version = words[2] if len(words) > 2 else ""
    parts = re.match(r"(\d+)\.(\d+)", version)
    if not parts or (int(parts.group(1)), int(parts.group(2))) < AMTOOL_MIN:
        raise GoldenpathError(f"{path} is amtool {version or 'of unknown version'}, expected 0.26 or newer (webhook url_file); "
                              "`make tools` puts Debian trixie's amtool in .tools/bin (.ci/install-amtool)")


def run_tool(*command: str, cwd: Path, stdout_only: bool = False) -> str:
    result = subprocess.run([_tool(command[0]), *command[1:]], cwd=cwd, capture_output=True, text=True, check=False)
    output = (result.stdout + result.stderr).strip()
    if result.returncode != 0:
        raise GoldenpathError(f"`{' '.join(command)}` failed in {cwd}:\n{output}")
    return result.stdout.strip() if stdout_only else output


def _last_line(*command: str, cwd: Path, stdout_only: bool = False) -> str:
    return run_tool(*command, cwd=cwd, stdout_only=stdout_only).splitlines()[-1].strip()


def check_alerting_files(files: dict[str, Path], unit_tests: bool = True) -> list[str]:
    """promtool check rules and amtool check-config always; promtool test rules when ``unit_tests``."""
    rules, alertmanager = files["rules"], files["alertmanager"]
    lines = [f"promtool check rules {files[key].name}: {_last_line('promtool', 'check', 'rules', files[key].name, cwd=rules.parent)}"
             for key in ("rules", "service_rules", "series_rules") if key in files]
    if unit_tests:
        for key in ("tests", "dora_tests", "service_tests", "series_tests"):
            if key not in files:
                continue
            lines.append(f"promtool test rules {files[key].name}: "
                         f"{_last_line('promtool', 'test', 'rules', files[key].name, cwd=files[key].parent)}")
    lines.append(f"amtool check-config: {_last_line('amtool', 'check-config', alertmanager.name, cwd=alertmanager.parent)}")
    config = yaml.safe_load(alertmanager.read_text())
    for labels, receiver in routing_cases(config):
        reached = _last_line("amtool", "config", "routes", "test", f"--config.file={alertmanager.name}",
                             f"--verify.receivers={receiver}", *labels, cwd=alertmanager.parent, stdout_only=True)
        lines.append(f"amtool config routes test {' '.join(labels)}: {reached}")
    return lines
