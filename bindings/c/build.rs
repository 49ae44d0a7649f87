//! Gives the shared library its SONAME, `liblocalcare.so.0`, on Linux, so programs
//! linked against it keep working across compatible (0.x) releases.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,liblocalcare.so.0");
    }
}
