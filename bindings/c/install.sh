#!/usr/bin/env bash
# Installs the C face into PREFIX from a finished release build:
#   PREFIX/include/localcare.h
#   PREFIX/lib/liblocalcare.so.VERSION, liblocalcare.so.MAJOR -> it, liblocalcare.so -> .so.MAJOR
#   PREFIX/lib/liblocalcare.a
#   PREFIX/lib/pkgconfig/localcare.pc
# usage: bindings/c/install.sh PREFIX   (after: cargo build -p localcare-ffi --release --locked)
set -euo pipefail
cd "$(dirname "$0")/../.."
prefix=${1:?usage: bindings/c/install.sh PREFIX}
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)
release=${CARGO_TARGET_DIR:-target}/release
# The C library's own version (its ABI's; bindings/c/README.md), not the workspace's.
version=$(sed -n 's/^version = "\(.*\)"/\1/p' bindings/c/Cargo.toml | head -n1)
major=${version%%.*}
for f in "$release/liblocalcare.so" "$release/liblocalcare.a"; do
    [[ -f $f ]] || { echo "install.sh: $f is missing; run cargo build -p localcare-ffi --release --locked" >&2; exit 1; }
done
# What a program linking the static library also needs (from rustc itself).
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
native=$(rustc --print native-static-libs --crate-type staticlib --out-dir "$scratch" - </dev/null 2>&1 |
    sed -n 's/.*native-static-libs: //p')
mkdir -p "$prefix/include" "$prefix/lib/pkgconfig"
install -m 0644 include/localcare.h "$prefix/include/localcare.h"
install -m 0755 "$release/liblocalcare.so" "$prefix/lib/liblocalcare.so.$version"
ln -sf "liblocalcare.so.$version" "$prefix/lib/liblocalcare.so.$major"
ln -sf "liblocalcare.so.$major" "$prefix/lib/liblocalcare.so"
install -m 0644 "$release/liblocalcare.a" "$prefix/lib/liblocalcare.a"
sed -e "s|@PREFIX@|$prefix|" -e "s|@VERSION@|$version|" -e "s|@NATIVE_LIBS@|$native|" \
    bindings/c/localcare.pc.in >"$prefix/lib/pkgconfig/localcare.pc"
echo "installed localcare $version into $prefix"
