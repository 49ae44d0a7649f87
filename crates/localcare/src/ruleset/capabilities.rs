//! The capabilities a ruleset declares, and sets of them: a unit's capabilities are a
//! 64-bit set whose bit `i` is the ruleset's capability `i`. The tiers require them,
//! classification tests them and an appraisal's hurdles name them, so they live here,
//! below all three.

/// The most capabilities a ruleset may declare: a unit's capabilities are a 64-bit set.
pub const MAX_CAPABILITIES: usize = 64;

/// A capability a unit may have, such as `seven_day`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capability {
    pub(crate) id: String,
    pub(crate) description: String,
}

impl Capability {
    /// Stable id, such as `seven_day`.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// What it means, from the sources.
    pub fn description(&self) -> &str {
        &self.description
    }
}

/// A set of capabilities of one ruleset, as a 64-bit set: bit `i` is capability `i` of
/// [`Ruleset::capabilities`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct CapabilitySet(u64);

impl CapabilitySet {
    /// No capabilities.
    pub const EMPTY: CapabilitySet = CapabilitySet(0);

    /// A set from raw bits, as the batch paths and the C face hold them.
    pub const fn from_bits(bits: u64) -> Self {
        CapabilitySet(bits)
    }
    /// The raw bits.
    pub const fn bits(self) -> u64 {
        self.0
    }
    /// This set plus capability `bit`.
    pub const fn with(self, bit: usize) -> Self {
        CapabilitySet(self.0 | (1 << bit))
    }
    /// Whether capability `bit` is in the set.
    pub const fn contains(self, bit: usize) -> bool {
        self.0 & (1 << bit) != 0
    }
    /// Whether every capability of `other` is in this set.
    pub const fn is_superset(self, other: CapabilitySet) -> bool {
        self.0 & other.0 == other.0
    }
    /// The capabilities of `other` missing from this set.
    pub const fn missing(self, other: CapabilitySet) -> CapabilitySet {
        CapabilitySet(other.0 & !self.0)
    }
    /// Bit indices in the set, ascending.
    pub fn iter(self) -> impl Iterator<Item = usize> {
        (0..64).filter(move |&i| self.contains(i))
    }
    /// Number of capabilities in the set.
    pub const fn len(self) -> u32 {
        self.0.count_ones()
    }
    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// A capability id the ruleset does not declare.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown capability `{id}`; the ruleset `{ruleset}` declares: {declared}")]
pub struct UnknownCapability {
    /// The id given.
    pub id: String,
    /// The ruleset's id.
    pub ruleset: String,
    /// The ids it declares, comma-separated.
    pub declared: String,
}

/// The capability ids in a list written as text (`mdt; seven_day`): separated by `;`,
/// spaces around each id ignored, empty items skipped. Every face reads capability
/// text through this, so that a list means the same wherever it is typed.
///
/// ```
/// let ids: Vec<&str> = localcare::classify::capability_ids(" mdt ;; seven_day").collect();
/// assert_eq!(ids, ["mdt", "seven_day"]);
/// ```
pub fn capability_ids(text: &str) -> impl Iterator<Item = &str> {
    text.split(';').map(str::trim).filter(|c| !c.is_empty())
}
