//! The one wrapper every entry point runs in, and the thread's last error message.

use std::cell::RefCell;
use std::ffi::c_char;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::error::{Result, lc_status};
use crate::text::write_text;

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
/// and turns the outcome into a status (setting the message on failure). Every
/// function of the C ABI that returns a status goes through here.
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

/// For the entry points that return no status (free functions, `lc_version`,
/// `lc_status_name`): runs `f` catching any panic, which gives `fallback`.
pub(crate) fn ffi_infallible<T, F: FnOnce() -> T>(fallback: T, f: F) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(fallback)
}

/// The body of every `*_free`: drops a handle made by `Box::into_raw`; NULL does
/// nothing; a panic in a destructor stops here.
///
/// # Safety
///
/// `handle` must be NULL or a pointer from `Box::into_raw` not yet freed, which no
/// other thread is using.
pub(crate) unsafe fn free_handle<T>(handle: *mut T) {
    ffi_infallible((), || {
        if !handle.is_null() {
            // SAFETY: caller's contract: from Box::into_raw, not yet freed.
            drop(unsafe { Box::from_raw(handle) });
        }
    })
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
        // SAFETY: the caller guarantees `buf` holds `len` bytes and `needed` is NULL or
        // writable.
        unsafe { write_text(&message, buf, len, needed) }
    };
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
    const UNKNOWN: &str = "LC_UNKNOWN_STATUS\0";
    ffi_infallible(UNKNOWN.as_ptr().cast(), || {
        let name = lc_status::ALL
            .iter()
            .find(|s| **s as u32 == status)
            .map_or(UNKNOWN, |s| status_name_nul(*s));
        name.as_ptr().cast()
    })
}

fn status_name_nul(s: lc_status) -> &'static str {
    match s {
        lc_status::LC_OK => "LC_OK\0",
        lc_status::LC_NULL_ARGUMENT => "LC_NULL_ARGUMENT\0",
        lc_status::LC_INVALID_UTF8 => "LC_INVALID_UTF8\0",
        lc_status::LC_RULESET_ERROR => "LC_RULESET_ERROR\0",
        lc_status::LC_INPUT_ERROR => "LC_INPUT_ERROR\0",
        lc_status::LC_ALLOCATION_ERROR => "LC_ALLOCATION_ERROR\0",
        lc_status::LC_SETTLEMENT_ERROR => "LC_SETTLEMENT_ERROR\0",
        lc_status::LC_BUFFER_TOO_SMALL => "LC_BUFFER_TOO_SMALL\0",
        lc_status::LC_OUT_OF_RANGE => "LC_OUT_OF_RANGE\0",
        lc_status::LC_PANIC => "LC_PANIC\0",
        lc_status::LC_NOT_FOUND => "LC_NOT_FOUND\0",
        lc_status::LC_SHIFT_ERROR => "LC_SHIFT_ERROR\0",
        lc_status::LC_APPRAISAL_ERROR => "LC_APPRAISAL_ERROR\0",
    }
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
        let status = ffi_call(|| -> Result<()> { panic!("boom at row 3") });
        assert_eq!(status, lc_status::LC_PANIC);
        let m = last_error();
        assert!(m.contains("boom at row 3"), "{m}");
        assert!(m.contains("please report"), "{m}");
    }

    #[test]
    fn a_formatted_panic_keeps_its_message() {
        let row = 7;
        let status = ffi_call(|| -> Result<()> { panic!("bad row {row}") });
        assert_eq!(status, lc_status::LC_PANIC);
        assert!(last_error().contains("bad row 7"));
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
        // Reading it did not clear it.
        assert_eq!(last_error(), "twelve bytes");
    }

    #[test]
    fn status_names_round_trip() {
        for s in lc_status::ALL {
            // SAFETY: lc_status_name returns a static NUL-terminated string.
            let name = unsafe { CStr::from_ptr(lc_status_name(s as u32)) };
            assert_eq!(name.to_str().unwrap(), s.name());
        }
        // SAFETY: as above.
        let unknown = unsafe { CStr::from_ptr(lc_status_name(999)) };
        assert_eq!(unknown.to_str().unwrap(), "LC_UNKNOWN_STATUS");
    }
}
