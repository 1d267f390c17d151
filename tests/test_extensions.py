"""Extension points: a platform team's SLOs, alerts, suppressions, Helm values and checks reach
every environment through goldenpath's own checks; a broken extensions file is one clear error."""

from __future__ import annotations

import json
import shutil

import pytest

from goldenpath.errors import GoldenpathError
from goldenpath.extensions import Extensions, load_extensions
from goldenpath.observability import factcheck
from tests.conftest import REPO

EXAMPLE = REPO / "examples" / "platform-extensions"


@pytest.fixture(scope="module")
def example_synth(tmp_path_factory):
    """The example platform repository, its runbooks generated, synthesized once."""
    from goldenpath.config.loader import load_environments
    from goldenpath.observability.rules import all_alerts
    from goldenpath.observability.runbooks import write_runbooks
    from goldenpath.stacks.synth import synthesize

    root = tmp_path_factory.mktemp("example") / "platform"
    shutil.copytree(EXAMPLE, root)
    extensions = load_extensions(root)
    write_runbooks(all_alerts(list(extensions.all_slos()), list(extensions.all_alerts())), root / "docs" / "runbooks")
    result = synthesize(load_environments(root / "environments"), root / "cdktf.out", project_root=root)
    return root, extensions, json.loads((result.stacks["dev-platform"] / "cdk.tf.json").read_text())


def test_the_teams_slo_alert_and_helm_values_reach_the_platform_stack(example_synth):
    _, extensions, stack = example_synth
    releases = factcheck.helm_releases(stack)
    rules = releases["kube-prometheus-stack"].values["additionalPrometheusRulesMap"]["goldenpath"]
    alert_names = {r.get("alert") for g in rules["groups"] for r in g["rules"]}
    assert "PaymentQueueBacklog" in alert_names and any(n and n.startswith("CheckoutAvailability") for n in alert_names)
    assert releases["kube-prometheus-stack"].values["grafana"]["replicas"] == 2  # merged over goldenpath's values
    assert releases["kube-prometheus-stack"].values["grafana"]["grafana.ini"]["plugins"]["preinstall_disabled"] is True
    # the example routes alerts to its own bridge, declared in its environment file
    assert factcheck.check_platform_stack(stack, ["alert-bridge.observability.svc:9095"]) == []
    assert any("names Service alert-bridge.observability" in p for p in factcheck.check_platform_stack(stack))
    assert [s.check_id for s in extensions.suppressions] == ["PAY_AWS_001"]
    assert extensions.checks_dirs and extensions.checks_dirs[0].endswith("/policies")


def test_a_helm_override_that_breaks_a_fact_is_caught(example_synth):
    _, _, stack = example_synth
    releases = factcheck.helm_releases(stack)
    values = releases["otel-collector"].values
    values["config"]["exporters"]["prometheusremotewrite"] = {"endpoint": "http://x"}
    assert any("prometheusremotewrite" in p for p in factcheck.check_collector_components(releases))


def test_the_teams_alert_needs_its_runbook_like_goldenpaths(tmp_path):
    from goldenpath.config.loader import load_environments
    from goldenpath.stacks.synth import synthesize

    root = tmp_path / "platform"
    shutil.copytree(EXAMPLE, root)  # no `goldenpath runbooks` run: the runbooks are missing
    with pytest.raises(GoldenpathError, match=r"runbook"):
        synthesize(load_environments(root / "environments"), root / "cdktf.out", project_root=root)
    assert not (root / "cdktf.out").exists()


@pytest.mark.parametrize(("source", "message"), [
    ("raise RuntimeError('boom')", "failed to load: RuntimeError: boom"),
    ("EXTENSIONS = {}", "EXTENSIONS is dict, expected goldenpath.extensions.Extensions(...)"),
    ("from goldenpath.extensions import Extensions\nEXTENSIONS = Extensions(helm_values={'grafana': {}})",
     "Extensions.helm_values: got release(s) 'grafana', expected one of kube-prometheus-stack"),
    ("from goldenpath.extensions import Extensions\nEXTENSIONS = Extensions(checks_dirs=('nope',))", "checks_dirs names"),
])
def test_a_broken_extensions_file_is_one_clear_error(tmp_path, source, message):
    (tmp_path / "platform_extensions.py").write_text(source + "\n")
    with pytest.raises(GoldenpathError, match=r"platform_extensions.py: " + message.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace(".", r"\.")):
        load_extensions(tmp_path)


def test_no_extensions_file_means_nothing_added(tmp_path):
    assert load_extensions(tmp_path) == Extensions()
