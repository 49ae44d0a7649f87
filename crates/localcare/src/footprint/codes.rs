//! Finding codes: stable API, documented one per row in `docs/findings.md`.
//! Never renumber a code; retire it and add a new one.

use std::fmt;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// The footprint does not hold together; allocation refuses it.
    Error,
    /// Something to fix, though the footprint can be used (the library's reading is said).
    Warning,
    /// Worth seeing: band overlaps and gaps, the feasible ACO counts.
    Info,
}

impl Severity {
    /// Stable id: `error`, `warning` or `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
    pub(crate) fn heading(self) -> &'static str {
        match self {
            Severity::Error => "errors",
            Severity::Warning => "warnings",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $name:literal, $sev:ident; )*) => {
        /// A stable finding code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code as written, such as `LC205`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }
            /// A short snake_case name, such as `band_not_met`.
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }
            /// The severity findings of this code always have.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev,)* }
            }
            /// The code for its text, such as `LC205`.
            pub fn parse(s: &str) -> Option<Code> {
                match s { $($code => Some(Code::$variant),)* _ => None }
            }
        }
    };
}

codes! {
    /// Two or more units share an id.
    DuplicateUnitId = "LC101", "duplicate_unit_id", Error;
    /// A unit names a parent that is not in the footprint.
    UnknownParent = "LC102", "unknown_parent", Error;
    /// Parent links go round in a cycle.
    Cycle = "LC103", "cycle", Error;
    /// The parent's tier is not allowed directly above the unit's tier.
    ParentTierNotAllowed = "LC104", "parent_tier_not_allowed", Error;
    /// A unit has no parent, but its tier cannot sit directly under the commissioner.
    MissingParent = "LC105", "missing_parent", Error;
    /// The declared tier is not a tier of the ruleset.
    UnknownTier = "LC106", "unknown_tier", Error;
    /// A capability id the ruleset does not declare.
    UnknownCapability = "LC107", "unknown_capability", Error;
    /// A unit id is empty.
    EmptyUnitId = "LC108", "empty_unit_id", Error;
    /// A practice has no population.
    PopulationMissing = "LC201", "population_missing", Error;
    /// A practice has a negative population. Retired: a [`crate::Population`] is never
    /// negative, and the readers refuse a negative cell naming its row and column; the
    /// code is kept so that it is never reused.
    PopulationNegative = "LC202", "population_negative", Error;
    /// An aggregate's given population differs from the sum of its practices.
    PopulationMismatch = "LC203", "population_mismatch", Warning;
    /// An aggregate has no practices beneath it.
    EmptyAggregate = "LC204", "empty_aggregate", Warning;
    /// The unit's population is outside its declared tier's band.
    BandNotMet = "LC205", "band_not_met", Error;
    /// The unit lacks capabilities its declared tier requires.
    CapabilityNotMet = "LC206", "capability_not_met", Error;
    /// Adding up the populations overflows.
    PopulationOverflow = "LC207", "population_overflow", Error;
    /// The unit qualifies for a higher tier than it is declared in.
    QualifiesHigher = "LC208", "qualifies_higher", Info;
    /// The unit's population is outside its declared tier's advisory band.
    OutsideAdvisoryBand = "LC209", "outside_advisory_band", Warning;
    /// A practice is not covered by any ACO.
    NotCovered = "LC301", "not_covered", Error;
    /// The number of ACOs is outside the feasible range for the total population.
    AcoCountInfeasible = "LC302", "aco_count_infeasible", Error;
    /// No number of ACOs fits the total population into the ACO band.
    NoFeasibleAcoCount = "LC303", "no_feasible_aco_count", Error;
    /// The feasible number of ACOs for the total population.
    AcoCountRange = "LC304", "aco_count_range", Info;
    /// The unit's population lies in two or more tier bands.
    BandOverlap = "LC401", "band_overlap", Info;
    /// The unit's population lies in no tier band.
    BandGap = "LC402", "band_gap", Info;
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
