//! `localcare`: the Local Care tier rules and commissioner allocation from a shell.
//!
//! Exit status: 0 success; 1 a validation found errors; 2 the input or ruleset could not
//! be read (nothing is written then); 3 the rules refused the input (for example an
//! infeasible growth floor, or a baseline for a unit that is not an ACO).
//!
//! The command line only converts: it reads CSV files through the table model
//! (`localcare-tables`), calls the core, and prints the result tables.

mod appraise;
mod demo;
mod files;
mod output;
mod shift;

use std::io::{self, Write as _};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use localcare::Ruleset;
use localcare_tables::read;
use localcare_tables::spec::Face;
use localcare_tables::write;

use crate::files::File;
use crate::output::Output;

#[derive(Parser)]
#[command(
    name = "localcare",
    version,
    about = "Kent and Medway Local Care tiers, footprint validation, capitated allocation, settlement, the shift-left model and the appraisal of a service reconfiguration, to the penny.",
    after_help = "Columns of every table: docs/columns.md. Finding codes: docs/findings.md."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum Format {
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

/// The ruleset option every command shares.
#[derive(clap::Args)]
struct RulesetArg {
    /// A ruleset file (TOML, or JSON when it ends in `.json`) or a built-in ruleset's
    /// name (`localcare ruleset list`); a file of that name wins. Default:
    /// kent-medway-2017.
    #[arg(long, value_name = "FILE|NAME")]
    ruleset: Option<String>,
}

impl RulesetArg {
    fn load(&self) -> Result<Ruleset, Failure> {
        Ruleset::load(self.ruleset.as_deref()).map_err(Failure::input)
    }
}

#[derive(Subcommand)]
enum Command {
    /// Runs the built-in ruleset on the bundled synthetic footprint: tiers, validation,
    /// an illustrative allocation and settlement.
    Demo,
    /// Classifies units, in input order: the `units` table in, `classification` out.
    Classify {
        #[command(flatten)]
        ruleset: RulesetArg,
        /// Output format.
        #[arg(long, value_enum, default_value = "csv")]
        format: ClassifyFormat,
        /// Units CSV (`unit_id,population,capabilities`), or `-` for standard input.
        #[arg(default_value = "-", value_name = "UNITS")]
        input: String,
    },
    /// Validates a footprint: the `footprint` table in, a report (`findings`) out.
    /// Exits 1 when any finding is an error.
    Validate {
        #[command(flatten)]
        ruleset: RulesetArg,
        /// Output format: a readable report, the findings as CSV, or the report as JSON.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Footprint CSV (`unit_id,parent_id,declared_tier,population,capabilities`),
        /// or `-` for standard input.
        #[arg(value_name = "FOOTPRINT")]
        footprint: String,
    },
    /// Allocates a budget over a footprint: the `allocation` table out. With
    /// --scenarios, many budgets and policy overrides on the one footprint in one run,
    /// over all cores: the `sweep` table out.
    Allocate {
        /// The budget: pounds (`617400000`, `£617.4m`) or pence (`61740000000p`).
        /// A value starting with `-` is taken as the budget, so that a negative one is
        /// refused by the money parser with its reason rather than by the argument parser.
        #[arg(
            long,
            allow_hyphen_values = true,
            required_unless_present = "scenarios",
            conflicts_with = "scenarios"
        )]
        budget: Option<String>,
        /// Scenarios CSV (`scenario,budget_pence` and optional overrides
        /// `inequalities_weight`, `aco_commissioned_share`, `pace_rate`, `min_growth`,
        /// `max_growth`): a sweep, written as the `sweep` table. Baselines may then name
        /// their scenario in a `scenario` column.
        #[arg(long, value_name = "SCENARIOS", conflicts_with = "explain")]
        scenarios: Option<String>,
        /// Needs CSV: `unit_id` and any of `need_index`, `hi_weighted_population`,
        /// `market_forces_factor`, or age-band count columns.
        #[arg(long, value_name = "NEEDS")]
        needs: Option<String>,
        /// Baselines CSV: `unit_id,baseline_pence` (or `unit_id,baseline` in pounds).
        #[arg(long, value_name = "BASELINES")]
        baselines: Option<String>,
        #[command(flatten)]
        ruleset: RulesetArg,
        /// Output format: the table as CSV or JSON, or the ACOs and pots as text. With
        /// `--explain`: text (the default) or JSON.
        #[arg(long, value_enum)]
        format: Option<Format>,
        /// Explains one unit's (or commissioner pot's) allocation instead of printing
        /// the table: the chain from the budget to its money, with every number.
        #[arg(long, value_name = "UNIT")]
        explain: Option<String>,
        /// Footprint CSV (`unit_id,parent_id,declared_tier,population,capabilities`).
        #[arg(value_name = "FOOTPRINT")]
        footprint: String,
    },
    /// Settles ACOs' years: the `results` table in, `settlement` out.
    Settle {
        #[command(flatten)]
        ruleset: RulesetArg,
        /// Output format: the table as CSV or JSON, or each ACO's steps as text.
        #[arg(long, value_enum, default_value = "csv")]
        format: Format,
        /// Results CSV (`unit_id,benchmark_pence,actual_pence,assigned_population,quality`,
        /// money in whole pence), or `-` for standard input.
        #[arg(value_name = "RESULTS")]
        results: String,
    },
    /// Runs the shift-left model: emergency admissions avoided through local care, the
    /// beds and money that releases, and (with --benchmarks) the settlement that
    /// follows. The `activity` table in, `shift` out; with --reductions, the
    /// `reductions` sweep; with --break-even, --minimum-savings-rate or --target, the
    /// `answers` table: the exact reduction each question needs.
    #[command(group(
        clap::ArgGroup::new("question")
            .args(["reductions", "break_even", "minimum_savings_rate", "target"])
            .multiple(false)
    ))]
    Shift {
        #[command(flatten)]
        ruleset: RulesetArg,
        /// Output format: the table as CSV or JSON (JSON adds the totals), or each unit's
        /// steps and the totals as text.
        #[arg(long, value_enum, default_value = "csv")]
        format: Format,
        /// Benchmarks CSV (`unit_id,benchmark_pence,assigned_population,quality`), one row
        /// per unit of ACTIVITY: each unit's year is settled with actual spend =
        /// benchmark - net savings.
        #[arg(long, value_name = "BENCHMARKS")]
        benchmarks: Option<String>,
        /// Sweeps the model: every unit at each of these reductions of all its admissions
        /// (comma-separated, such as `0,0.1,0.2,0.3`; its own reduction set aside): the
        /// `reductions` table.
        #[arg(long, value_name = "LIST", value_delimiter = ',')]
        reductions: Option<Vec<String>>,
        /// Answers, per unit, the smallest reduction of all admissions at which its net
        /// savings are £0 or more.
        #[arg(long)]
        break_even: bool,
        /// Answers, per unit, the smallest reduction at which its net savings, taken off
        /// its benchmark, meet the settlement's minimum savings rate (needs --benchmarks).
        #[arg(long, requires = "benchmarks")]
        minimum_savings_rate: bool,
        /// Answers the smallest reduction, the same in every unit, at which total net
        /// savings reach AMOUNT: pounds (`£160m`) or pence (`16000000000p`), or `ruleset`
        /// for the ruleset's own target (kent-medway-2017: £160m, seed 003 §3.6).
        #[arg(long, value_name = "AMOUNT", allow_hyphen_values = true)]
        target: Option<String>,
        /// Activity CSV (`unit_id,emergency_admissions` and any of the per-unit
        /// parameters: docs/columns.md, table `activity`), or `-` for standard input.
        #[arg(value_name = "ACTIVITY")]
        activity: String,
    },
    /// Appraises a service reconfiguration (the stroke review, DESIGN §12): every option
    /// (the long list of the ruleset's range of sites, or --options) projected, held to
    /// the hurdle criteria, and the shortlist ranked by the weighted evaluation criteria.
    /// Text: the appraisal in words and the preferred option; CSV: one of the `appraisal`,
    /// `hurdles`, `volumes` or `evaluation` tables (--table); JSON: all four and the
    /// explanation.
    Appraise {
        /// A ruleset with an `[appraisal]` table (file or built-in name). Default:
        /// kent-medway-stroke-2017.
        #[arg(long, value_name = "FILE|NAME")]
        ruleset: Option<String>,
        /// Sites CSV (`site_id,name,admissions,capabilities` and any measure columns).
        #[arg(long, value_name = "SITES")]
        sites: String,
        /// Zones CSV (`zone_id` and `strokes` or `population`).
        #[arg(long, value_name = "ZONES")]
        zones: String,
        /// Travel times CSV (`zone_id,site_id,minutes`; a pair not given is unreachable).
        #[arg(long, value_name = "TRAVEL")]
        travel: String,
        /// Options CSV (`option_id,sites`, sites `;`-separated) instead of the long list.
        #[arg(long, value_name = "OPTIONS")]
        options: Option<String>,
        /// Scores CSV (`option_id,criterion,score`, `--` to `++`) for the criteria the
        /// ruleset leaves to the caller.
        #[arg(long, value_name = "SCORES")]
        scores: Option<String>,
        /// A criterion's weight instead of the ruleset's (`access=0.4`); repeatable or
        /// comma-separated.
        #[arg(long, value_name = "CRITERION=WEIGHT", value_delimiter = ',')]
        weight: Vec<String>,
        /// The long list's sites per option: `3` or a range `2-4` (default: the
        /// ruleset's `min_sites` to `max_sites`).
        #[arg(long, value_name = "K|MIN-MAX")]
        sites_per_option: Option<String>,
        /// The largest long list to enumerate (default: the ruleset's `max_options`).
        #[arg(long, value_name = "N")]
        max_options: Option<u64>,
        /// The table `--format csv` prints.
        #[arg(long, value_enum, default_value = "appraisal")]
        table: appraise::Table,
        /// Explains one option instead: its HASUs, each hurdle, its scores.
        #[arg(long, value_name = "OPTION")]
        explain: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
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
        /// A built-in ruleset's name.
        name: Option<String>,
        /// A ruleset file instead.
        #[arg(long, conflicts_with = "name")]
        file: Option<String>,
    },
    /// Checks a ruleset file; exits 0 when valid, 2 with the error otherwise.
    Check {
        /// The ruleset file (TOML, or JSON when it ends in `.json`).
        file: String,
    },
    /// Lists the built-in rulesets.
    List,
}

/// A failure with its exit status.
pub(crate) struct Failure {
    status: u8,
    message: String,
}

impl Failure {
    pub(crate) fn input(e: impl std::fmt::Display) -> Self {
        Failure {
            status: 2,
            message: e.to_string(),
        }
    }
    pub(crate) fn refused(e: impl std::fmt::Display) -> Self {
        Failure {
            status: 3,
            message: e.to_string(),
        }
    }
}

pub(crate) fn read_file(path: &str) -> Result<File, Failure> {
    File::read(path).map_err(Failure::input)
}

/// Rows of the classification built and written at a time, so that a million rows'
/// reasons are never held at once.
const CLASSIFY_SLICE: usize = 1 << 16;

/// Runs a command: its exit status and its output. Input is read and checked whole
/// first, so nothing is written when the command fails.
fn run(cli: Cli) -> Result<(u8, Output), Failure> {
    match cli.command {
        Command::Classify {
            ruleset,
            format: ClassifyFormat::Csv,
            input,
        } => {
            let rs = ruleset.load()?;
            let f = read_file(&input)?;
            let units =
                read::units(&f.csv.table, &rs).map_err(|e| Failure::input(f.table_error(e)))?;
            let stream = move |w: &mut dyn io::Write| {
                let n = units.populations.len();
                let mut start = 0;
                loop {
                    let end = (start + CLASSIFY_SLICE).min(n);
                    let batch =
                        write::classification_rows(&rs, &units, true, Face::Cli, start..end);
                    localcare_tables::csv::write_to(&batch, start == 0, w)?;
                    if end == n {
                        return Ok(());
                    }
                    start = end;
                }
            };
            Ok((0, Output::Stream(Box::new(stream))))
        }
        command => run_text(Cli { command }),
    }
}

/// Runs a command: its exit status and its output (text, or a table streamed).
fn run_text(cli: Cli) -> Result<(u8, Output), Failure> {
    match cli.command {
        Command::Demo => Ok((0, demo::render().map_err(Failure::refused)?.into())),
        Command::Classify {
            ruleset,
            format,
            input,
        } => {
            let rs = ruleset.load()?;
            let f = read_file(&input)?;
            let units =
                read::units(&f.csv.table, &rs).map_err(|e| Failure::input(f.table_error(e)))?;
            let batch = write::classification(&rs, &units, true, Face::Cli);
            let format = match format {
                ClassifyFormat::Csv => Format::Csv,
                ClassifyFormat::Json => Format::Json,
            };
            Ok((0, output::table(batch, format)))
        }
        Command::Validate {
            ruleset,
            format,
            footprint,
        } => {
            let rs = ruleset.load()?;
            let f = read_file(&footprint)?;
            let fp = read::footprint(&f.csv.table).map_err(|e| Failure::input(f.table_error(e)))?;
            let report = rs.validate(&fp);
            let code = u8::from(report.has_errors());
            let text = match format {
                Format::Text => report.to_text().into(),
                Format::Csv => output::table(write::findings(&report, Face::Cli), format),
                Format::Json => {
                    let findings = write::findings(&report, Face::Cli);
                    output::stream(move |w| {
                        localcare_tables::format::write_report_json(&report, &findings, w)
                    })
                }
            };
            Ok((code, text))
        }
        Command::Allocate {
            budget: None,
            scenarios: Some(scenarios),
            needs,
            baselines,
            ruleset,
            format,
            explain: _,
            footprint,
        } => {
            let rs = ruleset.load()?;
            let f = read_file(&footprint)?;
            let fp = read::footprint(&f.csv.table).map_err(|e| Failure::input(f.table_error(e)))?;
            let needs_file = needs.as_deref().map(read_file).transpose()?;
            let needs = match &needs_file {
                Some(f) => {
                    read::needs(&f.csv.table).map_err(|e| Failure::input(f.table_error(e)))?
                }
                None => Default::default(),
            };
            let need_ids: Vec<String> = needs.rows().iter().map(|(id, _)| id.clone()).collect();
            let prepared = rs.prepare(&fp, &needs).map_err(|e| {
                Failure::refused(files::allocation_error(
                    &e,
                    needs_file.as_ref().map(|f| (f, need_ids.as_slice())),
                    None,
                ))
            })?;
            let s_file = read_file(&scenarios)?;
            let baselines_file = baselines.as_deref().map(read_file).transpose()?;
            let list = localcare_tables::sweep::scenarios(
                &s_file.csv.table,
                &rs,
                baselines_file.as_ref().map(|b| &b.csv.table),
            )
            .map_err(|e| {
                Failure::input(match (&baselines_file, e.table) {
                    (Some(b), "baselines") => b.table_error(e),
                    _ => s_file.table_error(e),
                })
            })?;
            let sweep = localcare_tables::stream::SweepOutput::run(prepared, list)
                .map_err(|e| Failure::refused(files::sweep_error(&e, &s_file)))?;
            let format = match format {
                Some(Format::Text) => {
                    return Err(Failure::input(
                        "--scenarios: the sweep is a table; use --format csv or json",
                    ));
                }
                f => f.unwrap_or(Format::Csv),
            };
            Ok((0, output::sweep(sweep, format)))
        }
        Command::Allocate {
            budget,
            scenarios: _,
            needs,
            baselines,
            ruleset,
            format,
            explain,
            footprint,
        } => {
            let rs = ruleset.load()?;
            let budget = localcare::money::parse_money(budget.as_deref().unwrap_or_default())
                .map_err(|e| Failure::input(format!("--budget: {e}")))?;
            let f = read_file(&footprint)?;
            let fp = read::footprint(&f.csv.table).map_err(|e| Failure::input(f.table_error(e)))?;
            let needs_file = needs.as_deref().map(read_file).transpose()?;
            let needs = match &needs_file {
                Some(f) => {
                    read::needs(&f.csv.table).map_err(|e| Failure::input(f.table_error(e)))?
                }
                None => Default::default(),
            };
            let baselines_file = baselines.as_deref().map(read_file).transpose()?;
            let baselines = match &baselines_file {
                Some(f) => {
                    read::baselines(&f.csv.table).map_err(|e| Failure::input(f.table_error(e)))?
                }
                None => Vec::new(),
            };
            let need_ids: Vec<String> = needs.rows().iter().map(|(id, _)| id.clone()).collect();
            let baseline_ids: Vec<String> = baselines.iter().map(|(id, _)| id.clone()).collect();
            let a = rs.allocate(&fp, budget, &needs, baselines).map_err(|e| {
                Failure::refused(files::allocation_error(
                    &e,
                    needs_file.as_ref().map(|f| (f, need_ids.as_slice())),
                    baselines_file
                        .as_ref()
                        .map(|f| (f, baseline_ids.as_slice())),
                ))
            })?;
            if let Some(unit) = explain {
                let e = a
                    .explain(&unit)
                    .map_err(|e| Failure::input(format!("--explain: {e}")))?;
                let text = match format {
                    Some(Format::Json) => {
                        output::json(&localcare_tables::format::explanation_json(&e))
                    }
                    Some(Format::Csv) => {
                        return Err(Failure::input(
                            "--explain: the explanation is text or JSON; use --format text or json",
                        ));
                    }
                    Some(Format::Text) | None => e.to_text(),
                };
                return Ok((0, text.into()));
            }
            let format = format.unwrap_or(Format::Csv);
            let text = match format {
                Format::Text => a.to_text().into(),
                Format::Csv => output::table(write::allocation(&a, &rs, None, Face::Cli), format),
                Format::Json => {
                    let rows = write::allocation(&a, &rs, None, Face::Cli);
                    output::stream(move |w| {
                        localcare_tables::format::write_allocation_json(&a, &rows, w)
                    })
                }
            };
            Ok((0, text))
        }
        Command::Settle {
            ruleset,
            format,
            results,
        } => {
            let rs = ruleset.load()?;
            let f = read_file(&results)?;
            let inputs = read::settlement_inputs(&f.csv.table)
                .map_err(|e| Failure::input(f.table_error(e)))?;
            let settled = rs
                .settle_batch(&inputs)
                .map_err(|e| Failure::refused(f.settlement_error(e)))?;
            let text = match format {
                Format::Text => settled
                    .iter()
                    .map(|s| {
                        let steps: String =
                            s.explanation.iter().map(|l| format!("  {l}\n")).collect();
                        format!("{}:\n{steps}", s.unit_id)
                    })
                    .collect::<String>()
                    .into(),
                _ => output::table(write::settlements(&settled, Face::Cli), format),
            };
            Ok((0, text))
        }
        Command::Shift {
            ruleset,
            format,
            benchmarks,
            reductions,
            break_even,
            minimum_savings_rate,
            target,
            activity,
        } => shift::run(
            &ruleset.load()?,
            format,
            &activity,
            benchmarks.as_deref(),
            shift::Question::of(reductions, break_even, minimum_savings_rate, target)?,
        ),
        Command::Appraise {
            ruleset,
            sites,
            zones,
            travel,
            options,
            scores,
            weight,
            sites_per_option,
            max_options,
            table,
            explain,
            format,
        } => appraise::run(appraise::Args {
            ruleset,
            sites,
            zones,
            travel,
            options,
            scores,
            weights: weight,
            sites_per_option,
            max_options,
            table,
            explain,
            format,
        }),
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
                Ok((0, text.into()))
            }
            RulesetCommand::Check { file } => {
                let rs = Ruleset::from_path(&file).map_err(Failure::input)?;
                let text = format!(
                    "{file}: ok: {} {} ({} tiers, {} capabilities{}{})\n",
                    rs.id(),
                    rs.version(),
                    rs.tiers().len(),
                    rs.capabilities().len(),
                    if rs.settlement_policy().is_some() {
                        ", settlement policy"
                    } else {
                        ""
                    },
                    if rs.appraisal_policy().is_some() {
                        ", appraisal policy"
                    } else {
                        ""
                    }
                );
                Ok((0, text.into()))
            }
            RulesetCommand::List => {
                let mut text = String::new();
                for name in Ruleset::builtin_names() {
                    let rs = Ruleset::builtin(name).map_err(Failure::input)?;
                    text.push_str(&format!("{name}\t{}\t{}\n", rs.version(), rs.title()));
                }
                Ok((0, text.into()))
            }
        },
    }
}

/// Writes the output to standard output through one locked, buffered handle.
fn write_stdout(out: Output) -> io::Result<()> {
    let mut w = io::BufWriter::new(io::stdout().lock());
    match out {
        Output::Text(text) => w.write_all(text.as_bytes())?,
        Output::Stream(stream) => stream(&mut w)?,
    }
    w.flush()
}

/// Writes a message to standard error; a closed standard error is ignored.
fn write_stderr(message: &str) {
    let _ = writeln!(io::stderr().lock(), "localcare: {message}");
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok((code, out)) => match write_stdout(out) {
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
