"""Who is asking: the caller's authenticated AWS identity (``sts get-caller-identity``), never a free-text flag.

A sandbox's people are sessions of IAM Identity Center roles (``sandboxes.identity_roles``): Identity Center
names each session after the person who signed in, and STS reports it as the last part of the caller's ARN
(``arn:aws:sts::<account>:assumed-role/AWSReservedSSO_<set>_<id>/<user name>``). A session of any other role,
or an IAM user, could carry a name its holder chose, so it is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from goldenpath.config.model import Sandboxes
from goldenpath.iam.conditions import glob_match
from goldenpath.iam.sessions import ASSUMED_ROLE
from goldenpath.sandboxes.lease import LeaseError

IDENTITY_CENTER_PREFIX = "AWSReservedSSO_"
"""How Identity Center names the roles it creates for permission sets (IAM Identity Center user guide)."""


@dataclass(frozen=True)
class Caller:
    arn: str
    """As STS reports it."""
    account: str
    role_name: str
    name: str
    """The session name: for an Identity Center role, the person's user name."""


def parse_caller(arn: str) -> Caller:
    match = ASSUMED_ROLE.match(arn)
    if not match:
        raise LeaseError(f"caller {arn}: not a role session, expected an IAM Identity Center session "
                         "(sign in with `aws sso login`); an IAM user's or another role's name is not a person")
    account, role, session = match.groups()
    return Caller(arn, account, role, session)


def _matches(caller: Caller, pattern: str) -> bool:
    """Whether the caller's role is one of ``pattern``'s (an identity_roles ARN: STS drops the role's path)."""
    account, role_pattern = pattern.split(":")[4], pattern.rsplit("/", 1)[-1]
    return account == caller.account and glob_match(role_pattern, caller.role_name)


def person(caller: Caller, sandboxes: Sandboxes) -> str:
    """The caller's user name, when the caller is a session of one of the sandboxes' Identity Center roles."""
    if not caller.role_name.startswith(IDENTITY_CENTER_PREFIX) or not any(_matches(caller, p) for p in sandboxes.identity_roles):
        raise LeaseError(f"caller {caller.arn}: not a session of sandboxes.identity_roles "
                         f"({', '.join(sandboxes.identity_roles)}), expected an IAM Identity Center session: only its "
                         "session name is a person's, not chosen by the caller")
    return caller.name


def agree(flag: str, given: str | None, identity: str) -> str:
    """``--owner`` / ``--by`` may only repeat who the caller is."""
    if given is not None and given != identity:
        raise LeaseError(f"{flag}: got {given!r}, expected your own identity {identity!r} (from sts get-caller-identity): "
                         "nobody acts in another person's name")
    return identity


def who_is_calling(sts, sandboxes: Sandboxes) -> str:
    """The person behind the credentials in use."""
    return person(parse_caller(sts.get_caller_identity()["Arn"]), sandboxes)
