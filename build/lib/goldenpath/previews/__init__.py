"""Preview environments per pull request: identity, guardrails, lifecycle (pure Python)."""
