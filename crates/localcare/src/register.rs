//! Person-level registers into practice needs (`docs/scale.md#registers`), exactly.
//!
//! A register lists people: each with an id, the practice they are registered with, an
//! age band (one of the ruleset's `allocation.age_band_weights`) and, optionally, a
//! health-inequalities weight. A practice's need is then
//!
//! - `age_counts`: how many of its people fall in each age band, and
//! - `hi_weighted_population`: the sum of its people's weights,
//!
//! which [`crate::Ruleset::prepare`] weighs as it weighs any need table.
//!
//! The work is in two steps so that it can be split over machines and give the same
//! answer however it is split:
//!
//! 1. [`tally`]: people into [`PersonCount`]s, one per practice and age band: a count
//!    and the sum of weights in **integer millionths** of a person. Each person's weight
//!    is rounded once, half to even, to a millionth ([`weight_millionths`]); nothing is
//!    ever summed as a float.
//! 2. [`needs_from_counts`]: counts into [`Needs`]. Counts for the same practice and band
//!    (from different parts of a register) are added, as integers, so tallying parts and
//!    adding them gives what tallying the whole gives.
//!
//! [`needs_from_persons`] does both on one machine; Apache Spark does step 1 per
//! partition, adds the counts with `sum` over longs, and finishes with step 2.
//!
//! Choices, each an error rather than a guess:
//! - a person id listed twice (within what [`tally`] is given) is an error: a register
//!   counts each person once;
//! - an age band the ruleset does not weigh is an error; a ruleset without age bands
//!   takes registers without them (then only the weights are summed);
//! - a weight that is missing (when the column is given), negative, not a number, or
//!   more than [`MAX_PERSON_WEIGHT`] is an error. The bound keeps the sum of 64-bit
//!   millionths exact for registers of up to nine billion people.
//!
//! ```
//! use localcare::register::{Person, needs_from_persons};
//! use localcare::rust_decimal::Decimal;
//! use localcare::Ruleset;
//! let rs = Ruleset::builtin("kent-medway-2017").unwrap();
//! let people = [
//!     Person { person_id: "a", unit_id: "P1", age_band: None, weight: Some(Decimal::new(125, 2)) },
//!     Person { person_id: "b", unit_id: "P1", age_band: None, weight: Some(Decimal::new(1, 0)) },
//! ];
//! let needs = needs_from_persons(&rs, &people).unwrap();
//! let (unit, need) = &needs.rows()[0];
//! assert_eq!(unit, "P1");
//! assert_eq!(need.hi_weighted_population, Some(Decimal::new(2_250_000, 6)));
//! ```

use std::collections::{BTreeMap, HashMap, HashSet};

use rust_decimal::Decimal;

use crate::Ruleset;
use crate::allocate::{Need, Needs};

/// Millionths in one person: weights are summed in these units.
pub const MILLIONTHS: i64 = 1_000_000;

/// The largest weight one person may carry (ILLUSTRATIVE bound, not from the seeds: it
/// keeps the 64-bit sum of millionths exact for up to nine billion people).
pub const MAX_PERSON_WEIGHT: i64 = 1_000;

/// Why a register could not be turned into needs. No partial result is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegisterError {
    /// A person's age band is not one of the ruleset's.
    #[error("{band:?} is not an age band of ruleset {ruleset}; its age bands are: {bands}")]
    UnknownAgeBand {
        /// Where: the row (0-based) of the table being read.
        row: usize,
        /// The band given.
        band: String,
        /// The ruleset id.
        ruleset: String,
        /// The ruleset's bands, comma-separated (`none` when it has none).
        bands: String,
    },
    /// Some rows have an age band and others none.
    #[error("missing; give an age band on every row or on none")]
    MissingAgeBand {
        /// The row.
        row: usize,
    },
    /// A person's weight cannot be used.
    #[error("weight {weight} cannot be used: {reason}")]
    BadWeight {
        /// The row.
        row: usize,
        /// The weight as given.
        weight: String,
        /// Why.
        reason: &'static str,
    },
    /// Some rows have a weight and others none.
    #[error("missing; give a weight on every row or on none")]
    MissingWeight {
        /// The row.
        row: usize,
    },
    /// A person id appears twice.
    #[error(
        "person {person_id:?} is listed more than once (first at row {first}); a register counts each person once"
    )]
    DuplicatePerson {
        /// The row of the second listing.
        row: usize,
        /// The row of the first.
        first: usize,
        /// The person id.
        person_id: String,
    },
    /// A count is negative.
    #[error("{count} is negative; expected 0 or more people")]
    NegativeCount {
        /// The row.
        row: usize,
        /// The count given.
        count: i64,
    },
    /// A weight sum is negative.
    #[error("{millionths} is negative; expected 0 or more millionths of a person")]
    NegativeWeightSum {
        /// The row.
        row: usize,
        /// The sum given.
        millionths: i64,
    },
    /// A practice's counts or weights add up past 64 bits.
    #[error("practice {unit_id}: its people or weights add up to more than 64 bits hold")]
    Overflow {
        /// The practice.
        unit_id: String,
    },
}

impl RegisterError {
    /// The row (0-based) at fault, when one is.
    pub fn row(&self) -> Option<usize> {
        match self {
            RegisterError::UnknownAgeBand { row, .. }
            | RegisterError::MissingAgeBand { row }
            | RegisterError::BadWeight { row, .. }
            | RegisterError::MissingWeight { row }
            | RegisterError::DuplicatePerson { row, .. }
            | RegisterError::NegativeCount { row, .. }
            | RegisterError::NegativeWeightSum { row, .. } => Some(*row),
            RegisterError::Overflow { .. } => None,
        }
    }

    /// The column at fault, by what it holds: `person_id`, `age_band`, `weight`,
    /// `persons` or `weight_sum` (the table layer names the column as described).
    pub fn field(&self) -> Option<&'static str> {
        match self {
            RegisterError::UnknownAgeBand { .. } | RegisterError::MissingAgeBand { .. } => {
                Some("age_band")
            }
            RegisterError::BadWeight { .. } | RegisterError::MissingWeight { .. } => Some("weight"),
            RegisterError::DuplicatePerson { .. } => Some("person_id"),
            RegisterError::NegativeCount { .. } => Some("persons"),
            RegisterError::NegativeWeightSum { .. } => Some("weight_sum"),
            RegisterError::Overflow { .. } => None,
        }
    }
}

/// One person of a register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Person<'a> {
    /// The person's id (pseudonymised): unique in the register.
    pub person_id: &'a str,
    /// The practice they are registered with.
    pub unit_id: &'a str,
    /// Their age band, one of the ruleset's; `None` when the register has none.
    pub age_band: Option<&'a str>,
    /// Their health-inequalities weight; `None` when the register has none.
    pub weight: Option<Decimal>,
}

/// People of one practice and age band: how many, and their weights' sum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonCount {
    /// The practice.
    pub unit_id: String,
    /// The age band, or `None` when the register has none.
    pub age_band: Option<String>,
    /// How many people.
    pub persons: i64,
    /// The sum of their weights in millionths of a person, or `None` when the
    /// register has no weights.
    pub weight_sum: Option<i64>,
}

/// A person's weight in whole millionths, rounded once, half to even; an error reason
/// when it is negative or more than [`MAX_PERSON_WEIGHT`].
///
/// ```
/// use localcare::register::weight_millionths;
/// use localcare::rust_decimal::Decimal;
/// assert_eq!(weight_millionths(Decimal::new(11, 1)), Ok(1_100_000));
/// assert_eq!(weight_millionths(Decimal::new(25, 7)), Ok(2)); // 2.5 millionths: to even
/// assert!(weight_millionths(Decimal::new(-1, 0)).is_err());
/// ```
pub fn weight_millionths(w: Decimal) -> Result<i64, &'static str> {
    if w.is_sign_negative() && !w.is_zero() {
        return Err("it is negative; expected 0 or more");
    }
    if w > Decimal::from(MAX_PERSON_WEIGHT) {
        return Err("it is more than 1000, the most one person may weigh");
    }
    let m = (w * Decimal::from(MILLIONTHS))
        .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointNearestEven);
    // At most 1000 * 10^6: always fits.
    i64::try_from(m).map_err(|_| "it is out of range")
}

/// The ruleset's age bands, in its order.
fn bands(rs: &Ruleset) -> Vec<&str> {
    rs.allocation_policy()
        .map(|p| p.age_band_weights.iter().map(|(b, _)| b.as_str()).collect())
        .unwrap_or_default()
}

fn unknown_band(rs: &Ruleset, row: usize, band: &str, known: &[&str]) -> RegisterError {
    RegisterError::UnknownAgeBand {
        row,
        band: band.to_string(),
        ruleset: rs.id().to_string(),
        bands: if known.is_empty() {
            "none (give the register without age bands, or a ruleset with `allocation.age_band_weights`)".into()
        } else {
            known.join(", ")
        },
    }
}

/// Step 1: people into counts per practice and age band, in order of practice and then
/// of the ruleset's bands. Checks every person: known band, usable weight, no id twice.
pub fn tally(rs: &Ruleset, people: &[Person<'_>]) -> Result<Vec<PersonCount>, RegisterError> {
    let known = bands(rs);
    let index: HashMap<&str, u32> = known
        .iter()
        .enumerate()
        .map(|(i, b)| (*b, i as u32))
        .collect();
    let has_band = people.first().is_some_and(|p| p.age_band.is_some());
    let has_weight = people.first().is_some_and(|p| p.weight.is_some());
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(people.len());
    // (practice, band index) -> (people, weight sum in millionths)
    let mut cells: HashMap<(&str, u32), (i64, i64)> = HashMap::new();
    for (row, p) in people.iter().enumerate() {
        if let Some(first) = seen.insert(p.person_id, row) {
            return Err(RegisterError::DuplicatePerson {
                row,
                first,
                person_id: p.person_id.to_string(),
            });
        }
        let band = match (p.age_band, has_band) {
            (Some(b), true) => *index
                .get(b)
                .ok_or_else(|| unknown_band(rs, row, b, &known))?,
            (None, false) => u32::MAX,
            // The first row has none: it is the one missing a band.
            (Some(_), false) => return Err(RegisterError::MissingAgeBand { row: 0 }),
            (None, true) => return Err(RegisterError::MissingAgeBand { row }),
        };
        let w = match (p.weight, has_weight) {
            (Some(w), true) => weight_millionths(w).map_err(|reason| RegisterError::BadWeight {
                row,
                weight: w.to_string(),
                reason,
            })?,
            (None, false) => 0,
            (Some(_), false) => return Err(RegisterError::MissingWeight { row: 0 }),
            (None, true) => return Err(RegisterError::MissingWeight { row }),
        };
        let cell = cells.entry((p.unit_id, band)).or_insert((0, 0));
        // At most 2^63 people of at most 10^9 millionths each cannot be listed in
        // memory, but the sums are checked all the same.
        cell.0 += 1;
        cell.1 = cell
            .1
            .checked_add(w)
            .ok_or_else(|| RegisterError::Overflow {
                unit_id: p.unit_id.to_string(),
            })?;
    }
    let mut out: Vec<PersonCount> = cells
        .into_iter()
        .map(|((unit, band), (n, w))| PersonCount {
            unit_id: unit.to_string(),
            age_band: (band != u32::MAX).then(|| known[band as usize].to_string()),
            persons: n,
            weight_sum: has_weight.then_some(w),
        })
        .collect();
    out.sort_unstable_by(|a, b| {
        (
            a.unit_id.as_str(),
            a.age_band.as_ref().map(|b| index[b.as_str()]),
        )
            .cmp(&(
                b.unit_id.as_str(),
                b.age_band.as_ref().map(|x| index[x.as_str()]),
            ))
    });
    Ok(out)
}

/// Step 2: counts (from [`tally`], or added up from many tallies) into needs, one row
/// per practice in id order: `age_counts` by band (when the register has bands) and
/// `hi_weighted_population` = the weight sum / 10^6 (when it has weights), exact.
pub fn needs_from_counts(rs: &Ruleset, counts: &[PersonCount]) -> Result<Needs, RegisterError> {
    let known = bands(rs);
    let known_set: HashSet<&str> = known.iter().copied().collect();
    let has_band = counts.first().is_some_and(|c| c.age_band.is_some());
    let has_weight = counts.first().is_some_and(|c| c.weight_sum.is_some());
    // practice -> (band -> people, weight sum)
    let mut by_unit: BTreeMap<&str, (BTreeMap<String, u64>, i128)> = BTreeMap::new();
    for (row, c) in counts.iter().enumerate() {
        if c.persons < 0 {
            return Err(RegisterError::NegativeCount {
                row,
                count: c.persons,
            });
        }
        let entry = by_unit.entry(c.unit_id.as_str()).or_default();
        match (&c.age_band, has_band) {
            (Some(b), true) => {
                if !known_set.contains(b.as_str()) {
                    return Err(unknown_band(rs, row, b, &known));
                }
                let n = entry.0.entry(b.clone()).or_insert(0);
                *n = n
                    .checked_add(c.persons as u64)
                    .ok_or_else(|| RegisterError::Overflow {
                        unit_id: c.unit_id.clone(),
                    })?;
            }
            (None, false) => {}
            (Some(_), false) => return Err(RegisterError::MissingAgeBand { row: 0 }),
            (None, true) => return Err(RegisterError::MissingAgeBand { row }),
        }
        match (c.weight_sum, has_weight) {
            (Some(w), true) => {
                if w < 0 {
                    return Err(RegisterError::NegativeWeightSum { row, millionths: w });
                }
                entry.1 += i128::from(w);
            }
            (None, false) => {}
            (Some(_), false) => return Err(RegisterError::MissingWeight { row: 0 }),
            (None, true) => return Err(RegisterError::MissingWeight { row }),
        }
    }
    let mut needs = Needs::new();
    for (unit, (ages, w)) in by_unit {
        let hi = if has_weight {
            let w = i64::try_from(w).map_err(|_| RegisterError::Overflow {
                unit_id: unit.to_string(),
            })?;
            Some(Decimal::new(w, 6))
        } else {
            None
        };
        needs.push(
            unit,
            Need {
                need_index: None,
                age_counts: ages,
                hi_weighted_population: hi,
                market_forces_factor: None,
                weighted_populations: Default::default(),
            },
        );
    }
    Ok(needs)
}

/// Both steps on one machine: a register into needs.
pub fn needs_from_persons(rs: &Ruleset, people: &[Person<'_>]) -> Result<Needs, RegisterError> {
    needs_from_counts(rs, &tally(rs, people)?)
}

/// The ruleset's age bands, in its order: the columns of a needs table built from a
/// register.
pub fn age_bands(rs: &Ruleset) -> Vec<String> {
    bands(rs).into_iter().map(str::to_string).collect()
}

#[cfg(test)]
mod tests;
