"""Errors that goldenpath reports to a person: one clear message, never a traceback."""

from __future__ import annotations


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
