"""Moved to :mod:`goldenpath.modules.preview_request` (the preview module's own input); kept so
existing imports keep working."""

from goldenpath.modules.preview_request import *  # noqa: F401,F403
from goldenpath.modules.preview_request import STATE_PREFIX, PreviewError, PreviewRequest, expiry_label, label_value, preview_name  # noqa: F401
