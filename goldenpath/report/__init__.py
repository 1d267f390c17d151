"""The platform report: one static HTML page (no external assets) drawn from the policy gate's result."""
