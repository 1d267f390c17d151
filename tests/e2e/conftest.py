"""The end-to-end tier needs real terraform and the hashicorp/aws filesystem mirror.

Missing either is a failure, never a skip: a check that cannot run must say so loudly.
"""

from __future__ import annotations

import pytest

from goldenpath.deploy.terraform import find_aws_mirror, terraform_version
from goldenpath.errors import GoldenpathError


@pytest.fixture(scope="session")
def terraform_and_mirror():
    from goldenpath.deploy.terraform import find_terraform

    try:
        binary = find_terraform()
    except GoldenpathError as exc:
        pytest.fail(f"end-to-end tier cannot run: {exc}")
    version = terraform_version(binary)
    if not version or tuple(int(x) for x in version.split(".")[:2]) < (1, 10):
        pytest.fail(f"end-to-end tier cannot run: terraform {version} at {binary}, expected >= 1.10")
    mirror = find_aws_mirror()
    if mirror is None:
        pytest.fail("end-to-end tier cannot run: no hashicorp/aws filesystem mirror (set GOLDENPATH_TF_MIRROR)")
    return binary, mirror
