"""Guided practices: the YAML format and its validation, the runner, the library of built-ins."""
