//! The appraisal (docs/appraisal.md) over tables: the `sites`, `zones` and `travel` tables,
//! and the optional `options` and `scores`, read and appraised by the core in one call
//! that every face (Python, the C ABI's Arrow entry point) makes the same way; and the
//! explanation text every face shows. Only the calls are here; every number and word is
//! the core's.

use localcare::Ruleset;
use localcare::appraise::{
    Appraisal, AppraisalError, AppraisalInput, AppraisalRequest, PreparedAppraisal,
};

use crate::{Table, TableError, read};

/// The input tables of one appraisal.
#[derive(Debug, Clone, Copy)]
pub struct AppraisalTables<'a> {
    /// The `sites` table.
    pub sites: &'a Table,
    /// The `zones` table.
    pub zones: &'a Table,
    /// The `travel` table.
    pub travel: &'a Table,
    /// The `options` table; `None` for the long list.
    pub options: Option<&'a Table>,
    /// The `scores` table; `None` for no caller's scores.
    pub scores: Option<&'a Table>,
}

/// Why an appraisal over tables could not be made: a table that cannot be read, or
/// the core's refusal. Nothing is returned with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    /// A table could not be read (names the table, column and row).
    #[error(transparent)]
    Table(#[from] TableError),
    /// The core refused the appraisal.
    #[error(transparent)]
    Appraisal(#[from] AppraisalError),
}

/// Reads the tables and appraises: `request`'s options and scores are replaced by the
/// tables' when those are given; its range, bound and weights are kept.
pub fn run(
    rs: &Ruleset,
    tables: AppraisalTables<'_>,
    request: AppraisalRequest,
) -> Result<Appraisal, RunError> {
    prepare(rs, tables, request)?.run()
}

/// The tables read and checked, ready to appraise: the caller may let the tables go
/// before [`Ready::run`] (nationally they are most of the memory).
#[derive(Debug)]
pub struct Ready {
    prepared: PreparedAppraisal,
    request: AppraisalRequest,
}

/// Reads the tables and prepares the appraisal (`run`'s first half).
pub fn prepare(
    rs: &Ruleset,
    tables: AppraisalTables<'_>,
    mut request: AppraisalRequest,
) -> Result<Ready, RunError> {
    let input: AppraisalInput = read::appraisal_input(tables.sites, tables.zones, tables.travel)?;
    if let Some(t) = tables.options {
        request.options = Some(read::options(t)?);
    }
    if let Some(t) = tables.scores {
        request.scores = read::scores(t)?;
    }
    // The prepared appraisal holds what it needs; the input (nationally a 35 MB
    // matrix) goes before the options are projected or searched.
    let prepared = rs.prepare_appraisal(&input)?;
    Ok(Ready { prepared, request })
}

impl Ready {
    /// Appraises (`run`'s second half).
    pub fn run(self) -> Result<Appraisal, RunError> {
        Ok(self.prepared.appraise(&self.request)?)
    }
}

/// The explanation every face shows (`localcare appraise`'s text): what was weighed,
/// the shortlist and ranking, then the preferred option's own explanation; one line
/// each, every line ended by a newline.
pub fn explanation(a: &Appraisal) -> String {
    let mut lines = a.explanation();
    if let Some(&i) = a.ranking.first() {
        lines.push(String::new());
        lines.extend(a.explain_option(i));
    }
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// The built-in ruleset an appraisal uses when the caller names none (the default
/// ruleset has no appraisal policy): the stroke review's.
pub const DEFAULT_APPRAISAL_RULESET: &str = "kent-medway-stroke-2017";
