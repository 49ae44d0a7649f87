//! The one error of reading a table.

use std::fmt;

/// A table that cannot be read: which table, which column and which row (0-based, in
/// the order given), and what was wrong. Nothing is returned with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct TableError {
    /// The table, as the descriptions name it (`footprint`, `needs`, ...).
    pub table: &'static str,
    /// The column, as the caller named it, when one is at fault.
    pub column: Option<String>,
    /// The row (0-based), when one is at fault.
    pub row: Option<usize>,
    /// What was wrong, with the value and what was expected.
    pub message: String,
}

impl TableError {
    /// An error about the whole table.
    pub fn table(table: &'static str, message: impl Into<String>) -> Self {
        TableError {
            table,
            column: None,
            row: None,
            message: message.into(),
        }
    }

    /// An error at a column and, when known, a row.
    pub fn at(
        table: &'static str,
        column: &str,
        row: Option<usize>,
        message: impl Into<String>,
    ) -> Self {
        TableError {
            table,
            column: Some(column.to_string()),
            row,
            message: message.into(),
        }
    }
}

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.table)?;
        match (&self.column, self.row) {
            (Some(c), Some(r)) => write!(f, ": column `{c}`, row {r}")?,
            (Some(c), None) => write!(f, ": column `{c}`")?,
            (None, Some(r)) => write!(f, ": row {r}")?,
            (None, None) => {}
        }
        write!(f, ": {}", self.message)
    }
}
