//! `localcare appraise`: the stroke review's appraisal of a service reconfiguration on
//! sites, zones and travel-time CSVs. Tables are read and written by `localcare-tables`;
//! every number and every word of the explanation is the core's.

use localcare::Ruleset;
use localcare::appraise::{AppraisalError, AppraisalRequest};
use localcare::money::parse_decimal;
use localcare_tables::appraise::{
    self as table_appraise, AppraisalTables, DEFAULT_APPRAISAL_RULESET, RunError,
};
use localcare_tables::spec::Face;
use localcare_tables::{TableError, format, write};

use crate::files::File;
use crate::output::Output;
use crate::{Failure, Format, output, read_file};

/// The result table `--format csv` prints.
#[derive(Clone, Copy, clap::ValueEnum, PartialEq, Eq)]
pub enum Table {
    /// One row per option.
    Appraisal,
    /// One row per option and hurdle.
    Hurdles,
    /// One row per option and HASU.
    Volumes,
    /// One row per shortlisted option and evaluation criterion.
    Evaluation,
}

/// The command's files and options.
pub struct Args {
    pub ruleset: Option<String>,
    pub sites: String,
    pub zones: String,
    pub travel: String,
    pub options: Option<String>,
    pub scores: Option<String>,
    pub weights: Vec<String>,
    pub sites_per_option: Option<String>,
    pub max_options: Option<u64>,
    pub table: Table,
    pub explain: Option<String>,
    pub format: Format,
}

/// `MIN-MAX` or `K`.
fn range(text: &str) -> Result<(usize, usize), Failure> {
    let bad = || {
        Failure::input(format!(
            "--sites-per-option: `{text}` is not a number of sites or a range such as 2-4"
        ))
    };
    let num = |s: &str| s.trim().parse::<usize>().map_err(|_| bad());
    match text.split_once('-') {
        Some((a, b)) => Ok((num(a)?, num(b)?)),
        None => num(text).map(|k| (k, k)),
    }
}

/// The file a table was read from.
fn file_of<'a>(files: &[(&str, Option<&'a File>)], table: &str) -> Option<&'a File> {
    files
        .iter()
        .find(|(t, _)| *t == table)
        .and_then(|(_, f)| *f)
}

/// An appraisal refused, at its `FILE:LINE` and column when a row is at fault.
fn placed(e: AppraisalError, files: &[(&str, Option<&File>)]) -> String {
    match e {
        AppraisalError::Invalid {
            table,
            row,
            column,
            message,
        } => match file_of(files, table) {
            Some(f) => f.table_error(TableError::at(table, &column, Some(row), message)),
            None => AppraisalError::Invalid {
                table,
                row,
                column,
                message,
            }
            .to_string(),
        },
        e => e.to_string(),
    }
}

/// Runs `localcare appraise`.
pub fn run(a: Args) -> Result<(u8, Output), Failure> {
    let rs = Ruleset::load(Some(
        a.ruleset.as_deref().unwrap_or(DEFAULT_APPRAISAL_RULESET),
    ))
    .map_err(Failure::input)?;
    let sf = read_file(&a.sites)?;
    let zf = read_file(&a.zones)?;
    let tf = read_file(&a.travel)?;
    let of = a.options.as_deref().map(read_file).transpose()?;
    let cf = a.scores.as_deref().map(read_file).transpose()?;
    let mut request = AppraisalRequest {
        sites_per_option: a.sites_per_option.as_deref().map(range).transpose()?,
        max_options: a.max_options,
        ..AppraisalRequest::default()
    };
    for w in &a.weights {
        let (id, value) = w
            .split_once('=')
            .and_then(|(id, v)| Some((id.trim(), parse_decimal(v.trim())?)))
            .ok_or_else(|| {
                Failure::input(format!(
                    "--weight: `{w}` is not CRITERION=WEIGHT, such as access=0.4"
                ))
            })?;
        request.weights.insert(id.to_string(), value);
    }
    let files = [
        ("sites", Some(&sf)),
        ("zones", Some(&zf)),
        ("travel", Some(&tf)),
        ("options", of.as_ref()),
        ("scores", cf.as_ref()),
    ];
    let tables = AppraisalTables {
        sites: &sf.csv.table,
        zones: &zf.csv.table,
        travel: &tf.csv.table,
        options: of.as_ref().map(|f| &f.csv.table),
        scores: cf.as_ref().map(|f| &f.csv.table),
    };
    let appraisal = table_appraise::run(&rs, tables, request).map_err(|e| match e {
        RunError::Table(e) => Failure::input(match file_of(&files, e.table) {
            Some(f) => f.table_error(e),
            None => e.to_string(),
        }),
        RunError::Appraisal(e) => Failure::refused(placed(e, &files)),
    })?;
    if let Some(id) = &a.explain {
        let i = appraisal
            .option_index(id)
            .map_err(|e| Failure::input(format!("--explain: {e}")))?;
        return Ok((0, lines(&appraisal.explain_option(i)).into()));
    }
    let text = match a.format {
        Format::Text => table_appraise::explanation(&appraisal).into(),
        Format::Csv => output::table(
            match a.table {
                Table::Appraisal => write::appraisal(&appraisal, Face::Cli),
                Table::Hurdles => write::hurdles(&appraisal, Face::Cli),
                Table::Volumes => write::volumes(&appraisal, Face::Cli),
                Table::Evaluation => write::evaluation(&appraisal, Face::Cli),
            },
            Format::Csv,
        ),
        Format::Json => {
            output::stream(move |w| format::write_appraisal_json(&appraisal, Face::Cli, w))
        }
    };
    Ok((0, text))
}

fn lines(v: &[String]) -> String {
    v.iter().map(|l| format!("{l}\n")).collect()
}
