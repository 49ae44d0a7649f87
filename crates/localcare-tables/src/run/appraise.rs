//! `appraise`: the `sites`, `zones` and `travel` tables (and the optional `options`
//! and `scores`) into an appraisal, whose `appraisal`, `hurdles`, `volumes` and
//! `evaluation` tables and explanation are written on demand.

use arrow_array::RecordBatch;
use localcare::Ruleset;
use localcare::appraise::{Appraisal, AppraisalRequest, UnknownOption};

use super::{RunError, lines};
use crate::appraise::{self as table_appraise, AppraisalTables, DEFAULT_APPRAISAL_RULESET};
use crate::spec::Face;
use crate::{format, write};

pub use crate::appraise::AppraisalTables as AppraiseTables;

/// The names of the appraisal's result tables, in the order they are documented.
pub const TABLES: [&str; 6] = [
    "appraisal",
    "hurdles",
    "volumes",
    "evaluation",
    "search",
    "catchment",
];

/// The ruleset an appraisal runs under: the named one (a file or a built-in name), or
/// the stroke review's when none is named (the default ruleset has no appraisal
/// policy).
pub fn ruleset(name_or_path: Option<&str>) -> Result<Ruleset, RunError> {
    Ok(Ruleset::load(Some(
        name_or_path.unwrap_or(DEFAULT_APPRAISAL_RULESET),
    ))?)
}

/// An appraisal made.
#[derive(Debug, Clone)]
pub struct Appraised {
    /// The core's appraisal.
    pub appraisal: Appraisal,
}

/// Reads the tables and appraises under `rs`: `request`'s options and scores are
/// replaced by the tables' when those are given; its range, bound and weights are
/// kept.
pub fn appraise(
    rs: &Ruleset,
    tables: AppraisalTables<'_>,
    request: AppraisalRequest,
) -> Result<Appraised, RunError> {
    prepare(rs, tables, request)?.appraise()
}

/// The tables read and checked, ready to appraise ([`appraise`]'s first half): the
/// caller may let the tables' data go before [`Ready::appraise`] (the CLI does:
/// nationally the travel text is most of the memory).
#[derive(Debug)]
pub struct Ready(table_appraise::Ready);

/// Reads the tables and prepares the appraisal.
pub fn prepare(
    rs: &Ruleset,
    tables: AppraisalTables<'_>,
    request: AppraisalRequest,
) -> Result<Ready, RunError> {
    Ok(Ready(
        table_appraise::prepare(rs, tables, request).map_err(run_error)?,
    ))
}

impl Ready {
    /// Appraises.
    pub fn appraise(self) -> Result<Appraised, RunError> {
        let appraisal = self.0.run().map_err(run_error)?;
        Ok(Appraised { appraisal })
    }
}

/// The appraisal layer's error as the run layer's, placed at its row where it has one.
fn run_error(e: table_appraise::RunError) -> RunError {
    match e {
        table_appraise::RunError::Table(e) => RunError::Table(e),
        table_appraise::RunError::Appraisal(e) => {
            let place = match &e {
                localcare::appraise::AppraisalError::Invalid {
                    table,
                    row,
                    column,
                    message,
                } => Some(super::Place {
                    table,
                    row: *row,
                    column: Some(column.clone()),
                    message: message.clone(),
                }),
                _ => None,
            };
            RunError::refused_at(e, place)
        }
    }
}

impl Appraised {
    /// One of the result tables by name ([`TABLES`]).
    pub fn table(&self, name: &str, face: Face) -> Result<RecordBatch, RunError> {
        let a = &self.appraisal;
        Ok(match name {
            "appraisal" => write::appraisal(a, face),
            "hurdles" => write::hurdles(a, face),
            "volumes" => write::volumes(a, face),
            "evaluation" => write::evaluation(a, face),
            "search" => write::search(a, face),
            "catchment" => write::catchment(a, &a.ranking[..a.ranking.len().min(1)], face),
            _ => {
                return Err(RunError::Option {
                    option: "table",
                    message: format!(
                        "no appraisal table `{name}`; the tables are: {}",
                        TABLES.join(", ")
                    ),
                });
            }
        })
    }

    /// The explanation: what was weighed, the shortlist and ranking, then the
    /// preferred option's own explanation.
    pub fn text(&self) -> String {
        table_appraise::explanation(&self.appraisal)
    }

    /// The `catchment` table of the options named (in the order given): where each
    /// zone's patients go under each and how far. The `catchment` table by name is the
    /// preferred option's (no rows when none is shortlisted).
    pub fn catchment(&self, option_ids: &[&str], face: Face) -> Result<RecordBatch, UnknownOption> {
        let indices = option_ids
            .iter()
            .map(|id| self.appraisal.option_index(id))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(write::catchment(&self.appraisal, &indices, face))
    }

    /// One option's explanation: its HASUs, each hurdle, its scores; an id that names
    /// no option is the core's error, for the face to put to its own argument.
    pub fn explain(&self, option_id: &str) -> Result<String, UnknownOption> {
        let i = self.appraisal.option_index(option_id)?;
        Ok(lines(&self.appraisal.explain_option(i)))
    }

    /// Writes all four tables and the explanation as JSON to `w`, one table at a time.
    pub fn write_json(&self, face: Face, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        format::write_appraisal_json(&self.appraisal, face, w)
    }
}
