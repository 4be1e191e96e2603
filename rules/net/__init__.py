"""The net rules."""

