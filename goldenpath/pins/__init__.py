"""Version pins of what EKS would otherwise choose: managed add-on versions and the node AMI release, per
Kubernetes version, in one table (``versions.yaml`` next to ``environments/``) that ``goldenpath pins
refresh`` writes from the EKS and SSM APIs. Without a pin, the cluster module reads EKS's default at plan
time, so a change is still shown in the plan, and ``validate`` names what is not pinned.
"""
