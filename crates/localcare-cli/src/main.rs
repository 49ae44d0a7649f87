//! `localcare`: the Local Care tier rules and commissioner allocation from a shell.
//!
//! Exit status: 0 success; 1 a validation found errors; 2 the input or ruleset could not
//! be read (nothing is written then); 3 the rules refused the input (for example an
//! infeasible growth floor).

mod demo;
mod input;
mod output;

use std::io::{self, Write as _};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use localcare::Ruleset;
use localcare::allocate::AllocationError;
use localcare::settle::SettlementError;

use crate::input::Table;

#[derive(Parser)]
#[command(
    name = "localcare",
    version,
    about = "Kent and Medway Local Care tiers, footprint validation, capitated allocation and settlement, to the penny."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Text,
    Csv,
    Json,
}

/// Formats of `classify`, which has no text form.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ClassifyFormat {
    Csv,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the built-in ruleset on the bundled synthetic footprint: tiers, validation,
    /// an illustrative allocation and settlement.
    Demo,
    /// Classifies units (CSV `unit_id,population,capabilities`), in input order.
    Classify {
        /// Ruleset file (TOML or JSON) or built-in name; default kent-medway-2017.
        #[arg(long)]
        ruleset: Option<String>,
        #[arg(long, value_enum, default_value = "csv")]
        format: ClassifyFormat,
        /// Input CSV, or `-` for standard input.
        #[arg(default_value = "-")]
        input: String,
    },
    /// Validates a footprint (CSV `unit_id,parent_id,declared_tier,population,capabilities`).
    /// Exits 1 when any finding is an error.
    Validate {
        #[arg(long)]
        ruleset: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        footprint: String,
    },
    /// Allocates a budget over a footprint.
    Allocate {
        /// The budget: pounds (`617400000`, `£617.4m`) or pence (`61740000000p`).
        /// A value starting with `-` is taken as the budget, so that a negative one is
        /// refused by the money parser with its reason rather than by the argument parser.
        #[arg(long, allow_hyphen_values = true)]
        budget: String,
        /// Needs CSV: `unit_id` and any of `need_index`, `hi_weighted_population`,
        /// `market_forces_factor`, or age-band count columns.
        #[arg(long)]
        needs: Option<String>,
        /// Baselines CSV: `unit_id,baseline_pence` (or `unit_id,baseline` in pounds).
        #[arg(long)]
        baselines: Option<String>,
        #[arg(long)]
        ruleset: Option<String>,
        #[arg(long, value_enum, default_value = "csv")]
        format: Format,
        footprint: String,
    },
    /// Settles ACOs' years (CSV `unit_id,benchmark,actual,assigned_population,quality`,
    /// money in whole pence).
    Settle {
        #[arg(long)]
        ruleset: Option<String>,
        #[arg(long, value_enum, default_value = "csv")]
        format: Format,
        results: String,
    },
    /// Shows or checks rulesets.
    Ruleset {
        #[command(subcommand)]
        command: RulesetCommand,
    },
}

#[derive(Subcommand)]
enum RulesetCommand {
    /// Prints a ruleset: a built-in one by name (default kent-medway-2017) or a file.
    Show {
        name: Option<String>,
        #[arg(long, conflicts_with = "name")]
        file: Option<String>,
    },
    /// Checks a ruleset file; exits 0 when valid, 2 with the error otherwise.
    Check { file: String },
    /// Lists the built-in rulesets.
    List,
}

/// A failure with its exit status.
struct Failure {
    status: u8,
    message: String,
}

impl Failure {
    fn input(e: impl std::fmt::Display) -> Self {
        Failure {
            status: 2,
            message: e.to_string(),
        }
    }
    fn refused(e: impl std::fmt::Display) -> Self {
        Failure {
            status: 3,
            message: e.to_string(),
        }
    }
}

fn load_ruleset(arg: Option<&str>) -> Result<Ruleset, Failure> {
    match arg {
        None => Ok(Ruleset::default_builtin()),
        Some(name)
            if !std::path::Path::new(name).exists() && Ruleset::builtin_toml(name).is_some() =>
        {
            Ruleset::builtin(name).map_err(Failure::input)
        }
        Some(path) => Ruleset::from_path(path).map_err(Failure::input),
    }
}

/// A settlement refused by the rules, located at its row's `FILE:LINE` (the core names
/// the row by its index in the batch, which is the table's row index).
fn settlement_failure(table: &Table, e: SettlementError) -> Failure {
    match e {
        // The ruleset, not the row, is at fault.
        SettlementError::Row { source, .. }
            if matches!(*source, SettlementError::NoPolicy { .. }) =>
        {
            Failure::refused(source)
        }
        SettlementError::Row { index, source } => match table.row_line(index) {
            Some(line) => Failure::refused(format!("{}:{line}: {source}", table.name())),
            None => Failure::refused(format!("row {index}: {source}")),
        },
        e => Failure::refused(e),
    }
}

/// An allocation refused by the rules; a baseline for a unit that is not an ACO is
/// located at its line of the baselines file.
fn allocation_failure(baselines: Option<&Table>, e: AllocationError) -> Failure {
    let line = match (&e, baselines) {
        (AllocationError::BaselineNotAccountable { unit_id, .. }, Some(t)) => t
            .line_where("unit_id", unit_id)
            .map(|line| (t.name().to_string(), line)),
        _ => None,
    };
    match line {
        Some((name, line)) => Failure::refused(format!("{name}:{line}: {e}")),
        None => Failure::refused(e),
    }
}

/// Runs a command: its exit status and everything it writes to standard output. Output
/// is built whole first, so nothing is written when the command fails.
fn run(cli: Cli) -> Result<(u8, String), Failure> {
    match cli.command {
        Command::Demo => Ok((0, demo::render().map_err(Failure::refused)?)),
        Command::Classify {
            ruleset,
            format,
            input,
        } => {
            let rs = load_ruleset(ruleset.as_deref())?;
            let units = input::classify_units(&Table::read(&input).map_err(Failure::input)?, &rs)
                .map_err(Failure::input)?;
            Ok((0, output::classify(&rs, &units, format)))
        }
        Command::Validate {
            ruleset,
            format,
            footprint,
        } => {
            let rs = load_ruleset(ruleset.as_deref())?;
            let fp = input::footprint(&Table::read(&footprint).map_err(Failure::input)?)
                .map_err(Failure::input)?;
            let report = rs.validate(&fp);
            Ok((
                u8::from(report.has_errors()),
                output::report(&report, format),
            ))
        }
        Command::Allocate {
            budget,
            needs,
            baselines,
            ruleset,
            format,
            footprint,
        } => {
            let rs = load_ruleset(ruleset.as_deref())?;
            let budget = localcare::money::parse_money(&budget)
                .map_err(|e| Failure::input(format!("--budget: {e}")))?;
            let fp = input::footprint(&Table::read(&footprint).map_err(Failure::input)?)
                .map_err(Failure::input)?;
            let needs = match needs {
                Some(p) => input::needs(&Table::read(&p).map_err(Failure::input)?)
                    .map_err(Failure::input)?,
                None => Default::default(),
            };
            let baselines_table = match baselines {
                Some(p) => Some(Table::read(&p).map_err(Failure::input)?),
                None => None,
            };
            let baselines = match &baselines_table {
                Some(t) => input::baselines(t).map_err(Failure::input)?,
                None => Vec::new(),
            };
            let a = rs
                .allocate(&fp, budget, &needs, baselines)
                .map_err(|e| allocation_failure(baselines_table.as_ref(), e))?;
            Ok((0, output::allocation(&a, format)))
        }
        Command::Settle {
            ruleset,
            format,
            results,
        } => {
            let rs = load_ruleset(ruleset.as_deref())?;
            let table = Table::read(&results).map_err(Failure::input)?;
            let inputs = input::settlement(&table).map_err(Failure::input)?;
            let settled = rs
                .settle_batch(&inputs)
                .map_err(|e| settlement_failure(&table, e))?;
            Ok((0, output::settlements(&settled, format)))
        }
        Command::Ruleset { command } => match command {
            RulesetCommand::Show { name, file } => {
                let text = match file {
                    Some(path) => {
                        let rs = Ruleset::from_path(&path).map_err(Failure::input)?;
                        std::fs::read_to_string(&path).unwrap_or_else(|_| rs.to_json_string())
                    }
                    None => {
                        let name = name
                            .as_deref()
                            .unwrap_or(localcare::ruleset::DEFAULT_RULESET);
                        Ruleset::builtin(name).map_err(Failure::input)?;
                        Ruleset::builtin_toml(name).unwrap_or_default().to_string()
                    }
                };
                Ok((0, text))
            }
            RulesetCommand::Check { file } => {
                let rs = Ruleset::from_path(&file).map_err(Failure::input)?;
                let text = format!(
                    "{file}: ok: {} {} ({} tiers, {} capabilities{})\n",
                    rs.id(),
                    rs.version(),
                    rs.tiers().len(),
                    rs.capabilities().len(),
                    if rs.settlement_policy().is_some() {
                        ", settlement policy"
                    } else {
                        ""
                    }
                );
                Ok((0, text))
            }
            RulesetCommand::List => {
                let mut text = String::new();
                for name in Ruleset::builtin_names() {
                    let rs = Ruleset::builtin(name).map_err(Failure::input)?;
                    text.push_str(&format!("{name}\t{}\t{}\n", rs.version(), rs.title()));
                }
                Ok((0, text))
            }
        },
    }
}

/// Writes `text` to standard output through one locked, buffered handle.
fn write_stdout(text: &str) -> io::Result<()> {
    let mut w = io::BufWriter::new(io::stdout().lock());
    w.write_all(text.as_bytes())?;
    w.flush()
}

/// Writes a message to standard error; a closed standard error is ignored.
fn write_stderr(message: &str) {
    let _ = writeln!(io::stderr().lock(), "localcare: {message}");
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok((code, text)) => match write_stdout(&text) {
            Ok(()) => ExitCode::from(code),
            // The reader went away (`localcare ... | head -1`): not an error of ours.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::from(code),
            Err(e) => {
                write_stderr(&format!("cannot write the output: {e}"));
                ExitCode::from(2)
            }
        },
        Err(f) => {
            write_stderr(&f.message);
            ExitCode::from(f.status)
        }
    }
}
