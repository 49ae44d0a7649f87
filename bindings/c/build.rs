//! Gives the shared library its SONAME, `liblocalcare.so.MAJOR` (the C ABI's major
//! version, this crate's), on Linux, so programs linked against it keep working across
//! compatible releases and refuse to load an incompatible one.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_default();
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,liblocalcare.so.{major}");
    }
}
