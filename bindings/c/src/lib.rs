//! The C ABI of localcare (work in progress).
