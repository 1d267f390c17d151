"""Policy as code: checkov (with goldenpath's own checks) and suppressions declared in code."""
