"""The solver rules."""

