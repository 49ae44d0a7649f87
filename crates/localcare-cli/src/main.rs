//! `localcare`: the Local Care tier rules and commissioner allocation from a shell.
//!
//! Exit status: 0 success; 1 a validation found errors; 2 the input or ruleset could not
//! be read (nothing is written then); 3 the rules refused the input (for example an
//! infeasible growth floor, or a baseline for a unit that is not an ACO).
//!
//! The command line only converts: it reads CSV files, runs each command through the
//! table model's run layer (`localcare_tables::run`), and prints the result tables and
//! text.

mod appraise;
mod args;
mod demo;
mod demo_bridge;
mod demo_real;
mod files;
mod output;
mod practices;
mod ruleset;
mod shift;
mod stroke_maps;

use std::io::{self, IsTerminal as _, Write as _};
use std::process::ExitCode;

use clap::Parser;
use localcare_tables::run::{self, allocate, appraise as run_appraise};
use localcare_tables::spec::Face;

use crate::args::{ClassifyFormat, Cli, Command, Format};
use crate::files::Files;
use crate::output::Output;

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
            let files = Files::default().read("units", Some(&input))?;
            let c = run::classify::classify(&rs, files.table("units"), Default::default())
                .map_err(|e| files.failure(e))?;
            let stream = move |w: &mut dyn io::Write| c.write_csv(&rs, Face::Cli, w);
            Ok((0, output::stream(stream)))
        }
        command => run_output(command),
    }
}

/// Runs a command: its exit status and its output (text, or tables streamed).
fn run_output(command: Command) -> Result<(u8, Output), Failure> {
    match command {
        Command::Demo => Ok((0, demo::render().map_err(Failure::refused)?.into())),
        Command::Classify { ruleset, input, .. } => {
            let rs = ruleset.load()?;
            let files = Files::default().read("units", Some(&input))?;
            let c = run::classify::classify(&rs, files.table("units"), Default::default())
                .map_err(|e| files.failure(e))?;
            Ok((0, output::table(c.table(&rs, Face::Cli), Format::Json)))
        }
        Command::Validate {
            ruleset,
            format,
            footprint,
        } => {
            let rs = ruleset.load()?;
            let files = Files::default().read("footprint", Some(&footprint))?;
            let v = run::validate::validate(&rs, files.table("footprint"))
                .map_err(|e| files.failure(e))?;
            let code = u8::from(v.report.has_errors());
            let out = match format {
                Format::Text => v.text().into(),
                Format::Csv => output::table(v.findings(Face::Cli), format),
                Format::Json => output::stream(move |w| v.write_json(Face::Cli, w)),
            };
            Ok((code, out))
        }
        Command::Allocate {
            budget,
            allocation_from,
            scenarios,
            needs,
            baselines,
            ruleset,
            format,
            explain,
            footprint,
        } => {
            let rs = args::allocation_from(ruleset.load()?, allocation_from.as_deref())?;
            let (budget_pence, lines) = match &scenarios {
                None => args::budgets(&budget)?,
                Some(_) => (0, Vec::new()),
            };
            let files = Files::default()
                .read("footprint", Some(&footprint))?
                .read("needs", needs.as_deref())?
                .read("scenarios", scenarios.as_deref())?
                .read("baselines", baselines.as_deref())?;
            if scenarios.is_some() {
                let tables = allocate::SweepTables {
                    footprint: files.table("footprint"),
                    needs: files.get("needs"),
                    scenarios: files.table("scenarios"),
                    baselines: files.get("baselines"),
                };
                let format = match format {
                    Some(Format::Text) => {
                        return Err(Failure::input(
                            "--scenarios: the sweep is a table; use --format csv or json",
                        ));
                    }
                    f => f.unwrap_or(Format::Csv),
                };
                let swept = allocate::sweep_streamed(&rs, tables).map_err(|e| files.failure(e))?;
                return Ok((0, output::sweep(swept, format)));
            }
            let tables = allocate::AllocateTables {
                footprint: files.table("footprint"),
                needs: files.get("needs"),
                baselines: files.get("baselines"),
            };
            let options = allocate::AllocateOptions {
                budget_pence,
                baselines: Vec::new(),
                lines,
            };
            let a = allocate::allocate(&rs, tables, options).map_err(|e| files.failure(e))?;
            let out = match (explain, format) {
                (Some(_), Some(Format::Csv)) => {
                    return Err(Failure::input(
                        "--explain: the explanation is text or JSON; use --format text or json",
                    ));
                }
                (Some(unit), format) => {
                    let e = a
                        .explain(&unit)
                        .map_err(|e| Failure::input(format!("--explain: {e}")))?;
                    match format {
                        Some(Format::Json) => {
                            output::json(&localcare_tables::format::explanation_json(&e)).into()
                        }
                        _ => e.to_text().into(),
                    }
                }
                (None, Some(Format::Text)) => a.text().into(),
                (None, Some(Format::Json)) => {
                    output::stream(move |w| a.write_json(&rs, Face::Cli, w))
                }
                (None, _) => output::table(a.table(&rs, None, Face::Cli), Format::Csv),
            };
            Ok((0, out))
        }
        Command::Settle {
            ruleset,
            format,
            results,
        } => {
            let rs = ruleset.load()?;
            let files = Files::default().read("results", Some(&results))?;
            let s =
                run::settle::settle(&rs, files.table("results")).map_err(|e| files.failure(e))?;
            let out = match format {
                Format::Text => s.text().into(),
                _ => output::table(s.table(Face::Cli), format),
            };
            Ok((0, out))
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
        } => {
            let rs = ruleset.load()?;
            let question = shift::question(reductions, break_even, minimum_savings_rate, target)?;
            let files = Files::default()
                .read("activity", Some(&activity))?
                .read("benchmarks", benchmarks.as_deref())?;
            let tables = run::shift::ShiftTables {
                activity: files.table("activity"),
                benchmarks: files.get("benchmarks"),
            };
            let s = run::shift::shift(&rs, tables, question).map_err(|e| files.failure(e))?;
            let out = match format {
                Format::Text => s.text().into(),
                Format::Csv => output::table(s.table(Face::Cli), format),
                Format::Json => output::stream(move |w| s.write_json(Face::Cli, w)),
            };
            Ok((0, out))
        }
        Command::Bridge {
            ruleset,
            format,
            table,
            activity,
            steps,
        } => {
            let rs = ruleset.load()?;
            let files = Files::default()
                .read("bridge_steps", steps.as_deref())?
                .read("activity", activity.as_deref())?;
            let tables = run::bridge::BridgeTables {
                steps: files.get("bridge_steps"),
                activity: files.get("activity"),
            };
            let b = run::bridge::bridge(&rs, tables).map_err(|e| files.failure(e))?;
            let batch = match table {
                args::BridgeTable::Bridge => b.table(Face::Cli),
                args::BridgeTable::Steps => b.steps_table(Face::Cli),
            };
            let out = match format {
                Format::Text => b.text().into(),
                _ => output::table(batch, format),
            };
            Ok((0, out))
        }
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
            progress,
            format,
        } => {
            let rs = run_appraise::ruleset(ruleset.as_deref()).map_err(Failure::input)?;
            let files = Files::default()
                .read("sites", Some(&sites))?
                .read("zones", Some(&zones))?
                .read("travel", Some(&travel))?
                .read("options", options.as_deref())?
                .read("scores", scores.as_deref())?;
            let mut request = appraise::request(sites_per_option.as_deref(), max_options, &weight)?;
            if progress || std::io::stderr().is_terminal() {
                request.progress = localcare::appraise::Progress::new(|p| {
                    eprintln!("{}", p.line());
                    std::ops::ControlFlow::Continue(())
                });
            }
            let tables = run_appraise::AppraiseTables {
                sites: files.table("sites"),
                zones: files.table("zones"),
                travel: files.table("travel"),
                options: files.get("options"),
                scores: files.get("scores"),
            };
            let ready =
                run_appraise::prepare(&rs, tables, request).map_err(|e| files.failure(e))?;
            // Read and prepared: the files' text (nationally 40 MB) is not needed again.
            let mut files = files;
            files.release_data();
            let a = ready.appraise().map_err(|e| files.failure(e))?;
            let out = match (explain, format) {
                (Some(id), _) => a
                    .explain(&id)
                    .map_err(|e| Failure::input(format!("--explain: {e}")))?
                    .into(),
                (None, Format::Text) => a.text().into(),
                (None, Format::Csv) => output::table(
                    a.table(table.name(), Face::Cli)
                        .map_err(|e| files.failure(e))?,
                    Format::Csv,
                ),
                (None, Format::Json) => output::stream(move |w| a.write_json(Face::Cli, w)),
            };
            Ok((0, out))
        }
        Command::Practices {
            ruleset,
            by,
            icb,
            footprint,
            needs,
            out_dir,
            file,
        } => practices::run(practices::Request {
            ruleset,
            file,
            by,
            icb,
            footprint,
            needs,
            out_dir,
        }),
        Command::StrokeMaps {
            region,
            out_dir,
            data_dir,
        } => stroke_maps::run(&data_dir, &region, &out_dir),
        Command::Ruleset { command } => {
            ruleset::run(command).map(|(code, text)| (code, text.into()))
        }
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
