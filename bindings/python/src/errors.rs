//! The one place where the core's errors become Python exceptions.
//!
//! | core error | Python exception |
//! |---|---|
//! | `RulesetError` | `localcare.RulesetError` |
//! | `AllocationError` | `localcare.AllocationError` |
//! | `SettlementError` | `localcare.SettlementError` |
//! | `ShiftError` | `localcare.ShiftError` (`.row`: the activity row at fault, when one is) |
//! | `AppraisalError` | `localcare.AppraisalError` (`.table`, `.row`, `.column`: the input row at fault, when one is) |
//! | `BridgeError` | `localcare.BridgeError` (`.row`: the `bridge_steps` row at fault, when one is) |
//! | a table the face cannot read (wrong type, missing column, NaN weight, bad money) | `localcare.InputError` (`.row`, `.column`) |
//!
//! Every message is the core's `Display` text, unchanged.

use localcare::appraise::AppraisalError as CoreAppraisalError;
use localcare::bridge::BridgeError as CoreBridgeError;
use localcare::{
    AllocationError as CoreAllocationError, RulesetError as CoreRulesetError,
    SettlementError as CoreSettlementError, ShiftError as CoreShiftError,
};
use localcare_tables::run::{Refusal, RunError};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

create_exception!(
    localcare,
    Error,
    PyException,
    "Base class of every error localcare raises."
);
create_exception!(
    localcare,
    RulesetError,
    Error,
    "A ruleset could not be loaded: bad TOML or JSON, a broken rule, an unknown built-in name, an unreadable file."
);
create_exception!(
    localcare,
    InputError,
    Error,
    "A table or value could not be read: a missing column, a value of the wrong type, a NaN weight, a malformed amount of money. `.row` (0-based) and `.column` say where, when known."
);
create_exception!(
    localcare,
    AllocationError,
    Error,
    "The rules refused an allocation: an invalid footprint, bad needs or baselines, an infeasible growth floor, a negative budget."
);
create_exception!(
    localcare,
    SettlementError,
    Error,
    "The rules refused a settlement: no settlement policy, an input out of range."
);

create_exception!(
    localcare,
    ShiftError,
    Error,
    "The rules refused the shift-left model: no shift policy, an input out of range, a settlement that cannot follow. `.row` (0-based) names the activity row at fault, when one is."
);

create_exception!(
    localcare,
    AppraisalError,
    Error,
    "The rules refused an appraisal: no appraisal policy, a bad site, zone or travel time (`.table`, `.row`, `.column` name it), a zone no option's sites reach, more sites per option than sites, a long list too large to enumerate."
);

create_exception!(
    localcare,
    BridgeError,
    Error,
    "The rules refused a bridge: no start or two, an empty or duplicate step id, two steps of one order, an amount missing or given where none is, a computed step without the model's input, an overflow. `.row` (0-based) names the `bridge_steps` row at fault, when one is."
);

/// A value the face could not read, with where it was.
#[derive(Debug, Clone)]
pub struct InputErr {
    pub message: String,
    pub row: Option<usize>,
    pub column: Option<String>,
}

impl InputErr {
    pub fn new(message: impl Into<String>) -> Self {
        InputErr {
            message: message.into(),
            row: None,
            column: None,
        }
    }

    pub fn at(column: &str, row: Option<usize>, message: impl Into<String>) -> Self {
        InputErr {
            message: message.into(),
            row,
            column: Some(column.to_string()),
        }
    }

    /// Prefixes the message with the argument it came from (`units`, `needs`, ...).
    pub fn within(mut self, what: &str) -> Self {
        let place = match (&self.column, self.row) {
            (Some(c), Some(r)) => format!("{what}: column `{c}`, row {r}: "),
            (Some(c), None) => format!("{what}: column `{c}`: "),
            (None, Some(r)) => format!("{what}: row {r}: "),
            (None, None) => format!("{what}: "),
        };
        self.message = format!("{place}{}", self.message);
        self
    }
}

/// A table the reader refused: its message names the table, column and row.
impl From<localcare_tables::TableError> for InputErr {
    fn from(e: localcare_tables::TableError) -> Self {
        InputErr {
            message: e.to_string(),
            row: e.row,
            column: e.column,
        }
    }
}

impl From<localcare_tables::TableError> for CoreError {
    fn from(e: localcare_tables::TableError) -> Self {
        CoreError::Input(e.into())
    }
}

impl From<String> for InputErr {
    fn from(message: String) -> Self {
        InputErr::new(message)
    }
}

/// Everything a call into the core can fail with.
#[derive(Debug)]
pub enum CoreError {
    Ruleset(CoreRulesetError),
    Allocation(CoreAllocationError),
    Settlement(CoreSettlementError),
    Shift(CoreShiftError),
    Appraisal(CoreAppraisalError),
    /// The bridge's refusal, with the `bridge_steps` row at fault when one is.
    Bridge(CoreBridgeError, Option<usize>),
    Input(InputErr),
}

impl From<CoreRulesetError> for CoreError {
    fn from(e: CoreRulesetError) -> Self {
        CoreError::Ruleset(e)
    }
}
impl From<CoreAllocationError> for CoreError {
    fn from(e: CoreAllocationError) -> Self {
        CoreError::Allocation(e)
    }
}
impl From<CoreSettlementError> for CoreError {
    fn from(e: CoreSettlementError) -> Self {
        CoreError::Settlement(e)
    }
}
impl From<CoreShiftError> for CoreError {
    fn from(e: CoreShiftError) -> Self {
        CoreError::Shift(e)
    }
}
impl From<CoreAppraisalError> for CoreError {
    fn from(e: CoreAppraisalError) -> Self {
        CoreError::Appraisal(e)
    }
}
/// The run layer's error: a table or option the caller gave is an `InputError` naming
/// it; a refusal is the engine's own error class.
impl From<RunError> for CoreError {
    fn from(e: RunError) -> Self {
        match e {
            RunError::Table(e) => e.into(),
            RunError::Option { option, message } => {
                CoreError::Input(InputErr::at(option, None, message))
            }
            RunError::Refused { refusal, place } => match *refusal {
                Refusal::Bridge(CoreBridgeError::Model { source, .. }) => source.into(),
                Refusal::Bridge(e) => CoreError::Bridge(e, place.map(|p| p.row)),
                Refusal::Ruleset(e) => e.into(),
                Refusal::Allocation(e) => e.into(),
                Refusal::Settlement(e) => e.into(),
                Refusal::Shift(e) => e.into(),
                Refusal::Appraisal(e) => e.into(),
            },
        }
    }
}
impl From<InputErr> for CoreError {
    fn from(e: InputErr) -> Self {
        CoreError::Input(e)
    }
}

impl From<CoreError> for PyErr {
    fn from(e: CoreError) -> PyErr {
        match e {
            CoreError::Ruleset(e) => RulesetError::new_err(e.to_string()),
            CoreError::Allocation(e) => AllocationError::new_err(e.to_string()),
            CoreError::Settlement(e) => SettlementError::new_err(e.to_string()),
            CoreError::Shift(e) => Python::attach(|py| {
                let row = match &e {
                    CoreShiftError::Row { index, .. } => Some(*index),
                    _ => None,
                };
                let err = ShiftError::new_err(e.to_string());
                // As for InputError: the message alone still says where.
                let _ = err.value(py).setattr("row", row);
                err
            }),
            CoreError::Appraisal(e) => Python::attach(|py| {
                let (table, row, column) = match &e {
                    CoreAppraisalError::Invalid {
                        table, row, column, ..
                    } => (Some(*table), Some(*row), Some(column.clone())),
                    CoreAppraisalError::Table { table, .. } => (Some(*table), None, None),
                    _ => (None, None, None),
                };
                let err = AppraisalError::new_err(e.to_string());
                let value = err.value(py);
                // As for InputError: the message alone still says where.
                let _ = value.setattr("table", table);
                let _ = value.setattr("row", row);
                let _ = value.setattr("column", column);
                err
            }),
            CoreError::Bridge(e, row) => Python::attach(|py| {
                let err = BridgeError::new_err(e.to_string());
                // As for InputError: the message alone still says where.
                let _ = err.value(py).setattr("row", row);
                err
            }),
            CoreError::Input(e) => Python::attach(|py| {
                let err = InputError::new_err(e.message);
                let value = err.value(py);
                // Setting attributes on a fresh exception instance cannot fail in practice;
                // if it did, the message alone still says where.
                let _ = value.setattr("row", e.row);
                let _ = value.setattr("column", e.column);
                err
            }),
        }
    }
}

impl From<InputErr> for PyErr {
    fn from(e: InputErr) -> PyErr {
        CoreError::Input(e).into()
    }
}

pub type CoreResult<T> = Result<T, CoreError>;

/// Registers the exception classes on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("Error", py.get_type::<Error>())?;
    m.add("RulesetError", py.get_type::<RulesetError>())?;
    let input = py.get_type::<InputError>();
    input.setattr("row", py.None())?;
    input.setattr("column", py.None())?;
    m.add("InputError", input)?;
    m.add("AllocationError", py.get_type::<AllocationError>())?;
    m.add("SettlementError", py.get_type::<SettlementError>())?;
    let shift = py.get_type::<ShiftError>();
    shift.setattr("row", py.None())?;
    m.add("ShiftError", shift)?;
    let appraisal = py.get_type::<AppraisalError>();
    appraisal.setattr("table", py.None())?;
    appraisal.setattr("row", py.None())?;
    appraisal.setattr("column", py.None())?;
    m.add("AppraisalError", appraisal)?;
    let bridge = py.get_type::<BridgeError>();
    bridge.setattr("row", py.None())?;
    m.add("BridgeError", bridge)?;
    Ok(())
}
