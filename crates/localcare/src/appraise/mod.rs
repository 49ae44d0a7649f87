//! Appraisal of a service reconfiguration (`docs/appraisal.md`): the stroke review's long list,
//! hurdle criteria, shortlist and weighted evaluation.
//!
//! Seed `000_304436ec5367c809.txt`, "Stroke" slides: Kent and Medway had no hyper-acute
//! stroke unit (HASU); the recommended volume is "between 500 and 1,500 confirmed stroke
//! admissions per year", yet every acute hospital was below 500. The review's process,
//! drawn twice on the slides: "Identify long list of options", "Application of hurdle
//! criteria to produce a shortlist of options", "Evaluation of shortlist of options
//! (using evaluation criteria) to identify a preferred option".
//!
//! The model:
//!
//! - **sites** (id, name, current confirmed admissions a year, capabilities, measures
//!   such as the share thrombolysed within 60 minutes), **zones** (annual strokes, or a
//!   population times the ruleset's incidence) and **travel times** from zones to sites
//!   (minutes; a missing pair means unreachable);
//! - an **option** designates a set of sites as HASUs: every set of `k` sites for `k` in
//!   a range (the long list), or options the caller gives;
//! - **projection**: each zone's patients go to its nearest designated site (ties by site
//!   id), which gives each HASU's volume, the longest and the patient-weighted mean travel
//!   time and the share of patients within a threshold;
//! - **hurdles** (data in the ruleset) pass or fail each option with the numbers that
//!   decided it and, for a failure, what would make it pass;
//! - **evaluation**: each criterion scores a shortlisted option from `--` (-2) to `++`
//!   (+2), from a projected measure through the ruleset's four thresholds or from scores
//!   the caller gives; weighted totals rank the shortlist, and for the top two the
//!   smallest change of one weight that would swap them is found.
//!
//! # Exactness
//!
//! Volumes are admissions, exact decimals (whole numbers when zones give whole strokes);
//! travel times are exact decimals. Both are held as integers at a common scale, so no
//! floating point decides a pass, a fail or a rank: the mean travel time and shares are
//! exact ratios compared by cross-multiplication, shown rounded (2 and 6 places). Weighted
//! totals are decimal sums of weight × score. Ties in the ranking go to the smaller option
//! id; results do not depend on the order of any input table's rows (sites and zones are
//! taken in id order).
//!
//! # Speed
//!
//! Each zone's sites are sorted once by travel time (ties by site id); the long list is
//! enumerated depth first, each added site lowering every zone's best position in its
//! sorted list (an incremental nearest-site search), spread over the machine's cores.
//!
//! ```
//! use localcare::appraise::{AppraisalInput, AppraisalRequest, Site, TravelTime, Zone};
//! use localcare::Ruleset;
//! let rs = Ruleset::from_toml_str(r#"
//! schema = 1
//! id = "tiny"
//! title = "t"
//! version = "1"
//! capabilities = {}
//! [[tiers]]
//! id = "site"
//! name = "Site"
//! parents = ["system"]
//! [[tiers]]
//! id = "system"
//! name = "System"
//! parents = ["strategic_commissioner"]
//! [appraisal]
//! min_sites = 1
//! max_sites = 1
//! [[appraisal.hurdles]]
//! id = "volume"
//! name = "Admissions per HASU"
//! kind = "volume"
//! min = 500
//! "#)?;
//! let input = AppraisalInput {
//!     sites: vec![Site::new("A", 300), Site::new("B", 200)],
//!     zones: vec![Zone::strokes("Z1", 300), Zone::strokes("Z2", 250)],
//!     travel: vec![
//!         TravelTime::new("Z1", "A", 10), TravelTime::new("Z1", "B", 30),
//!         TravelTime::new("Z2", "A", 40), TravelTime::new("Z2", "B", 20),
//!     ],
//!     matrix: None,
//! };
//! let a = rs.appraise(&input, &AppraisalRequest::default())?;
//! assert_eq!(a.options.len(), 2); // {A} and {B}: 550 each, both pass
//! assert_eq!(a.preferred().map(|o| o.id.as_str()), Some("A"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod engine;
mod explain;
mod judge;
pub(crate) mod policy;
mod prepared;
mod project;
mod ratio;
pub(crate) mod read;
pub mod search;
mod searched;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::Arc;

use rust_decimal::Decimal;

pub use policy::{
    AppraisalPolicy, Better, DEFAULT_MAX_OPTIONS, EvaluationCriterion, Hurdle, HurdleCriterion,
    MAX_BOUND, MAX_WEIGHT, Measure, parse_score, parse_weight, score_text,
};

use crate::Ruleset;

/// Patients or admissions a year as the explanations write them (at most one decimal).
pub use explain::patients as patients_text;

/// Why an appraisal could not be made. Nothing is returned with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppraisalError {
    /// The ruleset has no `[appraisal]` table.
    #[error("ruleset {ruleset} has no appraisal policy")]
    NoPolicy {
        /// The ruleset id.
        ruleset: String,
    },
    /// A value of an input table is wrong.
    #[error("{table} row {row}: `{column}` {message}")]
    Invalid {
        /// `sites`, `zones`, `travel`, `options` or `scores`.
        table: &'static str,
        /// The row (0-based, in the order given).
        row: usize,
        /// The column (for a site measure, its name).
        column: String,
        /// What is wrong, with the value and what was expected.
        message: String,
    },
    /// An input table is empty, or wrong as a whole.
    #[error("{table}: {message}")]
    Table {
        /// `sites`, `zones`, `travel`, `options` or `scores`.
        table: &'static str,
        /// What is wrong.
        message: String,
    },
    /// An option leaves a zone that none of its sites reaches.
    #[error(
        "option {option}: zone {zone} is reached by none of its sites ({sites}); give a travel time from {zone} to one of them, or leave the option out"
    )]
    Unreachable {
        /// The option id.
        option: String,
        /// The zone id.
        zone: String,
        /// The option's sites, `+`-separated.
        sites: String,
    },
    /// The long list asks for more sites per option than there are candidates, or none.
    #[error("an option of {k} sites cannot be drawn from {sites} sites{}", fixed_note(*fixed))]
    SitesPerOption {
        /// Sites per option asked for.
        k: usize,
        /// Candidate sites there are.
        sites: usize,
        /// Sites fixed open besides (designated in every option, not choices).
        fixed: usize,
    },
    /// A shortlisted option has no score on a criterion the caller scores.
    #[error(
        "option {option} is shortlisted but has no score on criterion `{criterion}`; give one from -- to ++"
    )]
    MissingScore {
        /// The option id.
        option: String,
        /// The criterion id.
        criterion: String,
    },
    /// A weight named by the call is wrong.
    #[error("weight of `{criterion}`: {message}")]
    Weight {
        /// The criterion id.
        criterion: String,
        /// What is wrong.
        message: String,
    },
    /// The search for a long list too large to enumerate could not be made.
    #[error("the search: {0}")]
    Search(String),
    /// The progress callback asked the search to stop.
    #[error(
        "the search was stopped after {done} of {of} numbers of sites, as its progress callback asked"
    )]
    Stopped {
        /// Sizes searched before it stopped.
        done: usize,
        /// Sizes asked for.
        of: usize,
    },
    /// A number does not fit exact 64-bit (or 128-bit, or decimal) arithmetic.
    #[error("{quantity} is too large to compute exactly")]
    Overflow {
        /// What overflowed, naming the inputs it came from.
        quantity: String,
    },
    /// A worker thread of the appraisal panicked (a bug): the appraisal is refused
    /// whole rather than returned without that worker's options.
    #[error(
        "an appraisal worker stopped unexpectedly ({message}); no result is returned; please report it"
    )]
    WorkerPanicked {
        /// The panic's message.
        message: String,
    },
}

/// A site that may be designated a HASU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// Stable id, such as `MMH`; unique.
    pub id: String,
    /// Human name (empty when not given).
    pub name: String,
    /// Current confirmed stroke admissions a year, 0 or more.
    pub admissions: i64,
    /// Capability ids, each declared by the ruleset.
    pub capabilities: Vec<String>,
    /// Measures by name, such as `thrombolysed_60min` = 0.42.
    pub measures: BTreeMap<String, Decimal>,
    /// Designated in every option and not a choice: a unit outside the area that stays
    /// open, or one already decided. It takes its nearest patients (ties between a
    /// fixed-open site and a candidate go to the fixed-open one); the long list and the
    /// search choose among the candidates only, and a hurdle judges it only when the
    /// hurdle says `judges = "designated"`.
    pub fixed_open: bool,
}

impl Site {
    /// A site with its id as name, no capabilities and no measures.
    pub fn new(id: impl Into<String>, admissions: i64) -> Self {
        let id = id.into();
        Site {
            name: id.clone(),
            id,
            admissions,
            capabilities: Vec::new(),
            measures: BTreeMap::new(),
            fixed_open: false,
        }
    }
}

/// A population zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    /// Stable id; unique.
    pub id: String,
    /// Patients (strokes) a year, 0 or more; or `None` with a population.
    pub strokes: Option<Decimal>,
    /// People, 0 or more, for the ruleset's incidence; only without `strokes`.
    pub population: Option<i64>,
    /// Whether the zone is in the area of interest. A zone outside it (`false`) sends
    /// its patients to its nearest open unit, where they count towards the unit's
    /// volume and the volume hurdles, but the option's travel measures (mean travel,
    /// longest travel, share within, the search's objective) are over the patients in
    /// the area only: a review answers for its own population, and its neighbours'
    /// patients still fill its units.
    pub in_area: bool,
}

impl Zone {
    /// A zone of `strokes` patients a year.
    pub fn strokes(id: impl Into<String>, strokes: i64) -> Self {
        Zone {
            id: id.into(),
            strokes: Some(Decimal::from(strokes)),
            population: None,
            in_area: true,
        }
    }
    /// A zone of `population` people, its patients from the ruleset's incidence.
    pub fn population(id: impl Into<String>, population: i64) -> Self {
        Zone {
            id: id.into(),
            strokes: None,
            population: Some(population),
            in_area: true,
        }
    }
}

/// The travel time from a zone to a site. A pair not given is unreachable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TravelTime {
    /// A zone of the zones table.
    pub zone_id: String,
    /// A site of the sites table.
    pub site_id: String,
    /// Minutes, 0 or more.
    pub minutes: Decimal,
}

impl TravelTime {
    /// A travel time of whole minutes.
    pub fn new(zone_id: impl Into<String>, site_id: impl Into<String>, minutes: i64) -> Self {
        TravelTime {
            zone_id: zone_id.into(),
            site_id: site_id.into(),
            minutes: Decimal::from(minutes),
        }
    }
}

/// The sites, zones and travel times an appraisal projects over.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppraisalInput {
    /// The sites, in any order.
    pub sites: Vec<Site>,
    /// The zones, in any order.
    pub zones: Vec<Zone>,
    /// The travel times, in any order; each (zone, site) pair at most once.
    pub travel: Vec<TravelTime>,
    /// The travel times as a dense matrix (the wide published form), instead of
    /// `travel`: give one or the other.
    pub matrix: Option<TravelMatrix>,
}

/// Travel times in the wide form they are published in (one row per zone, one column
/// per site, blank where the site cannot be reached), held as one dense matrix of
/// minutes at a fixed number of decimal places: 8 bytes a pair, where a long table of
/// (zone, site, minutes) rows costs a few hundred.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TravelMatrix {
    /// The rows' zones: each a zone of the zones table, at most once.
    pub zone_ids: Vec<String>,
    /// The columns' sites: each a site of the sites table, at most once.
    pub site_ids: Vec<String>,
    /// Decimal places of `minutes` (at most 9).
    pub scale: u32,
    /// `minutes[z * site_ids.len() + s]`: zone `z` to site `s` in units of
    /// `10^-scale` minutes, or [`TravelMatrix::UNREACHABLE`].
    pub minutes: Vec<i64>,
}

impl TravelMatrix {
    /// A pair with no travel time.
    pub const UNREACHABLE: i64 = -1;
}

/// An option the caller gives: the sites it designates as HASUs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppraisalOption {
    /// Stable id; unique.
    pub id: String,
    /// Site ids, each once.
    pub sites: Vec<String>,
}

/// A score the caller gives an option on a `scores` criterion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerScore {
    /// The option id (a generated one is its sites joined by `+`, in id order).
    pub option_id: String,
    /// The criterion id.
    pub criterion: String,
    /// -2 (`--`) to +2 (`++`).
    pub score: i8,
}

/// What to appraise, beyond the input: the options and any weights and scores.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppraisalRequest {
    /// The options; `None` for the long list.
    pub options: Option<Vec<AppraisalOption>>,
    /// The long list's range of sites per option; `None` for the ruleset's.
    pub sites_per_option: Option<(usize, usize)>,
    /// The largest long list to enumerate; `None` for the ruleset's.
    pub max_options: Option<u64>,
    /// Criterion id -> weight, replacing the ruleset's.
    pub weights: BTreeMap<String, Decimal>,
    /// Scores on the `scores` criteria.
    pub scores: Vec<CallerScore>,
    /// Told after each number of HASUs a search finishes (a long list past its bound
    /// can take minutes over a curve of sizes); nothing is told when the long list is
    /// enumerated.
    pub progress: Progress,
}

/// A callback told of a search's progress ([`AppraisalRequest::progress`]); none by
/// default. It is called on the thread that asked for the appraisal, after each number
/// of sites, and may stop the search ([`ControlFlow::Break`]: the appraisal is then
/// [`AppraisalError::Stopped`], never a partial result).
///
/// ```
/// use std::ops::ControlFlow;
/// use std::sync::{Arc, Mutex};
/// use localcare::appraise::{Progress, SearchProgress};
/// let lines = Arc::new(Mutex::new(Vec::new()));
/// let seen = Arc::clone(&lines);
/// let progress = Progress::new(move |p: &SearchProgress| {
///     seen.lock().unwrap().push(p.line());
///     ControlFlow::Continue(())
/// });
/// # let _ = progress;
/// ```
#[derive(Clone, Default)]
pub struct Progress(Option<Arc<OnProgress>>);

/// What a [`Progress`] calls.
type OnProgress = dyn Fn(&SearchProgress) -> ControlFlow<()> + Send + Sync;

impl Progress {
    /// A callback for each number of HASUs searched.
    pub fn new(f: impl Fn(&SearchProgress) -> ControlFlow<()> + Send + Sync + 'static) -> Self {
        Progress(Some(Arc::new(f)))
    }

    /// Tells the callback, if there is one; an error when it asks to stop.
    pub(crate) fn tell(&self, p: &SearchProgress) -> Result<(), AppraisalError> {
        match &self.0 {
            Some(f) if f(p).is_break() => Err(AppraisalError::Stopped {
                done: p.done,
                of: p.of,
            }),
            _ => Ok(()),
        }
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Progress(callback)"
        } else {
            "Progress(none)"
        })
    }
}

/// Two requests are equal whatever their callbacks: a callback only watches.
impl PartialEq for Progress {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Progress {}

/// One number of HASUs searched, as the search goes ([`Progress`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchProgress {
    /// Sizes searched so far, this one included.
    pub done: usize,
    /// Sizes to search in all.
    pub of: usize,
    /// This size's row, as the `search` table will have it.
    pub row: SearchRow,
    /// Time since the search began.
    pub elapsed: std::time::Duration,
}

impl SearchProgress {
    /// The progress as one line of text, the same in every face: `search 3 of 101: 22
    /// sites, 33.05 min mean travel, bound 32.9 (gap 0.45%), 12.3 s`.
    pub fn line(&self) -> String {
        explain::progress_line(self)
    }
}

/// A HASU's projection under one option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HasuProjection {
    /// The site id.
    pub site_id: String,
    /// Its current confirmed admissions a year.
    pub current_admissions: i64,
    /// Its projected admissions a year: the patients of the zones it is nearest to,
    /// those outside the area included.
    pub projected_admissions: Decimal,
    /// The part of `projected_admissions` from zones outside the area.
    pub out_of_area_admissions: Decimal,
    /// The zones it is nearest to.
    pub zones: usize,
    /// Whether it is fixed open (designated in every option, not a choice).
    pub fixed_open: bool,
}

/// One hurdle's outcome for one option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HurdleOutcome {
    /// Whether the option passes it.
    pub passed: bool,
    /// The number that decided it (a volume, minutes, a share, a count of sites, a
    /// measure).
    pub observed: Decimal,
    /// The bound it was held to.
    pub bound: Decimal,
    /// The site or zone that decided it, if one did.
    pub at: Option<String>,
    /// Why, in words.
    pub reason: String,
    /// For a failure, what would make it pass.
    pub remedy: Option<String>,
}

/// One evaluation criterion's score for a shortlisted option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriterionScore {
    /// The measured value (`None` for a caller's score); travel means are rounded to 2
    /// places and shares to 6 for showing, scores use the exact values.
    pub value: Option<Decimal>,
    /// -2 (`--`) to +2 (`++`); for a value function, its points rounded to the nearest
    /// band (half away from zero), for showing.
    pub score: i8,
    /// The exact score the total uses: the band's for the review's bands and caller
    /// scores, the value function's (to 6 places) for a value function.
    pub points: Decimal,
    /// Weight × points.
    pub weighted: Decimal,
}

/// One option's appraisal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionAppraisal {
    /// The option id (a generated one is its sites joined by `+`).
    pub id: String,
    /// Its HASUs' projections, in site id order.
    pub hasus: Vec<HasuProjection>,
    /// The longest travel time, minutes.
    pub max_travel_minutes: Decimal,
    /// The zone with the longest travel time (the first by id among equals).
    pub max_travel_zone: String,
    /// The patient-weighted mean travel time, minutes, rounded half away from zero to 2
    /// places for showing.
    pub mean_travel_minutes: Decimal,
    /// The share of patients within the policy's `within_minutes`, rounded to 6 places;
    /// `None` when the policy sets none.
    pub share_within: Option<Decimal>,
    /// One outcome per hurdle criterion, in the policy's order.
    pub hurdles: Vec<HurdleOutcome>,
    /// Whether it passes every hurdle (and so is on the shortlist).
    pub passed: bool,
    /// For a shortlisted option, one score per evaluation criterion; else empty.
    pub scores: Vec<CriterionScore>,
    /// For a shortlisted option, the weighted total.
    pub total: Option<Decimal>,
    /// For a shortlisted option, its rank (1 is preferred).
    pub rank: Option<usize>,
    /// The exact sums behind the rounded mean and shares.
    pub(crate) exact: Exact,
}

/// The exact sums of a projection: Σ patients × minutes, and patients within each of
/// the policy's thresholds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Exact {
    pub sum: i128,
    pub within: Vec<i64>,
}

impl OptionAppraisal {
    /// The designated sites' ids.
    pub fn site_ids(&self) -> impl Iterator<Item = &str> {
        self.hasus.iter().map(|h| h.site_id.as_str())
    }
}

/// The smallest change of one weight that would swap the top two options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeightSwap {
    /// The criterion whose weight changes.
    pub criterion: String,
    /// Its weight now.
    pub weight: Decimal,
    /// The weight at which the two totals are equal (rounded to 6 places when not
    /// exact).
    pub tie_weight: Decimal,
    /// `tie_weight - weight`.
    pub change: Decimal,
    /// Whether `tie_weight` is exact.
    pub exact: bool,
    /// Whether the second option already ranks first at the tie (its id is smaller);
    /// otherwise the weight must pass the tie.
    pub swaps_at_tie: bool,
}

/// The result of an appraisal.
#[derive(Debug, Clone)]
pub struct Appraisal {
    /// The ruleset's id.
    pub ruleset: String,
    /// The hurdle criteria applied.
    pub hurdles: Vec<HurdleCriterion>,
    /// The evaluation criteria, with the weights used.
    pub criteria: Vec<EvaluationCriterion>,
    /// The travel time of `share_within`, minutes.
    pub within_minutes: Option<Decimal>,
    /// For the long list, the range of sites per option.
    pub long_list: Option<(usize, usize)>,
    /// Sites there are to choose from (the candidates).
    pub sites: usize,
    /// The fixed-open sites' ids, designated in every option (not choices).
    pub fixed_open: Vec<String>,
    /// Zones projected.
    pub zones: usize,
    /// Patients a year over the zones in the area (what the travel measures are over).
    pub total_patients: Decimal,
    /// Patients a year from zones outside the area: they count towards the units'
    /// volumes only.
    pub out_of_area_patients: Decimal,
    /// Zones outside the area (included in `zones`).
    pub out_of_area_zones: usize,
    /// Every option, in the long list's order (by number of sites, then site ids) or in
    /// the order given.
    pub options: Vec<OptionAppraisal>,
    /// The shortlisted options' indices, best first.
    pub ranking: Vec<usize>,
    /// For the top two, the smallest change of one weight that swaps them; `None` when
    /// fewer than two are shortlisted or no change of one weight does.
    pub swap: Option<WeightSwap>,
    /// When the long list was too large to enumerate, one row per number of HASUs: the
    /// best option the search found and its proven bound; empty otherwise.
    pub search: Vec<SearchRow>,
    _prepared: Arc<prepared::Prepared>,
}

/// One number of HASUs searched (`docs/appraisal.md#search`): the best option found by
/// mean travel (keeping the volume hurdles where the ruleset has them), and a proven
/// lower bound on the mean travel of every option of that size (hurdles aside: they
/// only remove options, so the bound holds for those that pass too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRow {
    /// HASUs designated.
    pub hasus: usize,
    /// The best option found (its row is in the appraisal's options).
    pub option_id: String,
    /// Its patient-weighted mean travel, minutes, rounded half away from zero to 2 places.
    pub mean_travel_minutes: Decimal,
    /// The proven lower bound on the mean travel of any option of this size that
    /// reaches every zone, rounded down to 2 places.
    pub bound_minutes: Decimal,
    /// `(found - bound) / found` in parts per million, rounded up (from the exact
    /// totals); `None` when the option found leaves a zone unreached or a HASU outside
    /// the volume hurdles.
    pub gap_ppm: Option<u64>,
    /// When the ruleset has volume hurdles, the search keeps them (every HASU's volume
    /// within its limits): how many patients a year the option found has outside them,
    /// summed over its HASUs (0 when it keeps them); `None` without volume hurdles.
    pub volume_outside: Option<Decimal>,
    /// Starting points the search tried.
    pub restarts: usize,
    /// Subgradient steps taken for the bound.
    pub bound_steps: usize,
}

/// One zone under one option: the HASU its patients go to and how far
/// ([`Appraisal::catchment`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneCatchment {
    /// The zone.
    pub zone_id: String,
    /// Its HASU: the nearest designated site (ties to the first by site id, fixed-open
    /// sites first), as the projection assigns it.
    pub site_id: String,
    /// The travel time, minutes.
    pub minutes: Decimal,
    /// Its patients a year.
    pub patients: Decimal,
    /// Whether the zone is in the area of interest.
    pub in_area: bool,
}

/// How [`AppraisalError::SitesPerOption`] counts the sites fixed open.
fn fixed_note(fixed: usize) -> String {
    match fixed {
        0 => String::new(),
        1 => " that are candidates (1 more is fixed open in every option, not a choice)".into(),
        n => format!(" that are candidates ({n} more are fixed open in every option, not choices)"),
    }
}

/// An option id an appraisal does not have (asked for by `--explain`, `explain(id)`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "no option `{id}`; a long-list option's id is its sites joined by `+` in id order, such as {example}"
)]
pub struct UnknownOption {
    /// The id asked for.
    pub id: String,
    /// An id the appraisal has, to show the form.
    pub example: String,
}

impl Appraisal {
    /// The position in [`Appraisal::options`] of the option with this id.
    pub fn option_index(&self, id: &str) -> Result<usize, UnknownOption> {
        self.options
            .iter()
            .position(|o| o.id == id)
            .ok_or_else(|| UnknownOption {
                id: id.to_string(),
                example: self
                    .options
                    .first()
                    .map_or_else(|| "A+B".to_string(), |o| o.id.clone()),
            })
    }

    /// The preferred option: the first of the ranking.
    pub fn preferred(&self) -> Option<&OptionAppraisal> {
        self.ranking.first().map(|&i| &self.options[i])
    }
    /// The shortlist, best first.
    pub fn shortlist(&self) -> impl Iterator<Item = &OptionAppraisal> {
        self.ranking.iter().map(|&i| &self.options[i])
    }
}

/// Sites, zones and travel times checked and sorted once under a ruleset's appraisal
/// policy, to appraise many option lists and weightings.
#[derive(Debug, Clone)]
pub struct PreparedAppraisal {
    inner: Arc<prepared::Prepared>,
}

impl PreparedAppraisal {
    /// Appraises the options of `request` (the long list when it gives none).
    pub fn appraise(&self, request: &AppraisalRequest) -> Result<Appraisal, AppraisalError> {
        engine::appraise(&self.inner, request, explain::hurdle_outcome)
    }
    /// The sites' ids, in id order.
    pub fn site_ids(&self) -> impl Iterator<Item = &str> {
        self.inner.sites.iter().map(|s| s.id.as_str())
    }
    /// How many options the long list of `min ..= max` sites per option has.
    pub fn long_list_size(&self, min: usize, max: usize) -> u128 {
        engine::long_list_size(self.inner.sites.len(), min, max)
    }
}

impl Ruleset {
    /// Checks and sorts `input` once, for [`PreparedAppraisal::appraise`].
    pub fn prepare_appraisal(
        &self,
        input: &AppraisalInput,
    ) -> Result<PreparedAppraisal, AppraisalError> {
        let policy = self
            .appraisal_policy()
            .ok_or_else(|| AppraisalError::NoPolicy {
                ruleset: self.id().to_string(),
            })?;
        Ok(PreparedAppraisal {
            inner: Arc::new(prepared::Prepared::new(self, policy, input)?),
        })
    }

    /// Appraises `request`'s options (the long list when it gives none) over `input`.
    pub fn appraise(
        &self,
        input: &AppraisalInput,
        request: &AppraisalRequest,
    ) -> Result<Appraisal, AppraisalError> {
        self.prepare_appraisal(input)?.appraise(request)
    }
}
