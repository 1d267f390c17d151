"""Suppressions of checkov findings, declared in code with a reason and an owner.

checkov's terraform_json runner ignores inline skip comments, so goldenpath applies
suppressions to checkov's results itself. Two sources, both visible in `validate`:

* ``STATIC_SUPPRESSIONS``: accepted risks that hold for every environment.
* ``environment_suppressions``: opt-outs an environment file makes explicitly (a public
  API endpoint, log retention under a year); the reason names the file field.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass

from goldenpath.config.model import Environment
from goldenpath.errors import GoldenpathError

MIN_REASON_LENGTH = 10
# checkov's ids (CKV_AWS_39, CKV2_AWS_62), goldenpath's (GP_AWS_003) and a team's own (PAY_AWS_001).
_CHECK_ID = re.compile(r"^[A-Z][A-Z0-9]*_[A-Z0-9]+_\d+$")


@dataclass(frozen=True)
class Suppression:
    check_id: str
    reason: str
    owner: str
    stack: str = "*"
    """Glob on the stack name, e.g. ``dev-*``. Default: every stack."""
    construct_path: str = "*"
    """Glob on the resource's construct path, e.g. ``*/cluster/cluster``. Default: every resource."""

    def __post_init__(self) -> None:
        if not _CHECK_ID.match(self.check_id):
            raise GoldenpathError(f"suppression {self.check_id!r}: expected a check id like CKV_AWS_39, GP_AWS_001 or a team's PAY_AWS_001")
        if len(self.reason.strip()) < MIN_REASON_LENGTH:
            raise GoldenpathError(
                f"suppression {self.check_id}: reason {self.reason!r} is too short, expected at least "
                f"{MIN_REASON_LENGTH} characters saying why the risk is accepted"
            )
        if not self.owner.strip():
            raise GoldenpathError(f"suppression {self.check_id}: owner is empty, expected the accountable team")

    def matches(self, check_id: str, stack: str, construct_path: str) -> bool:
        return (
            check_id == self.check_id
            and fnmatch.fnmatchcase(stack, self.stack)
            and fnmatch.fnmatchcase(construct_path, self.construct_path)
        )


_TELEMETRY_BUCKETS = "*-observability/observability/*-bucket/bucket"

STATIC_SUPPRESSIONS: tuple[Suppression, ...] = (
    Suppression(
        "CKV_AWS_144",
        "telemetry expires within the configured retention and is not a system of record; "
        "cross-region replication would double storage cost for data kept days",
        "platform-team", stack="*-observability", construct_path=_TELEMETRY_BUCKETS,
    ),
    Suppression(
        "CKV_AWS_18",
        "server access logs would record every Loki/Tempo chunk read and write (high volume, no audit value); "
        "enable CloudTrail S3 data events where access audit is required",
        "platform-team", stack="*-observability", construct_path=_TELEMETRY_BUCKETS,
    ),
    Suppression(
        "CKV2_AWS_62",
        "nothing consumes object events for telemetry chunks; Loki and Tempo track their own objects",
        "platform-team", stack="*-observability", construct_path=_TELEMETRY_BUCKETS,
    ),
)

# A preview's bucket (`preview up --bucket`) is scratch space that lives as long as the pull request's
# preview (its TTL; reaped): encrypted, private and TLS-only like every EncryptedBucket, without the
# extras a long-lived bucket may need. The gate scans sample previews (goldenpath.previews.samples).
PREVIEW_BUCKET_FINDINGS = {
    "CKV_AWS_144": "a preview's bucket lives only as long as its pull request's preview: nothing to replicate",
    "CKV_AWS_18": "a preview's bucket holds pull-request scratch data for days; CloudTrail S3 data events are the audit trail where required",
    "CKV2_AWS_62": "nothing consumes object events of a preview's scratch bucket",
}
PREVIEW_SUPPRESSIONS = tuple(
    Suppression(check, reason, "platform-team", stack="previews-*-aws", construct_path="previews-*-aws/bucket/bucket")
    for check, reason in PREVIEW_BUCKET_FINDINGS.items()
)

# An aws sandbox, in the sandbox account. Its permission boundary allows whole services (the tagged ones) and then
# denies what its guardrails name: that is what a boundary is, the most the role and every role it makes may ever
# do. Its role is trusted by accounts only for their Identity Center roles (aws:PrincipalArn) and the owner's own
# sessions (aws:userid), which checkov does not read. Its spend stop is a function AWS Budgets reaches through a
# topic. The gate scans sample sandboxes (goldenpath.sandboxes.samples); tests/test_sandbox_attacks.py evaluates them.
SANDBOX_FINDINGS = {
    ("CKV2_AWS_40", "boundary"): "a permission boundary allows whole services and denies what the sandbox's guardrails name "
                                 "(IAM among them: only the sandbox's own roles, each inside this boundary)",
    ("CKV_AWS_61", "role"): "accounts are trusted only for their Identity Center roles (aws:PrincipalArn) and only for the "
                            "owner's own sessions (aws:userid), names the caller cannot choose",
    ("CKV_AWS_115", "spend-stop/function"): "reserved concurrency takes from the account's unreserved pool, which a new "
                                            "account may not have to spare; it runs once when the budget fires",
    ("CKV_AWS_116", "spend-stop/function"): "a failed run is retried by Lambda's asynchronous invocation; the deny-all policy "
                                            "already stops new calls and reap releases the sandbox at expiry",
    ("CKV_AWS_117", "spend-stop/function"): "it calls only AWS APIs; inside a VPC it would need NAT or an endpoint per API "
                                            "in the sandbox account",
    ("CKV_AWS_173", "spend-stop/function"): "its variables are the sandbox's id and regions, no secret",
    ("CKV_AWS_272", "spend-stop/function"): "its code is goldenpath's own file, zipped byte-stably at synth from the installed "
                                            "package; signing it would need AWS Signer in every sandbox account",
    ("CKV_AWS_50", "spend-stop/function"): "it runs at most a few times per sandbox; its log is the record of what it stopped",
    ("CKV_AWS_158", "spend-stop/logs"): "its lines are the sandbox's id and the instances it stopped; a KMS key per sandbox "
                                        "would cost more than the sandbox's log",
    ("CKV_AWS_26", "spend-stop/topic"): "it carries only AWS Budgets' notice (budget name and amounts); encrypting it needs a "
                                        "customer managed key per sandbox whose policy admits budgets.amazonaws.com",
}
SANDBOX_SUPPRESSIONS = tuple(
    Suppression(check, reason, "platform-team", stack="sandboxes-*-aws", construct_path=f"sandboxes-*-aws/sandbox/{construct}")
    for (check, construct), reason in SANDBOX_FINDINGS.items()
)

FULL_YEAR_DAYS = 365


# checkov's CKV_AWS_339 keeps the EKS versions it accepts as a list in its code (EKSPlatformVersion.py
# get_expected_values: 1.29 to 1.35 in checkov 3.3.30, the newest on PyPI on 2026-12-07), so a version EKS released
# after that checkov fails it. goldenpath accepts a version only once it has checked it (SUPPORTED_KUBERNETES_VERSIONS),
# and GP_EKS_001 holds the same rule against EKS's dated calendar: supported, and in standard support unless accepted.
STALE_VERSION_LIST_REASON = ("which EKS runs and goldenpath has checked, but which the installed checkov's CKV_AWS_339 "
                             "version list predates; GP_EKS_001 checks it against EKS's dated support calendar instead")


def checkov_eks_versions() -> tuple[str, ...]:
    """The versions the installed checkov's CKV_AWS_339 accepts (read each time: a newer checkov may know more, and
    a suppression nothing needs would be reported unused)."""
    from checkov.terraform.checks.resource.aws.EKSPlatformVersion import check

    return tuple(str(version) for version in check.get_expected_values())


CLUSTER_PATH = "{stack}/cluster/cluster"  # the EKS cluster's construct path, as checkov's results name it


def cluster_suppression(environment: Environment, check_id: str, reason: str, owner: str) -> Suppression:
    """A suppression of ``check_id`` for the environment's EKS cluster only."""
    stack = f"{environment.name}-cluster"  # goldenpath.stacks.layout's name (not imported: stacks reaches policies)
    return Suppression(check_id, reason, owner, stack=stack, construct_path=CLUSTER_PATH.format(stack=stack))


def version_list_suppressions(environment: Environment, accepted_by_checkov: tuple[str, ...]) -> list[Suppression]:
    """CKV_AWS_339 for a cluster whose version the installed checkov's list does not have yet (none otherwise)."""
    version = environment.cluster.kubernetes_version
    if version in accepted_by_checkov:
        return []
    reason = f"{environment.source_file} sets cluster.kubernetes_version: {version}, {STALE_VERSION_LIST_REASON}"
    return [cluster_suppression(environment, "CKV_AWS_339", reason, "platform-team")]


def environment_suppressions(environment: Environment) -> list[Suppression]:
    """Suppressions that follow from explicit opt-outs in an environment file."""
    source = environment.source_file
    owner = environment.tags.owner
    found: list[Suppression] = []
    if environment.cluster.endpoint.public:
        cidrs = ", ".join(environment.cluster.endpoint.public_access_cidrs)
        found.append(cluster_suppression(environment, "CKV_AWS_39",
                                         f"{source} sets cluster.endpoint.public: true, restricted to {cidrs}", owner))
    if environment.log_retention_days < FULL_YEAR_DAYS:
        found.append(
            Suppression(
                "CKV_AWS_338",
                f"{source} sets log_retention_days: {environment.log_retention_days} (under a year, by choice)",
                owner,
                stack=f"{environment.name}-*",
            )
        )
    if environment.kms.account_administration:
        reason = (f"{source} sets kms.account_administration: true (the account root administers the keys "
                  "through IAM policies, AWS's default key policy)")
        found.append(Suppression("GP_AWS_007", reason, owner, stack=f"{environment.name}-*"))
        if environment.previews is not None:
            found.append(Suppression("GP_AWS_007", reason, owner, stack="previews-*"))
    return found


# A service's own data bucket (``cloud: {bucket: ...}`` in teams/<team>.yaml) is KMS-encrypted,
# versioned, private and TLS-only; these three extras are the owning team's call, so the team
# owns the accepted finding and validate shows it.
TENANT_BUCKET_FINDINGS = {
    "CKV_AWS_144": "cross-region replication is not configured for a service bucket (the team adds it for data that needs a second region)",
    "CKV_AWS_18": "server access logging is not configured for a service bucket (CloudTrail S3 data events are the audit trail where required)",
    "CKV2_AWS_62": "event notifications are not configured for a service bucket (nothing consumes its object events)",
}


def tenant_bucket_suppressions(team: str, source: str, environment: str, namespace: str) -> list[Suppression]:
    stack = f"{environment}-tenants-{team}"  # the team's tenants stack
    return [Suppression(check, f"{source}: {reason}", team, stack=stack, construct_path=f"{stack}/{namespace}/bucket/bucket")
            for check, reason in TENANT_BUCKET_FINDINGS.items()]


# checkov 3.3.30's CKV_AWS_393 takes a GitHub repository in an OIDC subject to be owner/name (its gh_repo_regex);
# GitHub gives repositories created after 2026-07-15 the form repo:OWNER@OWNER_ID/REPO@REPO_ID:... (github/docs,
# actions/reference/security/oidc.md, "Immutable subject claims"). GP_AWS_010 checks these subjects are exact.
IMMUTABLE_SUBJECT_REASON = ("the trusted subject uses GitHub's immutable form repo:OWNER@ID/REPO@ID (repositories created "
                            "after 2026-07-15), which checkov's repository pattern predates; GP_AWS_010 checks it is exact")


def immutable_subject_suppression(owner: str, source: str, stack: str, construct: str) -> Suppression:
    return Suppression("CKV_AWS_393", f"{source}: {IMMUTABLE_SUBJECT_REASON}", owner, stack=stack,
                       construct_path=f"{stack}/{construct}")


# The apply role deploys the environment's IAM roles and policies (its stacks declare aws_iam_*): IAM is one of the
# services derived from what the stacks use. It trusts only the platform repository's environment-protected jobs.
CI_APPLY_SUPPRESSIONS = (Suppression(
    "CKV2_AWS_40", "the apply role creates the environment's IAM roles and policies, as its stacks declare them; only the "
    "platform repository's jobs in the environment's GitHub environment may assume it (GP_AWS_012)", "platform-team",
    stack="*-ci", construct_path="*-ci/ci/apply/permissions"),)


def all_suppressions(environments: list[Environment]) -> list[Suppression]:
    previews = PREVIEW_SUPPRESSIONS if any(e.previews is not None for e in environments) else ()
    sandboxes = SANDBOX_SUPPRESSIONS if any(e.sandboxes is not None and any(t.kind == "aws" for t in e.sandboxes.tiers.values())
                                            for e in environments) else ()
    ci = CI_APPLY_SUPPRESSIONS if any(e.ci is not None for e in environments) else ()
    checkov_knows = checkov_eks_versions()
    versions = [s for e in environments for s in version_list_suppressions(e, checkov_knows)]
    return [*STATIC_SUPPRESSIONS, *previews, *sandboxes, *ci, *versions,
            *(s for e in environments for s in environment_suppressions(e))]
