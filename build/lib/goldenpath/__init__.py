"""goldenpath: infrastructure-as-code constructs for an internal developer platform."""

from goldenpath._node import ensure_jsii_node

from goldenpath._version import __version__  # noqa: F401

# Must run before the first `import jsii` anywhere in the process.
ensure_jsii_node()
