//! The appraisal of a service reconfiguration (DESIGN §12) from arrays of sites, zones
//! and travel times, or from Arrow streams, into an `lc_appraisal` handle: every
//! option's row, its HASUs, hurdles and scores, the ranking and the explanation; its
//! four tables as Arrow streams on demand.

use std::collections::BTreeMap;
use std::ffi::c_char;

use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use localcare::appraise::{
    Appraisal, AppraisalError, AppraisalInput, AppraisalOption, AppraisalRequest, CallerScore,
    Site, TravelTime, Zone, parse_score,
};
use localcare::money::decimal_text;
use localcare::rust_decimal::Decimal;
use localcare_tables::appraise::{self as table_appraise, AppraisalTables, RunError};
use localcare_tables::spec::Face;
use localcare_tables::write;

use crate::LC_NO_VALUE;
use crate::allocate::decimal;
use crate::arrow::{Input, out_arg, put, table, take};
use crate::error::{Error, Result, lc_status};
use crate::guard::{ffi_call, free_handle};
use crate::ruleset::lc_ruleset;
use crate::text::{
    OwnedText, lc_str, opt_str_arg, out_ptr, ref_arg, slice_arg, str_arg, write_text,
};

impl From<AppraisalError> for Error {
    fn from(e: AppraisalError) -> Self {
        // A worker's panic is a bug, as a panic at the boundary is: LC_PANIC.
        let status = match e {
            AppraisalError::WorkerPanicked { .. } => lc_status::LC_PANIC,
            _ => lc_status::LC_APPRAISAL_ERROR,
        };
        Error::new(status, e.to_string())
    }
}

impl From<RunError> for Error {
    fn from(e: RunError) -> Self {
        match e {
            RunError::Table(e) => e.into(),
            RunError::Appraisal(e) => e.into(),
        }
    }
}

/// A site that may be designated a HASU. The strings are the caller's, read during the
/// call.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct lc_site {
    /// Stable id, unique (UTF-8).
    pub site_id: lc_str,
    /// Human name; a NULL `ptr` (or empty) for the id.
    pub name: lc_str,
    /// Current confirmed stroke admissions a year (0 or more).
    pub admissions: i64,
    /// `capability_count` capability ids, each declared by the ruleset (NULL when 0).
    pub capabilities: *const lc_str,
    /// The number of `capabilities`.
    pub capability_count: usize,
    /// One value per measure named in `lc_appraise`'s `measure_names`, as decimal text
    /// (`"0.42"`, exact); an entry with a NULL `ptr` is not given. NULL when there are
    /// no measures or the site gives none.
    pub measures: *const lc_str,
}

/// A population zone: `strokes` a year, or a `population` for the ruleset's incidence.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct lc_zone {
    /// Stable id, unique (UTF-8).
    pub zone_id: lc_str,
    /// Patients a year as decimal text, 0 or more; a NULL `ptr` when not given.
    pub strokes: lc_str,
    /// People, 0 or more; `LC_NO_VALUE` when not given (only without `strokes`).
    pub population: i64,
}

/// The travel time from a zone to a site; a pair not given is unreachable.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct lc_travel {
    /// A zone's id.
    pub zone_id: lc_str,
    /// A site's id.
    pub site_id: lc_str,
    /// Minutes as decimal text (`"25"`, `"12.5"`), 0 or more.
    pub minutes: lc_str,
}

/// An option the caller gives: the sites it designates.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct lc_appraisal_option_input {
    /// Stable id, unique.
    pub option_id: lc_str,
    /// `site_count` site ids.
    pub sites: *const lc_str,
    /// The number of `sites`.
    pub site_count: usize,
}

/// A score the caller gives an option on a criterion the ruleset leaves to the caller.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct lc_appraisal_score_input {
    /// The option's id (a long-list option's is its sites joined by `+` in id order).
    pub option_id: lc_str,
    /// The criterion's id.
    pub criterion: lc_str,
    /// `--`, `-`, `0`, `+`, `++` (or `-2` to `2`).
    pub score: lc_str,
}

/// A weight replacing the ruleset's for one criterion.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct lc_appraisal_weight {
    /// The criterion's id.
    pub criterion: lc_str,
    /// The weight as decimal text, such as `"0.4"`.
    pub weight: lc_str,
}

/// What to appraise beyond the sites, zones and travel times. Zero everywhere (`{0}`)
/// is the ruleset's long list and weights with no caller's scores.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct lc_appraisal_request {
    /// `option_count` options; NULL for the long list.
    pub options: *const lc_appraisal_option_input,
    /// The number of `options`.
    pub option_count: usize,
    /// The long list's fewest sites per option; 0 (with `max_sites` 0) for the
    /// ruleset's range.
    pub min_sites: usize,
    /// The long list's most sites per option; 0 for the ruleset's range.
    pub max_sites: usize,
    /// The largest long list to enumerate; 0 for the ruleset's bound.
    pub max_options: u64,
    /// `weight_count` weights (NULL when 0).
    pub weights: *const lc_appraisal_weight,
    /// The number of `weights`.
    pub weight_count: usize,
    /// `score_count` scores (NULL when 0).
    pub scores: *const lc_appraisal_score_input,
    /// The number of `scores`.
    pub score_count: usize,
}

/// One option's row (the `appraisal` table's). Decimals are exact text; every string
/// is NUL-terminated and owned by the appraisal (valid until `lc_appraisal_free`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct lc_appraisal_row {
    /// The option's id.
    pub option_id: lc_str,
    /// The number of HASUs it designates (`lc_appraisal_hasu`'s range).
    pub hasu_count: usize,
    /// Whether it passes every hurdle (and so is shortlisted).
    pub passed: bool,
    /// Its rank on the shortlist, 1 for the preferred; 0 when not shortlisted.
    pub rank: usize,
    /// The weighted total; a NULL `ptr` when not shortlisted.
    pub total: lc_str,
    /// The smallest projected HASU volume, admissions a year.
    pub min_volume: lc_str,
    /// The largest projected HASU volume.
    pub max_volume: lc_str,
    /// The longest travel time, minutes.
    pub max_travel_minutes: lc_str,
    /// The zone with the longest travel time.
    pub max_travel_zone: lc_str,
    /// The patient-weighted mean travel time, minutes, rounded to 2 places.
    pub mean_travel_minutes: lc_str,
    /// The share of patients within the policy's travel time, rounded to 6 places; a
    /// NULL `ptr` when the policy sets none.
    pub share_within: lc_str,
}

/// One HASU of an option (the `volumes` table's row). Strings as for `lc_appraisal_row`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct lc_hasu {
    /// The site's id.
    pub site_id: lc_str,
    /// Its current confirmed admissions a year.
    pub current_admissions: i64,
    /// Its projected admissions a year.
    pub projected_admissions: lc_str,
    /// The zones it is nearest to.
    pub zones: usize,
}

/// One hurdle's outcome for one option (the `hurdles` table's row). Strings as for
/// `lc_appraisal_row`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct lc_hurdle_outcome {
    /// The hurdle criterion's id.
    pub criterion: lc_str,
    /// Whether the option passes it.
    pub passed: bool,
    /// The number that decided it.
    pub observed: lc_str,
    /// The bound it was held to.
    pub bound: lc_str,
    /// The site or zone that decided it; a NULL `ptr` when none did.
    pub at: lc_str,
    /// Why, in words.
    pub reason: lc_str,
    /// For a failure, what would make it pass; a NULL `ptr` for a pass.
    pub remedy: lc_str,
}

/// One evaluation criterion's score for a shortlisted option (the `evaluation` table's
/// row). Strings as for `lc_appraisal_row`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct lc_criterion_score {
    /// The criterion's id.
    pub criterion: lc_str,
    /// The measured value; a NULL `ptr` for a caller's score.
    pub value: lc_str,
    /// -2 (`--`) to 2 (`++`).
    pub score: i32,
    /// The criterion's weight.
    pub weight: lc_str,
    /// Weight × score.
    pub weighted: lc_str,
}

fn text(s: &str) -> OwnedText {
    OwnedText::new(s)
}

fn opt_text(s: Option<String>) -> Option<OwnedText> {
    s.map(|s| OwnedText::new(&s))
}

fn lc(o: &Option<OwnedText>) -> lc_str {
    o.as_ref().map_or(lc_str::NONE, OwnedText::as_lc_str)
}

struct Row {
    id: OwnedText,
    passed: bool,
    rank: usize,
    total: Option<OwnedText>,
    min_volume: OwnedText,
    max_volume: OwnedText,
    max_travel: OwnedText,
    max_zone: OwnedText,
    mean: OwnedText,
    share: Option<OwnedText>,
    hasus: Vec<(OwnedText, i64, OwnedText, usize)>,
    hurdles: Vec<HurdleText>,
    scores: Vec<(Option<OwnedText>, i32, OwnedText)>,
}

struct HurdleText {
    passed: bool,
    observed: OwnedText,
    bound: OwnedText,
    at: Option<OwnedText>,
    reason: OwnedText,
    remedy: Option<OwnedText>,
}

/// The result of one appraisal; made by `lc_appraise` or `lc_appraise_arrow`, freed by
/// `lc_appraisal_free`; immutable, so it may be read from many threads at once.
pub struct lc_appraisal {
    rows: Vec<Row>,
    hurdle_ids: Vec<OwnedText>,
    criteria: Vec<(OwnedText, OwnedText)>,
    ranking: Vec<usize>,
    explanation: String,
    core: Appraisal,
}

impl lc_appraisal {
    fn new(a: Appraisal) -> Self {
        let d = |x: Decimal| text(&decimal_text(x));
        let rows = a
            .options
            .iter()
            .map(|o| {
                let vols = o.hasus.iter().map(|h| h.projected_admissions);
                Row {
                    id: text(&o.id),
                    passed: o.passed,
                    rank: o.rank.unwrap_or(0),
                    total: opt_text(o.total.map(decimal_text)),
                    min_volume: d(vols.clone().min().unwrap_or_default()),
                    max_volume: d(vols.max().unwrap_or_default()),
                    max_travel: d(o.max_travel_minutes),
                    max_zone: text(&o.max_travel_zone),
                    mean: d(o.mean_travel_minutes),
                    share: opt_text(o.share_within.map(decimal_text)),
                    hasus: o
                        .hasus
                        .iter()
                        .map(|h| {
                            (
                                text(&h.site_id),
                                h.current_admissions,
                                d(h.projected_admissions),
                                h.zones,
                            )
                        })
                        .collect(),
                    hurdles: o
                        .hurdles
                        .iter()
                        .map(|h| HurdleText {
                            passed: h.passed,
                            observed: d(h.observed),
                            bound: d(h.bound),
                            at: opt_text(h.at.clone()),
                            reason: text(&h.reason),
                            remedy: opt_text(h.remedy.clone()),
                        })
                        .collect(),
                    scores: o
                        .scores
                        .iter()
                        .map(|s| {
                            (
                                opt_text(s.value.map(decimal_text)),
                                i32::from(s.score),
                                d(s.weighted),
                            )
                        })
                        .collect(),
                }
            })
            .collect();
        lc_appraisal {
            rows,
            hurdle_ids: a.hurdles.iter().map(|h| text(&h.id)).collect(),
            criteria: a
                .criteria
                .iter()
                .map(|c| (text(&c.id), d(c.weight)))
                .collect(),
            ranking: a.ranking.clone(),
            explanation: table_appraise::explanation(&a),
            core: a,
        }
    }

    fn row(&self, index: usize) -> Result<&Row> {
        self.rows.get(index).ok_or_else(|| {
            Error::range(format!(
                "option index {index} is out of range: the appraisal has {} options",
                self.rows.len()
            ))
        })
    }
}

/// # Safety
///
/// `s`'s bytes must be readable as for `lc_str`.
unsafe fn opt_decimal(s: lc_str, at: &str) -> Result<Option<Decimal>> {
    // SAFETY: caller's contract.
    match unsafe { opt_str_arg(s, at) }? {
        Some(t) => decimal(t, &|| at.to_string()).map(Some),
        None => Ok(None),
    }
}

/// # Safety
///
/// `s`'s bytes must be readable as for `lc_str`.
unsafe fn string(s: lc_str, at: &str) -> Result<String> {
    // SAFETY: caller's contract.
    unsafe { str_arg(s.ptr, s.len, at) }.map(str::to_string)
}

/// # Safety
///
/// `ptr` must be NULL or point to `n` readable `lc_str` whose bytes are readable.
unsafe fn strings(ptr: *const lc_str, n: usize, at: &str) -> Result<Vec<String>> {
    // SAFETY: caller's contract.
    let items = unsafe { slice_arg(ptr, n, at) }?;
    items
        .iter()
        .enumerate()
        // SAFETY: caller's contract.
        .map(|(k, s)| unsafe { string(*s, &format!("{at}[{k}]")) })
        .collect()
}

/// # Safety
///
/// As documented on `lc_appraise`.
#[allow(clippy::too_many_arguments)] // the arrays of `lc_appraise`, as it takes them
unsafe fn read_input(
    sites: *const lc_site,
    site_count: usize,
    measure_names: *const lc_str,
    measure_count: usize,
    zones: *const lc_zone,
    zone_count: usize,
    travel: *const lc_travel,
    travel_count: usize,
) -> Result<AppraisalInput> {
    // SAFETY (every read below): caller's contract.
    unsafe {
        let names = strings(measure_names, measure_count, "measure_names")?;
        let sites = slice_arg(sites, site_count, "sites")?
            .iter()
            .enumerate()
            .map(|(k, s)| {
                let at = format!("sites[{k}]");
                let id = string(s.site_id, &format!("{at}.site_id"))?;
                let name = opt_str_arg(s.name, &format!("{at}.name"))?
                    .filter(|n| !n.trim().is_empty())
                    .map_or_else(|| id.clone(), str::to_string);
                let mut measures = BTreeMap::new();
                if !s.measures.is_null() {
                    let values = slice_arg(s.measures, names.len(), &format!("{at}.measures"))?;
                    for (m, v) in names.iter().zip(values) {
                        if let Some(v) = opt_decimal(*v, &format!("{at}.measures[{m}]"))? {
                            measures.insert(m.clone(), v);
                        }
                    }
                }
                Ok(Site {
                    id,
                    name,
                    admissions: s.admissions,
                    capabilities: strings(
                        s.capabilities,
                        s.capability_count,
                        &format!("{at}.capabilities"),
                    )?,
                    measures,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let zones = slice_arg(zones, zone_count, "zones")?
            .iter()
            .enumerate()
            .map(|(k, z)| {
                let at = format!("zones[{k}]");
                Ok(Zone {
                    id: string(z.zone_id, &format!("{at}.zone_id"))?,
                    strokes: opt_decimal(z.strokes, &format!("{at}.strokes"))?,
                    population: (z.population != LC_NO_VALUE).then_some(z.population),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let travel = slice_arg(travel, travel_count, "travel")?
            .iter()
            .enumerate()
            .map(|(k, t)| {
                let at = format!("travel[{k}]");
                let m_at = format!("{at}.minutes");
                let m = str_arg(t.minutes.ptr, t.minutes.len, &m_at)?;
                Ok(TravelTime {
                    zone_id: string(t.zone_id, &format!("{at}.zone_id"))?,
                    site_id: string(t.site_id, &format!("{at}.site_id"))?,
                    minutes: decimal(m, &|| m_at.clone())?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(AppraisalInput {
            sites,
            zones,
            travel,
        })
    }
}

/// The request's range, bound and weights, and (with `with_lists`) its options and
/// scores; NULL is the default request.
///
/// # Safety
///
/// `r` must be NULL or a readable request whose arrays are as documented.
unsafe fn read_request(
    r: *const lc_appraisal_request,
    with_lists: bool,
) -> Result<AppraisalRequest> {
    if r.is_null() {
        return Ok(AppraisalRequest::default());
    }
    // SAFETY: caller's contract (for every read below).
    unsafe {
        let r = ref_arg(r, "request")?;
        let mut out = AppraisalRequest {
            sites_per_option: (r.min_sites != 0 || r.max_sites != 0)
                .then_some((r.min_sites, r.max_sites)),
            max_options: (r.max_options != 0).then_some(r.max_options),
            ..AppraisalRequest::default()
        };
        for (k, w) in slice_arg(r.weights, r.weight_count, "request.weights")?
            .iter()
            .enumerate()
        {
            let at = format!("request.weights[{k}]");
            let id = string(w.criterion, &format!("{at}.criterion"))?;
            let w_at = format!("{at}.weight");
            let v = str_arg(w.weight.ptr, w.weight.len, &w_at)?;
            out.weights.insert(id, decimal(v, &|| w_at.clone())?);
        }
        if !with_lists {
            return Ok(out);
        }
        if !r.options.is_null() {
            out.options = Some(
                slice_arg(r.options, r.option_count, "request.options")?
                    .iter()
                    .enumerate()
                    .map(|(k, o)| {
                        let at = format!("request.options[{k}]");
                        Ok(AppraisalOption {
                            id: string(o.option_id, &format!("{at}.option_id"))?,
                            sites: strings(o.sites, o.site_count, &format!("{at}.sites"))?,
                        })
                    })
                    .collect::<Result<Vec<_>>>()?,
            );
        }
        out.scores = slice_arg(r.scores, r.score_count, "request.scores")?
            .iter()
            .enumerate()
            .map(|(k, s)| {
                let at = format!("request.scores[{k}]");
                let text = string(s.score, &format!("{at}.score"))?;
                let score = parse_score(&text).ok_or_else(|| {
                    Error::input(format!(
                        "{at}.score: `{text}` is not a score; expected --, -, 0, + or ++ (or -2 to 2)"
                    ))
                })?;
                Ok(CallerScore {
                    option_id: string(s.option_id, &format!("{at}.option_id"))?,
                    criterion: string(s.criterion, &format!("{at}.criterion"))?,
                    score,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(out)
    }
}

/// Writes a new handle to `out`.
///
/// # Safety
///
/// `out` was checked non-NULL and aligned.
unsafe fn hand_out(out: *mut *mut lc_appraisal, a: Appraisal) {
    // SAFETY: caller's contract; the handle is the caller's from here.
    unsafe { out.write(Box::into_raw(Box::new(lc_appraisal::new(a)))) };
}

/// Appraises a service reconfiguration under the ruleset's `[appraisal]` policy: each
/// option (the long list of every `min_sites` to `max_sites` of the sites, or the
/// request's options) designates sites as HASUs; each zone's patients go to its nearest
/// designated site; hurdles pass or fail each option; the shortlist is scored, weighted
/// and ranked.
///
/// - `sites`: `site_count` sites; `measure_names`: `measure_count` measure names (such
///   as `"thrombolysed_60min"`), the order of every site's `measures`.
/// - `zones`: `zone_count` zones; `travel`: `travel_count` travel times.
/// - `request`: NULL, or the options, range, bound, weights and scores (see
///   `lc_appraisal_request`).
/// - `out`: receives the new handle on `LC_OK`; free it with `lc_appraisal_free`.
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_INVALID_UTF8`, `LC_INPUT_ERROR` (a decimal or score
/// that does not parse), `LC_APPRAISAL_ERROR` (no appraisal policy; an unknown site or
/// zone in the travel times; a zone no designated site reaches; negative admissions or
/// times; more sites per option than sites; a long list larger than the bound, with its
/// count and the bound). Nothing is written on error.
///
/// # Safety
///
/// `ruleset` must be a live ruleset; each array must point to its count of readable
/// elements (NULL only for a count of 0), with every string readable as for `lc_str`;
/// each non-NULL `lc_site.measures` must hold `measure_count` entries; `request` NULL
/// or readable; `out` a writable pointer.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn lc_appraise(
    ruleset: *const lc_ruleset,
    sites: *const lc_site,
    site_count: usize,
    measure_names: *const lc_str,
    measure_count: usize,
    zones: *const lc_zone,
    zone_count: usize,
    travel: *const lc_travel,
    travel_count: usize,
    request: *const lc_appraisal_request,
    out: *mut *mut lc_appraisal,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let r = unsafe { ref_arg(ruleset, "ruleset") }?;
        out_ptr(out, "out")?;
        // SAFETY: caller's contract.
        let input = unsafe {
            read_input(
                sites,
                site_count,
                measure_names,
                measure_count,
                zones,
                zone_count,
                travel,
                travel_count,
            )
        }?;
        // SAFETY: caller's contract.
        let req = unsafe { read_request(request, true) }?;
        let a = r.rs.appraise(&input, &req)?;
        // SAFETY: checked above.
        unsafe { hand_out(out, a) };
        Ok(())
    })
}

/// Appraises from Arrow streams, as `lc_appraise` does from arrays: a `sites` table
/// (`site_id`, `name`, `admissions`, `capabilities`, and any other column a measure),
/// `zones` (`zone_id`, `strokes` or `population`), `travel` (`zone_id`, `site_id`,
/// `minutes`), and optional `options` (`option_id`, `sites`) and `scores`
/// (`option_id`, `criterion`, `score`) tables (docs/columns.md). The request's range,
/// bound and weights apply; its options and scores are ignored (give the tables).
///
/// - every stream is moved in (released on every status); `options` and `scores` may
///   be NULL.
/// - `out`: receives the new handle on `LC_OK`; its tables come from
///   `lc_appraisal_table_arrow`.
///
/// Errors: `LC_INPUT_ERROR` for a table that cannot be read (naming table, column and
/// row), otherwise as for `lc_appraise`.
///
/// # Safety
///
/// Pointers are NULL or valid for the call; the streams point to `ArrowArrayStream`s;
/// `request` is NULL or readable (its arrays as documented).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_appraise_arrow(
    ruleset: *const lc_ruleset,
    sites: *mut FFI_ArrowArrayStream,
    zones: *mut FFI_ArrowArrayStream,
    travel: *mut FFI_ArrowArrayStream,
    options: *mut FFI_ArrowArrayStream,
    scores: *mut FFI_ArrowArrayStream,
    request: *const lc_appraisal_request,
    out: *mut *mut lc_appraisal,
) -> lc_status {
    // SAFETY: caller's contract (each stream is taken before anything can fail).
    let (sites, zones, travel, options, scores) = unsafe {
        (
            take(sites),
            take(zones),
            take(travel),
            take(options),
            take(scores),
        )
    };
    ffi_call(|| {
        // SAFETY: caller's contract.
        let r = unsafe { ref_arg(ruleset, "ruleset") }?;
        out_ptr(out, "out")?;
        let s = table(sites, "sites")?;
        let z = table(zones, "zones")?;
        let t = table(travel, "travel")?;
        let o = match options {
            Input::Null => None,
            x => Some(table(x, "options")?),
        };
        let c = match scores {
            Input::Null => None,
            x => Some(table(x, "scores")?),
        };
        // SAFETY: caller's contract.
        let req = unsafe { read_request(request, false) }?;
        let tables = AppraisalTables {
            sites: &s,
            zones: &z,
            travel: &t,
            options: o.as_ref(),
            scores: c.as_ref(),
        };
        let a = table_appraise::run(&r.rs, tables, req)?;
        // SAFETY: checked above.
        unsafe { hand_out(out, a) };
        Ok(())
    })
}

/// Frees an appraisal. NULL is allowed and does nothing.
///
/// # Safety
///
/// `appraisal` must be NULL or an appraisal from `lc_appraise` or `lc_appraise_arrow`
/// not yet freed, which no other thread is using.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_appraisal_free(appraisal: *mut lc_appraisal) {
    // SAFETY: caller's contract (made by Box::into_raw, not yet freed).
    unsafe { free_handle(appraisal) }
}

/// The appraisal's sizes: options, hurdle criteria, evaluation criteria and
/// shortlisted options. Each out-pointer may be NULL when not wanted.
///
/// # Safety
///
/// `appraisal` must be a live appraisal; each non-NULL pointer a writable `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_appraisal_counts(
    appraisal: *const lc_appraisal,
    options: *mut usize,
    hurdles: *mut usize,
    criteria: *mut usize,
    shortlisted: *mut usize,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let a = unsafe { ref_arg(appraisal, "appraisal") }?;
        let outs = [
            (options, a.rows.len(), "options"),
            (hurdles, a.hurdle_ids.len(), "hurdles"),
            (criteria, a.criteria.len(), "criteria"),
            (shortlisted, a.ranking.len(), "shortlisted"),
        ];
        for (p, _, what) in outs {
            if !p.is_null() {
                out_ptr(p, what)?;
            }
        }
        for (p, v, _) in outs {
            if !p.is_null() {
                // SAFETY: checked non-NULL and aligned above; writable (caller's contract).
                unsafe { p.write(v) };
            }
        }
        Ok(())
    })
}

/// Option `index`'s row, in the appraisal's order (the long list's, by number of
/// sites then site ids, or as given).
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_OUT_OF_RANGE`.
///
/// # Safety
///
/// `appraisal` must be a live appraisal; `out` a writable `lc_appraisal_row`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_appraisal_option(
    appraisal: *const lc_appraisal,
    index: usize,
    out: *mut lc_appraisal_row,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let a = unsafe { ref_arg(appraisal, "appraisal") }?;
        out_ptr(out, "out")?;
        let r = a.row(index)?;
        let row = lc_appraisal_row {
            option_id: r.id.as_lc_str(),
            hasu_count: r.hasus.len(),
            passed: r.passed,
            rank: r.rank,
            total: lc(&r.total),
            min_volume: r.min_volume.as_lc_str(),
            max_volume: r.max_volume.as_lc_str(),
            max_travel_minutes: r.max_travel.as_lc_str(),
            max_travel_zone: r.max_zone.as_lc_str(),
            mean_travel_minutes: r.mean.as_lc_str(),
            share_within: lc(&r.share),
        };
        // SAFETY: checked above.
        unsafe { out.write(row) };
        Ok(())
    })
}

/// HASU `k` (in site id order) of option `index`.
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_OUT_OF_RANGE`.
///
/// # Safety
///
/// `appraisal` must be a live appraisal; `out` a writable `lc_hasu`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_appraisal_hasu(
    appraisal: *const lc_appraisal,
    index: usize,
    k: usize,
    out: *mut lc_hasu,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let a = unsafe { ref_arg(appraisal, "appraisal") }?;
        out_ptr(out, "out")?;
        let r = a.row(index)?;
        let (id, current, projected, zones) = r.hasus.get(k).ok_or_else(|| {
            Error::range(format!(
                "HASU {k} of option {} is out of range: it has {}",
                r.id.as_str(),
                r.hasus.len()
            ))
        })?;
        let h = lc_hasu {
            site_id: id.as_lc_str(),
            current_admissions: *current,
            projected_admissions: projected.as_lc_str(),
            zones: *zones,
        };
        // SAFETY: checked above.
        unsafe { out.write(h) };
        Ok(())
    })
}

/// Hurdle `h` (in the policy's order) of option `index`.
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_OUT_OF_RANGE`.
///
/// # Safety
///
/// `appraisal` must be a live appraisal; `out` a writable `lc_hurdle_outcome`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_appraisal_hurdle(
    appraisal: *const lc_appraisal,
    index: usize,
    h: usize,
    out: *mut lc_hurdle_outcome,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let a = unsafe { ref_arg(appraisal, "appraisal") }?;
        out_ptr(out, "out")?;
        let r = a.row(index)?;
        let (id, o) = a.hurdle_ids.get(h).zip(r.hurdles.get(h)).ok_or_else(|| {
            Error::range(format!(
                "hurdle {h} is out of range: the policy has {}",
                a.hurdle_ids.len()
            ))
        })?;
        let x = lc_hurdle_outcome {
            criterion: id.as_lc_str(),
            passed: o.passed,
            observed: o.observed.as_lc_str(),
            bound: o.bound.as_lc_str(),
            at: lc(&o.at),
            reason: o.reason.as_lc_str(),
            remedy: lc(&o.remedy),
        };
        // SAFETY: checked above.
        unsafe { out.write(x) };
        Ok(())
    })
}

/// Evaluation criterion `c` (in the policy's order) of option `index`, which must be
/// shortlisted (`LC_OUT_OF_RANGE` otherwise).
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_OUT_OF_RANGE`.
///
/// # Safety
///
/// `appraisal` must be a live appraisal; `out` a writable `lc_criterion_score`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_appraisal_score(
    appraisal: *const lc_appraisal,
    index: usize,
    c: usize,
    out: *mut lc_criterion_score,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let a = unsafe { ref_arg(appraisal, "appraisal") }?;
        out_ptr(out, "out")?;
        let r = a.row(index)?;
        if r.scores.is_empty() {
            return Err(Error::range(format!(
                "option {} is not shortlisted, so it has no scores",
                r.id.as_str()
            )));
        }
        let ((id, weight), (value, score, weighted)) =
            a.criteria.get(c).zip(r.scores.get(c)).ok_or_else(|| {
                Error::range(format!(
                    "criterion {c} is out of range: the policy has {}",
                    a.criteria.len()
                ))
            })?;
        let x = lc_criterion_score {
            criterion: id.as_lc_str(),
            value: lc(value),
            score: *score,
            weight: weight.as_lc_str(),
            weighted: weighted.as_lc_str(),
        };
        // SAFETY: checked above.
        unsafe { out.write(x) };
        Ok(())
    })
}

/// The option index of the `k`-th of the shortlist, best first: `k = 0` is the
/// preferred option.
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_OUT_OF_RANGE` (`k` is not below the shortlisted
/// count of `lc_appraisal_counts`: with no option passing every hurdle, there is no
/// preferred option).
///
/// # Safety
///
/// `appraisal` must be a live appraisal; `out_index` a writable `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_appraisal_ranked(
    appraisal: *const lc_appraisal,
    k: usize,
    out_index: *mut usize,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let a = unsafe { ref_arg(appraisal, "appraisal") }?;
        out_ptr(out_index, "out_index")?;
        let i = a.ranking.get(k).ok_or_else(|| {
            Error::range(format!(
                "rank index {k} is out of range: {} options are shortlisted",
                a.ranking.len()
            ))
        })?;
        // SAFETY: checked above.
        unsafe { out_index.write(*i) };
        Ok(())
    })
}

/// The explanation, the same text as every face gives (`localcare appraise`): what
/// was weighed, the shortlist and ranking, the smallest weight change that swaps the
/// top two, then the preferred option's explanation; lines ended by `\n`. Text out as
/// in the conventions above.
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_BUFFER_TOO_SMALL`.
///
/// # Safety
///
/// `appraisal` must be a live appraisal; `buf` NULL (with `len` 0) or `len` writable
/// bytes; `needed` NULL or a writable `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_appraisal_explanation(
    appraisal: *const lc_appraisal,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let a = unsafe { ref_arg(appraisal, "appraisal") }?;
        // SAFETY: caller's contract.
        unsafe { write_text(&a.explanation, buf, len, needed) }
    })
}

/// Option `index`'s own explanation (`localcare appraise --explain OPTION`): its HASUs'
/// volumes, each hurdle with what would make a failure pass, and its scores. Text out
/// as in the conventions above.
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_OUT_OF_RANGE`, `LC_BUFFER_TOO_SMALL`.
///
/// # Safety
///
/// As for `lc_appraisal_explanation`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_appraisal_explain_option(
    appraisal: *const lc_appraisal,
    index: usize,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let a = unsafe { ref_arg(appraisal, "appraisal") }?;
        a.row(index)?;
        let text: String = a
            .core
            .explain_option(index)
            .iter()
            .map(|l| format!("{l}\n"))
            .collect();
        // SAFETY: caller's contract.
        unsafe { write_text(&text, buf, len, needed) }
    })
}

/// One of the appraisal's tables as an Arrow stream (docs/columns.md): `"appraisal"`
/// (one row per option), `"hurdles"` (per option and hurdle), `"volumes"` (per option
/// and HASU) or `"evaluation"` (per shortlisted option, best first, and criterion).
///
/// - `out`: receives the result stream on `LC_OK`; release it when done.
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_INVALID_UTF8`, `LC_NOT_FOUND` (another name).
///
/// # Safety
///
/// Pointers are NULL or valid for the call; `name` points to `name_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_appraisal_table_arrow(
    appraisal: *const lc_appraisal,
    name: *const c_char,
    name_len: usize,
    out: *mut FFI_ArrowArrayStream,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let a = unsafe { ref_arg(appraisal, "appraisal") }?;
        // SAFETY: caller's contract.
        let name = unsafe { str_arg(name, name_len, "name") }?;
        out_arg(out, "out")?;
        let c = &a.core;
        let batch = match name {
            "appraisal" => write::appraisal(c, Face::C),
            "hurdles" => write::hurdles(c, Face::C),
            "volumes" => write::volumes(c, Face::C),
            "evaluation" => write::evaluation(c, Face::C),
            _ => {
                return Err(Error::new(
                    lc_status::LC_NOT_FOUND,
                    format!(
                        "no appraisal table `{name}`; the tables are: appraisal, hurdles, volumes, evaluation"
                    ),
                ));
            }
        };
        // SAFETY: `out` checked above.
        unsafe { put(out, batch) };
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::lc as s;

    const RULESET: &str = r#"
schema = 1
id = "tiny"
title = "t"
version = "1"
capabilities = {}
[[tiers]]
id = "site"
name = "Site"
parents = ["system"]
[[tiers]]
id = "system"
name = "System"
parents = ["strategic_commissioner"]
[appraisal]
min_sites = 1
max_sites = 1
[[appraisal.hurdles]]
id = "volume"
name = "Admissions per HASU"
kind = "volume"
min = 500
"#;

    fn site(id: &'static str, admissions: i64) -> lc_site {
        lc_site {
            site_id: s(id),
            name: lc_str::NONE,
            admissions,
            capabilities: std::ptr::null(),
            capability_count: 0,
            measures: std::ptr::null(),
        }
    }

    fn zone(id: &'static str, strokes: &'static str) -> lc_zone {
        lc_zone {
            zone_id: s(id),
            strokes: s(strokes),
            population: LC_NO_VALUE,
        }
    }

    fn travel(z: &'static str, site: &'static str, m: &'static str) -> lc_travel {
        lc_travel {
            zone_id: s(z),
            site_id: s(site),
            minutes: s(m),
        }
    }

    #[test]
    fn appraises_through_the_abi_and_refuses_bad_input() {
        let mut rs: *mut lc_ruleset = std::ptr::null_mut();
        // SAFETY: valid pointers for the call.
        let st =
            unsafe { crate::lc_ruleset_from_toml(RULESET.as_ptr().cast(), RULESET.len(), &mut rs) };
        assert_eq!(st, lc_status::LC_OK, "{}", crate::guard::last_error());
        let sites = [site("A", 300), site("B", 200)];
        let zones = [zone("Z1", "300"), zone("Z2", "250")];
        let mut tt = [
            travel("Z1", "A", "10"),
            travel("Z1", "B", "30"),
            travel("Z2", "A", "40"),
            travel("Z2", "B", "20"),
        ];
        let mut a: *mut lc_appraisal = std::ptr::null_mut();
        // SAFETY: arrays of the counts given; `a` writable.
        let st = unsafe {
            lc_appraise(
                rs,
                sites.as_ptr(),
                2,
                std::ptr::null(),
                0,
                zones.as_ptr(),
                2,
                tt.as_ptr(),
                4,
                std::ptr::null(),
                &mut a,
            )
        };
        assert_eq!(st, lc_status::LC_OK, "{}", crate::guard::last_error());
        let (mut n, mut short) = (0usize, 0usize);
        // SAFETY: a live handle; writable counts, NULL for the unwanted ones.
        let st = unsafe {
            lc_appraisal_counts(
                a,
                &mut n,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                &mut short,
            )
        };
        assert_eq!((st, n, short), (lc_status::LC_OK, 2, 2));
        let mut first = 99usize;
        // SAFETY: as above.
        assert_eq!(
            unsafe { lc_appraisal_ranked(a, 0, &mut first) },
            lc_status::LC_OK
        );
        let mut row = std::mem::MaybeUninit::<lc_appraisal_row>::uninit();
        // SAFETY: as above.
        assert_eq!(
            unsafe { lc_appraisal_option(a, first, row.as_mut_ptr()) },
            lc_status::LC_OK
        );
        // SAFETY: written on LC_OK.
        let row = unsafe { row.assume_init() };
        // SAFETY: the id is owned by the live handle.
        let id = unsafe {
            std::slice::from_raw_parts(row.option_id.ptr.cast::<u8>(), row.option_id.len)
        };
        assert_eq!(id, b"A");
        assert_eq!(row.rank, 1);
        // SAFETY: made above, freed once.
        unsafe { lc_appraisal_free(a) };
        // A negative time: refused, nothing written.
        tt[0].minutes = s("-1");
        let mut b: *mut lc_appraisal = std::ptr::null_mut();
        // SAFETY: as above.
        let st = unsafe {
            lc_appraise(
                rs,
                sites.as_ptr(),
                2,
                std::ptr::null(),
                0,
                zones.as_ptr(),
                2,
                tt.as_ptr(),
                4,
                std::ptr::null(),
                &mut b,
            )
        };
        assert_eq!(st, lc_status::LC_APPRAISAL_ERROR);
        assert!(b.is_null());
        assert!(
            crate::guard::last_error().contains("travel row 0"),
            "{}",
            crate::guard::last_error()
        );
        // SAFETY: made above, freed once.
        unsafe { crate::lc_ruleset_free(rs) };
    }
}
