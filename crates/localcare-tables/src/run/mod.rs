//! Every command a face offers, once (docs/faces.md, "Run layer"): each takes named tables and an
//! options struct, runs the core, and hands back a result that writes its named output
//! tables and its text. The command line, Python and C call these and only translate
//! (arguments in, tables and text out, errors into their own kind); what a command is
//! made of (which tables it reads, the defaults it falls back on, the per-unit loops of
//! the inverse questions, the settlement that follows a shift, which error belongs to
//! which row of which table) is written here and nowhere else.
//!
//! ```
//! use localcare::Ruleset;
//! use localcare_tables::{csv, run, spec::Face};
//!
//! let rs = Ruleset::builtin("kent-medway-2017")?;
//! let units = csv::read(b"unit_id,population,capabilities\nP1,30000,enhanced_in_hours;extended_hours\n")?;
//! let classified = run::classify::classify(&rs, &units.table, run::classify::ClassifyOptions::default())?;
//! assert_eq!(classified.table(&rs, Face::Python).num_rows(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod allocate;
pub mod appraise;
pub mod bridge;
pub mod classify;
pub mod practices;
pub mod register;
pub mod settle;
pub mod shift;
pub mod validate;

use localcare::allocate::AllocationError;
use localcare::appraise::AppraisalError;
use localcare::bridge::BridgeError;
use localcare::ruleset::RulesetError;
use localcare::settle::SettlementError;
use localcare::shift::ShiftError;

use crate::TableError;

/// Why a command could not run. Nothing is returned with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    /// An input table could not be read (names the table, column and row).
    #[error(transparent)]
    Table(#[from] TableError),
    /// An option is missing or cannot be used with the others.
    #[error("{option}: {message}")]
    Option {
        /// The option, as the run layer names it (`target`, `benchmarks`, ...).
        option: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The rules refused the input; `place`, when set, is the input row at fault.
    #[error("{refusal}")]
    Refused {
        /// The core's error (boxed: it is large, and rare).
        refusal: Box<Refusal>,
        /// The table and row at fault, when one row is.
        place: Option<Place>,
    },
}

/// The core's refusal, by the engine that refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The ruleset could not be loaded or lacks what the command needs.
    #[error(transparent)]
    Ruleset(#[from] RulesetError),
    /// The allocation (or sweep) refused.
    #[error(transparent)]
    Allocation(#[from] AllocationError),
    /// The settlement refused.
    #[error(transparent)]
    Settlement(#[from] SettlementError),
    /// The shift-left model refused.
    #[error(transparent)]
    Shift(#[from] ShiftError),
    /// The appraisal refused.
    #[error(transparent)]
    Appraisal(#[from] AppraisalError),
    /// The bridge refused.
    #[error(transparent)]
    Bridge(#[from] BridgeError),
}

/// An input row a refusal is about, so that a face can point at it (the command line
/// as `FILE:LINE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The input table, as the descriptions name it.
    pub table: &'static str,
    /// The row (0-based, in the order given).
    pub row: usize,
    /// The column at fault, when one is.
    pub column: Option<String>,
    /// The refusal's message without the row it names (the face names the place).
    pub message: String,
}

impl RunError {
    /// The refusal of `e`, at no row.
    pub(crate) fn refused(e: impl Into<Refusal>) -> Self {
        RunError::Refused {
            refusal: Box::new(e.into()),
            place: None,
        }
    }

    /// The refusal of `e`, at `place` when there is one.
    pub(crate) fn refused_at(e: impl Into<Refusal>, place: Option<Place>) -> Self {
        RunError::Refused {
            refusal: Box::new(e.into()),
            place,
        }
    }

    /// The error as a table error, for a face that places every error the same way:
    /// a table error as it is; a refusal at its row, with its message without the row.
    /// `None` for an option's error and a refusal at no row.
    pub fn as_table_error(&self) -> Option<TableError> {
        match self {
            RunError::Table(e) => Some(e.clone()),
            RunError::Refused { place: Some(p), .. } => Some(TableError {
                table: p.table,
                column: p.column.clone(),
                row: Some(p.row),
                message: p.message.clone(),
            }),
            _ => None,
        }
    }
}

impl From<RulesetError> for RunError {
    fn from(e: RulesetError) -> Self {
        RunError::refused(e)
    }
}

impl From<AllocationError> for RunError {
    fn from(e: AllocationError) -> Self {
        RunError::refused(e)
    }
}

impl From<AppraisalError> for RunError {
    fn from(e: AppraisalError) -> Self {
        RunError::refused(e)
    }
}

/// Lines of an explanation as one text, every line ended by a newline: the one way
/// every face shows a list of steps.
pub fn lines<S: AsRef<str>>(lines: &[S]) -> String {
    lines.iter().map(|l| format!("{}\n", l.as_ref())).collect()
}

/// Lines under a heading (`UNIT:` then each line indented by two spaces): how a
/// batch's per-unit explanations read as one text.
pub fn headed<S: AsRef<str>>(heading: &str, lines: &[S]) -> String {
    let steps: String = lines
        .iter()
        .map(|l| format!("  {}\n", l.as_ref()))
        .collect();
    format!("{heading}:\n{steps}")
}
