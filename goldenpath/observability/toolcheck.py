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


def _last_line(*command: str, cwd: Path) -> str:
    return run_tool(*command, cwd=cwd).splitlines()[-1].strip()


def check_alerting_files(files: dict[str, Path], unit_tests: bool = True) -> list[str]:
    """promtool check rules and amtool check-config always; promtool test rules when ``unit_tests``."""
    rules, alertmanager = files["rules"], files["alertmanager"]
    lines = [f"promtool check rules {files[key].name}: {_last_line('promtool', 'check', 'rules', files[key].name, cwd=rules.parent)}"
             for key in ("rules", "service_rules") if key in files]
    if unit_tests:
        for key in ("tests", "dora_tests", "service_tests"):
            if key not in files:
                continue
            lines.append(f"promtool test rules {files[key].name}: "
                         f"{_last_line('promtool', 'test', 'rules', files[key].name, cwd=files[key].parent)}")
    lines.append(f"amtool check-config: {_last_line('amtool', 'check-config', alertmanager.name, cwd=alertmanager.parent)}")
    return lines
