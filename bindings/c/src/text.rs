//! Strings and arrays across the boundary: checked reads of caller memory, and text
//! written into caller buffers.

use std::ffi::c_char;

use crate::error::{Error, Result, lc_status};

/// A UTF-8 string with an explicit length in bytes.
///
/// As an argument: `ptr` points to `len` bytes owned by the caller, which need not be
/// NUL-terminated and are only read during the call. `{NULL, 0}` is the empty string;
/// where a string is optional, `ptr == NULL` means "not given".
///
/// As a result: `ptr` is NUL-terminated at `ptr[len]` (`len` excludes the NUL) and is
/// owned by the handle it came from (it lives until that handle is freed); `ptr` is
/// NULL where there is no value.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct lc_str {
    /// The bytes.
    pub ptr: *const c_char,
    /// Their number, without any NUL terminator.
    pub len: usize,
}

/// Bytes kept with a NUL after them, so that they can be handed out as an [`lc_str`].
#[derive(Debug, Clone, Default)]
pub(crate) struct OwnedText(Vec<u8>);

impl OwnedText {
    pub fn new(s: &str) -> Self {
        let mut v = Vec::with_capacity(s.len() + 1);
        v.extend_from_slice(s.as_bytes());
        v.push(0);
        OwnedText(v)
    }
    pub fn as_lc_str(&self) -> lc_str {
        lc_str {
            ptr: self.0.as_ptr().cast(),
            len: self.0.len() - 1,
        }
    }
    pub fn as_str(&self) -> &str {
        // Built from a &str plus a NUL, so the prefix is UTF-8.
        std::str::from_utf8(&self.0[..self.0.len() - 1]).unwrap_or_default()
    }
}

/// Reads a required string argument named `what`.
///
/// # Safety
///
/// `ptr` must be NULL or point to `len` readable bytes that stay unchanged during the
/// call.
pub(crate) unsafe fn str_arg<'a>(ptr: *const c_char, len: usize, what: &str) -> Result<&'a str> {
    if ptr.is_null() {
        if len == 0 {
            return Ok("");
        }
        return Err(Error::null(what));
    }
    check_size::<u8>(len, what)?;
    // SAFETY: non-NULL, `len` readable bytes (caller's contract), size checked above.
    let bytes = unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) };
    std::str::from_utf8(bytes).map_err(|e| {
        Error::new(
            lc_status::LC_INVALID_UTF8,
            format!(
                "`{what}` is not valid UTF-8: invalid byte at offset {}",
                e.valid_up_to()
            ),
        )
    })
}

fn check_size<T>(len: usize, what: &str) -> Result<()> {
    if len
        .checked_mul(std::mem::size_of::<T>().max(1))
        .is_none_or(|b| b > isize::MAX as usize)
    {
        return Err(Error::input(format!(
            "`{what}`: a length of {len} elements is too large"
        )));
    }
    Ok(())
}

fn check_align<T>(ptr: *const T, what: &str) -> Result<()> {
    if !ptr.is_aligned() {
        return Err(Error::input(format!(
            "`{what}` is not aligned for its element type ({} bytes)",
            std::mem::align_of::<T>()
        )));
    }
    Ok(())
}

/// Reads a required array argument of `len` elements; NULL is allowed only when `len`
/// is 0.
///
/// # Safety
///
/// `ptr` must be NULL or point to `len` readable, initialised elements that stay
/// unchanged during the call.
pub(crate) unsafe fn slice_arg<'a, T>(ptr: *const T, len: usize, what: &str) -> Result<&'a [T]> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Error::null(what));
    }
    check_size::<T>(len, what)?;
    check_align(ptr, what)?;
    // SAFETY: non-NULL, aligned, `len` elements (caller's contract), size checked.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Checks a caller output array of `len` elements; NULL only when `len` is 0. Nothing
/// is written here: callers compute first, then copy with [`copy_out`].
///
/// # Safety
///
/// `ptr` must be NULL or point to `len` writable elements.
pub(crate) unsafe fn out_slice<'a, T>(ptr: *mut T, len: usize, what: &str) -> Result<&'a mut [T]> {
    if len == 0 {
        return Ok(&mut []);
    }
    if ptr.is_null() {
        return Err(Error::null(what));
    }
    check_size::<T>(len, what)?;
    check_align(ptr.cast_const(), what)?;
    // SAFETY: non-NULL, aligned, `len` writable elements (caller's contract).
    Ok(unsafe { std::slice::from_raw_parts_mut(ptr, len) })
}

/// Checks a required out-pointer.
pub(crate) fn out_ptr<T>(ptr: *mut T, what: &str) -> Result<()> {
    if ptr.is_null() {
        return Err(Error::null(what));
    }
    check_align(ptr.cast_const(), what)
}

/// Checks a required handle or struct argument and borrows it.
///
/// # Safety
///
/// `ptr` must be NULL or point to a live `T` for the duration of the call.
pub(crate) unsafe fn ref_arg<'a, T>(ptr: *const T, what: &str) -> Result<&'a T> {
    if ptr.is_null() {
        return Err(Error::null(what));
    }
    check_align(ptr, what)?;
    // SAFETY: non-NULL and aligned; live for the call (caller's contract).
    Ok(unsafe { &*ptr })
}

/// Writes `text` into a caller buffer with a NUL, or reports that it does not fit.
/// `needed` (if not NULL) receives `text.len()` on success and on
/// `LC_BUFFER_TOO_SMALL`; the buffer is untouched unless the whole text fits.
///
/// # Safety
///
/// `buf` must be NULL or point to `len` writable bytes; `needed` must be NULL or point
/// to a writable `usize`.
pub(crate) unsafe fn write_text(
    text: &str,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> Result<()> {
    if buf.is_null() && len != 0 {
        return Err(Error::null("buf"));
    }
    if !needed.is_null() {
        check_align(needed.cast_const(), "needed")?;
        // SAFETY: non-NULL, aligned, writable (caller's contract).
        unsafe { needed.write(text.len()) };
    }
    if len < text.len() + 1 {
        return Err(Error::new(
            lc_status::LC_BUFFER_TOO_SMALL,
            format!(
                "the buffer of {len} bytes is too small: the text needs {} bytes and a NUL",
                text.len()
            ),
        ));
    }
    // SAFETY: `buf` holds `len >= text.len() + 1` writable bytes; the source is a
    // distinct Rust string.
    unsafe {
        std::ptr::copy_nonoverlapping(text.as_ptr(), buf.cast::<u8>(), text.len());
        buf.add(text.len()).write(0);
    }
    Ok(())
}
