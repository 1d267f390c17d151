"""Cost estimates from synthesized Terraform JSON (work in progress for issue #11: estimator core and
price snapshot; budgets, `cost diff`, `cost refresh` and the report are still to come)."""
