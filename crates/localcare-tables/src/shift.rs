//! The shift-left model (docs/shift.md) over tables: every unit of an `activity` table
//! run by the core, with the settlement that follows when `benchmarks` are given
//! (`Ruleset::shift_run`), and sweeps of it over reductions. Only the calls are here;
//! every number and rule is the core's.

use localcare::Ruleset;
use localcare::rust_decimal::Decimal;
use localcare::shift::{Reduction, ShiftError, ShiftInput};

pub use localcare::shift_run::{ShiftBenchmark, ShiftRun, Shifted};

/// The model for every unit, settled against `benchmarks` when given: the core's
/// [`Ruleset::shift_run`].
pub fn run(
    rs: &Ruleset,
    inputs: &[ShiftInput],
    benchmarks: Option<&[ShiftBenchmark]>,
) -> Result<ShiftRun, ShiftError> {
    rs.shift_run(inputs, benchmarks)
}

/// `inputs` with every unit at `reduction` of all its admissions (its own reduction set
/// aside).
pub fn at_reduction(inputs: &[ShiftInput], reduction: Decimal) -> Vec<ShiftInput> {
    inputs
        .iter()
        .map(|i| ShiftInput {
            reduction: Some(Reduction::OfAdmissions(reduction)),
            ..i.clone()
        })
        .collect()
}

/// [`run`] at each of `reductions` in turn, every unit at that reduction of all its
/// admissions.
pub fn sweep(
    rs: &Ruleset,
    inputs: &[ShiftInput],
    benchmarks: Option<&[ShiftBenchmark]>,
    reductions: &[Decimal],
) -> Result<Vec<ShiftRun>, ShiftError> {
    reductions
        .iter()
        .map(|&r| run(rs, &at_reduction(inputs, r), benchmarks))
        .collect()
}
