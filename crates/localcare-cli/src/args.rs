//! The command line's arguments: every command and option, as clap reads them.

use clap::{Parser, Subcommand, ValueEnum};
use localcare::Ruleset;

use crate::Failure;
use crate::appraise;

#[derive(Parser)]
#[command(
    name = "localcare",
    version,
    about = "Kent and Medway Local Care tiers, footprint validation, capitated allocation, settlement, the shift-left model and the appraisal of a service reconfiguration, to the penny.",
    after_help = "Columns of every table: docs/columns.md. Finding codes: docs/findings.md."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Text,
    Csv,
    Json,
}

/// Formats of `classify`, which has no text form.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ClassifyFormat {
    Csv,
    Json,
}

/// The ruleset option every command shares.
#[derive(clap::Args)]
pub struct RulesetArg {
    /// A ruleset file (TOML, or JSON when it ends in `.json`) or a built-in ruleset's
    /// name (`localcare ruleset list`); a file of that name wins. Default:
    /// kent-medway-2017.
    #[arg(long, value_name = "FILE|NAME")]
    pub ruleset: Option<String>,
}

impl RulesetArg {
    pub fn load(&self) -> Result<Ruleset, Failure> {
        Ruleset::load(self.ruleset.as_deref()).map_err(Failure::input)
    }
}

/// `rs` under the allocation policy of `from` (`--allocation-from`): a ruleset (built-in
/// or file), or a TOML file of an `[allocation]` table alone (a file with no `schema`
/// key).
pub fn allocation_from(rs: Ruleset, from: Option<&str>) -> Result<Ruleset, Failure> {
    let Some(from) = from else {
        return Ok(rs);
    };
    let fail = |e: localcare::RulesetError| Failure::input(format!("--allocation-from: {e}"));
    let path = std::path::Path::new(from);
    if path.is_file() {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::input(format!("--allocation-from: cannot read {from}: {e}")))?;
        let is_ruleset = text.lines().any(|l| {
            l.trim_start().starts_with("schema") || l.trim_start().starts_with("\"schema\"")
        });
        if !is_ruleset {
            return rs.with_allocation_toml(&text).map_err(fail);
        }
    }
    let other = Ruleset::load(Some(from)).map_err(fail)?;
    rs.with_allocation_policy_of(&other).map_err(fail)
}

/// The `--budget` values: one amount, or lines `LINE=AMOUNT` (pence each).
pub fn budgets(values: &[String]) -> Result<(i64, Vec<(String, i64)>), Failure> {
    let money = |v: &str, line: &str| {
        localcare::money::parse_money(v).map_err(|e| {
            Failure::input(if line.is_empty() {
                format!("--budget: {e}")
            } else {
                format!("--budget {line}: {e}")
            })
        })
    };
    let is_line = |v: &str| {
        v.split_once('=')
            .is_some_and(|(k, _)| !k.is_empty() && !k.starts_with(['-', '£']))
    };
    match values {
        [] => Ok((0, Vec::new())),
        [one] if !is_line(one) => Ok((money(one, "")?, Vec::new())),
        many => {
            let mut lines = Vec::with_capacity(many.len());
            for v in many {
                let Some((line, amount)) = v.split_once('=').filter(|_| is_line(v)) else {
                    return Err(Failure::input(format!(
                        "--budget: `{v}` is not LINE=AMOUNT; give one amount, or every budget as a line (`--budget core=£100m --budget primary_medical_care=£20m`)"
                    )));
                };
                lines.push((line.trim().to_string(), money(amount.trim(), line.trim())?));
            }
            Ok((0, lines))
        }
    }
}

#[derive(Subcommand)]
pub enum Command {
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
        /// The budget: pounds (`617400000`, `£617.4m`) or pence (`61740000000p`); or,
        /// repeated, a budget line each: `--budget core=£100m --budget
        /// primary_medical_care=£20m` (lines of the ruleset's `allocation.budget_lines`,
        /// or component ids), each split by its component's weighted population.
        /// A value starting with `-` is taken as the budget, so that a negative one is
        /// refused by the money parser with its reason rather than by the argument parser.
        #[arg(
            long,
            allow_hyphen_values = true,
            required_unless_present = "scenarios",
            conflicts_with = "scenarios",
            value_name = "AMOUNT|LINE=AMOUNT"
        )]
        budget: Vec<String>,
        /// Allocates under the allocation policy of another ruleset (a built-in name or
        /// a ruleset file), or of a TOML file holding an `[allocation]` table alone: a
        /// ruleset of tiers only (`england-neighbourhood-2025`) given a policy
        /// (`england-icb-2024`'s). Retained shares are matched to the tiers by id.
        #[arg(long, value_name = "FILE|NAME")]
        allocation_from: Option<String>,
        /// Scenarios CSV (`scenario,budget_pence` and optional overrides
        /// `inequalities_weight`, `aco_commissioned_share`, `pace_rate`, `min_growth`,
        /// `max_growth`): a sweep, written as the `sweep` table. Baselines may then name
        /// their scenario in a `scenario` column.
        #[arg(long, value_name = "SCENARIOS", conflicts_with = "explain")]
        scenarios: Option<String>,
        /// Needs CSV: `unit_id` and any of `need_index`, `hi_weighted_population`,
        /// `market_forces_factor`, component weighted populations (`wp_core`, or NHS
        /// England's `Final WP` under `england-icb-2024`) or age-band count columns.
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
    /// Appraises a service reconfiguration (the stroke review, docs/appraisal.md): every option
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
        /// Travel times CSV: pairs (`zone_id,site_id,minutes`; a pair not given is
        /// unreachable), or the wide published form (`zone_id`, then one column
        /// per site, blank where unreachable).
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
        /// The largest long list to enumerate (default: the ruleset's `max_options`); a
        /// longer one is searched (the best option found for each number of sites, and
        /// its proven bound: `--table search`).
        #[arg(long, value_name = "N")]
        max_options: Option<u64>,
        /// The table `--format csv` prints.
        #[arg(long, value_enum, default_value = "appraisal")]
        table: appraise::Table,
        /// Explains one option instead: its HASUs, each hurdle, its scores.
        #[arg(long, value_name = "OPTION")]
        explain: Option<String>,
        /// Shows a search's progress on standard error, one line per number of sites
        /// (default: when standard error is a terminal).
        #[arg(long)]
        progress: bool,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Turns NHS England's practice file (its weighted populations as published, its own
    /// column names: docs/practices.md) into a footprint and a needs table in one step:
    /// practices under places (districts, or a mapping of your own) under their ICBs.
    /// Writes the tables to files; one of them may go to standard output (`-`) to pipe
    /// into `validate -` or `allocate`.
    Practices {
        /// A ruleset with the practice, place and ICB tiers and the components (file or
        /// built-in name). Default: england-icb-2024.
        #[arg(long, value_name = "FILE|NAME")]
        ruleset: Option<String>,
        /// Groups the practices: `icb` (directly under their ICB), `district` (places are
        /// the districts, `LTLA21`, within each ICB) or a mapping CSV
        /// (`practice_code,place` or `district,place`).
        #[arg(
            long,
            value_name = "icb|district|MAPPING.csv",
            default_value = "district"
        )]
        by: String,
        /// Keeps one ICB by its code (`QKS`); repeatable or comma-separated. Default: all.
        #[arg(long, value_name = "CODE", value_delimiter = ',')]
        icb: Vec<String>,
        /// Writes the footprint table here (`-`: standard output).
        #[arg(long, value_name = "OUT.csv")]
        footprint: Option<String>,
        /// Writes the needs table (`wp_<component>` per practice) here (`-`: standard output).
        #[arg(long, value_name = "OUT.csv")]
        needs: Option<String>,
        /// Writes `footprint.csv` and `needs.csv` into this folder instead.
        #[arg(long, value_name = "DIR", conflicts_with_all = ["footprint", "needs"])]
        out_dir: Option<String>,
        /// The practice file (CSV with NHS England's columns), or `-` for standard input.
        #[arg(value_name = "FILE")]
        file: String,
    },
    /// Shows or checks rulesets.
    Ruleset {
        #[command(subcommand)]
        command: RulesetCommand,
    },
}

#[derive(Subcommand)]
pub enum RulesetCommand {
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
