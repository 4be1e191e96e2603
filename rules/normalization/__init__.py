"""The normalization rules."""

