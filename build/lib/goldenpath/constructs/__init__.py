"""L2 building blocks with secure defaults.

Import from the submodules (``from goldenpath.constructs.bucket import EncryptedBucket``):
each pulls in only the provider classes it uses.
"""
