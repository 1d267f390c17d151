"""Who each CI job is: the roles goldenpath's pipelines assume, the exact OIDC subjects each trusts, what each may
do, and how IAM answers a job's token (pure Python: the stacks create the roles from it, the delivery pipeline and
its workflows name them, the tests match one against the other)."""
