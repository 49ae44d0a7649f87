#!/usr/bin/env python3
"""Writes a C program that prints the ABI of include/localcare.h: every struct's size,
alignment and each field's offset, size and type, every enum constant's value, every
numeric LC_ macro, every function's prototype and every opaque handle. scripts/test-c compiles and runs it and compares the
output with bindings/c/abi/layout.txt, so a struct, field, enum or constant that changes
without that file (and the ABI changelog in bindings/c/README.md) changing fails.

The structs and fields are found in the header itself, so a struct added later is
checked without touching this file.

usage: layout.py include/localcare.h > layout.c
"""
import re
import sys

text = open(sys.argv[1], encoding="utf-8").read()
# Comments out, preprocessor lines kept apart.
code = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
code = re.sub(r"//[^\n]*", "", code)

out = [
    "#include <stddef.h>",
    "#include <stdio.h>",
    "#include <localcare.h>",
    "int main(void) {",
]


def emit(fmt, *args):
    a = "".join(", " + x for x in args)
    out.append(f'    printf("{fmt}\\n"{a});')


for m in re.finditer(r"\bstruct\s+(\w+)\s*\{(.*?)\}", code, flags=re.S):
    name, body = m.group(1), m.group(2)
    t = f"struct {name}"
    emit(f"{t} size %zu align %zu", f"sizeof({t})", f"_Alignof({t})")
    for decl in body.split(";"):
        decl = decl.strip()
        if not decl:
            continue
        fp = re.search(r"\(\s*\*\s*(\w+)\s*\)", decl)
        field = fp.group(1) if fp else re.findall(r"(\w+)\s*(?:\[[^\]]*\])?\s*$", decl)[0]
        decl = " ".join(decl.split())
        emit(f"  {name}.{field} offset %zu size %zu: {decl}", f"offsetof({t}, {field})",
             f"sizeof((({t} *)0)->{field})")

for m in re.finditer(r"\benum\s+(\w+)\s*(?:#[^\n]*\n|:[^{]*|\s)*\{(.*?)\}", code, flags=re.S):
    for const in re.findall(r"(\w+)\s*=", m.group(2)):
        emit(f"enum {m.group(1)} {const} %lld", f"(long long){const}")

for name in re.findall(r"^#define\s+(LC_\w+)\s+[-\w(]", code, flags=re.M):
    if name.startswith("LC_VERSION_STRINGIFY") or name == "LC_VERSION":
        continue
    emit(f"define {name} %lld", f"(long long)({name})")

# Every function's prototype, so that a signature changed under the same name (which the
# symbol list cannot see) fails too.
for m in re.finditer(r"^([A-Za-z_][\w \t\*]*?\b(lc_\w+)\s*\([^;{]*\))\s*;", code, flags=re.M | re.S):
    proto = " ".join(m.group(1).split()).replace('"', '\\"')
    emit(f"function {proto}")

for name in sorted(set(re.findall(r"typedef struct (\w+) \1;", code))):
    emit(f"opaque {name}")

out += ["    return 0;", "}"]
print("\n".join(out))
