"""The one place goldenpath's version is written (pyproject reads it; see CHANGELOG.md)."""

__version__ = "0.22.0"
