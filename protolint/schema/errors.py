"""`SchemaError`: the one exception for a .proto file that cannot be loaded.

Every stage of loading raises it (reading the file, parsing, building, resolving), always with
the file, line and column of the problem and a message in plain words. It lives in a module of its
own so that a load served from the cache, which runs none of those stages, need not import them.
"""

from __future__ import annotations


class SchemaError(Exception):
    """A .proto file that cannot be loaded: where, and why, in plain words."""

    def __init__(self, path: str, line: int, column: int, message: str) -> None:
        super().__init__(path, line, column, message)
        self.path = path
        self.line = line
        self.column = column
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"
