"""Service modules: one per Microsoft surface, each usable on its own from a script."""
