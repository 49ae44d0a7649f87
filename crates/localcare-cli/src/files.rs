//! Reading the command line's CSV files, and placing every error at `FILE:LINE`. The
//! tables themselves are read and run by `localcare-tables`, as in every face; the run
//! layer names the table and row at fault, and this names the file and line.

use std::io::Read;

use localcare_tables::csv::{self, CsvTable};
use localcare_tables::run::{Refusal, RunError};
use localcare_tables::{Table, TableError};

use crate::Failure;

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
}

/// The files a command read, each by the table it holds.
#[derive(Default)]
pub struct Files(Vec<(&'static str, File)>);

impl Files {
    /// Reads `path` (when given) as the table `table`.
    pub fn read(mut self, table: &'static str, path: Option<&str>) -> Result<Self, Failure> {
        if let Some(path) = path {
            self.0
                .push((table, File::read(path).map_err(Failure::input)?));
        }
        Ok(self)
    }

    /// The file of `table`, when one was read.
    fn file(&self, table: &str) -> Option<&File> {
        self.0.iter().find(|(t, _)| *t == table).map(|(_, f)| f)
    }

    /// The table `table`, when its file was read.
    pub fn get(&self, table: &str) -> Option<&Table> {
        self.file(table).map(|f| &f.csv.table)
    }

    /// The table `table`; a command reads its required files before it asks.
    pub fn table(&self, table: &str) -> &Table {
        static EMPTY: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
        self.get(table)
            .unwrap_or_else(|| EMPTY.get_or_init(Table::default))
    }

    /// Lets every table's data go, keeping what errors name (column names, lines).
    pub fn release_data(&mut self) {
        for (_, f) in &mut self.0 {
            f.csv.table.release_data();
        }
    }

    /// The run layer's error as the command line's failure: an input or option error
    /// (exit 2) or a refusal (exit 3), at its `FILE:LINE` and column when a row of a
    /// file is at fault.
    pub fn failure(&self, e: RunError) -> Failure {
        let placed = e
            .as_table_error()
            .and_then(|t| Some(self.file(t.table)?.table_error(t)));
        match e {
            RunError::Table(t) => Failure::input(placed.unwrap_or_else(|| t.to_string())),
            RunError::Option { option, message } => {
                Failure::input(format!("--{}: {message}", option.replace('_', "-")))
            }
            // A ruleset that lacks what the command needs is the input's fault.
            RunError::Refused { ref refusal, .. } if matches!(**refusal, Refusal::Ruleset(_)) => {
                Failure::input(e)
            }
            e @ RunError::Refused { .. } => {
                Failure::refused(placed.unwrap_or_else(|| e.to_string()))
            }
        }
    }
}
