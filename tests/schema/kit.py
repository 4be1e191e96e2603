"""What the schema tests share: .proto text to parse, .proto files to load, the built-in caffe.proto,
and one .proto file that uses every construct the loader knows.

Imported as `schema.kit` (the tests folder is on the import path).
"""

from __future__ import annotations

import textwrap
from importlib import resources
from pathlib import Path

from protolint.schema.loader import parse_schema
from protolint.schema.model import Schema

BUILTIN_PROTO = Path(str(resources.files("protolint.schema").joinpath("caffe.proto")))


def parse(body: str, syntax: str = "proto2") -> Schema:
    return parse_schema(f'syntax = "{syntax}";\n' + textwrap.dedent(body), "test.proto")


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# It imports dep.proto and pub.proto, which test_descriptors.py writes beside it.
FEATURES_PROTO = """\
// Every construct the loader knows, for comparison with protoc.
syntax = "proto2";

package test.features;

import "dep.proto";
import public "pub.proto";
import weak "google/protobuf/descriptor.proto";

option java_package = "org.example.test";
option optimize_for = CODE_SIZE;
option cc_enable_arenas = true;
;

/* A block comment
 * on a message. */
message Outer {
  option deprecated = true;
  // Leading comment
  required int32 id = 1; // trailing
  optional string name = 0x2 [default = "a\\tb\\x41\\101\\u00e9" 'cd'];
  repeated float values = 03 [packed = true];
  optional double d = 4 [default = -1.5e-3, deprecated = true];
  optional float f = 5 [default = -inf];
  optional float g = 6 [default = nan];
  optional bool b = 7 [default = true];
  optional bytes raw = 8 [default = "\\000\\377xyz\\n\\"'"];
  optional int64 big = 9 [default = -9223372036854775808];
  optional uint64 ubig = 10 [default = 0xFFFFFFFFFFFFFFFF];
  optional sint32 s32 = 11 [default = -17];
  optional sint64 s64 = 12;
  optional fixed32 fx32 = 13 [default = 7];
  optional fixed64 fx64 = 14;
  optional sfixed32 sfx32 = 15 [default = -3];
  optional sfixed64 sfx64 = 16;
  optional uint32 u32 = 17 [default = 4294967295];
  optional Mode mode = 18 [default = FAST];
  optional Inner inner = 19;
  optional .test.features.Outer.Inner inner_abs = 20;
  optional other.pkg.Shared shared = 21;
  optional other.pkg.Color color = 22 [default = GREEN];
  optional pub.Pub pubmsg = 23;
  optional string json = 24 [json_name = "customJson"];
  optional string cord = 25 [ctype = CORD];
  optional float max = 26 [default = 1];
  optional int32 message = 27;
  optional Top top = 28;
  optional double exp = 29 [default = 1E10];
  optional float dot = 30 [default = .25];
  optional float trailing_dot = 31 [default = 5.];
  repeated Mode modes = 32 [packed = true];
  optional string empty = 33 [default = ""];
  optional float third = 34 [default = 0.3333333333];
  optional double sum = 35 [default = 0.30000000000000004];
  optional float huge = 36 [default = 1.5e300];
  optional float tiny = 37 [default = 1e-50];
  optional double small = 38 [default = 1e-8];
  optional double precise = 39 [default = 0.000123456789];
  optional double neg_zero = 46 [default = -0.0];
  optional float f_hex = 47 [default = 0x10];
  optional double million = 48 [default = 1000000];
  optional float near_max = 49 [default = 3.4028235e38];
  optional double x_y_z = 50;

  enum Mode {
    option allow_alias = true;
    SLOW = 0;
    FAST = 1;
    QUICK = 1 [deprecated = true];
    NEG = -5;
    HEX = 0x10;
  }
  message Inner {
    optional Mode mode = 1;
    optional Inner child = 2;
    optional Deeper deeper = 3;
    message Deeper { optional Outer.Mode m = 1; optional Inner back = 2; }
  }
  oneof choice {
    int32 choice_int = 40;
    string choice_str = 41;
    group ChoiceGroup = 42 { optional int32 x = 1; }
  }
  optional group Result = 43 {
    required string url = 1;
    repeated int32 hits = 2;
  }
  map<string, Inner> inner_map = 44;
  map<int32, Mode> mode_map = 45;
  reserved 100, 101 to 105, 1000 to max;
  reserved "old_name", "older";
  extensions 200 to 299, 300;
  extend other.pkg.Shared {
    optional int32 shared_ext = 150;
  }
  ;
}

message Top {
  extensions 10 to max;
  optional int32 a = 1;
}

extend Top {
  optional string top_ext = 10;
  repeated group TopGroup = 11 { optional int32 y = 1; }
}

extend google.protobuf.FieldOptions {
  optional string my_field_opt = 50001;
}

enum TopEnum {
  ZERO = 0;
  ONE = 1;
  reserved 5, 10 to 20, 40 to max;
  reserved "GONE";
}

message Empty {}

message MessageSet {
  option message_set_wire_format = true;
  extensions 4 to max;
}

service Svc {
  option deprecated = true;
  rpc Call (Top) returns (stream Outer);
  rpc Other (stream .test.features.Top) returns (Top) { option deprecated = true; }
  ;
}
"""
