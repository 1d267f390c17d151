"""Write the generated alerting files to disk, for promtool/amtool and for review."""

from __future__ import annotations

from pathlib import Path

import yaml

from goldenpath.config.model import Environment
from goldenpath.observability import dora
from goldenpath.observability.catalog import CAUSE_ALERTS, PLATFORM_SLOS
from goldenpath.observability.contract import alerting_config
from goldenpath.observability.rules import RULE_FILE, promtool_test_file
from goldenpath.observability.runbooks import DEFAULT_RUNBOOK_DIR

TEST_FILE = "goldenpath-rules.test.yaml"
DORA_RULE_FILE = "dora-rules.yaml"
DORA_TEST_FILE = "dora-rules.test.yaml"
ALERTMANAGER_FILE = "alertmanager.yaml"


def _dump(path: Path, document: dict) -> Path:
    path.write_text(yaml.safe_dump(document, sort_keys=False, width=1000))
    return path


def render_alerting(environment: Environment, directory: Path, slos=None, alerts=None,
                    runbook_dir: Path = DEFAULT_RUNBOOK_DIR) -> dict[str, Path]:
    """Rules, their promtool unit tests, and the Alertmanager config for one environment."""
    slos = list(PLATFORM_SLOS if slos is None else slos)
    alerts = list(CAUSE_ALERTS if alerts is None else alerts)
    _, rules, alertmanager = alerting_config(environment, slos, alerts, runbook_dir)
    obs = environment.observability
    directory.mkdir(parents=True, exist_ok=True)
    return {
        "rules": _dump(directory / RULE_FILE, rules),
        "tests": _dump(directory / TEST_FILE, promtool_test_file(slos, obs.runbook_base_url)),
        # DORA windows are 7 and 30 days: tested alone, evaluated hourly, so the test takes a second.
        "dora_rules": _dump(directory / DORA_RULE_FILE, {"groups": [dora.rule_group()]}),
        "dora_tests": _dump(directory / DORA_TEST_FILE, {"rule_files": [DORA_RULE_FILE], "evaluation_interval": "1h",
                                                         "tests": dora.promtool_tests()}),
        "alertmanager": _dump(directory / ALERTMANAGER_FILE, alertmanager),
    }
