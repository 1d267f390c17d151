"""The state bucket's access model, as a bucket policy an administrator applies (goldenpath does not create
the bucket): each prefix belongs to the roles that own it, whatever else their identity policies say.

Prefixes and owners (one bucket may hold several environments' states):

* ``<env>/``: the environment's plan, apply and drift roles (``<env>-ci``) and its key administrators
  (platform engineers who deploy from a workstation);
* ``previews/``: the preview and reap roles of every environment that hosts previews, and the administrators;
* ``sandboxes/``: the people's Identity Center roles (``sandboxes.identity_roles``, who request and release
  sandboxes) and the administrators.

Every other principal is denied reading, writing and deleting objects under a prefix (``ArnNotLike`` on
``aws:PrincipalArn``: a role's sessions carry its role ARN there, so no session name can slip through), and
every request without TLS is denied. The Deny statements grant nothing: the roles' own policies still have to
allow (``goldenpath.ci_identities.permissions``). With ``state.kms_key`` the objects are also unreadable without
the key, which is why previews and sandboxes may share a bucket only with one (``Environment._state_key``).
"""

from __future__ import annotations

from goldenpath.ci_identities.roles import platform_role, preview_role
from goldenpath.config.model import Environment
from goldenpath.errors import ConfigError
from goldenpath.constructs.iam import Statement, policy_document
from goldenpath.state_prefixes import PREVIEWS_STATE_PREFIX as PREVIEWS_PREFIX, SANDBOXES_STATE_PREFIX as SANDBOXES_PREFIX

OBJECT_ACTIONS = ("s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion")


def prefix_owners(environments: list[Environment]) -> dict[str, list[str]]:
    """Prefix -> the principal ARN patterns that may touch its objects (environments sharing one bucket)."""
    administrators = sorted({arn for e in environments for arn in e.key_administrators})
    owners: dict[str, list[str]] = {}
    for environment in environments:
        ci = [platform_role(environment, "plan").arn, platform_role(environment, "apply").arn,
              platform_role(environment, "drift").arn] if environment.ci else []
        owners[f"{environment.name}/"] = sorted({*ci, *administrators})
    hosts = [e for e in environments if e.ci and e.previews]
    previews = [role.arn for e in hosts for role in (platform_role(e, "reap"), preview_role(e))]
    owners[f"{PREVIEWS_PREFIX}/"] = sorted({*previews, *administrators})
    people = [arn for e in environments if e.sandboxes for arn in e.sandboxes.identity_roles]
    owners[f"{SANDBOXES_PREFIX}/"] = sorted({*people, *administrators})
    return owners


def state_bucket_policy(environments: list[Environment]) -> str:
    """The bucket policy of the state bucket these environments share (they must name the same bucket)."""
    buckets = sorted({e.state_bucket for e in environments})
    if len(buckets) != 1:
        raise ValueError(f"environments {', '.join(e.name for e in environments)} use buckets {', '.join(buckets)}; "
                         "expected one bucket")
    bucket = buckets[0]
    statements = [Statement(sid="DenyInsecureTransport", effect="Deny", actions=("s3:*",), principals={"AWS": "*"},
                            resources=(f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"),
                            conditions={"Bool": {"aws:SecureTransport": "false"}})]
    for prefix, owners in prefix_owners(environments).items():
        sid = "OnlyOwnersOf" + "".join(part.capitalize() for part in prefix.strip("/").split("-"))
        statements.append(Statement(sid=sid, effect="Deny", actions=OBJECT_ACTIONS, principals={"AWS": "*"},
                                    resources=(f"arn:aws:s3:::{bucket}/{prefix}*",),
                                    conditions={"ArnNotLike": {"aws:PrincipalArn": owners}}))
    return policy_document(*statements)


def sharing_bucket_of(name: str, environments: list[Environment]) -> list[Environment]:
    """Environment ``name`` and every other environment whose state lives in the same bucket."""
    found = next((e for e in environments if e.name == name), None)
    if found is None:
        raise ConfigError("environments/", [f"--env: got {name!r}, expected one of "
                                            f"{', '.join(sorted(e.name for e in environments))}"])
    return [e for e in environments if e.state_bucket == found.state_bucket]
