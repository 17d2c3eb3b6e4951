"""epack collector for Microsoft Entra ID and Azure posture (aggregate-only evidence)."""

from collector._version import __version__

__all__ = ["__version__"]
