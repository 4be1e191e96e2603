"""Memoisation on the model objects themselves.

Rules ask the same questions of the same layer, graph or net many times (its fillers, its
ParamSpecs, the shapes of a graph, the backward pass of a state). Every answer is kept in the
`memo` dict of the object it is about, so it lives exactly as long as that object: one scheme for
the whole model, no module-level caches to leak or go stale in a long-running editor session.
"""

from __future__ import annotations

import functools


def cached(owner, key, compute):
    """`owner.memo[key]`, computed by `compute()` the first time."""
    memo = owner.memo
    if key in memo:
        return memo[key]
    value = memo[key] = compute()
    return value


def per_layer(function):
    """Memoise a function of one model object (a Layer, a BlobGraph, a Net) on the object."""
    key = f"{function.__module__}.{function.__qualname__}"

    @functools.wraps(function)
    def memoised(owner):
        memo = owner.memo
        if key in memo:
            return memo[key]
        value = memo[key] = function(owner)
        return value

    return memoised
