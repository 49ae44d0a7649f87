//! The search for the best sites when the long list cannot be enumerated
//! (`docs/appraisal.md#search`).
//!
//! Asking for the best 75 of England's 125 stroke units is a choice among 2.5 x 10^35
//! options: no enumeration reaches it. The question is the p-median problem: open
//! `size` of the candidate sites (beside the sites fixed open) so that the total
//! weighted travel, `sum over zones of weight x minutes to the nearest open site`, is
//! least. This module answers it the way the operational research literature does
//! for problems of this size, and proves how good the answer is:
//!
//! - **Greedy construction** opens, one at a time, the candidate that saves the most
//!   travel; restarts open one of the few best at random (a seeded GRASP), so that
//!   different starting points are tried.
//! - **Fast interchange** (Whitaker, 1983) then swaps an open candidate for a closed
//!   one while a swap saves travel. For each closed candidate it costs one pass over
//!   the zones, using each zone's nearest and second nearest open site, so a whole
//!   neighbourhood of `open x closed` swaps is scanned in `closed x zones` steps.
//! - **A Lagrangian lower bound** relaxes "each zone is served once". For any
//!   multipliers the relaxed problem is solved exactly by picking the sites with the
//!   most negative reduced costs, and its value is at most the best option's: a
//!   proven bound. Subgradient steps raise it towards the best found, and the gap
//!   between the two says how far from the optimum the answer can be.
//!
//! Everything is in integers: minutes at the problem's fixed scale, weights (patients a
//! year) at theirs, and totals in `i128`, so the bound is exact, not a float that may
//! sit a rounding error above the truth. Restarts run on all cores, each seeded by its
//! index, and the best is chosen by total and then by the sites' indices: the answer
//! is the same for a given seed whatever the number of threads.
//!
//! **Volume limits** (the ruleset's volume hurdles: every HASU at least 300 admissions
//! a year, say) are kept by a second local search from each restart's answer: swaps
//! are tried in the order of the travel they save, and one is taken when it lowers
//! first the volume outside the limits and then the travel
//! ([`SearchProblem::with_volume_limits`]). The limits only remove options, so the
//! Lagrangian bound of the unlimited problem stays a proven bound; the gap is then
//! measured against it and is the looser for it.
//!
//! A zone that no open site reaches costs [`UNREACHED_COST_MINUTES`] per patient in the
//! search, so that options reaching every zone are preferred; such an option is
//! reported with its count of unreached zones, and the bound covers only options that
//! reach every zone (unreachable pairs are never assigned in the relaxation).
//!
//! ```
//! use localcare::appraise::search::{SearchParams, SearchProblem};
//! // Four zones on a line at 0, 10, 20 and 30 minutes' spacing; a site at each.
//! let at = [0u32, 10, 20, 30];
//! let time: Vec<u32> = at
//!     .iter()
//!     .flat_map(|s| at.iter().map(move |z| s.abs_diff(*z)))
//!     .collect();
//! let problem = SearchProblem::new(4, 4, time, vec![1, 1, 1, 1], vec![false; 4])?;
//! let best = problem.search(2, &SearchParams::default())?;
//! assert_eq!(best.found.total, 20); // two sites, each zone 0 or 10 minutes away
//! assert_eq!(best.bound, 20); // proven optimal
//! # Ok::<(), localcare::appraise::search::SearchError>(())
//! ```

mod bound;
mod local;
#[cfg(test)]
mod tests;

use rayon::prelude::*;

/// A pair with no travel time: the zone cannot reach the site.
pub const UNREACHED: u32 = u32::MAX;

/// What a patient in a zone that no open site reaches costs the search, in the
/// problem's time units: far beyond any real journey, so that an option leaving a zone
/// unreached is taken only when no option reaches them all.
pub const UNREACHED_COST_MINUTES: u32 = u32::MAX - 1;

/// Why a search could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    /// The travel times do not fill `zones x sites`.
    #[error("the travel matrix has {given} times; {zones} zones x {sites} sites need {needed}")]
    Shape {
        /// Times given.
        given: usize,
        /// Zones.
        zones: usize,
        /// Sites.
        sites: usize,
        /// `zones x sites`.
        needed: usize,
    },
    /// A per-zone or per-site list is of the wrong length.
    #[error("{what} has {given} entries; expected {expected}")]
    Length {
        /// Which list.
        what: &'static str,
        /// Its length.
        given: usize,
        /// The length it must have.
        expected: usize,
    },
    /// More sites than the search can index.
    #[error("{sites} sites: the search handles at most {max}")]
    TooManySites {
        /// Sites given.
        sites: usize,
        /// The most it handles.
        max: usize,
    },
    /// The size asked for is more than the candidates.
    #[error("an option of {size} candidate sites cannot be drawn from {candidates} candidates")]
    SizeTooLarge {
        /// Candidates to open.
        size: usize,
        /// Candidates there are.
        candidates: usize,
    },
    /// A size of zero with no fixed-open site leaves nothing to travel to.
    #[error("an option of 0 candidate sites with no site fixed open serves no one")]
    Empty,
    /// A zone reaches no site at all: no option serves it.
    #[error("the zone at position {zone} reaches no site; give it a travel time to at least one")]
    ZoneUnreachable {
        /// The zone's position.
        zone: usize,
    },
}

/// A p-median problem over a dense travel matrix: zones with weights (patients a year,
/// at any fixed scale), sites either candidates or fixed open.
#[derive(Debug, Clone)]
pub struct SearchProblem {
    zones: usize,
    sites: usize,
    /// `time[s * zones + z]`: site `s` from zone `z`, or [`UNREACHED`].
    time: Vec<u32>,
    weight: Vec<u64>,
    fixed: Vec<bool>,
    /// Zone `z`'s reachable sites, nearest first (ties by index):
    /// `near[near_start[z]..near_start[z + 1]]`.
    near_start: Vec<u32>,
    near: Vec<u16>,
    /// The times of `near`, beside it, so that the bound walks memory in order.
    near_time: Vec<u32>,
    /// What a zone adds to its site's volume (patients a year, every zone's, the
    /// weight's scale); the weight by default. It differs where some zones' patients
    /// count towards volumes but not towards the objective (zones outside the area).
    volume: Vec<u64>,
    /// Per site, the volume it must have when open, `lo ..= hi`; `(0, u128::MAX)` for
    /// a site not judged.
    limits: Vec<(u128, u128)>,
}

impl SearchProblem {
    /// The problem from a site-major matrix (`time[s * zones + z]`, [`UNREACHED`] for no
    /// journey), a weight per zone and, per site, whether it is fixed open.
    pub fn new(
        zones: usize,
        sites: usize,
        time: Vec<u32>,
        weight: Vec<u64>,
        fixed: Vec<bool>,
    ) -> Result<Self, SearchError> {
        let needed = zones.saturating_mul(sites);
        if time.len() != needed {
            return Err(SearchError::Shape {
                given: time.len(),
                zones,
                sites,
                needed,
            });
        }
        if sites >= usize::from(u16::MAX) {
            return Err(SearchError::TooManySites {
                sites,
                max: usize::from(u16::MAX) - 1,
            });
        }
        for (what, given, expected) in [
            ("weight", weight.len(), zones),
            ("fixed", fixed.len(), sites),
        ] {
            if given != expected {
                return Err(SearchError::Length {
                    what,
                    given,
                    expected,
                });
            }
        }
        let mut near_start = Vec::with_capacity(zones + 1);
        let mut near = Vec::new();
        let mut near_time = Vec::new();
        near_start.push(0u32);
        let mut row: Vec<(u32, u16)> = Vec::with_capacity(sites);
        for z in 0..zones {
            row.clear();
            row.extend(
                (0..sites)
                    .map(|s| (time[s * zones + z], s as u16))
                    .filter(|&(t, _)| t != UNREACHED),
            );
            row.sort_unstable();
            if row.is_empty() {
                return Err(SearchError::ZoneUnreachable { zone: z });
            }
            near.extend(row.iter().map(|&(_, s)| s));
            near_time.extend(row.iter().map(|&(t, _)| t));
            near_start.push(near.len() as u32);
        }
        Ok(SearchProblem {
            zones,
            sites,
            time,
            volume: weight.clone(),
            weight,
            limits: vec![(0, u128::MAX); sites],
            fixed,
            near_start,
            near,
            near_time,
        })
    }

    /// The same problem with volumes: what each zone adds to its nearest open site's
    /// volume (`volume`, per zone), and per site the volume it must have when open,
    /// `lo ..= hi` (`(0, u128::MAX)` for a site not judged). The search then prefers
    /// options whose open sites are all within their limits (see the module's
    /// documentation).
    ///
    /// ```
    /// use localcare::appraise::search::{SearchParams, SearchProblem};
    /// // Zones at 0, 1, 2 and 10 minutes along a line, sites at each; the far zone is
    /// // small. Unlimited, two sites serve {0, 1, 2} and {10}; with every open site at
    /// // least 3 patients, the far zone must share a site.
    /// let at = [0u32, 1, 2, 10];
    /// let time: Vec<u32> = at
    ///     .iter()
    ///     .flat_map(|s| at.iter().map(move |z| s.abs_diff(*z)))
    ///     .collect();
    /// let weight = vec![2, 2, 2, 1];
    /// let free = SearchProblem::new(4, 4, time.clone(), weight.clone(), vec![false; 4])?;
    /// assert_eq!(free.search(2, &SearchParams::default())?.found.total, 4);
    /// let limited = SearchProblem::new(4, 4, time, weight.clone(), vec![false; 4])?
    ///     .with_volume_limits(weight, vec![(3, u128::MAX); 4])?;
    /// let best = limited.search(2, &SearchParams::default())?;
    /// // The far zone's unit would have 1 patient: it shares a unit 8 minutes away.
    /// assert_eq!(best.found.total, 10);
    /// assert_eq!(best.found.outside_limits, 0);
    /// assert_eq!(best.gap_ppm(), Some(600_000)); // against the unlimited bound, 4
    /// # Ok::<(), localcare::appraise::search::SearchError>(())
    /// ```
    pub fn with_volume_limits(
        mut self,
        volume: Vec<u64>,
        limits: Vec<(u128, u128)>,
    ) -> Result<Self, SearchError> {
        for (what, given, expected) in [
            ("volume", volume.len(), self.zones),
            ("limits", limits.len(), self.sites),
        ] {
            if given != expected {
                return Err(SearchError::Length {
                    what,
                    given,
                    expected,
                });
            }
        }
        self.volume = volume;
        self.limits = limits;
        Ok(self)
    }

    /// Whether any site has a volume limit.
    fn limited(&self) -> bool {
        self.limits.iter().any(|&l| l != (0, u128::MAX))
    }

    /// Number of zones.
    pub fn zones(&self) -> usize {
        self.zones
    }

    /// Number of sites.
    pub fn sites(&self) -> usize {
        self.sites
    }

    /// Number of candidate sites (those not fixed open).
    pub fn candidates(&self) -> usize {
        self.fixed.iter().filter(|f| !**f).count()
    }

    /// The sum of the zones' weights.
    pub fn total_weight(&self) -> u128 {
        self.weight.iter().map(|&w| u128::from(w)).sum()
    }

    /// Zone `z`'s reachable sites, nearest first.
    fn near(&self, z: usize) -> &[u16] {
        &self.near[self.near_start[z] as usize..self.near_start[z + 1] as usize]
    }

    /// Zone `z`'s reachable sites, nearest first, with their times.
    fn near_times(&self, z: usize) -> (&[u16], &[u32]) {
        let r = self.near_start[z] as usize..self.near_start[z + 1] as usize;
        (&self.near[r.clone()], &self.near_time[r])
    }

    /// The total weighted travel of the option that opens `open` (site indices; fixed
    /// sites are added), and its zones that no open site reaches.
    pub fn evaluate(&self, open: &[usize]) -> Found {
        let mut is_open = self.fixed.clone();
        for &s in open {
            is_open[s] = true;
        }
        let state = local::State::new(self, is_open);
        state.found(self)
    }

    /// The best option of `size` candidates it can find, with a proven lower bound.
    pub fn search(&self, size: usize, params: &SearchParams) -> Result<SearchOutcome, SearchError> {
        self.search_from(size, params, &[])
    }

    /// Searches every size in `sizes`, each warm-started from the previous size's best
    /// (one site added or removed greedily) as well as from fresh restarts: the
    /// trade-off curve between the number of sites and travel.
    pub fn curve(
        &self,
        sizes: impl IntoIterator<Item = usize>,
        params: &SearchParams,
    ) -> Result<Vec<SearchOutcome>, SearchError> {
        self.curve_each(sizes, params, |_| Ok::<(), SearchError>(()))
    }

    /// [`SearchProblem::curve`], calling `each` with every size's outcome as it is
    /// found (to show progress, or to stop: an error from `each` ends the search).
    pub fn curve_each<E: From<SearchError>>(
        &self,
        sizes: impl IntoIterator<Item = usize>,
        params: &SearchParams,
        mut each: impl FnMut(&SearchOutcome) -> Result<(), E>,
    ) -> Result<Vec<SearchOutcome>, E> {
        let mut out: Vec<SearchOutcome> = Vec::new();
        for size in sizes {
            let warm = out
                .last()
                .map(|o| o.found.chosen.clone())
                .unwrap_or_default();
            let o = self.search_from(size, params, &warm)?;
            each(&o)?;
            out.push(o);
        }
        Ok(out)
    }

    fn search_from(
        &self,
        size: usize,
        params: &SearchParams,
        warm: &[usize],
    ) -> Result<SearchOutcome, SearchError> {
        let candidates = self.candidates();
        if size > candidates {
            return Err(SearchError::SizeTooLarge { size, candidates });
        }
        if size == 0 && !self.fixed.iter().any(|&f| f) {
            return Err(SearchError::Empty);
        }
        let restarts = params.restarts.max(1);
        // Under volume limits, one more start: every candidate open, closed down to
        // the size (`local::State::drop_to`).
        let runs_asked = restarts + usize::from(self.limited());
        let mut runs: Vec<local::State> = (0..runs_asked)
            .into_par_iter()
            .map(|r| {
                let kick_seed = seed(params.seed ^ 0x5EED, r as u64);
                if r == restarts {
                    // From above, already balanced: the travel-only interchange would
                    // undo what the limits need.
                    return local::State::drop_to(self, size).within_limits(self, kick_seed);
                }
                let start = if r == 0 && !warm.is_empty() {
                    local::State::warm(self, warm, size)
                } else {
                    let k = if r == 0 {
                        1
                    } else {
                        params.choose_among.max(1)
                    };
                    local::State::greedy(self, size, k, seed(params.seed, r as u64))
                };
                let free = start.interchange(self);
                if self.limited() {
                    free.within_limits(self, kick_seed)
                } else {
                    free
                }
            })
            .collect();
        runs.sort_by(|a, b| {
            (a.outside(self), a.total)
                .cmp(&(b.outside(self), b.total))
                .then_with(|| a.chosen(self).cmp(&b.chosen(self)))
        });
        let best = runs.swap_remove(0);
        let found = best.found(self);
        let bound = bound::lagrangian(self, size, &best, params);
        Ok(SearchOutcome {
            size,
            found,
            bound: bound.value,
            bound_iterations: bound.iterations,
            restarts,
        })
    }
}

/// How hard to search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchParams {
    /// Starting points: the pure greedy one, then randomised ones (each a construction
    /// and an interchange), run on all cores.
    pub restarts: usize,
    /// A randomised construction opens one of the best `choose_among` candidates at
    /// each step.
    pub choose_among: usize,
    /// The seed of the randomised constructions.
    pub seed: u64,
    /// Most subgradient steps for the bound.
    pub bound_iterations: usize,
    /// The bound stops early once the gap is at most this many parts per million.
    pub target_gap_ppm: u64,
}

impl Default for SearchParams {
    fn default() -> Self {
        SearchParams {
            restarts: 8,
            choose_among: 3,
            seed: 1,
            bound_iterations: 2000,
            target_gap_ppm: 100,
        }
    }
}

/// An option the search found (or [`SearchProblem::evaluate`] was given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The candidate sites it opens, ascending (the fixed-open ones are not listed).
    pub chosen: Vec<usize>,
    /// Total weighted travel: `sum of weight x time`, in the scales given (an
    /// unreached zone at [`UNREACHED_COST_MINUTES`]).
    pub total: i128,
    /// Zones that no open site reaches.
    pub unreached_zones: usize,
    /// Each site's volume: the volume of the zones whose nearest open site it is (ties
    /// to the smaller site index); 0 for closed sites.
    pub volume: Vec<u128>,
    /// How far the open sites' volumes are outside their limits, summed over the sites
    /// (0 when every open site is within its limits, or none is limited).
    pub outside_limits: u128,
}

/// The best option of one size, and how close to the optimum it is proven to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchOutcome {
    /// Candidate sites opened.
    pub size: usize,
    /// The best option found.
    pub found: Found,
    /// A proven lower bound on the total of every option of this size that reaches
    /// every zone.
    pub bound: i128,
    /// Subgradient steps taken for the bound.
    pub bound_iterations: usize,
    /// Starting points tried.
    pub restarts: usize,
}

impl SearchOutcome {
    /// `(found - bound) / found`, in parts per million, rounded up: at most this far
    /// from the optimum. `None` when the option found leaves a zone unreached or a site
    /// outside its volume limits (it is then no answer to the limited question).
    pub fn gap_ppm(&self) -> Option<u64> {
        if self.found.unreached_zones > 0 || self.found.outside_limits > 0 {
            return None;
        }
        let (f, b) = (self.found.total, self.bound.max(0));
        if f <= 0 {
            return Some(0);
        }
        let num = (f - b.min(f)) * 1_000_000;
        Some(u64::try_from((num + f - 1) / f).unwrap_or(u64::MAX))
    }
}

/// A restart's seed: splitmix64 of the seed and the restart, so restarts differ and a
/// given seed always gives the same ones.
fn seed(seed: u64, restart: u64) -> u64 {
    let mut z = seed
        .wrapping_add(restart.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
