"""goldenpath: infrastructure-as-code constructs for an internal developer platform."""

from goldenpath._node import ensure_jsii_node

__version__ = "0.1.0"

# Must run before the first `import jsii` anywhere in the process.
ensure_jsii_node()
