//! Reading the command line's CSV files, and placing every error at `FILE:LINE`. The
//! tables themselves are read by `localcare-tables`, as in every face.

use std::io::Read;

use localcare::allocate::AllocationError;
use localcare::settle::SettlementError;
use localcare_tables::TableError;
use localcare_tables::csv::{self, CsvTable};

/// A CSV file read whole, with the name errors give it.
pub struct File {
    pub name: String,
    pub csv: CsvTable,
}

impl File {
    /// Reads `path` (`-` for standard input).
    pub fn read(path: &str) -> Result<File, String> {
        let name = if path == "-" { "<stdin>" } else { path }.to_string();
        let mut bytes = Vec::new();
        let read = if path == "-" {
            std::io::stdin().read_to_end(&mut bytes)
        } else {
            // Sized from the file's length: read once, never regrown.
            std::fs::read(path).map(|b| {
                bytes = b;
                bytes.len()
            })
        };
        read.map_err(|e| format!("{name}: cannot read: {e}"))?;
        Self::parse(name, &bytes)
    }

    /// Reads CSV bytes, naming `name` in errors.
    pub fn parse(name: String, bytes: &[u8]) -> Result<File, String> {
        match csv::read(bytes) {
            Ok(csv) => Ok(File { name, csv }),
            Err(e) => Err(match e.line {
                Some(l) => format!("{name}:{l}: {}", e.message),
                None => format!("{name}: {}", e.message),
            }),
        }
    }

    /// `FILE:LINE` of row `row` (0-based), or of the header.
    pub fn at(&self, row: Option<usize>) -> String {
        let line = row.map_or(Some(1), |r| self.csv.line(r));
        match line {
            Some(l) => format!("{}:{l}", self.name),
            None => self.name.clone(),
        }
    }

    /// A table error at its `FILE:LINE` and column.
    pub fn table_error(&self, e: TableError) -> String {
        let column = e
            .column
            .as_deref()
            .map(|c| match self.csv.table.position(c) {
                Some(i) => format!(": column {} ({c})", i + 1),
                None => format!(": column `{c}`"),
            });
        format!(
            "{}{}: {}",
            self.at(e.row),
            column.unwrap_or_default(),
            e.message
        )
    }

    /// The row of the first (or, with `last`, the last) row whose `column` is `value`.
    fn row_where(&self, ids: &[String], value: &str, last: bool) -> Option<usize> {
        if last {
            ids.iter().rposition(|i| i == value)
        } else {
            ids.iter().position(|i| i == value)
        }
    }

    /// A settlement refused at its row's `FILE:LINE` (the core names the row by its
    /// index in the batch, which is the table's row).
    pub fn settlement_error(&self, e: SettlementError) -> String {
        match e {
            // The ruleset, not the row, is at fault.
            SettlementError::Row { source, .. }
                if matches!(*source, SettlementError::NoPolicy { .. }) =>
            {
                source.to_string()
            }
            SettlementError::Row { index, source } => format!("{}: {source}", self.at(Some(index))),
            e => e.to_string(),
        }
    }
}

/// An allocation refused by the rules; an error about one row of the needs or
/// baselines file is placed at its `FILE:LINE`.
pub fn allocation_error(
    e: &AllocationError,
    needs: Option<(&File, &[String])>,
    baselines: Option<(&File, &[String])>,
) -> String {
    use AllocationError as E;
    let (file, unit, last) = match e {
        E::NeedUnknownUnit { unit_id, .. }
        | E::NeedNotPractice { unit_id, .. }
        | E::NeedInvalid { unit_id, .. } => (needs, unit_id, false),
        E::NeedDuplicate { unit_id, .. } => (needs, unit_id, true),
        E::BaselineNotAccountable { unit_id, .. } | E::BaselineNegative { unit_id, .. } => {
            (baselines, unit_id, false)
        }
        E::BaselineDuplicate { unit_id, .. } => (baselines, unit_id, true),
        _ => (None, &String::new(), false),
    };
    match file.and_then(|(f, ids)| Some((f, f.row_where(ids, unit, last)?))) {
        Some((f, row)) => format!("{}: {e}", f.at(Some(row))),
        None => e.to_string(),
    }
}

/// A sweep refused: a scenario's error placed at its `FILE:LINE` in the scenarios file.
pub fn sweep_error(e: &AllocationError, scenarios: &File) -> String {
    match e {
        AllocationError::NamedScenario { id, row, source } => {
            format!("{}: scenario `{id}`: {source}", scenarios.at(Some(*row)))
        }
        e => e.to_string(),
    }
}
