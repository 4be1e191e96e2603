"""Options in a .proto file: `option x = v;` statements and `[x = v]` lists, read and checked.

A built-in option is checked the way protoc checks it, against its declaration in protobuf's own
descriptor.proto (FileOptions, MessageOptions, FieldOptions, ...): the name must exist there and
the value must fit its type, so `option java_pakage = "x";` is an error with a did-you-mean. The
declarations come from the protobuf runtime, which is imported only when a file sets a built-in
option. A custom option, `(my.ext) = ...`, is kept as written: its declaration would be an
extension the schema itself defines, which protolint does not interpret.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from protolint.schema.model import DESCRIPTOR_TYPE_NAMES
from protolint.schema.proto_parser import (
    Constant,
    ProtoFile,
    constant_python_value,
    did_you_mean,
    first_token,
    scalar_value,
    type_ref_text,
)

if TYPE_CHECKING:
    from lark import Token, Tree


def read_option(file: ProtoFile, tree: Tree, into: dict[str, object], options_message: str) -> None:
    """Store one `option name = value;` statement in `into`; `options_message` is where it is declared."""
    name, first = option_name(tree.children[0])
    constant = file.constant(tree.children[1])
    if name in into:
        raise file.error_at(first, f'the option "{name}" is set twice')
    into[name] = option_value(file, name, constant, options_message, first)


def option_name(tree: Tree) -> tuple[str, Token]:
    """An option's name as written (`deprecated`, `(my.ext).size`) and its first token."""
    parts = []
    for part in tree.children:
        if part.data == "simple_option_part":
            parts.append(str(part.children[0]))
        else:
            name, _ = type_ref_text(part.children[0])
            parts.append(f"({name})")
    return ".".join(parts), first_token(tree)


def option_value(file: ProtoFile, name: str, constant: Constant, options_message: str, at: Token) -> object:
    """A built-in option's value checked against descriptor.proto; custom options kept as written."""
    if name.startswith("("):
        return constant_python_value(constant)
    from google.protobuf import descriptor_pb2

    descriptor = getattr(descriptor_pb2, options_message).DESCRIPTOR
    option = descriptor.fields_by_name.get(name)
    if option is None or name in ("uninterpreted_option", "features"):
        known = [n for n in descriptor.fields_by_name if n not in ("uninterpreted_option", "features")]
        hint = did_you_mean(name, known)
        raise file.error_at(at, f'unknown option "{name}"{hint}')
    if option.message_type is not None:
        raise file.error_at(at, f'the option "{name}" takes a message value, which protolint does not support')
    try:
        if option.enum_type is not None:
            if (
                constant.kind != "ident"
                or constant.negative
                or constant.value not in option.enum_type.values_by_name
            ):
                names = ", ".join(option.enum_type.values_by_name)
                raise ValueError(f"one of {names}")
            return constant.value
        return scalar_value(DESCRIPTOR_TYPE_NAMES[option.type], constant)
    except ValueError as exc:
        raise file.error(
            constant.line, constant.column, f'the option "{name}" must be {exc}, not {constant.text}'
        ) from None
