"""Tenancy: the catalog's rules, the tenant spec, and the CDK Terrain rendering of it."""

from __future__ import annotations

import json
import shutil
import textwrap

import pytest

from goldenpath.config.loader import load_environments
from goldenpath.errors import ConfigError
from goldenpath.policies.kubernetes_objects import KubernetesObject, kubernetes_objects, validate_objects
from goldenpath.tenancy.catalog import catalog_for, load_catalog, parse_team
from goldenpath.tenancy.spec import manifest_key, tenant_manifests
from goldenpath.tenancy.tenants import tenant_spec
from tests.conftest import ENVIRONMENTS, REPO, resources_of, stack_json

MINIMAL = """\
name: payments
owners: payments-engineers
services:
  - name: checkout
    environments: [dev, staging, prod]
"""


@pytest.fixture(scope="module")
def environments():
    return load_environments(ENVIRONMENTS)


def catalog_of(tmp_path, environments, **teams: str):
    folder = tmp_path / "teams"
    folder.mkdir(exist_ok=True)
    for name, text in teams.items():
        (folder / f"{name}.yaml").write_text(textwrap.dedent(text))
    return load_catalog(folder, environments)


def test_five_lines_onboard_a_service_on_every_cluster(tmp_path, environments):
    catalog = catalog_of(tmp_path, environments, payments=MINIMAL)
    for env in ("dev", "staging", "prod"):
        (placement,) = catalog.placements(env)
        assert (placement.namespace, placement.tier_name) == ("payments-checkout", "small")
        spec = tenant_spec(placement)
        assert spec.owners_group == "payments-engineers" and spec.pod_identity is None


BAD = [
    ("unknown environment", MINIMAL.replace("[dev, staging, prod]", "[dev, qa]"),
     "teams/payments.yaml: services[0].environments[1]: got 'qa', expected one of dev, prod, staging"),
    ("unknown tier", MINIMAL + "    tier: huge\n",
     "services[0].tier: got 'huge', expected one of large, medium, small (tenancy.tiers of "),
    ("missing owner group", MINIMAL.replace("owners: payments-engineers\n", ""),
     "teams/payments.yaml: owners: missing; this field is required"),
    ("namespace too long", MINIMAL.replace("checkout", "c" * 60),
     "is 69 characters, expected at most 63 (a Kubernetes namespace is a DNS label)"),
    ("previews in production", MINIMAL + textwrap.indent(textwrap.dedent("""\
        previews:
          repository: https://charts.example.com/apps
          chart: checkout
          version: 1.0.0
          image_repository: registry.example.com/checkout
          environments: [prod]
        """), "    "),
     "services[0].previews.environments[0]: got 'prod', a production environment"),
    ("SLOs without an alert route", MINIMAL + "    slos: {availability: {objective: 0.999}}\n",
     "team 'payments' has SLOs in 'dev' but no alert route there; expected observability.teams.payments"),
    ("latency threshold off the histogram", MINIMAL + "    slos: {latency: {objective: 0.99, threshold_seconds: 0.3}}\n",
     "services[0].slos.latency.threshold_seconds: got 0.3, expected one of the histogram's bucket boundaries"),
    ("moved previews.services", None, None),
]


@pytest.mark.parametrize(("case", "text", "message"), [b for b in BAD if b[1] is not None], ids=[b[0] for b in BAD if b[1]])
def test_bad_catalog_gets_one_clear_error(tmp_path, environments, case, text, message):
    with pytest.raises(ConfigError) as caught:
        catalog_of(tmp_path, environments, payments=text)
    assert message in str(caught.value)
    assert "Traceback" not in str(caught.value)


def test_two_services_with_one_name_on_a_cluster_are_refused(tmp_path, environments):
    other = MINIMAL.replace("payments", "shop").replace("environments: [dev, staging, prod]", "environments: [staging]")
    with pytest.raises(ConfigError, match="services\\[0\\].name: got 'checkout', expected a name not used on cluster 'staging': "
                                          "team 'payments'"):
        catalog_of(tmp_path, environments, payments=MINIMAL, shop=other)


def test_a_tier_larger_than_any_node_group_is_refused(tmp_path, environments):
    dev = next(e for e in environments if e.name == "dev")
    huge = dev.tenancy.model_copy(update={"tiers": {**dev.tenancy.tiers, "huge": dev.tenancy.tiers["large"].model_copy(
        update={"requests_cpu": "64"})}})
    envs = [dev.model_copy(update={"tenancy": huge}) if e.name == "dev" else e for e in environments]
    with pytest.raises(ConfigError, match=r"services\[0\].tier: 'huge' requests 64 CPU and 8Gi memory, more than the largest "
                                          r"node group 'general' of .* can ever offer \(8 vCPUs and 32 GiB at max_size\)"):
        catalog_of(tmp_path, envs, payments=MINIMAL.replace("[dev, staging, prod]", "[dev]") + "    tier: huge\n")


def test_noise_budget_per_team(tmp_path, environments):
    text = MINIMAL.replace("[dev, staging, prod]", "[dev]").replace("payments", "storefront") + \
        "    slos: {availability: {objective: 0.999}, latency: {objective: 0.99, threshold_seconds: 0.5}}\nmax_page_alerts: 3\n"
    with pytest.raises(ConfigError, match="max_page_alerts: the team's SLOs add 4 page alert rules in 'dev', expected at most 3"):
        catalog_of(tmp_path, environments, storefront=text)


def test_environment_with_the_old_previews_services_says_where_it_moved():
    from goldenpath.config.loader import parse_environment

    text = (ENVIRONMENTS / "dev.yaml").read_text().replace("previews:\n", "previews:\n  services: {web: {}}\n", 1)
    with pytest.raises(ConfigError, match="previews.services: moved to the service catalog"):
        parse_environment(text, "environments/dev.yaml")


def test_team_file_name_must_match(tmp_path, environments):
    with pytest.raises(ConfigError, match="name: got 'payments', expected 'shop' \\(the file's name\\)"):
        catalog_of(tmp_path, environments, shop=MINIMAL)
    with pytest.raises(ConfigError, match="duplicate key 'name'"):
        parse_team(MINIMAL + "name: again\n", "teams/payments.yaml")


# -- the spec and its CDK Terrain rendering --------------------------------------------------------

@pytest.fixture(scope="module")
def bundled_catalog(environments):
    return catalog_for(REPO, environments)


def test_every_tenant_manifest_validates_strictly(bundled_catalog, environments):
    for env in environments:
        for placement in bundled_catalog.placements(env.name):
            objects = [KubernetesObject(f"{placement.namespace}/{m['kind']}", m) for m in tenant_manifests(tenant_spec(placement))]
            assert validate_objects(objects, env.cluster.kubernetes_version) == []


def test_validators_catch_what_the_schema_misses(bundled_catalog):
    placement = bundled_catalog.placements("dev")[0]
    manifests = tenant_manifests(tenant_spec(placement))
    quota = json.loads(json.dumps(manifests[1]))
    quota["spec"]["hard"]["requests.cpu"] = "two"
    namespace = json.loads(json.dumps(manifests[0]))
    namespace["metadata"]["name"] = "Payments_Checkout"
    problems = validate_objects([KubernetesObject("q", quota), KubernetesObject("n", namespace)], "1.33")
    assert any("'two' is not a Kubernetes quantity" in p for p in problems)
    assert any("'Payments_Checkout' is not a valid Kubernetes name" in p for p in problems)


def test_cdktn_tenants_stacks_render_exactly_the_spec(bundled_synth, bundled_catalog):
    for env in ("dev", "staging", "prod"):
        for team in bundled_catalog.teams_on(env):
            document = stack_json(bundled_synth, f"{env}-tenants-{team}")
            # a deploy role's own bindings come with the role, not the spec (test_isolation.py tries them)
            rendered = {manifest_key(o.manifest): o.manifest for o in kubernetes_objects(document)
                        if o.manifest["kind"] not in ("PrometheusRule", "ConfigMap")
                        and not o.manifest["metadata"]["name"].startswith("deployers-")}
            expected = {manifest_key(m): m for p in bundled_catalog.placements(env) if p.team.name == team
                        for m in tenant_manifests(tenant_spec(p))}
            assert rendered == expected, (env, team)


def test_each_teams_tenants_stack_has_its_own_state_and_cluster_lookup(bundled_synth):
    document = stack_json(bundled_synth, "dev-tenants-payments")
    assert document["terraform"]["backend"]["s3"]["key"] == "dev/tenants/payments.tfstate"
    assert document["data"]["aws_eks_cluster"]["cluster"]["name"] == "dev-cluster"
    assert "terraform_remote_state" not in document.get("data", {})
    assert document["data"]["aws_kms_alias"]["tenants-key_alias_0261FAB3"]["name"] == "alias/dev-tenants"  # the shared key, by alias
    assert sorted(bundled_synth.dependencies["dev-tenants-payments"]) == ["dev-ci", "dev-platform", "dev-tenants"]
    shared = stack_json(bundled_synth, "dev-tenants")  # the key only: the teams' buckets share it
    assert sorted(shared["resource"]) == ["aws_kms_alias", "aws_kms_key"] and "kubernetes" not in shared.get("provider", {})


def test_cloud_access_is_a_pod_identity_role_granted_its_own_bucket(bundled_synth):
    document = stack_json(bundled_synth, "dev-tenants-payments")
    (association,) = resources_of(document, "aws_eks_pod_identity_association").values()
    assert (association["namespace"], association["service_account"]) == ("payments-checkout", "checkout")
    (policy,) = resources_of(document, "aws_iam_role_policy").values()
    statements = json.loads(policy["policy"])["Statement"]
    actions = {a for s in statements for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}
    assert "s3:PutObject" in actions and not any(a.endswith("*") and a != "s3:*" and ":" not in a for a in actions)
    assert all("*" != s.get("Resource") for s in statements)


def test_service_slos_live_in_the_tenant_namespace(bundled_synth):
    document = stack_json(bundled_synth, "dev-tenants-storefront")
    (rule,) = resources_of(document, "kubernetes_manifest").values()
    manifest = rule["manifest"]
    assert (manifest["kind"], manifest["metadata"]["namespace"]) == ("PrometheusRule", "storefront-web")
    alerts = [r for g in manifest["spec"]["groups"] for r in g["rules"] if "alert" in r]
    assert {a["labels"]["team"] for a in alerts} == {"storefront"}
    assert sum(a["labels"]["severity"] == "page" for a in alerts) == 4
    assert "docs/runbooks/storefront-web-latency.md" in json.dumps(alerts)
    (dashboard,) = [c for c in resources_of(document, "kubernetes_config_map_v1").values()
                    if c["metadata"]["labels"].get("grafana_dashboard") == "1"]
    assert "storefront-web-availability" in json.dumps(dashboard["data"])


def test_prometheus_rule_is_checked_against_the_crd_fact():
    bad = {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
           "metadata": {"name": "slos", "namespace": "a-b"},
           "spec": {"groups": [{"name": "g", "rules": [{"alert": "X", "for": "5 minutes"}]}]}}
    problems = validate_objects([KubernetesObject("r", bad)], "1.33")
    assert any("'expr' is a required property" in p for p in problems)
    assert any("does not match" in p and "for" in p for p in problems)


# -- onboarding commands ---------------------------------------------------------------------------

def _project(tmp_path):
    import shutil

    for folder in ("environments", "teams"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    return tmp_path


def _cli(root, *argv):
    from goldenpath.cli.main import main

    return main(["--environments", str(root / "environments"), *argv])


def test_team_and_service_add_keep_comments_and_order(tmp_path, capsys):
    root = _project(tmp_path)
    assert _cli(root, "team", "add", "search", "--owners", "search-engineers") == 0
    assert _cli(root, "service", "add", "search", "indexer", "--env", "dev", "--env", "staging") == 0
    assert _cli(root, "service", "add", "payments", "ledger", "--env", "dev", "--tier", "medium") == 0
    out = capsys.readouterr().out
    assert "dev-tenants-search, staging-tenants-search gain namespace search-indexer (only those stacks change)" in out
    payments = (root / "teams" / "payments.yaml").read_text()
    assert payments.startswith("# yaml-language-server") and "# its own encrypted bucket" in payments
    assert payments.index("name: checkout") < payments.index("name: ledger")
    environments = load_environments(root / "environments")
    catalog = catalog_for(root, environments)
    assert [p.namespace for p in catalog.placements("staging")] == ["payments-checkout", "search-indexer", "storefront-web"]
    assert [p.tier_name for p in catalog.placements("dev") if p.service.name == "ledger"] == ["medium"]


def test_service_add_writes_its_hosts(tmp_path):
    root = _project(tmp_path)
    assert _cli(root, "service", "add", "payments", "ledger", "--env", "dev", "--env", "prod",
                "--host", "dev=ledger.dev.example.com", "--host", "prod=ledger.example.com",
                "--host", "prod=pay.example.com") == 0
    assert "    hosts:\n      dev: [ledger.dev.example.com]\n      prod: [ledger.example.com, pay.example.com]\n" in \
        (root / "teams" / "payments.yaml").read_text()
    (placement,) = [p for p in catalog_for(root, load_environments(root / "environments")).placements("prod")
                    if p.service.name == "ledger"]
    assert tenant_spec(placement).ingress_hosts == ("ledger.example.com", "pay.example.com")


@pytest.mark.parametrize(("argv", "message"), [
    (["service", "add", "nope", "x", "--env", "dev"], "team: got 'nope', expected one of payments, storefront"),
    (["service", "add", "payments", "x", "--env", "qa"], "environments[0]: got 'qa', expected one of dev, prod, staging"),
    (["service", "add", "payments", "checkout", "--env", "dev"], "got 'checkout', expected a name not used by another service"),
    (["service", "add", "payments", "x", "--env", "dev", "--tier", "huge"], "tier: got 'huge', expected one of large, medium, small"),
    (["service", "add", "payments", "web", "--env", "dev"], "expected a name not used on cluster 'dev': team 'storefront'"),
    (["team", "add", "payments", "--owners", "g"], "team 'payments' exists already"),
    (["team", "add", "Bad_Name", "--owners", "g"], "name: got 'Bad_Name'"),
    (["service", "add", "payments", "x", "--env", "dev", "--host", "dev"], "got 'dev', expected ENV=HOST"),
    (["service", "add", "payments", "x", "--env", "dev", "--host", "dev=shop.dev.example.com"],
     "expected a host no other service names on this environment: service 'web' of team 'storefront'"),
    (["service", "add", "payments", "x", "--env", "dev", "--host", "prod=x.example.com"],
     "hosts.prod: got 'prod', expected one of the service's environments (dev)"),
])
def test_onboarding_refuses_bad_input_and_writes_nothing(tmp_path, capsys, argv, message):
    root = _project(tmp_path)
    before = {p.name: p.read_text() for p in (root / "teams").iterdir()}
    try:
        code = _cli(root, *argv)
    except SystemExit as exit_:  # argparse refuses a malformed argument itself, with its usage line
        code = exit_.code
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert {p.name: p.read_text() for p in (root / "teams").iterdir()} == before


def test_team_schema_file_is_current_and_accepts_the_bundled_teams():
    import jsonschema
    import yaml

    from goldenpath.tenancy.schema import team_schema, team_schema_json

    assert (REPO / "docs" / "team.schema.json").read_text() == team_schema_json(), "run make schema"
    for path in (REPO / "teams").glob("*.yaml"):
        jsonschema.validate(yaml.safe_load(path.read_text()), team_schema())


def test_onboarding_a_service_changes_only_its_teams_tenants_stack(tmp_path):
    from goldenpath.stacks.synth import synthesize

    root = _project(tmp_path)
    shutil.copytree(REPO / "docs" / "runbooks", root / "docs" / "runbooks")
    environments = [e for e in load_environments(root / "environments") if e.name == "dev"]

    def stacks(out):
        result = synthesize(environments, out, project_root=root)
        return {name: (path / "cdk.tf.json").read_text() for name, path in result.stacks.items()}

    before = stacks(tmp_path / "before")
    assert _cli(root, "service", "add", "payments", "ledger", "--env", "dev") == 0
    after = stacks(tmp_path / "after")
    changed = sorted(name for name in before if before[name] != after[name])
    assert changed == ["dev-tenants-payments"]
    assert '"name": "payments-ledger"' in after["dev-tenants-payments"]


def test_named_preview_environments_decide_which_clusters_host_previews(tmp_path, environments):
    dev = next(e for e in environments if e.name == "dev")
    qa = dev.model_copy(update={"name": "qa"})  # a second environment hosting previews
    text = MINIMAL.replace("[dev, staging, prod]", "[qa, dev]") + textwrap.indent(textwrap.dedent("""\
        repository: acme/checkout
        previews:
          repository: https://charts.example.com/apps
          chart: checkout
          version: 1.0.0
          image_repository: registry.example.com/checkout
          environments: [dev]
        """), "    ")
    catalog = catalog_of(tmp_path, [*environments, qa], payments=text)
    assert [p.environment.name for env in ("qa", "dev") for p in catalog.placements(env) if p.previews] == ["dev"]
    assert catalog.previewable(qa) == {} and set(catalog.previewable(dev)) == {"checkout"}
    # The service's scaffolded preview workflows target the cluster that hosts its previews.
    from goldenpath.scaffold.service import ScaffoldSettings, render_service_workflows

    workflows = render_service_workflows(catalog, ScaffoldSettings("payments", "checkout"))
    assert "goldenpath-previews-dev.yml@main" in workflows["preview.yml"] and "-qa.yml" not in workflows["preview.yml"]


RESERVED = [
    ("ingress", "nginx", "'ingress-nginx' (<team>-<service>) on 'dev' is the ingress controller's namespace"),
    ("kube", "system", "'kube-system' (<team>-<service>) on 'dev' is a Kubernetes or AWS system namespace"),
    ("kube", "public", "'kube-public' (<team>-<service>) on 'dev' is a Kubernetes or AWS system namespace"),
    ("observability", "node", "'observability-node' (<team>-<service>) on 'dev' is the observability stack's namespace"),
    ("pr", "web", "'pr-web' (<team>-<service>) on 'dev' is a preview namespace (pr-*)"),
    ("sbx", "abc", "'sbx-abc' (<team>-<service>) on 'dev' is a sandbox namespace (sbx-*)"),
    ("aws", "observability", "'aws-observability' (<team>-<service>) on 'dev' is a Kubernetes or AWS system namespace"),
]


@pytest.mark.parametrize(("team", "service", "message"), RESERVED, ids=[f"{t}-{s}" for t, s, _ in RESERVED])
def test_a_service_cannot_take_a_platform_or_system_namespace(tmp_path, environments, team, service, message):
    text = MINIMAL.replace("payments", team).replace("checkout", service).replace("[dev, staging, prod]", "[dev]")
    with pytest.raises(ConfigError) as caught:
        catalog_of(tmp_path, environments, **{team: text})
    assert f"teams/{team}.yaml: services[0].name: namespace {message}" in str(caught.value)
    assert "rename the service or team" in str(caught.value)


def test_names_near_reserved_ones_are_free(tmp_path, environments):
    text = MINIMAL.replace("payments", "ingress").replace("checkout", "gateway").replace("[dev, staging, prod]", "[dev]")
    (placement,) = catalog_of(tmp_path, environments, ingress=text).placements("dev")
    assert placement.namespace == "ingress-gateway"


# -- Ingress hosts ---------------------------------------------------------------------------------------
BAD_HOSTS = [
    ("environment the service does not run in", "    hosts: {qa: [pay.example.com]}\n",
     "teams/payments.yaml: services[0].hosts.qa: got 'qa', expected one of the service's environments (dev, staging, prod)"),
    ("wildcard", "    hosts: {dev: ['*.dev.example.com']}\n",
     "teams/payments.yaml: services[0].hosts.dev[0]: got '*.dev.example.com', expected "),
    ("upper case", "    hosts: {dev: [Pay.example.com]}\n", "services[0].hosts.dev[0]: got 'Pay.example.com', expected "),
    ("repeated", "    hosts: {dev: [pay.example.com, pay.example.com]}\n",
     "services[0].hosts.dev: got ['pay.example.com', 'pay.example.com'], expected each host once (repeated: pay.example.com)"),
    ("a preview's host", "    hosts: {dev: [pr-1-web.preview.dev.example.com]}\n",
     "services[0].hosts.dev[0]: got 'pr-1-web.preview.dev.example.com', expected a host outside preview.dev.example.com "
     "(previews.domain of "),
    ("the previews' domain itself", "    hosts: {dev: [preview.dev.example.com]}\n",
     "services[0].hosts.dev[0]: got 'preview.dev.example.com', expected a host outside preview.dev.example.com"),
]


@pytest.mark.parametrize(("case", "hosts", "message"), BAD_HOSTS, ids=[b[0] for b in BAD_HOSTS])
def test_bad_hosts_get_one_clear_error(tmp_path, environments, case, hosts, message):
    with pytest.raises(ConfigError) as caught:
        catalog_of(tmp_path, environments, payments=MINIMAL + hosts)
    assert message in str(caught.value)
    assert "Traceback" not in str(caught.value)


def test_a_host_has_one_owner_per_environment(tmp_path, environments):
    payments = MINIMAL + "    hosts: {dev: [pay.dev.example.com], prod: [pay.example.com]}\n"
    # Another environment's same name is another host: the clusters do not share an ingress controller.
    shop = MINIMAL.replace("payments", "shop").replace("checkout", "cart") + "    hosts: {staging: [pay.dev.example.com]}\n"
    catalog = catalog_of(tmp_path, environments, payments=payments, shop=shop)
    assert tenant_spec(catalog.placements("dev")[0]).ingress_hosts == ("pay.dev.example.com",)
    assert tenant_spec(catalog.placements("staging")[0]).ingress_hosts == ()
    thief = shop.replace("staging: [pay.dev.example.com]", "dev: [cart.dev.example.com, pay.dev.example.com]")
    with pytest.raises(ConfigError) as caught:
        catalog_of(tmp_path, environments, payments=payments, shop=thief)
    assert ("teams/shop.yaml: services[0].hosts.dev[1]: got 'pay.dev.example.com', expected a host no other service names "
            "on this environment: service 'checkout' of team 'payments' (") in str(caught.value)


def test_a_namespace_carries_its_hosts_for_admission(bundled_synth):
    from goldenpath.labels import INGRESS_HOSTS_ANNOTATION, TENANT_NAMESPACE_LABEL

    found = {}
    for team in ("payments", "storefront"):
        for namespace in resources_of(stack_json(bundled_synth, f"dev-tenants-{team}"), "kubernetes_namespace_v1").values():
            (meta,) = namespace["metadata"]
            assert meta["labels"][TENANT_NAMESPACE_LABEL] == "true"
            found[meta["name"]] = meta["annotations"][INGRESS_HOSTS_ANNOTATION]
    assert found == {"payments-checkout": "", "storefront-web": "shop.dev.example.com"}
