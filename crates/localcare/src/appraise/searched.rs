//! The appraisal of a long list too large to enumerate: for each number of HASUs in
//! the range, the best option the search (`search`) finds by mean travel, appraised as
//! an enumerated option would be (hurdles, scores, explanation), with the search's
//! proven bound beside it.

use rust_decimal::Decimal;

use super::judge::Wording;
use super::prepared::Prepared;
use super::ratio::{Ratio, pow10};
use super::search::{SearchParams, SearchProblem, UNREACHED, UNREACHED_COST_MINUTES};
use super::{AppraisalError, OptionAppraisal, SearchRow};

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
        // Zones outside the area weigh 0 in the objective: the travel measures are
        // over the area's patients only.
        let weight = self.obj.iter().map(|&w| w.max(0) as u64).collect();
        let fixed = (0..n).map(|s| s < self.fixed).collect();
        SearchProblem::new(nz, n, time, weight, fixed)
            .map_err(|e| AppraisalError::Search(e.to_string()))
    }
}

/// The best option of each size from `min` to `max` sites, appraised, and the
/// search's row for each.
pub(crate) fn searched(
    p: &Prepared,
    min: usize,
    max: usize,
    wording: Wording,
) -> Result<(Vec<OptionAppraisal>, Vec<SearchRow>), AppraisalError> {
    let problem = p.search_problem()?;
    let curve = problem
        .curve(min..=max, &SearchParams::default())
        .map_err(|e| AppraisalError::Search(e.to_string()))?;
    let den = p.total as i128 * pow10(p.time_scale);
    let mut sc = p.scratch();
    let (mut options, mut rows) = (Vec::new(), Vec::new());
    for o in curve {
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
        rows.push(SearchRow {
            hasus: o.size,
            option_id: id,
            mean_travel_minutes: mean,
            bound_minutes: bound,
            gap_ppm: o.gap_ppm(),
            restarts: o.restarts,
            bound_steps: o.bound_iterations,
        });
    }
    Ok((options, rows))
}
