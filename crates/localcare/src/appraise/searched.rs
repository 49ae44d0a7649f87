//! The appraisal of a long list too large to enumerate: for each number of HASUs in
//! the range, the best option the search (`search`) finds by mean travel, appraised as
//! an enumerated option would be (hurdles, scores, explanation), with the search's
//! proven bound beside it.

use rust_decimal::Decimal;

use super::judge::Wording;
use super::policy::Hurdle;
use super::prepared::Prepared;
use super::ratio::{Ratio, pow10};
use super::search::SearchError;
use super::search::{SearchParams, SearchProblem, UNREACHED, UNREACHED_COST_MINUTES};
use super::{AppraisalError, OptionAppraisal, Progress, SearchProgress, SearchRow};

impl Prepared {
    /// The search's problem: every zone's minutes to every site it reaches and its
    /// patients a year, at the appraisal's scales; the fixed-open sites fixed.
    fn search_problem(&self) -> Result<SearchProblem, AppraisalError> {
        let (nz, n) = (self.zone_ids.len(), self.sites.len());
        let mut time = vec![UNREACHED; nz * n];
        for z in 0..nz {
            for r in 0..self.reach[z] as usize {
                let s = self.order[z * n + r] as usize;
                let t = self.times[z * n + r];
                time[s * nz + z] = u32::try_from(t)
                    .ok()
                    .filter(|&t| t < UNREACHED_COST_MINUTES)
                    .ok_or_else(|| AppraisalError::Overflow {
                        quantity: format!(
                            "the travel time from zone `{}` to site `{}` (at {} decimal places) for the search",
                            self.zone_ids[z], self.sites[s].id, self.time_scale
                        ),
                    })?;
            }
        }
        let weight: Vec<u64> = self.strokes.iter().map(|&w| w.max(0) as u64).collect();
        let fixed = (0..n).map(|s| s < self.fixed).collect();
        let volume = weight.clone();
        let limits = (0..n).map(|s| self.volume_limits(s)).collect();
        SearchProblem::new(nz, n, time, weight, fixed)
            .and_then(|p| p.with_volume_limits(volume, limits))
            .map_err(|e| AppraisalError::Search(e.to_string()))
    }

    /// Site `s`'s volume limits under the ruleset's volume hurdles that judge it (every
    /// candidate; a fixed-open site where the hurdle says `judges = "designated"`), in
    /// patients a year at the stroke scale: `(0, u128::MAX)` when none does. A minimum
    /// rounds up and a maximum down, so a site within the scaled limits is within the
    /// hurdle's; a minimum past the scale's range is unattainable, a maximum past it no
    /// limit.
    fn volume_limits(&self, s: usize) -> (u128, u128) {
        let scale = Decimal::from_i128_with_scale(pow10(self.stroke_scale), 0);
        let scaled = |d: Decimal, up: bool| {
            d.checked_mul(scale)
                .map(|x| if up { x.ceil() } else { x.floor() })
                .map(|x| u128::try_from(x.max(Decimal::ZERO)).unwrap_or(u128::MAX))
        };
        let mut limits = (0u128, u128::MAX);
        for h in &self.policy.hurdles {
            let Hurdle::Volume { min, max } = &h.hurdle else {
                continue;
            };
            if s < self.fixed && !h.judges_fixed {
                continue;
            }
            if let Some(m) = min {
                limits.0 = limits.0.max(scaled(*m, true).unwrap_or(u128::MAX));
            }
            if let Some(m) = max {
                limits.1 = limits.1.min(scaled(*m, false).unwrap_or(u128::MAX));
            }
        }
        limits
    }
}

/// The best option of each size from `min` to `max` sites, appraised, and the
/// search's row for each.
pub(crate) fn searched(
    p: &Prepared,
    min: usize,
    max: usize,
    wording: Wording,
    progress: &Progress,
) -> Result<(Vec<OptionAppraisal>, Vec<SearchRow>), AppraisalError> {
    let problem = p.search_problem()?;
    let limited = (0..p.sites.len()).any(|s| p.volume_limits(s) != (0, u128::MAX));
    // Patients a year outside the limits, at the stroke scale; past what a decimal
    // holds (a minimum no site can reach), the largest decimal.
    let outside = |v: u128| {
        i128::try_from(v)
            .ok()
            .and_then(|v| Decimal::try_from_i128_with_scale(v, p.stroke_scale).ok())
            .unwrap_or(Decimal::MAX)
    };
    let den = p.total as i128 * pow10(p.time_scale);
    let mut sc = p.scratch();
    let (mut options, mut rows) = (Vec::new(), Vec::new());
    let started = std::time::Instant::now();
    problem.curve_each(min..=max, &SearchParams::default(), |o| {
        let sites: Vec<u16> = (0..p.fixed)
            .chain(o.found.chosen.iter().copied())
            .map(|s| s as u16)
            .collect();
        let id = p.joined(&sites);
        let raw = p.project(&id, &sites, &mut sc)?;
        options.push(p.assess(id.clone(), raw, wording)?);
        let overflow = || AppraisalError::Overflow {
            quantity: format!("the mean travel of the searched option {id}"),
        };
        let (mean, bound) = if den == 0 {
            (Decimal::ZERO, Decimal::ZERO)
        } else {
            let mean = Ratio {
                num: o.found.total,
                den,
            }
            .round(2)
            .ok_or_else(overflow)?;
            // The bound is shown rounded down, so that it never reads above the truth.
            let q = (o.bound.max(0) * 100) / den;
            let bound = Decimal::try_from_i128_with_scale(q, 2).map_err(|_| overflow())?;
            (mean, bound)
        };
        let row = SearchRow {
            hasus: o.size,
            option_id: id,
            mean_travel_minutes: mean,
            bound_minutes: bound,
            gap_ppm: o.gap_ppm(),
            volume_outside: limited.then(|| outside(o.found.outside_limits)),
            restarts: o.restarts,
            bound_steps: o.bound_iterations,
        };
        progress.tell(&SearchProgress {
            done: rows.len() + 1,
            of: max + 1 - min,
            row: row.clone(),
            elapsed: started.elapsed(),
        })?;
        rows.push(row);
        Ok::<(), AppraisalError>(())
    })?;
    Ok((options, rows))
}

/// A search that cannot be made is an appraisal error, in the search's words.
impl From<SearchError> for AppraisalError {
    fn from(e: SearchError) -> Self {
        AppraisalError::Search(e.to_string())
    }
}
