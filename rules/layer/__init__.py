"""The layer rules."""

