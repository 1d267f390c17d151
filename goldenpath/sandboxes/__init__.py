"""Sandbox tiers: self-service, time-boxed, budget-capped sandboxes (a tenant namespace, or an IAM role
with a permission boundary) whose worst-case spend is checked before anything exists, and whose clean-up
is verified rather than assumed. See the README's "Sandboxes" section."""
