//! `settle`: the `results` table in, the `settlement` table out, with each ACO's
//! steps as text.

use arrow_array::RecordBatch;
use localcare::Ruleset;
use localcare::settle::{Settlement, SettlementError};

use super::{Place, RunError, headed};
use crate::spec::{self, Face};
use crate::{Table, read, write};

/// ACOs' years settled, in input order.
#[derive(Debug, Clone)]
pub struct Settled {
    /// One per row of `results`.
    pub settlements: Vec<Settlement>,
}

/// Reads the `results` table and settles every row under `rs`. A refusal is placed at
/// its row of `results`, except when the ruleset, not the row, is at fault.
pub fn settle(rs: &Ruleset, results: &Table) -> Result<Settled, RunError> {
    let inputs = read::settlement_inputs(results)?;
    let settlements = rs.settle_batch(&inputs).map_err(placed)?;
    Ok(Settled { settlements })
}

fn placed(e: SettlementError) -> RunError {
    let place = match &e {
        SettlementError::Row { source, .. }
            if matches!(**source, SettlementError::NoPolicy { .. }) =>
        {
            return RunError::refused((**source).clone());
        }
        SettlementError::Row { index, source } => Some(Place {
            table: spec::SETTLEMENT_INPUTS.name,
            row: *index,
            column: None,
            message: source.to_string(),
        }),
        _ => None,
    };
    RunError::refused_at(e, place)
}

impl Settled {
    /// The `settlement` table.
    pub fn table(&self, face: Face) -> RecordBatch {
        write::settlements(&self.settlements, face)
    }

    /// Each ACO's steps, under its id.
    pub fn text(&self) -> String {
        self.settlements
            .iter()
            .map(|s| headed(&s.unit_id, &s.explanation))
            .collect()
    }
}
