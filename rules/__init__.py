"""protolint's built-in rules: one module per rule at rules/<family>/<rule_name>.py, listed in code
order in rules/builtin.py (with the reserved codes).

The family folder follows the code letter: P parse, S solver, N net, L layer, F filler,
B normalization, D data, X suppression. This package imports nothing itself, so that a rule's
module (and its family's helpers) can be imported alone.
"""
