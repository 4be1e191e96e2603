#!/usr/bin/env python3
"""Compare two .proto files as schemas, ignoring comments and layout.

Usage: python tools/compare_proto.py A.proto B.proto

Both files are compiled with grpc_tools.protoc into FileDescriptorSets (each is
copied into its own temporary directory under the same file name, so the file
names embedded in the descriptors agree).  Source code info (comments and
locations) is dropped, then the two descriptors are walked side by side and
every difference is printed: missing/extra messages, enums, fields and enum
values; differing number, label, type, type_name, default_value, oneof
membership or options; and differences in declaration order.

Exit status: 0 when the schemas are identical, 1 when they differ, 2 when a
file cannot be compiled.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile

from google.protobuf import descriptor_pb2

COMMON_NAME = "caffe.proto"


def compile_proto(path: str) -> descriptor_pb2.FileDescriptorProto:
    """Compile one .proto file and return its FileDescriptorProto (no source info)."""
    from grpc_tools import protoc

    with tempfile.TemporaryDirectory(prefix="compare_proto_") as tmp:
        src_dir = os.path.join(tmp, "src")
        os.mkdir(src_dir)
        shutil.copyfile(path, os.path.join(src_dir, COMMON_NAME))
        out = os.path.join(tmp, "out.pb")
        rc = protoc.main(["", f"-I{src_dir}", f"--descriptor_set_out={out}", COMMON_NAME])
        if rc != 0:
            raise RuntimeError(f"protoc failed on {path} (exit {rc})")
        fds = descriptor_pb2.FileDescriptorSet()
        with open(out, "rb") as fh:
            fds.ParseFromString(fh.read())
    if len(fds.file) != 1:
        raise RuntimeError(f"expected one file in descriptor set of {path}, got {len(fds.file)}")
    fdp = fds.file[0]
    fdp.ClearField("source_code_info")
    return fdp


def label_name(value: int) -> str:
    return descriptor_pb2.FieldDescriptorProto.Label.Name(value)


def type_name_of(value: int) -> str:
    return descriptor_pb2.FieldDescriptorProto.Type.Name(value)


def fmt_options(opts) -> str:
    text = str(opts).strip().replace("\n", "; ")
    return "{" + text + "}" if text else "{}"


class Comparer:
    def __init__(self) -> None:
        self.diffs: list[str] = []

    def add(self, where: str, what: str) -> None:
        self.diffs.append(f"{where}: {what}")

    # ---- generic helpers -------------------------------------------------

    def compare_order(self, where: str, kind: str, a_names: list[str], b_names: list[str]) -> None:
        """Report a different relative order of the names both sides have."""
        common = set(a_names) & set(b_names)
        a_seq = [n for n in a_names if n in common]
        b_seq = [n for n in b_names if n in common]
        if a_seq != b_seq:
            for i, (x, y) in enumerate(zip(a_seq, b_seq)):
                if x != y:
                    self.add(where, f"{kind} order differs at position {i}: A has {x!r}, B has {y!r}")
                    break
            self.add(where, f"{kind} order A: {a_seq}")
            self.add(where, f"{kind} order B: {b_seq}")

    def compare_presence(self, where: str, kind: str, a_names: list[str], b_names: list[str]) -> list[str]:
        a_set, b_set = set(a_names), set(b_names)
        for n in a_names:
            if n not in b_set:
                self.add(where, f"{kind} {n!r} only in A (missing from B)")
        for n in b_names:
            if n not in a_set:
                self.add(where, f"{kind} {n!r} only in B (extra)")
        self.compare_order(where, kind, a_names, b_names)
        return [n for n in a_names if n in b_set]

    def compare_options(self, where: str, a, b) -> None:
        if a.SerializeToString(deterministic=True) != b.SerializeToString(deterministic=True):
            self.add(where, f"options differ: A {fmt_options(a)} vs B {fmt_options(b)}")

    # ---- file ------------------------------------------------------------

    def compare_file(self, a: descriptor_pb2.FileDescriptorProto, b: descriptor_pb2.FileDescriptorProto) -> None:
        where = "file"
        for attr in ("package", "syntax"):
            if getattr(a, attr) != getattr(b, attr):
                self.add(where, f"{attr} differs: A {getattr(a, attr)!r} vs B {getattr(b, attr)!r}")
        if list(a.dependency) != list(b.dependency):
            self.add(where, f"imports differ: A {list(a.dependency)} vs B {list(b.dependency)}")
        self.compare_options(where, a.options, b.options)
        self.compare_messages(where, list(a.message_type), list(b.message_type))
        self.compare_enums(where, list(a.enum_type), list(b.enum_type))
        self.compare_field_lists(where + " extensions", list(a.extension), list(b.extension), [], [])
        a_srv = [s.name for s in a.service]
        b_srv = [s.name for s in b.service]
        for name in self.compare_presence(where, "service", a_srv, b_srv):
            sa = next(s for s in a.service if s.name == name)
            sb = next(s for s in b.service if s.name == name)
            if sa.SerializeToString(deterministic=True) != sb.SerializeToString(deterministic=True):
                self.add(f"service {name}", "definition differs")

    # ---- messages --------------------------------------------------------

    def compare_messages(self, where: str, a_list, b_list) -> None:
        a_by = {m.name: m for m in a_list}
        b_by = {m.name: m for m in b_list}
        prefix = "" if where == "file" else where.split(" ", 1)[1] + "."
        for name in self.compare_presence(where, "message", [m.name for m in a_list], [m.name for m in b_list]):
            self.compare_message(f"message {prefix}{name}", a_by[name], b_by[name])

    def compare_message(self, where: str, a: descriptor_pb2.DescriptorProto, b: descriptor_pb2.DescriptorProto) -> None:
        self.compare_options(where, a.options, b.options)
        a_oneofs = [o.name for o in a.oneof_decl]
        b_oneofs = [o.name for o in b.oneof_decl]
        for name in self.compare_presence(where, "oneof", a_oneofs, b_oneofs):
            oa = a.oneof_decl[a_oneofs.index(name)]
            ob = b.oneof_decl[b_oneofs.index(name)]
            self.compare_options(f"{where} oneof {name}", oa.options, ob.options)
        self.compare_field_lists(where, list(a.field), list(b.field), a_oneofs, b_oneofs)
        self.compare_field_lists(where + " extensions", list(a.extension), list(b.extension), a_oneofs, b_oneofs)
        ranges_a = [(r.start, r.end) for r in a.extension_range]
        ranges_b = [(r.start, r.end) for r in b.extension_range]
        if ranges_a != ranges_b:
            self.add(where, f"extension ranges differ: A {ranges_a} vs B {ranges_b}")
        res_a = [(r.start, r.end) for r in a.reserved_range]
        res_b = [(r.start, r.end) for r in b.reserved_range]
        if res_a != res_b:
            self.add(where, f"reserved ranges differ: A {res_a} vs B {res_b}")
        if list(a.reserved_name) != list(b.reserved_name):
            self.add(where, f"reserved names differ: A {list(a.reserved_name)} vs B {list(b.reserved_name)}")
        self.compare_messages(where, list(a.nested_type), list(b.nested_type))
        self.compare_enums(where, list(a.enum_type), list(b.enum_type))

    def compare_field_lists(self, where: str, a_list, b_list, a_oneofs, b_oneofs) -> None:
        if not a_list and not b_list:
            return
        a_by = {f.name: f for f in a_list}
        b_by = {f.name: f for f in b_list}
        for name in self.compare_presence(where, "field", [f.name for f in a_list], [f.name for f in b_list]):
            fa, fb = a_by[name], b_by[name]
            fwhere = f"{where} field {name}"
            if fa.number != fb.number:
                self.add(fwhere, f"number differs: A {fa.number} vs B {fb.number}")
            if fa.label != fb.label:
                self.add(fwhere, f"label differs: A {label_name(fa.label)} vs B {label_name(fb.label)}")
            if fa.type != fb.type:
                self.add(fwhere, f"type differs: A {type_name_of(fa.type)} vs B {type_name_of(fb.type)}")
            if fa.type_name != fb.type_name:
                self.add(fwhere, f"type_name differs: A {fa.type_name!r} vs B {fb.type_name!r}")
            if fa.extendee != fb.extendee:
                self.add(fwhere, f"extendee differs: A {fa.extendee!r} vs B {fb.extendee!r}")
            if fa.HasField("default_value") != fb.HasField("default_value") or fa.default_value != fb.default_value:
                da = repr(fa.default_value) if fa.HasField("default_value") else "(none)"
                db = repr(fb.default_value) if fb.HasField("default_value") else "(none)"
                self.add(fwhere, f"default_value differs: A {da} vs B {db}")
            oa = a_oneofs[fa.oneof_index] if fa.HasField("oneof_index") else None
            ob = b_oneofs[fb.oneof_index] if fb.HasField("oneof_index") else None
            if oa != ob:
                self.add(fwhere, f"oneof differs: A {oa!r} vs B {ob!r}")
            if fa.json_name != fb.json_name:
                self.add(fwhere, f"json_name differs: A {fa.json_name!r} vs B {fb.json_name!r}")
            if fa.proto3_optional != fb.proto3_optional:
                self.add(fwhere, f"proto3_optional differs: A {fa.proto3_optional} vs B {fb.proto3_optional}")
            self.compare_options(fwhere, fa.options, fb.options)
        # Also flag fields whose numbers are equal but names differ (renames).
        a_num = {f.number: f.name for f in a_list}
        b_num = {f.number: f.name for f in b_list}
        for num in sorted(set(a_num) & set(b_num)):
            if a_num[num] != b_num[num]:
                self.add(where, f"field number {num} is {a_num[num]!r} in A but {b_num[num]!r} in B")

    # ---- enums -----------------------------------------------------------

    def compare_enums(self, where: str, a_list, b_list) -> None:
        a_by = {e.name: e for e in a_list}
        b_by = {e.name: e for e in b_list}
        prefix = "" if where == "file" else where.split(" ", 1)[1] + "."
        for name in self.compare_presence(where, "enum", [e.name for e in a_list], [e.name for e in b_list]):
            self.compare_enum(f"enum {prefix}{name}", a_by[name], b_by[name])

    def compare_enum(self, where: str, a: descriptor_pb2.EnumDescriptorProto, b: descriptor_pb2.EnumDescriptorProto) -> None:
        self.compare_options(where, a.options, b.options)
        a_by = {v.name: v for v in a.value}
        b_by = {v.name: v for v in b.value}
        for name in self.compare_presence(where, "value", [v.name for v in a.value], [v.name for v in b.value]):
            va, vb = a_by[name], b_by[name]
            if va.number != vb.number:
                self.add(f"{where} value {name}", f"number differs: A {va.number} vs B {vb.number}")
            self.compare_options(f"{where} value {name}", va.options, vb.options)
        res_a = [(r.start, r.end) for r in a.reserved_range]
        res_b = [(r.start, r.end) for r in b.reserved_range]
        if res_a != res_b:
            self.add(where, f"reserved ranges differ: A {res_a} vs B {res_b}")
        if list(a.reserved_name) != list(b.reserved_name):
            self.add(where, f"reserved names differ: A {list(a.reserved_name)} vs B {list(b.reserved_name)}")


def count(fdp: descriptor_pb2.FileDescriptorProto) -> tuple[int, int, int, int]:
    """(messages, enums, fields, enum values), nested ones included."""
    msgs = enums = fields = values = 0

    def walk_enum(e):
        nonlocal enums, values
        enums += 1
        values += len(e.value)

    def walk_msg(m):
        nonlocal msgs, fields
        msgs += 1
        fields += len(m.field)
        for n in m.nested_type:
            walk_msg(n)
        for e in m.enum_type:
            walk_enum(e)

    for m in fdp.message_type:
        walk_msg(m)
    for e in fdp.enum_type:
        walk_enum(e)
    return msgs, enums, fields, values


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    path_a, path_b = argv[1], argv[2]
    try:
        a = compile_proto(path_a)
        b = compile_proto(path_b)
    except (RuntimeError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    cmp = Comparer()
    cmp.compare_file(a, b)

    # Safety net: anything the walk above does not look at still shows up here.
    same_bytes = a.SerializeToString(deterministic=True) == b.SerializeToString(deterministic=True)
    if not cmp.diffs and not same_bytes:
        cmp.add("file", "descriptors differ in some attribute not covered by the detailed comparison")

    print(f"A: {path_a}  ({'%d messages, %d enums, %d fields, %d enum values' % count(a)})")
    print(f"B: {path_b}  ({'%d messages, %d enums, %d fields, %d enum values' % count(b)})")
    if cmp.diffs:
        for line in cmp.diffs:
            print(line)
        print(f"{len(cmp.diffs)} difference(s)")
        return 1
    print("no differences: schemas are identical (source_code_info ignored)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
