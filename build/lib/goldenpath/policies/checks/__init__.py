"""goldenpath's own checkov checks, loaded with ``--external-checks-dir``.

Each module defines one check object at import time, as checkov expects.
"""
