"""Deterministic, collision-free, length-safe resource names.

A name is the readable join of its parts (``dev-cluster-nodes``). When that text is
already valid for the target and fits its length limit it is used as is. Otherwise the
readable text is sanitised and cut, and a separator ``--`` plus a stable hash of the
original text is appended. Sanitising collapses repeated hyphens, so a name used as is
never contains ``--``: a hashed name can therefore never equal an unhashed one, and two
hashed names are equal only if their hashes are, i.e. distinct inputs do not collide.
"""

from __future__ import annotations

import enum
import hashlib
import re
import unicodedata
from dataclasses import dataclass

HASH_LENGTH = 8
SEPARATOR = "--"


@dataclass(frozen=True)
class NameRule:
    """The limits one kind of name must respect."""

    max_length: int
    description: str


class NameKind(enum.Enum):
    """Every kind of name goldenpath creates, with the limit that breaks tools when exceeded."""

    KUBERNETES = NameRule(63, "Kubernetes name or label (RFC 1123 label)")
    S3_BUCKET = NameRule(63, "S3 bucket")
    IAM_ROLE = NameRule(64, "IAM role")
    IAM_POLICY = NameRule(128, "IAM policy")
    LOAD_BALANCER = NameRule(32, "ALB or NLB")
    TARGET_GROUP = NameRule(32, "target group")
    EKS_CLUSTER = NameRule(100, "EKS cluster")
    EKS_NODE_GROUP = NameRule(63, "EKS managed node group")
    LAUNCH_TEMPLATE = NameRule(125, "EC2 launch template")
    SECURITY_GROUP = NameRule(255, "security group")
    SLO = NameRule(62, "SLO (alert and runbook names derive from it)")
    PREVIEW = NameRule(48, "preview environment (room for suffixes within the 63 of namespaces and buckets)")

    @property
    def max_length(self) -> int:
        return self.value.max_length


_INVALID = re.compile(r"[^a-z0-9-]+")
_HYPHENS = re.compile(r"-{2,}")


def _readable(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    lowered = _INVALID.sub("-", ascii_text.lower())
    return _HYPHENS.sub("-", lowered).strip("-")


def stable_hash(text: str, length: int = HASH_LENGTH) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def safe_name(text: str, kind: NameKind) -> str:
    """Return a name for ``text`` that is valid and fits ``kind``'s limit.

    Valid for every kind: lowercase letters, digits and single hyphens, starting and
    ending with a letter or digit (the intersection of the AWS and Kubernetes rules).
    """
    if not text:
        raise ValueError("a name needs at least one non-empty part")
    readable = _readable(text)
    if readable == text and len(readable) <= kind.max_length:
        return readable
    room = kind.max_length - len(SEPARATOR) - HASH_LENGTH
    prefix = readable[:room].rstrip("-") or "n"
    return f"{prefix}{SEPARATOR}{stable_hash(text)}"


def label_value(text: str) -> str:
    """Any text (a branch name with slashes, unicode, 200 characters) as a valid label value."""
    return safe_name(text, NameKind.KUBERNETES) if text else "none"


class Naming:
    """Names for one scope (for example one environment): ``Naming("gp", "dev")``.

    ``naming.name("cluster", kind=NameKind.IAM_ROLE)`` gives ``gp-dev-cluster``; every
    construct takes its names from here so that limits are enforced in one place.
    """

    def __init__(self, *prefix: str):
        parts = [p for p in prefix if p]
        if not parts:
            raise ValueError("Naming needs at least one prefix part, e.g. Naming('gp', 'dev')")
        self.prefix: tuple[str, ...] = tuple(parts)

    def child(self, *parts: str) -> Naming:
        return Naming(*self.prefix, *parts)

    def name(self, *parts: str, kind: NameKind = NameKind.KUBERNETES) -> str:
        return safe_name("-".join([*self.prefix, *(p for p in parts if p)]), kind)
