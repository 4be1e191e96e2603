"""Value classes without dataclasses (generating a dataclass costs about 0.3 ms of start-up each):
a class lists its fields in __slots__ and gets equality, a repr and, if it is `Frozen`, a hash."""

from __future__ import annotations


class Record:
    """Equal to a record of the same class whose fields (its __slots__, in order) are equal; shown
    with its fields. Unhashable: a record may change."""

    __slots__ = ()
    __hash__ = None

    def _fields(self) -> tuple:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other):
        return self._fields() == other._fields() if other.__class__ is self.__class__ else NotImplemented

    def __repr__(self):
        shown = ", ".join(f"{name}={value!r}" for name, value in zip(self.__slots__, self._fields()))
        return f"{type(self).__name__}({shown})"


class Frozen(Record):
    """A record that does not change once made: hashed by its fields as well (it can be a key)."""

    __slots__ = ()

    def __hash__(self):
        return hash(self._fields())
