"""Release version; `dev` until a release tag sets it."""

__version__ = "0.1.0"
