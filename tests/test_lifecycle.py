"""Kubernetes versions over time: support status in `validate` (a warning ahead of the end of standard support,
GP_EKS_001 with its monthly cost once past it, accepted only by a reasoned suppression), and the upgrade's next step."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from goldenpath.cli.main import main
from goldenpath.config.model import SUPPORTED_KUBERNETES_VERSIONS
from goldenpath.lifecycle.calendar import EKS_SUPPORT, support_on
from goldenpath.lifecycle.support import CHECK_ID, support_report
from goldenpath.lifecycle.upgrade import upgrade_plan
from goldenpath.observability.charts import CHARTS, ChartPin
from goldenpath.pins.table import VersionPins
from goldenpath.policies.suppressions import Suppression
from tests.conftest import ENVIRONMENTS

TODAY = date(2026, 12, 5)
SURCHARGE = Decimal("0.50")


def _surcharge(region: str) -> Decimal:
    return SURCHARGE


def with_cluster(environment, **changes):
    return environment.model_copy(update={"cluster": environment.cluster.model_copy(update=changes)})


@pytest.fixture(scope="module")
def dev(bundled_environments):
    return next(e for e in bundled_environments if e.name == "dev")


def test_every_version_goldenpath_accepts_is_in_the_calendar_and_the_bundled_ones_in_standard_support(bundled_environments):
    assert set(SUPPORTED_KUBERNETES_VERSIONS) <= set(EKS_SUPPORT)
    for environment in bundled_environments:
        assert support_on(environment.cluster.kubernetes_version, TODAY) == "standard", environment.name
    report = support_report(bundled_environments, TODAY, [], _surcharge)
    assert report.problems == []
    assert "kubernetes: dev (1.36, support_type EXTENDED): standard support until 2027-08-02 (240 days)" in report.lines


def test_validate_says_how_old_the_calendar_is_and_warns_once_eks_may_have_moved_on():
    from goldenpath.lifecycle.calendar import CALENDAR_READ
    from goldenpath.lifecycle.support import calendar_line

    read = date(2026, 12, 7)
    assert calendar_line(date(2027, 4, 6), read) == "kubernetes calendar: EKS versions up to 1.36, read 2026-12-07 (120 days ago)"
    stale = calendar_line(date(2027, 4, 7), read)
    assert stale.startswith("kubernetes calendar: EKS versions up to 1.36, read 2026-12-07 (121 days ago); WARNING older "
                            "than 120 days") and "docs/upgrading-charts.md" in stale
    assert "WARNING" not in calendar_line(CALENDAR_READ)  # the default: goldenpath's own calendar
    # validate prints it from the support report, for the same day as the report's lines.
    assert support_report([], date(2027, 4, 7), [], _surcharge).calendar == calendar_line(date(2027, 4, 7))


def test_a_cluster_in_extended_support_fails_with_its_monthly_cost(dev):
    older = with_cluster(dev, kubernetes_version="1.33")
    report = support_report([older], TODAY, [], _surcharge)
    (problem,) = report.problems
    assert problem.startswith(f"{CHECK_ID} dev-cluster: Kubernetes 1.33 is past EKS standard support since 2026-07-29 "
                              "(extended support until 2027-07-29): +$365.00 a month (0.50 USD per cluster-hour)")
    assert "`goldenpath upgrade --env dev` shows the next step" in problem
    assert "Suppression('GP_EKS_001', reason, owner, stack='dev-cluster')" in problem


def test_only_a_reasoned_suppression_for_that_cluster_accepts_it(dev):
    older = with_cluster(dev, kubernetes_version="1.33")
    elsewhere = Suppression(CHECK_ID, "prod waits for the payments freeze to end", "platform-team", stack="prod-cluster")
    assert support_report([older], TODAY, [elsewhere], _surcharge).problems  # another stack's acceptance does not count
    accepted = Suppression(CHECK_ID, "dev follows prod's upgrade in January", "platform-team", stack="dev-cluster")
    report = support_report([older], TODAY, [accepted], _surcharge)
    assert report.problems == []
    (line,) = report.lines
    assert "accepted by platform-team: dev follows prod's upgrade in January" in line and "+$365.00 a month" in line
    with pytest.raises(Exception, match="too short"):
        Suppression(CHECK_ID, "later", "platform-team", stack="dev-cluster")


def test_a_warning_comes_the_configured_number_of_days_ahead(dev):
    (line,) = support_report([dev], date(2027, 5, 23), [], _surcharge).lines
    assert "WARNING standard support ends 2027-08-02, in 71 days (warning from 90)" in line
    quiet = with_cluster(dev, support_warning_days=30)
    (line,) = support_report([quiet], date(2027, 5, 23), [], _surcharge).lines
    assert "WARNING" not in line and "71 days" in line


def test_standard_support_type_is_flagged_because_eks_upgrades_outside_the_procedure(dev):
    older = with_cluster(dev, kubernetes_version="1.33", support_type="STANDARD")
    (problem,) = support_report([older], TODAY, [], _surcharge).problems
    assert "EKS upgrades the control plane itself" in problem and "a month" not in problem


def test_a_version_past_extended_support_cannot_be_accepted(dev):
    oldest = with_cluster(dev, kubernetes_version="1.32")
    accepted = Suppression(CHECK_ID, "we really want to stay on 1.32", "platform-team", stack="dev-cluster")
    (problem,) = support_report([oldest], date(2027, 4, 1), [accepted], _surcharge).problems
    assert "Kubernetes 1.32 is ended in EKS's support calendar on 2027-04-01" in problem


def test_the_upgrade_goes_one_minor_version_at_a_time_and_names_the_next_step(dev):
    plan = upgrade_plan(with_cluster(dev, kubernetes_version="1.33"), TODAY, VersionPins())
    assert plan.target == "1.34" and plan.due
    assert [s.done for s in plan.steps] == [True, True, True, False, False]
    assert plan.next_step.title == "control plane to 1.34, then node groups and add-ons"
    assert 'set cluster.kubernetes_version: "1.34" in environments/dev.yaml' in plan.next_step.detail
    assert "aws_eks_cluster is updated first" in plan.next_step.detail


def test_a_135_cluster_has_every_step_to_136_ready_in_goldenpath(dev):
    plan = upgrade_plan(with_cluster(dev, kubernetes_version="1.35"), date(2027, 1, 15), VersionPins())
    assert plan.target == "1.36" and plan.due  # 71 days before 1.35 leaves standard support
    assert [s.done for s in plan.steps] == [True, True, True, False, False]
    assert plan.next_step.title == "control plane to 1.36, then node groups and add-ons"


def test_the_upgrade_waits_for_pins_and_charts_of_the_next_version(dev):
    older = with_cluster(dev, kubernetes_version="1.33")
    pins = VersionPins.model_validate({"kubernetes": {"1.33": {"read_at": "2026-11-30", "source": "test"}}})
    plan = upgrade_plan(older, TODAY, pins)
    assert plan.next_step.title == "add-on and node AMI pins for 1.34"
    assert "`goldenpath pins refresh --kubernetes-version 1.34`" in plan.next_step.detail
    stale = {**CHARTS, "tempo": ChartPin("tempo", "https://example", "1.0.0", "1.25", "1.33")}
    plan = upgrade_plan(older, TODAY, VersionPins(), charts=stale)
    assert plan.next_step.title == "every pinned chart admits 1.34" and "tempo 1.0.0 (up to 1.33)" in plan.next_step.detail


def test_the_newest_version_waits_for_goldenpath(dev):
    plan = upgrade_plan(dev, TODAY, VersionPins())
    assert plan.target == "1.37" and not plan.due
    assert plan.next_step.title == "goldenpath supports 1.37"
    assert "1.37 is not yet in goldenpath's versions (1.32, 1.33, 1.34, 1.35, 1.36)" in plan.next_step.detail


def test_upgrade_command(capsys):
    assert main(["--environments", str(ENVIRONMENTS), "upgrade", "--env", "prod", "--on", "2027-06-09"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("prod: Kubernetes 1.36, standard support until 2027-08-02 (54 days), support_type EXTENDED\n"
                          "upgrade to 1.37: due now\n")
    assert out.rstrip().endswith("next: goldenpath supports 1.37")
    with pytest.raises(SystemExit):
        main(["--environments", str(ENVIRONMENTS), "upgrade", "--env", "prod", "--on", "next week"])
    err = capsys.readouterr().err
    assert "argument --on: got 'next week', expected a date like 2027-01-31" in err and "Traceback" not in err


def test_validate_says_whether_a_disruption_budget_can_stop_node_updates(dev):
    from goldenpath.node_updates import node_update_line

    assert node_update_line(dev) == ("node updates: dev deletes the pods a drain leaves after EKS's 15 minutes: no "
                                     "PodDisruptionBudget can stop a node AMI or Kubernetes version update")
    reason = "quorum databases must never lose a member to an upgrade"
    waiting = with_cluster(dev, node_updates_wait_for_disruption_budgets_reason=reason)
    assert node_update_line(waiting) == (
        "node updates: dev lets PodDisruptionBudgets stop node updates: a budget that admits no eviction fails the "
        f"update after 15 minutes (cluster.node_updates_wait_for_disruption_budgets_reason: {reason})")
