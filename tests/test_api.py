"""The public API: lazy exports and a current reference."""

from __future__ import annotations

import subprocess
import sys

from goldenpath.reference import api_reference
from tests.conftest import REPO


def test_api_reference_is_current():
    assert (REPO / "docs" / "api.md").read_text() == api_reference(), "run `make api-docs`"


def test_every_export_resolves_and_is_documented():
    import goldenpath.constructs as constructs
    import goldenpath.modules as modules

    reference = api_reference()
    for package in (constructs, modules):
        for name in package.__all__:
            assert getattr(package, name).__name__ == name
            assert f"### `{name}`" in reference


def test_importing_one_construct_does_not_load_every_provider_binding():
    code = ("import sys; from goldenpath.constructs import KmsKey; "
            "print(sorted(m for m in sys.modules if m.startswith('cdktn_provider_')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "cdktn_provider_aws.kms_key" in loaded
    assert "cdktn_provider_aws.eks_cluster" not in loaded and "cdktn_provider_helm" not in loaded
