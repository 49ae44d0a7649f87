//! The words of an appraisal: each hurdle verdict's reason and what would make it pass,
//! and the explanation every face shows. Every verdict and number here was made by the
//! engine (`judge`); this module only words them.

use std::cmp::Ordering;

use rust_decimal::{Decimal, RoundingStrategy};

use super::judge::{Facts, MeasureMiss, Verdict};
use super::{
    Appraisal, CriterionScore, EvaluationCriterion, Hurdle, HurdleOutcome, Measure,
    OptionAppraisal, score_text,
};
use crate::money::group_digits;

/// Patients or admissions a year as a person writes them: at most one decimal place,
/// rounded half away from zero (`2,450`, `1,328.7`). Only the words round: the tables
/// keep every figure exact.
pub fn patients(d: Decimal) -> String {
    number(d.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero))
}

/// A shortfall or excess in patients, rounded up to the tenth, so that a gap of a
/// millionth reads "0.1 more" and never "0 more".
fn patients_up(d: Decimal) -> String {
    number(d.round_dp_with_strategy(1, RoundingStrategy::AwayFromZero))
}

/// Patients beside the bound they missed: rounded as [`patients`], unless rounding
/// would put them on the other side of (or on) the bound, then exact (`299.96` below
/// 300 is never shown as `300`).
fn patients_beside(x: Decimal, bound: Decimal, below: bool) -> String {
    let r = x.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
    if (below && r >= bound) || (!below && r <= bound) {
        number(x)
    } else {
        number(r)
    }
}

/// Parts per million as a percentage of two decimals, rounded up (`1,827` ppm is
/// `0.19%`): a gap is never understated.
/// A search's progress line ([`super::SearchProgress::line`]).
pub(super) fn progress_line(p: &super::SearchProgress) -> String {
    let r = &p.row;
    format!(
        "search {} of {}: {} site{}, {} min mean travel, bound {} ({}){}, {:.1} s",
        p.done,
        p.of,
        r.hasus,
        if r.hasus == 1 { "" } else { "s" },
        number(r.mean_travel_minutes),
        number(r.bound_minutes),
        match r.gap_ppm {
            Some(g) => format!("gap {}", percent_ppm(g)),
            None => "no gap: the option found is not an answer".into(),
        },
        match r.volume_outside {
            Some(o) if o.is_zero() => ", volume hurdles kept",
            Some(_) => ", volume hurdles NOT kept",
            None => "",
        },
        p.elapsed.as_secs_f64(),
    )
}

fn percent_ppm(ppm: u64) -> String {
    let hundredths = ppm.div_ceil(100);
    format!("{}.{:02}%", hundredths / 100, hundredths % 100)
}

/// A decimal as a person reads it: no trailing zeros, thousands grouped (`1,204.5`).
pub fn number(d: Decimal) -> String {
    let d = d.normalize();
    let s = d.abs().to_string();
    let (int, frac) = s
        .split_once('.')
        .map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    if d.is_sign_negative() && !d.is_zero() {
        out.push('-');
    }
    out.push_str(&group_digits(int));
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// A share as a percentage (`0.955` as `95.5%`); a share is in [0, 1], so the product
/// fits (an impossible one is shown as the share itself).
fn percent(d: Decimal) -> String {
    match d.checked_mul(Decimal::ONE_HUNDRED) {
        Some(p) => format!("{}%", number(p.round_dp(4))),
        None => number(d),
    }
}

/// The bounds of a band in words: `500 to 1,500`, `at least 500`, `at most 1,500`.
fn band(min: Option<Decimal>, max: Option<Decimal>) -> String {
    match (min, max) {
        (Some(a), Some(b)) => format!("{} to {}", number(a), number(b)),
        (Some(a), None) => format!("at least {}", number(a)),
        (None, Some(b)) => format!("at most {}", number(b)),
        (None, None) => "any".into(),
    }
}

/// A hurdle's verdict in words: the outcome every face shows, with its reason and, for
/// a failure, what would make it pass.
pub(crate) fn hurdle_outcome(hurdle: &Hurdle, v: Verdict) -> HurdleOutcome {
    let (reason, remedy) = match (hurdle, &v.facts) {
        (Hurdle::Volume { min, max }, Facts::Volume { .. }) => volume_words(*min, *max, &v),
        (
            Hurdle::MaxTravel { .. },
            Facts::MaxTravel {
                zone,
                nearest_within,
            },
        ) => {
            let (t, max) = (number(v.observed), number(v.bound));
            if v.passed {
                (
                    format!("longest travel {t} min (zone {zone}), within {max}"),
                    None,
                )
            } else {
                let remedy = match nearest_within {
                    Some((s, m)) => format!(
                        "add a site within {max} min of {zone}, such as {s} ({} min)",
                        number(*m)
                    ),
                    None => format!(
                        "no site is within {max} min of {zone}: no option passes this hurdle"
                    ),
                };
                (
                    format!("zone {zone} at {t} min exceeds {max}"),
                    Some(remedy),
                )
            }
        }
        (Hurdle::MeanTravel { .. }, Facts::MeanTravel { fall }) => {
            let (shown, max) = (number(v.observed), number(v.bound));
            if v.passed {
                (format!("mean travel {shown} min, within {max}"), None)
            } else {
                (
                    format!("mean travel {shown} min exceeds {max}"),
                    Some(format!(
                        "the mean must fall by more than {} min: sites nearer the zones with most patients",
                        number(*fall)
                    )),
                )
            }
        }
        (
            Hurdle::ShareWithin { minutes, .. },
            Facts::ShareWithin {
                within,
                total,
                needed,
            },
        ) => {
            let head = format!(
                "{} of patients ({} of {}) within {} min",
                percent(v.observed),
                patients(*within),
                patients(*total),
                number(*minutes),
            );
            if v.passed {
                (format!("{head}, at least {}", percent(v.bound)), None)
            } else {
                (
                    format!("{head}, below {}", percent(v.bound)),
                    Some(format!(
                        "needs {} more patients a year within {} min of a HASU",
                        patients_up(*needed),
                        number(*minutes)
                    )),
                )
            }
        }
        (Hurdle::Capabilities { required }, Facts::Capabilities { lacking }) => {
            if v.passed {
                (format!("every HASU has {}", required.join(", ")), None)
            } else {
                let each = |word: &str| {
                    lacking
                        .iter()
                        .map(|(s, c)| format!("{s} {word} {}", c.join(", ")))
                        .collect::<Vec<_>>()
                        .join("; ")
                };
                (
                    each("lacks"),
                    Some(format!("{}; or an option without it", each("to provide"))),
                )
            }
        }
        (Hurdle::Measure { measure, min, max }, Facts::Measure { nearest, failing }) => {
            measure_hurdle_words(measure, band(*min, *max), nearest.as_ref(), failing)
        }
        // A verdict is made for its own hurdle; any other pairing has no words.
        _ => (String::new(), None),
    };
    HurdleOutcome {
        passed: v.passed,
        observed: v.observed,
        bound: v.bound,
        at: v.at,
        reason,
        remedy: if v.passed { None } else { remedy },
    }
}

fn volume_words(
    min: Option<Decimal>,
    max: Option<Decimal>,
    v: &Verdict,
) -> (String, Option<String>) {
    let Facts::Volume {
        smallest,
        largest,
        outside,
        below,
    } = &v.facts
    else {
        return (String::new(), None);
    };
    if v.passed {
        return (
            format!(
                "every HASU within {} admissions a year (smallest {} {}, largest {} {})",
                band(min, max),
                smallest.0,
                patients(smallest.1),
                largest.0,
                patients(largest.1)
            ),
            None,
        );
    }
    let list = outside
        .iter()
        .map(|(s, x, _)| format!("{s} {}", patients_beside(*x, v.bound, *below)))
        .collect::<Vec<_>>()
        .join(", ");
    let remedy = |f: &dyn Fn(&str, String) -> String| {
        outside
            .iter()
            .map(|(s, _, gap)| f(s, patients_up(*gap)))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let m = number(v.bound);
    if *below {
        (
            format!("projected admissions a year below {m}: {list}"),
            Some(format!(
                "{} (fewer HASUs, or HASUs drawing from more zones)",
                remedy(&|s, g| format!("{s} needs {g} more admissions a year"))
            )),
        )
    } else {
        (
            format!("projected admissions a year above {m}: {list}"),
            Some(format!(
                "{} (another HASU to share its zones)",
                remedy(&|s, g| format!("{s} has {g} admissions a year too many"))
            )),
        )
    }
}

fn measure_hurdle_words(
    measure: &str,
    band: String,
    nearest: Option<&(String, Decimal)>,
    failing: &[MeasureMiss],
) -> (String, Option<String>) {
    if failing.is_empty() {
        let (s, x) = nearest.cloned().unwrap_or_default();
        return (
            format!(
                "every HASU's {measure} {band} (nearest the bound: {s} {})",
                number(x)
            ),
            None,
        );
    }
    let (reasons, remedies): (Vec<String>, Vec<String>) = failing
        .iter()
        .map(|m| match m {
            MeasureMiss::Missing(s) => (
                format!("{s} has no {measure}"),
                format!("give {s}'s {measure}"),
            ),
            MeasureMiss::Outside {
                site,
                value,
                bound,
                gap,
                below,
            } => (
                format!(
                    "{site} {measure} {} {} {}",
                    number(*value),
                    if *below { "below" } else { "above" },
                    number(*bound)
                ),
                format!(
                    "{site}'s {measure} to reach {} ({}{})",
                    number(*bound),
                    if *below { "+" } else { "-" },
                    number(*gap)
                ),
            ),
        })
        .unzip();
    (
        reasons.join("; "),
        Some(format!("{}; or an option without it", remedies.join("; "))),
    )
}

/// A score as the report shows it: the review's `--` to `++`, or a value function's
/// points with their sign (`+0.734`).
fn score_words(c: &EvaluationCriterion, s: &CriterionScore) -> String {
    if c.value_function.is_empty() {
        score_text(s.score).to_string()
    } else if s.points > Decimal::ZERO {
        format!("+{}", number(s.points))
    } else {
        number(s.points)
    }
}

fn scores_line(a: &Appraisal, o: &OptionAppraisal) -> String {
    a.criteria
        .iter()
        .zip(&o.scores)
        .map(|(c, s)| format!("{} {}", c.id, score_words(c, s)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn measure_words(c: &EvaluationCriterion) -> String {
    match &c.measure {
        Measure::MeanTravel => "mean travel (min)".into(),
        Measure::MaxTravel => "longest travel (min)".into(),
        Measure::ShareWithin(m) => format!("share within {} min", number(*m)),
        Measure::MinVolume => "smallest HASU's admissions".into(),
        Measure::MaxVolume => "largest HASU's admissions".into(),
        Measure::Hasus => "number of HASUs".into(),
        Measure::SiteMeasure(m) => format!("{m} at the weakest HASU"),
        Measure::Scores => "the review's scores".into(),
    }
}

impl Appraisal {
    /// The appraisal in words: what was weighed, how the hurdles fell, the shortlist,
    /// the preferred option and why, and the weight change that would swap the top two.
    /// The same lines in every face.
    pub fn explanation(&self) -> Vec<String> {
        let mut out = Vec::new();
        let n = self.options.len();
        let what = match self.long_list {
            Some((lo, hi)) if !self.search.is_empty() => format!(
                "searched: the long list of {} of {} sites is past its bound, so the best option found for each number of sites",
                if lo == hi {
                    lo.to_string()
                } else {
                    format!("{lo} to {hi}")
                },
                self.sites
            ),
            Some((lo, hi)) if lo == hi => {
                format!("the long list: every set of {lo} of {} sites", self.sites)
            }
            Some((lo, hi)) => format!(
                "the long list: every set of {lo} to {hi} of {} sites",
                self.sites
            ),
            None => "as given".into(),
        };
        let what = if self.fixed_open.is_empty() {
            what
        } else {
            format!(
                "{what}; fixed open in every option, not choices: {}",
                self.fixed_open.join(", ")
            )
        };
        out.push(format!(
            "Appraisal under {}: {} option{} ({what}), {} patients a year from {} zones.",
            self.ruleset,
            number(Decimal::from(n)),
            if n == 1 { "" } else { "s" },
            patients(self.total_patients),
            number(Decimal::from(self.zones - self.out_of_area_zones)),
        ));
        if self.out_of_area_zones > 0 {
            out.push(format!(
                "From outside the area: {} patients a year from {} zone{}, who go to their nearest open unit and count towards its volume but not towards the travel measures.",
                patients(self.out_of_area_patients),
                number(Decimal::from(self.out_of_area_zones)),
                if self.out_of_area_zones == 1 { "" } else { "s" },
            ));
        }
        for r in &self.search {
            let sites = |n: usize| format!("{n} site{}", if n == 1 { "" } else { "s" });
            let (within, volumes_aside) = match r.volume_outside {
                None => (String::new(), ""),
                Some(o) if o.is_zero() => (
                    ", every HASU within the volume hurdles".into(),
                    ", volumes aside,",
                ),
                Some(o) => (
                    format!(
                        ", no option found with every HASU within the volume hurdles (the best found is {} patients a year outside them)",
                        patients_up(o)
                    ),
                    ", volumes aside,",
                ),
            };
            out.push(format!(
                "Search, {}{within}: {} at {} min mean travel; no option of {} reaching every zone{volumes_aside} is below {} min{}.",
                sites(r.hasus),
                r.option_id,
                number(r.mean_travel_minutes),
                sites(r.hasus),
                number(r.bound_minutes),
                match r.gap_ppm {
                    None => String::new(),
                    Some(0) => ", so it is the best".into(),
                    Some(g) => format!(" (it is at most {} above the best)", percent_ppm(g)),
                },
            ));
        }
        let passed = self.ranking.len();
        if self.hurdles.is_empty() {
            out.push("No hurdle criteria: every option is on the shortlist.".into());
        } else {
            let fails: Vec<String> = self
                .hurdles
                .iter()
                .enumerate()
                .map(|(h, c)| {
                    let f = self.options.iter().filter(|o| !o.hurdles[h].passed).count();
                    format!("{} {}", c.id, number(Decimal::from(f)))
                })
                .collect();
            out.push(format!(
                "Hurdles: {} of {} options pass all {}; failures by hurdle: {} (an option may fail several).",
                number(Decimal::from(passed)),
                number(Decimal::from(n)),
                self.hurdles.len(),
                fails.join(", ")
            ));
        }
        if passed == 0 {
            out.push("No option passes every hurdle, so none is preferred.".into());
            // The nearest misses: fewest hurdles failed, then id.
            let mut near: Vec<&OptionAppraisal> = self.options.iter().collect();
            near.sort_by_key(|o| (o.hurdles.iter().filter(|h| !h.passed).count(), o.id.clone()));
            for o in near.into_iter().take(3) {
                let failed: Vec<String> = self
                    .hurdles
                    .iter()
                    .zip(&o.hurdles)
                    .filter(|(_, h)| !h.passed)
                    .map(|(c, h)| {
                        format!(
                            "{}: {}; to pass: {}",
                            c.id,
                            h.reason,
                            h.remedy.as_deref().unwrap_or("")
                        )
                    })
                    .collect();
                out.push(format!("  Nearest miss {}: {}", o.id, failed.join(" | ")));
            }
            return out;
        }
        let weights = self
            .criteria
            .iter()
            .map(|c| format!("{} {} ({})", c.id, number(c.weight), measure_words(c)))
            .collect::<Vec<_>>()
            .join(", ");
        out.push(format!(
            "Shortlist of {}, ranked by weighted score (weights: {}):",
            number(Decimal::from(passed)),
            if weights.is_empty() {
                "none".into()
            } else {
                weights
            }
        ));
        const SHOWN: usize = 10;
        for o in self.shortlist().take(SHOWN) {
            out.push(format!(
                "  {}. {}  total {}  ({})",
                o.rank.unwrap_or_default(),
                o.id,
                number(o.total.unwrap_or_default()),
                scores_line(self, o)
            ));
        }
        if passed > SHOWN {
            out.push(format!(
                "  ... and {} more",
                number(Decimal::from(passed - SHOWN))
            ));
        }
        let Some(first) = self.preferred() else {
            return out;
        };
        let hasus = first
            .hasus
            .iter()
            .map(|h| format!("{} {}", h.site_id, patients(h.projected_admissions)))
            .collect::<Vec<_>>()
            .join(", ");
        out.push(format!(
            "Preferred: {} (HASUs and projected admissions a year: {hasus}; longest travel {} min from {}, mean {} min).",
            first.id,
            number(first.max_travel_minutes),
            first.max_travel_zone,
            number(first.mean_travel_minutes)
        ));
        match self.ranking.get(1).map(|&i| &self.options[i]) {
            None => out.push("It is the only option that passes every hurdle.".into()),
            Some(second) => out.extend(self.why_first(first, second)),
        }
        out
    }

    /// Why the preferred option ranks above the second, and the weight change that
    /// would swap them (the engine's verdict, in words).
    fn why_first(&self, first: &OptionAppraisal, second: &OptionAppraisal) -> Vec<String> {
        let mut out = Vec::new();
        let (ta, tb) = (
            first.total.unwrap_or_default(),
            second.total.unwrap_or_default(),
        );
        let mut ahead = Vec::new();
        let mut behind = Vec::new();
        for (ci, c) in self.criteria.iter().enumerate() {
            let (sa, sb) = (&first.scores[ci], &second.scores[ci]);
            // weight × (sa - sb), the difference of the weighted scores; weights
            // are bounded, so it fits (an impossible overflow shows no number).
            let diff = c
                .weight
                .checked_mul(sa.points - sb.points)
                .map_or(String::new(), |d| {
                    let sign = if d >= Decimal::ZERO { "+" } else { "" };
                    format!(" ({sign}{})", number(d))
                });
            let line = format!(
                "{} {} vs {}{diff}",
                c.id,
                score_words(c, sa),
                score_words(c, sb),
            );
            match sa.points.cmp(&sb.points) {
                Ordering::Greater => ahead.push(line),
                Ordering::Less => behind.push(line),
                Ordering::Equal => {}
            }
        }
        let mut why = format!(
            "It ranks first with {} against {} for {}",
            number(ta),
            number(tb),
            second.id
        );
        if ta == tb {
            why.push_str(&format!(
                " (equal totals: the tie goes to the smaller id, {})",
                first.id
            ));
        }
        if !ahead.is_empty() {
            why.push_str(&format!("; ahead on {}", ahead.join(", ")));
        }
        if !behind.is_empty() {
            why.push_str(&format!("; behind on {}", behind.join(", ")));
        }
        why.push('.');
        out.push(why);
        out.push(match &self.swap {
            Some(s) => {
                let dir = if s.change < Decimal::ZERO { "lowering" } else { "raising" };
                let to = if s.swaps_at_tie {
                    format!("to {}", number(s.tie_weight))
                } else if s.change < Decimal::ZERO {
                    format!("below {}", number(s.tie_weight))
                } else {
                    format!("above {}", number(s.tie_weight))
                };
                format!(
                    "Sensitivity: {dir} the weight of {} from {} {to} ({}{}{}) would rank {} first; no smaller change of one weight swaps them.",
                    s.criterion,
                    number(s.weight),
                    if s.change >= Decimal::ZERO { "+" } else { "" },
                    number(s.change),
                    if s.exact { "" } else { ", rounded" },
                    second.id
                )
            }
            None => format!(
                "Sensitivity: no change of one weight would rank {} above it.",
                second.id
            ),
        });
        out
    }

    /// Where each zone's patients go under option `index` and how far: the zones in id
    /// order, each with its nearest designated site, by the same rule the projection
    /// uses (so a map drawn from it agrees with the volumes and travel figures). Empty
    /// for an index past the options.
    pub fn catchment(&self, index: usize) -> Vec<super::ZoneCatchment> {
        let Some(o) = self.options.get(index) else {
            return Vec::new();
        };
        let p = &self._prepared;
        let n = p.sites.len();
        let designated: Vec<bool> = p
            .sites
            .iter()
            .map(|s| o.hasus.iter().any(|h| h.site_id == s.id))
            .collect();
        (0..p.zone_ids.len())
            .filter_map(|z| {
                let r =
                    (0..p.reach[z] as usize).find(|&r| designated[p.order[z * n + r] as usize])?;
                Some(super::ZoneCatchment {
                    zone_id: p.zone_ids[z].clone(),
                    site_id: p.sites[p.order[z * n + r] as usize].id.clone(),
                    minutes: p.minutes(p.times[z * n + r]),
                    patients: p.patients(p.strokes[z]),
                    in_area: p.in_area[z],
                })
            })
            .collect()
    }

    /// One option in words: each hurdle passed or failed, why and what would make it
    /// pass, and its scores.
    pub fn explain_option(&self, index: usize) -> Vec<String> {
        let Some(o) = self.options.get(index) else {
            return Vec::new();
        };
        let mut out = vec![format!(
            "Option {}: {}",
            o.id,
            match o.rank {
                Some(r) => format!("passes every hurdle; rank {r} of {}", self.ranking.len()),
                None => "fails the hurdles; not shortlisted".into(),
            }
        )];
        for h in &o.hasus {
            out.push(format!(
                "  HASU {}{}: {} projected admissions a year from {} zone{}{} (now {})",
                h.site_id,
                if h.fixed_open { " (fixed open)" } else { "" },
                patients(h.projected_admissions),
                h.zones,
                if h.zones == 1 { "" } else { "s" },
                if h.out_of_area_admissions.is_zero() {
                    String::new()
                } else {
                    format!(
                        ", {} of them from outside the area",
                        patients(h.out_of_area_admissions)
                    )
                },
                number(Decimal::from(h.current_admissions))
            ));
        }
        for (c, h) in self.hurdles.iter().zip(&o.hurdles) {
            out.push(match &h.remedy {
                None => format!("  pass {}: {}", c.id, h.reason),
                Some(r) => format!("  FAIL {}: {}; to pass: {r}", c.id, h.reason),
            });
        }
        for (c, s) in self.criteria.iter().zip(&o.scores) {
            out.push(format!(
                "  score {}: {}{} x weight {} = {}",
                c.id,
                score_words(c, s),
                s.value.map_or(String::new(), |v| format!(
                    " ({} {})",
                    measure_words(c),
                    number(v)
                )),
                number(c.weight),
                number(s.weighted)
            ));
        }
        if let Some(t) = o.total {
            out.push(format!("  total {}", number(t)));
        }
        out
    }
}

#[cfg(test)]
mod readable {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn patients_read_as_a_person_writes_them() {
        // The figures of the real Kent and Medway data that printed in full before.
        assert_eq!(patients(d("2450.000005")), "2,450");
        assert_eq!(patients(d("1328.666678")), "1,328.7");
        assert_eq!(patients(d("0.05")), "0.1");
        assert_eq!(patients_up(d("0.000001")), "0.1");
        assert_eq!(patients_up(d("12")), "12");
        // Never rounded onto or across the bound it missed.
        assert_eq!(patients_beside(d("299.96"), d("300"), true), "299.96");
        assert_eq!(patients_beside(d("299.94"), d("300"), true), "299.9");
        assert_eq!(patients_beside(d("1500.04"), d("1500"), false), "1,500.04");
        assert_eq!(patients_beside(d("1500.06"), d("1500"), false), "1,500.1");
    }
}
