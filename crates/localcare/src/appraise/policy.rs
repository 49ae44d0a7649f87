//! The appraisal policy of a ruleset (`[appraisal]`): the long list's size, the hurdle
//! criteria and the weighted evaluation criteria, as data.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

/// A hurdle every option must pass to reach the shortlist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hurdle {
    /// Every HASU's projected volume (admissions a year) within `min ..= max`
    /// (either end may be open).
    Volume {
        /// Fewest admissions a year per HASU.
        min: Option<Decimal>,
        /// Most admissions a year per HASU.
        max: Option<Decimal>,
    },
    /// The longest travel time, minutes, at most `max_minutes`.
    MaxTravel {
        /// The limit.
        max_minutes: Decimal,
    },
    /// The patient-weighted mean travel time, minutes, at most `max_minutes`.
    MeanTravel {
        /// The limit.
        max_minutes: Decimal,
    },
    /// At least `min_share` of patients within `minutes` of their HASU.
    ShareWithin {
        /// The travel time.
        minutes: Decimal,
        /// The share needed, in [0, 1].
        min_share: Decimal,
    },
    /// Every designated site has these capabilities.
    Capabilities {
        /// Capability ids, each declared by the ruleset.
        required: Vec<String>,
    },
    /// Every designated site's measure within `min ..= max` (either end may be open); a
    /// site without the measure fails.
    Measure {
        /// The measure's name (a column of the `sites` table).
        measure: String,
        /// Lowest value allowed.
        min: Option<Decimal>,
        /// Highest value allowed.
        max: Option<Decimal>,
    },
}

impl Hurdle {
    /// The kind's name, as the ruleset writes it: `volume`, `max_travel`, `mean_travel`,
    /// `share_within`, `capabilities` or `measure`.
    pub fn kind(&self) -> &'static str {
        match self {
            Hurdle::Volume { .. } => "volume",
            Hurdle::MaxTravel { .. } => "max_travel",
            Hurdle::MeanTravel { .. } => "mean_travel",
            Hurdle::ShareWithin { .. } => "share_within",
            Hurdle::Capabilities { .. } => "capabilities",
            Hurdle::Measure { .. } => "measure",
        }
    }
}

/// One hurdle criterion of a ruleset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HurdleCriterion {
    /// Stable id, such as `volume`.
    pub id: String,
    /// Human name.
    pub name: String,
    /// What it checks.
    pub hurdle: Hurdle,
    /// Whether a site-level hurdle (volume, capabilities, measure) judges every
    /// designated site, fixed-open ones too (`judges = "designated"`), or the candidates
    /// only (`"candidates"`, the default).
    pub judges_fixed: bool,
    /// The passage its numbers come from.
    pub source: Option<String>,
    /// True when its numbers are illustrative rather than from a source.
    pub illustrative: bool,
}

/// What an evaluation criterion scores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Measure {
    /// The patient-weighted mean travel time, minutes.
    MeanTravel,
    /// The longest travel time, minutes.
    MaxTravel,
    /// The share of patients within this many minutes.
    ShareWithin(Decimal),
    /// The smallest HASU's projected volume.
    MinVolume,
    /// The largest HASU's projected volume.
    MaxVolume,
    /// The number of HASUs.
    Hasus,
    /// A site measure, taken at the designated site that does worst on it.
    SiteMeasure(String),
    /// Scores the caller gives per option (`--` to `++`), as the Kent and Medway
    /// review rated its options.
    Scores,
}

impl Measure {
    /// The name the ruleset writes: `mean_travel`, `max_travel`, `share_within`,
    /// `min_volume`, `max_volume`, `hasus`, `site_measure` or `scores`.
    pub fn kind(&self) -> &'static str {
        match self {
            Measure::MeanTravel => "mean_travel",
            Measure::MaxTravel => "max_travel",
            Measure::ShareWithin(_) => "share_within",
            Measure::MinVolume => "min_volume",
            Measure::MaxVolume => "max_volume",
            Measure::Hasus => "hasus",
            Measure::SiteMeasure(_) => "site_measure",
            Measure::Scores => "scores",
        }
    }
}

/// Which way of a measure is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    /// Smaller values score higher (travel times).
    Lower,
    /// Larger values score higher (shares, volumes).
    Higher,
}

/// One evaluation criterion: a weight and a score from `--` (-2) to `++` (+2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvaluationCriterion {
    /// Stable id, such as `travel`.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Its weight, 0 or more.
    pub weight: Decimal,
    /// What it scores.
    pub measure: Measure,
    /// Which way is better (for a projected measure).
    pub better: Better,
    /// Four thresholds, best first: a value at or better than the first scores `++`,
    /// the second `+`, the third `0`, the fourth `-`, and anything worse `--`. Empty
    /// for caller scores and for a value function.
    pub scale: Vec<Decimal>,
    /// Instead of `scale`: points `(value, score)`, values ascending, scores -2 to 2,
    /// scored on the line between the two points around a value (the end's score
    /// beyond the ends). Empty for the review's bands.
    pub value_function: Vec<(Decimal, Decimal)>,
    /// The passage its numbers come from.
    pub source: Option<String>,
    /// True when its weight and scale are illustrative.
    pub illustrative: bool,
}

/// Places a value function's score is rounded to (half to even): a line between two
/// points need not end in a finite decimal.
pub const POINTS_PLACES: u32 = 6;

impl EvaluationCriterion {
    /// The score of `value` on the criterion's value function, rounded half to even to
    /// [`POINTS_PLACES`]; `None` without a value function or when the arithmetic
    /// overflows.
    pub fn points_of(&self, value: Decimal) -> Option<Decimal> {
        let f = &self.value_function;
        let (first, last) = (f.first()?, f.last()?);
        if value <= first.0 {
            return Some(first.1);
        }
        if value >= last.0 {
            return Some(last.1);
        }
        let k = f.windows(2).position(|w| value <= w[1].0)?;
        let ((x0, y0), (x1, y1)) = (f[k], f[k + 1]);
        let t = value.checked_sub(x0)?.checked_div(x1.checked_sub(x0)?)?;
        let y = y0.checked_add(t.checked_mul(y1.checked_sub(y0)?)?)?;
        Some(y.round_dp(POINTS_PLACES).normalize())
    }

    /// The score of `value` on this criterion's scale, -2 to +2.
    pub fn score_of(&self, value: Decimal) -> i8 {
        self.score_by(|t| match self.better {
            Better::Lower => value <= t,
            Better::Higher => value >= t,
        })
    }

    /// The score given a test "is the value at or better than threshold `t`".
    pub(crate) fn score_by(&self, mut at_or_better: impl FnMut(Decimal) -> bool) -> i8 {
        for (i, &t) in self.scale.iter().enumerate() {
            if at_or_better(t) {
                return 2 - i as i8;
            }
        }
        -2
    }
}

/// The appraisal policy (`docs/appraisal.md#the-ruleset`), from a ruleset's `[appraisal]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppraisalPolicy {
    /// Events (strokes) a year per person, for zones given by population.
    pub incidence: Option<Decimal>,
    /// The long list's smallest option, in sites.
    pub min_sites: usize,
    /// The long list's largest option, in sites.
    pub max_sites: usize,
    /// The largest long list enumerated.
    pub max_options: u64,
    /// The travel time (minutes) whose share of patients within it is reported.
    pub within_minutes: Option<Decimal>,
    /// The hurdle criteria, in order.
    pub hurdles: Vec<HurdleCriterion>,
    /// The evaluation criteria, in order.
    pub criteria: Vec<EvaluationCriterion>,
    /// Key of the `[appraisal]` table -> the passage its number comes from.
    pub sources: BTreeMap<String, String>,
    /// Keys of the `[appraisal]` table whose numbers are illustrative.
    pub illustrative: Vec<String>,
}

/// The largest weight a criterion may have: scores are -2 to +2, so every weighted
/// score, difference and total of up to billions of criteria stays far inside a
/// decimal's 28 digits, and no review weighs one criterion a trillion times another.
pub const MAX_WEIGHT: Decimal = Decimal::from_parts(3_567_587_328, 232, 0, false, 0);

/// A caller's weight for criterion `id`, read exactly from `text`. A number too large for
/// a decimal is out of range (it is beyond [`MAX_WEIGHT`] too); anything else that is not
/// a decimal says so. Every face prefixes the message with its own argument's name
/// (`--weight: `, `weights: `, `weights[i]: `).
///
/// ```
/// use localcare::appraise::parse_weight;
/// assert_eq!(parse_weight("access", " 0.4 ").unwrap().to_string(), "0.4");
/// assert!(parse_weight("access", "1e308").unwrap_err().contains("out of range"));
/// assert!(parse_weight("access", "lots").unwrap_err().contains("not a decimal number"));
/// ```
pub fn parse_weight(id: &str, text: &str) -> Result<Decimal, String> {
    let text = text.trim();
    // A decimal out of 0 ..= MAX_WEIGHT is refused by the engine with the criterion named;
    // here only text that is no decimal at all, or one too large for a decimal, is.
    match crate::money::parse_decimal(text) {
        Some(w) => Ok(w),
        None if text.parse::<f64>().is_ok_and(f64::is_finite) => Err(format!(
            "the weight of `{id}`, {text}, is out of range; expected 0 to {MAX_WEIGHT}"
        )),
        None => Err(format!(
            "the weight of `{id}`, `{text}`, is not a decimal number, such as 0.4"
        )),
    }
}

/// The largest magnitude of a ruleset's other numbers (minutes, volumes, shares, a
/// measure's band, a scale's thresholds): far beyond any real one, and small enough that
/// differences with any projected number fit a decimal.
pub const MAX_BOUND: Decimal = Decimal::from_parts(2_764_472_320, 232_830, 0, false, 0);

/// The largest long list a ruleset that sets no `max_options` enumerates.
pub const DEFAULT_MAX_OPTIONS: u64 = 1_000_000;

/// `--`, `-`, `0`, `+`, `++` (or `-2` to `2`) as a score.
pub fn parse_score(text: &str) -> Option<i8> {
    match text.trim() {
        "--" | "-2" => Some(-2),
        "-" | "-1" => Some(-1),
        "0" | "+0" | "-0" => Some(0),
        "+" | "1" | "+1" => Some(1),
        "++" | "2" | "+2" => Some(2),
        _ => None,
    }
}

/// A score as the review wrote it: `--`, `-`, `0`, `+`, `++`.
pub fn score_text(score: i8) -> &'static str {
    match score {
        i8::MIN..=-2 => "--",
        -1 => "-",
        0 => "0",
        1 => "+",
        _ => "++",
    }
}
