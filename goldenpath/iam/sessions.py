"""A role session's ARN as STS reports it (``sts get-caller-identity``)."""

from __future__ import annotations

import re

ASSUMED_ROLE = re.compile(r"^arn:aws[a-z-]*:sts::(\d{12}):assumed-role/([^/]+)/(.+)$")
"""``arn:<partition>:sts::<account>:assumed-role/<role name>/<session name>`` (STS drops the role's path)."""
