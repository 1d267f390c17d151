"""Where synthesized stacks will run: real AWS, or a local AWS emulator (moto server)."""

from __future__ import annotations

from dataclasses import dataclass

from goldenpath.errors import GoldenpathError

# Services whose API endpoints the emulator serves for our stacks.
EMULATED_SERVICES = ("budgets", "ec2", "eks", "iam", "kms", "logs", "s3", "sts")


@dataclass(frozen=True)
class EmulatorEndpoint:
    """A local AWS API emulator at ``url`` (e.g. ``http://127.0.0.1:4566``)."""

    url: str

    def __post_init__(self) -> None:
        if not self.url.startswith(("http://127.", "http://localhost", "http://[::1]")):
            raise GoldenpathError(f"--aws-endpoint: got {self.url!r}, expected a local emulator on a loopback http:// "
                                  "address (http://127.0.0.1:PORT or http://localhost:PORT); real AWS needs no endpoint")
