"""Message wording shared by every rule family: numbers, layer names and lists of net states.

Rules phrase their findings with these, so the same value reads the same way in every message.
"""

from __future__ import annotations


def fmt(value) -> str:
    """A number as a message shows it: 1.0 -> "1", 0.5 -> "0.5", 1e-06 -> "1e-06"."""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:g}"
    return str(value)


def layer_name(layer) -> str:
    """A layer's name, or its position ("#3") when it has none."""
    return layer.name or f"#{layer.index + 1}"


def layer_label(layer) -> str:
    """A layer's type and name: `Convolution "conv1"`."""
    return f'{layer.type} "{layer.name}"' if layer.name else layer.type


def describe_states(states) -> str:
    """"TRAIN", "TRAIN and TEST", "TEST #1, TEST #2 and TEST #3"."""
    names: list[str] = []
    for state in states:
        text = state.describe()
        if text not in names:
            names.append(text)
    if len(names) <= 1:
        return names[0] if names else ""
    return ", ".join(names[:-1]) + " and " + names[-1]


def in_states(net, states) -> str:
    """" (TRAIN and TEST)" for messages, or "" when the net is the same in every state."""
    return f" ({describe_states(states)})" if states and net.phase_dependent else ""


def net_label(net) -> str:
    """How messages name a net: the solver field holding an embedded net, else "this net"."""
    field = net.usage.embedded_field
    return field.name if field is not None else "this net"


def and_more(count: int, noun: str) -> str:
    """The rest of a group after its first member: "", " and 1 more layer", " and 12 more layers"."""
    if count <= 0:
        return ""
    return f" and {count} more {noun}{'s' if count > 1 else ''}"
