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

pub use capabilities::{Capability, CapabilitySet, MAX_CAPABILITIES, UnknownCapability};
use error::line_col;
pub use error::{Location, RulesetError};
pub use locator::KeyPath;
use locator::{Locator, key_at};
use schema::Document;

use crate::allocate::payments::PerHeadPayments;
pub use crate::allocate::policy::{AllocationPolicy, PacePolicy, Pot};
pub use crate::settle::policy::{
    BelowMsrPolicy, LossPolicy, MinimumSavingsRate, MsrRow, SettlementPolicy,
};
pub use crate::settle::read::SETTLEMENT_PRESETS;
pub use crate::shift::policy::ShiftPolicy;
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
    (
        "england-stroke-2021",
        include_str!("../../rulesets/england-stroke-2021.toml"),
    ),
    (
        "england-icb-2024",
        include_str!("../../rulesets/england-icb-2024.toml"),
    ),
];

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
    /// Whether an exact, possibly fractional, population lies inside the band: the
    /// bounds are whole people, so 19,999.5 is below a 20,000 minimum and 200,000.5
    /// above a 200,000 maximum.
    pub fn contains_exact(&self, population: crate::Population) -> bool {
        population.floor() >= self.min && self.max.is_none_or(|m| population.ceil() <= m)
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
    payments: Option<PerHeadPayments>,
    appraisal: Option<crate::appraise::AppraisalPolicy>,
    bridge: Option<crate::bridge::BridgePolicy>,
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
    /// review's appraisal, `kent-medway-stroke-2017`, England's stroke units,
    /// `england-stroke-2021`, then today's integrated care boards and their places,
    /// `england-icb-2024`.
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
        let tier_ids: Vec<&str> = self.tier_ids().collect();
        policy.check(&tier_ids, &self.doc.id)?;
        let mut rs = self.clone();
        rs.doc.allocation = Some(policy.to_doc(&tier_ids));
        rs.allocation = Some(policy);
        Ok(rs)
    }

    /// A copy of this ruleset with the allocation policy of `other` (a ruleset of tiers
    /// only, such as `england-neighbourhood-2025`, given `england-icb-2024`'s policy).
    /// Retained shares are matched to this ruleset's tiers by id: a tier of `other` with
    /// a share above 0 that this ruleset lacks is an error; a tier `other` lacks keeps
    /// nothing. Every face offers this (Python `Ruleset.with_allocation_policy`, C
    /// `lc_ruleset_with_allocation_policy`, CLI `--allocation-from`).
    pub fn with_allocation_policy_of(&self, other: &Ruleset) -> Result<Ruleset, RulesetError> {
        let invalid = |message: String| RulesetError::Invalid {
            location: Location {
                source: other.id().to_string(),
                line: None,
                column: None,
            },
            key: "allocation".into(),
            message,
        };
        let mut policy = other.allocation_policy().cloned().ok_or_else(|| {
            invalid(format!(
                "ruleset {} has no allocation policy to give",
                other.id()
            ))
        })?;
        let mut retained = vec![rust_decimal::Decimal::ZERO; self.tiers.len()];
        for (tier, share) in other.tier_ids().zip(&policy.retained_share) {
            match self.tier_index(tier) {
                Some(i) => retained[i] = *share,
                None if share.is_zero() => {}
                None => {
                    return Err(invalid(format!(
                        "its tier `{tier}` retains {share}, but ruleset {} has no tier `{tier}`",
                        self.id()
                    )));
                }
            }
        }
        policy.retained_share = retained;
        self.with_allocation_policy(policy)
    }

    /// A copy of this ruleset with an allocation policy written as TOML: a ruleset's
    /// `[allocation]` table (with its header, or its keys alone), retained shares by this
    /// ruleset's tier ids. Errors name `<allocation>` as the source.
    pub fn with_allocation_toml(&self, text: &str) -> Result<Ruleset, RulesetError> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Wrapped {
            allocation: crate::allocate::policy::AllocationDoc,
        }
        const SOURCE: &str = "<allocation>";
        let doc = match toml::from_str::<Wrapped>(text) {
            Ok(w) => w.allocation,
            Err(first) => {
                toml::from_str::<crate::allocate::policy::AllocationDoc>(text).map_err(|e| {
                    // The header form's error when the text has one, else the bare form's.
                    let e = if text.contains("[allocation") {
                        first
                    } else {
                        e
                    };
                    let (line, column) = match e.span() {
                        Some(span) => line_col(text, span.start),
                        None => (None, None),
                    };
                    RulesetError::Syntax {
                        location: Location {
                            source: SOURCE.into(),
                            line,
                            column,
                        },
                        message: e.message().trim().to_string(),
                    }
                })?
            }
        };
        let tier_ids: Vec<&str> = self.tier_ids().collect();
        let loc = Locator::toml(text, SOURCE);
        let policy = crate::allocate::policy::read_allocation(&doc, &tier_ids, &loc)?;
        policy
            .check(&tier_ids, SOURCE)
            .map_err(|e| loc.relocate(e))?;
        let mut rs = self.clone();
        rs.doc.allocation = Some(doc);
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
    /// The ruleset's built-in system financial bridge (its `[bridge]` table), if it has
    /// one (docs/bridge.md).
    pub fn bridge_policy(&self) -> Option<&crate::bridge::BridgePolicy> {
        self.bridge.as_ref()
    }

    /// The shift-left model's defaults, if the ruleset has a `[shift]` table.
    pub fn shift_policy(&self) -> Option<&ShiftPolicy> {
        self.shift.as_ref()
    }
    /// The per-head payment schedule (`[payments]`), if the ruleset has one.
    pub fn per_head_payments(&self) -> Option<&PerHeadPayments> {
        self.payments.as_ref()
    }
    /// The appraisal policy (`[appraisal]`, `docs/appraisal.md#the-ruleset`), if the ruleset has one.
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
