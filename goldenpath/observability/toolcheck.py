"""Run the real promtool and amtool on generated files; a missing tool is an error, never a skip."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from goldenpath.errors import GoldenpathError

INSTALL_HINT = "install the Debian packages prometheus (promtool) and prometheus-alertmanager (amtool)"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise GoldenpathError(f"{name} not found on PATH; {INSTALL_HINT}")
    return path


def run_tool(*command: str, cwd: Path) -> str:
    result = subprocess.run([_tool(command[0]), *command[1:]], cwd=cwd, capture_output=True, text=True, check=False)
    output = (result.stdout + result.stderr).strip()
    if result.returncode != 0:
        raise GoldenpathError(f"`{' '.join(command)}` failed in {cwd}:\n{output}")
    return output


def check_alerting_files(files: dict[str, Path]) -> list[str]:
    rules, tests, alertmanager = files["rules"], files["tests"], files["alertmanager"]
    return [
        f"promtool check rules: {run_tool('promtool', 'check', 'rules', rules.name, cwd=rules.parent).splitlines()[-1].strip()}",
        f"promtool test rules: {run_tool('promtool', 'test', 'rules', tests.name, cwd=tests.parent).splitlines()[-1].strip()}",
        f"amtool check-config: {run_tool('amtool', 'check-config', alertmanager.name, cwd=alertmanager.parent).splitlines()[-1].strip()}",
    ]
