"""The filler rules."""

