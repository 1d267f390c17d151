"""Errors that goldenpath reports to a person: one clear message, never a traceback."""

from __future__ import annotations

from urllib.parse import urlsplit


class GoldenpathError(Exception):
    """An error whose message is complete on its own; the CLI prints it and exits 2."""

    exit_code = 2


class ConfigError(GoldenpathError):
    """An environment file is malformed or asks for something the platform does not allow."""

    def __init__(self, file: str, problems: list[str]):
        self.file = file
        self.problems = problems
        lines = [f"{file}: {p}" for p in problems]
        super().__init__("\n".join(lines))


class SynthError(GoldenpathError):
    """A construct was given props it cannot honour (raised while building stacks)."""


def aws_error_message(exc: BaseException) -> str | None:
    """One line for an AWS API failure (nothing listening, no credentials, a refusal), or None if ``exc`` is not one."""
    try:
        from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError
    except ImportError:  # pragma: no cover - boto3 is a dependency
        return None
    if isinstance(exc, EndpointConnectionError):
        return (f"cannot reach {_origin(exc.kwargs.get('endpoint_url', ''))}: nothing answers there; expected AWS, "
                "or a running emulator for --aws-endpoint")
    if isinstance(exc, NoCredentialsError):
        return "no AWS credentials found; expected AWS_PROFILE, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, SSO, or OIDC in CI"
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        operation = getattr(exc, "operation_name", "an AWS call")
        return f"AWS refused {operation}: {error.get('Code', 'error')}: {error.get('Message', '')}".rstrip(": ")
    return None


def _origin(url: str) -> str:
    """``http://127.0.0.1:9/bucket?list-type=2`` -> ``http://127.0.0.1:9/``: where, without the request's path."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/" if parts.scheme and parts.netloc else (url or "the AWS endpoint")
