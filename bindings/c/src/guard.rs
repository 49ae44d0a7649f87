//! The boundary every entry point keeps, written once: the macros below (each entry
//! point's body runs in [`entry!`], borrows its handles with [`try_ref!`] and writes its
//! results with [`put!`] or [`text_out!`]), and the thread's last error message.

use std::cell::RefCell;
use std::ffi::c_char;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::error::{Result, lc_status};
use crate::text::write_text;

/// The body of an entry point: runs in [`ffi_call`], so a panic becomes `LC_PANIC`, an
/// error its status, and the thread's last error is set; `?` works inside.
macro_rules! entry {
    ($($body:tt)*) => {
        $crate::guard::ffi_call(|| -> $crate::error::Result<()> {
            { $($body)* }
            Ok(())
        })
    };
}

/// Borrows a handle or struct argument, or returns `LC_NULL_ARGUMENT` naming it.
macro_rules! try_ref {
    ($p:ident) => {
        // SAFETY: the caller's contract: NULL or pointing to a live value for the call.
        unsafe { $crate::text::ref_arg($p, stringify!($p)) }?
    };
}

/// Borrows a handle argument mutably (a builder), or returns `LC_NULL_ARGUMENT`.
macro_rules! try_mut {
    ($p:ident) => {
        // SAFETY: the caller's contract: NULL or a live value no other thread uses.
        unsafe { $crate::text::ref_arg($p.cast_const(), stringify!($p)).map(|_| &mut *$p) }?
    };
}

/// Writes a value through an out-pointer argument, once it is computed: NULL gives
/// `LC_NULL_ARGUMENT` naming it, and on any error nothing is written.
macro_rules! put {
    ($out:ident, $value:expr) => {{
        let value = $value;
        $crate::text::out_ptr($out, stringify!($out))?;
        // SAFETY: checked non-NULL and aligned above; writable by the caller's contract.
        unsafe { $out.write(value) }
    }};
}

/// Copies text into the caller's `(buf, len, needed)` (see "Text out" in the header).
macro_rules! text_out {
    ($text:expr, $buf:ident, $len:ident, $needed:ident) => {{
        let text: &str = $text;
        // SAFETY: the caller's contract: `buf` holds `len` bytes, `needed` NULL or writable.
        unsafe { $crate::text::write_text(text, $buf, $len, $needed) }?
    }};
}

/// Reads a UTF-8 string argument, `(ptr, len)` or an `lc_str`, naming it in errors.
macro_rules! try_str {
    ($p:ident, $len:ident) => {
        // SAFETY: the caller's contract: `len` readable bytes at `ptr`, or NULL with 0.
        unsafe { $crate::text::str_arg($p, $len, stringify!($p)) }?
    };
    ($s:ident) => {
        // SAFETY: as above, for the `lc_str`'s bytes.
        unsafe { $crate::text::str_arg($s.ptr, $s.len, stringify!($s)) }?
    };
}

/// Reads an optional `lc_str` argument: `None` when its `ptr` is NULL.
macro_rules! opt_str {
    ($s:ident) => {
        match $s.ptr.is_null() {
            true => None,
            false => Some(try_str!($s)),
        }
    };
}

thread_local! {
    /// The last error message of this thread; empty after a call that succeeded.
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

fn set_last_error(message: String) {
    // `try_with`: during thread teardown the slot may be gone; the status still says it.
    let _ = LAST_ERROR.try_with(|m| *m.borrow_mut() = message);
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let what = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic without a message");
    format!("internal error in localcare (please report): {what}")
}

/// Runs one entry point: clears the thread's last error, runs `f` catching any panic,
/// and turns the outcome into a status (setting the message on failure).
pub(crate) fn ffi_call<F: FnOnce() -> Result<()>>(f: F) -> lc_status {
    set_last_error(String::new());
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => lc_status::LC_OK,
        Ok(Err(e)) => {
            set_last_error(e.message);
            e.status
        }
        Err(payload) => {
            set_last_error(panic_message(&*payload));
            lc_status::LC_PANIC
        }
    }
}

/// The body of every `*_free`: drops a handle made by `Box::into_raw`; NULL does
/// nothing; a panic in a destructor stops here.
///
/// # Safety
///
/// `handle` must be NULL or a pointer from `Box::into_raw` not yet freed, which no
/// other thread is using.
pub(crate) unsafe fn free_handle<T>(handle: *mut T) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        if !handle.is_null() {
            // SAFETY: caller's contract: from Box::into_raw, not yet freed.
            drop(unsafe { Box::from_raw(handle) });
        }
    }));
}

/// Hands a new handle to the caller through `out` (checked first).
pub(crate) fn give<T>(out: *mut *mut T, value: T) -> Result<()> {
    crate::text::out_ptr(out, "out")?;
    // SAFETY: checked non-NULL and aligned; writable by the caller's contract.
    unsafe { out.write(Box::into_raw(Box::new(value))) };
    Ok(())
}

/// Copies the calling thread's last error message into `buf`, NUL-terminated.
///
/// The message is the one set by the last function called on this thread that
/// returned a status other than `LC_OK`; every other function clears it on entry, so
/// after a success it is empty. This function itself never changes it, so it may be
/// called twice (once to learn the length, once to copy).
///
/// - `buf`: caller-owned, `len` bytes; may be NULL only when `len` is 0.
/// - `needed`: if not NULL, receives the message's length in bytes, *excluding* the
///   terminating NUL (as `strlen` counts), on `LC_OK` and on `LC_BUFFER_TOO_SMALL`.
///
/// Returns `LC_BUFFER_TOO_SMALL` when `len < *needed + 1`, leaving `buf` untouched.
///
/// # Safety
///
/// `buf` must be NULL or point to `len` writable bytes; `needed` must be NULL or point
/// to a writable `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_last_error_message(
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> lc_status {
    let f = || -> Result<()> {
        let message = LAST_ERROR
            .try_with(|m| m.borrow().clone())
            .unwrap_or_default();
        // SAFETY: the caller's contract.
        unsafe { write_text(&message, buf, len, needed) }
    };
    // Not through `ffi_call`, which would clear the message being read.
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => lc_status::LC_OK,
        Ok(Err(e)) => e.status,
        Err(_) => lc_status::LC_PANIC,
    }
}

/// The name of a status, such as `"LC_NULL_ARGUMENT"`; `"LC_UNKNOWN_STATUS"` for a
/// value that is not a status.
///
/// Ownership: the string is static and NUL-terminated; never free it.
#[unsafe(no_mangle)]
pub extern "C" fn lc_status_name(status: u32) -> *const c_char {
    lc_status::ALL
        .iter()
        .find(|s| **s as u32 == status)
        .map_or("LC_UNKNOWN_STATUS\0", |s| s.name_nul())
        .as_ptr()
        .cast()
}

/// Reads this thread's last error (for the crate's own tests).
#[cfg(test)]
pub(crate) fn last_error() -> String {
    LAST_ERROR.with(|m| m.borrow().clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use std::ffi::CStr;

    #[test]
    fn a_panic_becomes_lc_panic_with_its_message() {
        let row = 7;
        let status = ffi_call(|| -> Result<()> { panic!("bad row {row}") });
        assert_eq!(status, lc_status::LC_PANIC);
        let m = last_error();
        assert!(
            m.contains("bad row 7") && m.contains("please report"),
            "{m}"
        );
    }

    #[test]
    fn an_error_sets_the_message_and_success_clears_it() {
        let status = ffi_call(|| Err(Error::input("column x at index 2")));
        assert_eq!(status, lc_status::LC_INPUT_ERROR);
        assert_eq!(last_error(), "column x at index 2");
        assert_eq!(ffi_call(|| Ok(())), lc_status::LC_OK);
        assert_eq!(last_error(), "");
    }

    #[test]
    fn last_error_message_reports_length_and_refuses_small_buffers() {
        ffi_call(|| Err(Error::input("twelve bytes")));
        let mut needed = 0usize;
        // SAFETY: NULL buffer with length 0 is allowed; `needed` is a valid pointer.
        let s = unsafe { lc_last_error_message(std::ptr::null_mut(), 0, &mut needed) };
        assert_eq!((s, needed), (lc_status::LC_BUFFER_TOO_SMALL, 12));
        let mut small = [b'x' as c_char; 12];
        // SAFETY: the buffer holds 12 bytes.
        let s = unsafe { lc_last_error_message(small.as_mut_ptr(), 12, &mut needed) };
        assert_eq!(s, lc_status::LC_BUFFER_TOO_SMALL);
        assert!(small.iter().all(|&c| c == b'x' as c_char), "untouched");
        let mut buf = [0 as c_char; 13];
        // SAFETY: the buffer holds 13 bytes.
        let s = unsafe { lc_last_error_message(buf.as_mut_ptr(), 13, &mut needed) };
        assert_eq!(s, lc_status::LC_OK);
        // SAFETY: lc_last_error_message NUL-terminated the buffer.
        let got = unsafe { CStr::from_ptr(buf.as_ptr()) };
        assert_eq!(got.to_str().unwrap(), "twelve bytes");
        assert_eq!(last_error(), "twelve bytes", "reading it did not clear it");
    }

    #[test]
    fn status_names_round_trip() {
        for s in lc_status::ALL {
            // SAFETY: lc_status_name returns a static NUL-terminated string.
            let name = unsafe { CStr::from_ptr(lc_status_name(s as u32)) };
            assert_eq!(name.to_str().unwrap(), format!("{s:?}"));
        }
        // SAFETY: as above.
        let unknown = unsafe { CStr::from_ptr(lc_status_name(999)) };
        assert_eq!(unknown.to_str().unwrap(), "LC_UNKNOWN_STATUS");
    }
}
