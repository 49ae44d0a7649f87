//! The `[appraisal]` table as a ruleset writes it, and its reader: the document's shape
//! (serde) and the checks that turn it into an [`AppraisalPolicy`] (ids, kinds and the
//! keys each takes, bands, scales running best to worst, capabilities the ruleset
//! declares). Each failure names the key and, for TOML, its line.

use std::collections::{BTreeMap, HashSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::policy::{
    AppraisalPolicy, Better, DEFAULT_MAX_OPTIONS, EvaluationCriterion, Hurdle, HurdleCriterion,
    MAX_BOUND, MAX_WEIGHT, Measure,
};
use crate::ruleset::capabilities::Capability;
use crate::ruleset::error::RulesetError;
use crate::ruleset::locator::{KeyPath, Locator, path};
use crate::ruleset::value::{Dec, is_false, is_identifier, is_unit_share, join_ids};

/// The appraisal of a service reconfiguration (`[appraisal]`, `docs/appraisal.md#the-ruleset`): the long
/// list's size, the hurdle criteria and the weighted evaluation criteria.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AppraisalDoc {
    /// Events (strokes) a year per person, for zones given by population.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incidence: Option<Dec>,
    /// The long list: every set of `min_sites` to `max_sites` sites.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_sites: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_sites: Option<i64>,
    /// The largest long list enumerated; a larger one is refused with its count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_options: Option<i64>,
    /// The travel time (minutes) whose share of patients within it is reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within_minutes: Option<Dec>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hurdles: Vec<HurdleDoc>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub criteria: Vec<CriterionDoc>,
    /// Key of the `[appraisal]` table -> the passage its number is from.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sources: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub illustrative: Vec<String>,
}

/// One hurdle criterion: `kind` is `volume`, `max_travel`, `mean_travel`,
/// `share_within`, `capabilities` or `measure`; the other keys are those the kind takes.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HurdleDoc {
    pub id: String,
    pub name: String,
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_share: Option<Dec>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measure: Option<String>,
    /// `candidates` (the default) or `designated`: which sites a site-level hurdle
    /// judges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judges: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub illustrative: bool,
}

/// One evaluation criterion: a weight, and what it scores on the `--` to `++` scale.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CriterionDoc {
    pub id: String,
    pub name: String,
    pub weight: Dec,
    /// `mean_travel`, `max_travel`, `share_within`, `min_volume`, `max_volume`,
    /// `hasus`, `site_measure` or `scores` (given by the caller per option).
    pub measure: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_measure: Option<String>,
    /// `lower` or `higher`: which way is better.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub better: Option<String>,
    /// Four thresholds: at or better than the first `++`, the second `+`, the third
    /// `0`, the fourth `-`, else `--`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scale: Vec<Dec>,
    /// Instead of `scale`: points `[value, score]`, values ascending, scores -2 to 2;
    /// a value between two points scores on the line between them, beyond the ends
    /// the end's score.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub value_function: Vec<[Dec; 2]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub illustrative: bool,
}

/// The keys of an `[appraisal]` table that hold numbers (and so may have a source or be
/// illustrative).
const APPRAISAL_KEYS: &[&str] = &[
    "incidence",
    "min_sites",
    "max_sites",
    "max_options",
    "within_minutes",
];

/// Reads and checks a ruleset's `[appraisal]` table, if it has one.
pub(crate) fn read_appraisal(
    doc: Option<&AppraisalDoc>,
    capabilities: &[Capability],
    loc: &Locator,
) -> Result<Option<AppraisalPolicy>, RulesetError> {
    let Some(a) = doc else {
        return Ok(None);
    };
    let ap = path("appraisal");
    if let Some(i) = a.incidence {
        if i.0 < Decimal::ZERO {
            return Err(loc.invalid(
                ap.clone().key("incidence"),
                format!(
                    "incidence {} is negative; expected events a year per person",
                    i.0
                ),
            ));
        }
    }
    let count = |key: &str, v: Option<i64>, min: i64| -> Result<Option<u64>, RulesetError> {
        match v {
            Some(v) if v < min => {
                Err(loc.invalid(ap.clone().key(key), format!("{v} is below {min}")))
            }
            v => Ok(v.map(|v| v as u64)),
        }
    };
    let min_sites = count("min_sites", a.min_sites, 1)?.unwrap_or(1) as usize;
    let max_sites = count("max_sites", a.max_sites, 1)?.map_or(min_sites, |v| v as usize);
    if max_sites < min_sites {
        return Err(loc.invalid(
            ap.clone().key("max_sites"),
            format!("max_sites {max_sites} is below min_sites {min_sites}"),
        ));
    }
    let max_options = count("max_options", a.max_options, 1)?.unwrap_or(DEFAULT_MAX_OPTIONS);
    let within_minutes = match a.within_minutes {
        Some(m) => Some(nonneg(loc, ap.clone().key("within_minutes"), m, "minutes")?),
        None => None,
    };
    check_number_keys(a, &ap, loc)?;
    let mut seen = HashSet::new();
    let mut hurdles = Vec::with_capacity(a.hurdles.len());
    for (i, h) in a.hurdles.iter().enumerate() {
        let hp = ap.clone().key("hurdles").idx(i);
        check_id(loc, &hp, &h.id, &mut seen, "hurdle")?;
        let judges_fixed = match h.judges.as_deref() {
            None | Some("candidates") => false,
            Some("designated") => true,
            Some(other) => {
                return Err(loc.invalid(
                    hp.key("judges"),
                    format!("`{other}` is neither `candidates` nor `designated`"),
                ));
            }
        };
        let reader = HurdleReader { h, hp, loc };
        hurdles.push(HurdleCriterion {
            id: h.id.clone(),
            name: h.name.clone(),
            hurdle: reader.read(capabilities)?,
            judges_fixed,
            source: h.source.clone(),
            illustrative: h.illustrative,
        });
    }
    let mut seen = HashSet::new();
    let mut criteria = Vec::with_capacity(a.criteria.len());
    for (i, c) in a.criteria.iter().enumerate() {
        let cp = ap.clone().key("criteria").idx(i);
        check_id(loc, &cp, &c.id, &mut seen, "criterion")?;
        criteria.push(read_criterion(c, cp, loc)?);
    }
    Ok(Some(AppraisalPolicy {
        incidence: a.incidence.map(|d| d.0),
        min_sites,
        max_sites,
        max_options,
        within_minutes,
        hurdles,
        criteria,
        sources: a.sources.clone(),
        illustrative: a.illustrative.clone(),
    }))
}

/// A number of 0 to [`MAX_BOUND`], or the error naming `what` was out of range.
fn nonneg(loc: &Locator, key: KeyPath, d: Dec, what: &str) -> Result<Decimal, RulesetError> {
    if d.0 < Decimal::ZERO {
        Err(loc.invalid(key, format!("{what} {} is negative", d.0)))
    } else {
        bounded(loc, key, d.0, MAX_BOUND, what)
    }
}

/// A number of magnitude at most `max`, or the error naming it out of range: every
/// bound, threshold and weight is range-checked when the ruleset is read, so the
/// appraisal's arithmetic on them cannot overflow.
fn bounded(
    loc: &Locator,
    key: KeyPath,
    d: Decimal,
    max: Decimal,
    what: &str,
) -> Result<Decimal, RulesetError> {
    if d.abs() > max {
        Err(loc.invalid(
            key,
            format!("{what} {d} is out of range; expected at most {max} in magnitude"),
        ))
    } else {
        Ok(d)
    }
}

/// `sources` and `illustrative` may name only the table's numbers.
fn check_number_keys(a: &AppraisalDoc, ap: &KeyPath, loc: &Locator) -> Result<(), RulesetError> {
    for (where_, keys) in [
        ("sources", a.sources.keys().collect::<Vec<_>>()),
        ("illustrative", a.illustrative.iter().collect()),
    ] {
        for key in keys {
            if !APPRAISAL_KEYS.contains(&key.as_str()) {
                return Err(loc.invalid(
                    ap.clone().key(where_),
                    format!(
                        "`{key}` is not a number of the appraisal table; numbers: {}",
                        join_ids(APPRAISAL_KEYS.iter().copied())
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// A hurdle's or criterion's id: well formed, and not given twice in its list.
fn check_id(
    loc: &Locator,
    at: &KeyPath,
    id: &str,
    seen: &mut HashSet<String>,
    what: &str,
) -> Result<(), RulesetError> {
    if !is_identifier(id) {
        return Err(loc.invalid(
            at.clone().key("id"),
            format!(
                "`{id}` is not an id (lowercase letters, digits and `_`, starting with a letter)"
            ),
        ));
    }
    if !seen.insert(id.to_string()) {
        return Err(loc.invalid(at.clone().key("id"), format!("duplicate {what} id `{id}`")));
    }
    Ok(())
}

/// Reads one hurdle: its kind, and the keys that kind takes (and no others).
struct HurdleReader<'a> {
    h: &'a HurdleDoc,
    hp: KeyPath,
    loc: &'a Locator<'a>,
}

impl HurdleReader<'_> {
    fn at(&self, k: &str) -> KeyPath {
        self.hp.clone().key(k)
    }

    fn read(&self, capabilities: &[Capability]) -> Result<Hurdle, RulesetError> {
        let h = self.h;
        Ok(match h.kind.as_str() {
            "volume" => {
                let (min, max) = self.band(&["min", "max"])?;
                for (k, v) in [("min", min), ("max", max)] {
                    if let Some(v) = v {
                        nonneg(self.loc, self.at(k), Dec(v), "volume")?;
                    }
                }
                Hurdle::Volume { min, max }
            }
            "max_travel" | "mean_travel" => {
                self.unused(&["max"])?;
                let max_minutes = self.need("max", h.max)?;
                if h.kind == "max_travel" {
                    Hurdle::MaxTravel { max_minutes }
                } else {
                    Hurdle::MeanTravel { max_minutes }
                }
            }
            "share_within" => {
                self.unused(&["minutes", "min_share"])?;
                let minutes = self.need("minutes", h.minutes)?;
                let min_share = self.need("min_share", h.min_share)?;
                if !is_unit_share(min_share) {
                    return Err(self.loc.invalid(
                        self.at("min_share"),
                        format!("share {min_share} is outside [0, 1]"),
                    ));
                }
                Hurdle::ShareWithin { minutes, min_share }
            }
            "capabilities" => self.capabilities(capabilities)?,
            "measure" => {
                let (min, max) = self.band(&["measure", "min", "max"])?;
                let measure = h
                    .measure
                    .clone()
                    .filter(|m| is_identifier(m))
                    .ok_or_else(|| {
                        self.loc.invalid(
                            self.at("measure"),
                            "a `measure` hurdle needs `measure`, the name of a site measure",
                        )
                    })?;
                Hurdle::Measure { measure, min, max }
            }
            other => {
                return Err(self.loc.invalid(
                    self.at("kind"),
                    format!("unknown hurdle kind `{other}`; kinds: volume, max_travel, mean_travel, share_within, capabilities, measure"),
                ));
            }
        })
    }

    /// A key the kind does not take is an error naming the keys it does.
    fn unused(&self, keys: &[&str]) -> Result<(), RulesetError> {
        let h = self.h;
        let given = [
            ("min", h.min.is_some()),
            ("max", h.max.is_some()),
            ("minutes", h.minutes.is_some()),
            ("min_share", h.min_share.is_some()),
            ("capabilities", !h.capabilities.is_empty()),
            ("measure", h.measure.is_some()),
        ];
        for (k, g) in given {
            if g && !keys.contains(&k) {
                return Err(self.loc.invalid(
                    self.at(k),
                    format!(
                        "a `{}` hurdle takes no `{k}`; it takes: {}",
                        h.kind,
                        keys.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    /// A number the kind needs, 0 or more.
    fn need(&self, k: &str, v: Option<Dec>) -> Result<Decimal, RulesetError> {
        let v = v.ok_or_else(|| {
            self.loc.invalid(
                self.at(k),
                format!("a `{}` hurdle needs `{k}`", self.h.kind),
            )
        })?;
        nonneg(self.loc, self.at(k), v, k)
    }

    /// A `min ..= max` band, either end open but not both.
    fn band(&self, keys: &[&str]) -> Result<(Option<Decimal>, Option<Decimal>), RulesetError> {
        let h = self.h;
        self.unused(keys)?;
        if h.min.is_none() && h.max.is_none() {
            return Err(self.loc.invalid(
                self.at("min"),
                format!("a `{}` hurdle needs `min`, `max` or both", h.kind),
            ));
        }
        if let (Some(lo), Some(hi)) = (h.min, h.max) {
            if lo.0 > hi.0 {
                return Err(self.loc.invalid(
                    self.at("min"),
                    format!("min {} is above max {}", lo.0, hi.0),
                ));
            }
        }
        for (k, v) in [("min", h.min), ("max", h.max)] {
            if let Some(v) = v {
                bounded(self.loc, self.at(k), v.0, MAX_BOUND, k)?;
            }
        }
        Ok((h.min.map(|d| d.0), h.max.map(|d| d.0)))
    }

    /// A `capabilities` hurdle: at least one, each declared by the ruleset.
    fn capabilities(&self, capabilities: &[Capability]) -> Result<Hurdle, RulesetError> {
        let h = self.h;
        self.unused(&["capabilities"])?;
        if h.capabilities.is_empty() {
            return Err(self.loc.invalid(
                self.at("capabilities"),
                "a `capabilities` hurdle needs at least one capability",
            ));
        }
        for (j, c) in h.capabilities.iter().enumerate() {
            if !capabilities.iter().any(|d| d.id() == c) {
                return Err(self.loc.invalid(
                    self.at("capabilities").idx(j),
                    format!(
                        "unknown capability `{c}`; declared: {}",
                        join_ids(capabilities.iter().map(|d| d.id()))
                    ),
                ));
            }
        }
        Ok(Hurdle::Capabilities {
            required: h.capabilities.clone(),
        })
    }
}

/// Reads one evaluation criterion: its weight, measure, direction and scale.
fn read_criterion(
    c: &CriterionDoc,
    cp: KeyPath,
    loc: &Locator,
) -> Result<EvaluationCriterion, RulesetError> {
    let weight = nonneg(loc, cp.clone().key("weight"), c.weight, "weight")?;
    let weight = bounded(loc, cp.clone().key("weight"), weight, MAX_WEIGHT, "weight")?;
    let measure = criterion_measure(c, &cp, loc)?;
    if c.minutes.is_some() && !matches!(measure, Measure::ShareWithin(_)) {
        return Err(loc.invalid(
            cp.key("minutes"),
            "only a `share_within` criterion takes `minutes`",
        ));
    }
    if c.site_measure.is_some() && !matches!(measure, Measure::SiteMeasure(_)) {
        return Err(loc.invalid(
            cp.key("site_measure"),
            "only a `site_measure` criterion takes `site_measure`",
        ));
    }
    let default_better = match measure {
        Measure::MeanTravel | Measure::MaxTravel | Measure::Hasus => Better::Lower,
        _ => Better::Higher,
    };
    let better = match c.better.as_deref() {
        None => default_better,
        Some("lower") => Better::Lower,
        Some("higher") => Better::Higher,
        Some(other) => {
            return Err(loc.invalid(
                cp.key("better"),
                format!("`{other}` is neither `lower` nor `higher`"),
            ));
        }
    };
    let scale: Vec<Decimal> = c.scale.iter().map(|d| d.0).collect();
    for (i, &t) in scale.iter().enumerate() {
        bounded(
            loc,
            cp.clone().key("scale").idx(i),
            t,
            MAX_BOUND,
            "threshold",
        )?;
    }
    let value_function = read_value_function(c, &measure, &cp, loc)?;
    if value_function.is_empty() {
        check_scale(c, &measure, better, &scale, &cp, loc)?;
    }
    Ok(EvaluationCriterion {
        id: c.id.clone(),
        name: c.name.clone(),
        weight,
        measure,
        better,
        scale,
        value_function,
        source: c.source.clone(),
        illustrative: c.illustrative,
    })
}

/// A criterion's value function: at least two points, values strictly ascending and
/// bounded, scores from -2 to 2; instead of `scale` and `better`, and never on a
/// `scores` criterion.
fn read_value_function(
    c: &CriterionDoc,
    measure: &Measure,
    cp: &KeyPath,
    loc: &Locator,
) -> Result<Vec<(Decimal, Decimal)>, RulesetError> {
    if c.value_function.is_empty() {
        return Ok(Vec::new());
    }
    let at = || cp.clone().key("value_function");
    if *measure == Measure::Scores {
        return Err(loc.invalid(
            at(),
            "a `scores` criterion is scored by the caller; it takes no value function",
        ));
    }
    if !c.scale.is_empty() || c.better.is_some() {
        return Err(loc.invalid(
            at(),
            "a value function's points say which way is better; give no `scale` or `better` with it",
        ));
    }
    if c.value_function.len() < 2 {
        return Err(loc.invalid(at(), "a value function needs at least two points"));
    }
    let mut points = Vec::with_capacity(c.value_function.len());
    for (i, [x, y]) in c.value_function.iter().enumerate() {
        let x = bounded(loc, at().idx(i), x.0, MAX_BOUND, "value")?;
        if y.0 < Decimal::from(-2) || y.0 > Decimal::TWO {
            return Err(loc.invalid(
                at().idx(i),
                format!("a score of {} is outside -2 (--) to 2 (++)", y.0),
            ));
        }
        if points.last().is_some_and(|&(px, _)| x <= px) {
            return Err(loc.invalid(
                at().idx(i),
                format!("values must rise strictly from point to point; {x} does not"),
            ));
        }
        points.push((x, y.0));
    }
    Ok(points)
}

/// What a criterion measures, with the `minutes` or site measure it needs.
fn criterion_measure(
    c: &CriterionDoc,
    cp: &KeyPath,
    loc: &Locator,
) -> Result<Measure, RulesetError> {
    Ok(match c.measure.as_str() {
        "mean_travel" => Measure::MeanTravel,
        "max_travel" => Measure::MaxTravel,
        "share_within" => Measure::ShareWithin(
            c.minutes
                .map(|m| nonneg(loc, cp.clone().key("minutes"), m, "minutes"))
                .transpose()?
                .ok_or_else(|| loc.invalid(cp.clone().key("minutes"), "a `share_within` criterion needs `minutes`"))?,
        ),
        "min_volume" => Measure::MinVolume,
        "max_volume" => Measure::MaxVolume,
        "hasus" => Measure::Hasus,
        "site_measure" => Measure::SiteMeasure(
            c.site_measure.clone().filter(|m| is_identifier(m)).ok_or_else(|| {
                loc.invalid(cp.clone().key("site_measure"), "a `site_measure` criterion needs `site_measure`, the name of a site measure")
            })?,
        ),
        "scores" => Measure::Scores,
        other => {
            return Err(loc.invalid(
                cp.clone().key("measure"),
                format!("unknown measure `{other}`; measures: mean_travel, max_travel, share_within, min_volume, max_volume, hasus, site_measure, scores"),
            ));
        }
    })
}

/// A scored criterion has four thresholds running from best to worst; a `scores`
/// criterion, scored by the caller, has none.
fn check_scale(
    c: &CriterionDoc,
    measure: &Measure,
    better: Better,
    scale: &[Decimal],
    cp: &KeyPath,
    loc: &Locator,
) -> Result<(), RulesetError> {
    let at = || cp.clone().key("scale");
    if *measure == Measure::Scores {
        if !scale.is_empty() || c.better.is_some() {
            return Err(loc.invalid(
                at(),
                "a `scores` criterion is scored by the caller; it takes no `scale` or `better`",
            ));
        }
        return Ok(());
    }
    if scale.len() != 4 {
        return Err(loc.invalid(
            at(),
            format!(
                "expected four thresholds (for ++, +, 0, -), found {}",
                scale.len()
            ),
        ));
    }
    let ordered = scale.windows(2).all(|w| match better {
        Better::Lower => w[0] <= w[1],
        Better::Higher => w[0] >= w[1],
    });
    if !ordered {
        let (order, word) = if better == Better::Lower {
            ("ascending", "lower")
        } else {
            ("descending", "higher")
        };
        return Err(loc.invalid(
            at(),
            format!("thresholds must run from best to worst ({order} for `better = {word}`)"),
        ));
    }
    Ok(())
}
