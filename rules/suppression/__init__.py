"""The suppression rules."""

