"""Shared foundation of every layer: the one Settings object and the user-facing error.

Nothing here imports corpus/, index/ or assistant/, so every layer may import it.
"""

from core.errors import GuideError
from core.settings import Settings

__all__ = ["GuideError", "Settings"]
