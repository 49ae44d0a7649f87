//! `bridge`: the system financial bridge (docs/bridge.md) from the `bridge_steps` table,
//! or the ruleset's built-in `[bridge]` when no table is given, with the `activity` table
//! that the shift-left model computes a computed step from: the `bridge` table and the
//! bridge in words.

use arrow_array::RecordBatch;
use localcare::Ruleset;
use localcare::bridge::{Bridge, BridgeError, BridgeStep};
use localcare::shift::ShiftError;

use super::{Place, RunError, lines};
use crate::spec::{self, Face};
use crate::{Table, bridge as table_bridge, read, write};

/// The input tables of a bridge; both optional.
#[derive(Debug, Clone, Copy, Default)]
pub struct BridgeTables<'a> {
    /// The `bridge_steps` table; `None` for the ruleset's built-in bridge.
    pub steps: Option<&'a Table>,
    /// The `activity` table the shift-left model computes the computed step from; `None`
    /// carries a computed step at the amount its source states.
    pub activity: Option<&'a Table>,
}

/// A bridge walked.
#[derive(Debug, Clone)]
pub struct Bridged {
    /// The core's result.
    pub bridge: Bridge,
    /// The bridge's title: the ruleset's for its built-in bridge, else `None`.
    pub title: Option<String>,
    /// The steps walked, as given (the table's, or the ruleset's built-in ones).
    pub steps: Vec<BridgeStep>,
}

/// Reads the tables and walks the bridge under `rs`. A refusal is placed at its row of
/// `bridge_steps` (or, for the model, of `activity`); the built-in bridge's at no row.
pub fn bridge(rs: &Ruleset, tables: BridgeTables<'_>) -> Result<Bridged, RunError> {
    let (steps, title, from_table): (Vec<BridgeStep>, Option<String>, bool) = match tables.steps {
        Some(t) => (table_bridge::steps(t)?, None, true),
        None => {
            let p = rs.bridge_policy().ok_or_else(|| RunError::Option {
                option: "steps",
                message: format!(
                    "not given, and ruleset {} has no built-in bridge ([bridge]); give a bridge_steps table",
                    rs.id()
                ),
            })?;
            (p.steps().to_vec(), Some(p.title().to_string()), false)
        }
    };
    let activity = tables.activity.map(read::activity).transpose()?;
    let bridge = rs
        .bridge(&steps, activity.as_deref())
        .map_err(|e| placed(e, &steps, from_table))?;
    Ok(Bridged {
        bridge,
        title,
        steps,
    })
}

/// The bridge's error at its row: the model's at the activity row it names, the
/// others at their step's row of `bridge_steps` when the steps came from a table.
fn placed(e: BridgeError, steps: &[BridgeStep], from_table: bool) -> RunError {
    let place = match &e {
        BridgeError::Model {
            source: ShiftError::Row { index, source },
            ..
        } => Some(Place {
            table: spec::ACTIVITY.name,
            row: *index,
            column: None,
            message: source.to_string(),
        }),
        BridgeError::Model { .. } => None,
        _ if from_table => e.index(steps).map(|row| Place {
            table: spec::BRIDGE_STEPS.name,
            row,
            column: None,
            message: e.to_string(),
        }),
        _ => None,
    };
    RunError::refused_at(e, place)
}

impl Bridged {
    /// The `bridge` table.
    pub fn table(&self, face: Face) -> RecordBatch {
        write::bridge(&self.bridge, face)
    }

    /// The steps walked as a `bridge_steps` table: the ruleset's built-in bridge as a
    /// table to edit and give back.
    pub fn steps_table(&self, face: Face) -> RecordBatch {
        write::bridge_steps(&self.steps, face)
    }

    /// The bridge in words: the title, when there is one, then the explanation.
    pub fn text(&self) -> String {
        let mut out = self
            .title
            .as_ref()
            .map_or(String::new(), |t| format!("{t}\n"));
        out.push_str(&lines(&self.bridge.explanation));
        out
    }

    /// Writes the `bridge` table as JSON rows to `w`.
    pub fn write_json(&self, face: Face, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        crate::json::write_table(&self.table(face), w)
    }
}
