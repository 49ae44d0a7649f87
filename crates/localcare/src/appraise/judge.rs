//! The verdicts of an appraisal: whether each hurdle passes for a projected option, the
//! number that decided it, the bound, where, and the facts a remedy rests on (each gap
//! computed with checked arithmetic, so an extreme bound or measure is an error naming
//! it, never a panic); and the smallest change of one weight that swaps the top two.
//! `explain` words these verdicts; it decides nothing.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use super::prepared::Prepared;
use super::project::Raw;
use super::{
    AppraisalError, EvaluationCriterion, Hurdle, HurdleOutcome, OptionAppraisal, WeightSwap,
};

/// How a verdict is put in words (`explain::hurdle_outcome`), given by the caller so
/// that neither the engine nor the search depends on the words.
pub(crate) type Wording = fn(&Hurdle, Verdict) -> HurdleOutcome;

/// One hurdle's verdict on one option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Verdict {
    /// Whether the option passes.
    pub passed: bool,
    /// The number that decided it.
    pub observed: Decimal,
    /// The bound it was held to.
    pub bound: Decimal,
    /// The site or zone that decided it, if one did.
    pub at: Option<String>,
    /// What the words of the reason and the remedy need.
    pub facts: Facts,
}

/// A site (or zone) id with a value.
pub(crate) type Named = (String, Decimal);

/// The facts behind a verdict, by kind of hurdle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Facts {
    /// Every HASU's volume in a band.
    Volume {
        /// The smallest HASU and its volume (the first by id among equals).
        smallest: Named,
        /// The largest HASU and its volume.
        largest: Named,
        /// The HASUs outside the band on the side that failed, with their volume and
        /// the gap to the bound; empty when it passes.
        outside: Vec<(String, Decimal, Decimal)>,
        /// Whether `outside` is below the minimum (else above the maximum).
        below: bool,
    },
    /// The longest travel.
    MaxTravel {
        /// The zone with the longest travel.
        zone: String,
        /// For a failure, the nearest site within the limit of that zone, if any.
        nearest_within: Option<Named>,
    },
    /// The mean travel.
    MeanTravel {
        /// How far the shown mean exceeds the limit (0 when it passes).
        fall: Decimal,
    },
    /// The share of patients within a travel time.
    ShareWithin {
        /// Patients within.
        within: Decimal,
        /// Patients in all.
        total: Decimal,
        /// More patients needed within (0 when it passes).
        needed: Decimal,
    },
    /// Capabilities every HASU must have.
    Capabilities {
        /// The HASUs lacking some, with those they lack.
        lacking: Vec<(String, Vec<String>)>,
    },
    /// A site measure in a band.
    Measure {
        /// When it passes, the HASU nearest the bound and its value.
        nearest: Option<Named>,
        /// When it fails, each failing HASU.
        failing: Vec<MeasureMiss>,
    },
}

/// A HASU failing a measure hurdle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MeasureMiss {
    /// It has no value of the measure.
    Missing(String),
    /// Its value is outside the band.
    Outside {
        /// The site id.
        site: String,
        /// Its value.
        value: Decimal,
        /// The bound it misses.
        bound: Decimal,
        /// How far it is from the bound.
        gap: Decimal,
        /// Below the minimum (else above the maximum).
        below: bool,
    },
}

fn overflow(quantity: String) -> AppraisalError {
    AppraisalError::Overflow { quantity }
}

/// `a - b`, or an overflow error naming what they are.
fn difference(
    a: Decimal,
    b: Decimal,
    what: impl FnOnce() -> String,
) -> Result<Decimal, AppraisalError> {
    a.checked_sub(b).ok_or_else(|| overflow(what()))
}

impl Prepared {
    /// The verdict of hurdle `h` of the policy on one projected option.
    pub(crate) fn judge(&self, h: usize, raw: &Raw) -> Result<Verdict, AppraisalError> {
        let criterion = &self.policy.hurdles[h];
        match &criterion.hurdle {
            Hurdle::Volume { min, max } => self.judge_volume(h, &criterion.id, *min, *max, raw),
            Hurdle::MaxTravel { max_minutes } => Ok(self.judge_max_travel(*max_minutes, raw)),
            Hurdle::MeanTravel { max_minutes } => {
                let ratio = raw.mean(self);
                let shown = ratio
                    .round(2)
                    .ok_or_else(|| overflow("an option's mean travel time".into()))?;
                let passed = ratio.cmp_dec(*max_minutes) != Ordering::Greater;
                let fall = if passed {
                    Decimal::ZERO
                } else {
                    difference(shown, *max_minutes, || {
                        format!(
                            "the mean travel {shown} less hurdle `{}`'s limit {max_minutes}",
                            criterion.id
                        )
                    })?
                    .max(Decimal::ZERO)
                };
                Ok(Verdict {
                    passed,
                    observed: shown,
                    bound: *max_minutes,
                    at: None,
                    facts: Facts::MeanTravel { fall },
                })
            }
            Hurdle::ShareWithin { minutes, min_share } => {
                self.judge_share(&criterion.id, *minutes, *min_share, raw)
            }
            Hurdle::Capabilities { required } => Ok(self.judge_capabilities(h, required, raw)),
            Hurdle::Measure { measure, min, max } => {
                self.judge_measure(h, &criterion.id, measure, (*min, *max), raw)
            }
        }
    }

    fn site_id(&self, s: u16) -> String {
        self.sites[s as usize].id.clone()
    }

    /// Whether hurdle `h` judges site `s`: every candidate, and a fixed-open site only
    /// when the hurdle says `judges = "designated"`.
    fn judges(&self, h: usize, s: u16) -> bool {
        s as usize >= self.fixed || self.policy.hurdles[h].judges_fixed
    }

    fn judge_volume(
        &self,
        h: usize,
        id: &str,
        min: Option<Decimal>,
        max: Option<Decimal>,
        raw: &Raw,
    ) -> Result<Verdict, AppraisalError> {
        let vols: Vec<(Decimal, u16)> = raw
            .volumes
            .iter()
            .zip(&raw.sites)
            .filter(|&(_, &s)| self.judges(h, s))
            .map(|(&v, &s)| (self.patients(v), s))
            .collect();
        // Smallest and largest, ties to the smaller site id (sites are in id order).
        let lo = vols.iter().copied().min_by(|a, b| a.0.cmp(&b.0));
        let hi = vols.iter().copied().rev().max_by(|a, b| a.0.cmp(&b.0));
        let (lo, hi) = (lo.unwrap_or_default(), hi.unwrap_or_default());
        let mut outside = Vec::new();
        let mut decided = None;
        for (bound, below) in [(min, true), (max, false)] {
            let Some(m) = bound else { continue };
            for &(v, s) in &vols {
                if (below && v < m) || (!below && v > m) {
                    let (a, b) = if below { (m, v) } else { (v, m) };
                    let g = difference(a, b, || {
                        format!(
                            "site `{}`'s volume {v} against hurdle `{id}`'s bound {m}",
                            self.site_id(s)
                        )
                    })?;
                    outside.push((self.site_id(s), v, g));
                }
            }
            if !outside.is_empty() {
                let (obs, at) = if below { lo } else { hi };
                decided = Some((obs, m, at, below));
                break;
            }
        }
        let (passed, (observed, bound, at, below)) = match decided {
            Some(d) => (false, d),
            None => (
                true,
                match min {
                    Some(m) => (lo.0, m, lo.1, true),
                    None => (hi.0, max.unwrap_or_default(), hi.1, false),
                },
            ),
        };
        Ok(Verdict {
            passed,
            observed,
            bound,
            at: Some(self.site_id(at)),
            facts: Facts::Volume {
                smallest: (self.site_id(lo.1), lo.0),
                largest: (self.site_id(hi.1), hi.0),
                outside,
                below,
            },
        })
    }

    fn judge_max_travel(&self, max_minutes: Decimal, raw: &Raw) -> Verdict {
        let t = self.minutes(raw.max_time);
        let passed = t <= max_minutes;
        // Any site within the limit of the worst zone is not designated (its nearest
        // designated site is beyond it): the nearest such.
        let nearest_within = if passed {
            None
        } else {
            self.nearest(raw.max_zone)
                .find(|(_, m)| *m <= max_minutes)
                .map(|(s, m)| (self.sites[s].id.clone(), m))
        };
        let zone = self.zone_ids[raw.max_zone].clone();
        Verdict {
            passed,
            observed: t,
            bound: max_minutes,
            at: Some(zone.clone()),
            facts: Facts::MaxTravel {
                zone,
                nearest_within,
            },
        }
    }

    fn judge_share(
        &self,
        id: &str,
        minutes: Decimal,
        min_share: Decimal,
        raw: &Raw,
    ) -> Result<Verdict, AppraisalError> {
        let j = self.threshold_index(minutes);
        let within = self.patients(raw.within[j]);
        let ratio = self.share(raw.within[j]);
        let shown = ratio
            .round(6)
            .ok_or_else(|| overflow("an option's share within".into()))?;
        let total = self.patients(self.total);
        let passed = ratio.cmp_dec(min_share) != Ordering::Less;
        let needed = if passed {
            Decimal::ZERO
        } else {
            min_share
                .checked_mul(total)
                .and_then(|x| x.checked_sub(within))
                .ok_or_else(|| {
                    overflow(format!(
                        "hurdle `{id}`'s share {min_share} of {total} patients"
                    ))
                })?
                .max(Decimal::ZERO)
        };
        Ok(Verdict {
            passed,
            observed: shown,
            bound: min_share,
            at: None,
            facts: Facts::ShareWithin {
                within,
                total,
                needed,
            },
        })
    }

    fn judge_capabilities(&self, h: usize, required: &[String], raw: &Raw) -> Verdict {
        let lacking: Vec<(String, Vec<String>)> = raw
            .sites
            .iter()
            .filter(|&&s| self.judges(h, s) && !self.site_pass[h][s as usize])
            .map(|&s| {
                let caps = &self.sites[s as usize].capabilities;
                let missing = required.iter().filter(|c| !caps.contains(c)).cloned();
                (self.site_id(s), missing.collect())
            })
            .collect();
        let k = raw.sites.iter().filter(|&&s| self.judges(h, s)).count();
        Verdict {
            passed: lacking.is_empty(),
            observed: Decimal::from(k - lacking.len()),
            bound: Decimal::from(k),
            at: lacking.first().map(|(s, _)| s.clone()),
            facts: Facts::Capabilities { lacking },
        }
    }

    fn judge_measure(
        &self,
        h: usize,
        id: &str,
        measure: &str,
        (min, max): (Option<Decimal>, Option<Decimal>),
        raw: &Raw,
    ) -> Result<Verdict, AppraisalError> {
        let value = |s: u16| self.sites[s as usize].measures.get(measure).copied();
        let failing: Vec<u16> = raw
            .sites
            .iter()
            .copied()
            .filter(|&s| self.judges(h, s) && !self.site_pass[h][s as usize])
            .collect();
        let default_bound = min.or(max).unwrap_or_default();
        if failing.is_empty() {
            // The site nearest the bound decided it.
            let worst = raw
                .sites
                .iter()
                .copied()
                .filter(|&s| self.judges(h, s))
                .min_by_key(|&s| {
                    let v = value(s).unwrap_or_default();
                    if min.is_some() { v } else { -v }
                })
                .unwrap_or_default();
            let v = value(worst).unwrap_or_default();
            return Ok(Verdict {
                passed: true,
                observed: v,
                bound: default_bound,
                at: Some(self.site_id(worst)),
                facts: Facts::Measure {
                    nearest: Some((self.site_id(worst), v)),
                    failing: Vec::new(),
                },
            });
        }
        let mut misses = Vec::with_capacity(failing.len());
        let mut decided: Option<(Decimal, Decimal)> = None;
        for &s in &failing {
            let site = self.site_id(s);
            let Some(v) = value(s) else {
                decided.get_or_insert((Decimal::ZERO, default_bound));
                misses.push(MeasureMiss::Missing(site));
                continue;
            };
            let (bound, below) = match min {
                Some(m) if v < m => (m, true),
                _ => (max.unwrap_or_default(), false),
            };
            let (a, b) = if below { (bound, v) } else { (v, bound) };
            let gap = difference(a, b, || {
                format!("site `{site}`'s {measure} {v} against hurdle `{id}`'s bound {bound}")
            })?;
            decided.get_or_insert((v, bound));
            misses.push(MeasureMiss::Outside {
                site,
                value: v,
                bound,
                gap,
                below,
            });
        }
        let (observed, bound) = decided.unwrap_or_default();
        Ok(Verdict {
            passed: false,
            observed,
            bound,
            at: Some(self.site_id(failing[0])),
            facts: Facts::Measure {
                nearest: None,
                failing: misses,
            },
        })
    }
}

/// For the top two, the smallest change of one weight that swaps them, or `None`; an
/// error when a weight is so large that the arithmetic overflows (naming it).
pub(crate) fn weight_swap(
    criteria: &[EvaluationCriterion],
    first: &OptionAppraisal,
    second: &OptionAppraisal,
) -> Result<Option<WeightSwap>, AppraisalError> {
    let (Some(ta), Some(tb)) = (first.total, second.total) else {
        return Ok(None);
    };
    // 0 or more.
    let gap = difference(ta, tb, || {
        format!(
            "the gap between the weighted totals of {} ({ta}) and {} ({tb})",
            first.id, second.id
        )
    })?;
    let second_wins_ties = second.id < first.id;
    let mut best: Option<(Decimal, usize, Decimal)> = None;
    for (ci, c) in criteria.iter().enumerate() {
        // Points are -2 to 2 (to 6 places), so their difference is exact.
        let d = first.scores[ci].points - second.scores[ci].points;
        if d.is_zero() {
            continue;
        }
        // |d| is at least a millionth: a gap too large to divide by it cannot be
        // closed by any weight there is.
        let Some(delta) = gap.checked_div(d.abs()) else {
            continue;
        };
        // Lowering a weight that favours the first cannot go below 0.
        if d > Decimal::ZERO && (c.weight < delta || (c.weight == delta && !second_wins_ties)) {
            continue;
        }
        if best.is_none_or(|(b, _, _)| delta < b) {
            best = Some((delta, ci, d));
        }
    }
    let Some((delta, ci, d)) = best else {
        return Ok(None);
    };
    let c = &criteria[ci];
    let exact = delta.checked_mul(d.abs()).is_some_and(|x| x == gap);
    let change = if d > Decimal::ZERO { -delta } else { delta };
    let tie = c.weight.checked_add(change).ok_or_else(|| {
        overflow(format!(
            "the weight of `{}` ({}) changed by {change}",
            c.id, c.weight
        ))
    })?;
    let (change, tie_weight) = if exact {
        (change.normalize(), tie.normalize())
    } else {
        (change.round_dp(6), tie.round_dp(6))
    };
    Ok(Some(WeightSwap {
        criterion: c.id.clone(),
        weight: c.weight,
        tie_weight,
        change,
        exact,
        swaps_at_tie: second_wins_ties,
    }))
}
