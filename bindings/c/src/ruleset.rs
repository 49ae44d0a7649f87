//! `lc_ruleset`: loading a ruleset, and looking up its tiers and capabilities.

use std::ffi::c_char;

use localcare::{Ruleset, RulesetError};

use crate::error::{Error, Result, lc_status};
use crate::guard::{free_handle, give};
use crate::text::{OwnedText, lc_str, slice_arg, str_arg};

/// A checked, immutable ruleset: tiers, capabilities, allocation and settlement policy.
///
/// Made by `lc_ruleset_builtin`, `lc_ruleset_from_toml`, `lc_ruleset_from_json` or
/// `lc_ruleset_from_path`; freed by `lc_ruleset_free`. It is never changed after it
/// is made, so any number of threads may use one `const lc_ruleset *` at once; it
/// must outlive every call using it and every string borrowed from it.
pub struct lc_ruleset {
    pub(crate) rs: Ruleset,
    id: OwnedText,
    tier_ids: Vec<OwnedText>,
    capability_ids: Vec<OwnedText>,
}

impl lc_ruleset {
    fn new(rs: Ruleset) -> Self {
        lc_ruleset {
            id: OwnedText::new(rs.id()),
            tier_ids: rs.tier_ids().map(OwnedText::new).collect(),
            capability_ids: rs
                .capabilities()
                .iter()
                .map(|c| OwnedText::new(c.id()))
                .collect(),
            rs,
        }
    }

    /// Checks that a capability set uses only declared bits; `what` names the argument.
    pub(crate) fn check_bits(&self, bits: u64, what: &dyn Fn() -> String) -> Result<()> {
        let n = self.capability_ids.len();
        let declared = if n >= 64 { u64::MAX } else { (1u64 << n) - 1 };
        if bits & !declared != 0 {
            let bit = (bits & !declared).trailing_zeros();
            return Err(Error::range(format!(
                "{} has bit {bit} set, but ruleset {} declares {n} capabilities (bits 0 to {})",
                what(),
                self.rs.id(),
                n.saturating_sub(1)
            )));
        }
        Ok(())
    }
}

/// The body every loader shares: reads the UTF-8 argument named `what`, loads the
/// ruleset with `load` and hands it to the caller through `out`.
///
/// # Safety
///
/// `arg` must point to `len` readable bytes; `out` must point to a writable
/// `lc_ruleset *`.
unsafe fn load(
    arg: *const c_char,
    len: usize,
    what: &str,
    out: *mut *mut lc_ruleset,
    load: impl FnOnce(&str) -> std::result::Result<Ruleset, RulesetError>,
) -> lc_status {
    entry! {
        crate::text::out_ptr(out, "out")?;
        // SAFETY: caller's contract.
        let arg = unsafe { str_arg(arg, len, what) }?;
        give(out, lc_ruleset::new(load(arg)?))?;
    }
}

/// Loads a built-in ruleset by id (`"kent-medway-2017"` is the default one).
///
/// - `name`, `name_len`: the id, UTF-8, `name_len` bytes (no NUL needed).
/// - `out`: receives a new ruleset, owned by the caller, to free with
///   `lc_ruleset_free`; untouched on error.
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_INVALID_UTF8`, `LC_RULESET_ERROR` (no such built-in;
/// the message lists those there are).
///
/// # Safety
///
/// `name` must point to `name_len` readable bytes; `out` must point to a writable
/// `lc_ruleset *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_ruleset_builtin(
    name: *const c_char,
    name_len: usize,
    out: *mut *mut lc_ruleset,
) -> lc_status {
    // SAFETY: caller's contract, passed on.
    unsafe { load(name, name_len, "name", out, Ruleset::builtin) }
}

/// Loads a ruleset from TOML text, checked as a whole; errors name `<string>`, the
/// line and the key.
///
/// - `text`, `text_len`: the document, UTF-8, `text_len` bytes (no NUL needed).
/// - `out`: receives a new ruleset, owned by the caller (`lc_ruleset_free`).
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_INVALID_UTF8`, `LC_RULESET_ERROR`.
///
/// # Safety
///
/// `text` must point to `text_len` readable bytes; `out` must point to a writable
/// `lc_ruleset *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_ruleset_from_toml(
    text: *const c_char,
    text_len: usize,
    out: *mut *mut lc_ruleset,
) -> lc_status {
    // SAFETY: caller's contract, passed on.
    unsafe { load(text, text_len, "text", out, Ruleset::from_toml_str) }
}

/// A copy of `base` under the allocation policy of `policy` (another ruleset): a
/// ruleset of tiers only (`england-neighbourhood-2025`) given a policy
/// (`england-icb-2024`'s). Retained shares are matched to `base`'s tiers by id: a tier
/// of `policy` retaining a share that `base` lacks is an error.
///
/// - `base`, `policy`: rulesets, borrowed (neither is changed).
/// - `out`: receives a new ruleset, owned by the caller (`lc_ruleset_free`).
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_RULESET_ERROR` (`policy` has no allocation policy,
/// or it does not fit `base`'s tiers).
///
/// # Safety
///
/// `base` and `policy` are NULL or live rulesets; `out` must point to a writable
/// `lc_ruleset *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_ruleset_with_allocation_policy(
    base: *const lc_ruleset,
    policy: *const lc_ruleset,
    out: *mut *mut lc_ruleset,
) -> lc_status {
    entry! {
        let (base, policy) = (try_ref!(base), try_ref!(policy));
        crate::text::out_ptr(out, "out")?;
        give(out, lc_ruleset::new(base.rs.with_allocation_policy_of(&policy.rs)?))?;
    }
}

/// A copy of `base` under an allocation policy written as TOML: a ruleset's
/// `[allocation]` table (with its header, or its keys alone), retained shares by
/// `base`'s tier ids; errors name `<allocation>`, the line and the key.
///
/// - `text`, `text_len`: the table, UTF-8, `text_len` bytes (no NUL needed).
/// - `out`: receives a new ruleset, owned by the caller (`lc_ruleset_free`).
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_INVALID_UTF8`, `LC_RULESET_ERROR`.
///
/// # Safety
///
/// `base` is NULL or a live ruleset; `text` must point to `text_len` readable bytes;
/// `out` must point to a writable `lc_ruleset *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_ruleset_with_allocation_toml(
    base: *const lc_ruleset,
    text: *const c_char,
    text_len: usize,
    out: *mut *mut lc_ruleset,
) -> lc_status {
    entry! {
        let base = try_ref!(base);
        crate::text::out_ptr(out, "out")?;
        // SAFETY: caller's contract.
        let text = unsafe { str_arg(text, text_len, "text") }?;
        give(out, lc_ruleset::new(base.rs.with_allocation_toml(text)?))?;
    }
}

/// Loads a ruleset from JSON text (the same schema as TOML).
///
/// Arguments and errors as for `lc_ruleset_from_toml`.
///
/// # Safety
///
/// As for `lc_ruleset_from_toml`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_ruleset_from_json(
    text: *const c_char,
    text_len: usize,
    out: *mut *mut lc_ruleset,
) -> lc_status {
    // SAFETY: caller's contract, passed on.
    unsafe { load(text, text_len, "text", out, Ruleset::from_json_str) }
}

/// Loads a ruleset file: JSON when the name ends in `.json`, TOML otherwise.
///
/// - `path`, `path_len`: the file path, UTF-8, `path_len` bytes (no NUL needed).
/// - `out`: receives a new ruleset, owned by the caller (`lc_ruleset_free`).
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_INVALID_UTF8`, `LC_RULESET_ERROR` (unreadable file,
/// syntax, a broken rule; the message names the file, line and key).
///
/// # Safety
///
/// `path` must point to `path_len` readable bytes; `out` must point to a writable
/// `lc_ruleset *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_ruleset_from_path(
    path: *const c_char,
    path_len: usize,
    out: *mut *mut lc_ruleset,
) -> lc_status {
    // SAFETY: caller's contract, passed on.
    unsafe {
        load(path, path_len, "path", out, |path| match path.find('\0') {
            // A C string would end there, so the message shows the NUL rather than
            // a path cut short.
            Some(at) => Err(RulesetError::Io {
                path: path.replace('\0', "\\0"),
                message: format!("the path has a NUL byte at byte {at}; a file path cannot"),
            }),
            None => Ruleset::from_path(path),
        })
    }
}

/// Frees a ruleset. NULL is allowed and does nothing.
///
/// # Safety
///
/// `ruleset` must be NULL or a ruleset from this library not yet freed, which no
/// other thread is using; strings borrowed from it become invalid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_ruleset_free(ruleset: *mut lc_ruleset) {
    // SAFETY: caller's contract (made by Box::into_raw, not yet freed).
    unsafe { free_handle(ruleset) }
}

/// The ruleset's id, such as `kent-medway-2017`.
///
/// - `out`: receives the id, NUL-terminated, borrowed from the ruleset (valid until
///   `lc_ruleset_free`).
///
/// # Safety
///
/// `ruleset` must be a live ruleset; `out` must point to a writable `lc_str`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_ruleset_id(ruleset: *const lc_ruleset, out: *mut lc_str) -> lc_status {
    entry! { put!(out, try_ref!(ruleset).id.as_lc_str()) }
}

/// The number of tiers, lowest (practices) to highest (ACOs). Tier indices are
/// `0 .. count - 1` and always fit in a `uint8_t` (a ruleset has at most 255 tiers).
///
/// # Safety
///
/// `ruleset` must be a live ruleset; `out` must point to a writable `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_ruleset_tier_count(
    ruleset: *const lc_ruleset,
    out: *mut usize,
) -> lc_status {
    entry! { put!(out, try_ref!(ruleset).tier_ids.len()) }
}

/// The id of tier `index`, such as `mcp_hub`.
///
/// - `out`: receives the id, NUL-terminated, borrowed from the ruleset.
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_OUT_OF_RANGE` (index not below the tier count).
///
/// # Safety
///
/// `ruleset` must be a live ruleset; `out` must point to a writable `lc_str`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_ruleset_tier_id(
    ruleset: *const lc_ruleset,
    index: usize,
    out: *mut lc_str,
) -> lc_status {
    entry! {
        let r = try_ref!(ruleset);
        let id = r.tier_ids.get(index).ok_or_else(|| {
            Error::range(format!(
                "tier index {index} is out of range: ruleset {} has {} tiers",
                r.rs.id(),
                r.tier_ids.len()
            ))
        })?;
        put!(out, id.as_lc_str());
    }
}

/// The index of a tier by id.
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_INVALID_UTF8`, `LC_NOT_FOUND` (the message lists
/// the tiers there are).
///
/// # Safety
///
/// `ruleset` must be a live ruleset; `id` must point to `id_len` readable bytes; `out`
/// must point to a writable `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_ruleset_tier_index(
    ruleset: *const lc_ruleset,
    id: *const c_char,
    id_len: usize,
    out: *mut usize,
) -> lc_status {
    entry! {
        let r = try_ref!(ruleset);
        let id = try_str!(id, id_len);
        let i = r.rs.tier_index(id).ok_or_else(|| {
            let tiers: Vec<&str> = r.rs.tier_ids().collect();
            let (rs, tiers) = (r.rs.id(), tiers.join(", "));
            Error::not_found(format!("no tier `{id}` in ruleset {rs}; tiers: {tiers}"))
        })?;
        put!(out, i);
    }
}

/// The number of capabilities the ruleset declares (at most 64); capability `i` is bit
/// `i` (`1ull << i`) of a capability set.
///
/// # Safety
///
/// `ruleset` must be a live ruleset; `out` must point to a writable `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_ruleset_capability_count(
    ruleset: *const lc_ruleset,
    out: *mut usize,
) -> lc_status {
    entry! { put!(out, try_ref!(ruleset).capability_ids.len()) }
}

/// The id of capability `bit`, such as `seven_day`.
///
/// - `out`: receives the id, NUL-terminated, borrowed from the ruleset.
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_OUT_OF_RANGE`.
///
/// # Safety
///
/// `ruleset` must be a live ruleset; `out` must point to a writable `lc_str`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_ruleset_capability_id(
    ruleset: *const lc_ruleset,
    bit: u32,
    out: *mut lc_str,
) -> lc_status {
    entry! {
        let r = try_ref!(ruleset);
        let id = r.capability_ids.get(bit as usize).ok_or_else(|| {
            Error::range(format!(
                "capability bit {bit} is out of range: ruleset {} declares {} capabilities",
                r.rs.id(),
                r.capability_ids.len()
            ))
        })?;
        put!(out, id.as_lc_str());
    }
}

/// The bit of a capability by id: the capability is in a set `s` when
/// `s & (1ull << bit)`.
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_INVALID_UTF8`, `LC_NOT_FOUND` (the message lists the
/// capabilities the ruleset declares).
///
/// # Safety
///
/// `ruleset` must be a live ruleset; `id` must point to `id_len` readable bytes; `out`
/// must point to a writable `uint32_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_ruleset_capability_bit(
    ruleset: *const lc_ruleset,
    id: *const c_char,
    id_len: usize,
    out: *mut u32,
) -> lc_status {
    entry! {
        let r = try_ref!(ruleset);
        let id = try_str!(id, id_len);
        let bit = r.rs.capability_set([id])?.bits().trailing_zeros();
        if bit >= 64 {
            // An empty or blank id names no capability.
            return Err(Error::not_found(format!("`{id}` is not a capability id")));
        }
        put!(out, bit);
    }
}

/// The capability set of a list of capability ids (bit `i` set for capability `i`),
/// for `lc_classify`.
///
/// - `ids`: `n` strings; `out`: receives the set.
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_INVALID_UTF8`, `LC_NOT_FOUND` (an unknown id, named
/// with its index).
///
/// # Safety
///
/// `ruleset` must be a live ruleset; `ids` must point to `n` `lc_str` whose bytes are
/// readable; `out` must point to a writable `uint64_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_ruleset_capability_set(
    ruleset: *const lc_ruleset,
    ids: *const lc_str,
    n: usize,
    out: *mut u64,
) -> lc_status {
    entry! {
        let r = try_ref!(ruleset);
        // SAFETY: caller's contract.
        let ids = unsafe { slice_arg(ids, n, "ids") }?;
        let mut set = 0u64;
        for (i, s) in ids.iter().enumerate() {
            let what = format!("ids[{i}]");
            // SAFETY: caller's contract.
            let id = unsafe { str_arg(s.ptr, s.len, &what) }?;
            let bits = r.rs.capability_set([id]).map_err(|e| {
                let e = Error::from(e);
                Error::new(e.status, format!("{what}: {}", e.message))
            })?;
            set |= bits.bits();
        }
        put!(out, set);
    }
}
