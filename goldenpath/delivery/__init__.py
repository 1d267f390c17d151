"""Delivering changes on GitHub Actions: the roles each pipeline job uses and the OIDC subjects they trust, which
stacks a change affects, plan summaries and the comment a pull request gets, the apply gate, drift, and the thin
workflows that call these commands."""
