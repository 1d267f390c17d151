"""Kubernetes versions over time: EKS's support calendar, each environment's support status, and the
next step of its upgrade."""
