"""Cost: monthly estimates from synthesized Terraform JSON with dated prices, budgets, cost diffs, and
refreshing the prices from the AWS Price List API."""
