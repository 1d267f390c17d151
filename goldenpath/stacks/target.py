"""Where synthesized stacks will run: real AWS, or a local AWS emulator (moto server)."""

from __future__ import annotations

from dataclasses import dataclass, field

from goldenpath.errors import GoldenpathError

# Services whose API endpoints the emulator serves for our stacks.
EMULATED_SERVICES = ("budgets", "ec2", "eks", "iam", "kms", "lambda", "logs", "s3", "sns", "sts")


@dataclass(frozen=True)
class EmulatorEndpoint:
    """A local AWS API emulator at ``url`` (e.g. ``http://127.0.0.1:4566``), and the credentials to use there:
    moto serves every account, and tells them apart by the access key (keys of a user it created in an account,
    or of a role session it issued, belong to that account)."""

    url: str
    access_key_id: str = "emulator"
    secret_access_key: str = field(default="emulator", repr=False)
    session_token: str | None = field(default=None, repr=False)

    def environment(self) -> dict[str, str]:
        """These credentials as terraform and boto3 read them from the environment."""
        env = {"AWS_ACCESS_KEY_ID": self.access_key_id, "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
               "AWS_EC2_METADATA_DISABLED": "true"}
        if self.session_token:
            env["AWS_SESSION_TOKEN"] = self.session_token
        return env

    def __post_init__(self) -> None:
        if not self.url.startswith(("http://127.", "http://localhost", "http://[::1]")):
            raise GoldenpathError(f"--aws-endpoint: got {self.url!r}, expected a local emulator on a loopback http:// "
                                  "address (http://127.0.0.1:PORT or http://localhost:PORT); real AWS needs no endpoint")
