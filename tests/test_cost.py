"""Cost estimates: golden cases computed by hand, metamorphic rules, budgets, formats and bad input.

Figures by hand use the bundled eu-west-1 snapshot: NAT gateway $0.048/h and $0.048/GB, public IPv4
$0.005/h, t3.large $0.0912/h, EKS $0.10/h (+$0.50/h extended support), CloudWatch Logs $0.57/GB
ingested and $0.03/GB-month stored (at 0.15 of the size), KMS $1 a key-month (x3 once rotated twice)
and $0.000003 a request; 730 hours a month, 730/24 days.
"""

from __future__ import annotations

import copy
import json
import shutil
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from goldenpath.config.model import UsageProfile
from goldenpath.cost.budget import budget_lines, check_budgets
from goldenpath.lifecycle.calendar import support_on
from goldenpath.cost.environments import CostReport, EnvironmentEstimate, pricing_context
from goldenpath.cost.estimate import PricingContext, StackEstimate, estimate_stack
from goldenpath.cost.prices import Price, PriceSnapshot, bundled_snapshot
from goldenpath.cost.render import as_json, as_markdown, as_table
from tests.conftest import REPO, copy_environments, stack_json

TODAY = date(2026, 11, 29)
SNAPSHOT = bundled_snapshot("eu-west-1")
SPOT_T3_LARGE_MONTH = Decimal("0.0912") * Decimal("0.5") * 730  # 33.288


def ctx(snapshot: PriceSnapshot | None = None, usage: UsageProfile | None = None, **kw) -> PricingContext:
    assert SNAPSHOT is not None
    return PricingContext(snapshot or SNAPSHOT, usage or UsageProfile(), kw.pop("today", TODAY), kw.pop("capacity", None))


def without_prices(*keys: str) -> PriceSnapshot:
    """The bundled snapshot less ``keys`` (a region or a refresh that lacks them)."""
    assert SNAPSHOT is not None
    return PriceSnapshot(SNAPSHOT.region, SNAPSHOT.snapshot_date, {k: p for k, p in SNAPSHOT.prices.items() if k not in keys})


def with_prices(extra: dict[str, str]) -> PriceSnapshot:
    """The bundled snapshot plus test-only prices (labelled as such)."""
    assert SNAPSHOT is not None
    prices = dict(SNAPSHOT.prices)
    prices.update({key: Price(key, Decimal(usd), "Hrs", {"source": "test"}) for key, usd in extra.items()})
    return PriceSnapshot(SNAPSHOT.region, SNAPSHOT.snapshot_date, prices)


@pytest.fixture(scope="module")
def documents(bundled_synth):
    return {name: stack_json(bundled_synth, name) for name in bundled_synth.stacks}


@pytest.fixture(scope="module")
def dev(bundled_environments):
    return next(e for e in bundled_environments if e.name == "dev")


def test_every_bundled_price_names_its_origin():
    assert SNAPSHOT is not None and SNAPSHOT.snapshot_date == "2026-12-04"
    for price in SNAPSHOT.prices.values():
        origin = price.origin
        assert origin.get("source") and origin.get("read") and origin.get("service_code"), price.key
        assert origin.get("usage_type"), price.key
        assert price.usd > 0


def test_nat_gateway_and_its_public_ipv4_by_hand(documents):
    estimate = estimate_stack("dev-network", documents["dev-network"], ctx())
    by_component = {i.component: i for i in estimate.items}
    assert by_component["gateway hours"].expected == Decimal("35.040")  # 730 h x $0.048
    assert by_component["public IPv4"].expected == Decimal("3.650")  # 730 h x $0.005: never free
    assert by_component["data processed"].expected == Decimal("4.800")  # 100 GB x $0.048
    assert by_component["data processed"].kind == "usage" and by_component["gateway hours"].kind == "fixed"
    # + flow-log group: 730/24 GB ingested x $0.57 + 30 days x 1 GB x 0.15 stored x $0.03; + its rotated key $3 and
    # 10,000 requests $0.03; + the default EBS key, rotated: $3 and $0.03 of requests
    assert estimate.total("expected") == Decimal("67.02")
    assert estimate.total("expected", ("fixed",)) == Decimal("44.69")


def test_missing_prices_are_named_never_zero(documents):
    assert estimate_stack("dev-observability", documents["dev-observability"], ctx()).not_priced == []
    estimate = estimate_stack("dev-observability", documents["dev-observability"],
                              ctx(without_prices("s3:standard-gb-month", "kms:key-month")))
    assert any("aws_s3_bucket.observability_logs-bucket" in n and "s3:standard-gb-month" in n for n in estimate.not_priced)
    assert any(n.startswith("aws_kms_key.") and "kms:key-month" in n for n in estimate.not_priced)
    unknown = {"resource": {"aws_sagemaker_domain": {"d": {}}}}
    assert estimate_stack("x", unknown, ctx()).not_priced == ["aws_sagemaker_domain.d: no pricing rule for aws_sagemaker_domain"]
    interface = {"resource": {"aws_vpc_endpoint": {"e": {"vpc_endpoint_type": "Interface"}}}}
    assert estimate_stack("x", interface, ctx()).not_priced == [
        "aws_vpc_endpoint.e: an interface endpoint is billed per AZ, and subnet_ids is None, not a list of subnets"]


def test_extended_support_is_billed_from_the_calendar(documents):
    assert support_on("1.33", TODAY) == "extended" and support_on("1.34", TODAY) == "standard"
    assert support_on("1.34", date(2026, 12, 3)) == "extended" and support_on("1.31", TODAY) == "ended"
    bundled = estimate_stack("dev-cluster", documents["dev-cluster"], ctx())  # 1.35: standard support until 2027-03-27
    assert "extended support" not in {i.component for i in bundled.items}
    older = copy.deepcopy(documents["dev-cluster"])
    (cluster,) = older["resource"]["aws_eks_cluster"].values()
    cluster["version"] = "1.33"
    estimate = estimate_stack("dev-cluster", older, ctx())
    components = {i.component: i.expected for i in estimate.items}
    assert components["control plane"] == Decimal("73.000") and components["extended support"] == Decimal("365.000")
    standard = estimate_stack("dev-cluster", older, ctx(today=date(2026, 7, 1)))
    assert "extended support" not in {i.component for i in standard.items}
    ended = estimate_stack("dev-cluster", older, ctx(today=date(2027, 8, 1)))
    assert any("Kubernetes 1.33 is ended" in n for n in ended.not_priced)


def _cluster(documents, **changes) -> dict:
    document = copy.deepcopy(documents["dev-cluster"])
    (group,) = document["resource"]["aws_eks_node_group"].values()
    group.update(changes.pop("group", {}))
    group["scaling_config"].update(changes)
    return document


def _instances(document: dict, snapshot: PriceSnapshot | None = None):
    estimate = estimate_stack("dev-cluster", document, ctx(snapshot))
    (item,) = [i for i in estimate.items if i.component == "instances"]
    return item, [n for n in estimate.not_priced if n.startswith("aws_eks_node_group.")]


def test_node_group_low_expected_high_from_min_desired_max_and_spot_from_capacity_type(documents):
    document = _cluster(documents)
    (group,) = document["resource"]["aws_eks_node_group"].values()
    assert group["capacity_type"] == "SPOT" and "launch_template" in group  # a launch template does not hide SPOT
    item, not_priced = _instances(document)
    # low: 1 x the cheaper t3a.large ($0.0816); expected: 2 x the first type; high: 4 x the dearer t3.large
    assert not_priced == [] and (item.low, item.expected, item.high) == (
        Decimal("0.0816") * Decimal("0.5") * 730, 2 * SPOT_T3_LARGE_MONTH, 4 * SPOT_T3_LARGE_MONTH)
    # a type without a price is named, and low/high say they use the priced types only
    item, not_priced = _instances(document, without_prices("ec2:on-demand:t3a.large"))
    assert not_priced == ["aws_eks_node_group.cluster_nodes-general_59F17FD5: no price for ec2:on-demand:t3a.large "
                          "(low and high use the priced types only)"]
    assert item.low == SPOT_T3_LARGE_MONTH


def test_desired_plus_one_adds_exactly_one_instance_month(documents):
    before, _ = _instances(_cluster(documents))
    after, _ = _instances(_cluster(documents, desired_size=3))
    assert after.expected - before.expected == SPOT_T3_LARGE_MONTH
    assert (after.low, after.high) == (before.low, before.high)


def test_spot_below_on_demand(documents):
    spot, _ = _instances(_cluster(documents))
    on_demand, _ = _instances(_cluster(documents, group={"capacity_type": "ON_DEMAND"}))
    assert spot.expected < on_demand.expected == 2 * Decimal("0.0912") * 730


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from([1, 3, 5, 7, 14, 30, 60, 90, 365, 731, 3653]), min_size=2, max_size=5, unique=True))
def test_longer_log_retention_never_lowers_the_estimate(retentions):
    group = {"retention_in_days": 0}
    document = {"resource": {"aws_cloudwatch_log_group": {"g": group}}}
    totals = []
    for days in sorted(retentions):
        group["retention_in_days"] = days
        totals.append(estimate_stack("s", document, ctx()).total("expected"))
    assert totals == sorted(totals)


def test_log_group_by_hand_and_kept_forever_is_a_stated_year():
    document = {"resource": {"aws_cloudwatch_log_group": {"g": {"retention_in_days": 30}}}}
    items = {i.component: i for i in estimate_stack("s", document, ctx()).items}
    # 1 GB/day x 730/24 days x $0.57; 30 days kept x 0.15 compressed x $0.03
    assert items["log ingestion"].expected == Decimal("17.3375") and items["log storage"].expected == Decimal("0.135")
    forever = estimate_stack("s", {"resource": {"aws_cloudwatch_log_group": {"g": {}}}}, ctx()).items
    assert forever[1].expected == Decimal("1.6425") and "kept 365 days" in forever[1].detail


def test_usage_profile_changes_only_usage_lines(documents):
    base = estimate_stack("dev-network", documents["dev-network"], ctx())
    heavy = estimate_stack("dev-network", documents["dev-network"], ctx(usage=UsageProfile(nat_gb_per_month=Decimal(1000))))
    assert heavy.total("expected", ("fixed",)) == base.total("expected", ("fixed",))
    assert heavy.total("expected") - base.total("expected") == Decimal("43.20")  # 900 GB x $0.048


def test_quota_share_is_shown_but_never_added(documents, dev):
    shares = {}
    for team in ("payments", "storefront"):
        estimate = estimate_stack(f"dev-tenants-{team}", documents[f"dev-tenants-{team}"], pricing_context(dev, TODAY))
        shares |= {i.address.split(".")[1].split("_quota")[0]: i.expected for i in estimate.items if i.kind == "share"}
        # shares are shown, never added (the nodes pay): the total is the stack's own resources (payments' bucket)
        assert estimate.total("expected") == sum((i.expected for i in estimate.items if i.kind != "share"), Decimal(0)).quantize(
            Decimal("0.01"))
    # storefront-web (medium: 2 CPU / 4Gi) reserves one whole t3.large (2 vCPU, 8 GiB) at the SPOT rate
    assert shares == {"payments-checkout": SPOT_T3_LARGE_MONTH / 2, "storefront-web": SPOT_T3_LARGE_MONTH}


def test_nat_none_removes_the_nat_lines(tmp_path, bundled_environments):
    from goldenpath.stacks.synth import synthesize

    dev = next(e for e in bundled_environments if e.name == "dev")
    without = dev.model_copy(update={"network": dev.network.model_copy(update={"nat": "none"})})
    result = synthesize([without], tmp_path / "out", project_root=REPO)
    estimate = estimate_stack("dev-network", stack_json(result, "dev-network"), ctx())
    assert {i.component for i in estimate.items} == {"log ingestion", "log storage", "key", "requests"}


def _report(dev, stacks: list[StackEstimate], budget: str | None, accept: tuple[tuple[str, str], ...] = ()) -> CostReport:
    from goldenpath.config.model import AcceptedUnpriced, Budget

    accepted = [AcceptedUnpriced(stack=stack, resource=resource, reason="a GPU pool priced by hand in the budget")
                for stack, resource in accept]
    environment = dev.model_copy(update={"budget": Budget(monthly_usd=Decimal(budget), accept_unpriced=accepted)
                                         if budget else None})
    return CostReport([EnvironmentEstimate(environment, pricing_context(environment, TODAY), stacks)], TODAY)


def test_budget_fails_naming_the_top_cost_lines(documents, dev):
    stacks = [estimate_stack(n, documents[n], pricing_context(dev, TODAY)) for n in ("dev-network", "dev-cluster")]
    (check,) = check_budgets(_report(dev, stacks, "200"))
    assert check.over and check.expected == Decimal("253.53")
    lines, over = budget_lines(_report(dev, stacks, "200"))
    assert over and "OVER budget" in lines[0] and "environments/dev.yaml: budget.monthly_usd" in lines[0]
    assert "aws_eks_cluster.cluster_A4C38409 control plane $73.00" in lines[0]
    lines, over = budget_lines(_report(dev, stacks, "800"))
    assert not over and "within budget" in lines[0] and "not priced" not in lines[0]
    lines, over = budget_lines(_report(dev, stacks, None))
    assert not over and "no budget set" in lines[0]
    # dev's preview quota (2 CPU / 4Gi) reserves a whole SPOT t3.large: within the $60 cap
    assert lines[1].startswith("cost: ") and "previews.max_monthly_usd (each preview's quota share): expected $33.29" in lines[1]
    assert lines[1].endswith("cap $60.00: within cap")


def test_a_budget_on_an_incomplete_estimate_fails_unless_each_gap_is_accepted_by_name(documents, dev):
    context = pricing_context(dev, TODAY)
    context = PricingContext(without_prices("ec2:on-demand:t3a.large"), context.usage, TODAY, context.capacity)
    stacks = [estimate_stack(n, documents[n], context) for n in ("dev-network", "dev-cluster")]
    group = "aws_eks_node_group.cluster_nodes-general_59F17FD5"
    lines, failed = budget_lines(_report(dev, stacks, "800"))  # well within budget, but a lower bound: fails
    assert failed == [f"{dev.source_file}: budget.monthly_usd"]
    assert "expected at least $" in lines[0]
    assert ("INCOMPLETE, 1 line(s) not priced (no price for ec2:on-demand:t3a.large (low and high use the priced types only) "
            f"(1): dev-cluster {group}): refresh prices") in lines[0]  # grouped by the missing price
    assert "accept each under budget.accept_unpriced with a reason" in lines[0]
    lines, failed = budget_lines(_report(dev, stacks, "800", accept=(("dev-cluster", group),)))
    assert not failed and "within budget" in lines[0]
    assert f"not priced, accepted: dev-cluster {group} (accepted: a GPU pool priced by hand in the budget)" in lines[0]
    # an acceptance that matches nothing is shown so it gets removed, and accepts nothing else
    lines, failed = budget_lines(_report(dev, stacks, "800", accept=(("dev-cluster", "aws_eks_node_group.gone"),)))
    assert failed and "accept_unpriced entries matching no line (remove them): dev-cluster aws_eks_node_group.gone" in lines[0]


def test_a_preview_cap_below_the_preview_quota_fails_validate(dev):
    previews = dev.previews.model_copy(update={"max_monthly_usd": Decimal("20")})
    environment = dev.model_copy(update={"previews": previews, "budget": None})
    report = CostReport([EnvironmentEstimate(environment, pricing_context(environment, TODAY), [])], TODAY)
    lines, over = budget_lines(report)
    assert over and "expected $33.29/month, cap $20.00: OVER cap; top cost lines: previews.limits capacity share $33.29 " \
                    "(requests 2 CPU / 4Gi = 1.00 of a t3.large node)" in lines[1]


def test_a_region_without_prices_estimates_every_line_as_not_priced_grouped_and_never_fails_without_a_budget(documents, dev):
    virginia = dev.model_copy(update={"region": "us-east-1", "budget": None, "previews": None})
    context = pricing_context(virginia, TODAY)  # no bundled snapshot: never a usage error
    assert context.snapshot.empty and context.snapshot.region == "us-east-1"
    stacks = [estimate_stack(n, documents[n], context) for n in ("dev-network", "dev-cluster")]
    report = CostReport([EnvironmentEstimate(virginia, context, stacks)], TODAY)
    assert report.total("expected") == 0 and len(report.not_priced) >= 6
    hint = "no price snapshot for us-east-1 (`goldenpath cost refresh --region us-east-1` writes one)"
    lines, failed = budget_lines(report)
    assert failed == [] and lines == [
        f"cost: dev: expected at least $0.00/month; no budget set (budget.monthly_usd); {len(report.not_priced)} line(s) "
        f"not priced (`goldenpath cost` lists them): {hint} ({len(report.not_priced)})"]
    table = as_table(report)
    assert "= total" in table and f"at least: {len(report.not_priced)} line(s) not priced" in table
    # one line per missing price, naming every resource that lacks it
    (group,) = [line for line in table.splitlines() if line.startswith("  no price snapshot")]
    assert group.startswith(f"  {hint} ({len(report.not_priced)}): dev-network aws_")
    assert "**at least $0.00**" in as_markdown(report)
    # with a budget, the same gaps fail the gate and name the budget that cannot be checked
    _, failed = budget_lines(CostReport([EnvironmentEstimate(virginia.model_copy(update={"budget": dev.budget}), context, stacks)], TODAY))
    assert failed == [f"{dev.source_file}: budget.monthly_usd"]


def test_an_unpriced_preview_cap_is_unknown_and_fails_never_dollar_zero(dev):
    from goldenpath.cost.budget import preview_cap_check

    context = pricing_context(dev, TODAY)
    unpriced = PricingContext(without_prices("ec2:on-demand:t3.large"), context.usage, TODAY, None)
    check = preview_cap_check(EnvironmentEstimate(dev, unpriced, []))
    assert check is not None and check.failed and check.incomplete
    assert "expected unknown/month, cap $60.00: INCOMPLETE" in check.message() and "$0.00" not in check.message()


def test_formats_agree(documents, dev):
    names = ("dev-network", "dev-cluster", "dev-tenants", "dev-tenants-payments")
    stacks = [estimate_stack(n, documents[n], pricing_context(dev, TODAY)) for n in names]
    report = _report(dev, stacks, "800")
    document = json.loads(as_json(report))
    assert [s["name"] for s in document["stacks"]] == list(names)
    assert document["total"] == {"low": "199.20", "expected": "257.69", "high": "347.66"}
    assert Decimal(document["total"]["expected"]) == sum(Decimal(s["monthly_usd"]["expected"]) for s in document["stacks"])
    network = document["stacks"][0]
    assert (network["fixed_usd"], network["usage_usd"]) == ("44.69", "22.33")
    assert document["environments"][0]["budget_usd"] == "800.00"
    assert "NAT 100 GB/month" in document["environments"][0]["assumptions"]
    table = as_table(report)
    assert "fixed $44.69, usage $22.33" in table and report.not_priced == [] and "not priced" not in table
    assert "| dev-cluster | $154.38 | $32.13 | $134.02 | $186.51 | $276.48 |" in as_markdown(report)


def test_cost_command_prices_the_bundled_environment_and_fails_on_an_unaccepted_gap(tmp_path, capsys):
    from goldenpath.cli.main import main

    argv = ["--environments", str(REPO / "environments"), "cost", "--env", "dev", "--outdir", str(tmp_path / "out"), "--format", "json"]
    assert main(argv) == 0
    document = json.loads(capsys.readouterr().out)
    assert [s["name"] for s in document["stacks"]] == ["dev-ci", "dev-network", "dev-cluster", "dev-observability", "dev-platform",
                                                      "dev-tenants", "dev-tenants-payments", "dev-tenants-storefront"]
    assert document["not_priced"] == [] and all(set(s["monthly_usd"]) == {"low", "expected", "high"} for s in document["stacks"])
    # an instance type goldenpath has no price for: named, exit 1, until accepted by name with a reason
    environments = copy_environments(tmp_path)
    shutil.copytree(REPO / "docs" / "runbooks", tmp_path / "docs" / "runbooks")  # synth checks the alerts' runbooks
    path = environments / "dev.yaml"
    path.write_text(path.read_text().replace("instance_types: [t3.large, t3a.large]", "instance_types: [t3.large, c7i.large]"))
    argv = ["--environments", str(environments), "cost", "--env", "dev", "--outdir", str(tmp_path / "out2")]
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert "no price for ec2:on-demand:c7i.large" in captured.out and "Traceback" not in captured.err
    assert "1 line(s) not priced (listed above; 0 accepted by budget.accept_unpriced)" in captured.err
    assert main([*argv, "--allow-unpriced"]) == 0
    capsys.readouterr()
    path.write_text(path.read_text().replace("budget:\n  monthly_usd: 800\n", "budget:\n  monthly_usd: 800\n  accept_unpriced:\n"
        "    - {stack: dev-cluster, resource: aws_eks_node_group.cluster_nodes-general_59F17FD5, reason: c7i is a fallback type}\n"))
    assert main(argv) == 0


@pytest.mark.parametrize("yaml_change, message", [
    ("budget:\n  monthly_usd: -5\n", "budget.monthly_usd: got -5, expected greater than 0"),
    ("budget:\n  monthly_usd: lots\n", "budget.monthly_usd: got 'lots'"),
    ("usage:\n  spot_discount: 1.5\n", "usage.spot_discount: got 1.5, expected less than 1"),
    ("usage:\n  nat_gb: 5\n", "usage.nat_gb"),
])
def test_bad_cost_settings_get_one_clear_error(tmp_path, capsys, yaml_change, message):
    from goldenpath.cli.main import main

    environments = copy_environments(tmp_path)
    path = environments / "dev.yaml"
    text = path.read_text()
    text = text.replace("budget:\n  monthly_usd: 800\n", "")
    path.write_text(text + yaml_change)
    assert main(["--environments", str(environments), "cost", "--env", "dev", "--outdir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and message in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()  # nothing half-written


def test_buckets_from_telemetry_volumes_and_their_expiry(documents, dev):
    context = pricing_context(dev, TODAY)  # S3 Standard $0.023 a GB-month
    items = {i.address.split(".")[1].split("-bucket")[0].removeprefix("observability_"): i for i in
             estimate_stack("dev-observability", documents["dev-observability"], context).items if i.component == "storage"}
    # traces: 2000 spans/s x 86,400 s x 0.5 KB = 86.4 GB/day, expired after 3 days (traces_days 2 + 1)
    assert items["traces"].expected == Decimal("86.4") * 3 * Decimal("0.023")
    assert "86.40 GB/day (usage profile) kept 3 days" in items["traces"].detail
    # logs: 5 GB/day (usage profile) expired after 8 days
    assert items["logs"].expected == Decimal(5) * 8 * Decimal("0.023")
    (service,) = estimate_stack("dev-tenants-payments", documents["dev-tenants-payments"], context).items[:1]
    assert service.component == "storage" and service.expected == Decimal(10) * Decimal("0.023")


def test_tail_sampling_shrinks_the_traces_bucket(dev):
    from goldenpath.cost.environments import telemetry_gb_per_day

    sampled = dev.model_copy(update={"observability": dev.observability.model_copy(update={
        "collector": dev.observability.collector.model_copy(update={"tail_sampling": True, "sampling_percentage": 10})})})
    key = "/observability/traces-bucket/bucket"
    assert telemetry_gb_per_day(sampled)[key] * 10 == telemetry_gb_per_day(dev)[key] == Decimal("86.4")


def test_the_volumes_the_charts_claim_are_priced_per_replica(documents):
    """Each chart's volume claims x its replicas at the default StorageClass's gp3 price; prod's collector and sampler
    queues follow queue_volume_gib."""
    import copy

    gp3 = SNAPSHOT.prices["ebs:gp3-gb-month"].usd
    estimate = estimate_stack("prod-platform", documents["prod-platform"], ctx())
    gib = {(i.address.split(".")[1], i.component): i.expected / gp3 for i in estimate.items if i.component.endswith(" volumes")}
    assert sorted(gib.values()) == [2, 10, 10, 50, 128, 128]
    assert {component: value for (_, component), value in gib.items() if component != "queue volumes"} == {
        "prometheus volumes": 50, "alertmanager volumes": 2, "loki volumes": 10, "tempo volumes": 10}
    queues = [i for i in estimate.items if i.component == "queue volumes"]
    assert len(queues) == 2 and all(i.detail == "2 x 64 GiB gp3 (the default StorageClass)" for i in queues)
    assert not estimate.not_priced
    # a size that is not a quantity is named, never priced as nothing; a switched-off claim costs nothing
    document = copy.deepcopy(documents["prod-platform"])
    for release in document["resource"]["helm_release"].values():
        if release["chart"] == "tempo":
            release["values"] = [release["values"][0].replace("size: 10Gi", "size: lots")]
    broken = estimate_stack("prod-platform", document, ctx())
    assert any("tempo volume: size 'lots' at persistence.size is not a quantity" in line for line in broken.not_priced)
    for release in document["resource"]["helm_release"].values():
        if release["chart"] == "tempo":
            release["values"] = [release["values"][0].replace("enabled: true\n  size: lots", "enabled: false\n  size: lots")]
    assert "tempo volumes" not in {i.component for i in estimate_stack("prod-platform", document, ctx()).items}
