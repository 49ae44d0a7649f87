//! Footprints given as arrays, and their validation into an `lc_report`.

use std::collections::HashMap;
use std::ffi::c_char;

use localcare::footprint::{AcoCountRange, Severity};
use localcare::{Footprint, FootprintUnit, Report};

use crate::error::{Error, Result, lc_status};
use crate::guard::{ffi_call, free_handle};
use crate::ruleset::lc_ruleset;
use crate::text::{
    OwnedText, lc_str, opt_slice_arg, out_ptr, ref_arg, slice_arg, str_arg, write_text,
};
use crate::{LC_NO_PARENT, LC_NO_POPULATION, LC_NO_UNIT};

/// A footprint held as columns: unit `i` is entry `i` of every array. The arrays are
/// the caller's, read only during the call. Every array may be NULL when `len` is 0.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct lc_footprint {
    /// Number of units.
    pub len: usize,
    /// Unit ids (required): UTF-8, unique in the footprint (a duplicate is reported
    /// by validation, LC101).
    pub unit_ids: *const lc_str,
    /// Parent of each unit as an index into these arrays, or `LC_NO_PARENT` for a unit
    /// directly under the strategic commissioner (required).
    pub parents: *const usize,
    /// Declared tier ids, such as `"mcp_hub"` (required). Given as text so that an
    /// unknown tier is reported by validation (LC106) as in every other face.
    pub declared_tiers: *const lc_str,
    /// Registered population, or `LC_NO_POPULATION` (required: a practice needs one;
    /// on an aggregate it is only compared with the sum of its practices). A negative
    /// population is reported by validation (LC202).
    pub populations: *const i64,
    /// Capability sets (bit `i` = capability `i` of the ruleset), or NULL when no
    /// unit has any. A bit the ruleset does not declare is reported by validation as
    /// an unknown capability named `bit N` (LC107).
    pub capabilities: *const u64,
}

/// The footprint as the core takes it, with the ids kept for mapping results back.
pub(crate) struct Columns<'a> {
    pub footprint: Footprint,
    pub ids: Vec<&'a str>,
}

/// Reads a footprint's columns into a core footprint.
///
/// # Safety
///
/// `fp` must describe arrays as documented on `lc_footprint`.
pub(crate) unsafe fn read_footprint<'a>(r: &lc_ruleset, fp: &lc_footprint) -> Result<Columns<'a>> {
    let n = fp.len;
    // SAFETY (all five): caller's contract.
    let ids = unsafe { slice_arg(fp.unit_ids, n, "footprint.unit_ids") }?;
    // SAFETY: as above.
    let parents = unsafe { slice_arg(fp.parents, n, "footprint.parents") }?;
    // SAFETY: as above.
    let tiers = unsafe { slice_arg(fp.declared_tiers, n, "footprint.declared_tiers") }?;
    // SAFETY: as above.
    let pops = unsafe { slice_arg(fp.populations, n, "footprint.populations") }?;
    // SAFETY: as above.
    let caps = unsafe { opt_slice_arg(fp.capabilities, n, "footprint.capabilities") }?;
    let mut id_strs = Vec::with_capacity(n);
    for (i, s) in ids.iter().enumerate() {
        // SAFETY: caller's contract.
        id_strs.push(unsafe { str_arg(s.ptr, s.len, &format!("footprint.unit_ids[{i}]")) }?);
    }
    let mut units = Vec::with_capacity(n);
    for i in 0..n {
        let parent_id = match parents[i] {
            LC_NO_PARENT => None,
            p if p < n => Some(id_strs[p].to_string()),
            p => {
                return Err(Error::range(format!(
                    "footprint.parents[{i}] is {p}: expected a unit index below {n} or LC_NO_PARENT"
                )));
            }
        };
        let t = tiers[i];
        // SAFETY: caller's contract.
        let tier = unsafe { str_arg(t.ptr, t.len, &format!("footprint.declared_tiers[{i}]")) }?;
        units.push(FootprintUnit {
            unit_id: id_strs[i].to_string(),
            parent_id,
            declared_tier: tier.to_string(),
            population: (pops[i] != LC_NO_POPULATION).then_some(pops[i]),
            capabilities: caps.map_or_else(Vec::new, |c| r.capability_names(c[i])),
        });
    }
    Ok(Columns {
        footprint: Footprint::new(units),
        ids: id_strs,
    })
}

/// Index of the first unit with each id.
pub(crate) fn first_index<'a>(ids: &[&'a str]) -> HashMap<&'a str, usize> {
    let mut m = HashMap::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        m.entry(*id).or_insert(i);
    }
    m
}

/// How serious a finding is.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum lc_severity {
    /// The footprint does not hold together; allocation refuses it.
    LC_SEVERITY_ERROR = 0,
    /// Something to fix, though the footprint can be used.
    LC_SEVERITY_WARNING = 1,
    /// Worth seeing: band overlaps and gaps, the feasible ACO counts.
    LC_SEVERITY_INFO = 2,
}

impl From<Severity> for lc_severity {
    fn from(s: Severity) -> Self {
        match s {
            Severity::Error => lc_severity::LC_SEVERITY_ERROR,
            Severity::Warning => lc_severity::LC_SEVERITY_WARNING,
            Severity::Info => lc_severity::LC_SEVERITY_INFO,
        }
    }
}

/// One finding of a validation. Every string is NUL-terminated and borrowed from the
/// report: valid until `lc_report_free`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct lc_finding {
    /// Stable code such as `LC205` (the table is in `docs/findings.md`).
    pub code: lc_str,
    /// The code's short name, such as `band_not_met`.
    pub name: lc_str,
    /// Error, warning or info.
    pub severity: lc_severity,
    /// Index of the unit concerned in the footprint's arrays (the first unit with its
    /// id), or `LC_NO_UNIT` for a finding about the footprint as a whole.
    pub unit_index: usize,
    /// The unit's id; `ptr` is NULL for a finding about the footprint as a whole.
    pub unit_id: lc_str,
    /// The rule applied, as a ruleset key such as `tiers.mcp_hub.population`.
    pub rule: lc_str,
    /// What was found, with observed and expected values.
    pub message: lc_str,
}

/// Which ACO counts the footprint's total population allows.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum lc_aco_range_kind {
    /// No range: the accountable tier has no band, or the population is 0.
    LC_ACO_RANGE_NONE = 0,
    /// Counts `min ..= max` are feasible (no upper limit when `has_max` is false).
    LC_ACO_RANGE_FEASIBLE = 1,
    /// No whole number of ACOs fits the band (`max < min`).
    LC_ACO_RANGE_INFEASIBLE = 2,
}

/// The feasible ACO counts of a report.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct lc_aco_count_range {
    /// None, feasible or infeasible.
    pub kind: lc_aco_range_kind,
    /// Fewest ACOs, `ceil(population / band max)` (0 for `LC_ACO_RANGE_NONE`).
    pub min: u64,
    /// Most ACOs, `floor(population / band min)`, when `has_max`.
    pub max: u64,
    /// Whether `max` is a limit.
    pub has_max: bool,
}

struct FindingText {
    code: OwnedText,
    name: OwnedText,
    severity: lc_severity,
    unit_index: usize,
    unit_id: Option<OwnedText>,
    rule: OwnedText,
    message: OwnedText,
}

/// The outcome of validating a footprint: findings and a summary. Made by
/// `lc_validate`, freed by `lc_report_free`; immutable, so it may be read from many
/// threads at once.
pub struct lc_report {
    report: Report,
    findings: Vec<FindingText>,
}

/// Validates a footprint against a ruleset. Validation never stops at the first
/// problem: duplicate ids, cycles, unknown tiers, bands not met and the rest are
/// findings in the report, not errors of this call.
///
/// - `footprint`: the columns (see `lc_footprint`).
/// - `out`: receives a new report, owned by the caller (`lc_report_free`).
///
/// Errors: `LC_NULL_ARGUMENT` (a required pointer or column), `LC_INVALID_UTF8` (an id
/// or tier, named with its index), `LC_OUT_OF_RANGE` (a parent index past the end).
///
/// # Safety
///
/// `ruleset` must be a live ruleset; `footprint` must point to an `lc_footprint` whose
/// arrays are as documented there; `out` must point to a writable `lc_report *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_validate(
    ruleset: *const lc_ruleset,
    footprint: *const lc_footprint,
    out: *mut *mut lc_report,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let r = unsafe { ref_arg(ruleset, "ruleset") }?;
        // SAFETY: caller's contract.
        let fp = unsafe { ref_arg(footprint, "footprint") }?;
        out_ptr(out, "out")?;
        // SAFETY: caller's contract.
        let cols = unsafe { read_footprint(r, fp) }?;
        let report = r.rs.validate(&cols.footprint);
        let report = lc_report::new(report, &cols.ids);
        let handle = Box::into_raw(Box::new(report));
        // SAFETY: checked above.
        unsafe { out.write(handle) };
        Ok(())
    })
}

impl lc_report {
    /// A report handle; each finding's `unit_index` is the first position of its unit
    /// among `ids` (the caller's rows).
    pub(crate) fn new(report: Report, ids: &[&str]) -> Self {
        let index = first_index(ids);
        let findings = report
            .findings()
            .iter()
            .map(|f| FindingText {
                code: OwnedText::new(f.code.as_str()),
                name: OwnedText::new(f.code.name()),
                severity: f.severity.into(),
                unit_index: f
                    .unit_id
                    .as_deref()
                    .and_then(|u| index.get(u).copied())
                    .unwrap_or(LC_NO_UNIT),
                unit_id: f.unit_id.as_deref().map(OwnedText::new),
                rule: OwnedText::new(&f.rule),
                message: OwnedText::new(&f.message),
            })
            .collect();
        lc_report { report, findings }
    }

    /// The core's report.
    pub(crate) fn report(&self) -> &Report {
        &self.report
    }
}

/// Frees a report. NULL is allowed and does nothing.
///
/// # Safety
///
/// `report` must be NULL or a report from `lc_validate` not yet freed, which no other
/// thread is using; strings borrowed from it become invalid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_report_free(report: *mut lc_report) {
    // SAFETY: caller's contract (made by Box::into_raw, not yet freed).
    unsafe { free_handle(report) }
}

/// The number of findings.
///
/// # Safety
///
/// `report` must be a live report; `out` must point to a writable `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_report_finding_count(
    report: *const lc_report,
    out: *mut usize,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let r = unsafe { ref_arg(report, "report") }?;
        out_ptr(out, "out")?;
        // SAFETY: checked above.
        unsafe { out.write(r.findings.len()) };
        Ok(())
    })
}

/// Finding `index`, in the report's order: errors first, then by code, unit id and
/// message.
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_OUT_OF_RANGE`.
///
/// # Safety
///
/// `report` must be a live report; `out` must point to a writable `lc_finding`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_report_finding(
    report: *const lc_report,
    index: usize,
    out: *mut lc_finding,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let r = unsafe { ref_arg(report, "report") }?;
        out_ptr(out, "out")?;
        let f = r.findings.get(index).ok_or_else(|| {
            Error::range(format!(
                "finding index {index} is out of range: the report has {} findings",
                r.findings.len()
            ))
        })?;
        let finding = lc_finding {
            code: f.code.as_lc_str(),
            name: f.name.as_lc_str(),
            severity: f.severity,
            unit_index: f.unit_index,
            unit_id: f
                .unit_id
                .as_ref()
                .map_or(lc_str::NONE, OwnedText::as_lc_str),
            rule: f.rule.as_lc_str(),
            message: f.message.as_lc_str(),
        };
        // SAFETY: checked above.
        unsafe { out.write(finding) };
        Ok(())
    })
}

/// Whether any finding is an error.
///
/// # Safety
///
/// `report` must be a live report; `out` must point to a writable `bool`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_report_has_errors(
    report: *const lc_report,
    out: *mut bool,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let r = unsafe { ref_arg(report, "report") }?;
        out_ptr(out, "out")?;
        // SAFETY: checked above.
        unsafe { out.write(r.report.has_errors()) };
        Ok(())
    })
}

/// The number of findings of one severity (an `lc_severity` value).
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_OUT_OF_RANGE` (not a severity).
///
/// # Safety
///
/// `report` must be a live report; `out` must point to a writable `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_report_severity_count(
    report: *const lc_report,
    severity: u32,
    out: *mut usize,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let r = unsafe { ref_arg(report, "report") }?;
        out_ptr(out, "out")?;
        let sev = match severity {
            0 => Severity::Error,
            1 => Severity::Warning,
            2 => Severity::Info,
            s => {
                return Err(Error::range(format!(
                    "severity {s} is not an lc_severity (0 error, 1 warning, 2 info)"
                )));
            }
        };
        // SAFETY: checked above.
        unsafe { out.write(r.report.count(sev)) };
        Ok(())
    })
}

/// The ACO counts the footprint's total population allows.
///
/// # Safety
///
/// `report` must be a live report; `out` must point to a writable
/// `lc_aco_count_range`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_report_aco_count_range(
    report: *const lc_report,
    out: *mut lc_aco_count_range,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let r = unsafe { ref_arg(report, "report") }?;
        out_ptr(out, "out")?;
        let range = match r.report.aco_count_range() {
            None => lc_aco_count_range {
                kind: lc_aco_range_kind::LC_ACO_RANGE_NONE,
                min: 0,
                max: 0,
                has_max: false,
            },
            Some(AcoCountRange::Feasible { min, max }) => lc_aco_count_range {
                kind: lc_aco_range_kind::LC_ACO_RANGE_FEASIBLE,
                min,
                max: max.unwrap_or(0),
                has_max: max.is_some(),
            },
            Some(AcoCountRange::Infeasible { min, max }) => lc_aco_count_range {
                kind: lc_aco_range_kind::LC_ACO_RANGE_INFEASIBLE,
                min,
                max,
                has_max: true,
            },
        };
        // SAFETY: checked above.
        unsafe { out.write(range) };
        Ok(())
    })
}

/// The counts of a validated footprint (`lc_report_totals`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct lc_footprint_totals {
    /// Units in the footprint.
    pub units: usize,
    /// Practices (units of the base tier) counted.
    pub practices: usize,
    /// Total population of all practices, each counted once.
    pub total_population: u64,
    /// Units declared in the accountable tier (ACOs).
    pub accountable_units: usize,
}

/// The counts behind the summary: units, practices, total population, ACOs.
///
/// # Safety
///
/// `report` must be a live report; `out` must point to a writable `lc_footprint_totals`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_report_totals(
    report: *const lc_report,
    out: *mut lc_footprint_totals,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let r = unsafe { ref_arg(report, "report") }?;
        out_ptr(out, "out")?;
        let totals = lc_footprint_totals {
            units: r.report.units(),
            practices: r.report.practices(),
            total_population: r.report.total_population(),
            accountable_units: r.report.accountable_units(),
        };
        // SAFETY: checked above.
        unsafe { out.write(totals) };
        Ok(())
    })
}

/// The one-line summary: `7 units, 3 practices, population 450,000; 1 aco (feasible
/// 1..=1); 0 errors, 0 warnings, 1 info`. Buffer conventions as for
/// `lc_classify_reasons`.
///
/// # Safety
///
/// `report` must be a live report; `buf` NULL or `len` writable bytes; `needed` NULL or
/// a writable `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_report_summary(
    report: *const lc_report,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let r = unsafe { ref_arg(report, "report") }?;
        // SAFETY: caller's contract.
        unsafe { write_text(&r.report.summary(), buf, len, needed) }
    })
}

/// The whole report as text: findings grouped by severity, then the summary line.
/// Buffer conventions as for `lc_classify_reasons`.
///
/// # Safety
///
/// As for `lc_report_summary`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_report_text(
    report: *const lc_report,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let r = unsafe { ref_arg(report, "report") }?;
        // SAFETY: caller's contract.
        unsafe { write_text(&r.report.to_text(), buf, len, needed) }
    })
}

#[cfg(test)]
pub(crate) fn lc(s: &str) -> lc_str {
    lc_str {
        ptr: s.as_ptr().cast(),
        len: s.len(),
    }
}
