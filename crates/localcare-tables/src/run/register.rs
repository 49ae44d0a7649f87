//! The person-level register: the `persons` table into practice needs (the `needs`
//! table) or counts (`person_counts`), and counts into needs.

use arrow_array::RecordBatch;
use localcare::Ruleset;

use super::RunError;
use crate::spec::Face;
use crate::{Table, register, write};

/// A `persons` table into the `needs` table, exactly: counts by age band, weights
/// summed in integer millionths.
pub fn needs_from_persons(
    rs: &Ruleset,
    persons: &Table,
    face: Face,
) -> Result<RecordBatch, RunError> {
    let needs = register::needs_from_persons(persons, rs)?;
    Ok(write::needs(rs, &needs, face))
}

/// A `persons` table (or a part of one) counted by practice and age band: the
/// `person_counts` table that parts of a register add up to.
pub fn tally_persons(rs: &Ruleset, persons: &Table, face: Face) -> Result<RecordBatch, RunError> {
    let counts = register::tally(persons, rs)?;
    Ok(write::person_counts(&counts, face))
}

/// A `person_counts` table (rows for one practice and band are added) into the
/// `needs` table.
pub fn needs_from_counts(
    rs: &Ruleset,
    counts: &Table,
    face: Face,
) -> Result<RecordBatch, RunError> {
    let needs = register::needs_from_counts(counts, rs)?;
    Ok(write::needs(rs, &needs, face))
}
