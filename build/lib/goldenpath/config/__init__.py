"""Typed environment model and its loader."""

from goldenpath.config.loader import load_environment, load_environments, parse_environment
from goldenpath.config.model import SUPPORTED_KUBERNETES_VERSIONS, Environment

__all__ = ["SUPPORTED_KUBERNETES_VERSIONS", "Environment", "load_environment", "load_environments", "parse_environment"]
