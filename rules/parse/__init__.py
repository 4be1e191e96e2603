"""The parse rules."""

