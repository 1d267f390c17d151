"""The service repository's workflows (`goldenpath service scaffold`) and the DORA event path."""

from __future__ import annotations

import json
import subprocess
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import yaml

from goldenpath.errors import GoldenpathError
from goldenpath.observability import dora
from goldenpath.observability.dora_events import DeploymentEvent, otlp_payload, send
from tests.conftest import ENVIRONMENTS
from tests.test_workflows import files, tool



@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory):
    from goldenpath.cli.main import main

    out = tmp_path_factory.mktemp("service-workflows")
    assert main(["--environments", str(ENVIRONMENTS), "service", "scaffold", "storefront", "web", "--out", str(out)]) == 0
    return out


def test_deploy_calls_the_platform_workflow_per_environment_in_order(scaffolded):
    deploy = yaml.safe_load((scaffolded / "deploy.yml").read_text())
    jobs = deploy["jobs"]
    assert list(jobs) == ["dev", "staging", "prod"] and deploy["permissions"] == {}
    assert jobs["staging"]["needs"] == ["dev"] and jobs["prod"]["needs"] == ["staging"]
    for env, job in jobs.items():
        # Only inputs: the role, the chart and the namespace come from the platform repository's default branch.
        assert job["uses"] == "acme/platform/.github/workflows/goldenpath-deploy.yml@main"
        assert set(job["with"]) == {"service", "environment", "image-tag", "first-commit-at"} and job["with"]["environment"] == env
        assert job["permissions"] == {"contents": "read", "id-token": "write"}
    assert {p.name for p in scaffolded.iterdir()} == {"deploy.yml", "preview.yml"}  # web previews on dev
    preview = yaml.safe_load((scaffolded / "preview.yml").read_text())
    assert preview[True]["pull_request"]["types"] == ["opened", "synchronize", "reopened", "closed"]
    assert preview["jobs"]["preview"]["uses"] == "acme/platform/.github/workflows/goldenpath-previews-dev.yml@main"


def test_it_prints_how_to_make_subjects_name_the_platform_workflow(tmp_path, capsys):
    from goldenpath.cli.main import main

    assert main(["--environments", str(ENVIRONMENTS), "service", "scaffold", "storefront", "web", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert ("gh api -X PUT repos/acme/storefront-web/actions/oidc/customization/sub --input - <<< "
            '\'{"use_default": false, "include_claim_keys": ["repo", "context", "job_workflow_ref"]}\'') in out


def test_zizmor_actionlint_and_schema_pass(scaffolded):
    for command in ([tool("zizmor"), "--offline", "--persona=auditor"], [tool("actionlint")],
                    [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows"]):
        result = subprocess.run([*command, *files(scaffolded)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("argv", "message"), [
    (["service", "scaffold", "storefront", "nope"], "service: got 'nope', expected one of web"),
    (["service", "scaffold", "payments", "checkout"], "names no chart"),
    (["service", "scaffold", "nobody", "web"], "team: got 'nobody'"),
])
def test_scaffold_refuses_bad_input_and_writes_nothing(tmp_path, capsys, argv, message):
    from goldenpath.cli.main import main

    assert main(["--environments", str(ENVIRONMENTS), *argv, "--out", str(tmp_path / "wf")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and not (tmp_path / "wf").exists()


# -- the DORA event ---------------------------------------------------------------------------------

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)


def _prometheus_name(metric: dict) -> str:
    """Prometheus' default OTLP name translation for a gauge (facts.PROMETHEUS_OTLP_NAMING): dots to underscores,
    unit s to a _seconds suffix, no _total (that is for monotonic sums only)."""
    assert "gauge" in metric, f"{metric['name']}: expected a gauge (one sample per event), got {sorted(metric)}"
    return metric["name"].replace(".", "_") + {"": "", "s": "_seconds"}[metric["unit"]]


def test_payload_names_translate_to_what_the_dora_rules_read():
    payload = otlp_payload(DeploymentEvent("web", "storefront", "prod", lead_time_seconds=5400, failed=True), NOW)
    metrics = {m["name"]: m for m in payload["resourceMetrics"][0]["scopeMetrics"][0]["metrics"]}
    names = {_prometheus_name(m) for m in metrics.values()}
    assert names == {dora.DEPLOYMENT, dora.CHANGE_FAILURE, dora.LEAD_TIME}
    rules = " ".join(expr for _, expr in dora.RECORDING_RULES)
    for name in names:
        assert f"{name}{{job!=\"\"}}[" in rules  # read over a window, sample by sample, by sender
    assert "increase(" not in rules and "rate(" not in rules  # no counter arithmetic on one sample per event
    points = {name: m["gauge"]["dataPoints"] for name, m in metrics.items()}
    assert points["goldenpath.dora.deployment"][0]["asInt"] == "1" and points["goldenpath.dora.change_failure"][0]["asInt"] == "1"
    assert points["goldenpath.dora.lead_time"][0]["asDouble"] == 5400.0
    stamp = int(NOW.timestamp()) * 1_000_000_000
    assert all(p[0]["timeUnixNano"] == str(stamp) for p in points.values())  # the event's own time
    labels = {a["key"]: a["value"]["stringValue"] for a in points["goldenpath.dora.lead_time"][0]["attributes"]}
    assert labels == {"service": "web", "team": "storefront", "environment": "prod"}


def test_a_successful_deploy_is_not_a_change_failure():
    payload = otlp_payload(DeploymentEvent("web", "storefront", "prod"), NOW)
    names = [m["name"] for m in payload["resourceMetrics"][0]["scopeMetrics"][0]["metrics"]]
    assert names == ["goldenpath.dora.deployment"]


def test_the_event_is_posted_to_the_otlp_http_path():
    received: list[tuple[str, dict]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, json.loads(body)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        payload = otlp_payload(DeploymentEvent("web", "storefront", "dev"), NOW)
        send(payload, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
    assert received == [("/v1/metrics", payload)]


def test_unreachable_collector_and_bad_input_are_clear_errors():
    with pytest.raises(GoldenpathError, match="cannot reach http://127.0.0.1:9/v1/metrics"):
        send({}, "http://127.0.0.1:9", timeout=2)
    with pytest.raises(GoldenpathError, match="expected an http\\(s\\) URL"):
        send({}, "file:///etc/passwd")
    with pytest.raises(GoldenpathError, match="--lead-time-seconds: got -1"):
        otlp_payload(DeploymentEvent("web", "storefront", "dev", lead_time_seconds=-1), NOW)
