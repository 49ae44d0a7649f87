//! Status codes, and the one place where every error becomes one.

use arrow_schema::ArrowError;
use localcare::appraise::{AppraisalError, UnknownOption};
use localcare::bridge::BridgeError;
use localcare::classify::BatchLengthMismatch;
use localcare::{RulesetError, UnknownCapability};
use localcare_tables::TableError;
use localcare_tables::run::{Refusal, RunError};

/// What a function did. Every function returns one; the values are stable API and are
/// never renumbered (a retired status keeps its number unused).
///
/// On any status but `LC_OK`, `lc_last_error_message` gives the reason in words,
/// naming the argument and, for tables, the table, column and row.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum lc_status {
    /// Success.
    LC_OK = 0,
    /// A required pointer argument was NULL.
    LC_NULL_ARGUMENT = 1,
    /// A string argument is not valid UTF-8.
    LC_INVALID_UTF8 = 2,
    /// A ruleset could not be loaded (syntax, a broken rule, an unknown built-in, an
    /// unreadable file); the message names the source, line and key.
    LC_RULESET_ERROR = 3,
    /// Input data is malformed: a table that cannot be read (a missing column, a value
    /// of the wrong type, a decimal that does not parse), a misaligned or oversized
    /// array.
    LC_INPUT_ERROR = 4,
    /// An allocation was refused (invalid footprint, bad needs or baselines, a negative
    /// or overflowing budget, an infeasible policy); no result is made.
    LC_ALLOCATION_ERROR = 5,
    /// A settlement was refused (no policy, an input out of range); no result is made.
    LC_SETTLEMENT_ERROR = 6,
    /// A caller buffer is too small; the needed length is reported.
    LC_BUFFER_TOO_SMALL = 7,
    /// An index, length or bit is outside what it refers to (a table, column or row
    /// past the end, a capability bit the ruleset does not declare, arrays of different
    /// lengths), or a cell read as a type its column is not.
    LC_OUT_OF_RANGE = 8,
    /// localcare itself failed (a bug, caught before it crossed the boundary); please
    /// report it with the message.
    LC_PANIC = 9,
    /// A looked-up id (tier, capability, table, column) is not there.
    LC_NOT_FOUND = 10,
    /// The shift-left model was refused (no shift policy, an input out of range, both
    /// reductions given, a settlement that cannot follow); no result is made.
    LC_SHIFT_ERROR = 11,
    /// An appraisal was refused (no appraisal policy; an unknown site or zone in the
    /// travel times; a zone no designated site reaches; negative admissions or times;
    /// more sites per option than sites; a long list larger than the bound); no result
    /// is made.
    LC_APPRAISAL_ERROR = 12,
    /// A system financial bridge was refused (no start or two, an empty or duplicate
    /// step id, two steps of one order, an amount missing or given where none is, a
    /// computed step without the model's input, an overflow); the message names the
    /// step; no result is made.
    LC_BRIDGE_ERROR = 13,
}

impl lc_status {
    pub(crate) const ALL: [lc_status; 14] = [
        lc_status::LC_OK,
        lc_status::LC_NULL_ARGUMENT,
        lc_status::LC_INVALID_UTF8,
        lc_status::LC_RULESET_ERROR,
        lc_status::LC_INPUT_ERROR,
        lc_status::LC_ALLOCATION_ERROR,
        lc_status::LC_SETTLEMENT_ERROR,
        lc_status::LC_BUFFER_TOO_SMALL,
        lc_status::LC_OUT_OF_RANGE,
        lc_status::LC_PANIC,
        lc_status::LC_NOT_FOUND,
        lc_status::LC_SHIFT_ERROR,
        lc_status::LC_APPRAISAL_ERROR,
        lc_status::LC_BRIDGE_ERROR,
    ];

    /// The name as written in the header, NUL-terminated for `lc_status_name`.
    pub(crate) fn name_nul(self) -> &'static str {
        match self {
            lc_status::LC_OK => "LC_OK\0",
            lc_status::LC_NULL_ARGUMENT => "LC_NULL_ARGUMENT\0",
            lc_status::LC_INVALID_UTF8 => "LC_INVALID_UTF8\0",
            lc_status::LC_RULESET_ERROR => "LC_RULESET_ERROR\0",
            lc_status::LC_INPUT_ERROR => "LC_INPUT_ERROR\0",
            lc_status::LC_ALLOCATION_ERROR => "LC_ALLOCATION_ERROR\0",
            lc_status::LC_SETTLEMENT_ERROR => "LC_SETTLEMENT_ERROR\0",
            lc_status::LC_BUFFER_TOO_SMALL => "LC_BUFFER_TOO_SMALL\0",
            lc_status::LC_OUT_OF_RANGE => "LC_OUT_OF_RANGE\0",
            lc_status::LC_PANIC => "LC_PANIC\0",
            lc_status::LC_NOT_FOUND => "LC_NOT_FOUND\0",
            lc_status::LC_SHIFT_ERROR => "LC_SHIFT_ERROR\0",
            lc_status::LC_APPRAISAL_ERROR => "LC_APPRAISAL_ERROR\0",
            lc_status::LC_BRIDGE_ERROR => "LC_BRIDGE_ERROR\0",
        }
    }
}

/// An error on its way out: the status and the message for `lc_last_error_message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Error {
    pub status: lc_status,
    pub message: String,
}

impl Error {
    pub fn new(status: lc_status, message: impl Into<String>) -> Self {
        Error {
            status,
            message: message.into(),
        }
    }
    pub fn null(what: &str) -> Self {
        Self::new(
            lc_status::LC_NULL_ARGUMENT,
            format!("`{what}` is NULL; a valid pointer is required"),
        )
    }
    pub fn input(message: impl Into<String>) -> Self {
        Self::new(lc_status::LC_INPUT_ERROR, message)
    }
    pub fn range(message: impl Into<String>) -> Self {
        Self::new(lc_status::LC_OUT_OF_RANGE, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(lc_status::LC_NOT_FOUND, message)
    }
}

pub(crate) type Result<T> = std::result::Result<T, Error>;

/// Each error type of the core and the table model, and the status it crosses as;
/// the message is always the error's own words.
macro_rules! status_of {
    ($($error:ty => $status:ident),* $(,)?) => {$(
        impl From<$error> for Error {
            fn from(e: $error) -> Self {
                Error::new(lc_status::$status, e.to_string())
            }
        }
    )*};
}

status_of! {
    RulesetError => LC_RULESET_ERROR,
    UnknownCapability => LC_NOT_FOUND,
    UnknownOption => LC_APPRAISAL_ERROR,
    BatchLengthMismatch => LC_OUT_OF_RANGE,
    TableError => LC_INPUT_ERROR,
    ArrowError => LC_INPUT_ERROR,
}

/// A command's error: a table that cannot be read or an option that cannot be used is
/// an input error; a refusal crosses as its engine's status, in the core's words.
impl From<RunError> for Error {
    fn from(e: RunError) -> Self {
        let status = match &e {
            RunError::Table(_) | RunError::Option { .. } => lc_status::LC_INPUT_ERROR,
            RunError::Refused { refusal, .. } => match **refusal {
                Refusal::Ruleset(_) => lc_status::LC_RULESET_ERROR,
                Refusal::Allocation(_) => lc_status::LC_ALLOCATION_ERROR,
                Refusal::Settlement(_) => lc_status::LC_SETTLEMENT_ERROR,
                Refusal::Shift(_) => lc_status::LC_SHIFT_ERROR,
                // A worker's panic is a bug, as a panic at the boundary is.
                Refusal::Appraisal(AppraisalError::WorkerPanicked { .. }) => lc_status::LC_PANIC,
                Refusal::Appraisal(_) => lc_status::LC_APPRAISAL_ERROR,
                // The model's refusal of the activity is the shift-left model's.
                Refusal::Bridge(BridgeError::Model { .. }) => lc_status::LC_SHIFT_ERROR,
                Refusal::Bridge(_) => lc_status::LC_BRIDGE_ERROR,
            },
        };
        Error::new(status, e.to_string())
    }
}
