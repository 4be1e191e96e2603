"""The data rules."""

