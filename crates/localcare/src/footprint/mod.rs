//! Footprints and their validation (`docs/rules.md#footprint-validation`).
//!
//! A footprint is a forest of units: practices grouped into extended practices and hubs,
//! those into ACOs under the strategic commissioner. [`Ruleset::validate`] checks it holds
//! together and reports [`Finding`]s with stable [`Code`]s (the table is in
//! `docs/findings.md`). Validation never stops at the first problem and never fails: a
//! footprint that cannot even be read as a tree is still reported on, unit by unit.
//!
//! The population of an aggregate is always the sum of the practices beneath it, each
//! counted once; a population given on an aggregate is only compared with that sum.
//!
//! ```
//! use localcare::{Ruleset, footprint::{Footprint, FootprintUnit}};
//! let rs = Ruleset::builtin("kent-medway-2017").unwrap();
//! let fp = Footprint::new(vec![
//!     FootprintUnit::aggregate("H1", None, "mcp_hub", &["mdt", "mental_health", "seven_day"]),
//!     FootprintUnit::practice("P1", "H1", 30_000, &[]),
//! ]);
//! let report = rs.validate(&fp);
//! assert!(report.has_errors());
//! let codes: Vec<&str> = report.findings().iter().map(|f| f.code.as_str()).collect();
//! assert!(codes.contains(&"LC105")); // a hub cannot sit directly under the commissioner
//! ```

mod codes;
mod resolve;

use std::fmt::{self, Write as _};

pub use codes::{Code, Severity};
pub(crate) use resolve::Resolved;

use crate::{Population, Ruleset};

/// One unit of a footprint, as given (nothing checked yet).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FootprintUnit {
    /// The unit's id, unique in the footprint.
    pub unit_id: String,
    /// Its parent's id; `None` for a unit directly under the strategic commissioner.
    pub parent_id: Option<String>,
    /// The tier the footprint says it is in.
    pub declared_tier: String,
    /// Registered population, exact (NHS England's adjusted populations are
    /// fractional): required on practices; on aggregates, optional and only compared
    /// with the sum of their practices.
    pub population: Option<Population>,
    /// Capability ids.
    pub capabilities: Vec<String>,
}

impl FootprintUnit {
    /// A practice (base tier `gp_practice`) with a whole number of people.
    pub fn practice(id: &str, parent: &str, population: u64, capabilities: &[&str]) -> Self {
        Self::practice_exact(id, parent, Population::whole(population), capabilities)
    }
    /// A practice with an exact, possibly fractional, population.
    ///
    /// ```
    /// use localcare::{Population, footprint::FootprintUnit};
    /// let p = FootprintUnit::practice_exact("P1", "H1", "8843.471177".parse::<Population>().unwrap(), &[]);
    /// assert_eq!(p.population.unwrap().to_string(), "8843.471177");
    /// ```
    pub fn practice_exact(
        id: &str,
        parent: &str,
        population: Population,
        capabilities: &[&str],
    ) -> Self {
        FootprintUnit {
            unit_id: id.to_string(),
            parent_id: Some(parent.to_string()),
            declared_tier: "gp_practice".to_string(),
            population: Some(population),
            capabilities: capabilities.iter().map(|c| c.to_string()).collect(),
        }
    }
    /// An aggregate unit (extended practice, hub, ACO) with no population of its own.
    pub fn aggregate(id: &str, parent: Option<&str>, tier: &str, capabilities: &[&str]) -> Self {
        FootprintUnit {
            unit_id: id.to_string(),
            parent_id: parent.map(str::to_string),
            declared_tier: tier.to_string(),
            population: None,
            capabilities: capabilities.iter().map(|c| c.to_string()).collect(),
        }
    }
}

/// A proposed footprint: units in any order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Footprint {
    units: Vec<FootprintUnit>,
}

impl Footprint {
    /// A footprint of these units (in any order).
    pub fn new(units: Vec<FootprintUnit>) -> Self {
        Footprint { units }
    }
    /// The units, in the order given.
    pub fn units(&self) -> &[FootprintUnit] {
        &self.units
    }
    /// Number of units.
    pub fn len(&self) -> usize {
        self.units.len()
    }
    /// Whether there are no units.
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }
}

impl FromIterator<FootprintUnit> for Footprint {
    fn from_iter<I: IntoIterator<Item = FootprintUnit>>(iter: I) -> Self {
        Footprint::new(iter.into_iter().collect())
    }
}

/// One thing validation found.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Finding {
    /// Stable code such as `LC205` (see `docs/findings.md`).
    pub code: Code,
    /// Error, warning or info.
    pub severity: Severity,
    /// The unit concerned, if the finding is about one.
    pub unit_id: Option<String>,
    /// The rule applied, as a ruleset key such as `tiers.mcp_hub.population`: one
    /// shared text per key, however many findings cite it.
    pub rule: std::sync::Arc<str>,
    /// What was found, with observed and expected values.
    pub message: String,
}

/// Which ACO counts the total population allows under the accountable tier's band.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcoCountRange {
    /// Counts `min..=max` are feasible (`max` is `None` when the band has no minimum).
    Feasible {
        /// Fewest ACOs: `ceil(P / band max)`.
        min: u64,
        /// Most ACOs: `floor(P / band min)`.
        max: Option<u64>,
    },
    /// No whole number of ACOs fits the band.
    Infeasible {
        /// `ceil(P / band max)`.
        min: u64,
        /// `floor(P / band min)`, below `min`.
        max: u64,
    },
}

impl fmt::Display for AcoCountRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AcoCountRange::Feasible {
                min,
                max: Some(max),
            } => write!(f, "{min}..={max}"),
            AcoCountRange::Feasible { min, max: None } => write!(f, "{min}.."),
            AcoCountRange::Infeasible { .. } => f.write_str("none"),
        }
    }
}

/// The outcome of validating a footprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    findings: Vec<Finding>,
    units: usize,
    practices: usize,
    total_population: Population,
    accountable_units: usize,
    accountable_tier: String,
    aco_count_range: Option<AcoCountRange>,
}

impl Report {
    /// Findings, errors first, then by code, unit id and message.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }
    /// True when any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }
    /// Number of findings of one severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
    /// Number of units in the footprint.
    pub fn units(&self) -> usize {
        self.units
    }
    /// Number of practices (units of the base tier) counted.
    pub fn practices(&self) -> usize {
        self.practices
    }
    /// Total population of all practices, each counted once, exact.
    pub fn total_population(&self) -> Population {
        self.total_population
    }
    /// Number of units declared in the accountable tier (ACOs).
    pub fn accountable_units(&self) -> usize {
        self.accountable_units
    }
    /// The feasible ACO counts for the total population, when the tier has a band.
    pub fn aco_count_range(&self) -> Option<AcoCountRange> {
        self.aco_count_range
    }

    /// The one-line summary: `292 units, 249 practices, population 1,796,610; 4 aco
    /// (feasible 3..=4); 0 errors, 1 warning, 9 info`.
    pub fn summary(&self) -> String {
        let plural = |n: usize, w: &str| {
            if n == 1 {
                format!("{n} {w}")
            } else {
                format!("{n} {w}s")
            }
        };
        let range = self
            .aco_count_range
            .map_or(String::new(), |r| format!(" (feasible {r})"));
        format!(
            "{}, {}, population {}; {} {}{}; {}, {}, {} info",
            plural(self.units, "unit"),
            plural(self.practices, "practice"),
            self.total_population.group_thousands(),
            self.accountable_units,
            self.accountable_tier,
            range,
            plural(self.count(Severity::Error), "error"),
            plural(self.count(Severity::Warning), "warning"),
            self.count(Severity::Info),
        )
    }

    /// The report as text: findings grouped by severity, then the summary line.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for sev in [Severity::Error, Severity::Warning, Severity::Info] {
            let group: Vec<&Finding> = self.findings.iter().filter(|f| f.severity == sev).collect();
            if group.is_empty() {
                continue;
            }
            let _ = writeln!(out, "{} ({}):", sev.heading(), group.len());
            for f in group {
                let unit = f
                    .unit_id
                    .as_deref()
                    .map_or(String::new(), |u| format!(" {u}"));
                let _ = writeln!(out, "  {}{}: {}", f.code, unit, f.message);
            }
        }
        out.push_str(&self.summary());
        out.push('\n');
        out
    }
}

impl Ruleset {
    /// Validates a footprint against this ruleset. Runs in O(n log n), without
    /// recursion, so a parent chain of a million units is fine.
    pub fn validate(&self, footprint: &Footprint) -> Report {
        let resolved = Resolved::new(self, footprint);
        resolved.report(self)
    }

    /// Each unit's population by id: a practice's own, an aggregate's the sum of the
    /// practices beneath it, each counted once (the sums validation and allocation
    /// use); a unit in or below a cycle counts 0. Faces show these rather than summing
    /// again.
    pub fn unit_populations<'a>(
        &self,
        footprint: &'a Footprint,
    ) -> std::collections::BTreeMap<&'a str, Population> {
        let r = Resolved::new(self, footprint);
        r.units
            .iter()
            .zip(&r.population)
            .map(|(u, &p)| (u.unit_id.as_str(), p))
            .collect()
    }
}

#[cfg(test)]
mod tests;
