"""The payments organisation's own checkov checks (checkov loads this folder as a package)."""
