//! Rulesets: the tiers, capabilities, allocation and settlement policy as versioned data.
//!
//! The population bands in the sources end in question marks (seed
//! `000_304436ec5367c809.txt`: "20 – 60k?", "50 – 200k?", "400 to 800k?"): they are
//! provisional, so they live in a ruleset document, never in code. A ruleset is read
//! from TOML (or JSON), checked as a whole on load, and immutable afterwards.
//!
//! ```
//! use localcare::Ruleset;
//! let rs = Ruleset::builtin("kent-medway-2017").unwrap();
//! assert_eq!(rs.tier_ids().collect::<Vec<_>>(),
//!            ["gp_practice", "extended_practice", "mcp_hub", "aco"]);
//! let t1 = rs.tier("extended_practice").unwrap();
//! assert_eq!((t1.band().unwrap().min(), t1.band().unwrap().max()), (20_000, Some(60_000)));
//! ```

pub(crate) mod capabilities;
mod check;
pub(crate) mod error;
pub(crate) mod locator;
mod schema;
pub(crate) mod value;

use std::fmt;
use std::path::Path;

use rust_decimal::Decimal;

pub use capabilities::{Capability, CapabilitySet, MAX_CAPABILITIES, UnknownCapability};
use error::line_col;
pub use error::{Location, RulesetError};
pub use locator::KeyPath;
use locator::{Locator, key_at};
use schema::Document;
pub use value::is_unit_share;

/// The built-in rulesets: `(id, TOML text)`.
const BUILTIN: &[(&str, &str)] = &[
    (
        "kent-medway-2017",
        include_str!("../../rulesets/kent-medway-2017.toml"),
    ),
    (
        "england-pcn-2019",
        include_str!("../../rulesets/england-pcn-2019.toml"),
    ),
    (
        "england-neighbourhood-2025",
        include_str!("../../rulesets/england-neighbourhood-2025.toml"),
    ),
    (
        "kent-medway-stroke-2017",
        include_str!("../../rulesets/kent-medway-stroke-2017.toml"),
    ),
];

/// The named settlement presets a ruleset's `[settlement]` may start from
/// (`preset = "mssp-2026-basic-e"`), as TOML: each a settlement table with its sources.
pub const SETTLEMENT_PRESETS: &str = include_str!("../../rulesets/settlement-presets.toml");

/// The id of the default ruleset, used everywhere no other is named.
pub const DEFAULT_RULESET: &str = "kent-medway-2017";

/// The reserved parent name meaning "directly under the strategic commissioner", i.e.
/// a unit with no parent in the footprint.
pub const STRATEGIC_COMMISSIONER: &str = "strategic_commissioner";

/// A population band, inclusive at both ends; `max` is `None` when unbounded above.
///
/// A band is either strict (the default: a unit outside it is not in the tier) or
/// advisory (the source says "usually" or "around": a unit outside it may still be in the
/// tier, and is warned about, never refused).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Band {
    min: u64,
    max: Option<u64>,
    advisory: bool,
}

impl Band {
    /// Inclusive lower bound.
    pub fn min(&self) -> u64 {
        self.min
    }
    /// Inclusive upper bound, if any.
    pub fn max(&self) -> Option<u64> {
        self.max
    }
    /// Whether the band is advisory: outside it is a warning, not a bar to the tier.
    pub fn is_advisory(&self) -> bool {
        self.advisory
    }
    /// Whether `population` lies inside the band (both ends included).
    pub fn contains(&self, population: u64) -> bool {
        population >= self.min && self.max.is_none_or(|m| population <= m)
    }
}

impl fmt::Display for Band {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::money::group_thousands as g;
        match self.max {
            Some(m) => write!(f, "{}–{}", g(self.min), g(m)),
            None => write!(f, "{}+", g(self.min)),
        }
    }
}

/// One tier of the care model, such as `mcp_hub`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tier {
    id: String,
    name: String,
    band: Option<Band>,
    requires: CapabilitySet,
    parents: Vec<usize>,
    under_commissioner: bool,
    source: Option<String>,
}

impl Tier {
    /// Stable id, such as `mcp_hub`.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// Human name, such as `Tier 2: MCP / community hub`.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The population band, or `None` when the tier takes any population (GP practices:
    /// "various" in the source).
    pub fn band(&self) -> Option<Band> {
        self.band
    }
    /// Capabilities a unit must have to be in this tier.
    pub fn requires(&self) -> CapabilitySet {
        self.requires
    }
    /// Indices of the tiers allowed directly above this one.
    pub fn parents(&self) -> &[usize] {
        &self.parents
    }
    /// Whether this tier may sit directly under the strategic commissioner (no parent).
    pub fn under_commissioner(&self) -> bool {
        self.under_commissioner
    }
    /// The source passage the tier's numbers come from.
    pub fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }
}

/// A named pot the strategic commissioner keeps, such as specialised commissioning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pot {
    /// Stable id, used as the pot's `unit_id` in allocation results.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Share of the commissioner's retained money (the pots' shares add up to 1).
    pub share: Decimal,
}

/// Pace of change: how fast units move from last year's baseline toward their target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PacePolicy {
    /// Fraction of the gap between baseline and target closed this year, in [0, 1].
    pub rate: Decimal,
    /// Minimum growth on baseline (may be negative for a permitted cut, not below -1).
    pub min_growth: Option<Decimal>,
    /// Maximum growth on baseline, if capped.
    pub max_growth: Option<Decimal>,
}

/// The strategic commissioner's allocation policy (DESIGN §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocationPolicy {
    /// Share of the budget the accountable-tier units (ACOs) commission, in [0, 1].
    pub aco_commissioned_share: Decimal,
    /// Health-inequalities weight `h` in `((1 - h) * need_wp + h * hi_wp) * mff`.
    pub inequalities_weight: Decimal,
    /// Market forces factor used where a practice gives none.
    pub market_forces_factor: Decimal,
    /// The commissioner's pots, sharing what the ACOs do not commission.
    pub pots: Vec<Pot>,
    /// Pace of change, applied where baselines are given.
    pub pace_of_change: Option<PacePolicy>,
    /// Per tier (by index), the share of a unit's allocation it keeps.
    pub retained_share: Vec<Decimal>,
    /// Age band id and weight, for need given as age-band counts.
    pub age_band_weights: Vec<(String, Decimal)>,
}

/// One row of a minimum-savings-rate table: populations `from..=to` get a rate falling
/// linearly from `rate_from` to `rate_to` (42 CFR 425.604(b)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MsrRow {
    /// Lowest population of the row.
    pub from: u64,
    /// Highest population, or `None` for an open-ended last row.
    pub to: Option<u64>,
    /// Rate at `from`.
    pub rate_from: Decimal,
    /// Rate at `to` (equal to `rate_from` on an open-ended row).
    pub rate_to: Decimal,
}

/// How the minimum savings rate is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MinimumSavingsRate {
    /// One rate for every population.
    Fixed(Decimal),
    /// A table by assigned population, interpolated inside each row.
    Table(Vec<MsrRow>),
}

/// Loss sharing, for two-sided arrangements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LossPolicy {
    /// Losses count only at or above this share of the benchmark (ignored when
    /// [`LossPolicy::minimum_loss_rate_by_population`] is set).
    pub minimum_loss_rate: Decimal,
    /// When true, the minimum loss rate is the minimum savings rate for the assigned
    /// population (the symmetric, population-based MSR/MLR of 42 CFR 425.605(b)).
    pub minimum_loss_rate_by_population: bool,
    /// Lower bound of the loss-sharing rate `1 - sharing_rate x quality`.
    pub sharing_rate_min: Decimal,
    /// Upper bound of the loss-sharing rate.
    pub sharing_rate_max: Decimal,
    /// When `Some`, losses are shared at this one rate whatever the quality (BASIC
    /// levels C to E: 30%); `sharing_rate_min` and `sharing_rate_max` are then equal to it.
    pub flat_rate: Option<Decimal>,
    /// Losses owed are capped at this share of the benchmark.
    pub cap: Decimal,
    /// When `Some`, the loss limit is the lesser of this share of the ACO participants'
    /// fee-for-service revenue and `cap` of the benchmark (BASIC levels C to E); the
    /// settlement input must then give `participant_revenue_pence` for a loss.
    pub revenue_cap: Option<Decimal>,
}

/// Sharing savings that miss the minimum savings rate, for low-revenue ACOs
/// (42 CFR 425.605(h)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BelowMsrPolicy {
    /// The fraction of the (quality-adjusted) sharing rate applied: 0.5 in the rule.
    pub sharing_fraction: Decimal,
    /// An ACO is low revenue when its participants' fee-for-service revenue is below
    /// this share of the expenditure of its assigned population (0.35, 42 CFR 425.20).
    pub low_revenue_threshold: Decimal,
}

/// The year-end settlement policy (DESIGN §6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementPolicy {
    /// True when the parameters are illustrative rather than agreed.
    pub illustrative: bool,
    /// Savings sharing rate (before quality scaling).
    pub sharing_rate: Decimal,
    /// Quality score needed to share savings at all (standing for the quality
    /// performance standard, or the alternative standard where `quality_standard` is set).
    pub quality_threshold: Decimal,
    /// When `Some`, a quality score at or above it meets the full quality performance
    /// standard: the sharing rate applies unscaled (and the loss-sharing rate is
    /// `1 - sharing_rate`, bounded). Between `quality_threshold` and it, the rate is
    /// scaled by the score; below `quality_threshold`, nothing is shared and losses are
    /// shared at the upper bound. `None`: the rate is always scaled by the score.
    pub quality_standard: Option<Decimal>,
    /// Shared savings are capped at this share of the benchmark.
    pub savings_cap: Decimal,
    /// The minimum savings rate.
    pub minimum_savings_rate: MinimumSavingsRate,
    /// Smallest assigned population the policy settles.
    pub minimum_population: u64,
    /// `Some` for two-sided arrangements.
    pub losses: Option<LossPolicy>,
    /// `Some` when low-revenue ACOs share savings below the minimum savings rate.
    pub below_msr: Option<BelowMsrPolicy>,
    /// The preset the policy started from, if any.
    pub preset: Option<String>,
}

/// Defaults of the shift-left model (DESIGN §13), from a ruleset's `[shift]` table.
///
/// Every parameter is optional: a unit's own input overrides the default, and a
/// parameter neither gives is an error naming the unit and the field. See
/// [`crate::shift`] for what each one means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftPolicy {
    /// Share of emergency admissions that could be avoided, in [0, 1].
    pub avoidable_share: Option<Decimal>,
    /// The reduction, stated as a share of all admissions or of the avoidable ones.
    pub reduction: Option<crate::shift::Reduction>,
    /// Bed days per emergency admission avoided (0 or more).
    pub bed_days_per_admission: Option<Decimal>,
    /// Cost of one acute bed day, pence (positive).
    pub bed_day_cost_pence: Option<i64>,
    /// Cost of the community care that replaces one admission, pence (0 or more).
    pub replacement_cost_pence: Option<i64>,
    /// Yearly fixed cost of the local care that avoids admissions, pence (0 or more).
    pub fixed_cost_pence: Option<i64>,
    /// Bed occupancy used to turn bed days into beds, in (0, 1].
    pub occupancy: Option<Decimal>,
    /// A system net-savings target, pence (such as the seeds' £160m), for
    /// [`Ruleset::reduction_for_target`].
    pub net_savings_target_pence: Option<i64>,
    /// Key of the `[shift]` table -> the passage its number comes from.
    pub sources: std::collections::BTreeMap<String, String>,
}

/// The 1-based line whose key nests deepest (dots and brackets before any `=`), for an
/// error the TOML reader gives without a position.
fn deepest_key_line(text: &str) -> Option<usize> {
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            let key = l.split('=').next().unwrap_or("");
            (key.matches(['.', '[']).count(), i + 1)
        })
        .filter(|&(depth, _)| depth > 0)
        .max_by_key(|&(depth, line)| (depth, std::cmp::Reverse(line)))
        .map(|(_, line)| line)
}

/// A checked, immutable ruleset. Cheap to share: `Send + Sync`, no interior mutability.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ruleset {
    doc: Document,
    capabilities: Vec<Capability>,
    tiers: Vec<Tier>,
    allocation: Option<AllocationPolicy>,
    settlement: Option<SettlementPolicy>,
    shift: Option<ShiftPolicy>,
    payments: Option<crate::allocate::PerHeadPayments>,
    appraisal: Option<crate::appraise::AppraisalPolicy>,
}

impl Ruleset {
    /// A built-in ruleset by id (`kent-medway-2017` is the default).
    pub fn builtin(name: &str) -> Result<Ruleset, RulesetError> {
        let (id, text) = BUILTIN.iter().find(|(id, _)| *id == name).ok_or_else(|| {
            RulesetError::UnknownBuiltin {
                name: name.to_string(),
                available: Self::builtin_names().collect::<Vec<_>>().join(", "),
            }
        })?;
        Self::parse_toml(text, &format!("builtin:{id}"))
    }

    /// The default built-in ruleset, `kent-medway-2017`.
    pub fn default_builtin() -> Ruleset {
        // The built-in document is checked by a unit test; loading it cannot fail.
        Self::builtin(DEFAULT_RULESET).expect("the built-in ruleset is valid")
    }

    /// Ids of the built-in rulesets: `kent-medway-2017` (the default), then its
    /// successors `england-pcn-2019` and `england-neighbourhood-2025`, then the stroke
    /// review's appraisal, `kent-medway-stroke-2017`.
    pub fn builtin_names() -> impl Iterator<Item = &'static str> {
        BUILTIN.iter().map(|(id, _)| *id)
    }

    /// The TOML text of a built-in ruleset.
    pub fn builtin_toml(name: &str) -> Option<&'static str> {
        BUILTIN.iter().find(|(id, _)| *id == name).map(|(_, t)| *t)
    }

    /// Reads a ruleset from TOML text; errors name `<string>` as the source.
    pub fn from_toml_str(text: &str) -> Result<Ruleset, RulesetError> {
        Self::parse_toml(text, "<string>")
    }

    /// Reads a ruleset from JSON text (the same schema as TOML).
    pub fn from_json_str(text: &str) -> Result<Ruleset, RulesetError> {
        Self::parse_json(text, "<string>")
    }

    /// A ruleset named by the caller: a file when `name_or_path` names one that exists,
    /// else a built-in ruleset of that id; `None` is the default built-in. A file wins
    /// over a built-in of the same name, so a local copy can shadow a built-in one.
    /// Every face resolves its `ruleset` argument through this.
    pub fn load(name_or_path: Option<&str>) -> Result<Ruleset, RulesetError> {
        match name_or_path {
            None => Ok(Self::default_builtin()),
            Some(p) if Path::new(p).is_file() => Self::from_path(p),
            Some(name) if Self::builtin_toml(name).is_some() => Self::builtin(name),
            Some(p) if p.ends_with(".toml") || p.ends_with(".json") || p.contains(['/', '\\']) => {
                Self::from_path(p)
            }
            Some(name) => Self::builtin(name),
        }
    }

    /// Reads a ruleset file: JSON when the name ends in `.json`, TOML otherwise.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Ruleset, RulesetError> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| RulesetError::Io {
            path: shown.clone(),
            message: e.to_string(),
        })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            // Where the first bad byte is, as a syntax error would say it.
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = 1 + valid.iter().filter(|&&b| b == b'\n').count();
            let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            RulesetError::Syntax {
                location: Location {
                    source: shown.clone(),
                    line: Some(line),
                    column: Some(valid.len() - line_start + 1),
                },
                message: "not valid UTF-8; save the ruleset as UTF-8".into(),
            }
        })?;
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            Self::parse_json(&text, &shown)
        } else {
            Self::parse_toml(&text, &shown)
        }
    }

    /// Reads TOML text, naming `source` in errors.
    pub fn parse_toml(text: &str, source: &str) -> Result<Ruleset, RulesetError> {
        let doc: Document = toml::from_str(text).map_err(|e| {
            let (line, column) = match e.span() {
                Some(span) => line_col(text, span.start),
                // The reader's recursion limit comes without a place: name the line
                // whose key nests deepest, where such a limit is reached.
                None => (deepest_key_line(text), Some(1)),
            };
            let key = e.span().and_then(|span| key_at(text, span.start));
            let message = e.message().trim();
            RulesetError::Syntax {
                location: Location {
                    source: source.to_string(),
                    line,
                    column,
                },
                message: match key {
                    Some(k) => format!("`{k}`: {message}"),
                    None => message.to_string(),
                },
            }
        })?;
        check::check(doc, &Locator::toml(text, source))
    }

    /// Reads JSON text, naming `source` in errors.
    pub fn parse_json(text: &str, source: &str) -> Result<Ruleset, RulesetError> {
        let doc: Document = serde_json::from_str(text).map_err(|e| RulesetError::Syntax {
            location: Location {
                source: source.to_string(),
                line: Some(e.line()),
                column: Some(e.column()),
            },
            message: e.to_string(),
        })?;
        check::check(doc, &Locator::json(source))
    }

    /// A copy of this ruleset with another allocation policy, checked as on load.
    /// This is how a scenario varies the policy without writing a new document, and
    /// how a ruleset of tiers only is given one.
    pub fn with_allocation_policy(
        &self,
        policy: AllocationPolicy,
    ) -> Result<Ruleset, RulesetError> {
        check::check_allocation_policy(&policy, &self.tiers, &self.doc.id)?;
        let mut rs = self.clone();
        rs.allocation = Some(policy);
        Ok(rs)
    }

    /// Stable id, such as `kent-medway-2017`.
    pub fn id(&self) -> &str {
        &self.doc.id
    }
    /// Title.
    pub fn title(&self) -> &str {
        &self.doc.title
    }
    /// Version of this ruleset's content.
    pub fn version(&self) -> &str {
        &self.doc.version
    }
    /// Sources as `(id, title)`.
    pub fn sources(&self) -> impl Iterator<Item = (&str, &str)> {
        self.doc
            .sources
            .iter()
            .map(|s| (s.id.as_str(), s.title.as_str()))
    }
    /// Capabilities, in bit order (bit `i` of a [`CapabilitySet`] is capability `i`).
    pub fn capabilities(&self) -> &[Capability] {
        &self.capabilities
    }
    /// The bit index of a capability id.
    pub fn capability_index(&self, id: &str) -> Option<usize> {
        self.capabilities.iter().position(|c| c.id == id)
    }
    /// A capability set from capability ids; an unknown id is an error naming it.
    pub fn capability_set<'a>(
        &self,
        ids: impl IntoIterator<Item = &'a str>,
    ) -> Result<CapabilitySet, UnknownCapability> {
        let mut set = CapabilitySet::EMPTY;
        for id in ids {
            let id = id.trim();
            if id.is_empty() {
                continue;
            }
            let bit = self.capability_index(id).ok_or_else(|| UnknownCapability {
                id: id.to_string(),
                ruleset: self.id().to_string(),
                declared: self
                    .capabilities()
                    .iter()
                    .map(|c| c.id())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
            set = set.with(bit);
        }
        Ok(set)
    }
    /// Tiers, lowest (practices) to highest (ACOs).
    pub fn tiers(&self) -> &[Tier] {
        &self.tiers
    }
    /// Tier ids, lowest to highest.
    pub fn tier_ids(&self) -> impl Iterator<Item = &str> {
        self.tiers.iter().map(|t| t.id.as_str())
    }
    /// A tier by id.
    pub fn tier(&self, id: &str) -> Option<&Tier> {
        self.tiers.iter().find(|t| t.id == id)
    }
    /// The index of a tier by id.
    pub fn tier_index(&self, id: &str) -> Option<usize> {
        self.tiers.iter().position(|t| t.id == id)
    }
    /// The index of the accountable tier (the highest, such as `aco`).
    pub fn accountable_tier(&self) -> usize {
        self.tiers.len() - 1
    }
    /// The allocation policy, if the ruleset has one (a ruleset of tiers only has none).
    pub fn allocation_policy(&self) -> Option<&AllocationPolicy> {
        self.allocation.as_ref()
    }
    /// The settlement policy, if the ruleset has one.
    pub fn settlement_policy(&self) -> Option<&SettlementPolicy> {
        self.settlement.as_ref()
    }
    /// The shift-left model's defaults, if the ruleset has a `[shift]` table.
    pub fn shift_policy(&self) -> Option<&ShiftPolicy> {
        self.shift.as_ref()
    }
    /// The per-head payment schedule (`[payments]`), if the ruleset has one.
    pub fn per_head_payments(&self) -> Option<&crate::allocate::PerHeadPayments> {
        self.payments.as_ref()
    }
    /// The appraisal policy (`[appraisal]`, DESIGN §12), if the ruleset has one.
    pub fn appraisal_policy(&self) -> Option<&crate::appraise::AppraisalPolicy> {
        self.appraisal.as_ref()
    }
    /// The document as pretty JSON (the canonical serialised form; comments dropped).
    pub fn to_json_string(&self) -> String {
        serde_json::to_string_pretty(&self.doc).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests;
