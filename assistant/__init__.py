"""Glimmer: an offline bedside voice companion for noticing and savoring glimmers."""

__version__ = "0.1.0"
