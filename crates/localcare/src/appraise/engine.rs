//! The appraisal's judgement: the options projected over the cores (the long list
//! enumerated depth first, or the options given), each hurdle's verdict, the
//! shortlist's scores and weighted totals, the ranking and the weight swap. The words
//! of every verdict come from the `wording` the caller passes (`explain`'s), so this
//! module decides and never words.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};

use rust_decimal::Decimal;

use super::judge::{Wording, weight_swap};
use super::prepared::{Prepared, fix_id_column, invalid, unique_ids};
use super::project::{Raw, Scratch};
use super::ratio::{Ratio, pow10};
use super::searched::searched;
use super::{
    Appraisal, AppraisalError, AppraisalPolicy, AppraisalRequest, Better, CriterionScore,
    EvaluationCriterion, HasuProjection, MAX_WEIGHT, Measure, OptionAppraisal, SearchRow,
};

impl Prepared {
    /// The option with its hurdles' verdicts, worded (scores come later, for the
    /// shortlist).
    pub(super) fn assess(
        &self,
        id: String,
        raw: Raw,
        wording: Wording,
    ) -> Result<OptionAppraisal, AppraisalError> {
        let mut hurdles = Vec::with_capacity(self.policy.hurdles.len());
        for (h, c) in self.policy.hurdles.iter().enumerate() {
            hurdles.push(wording(&c.hurdle, self.judge(h, &raw)?));
        }
        let passed = hurdles.iter().all(|h| h.passed);
        let rounded = |r: Ratio, places: u32, what: &str| {
            r.round(places).ok_or_else(|| AppraisalError::Overflow {
                quantity: format!("option {id}'s {what}"),
            })
        };
        let share_within = match self.policy.within_minutes {
            Some(m) => Some(rounded(
                self.share(raw.within[self.threshold_index(m)]),
                6,
                "share within",
            )?),
            None => None,
        };
        let mean_travel_minutes = rounded(raw.mean(self), 2, "mean travel time")?;
        Ok(OptionAppraisal {
            hasus: raw
                .sites
                .iter()
                .zip(&raw.volumes)
                .zip(&raw.zones)
                .zip(&raw.out)
                .map(|(((&s, &v), &z), &out)| HasuProjection {
                    site_id: self.sites[s as usize].id.clone(),
                    current_admissions: self.sites[s as usize].admissions,
                    projected_admissions: self.patients(v),
                    out_of_area_admissions: self.patients(out),
                    zones: z as usize,
                    fixed_open: (s as usize) < self.fixed,
                })
                .collect(),
            id,
            max_travel_minutes: self.minutes(raw.max_time),
            max_travel_zone: self.zone_ids[raw.max_zone].clone(),
            mean_travel_minutes,
            share_within,
            hurdles,
            passed,
            scores: Vec::new(),
            total: None,
            rank: None,
            exact: super::Exact {
                sum: raw.sum,
                within: raw.within,
            },
        })
    }
}

/// How many options of `min ..= max` of `n` sites there are.
pub(crate) fn long_list_size(n: usize, min: usize, max: usize) -> u128 {
    (min..=max.min(n)).map(|k| binomial(n, k)).sum()
}

fn binomial(n: usize, k: usize) -> u128 {
    if k > n {
        return 0;
    }
    let k = k.min(n - k);
    let mut c: u128 = 1;
    for i in 0..k {
        c = c.saturating_mul((n - i) as u128) / (i as u128 + 1);
    }
    c
}

/// The work of the long list, cut into prefixes of up to two candidates after the
/// `fixed` fixed-open sites (positions `0..fixed`), which every option designates:
/// `(sites in the option, prefix)`.
fn tasks(n: usize, fixed: usize, min: usize, max: usize) -> Vec<(usize, Vec<u16>)> {
    let mut out = Vec::new();
    let with_fixed = |more: &[usize]| -> Vec<u16> {
        (0..fixed)
            .chain(more.iter().copied())
            .map(|s| s as u16)
            .collect()
    };
    for k in min..=max {
        if k == 1 {
            out.extend((fixed..n).map(|s| (fixed + 1, with_fixed(&[s]))));
            continue;
        }
        for a in fixed..n {
            for b in a + 1..n {
                if n - b > k - 2 {
                    out.push((fixed + k, with_fixed(&[a, b])));
                }
            }
        }
    }
    out
}

fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A worker's panic payload in words.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

/// The ruleset id under which the tests make a worker panic at its second job, to
/// show that a panic is an error and never a shorter list.
#[cfg(test)]
pub(crate) const PANIC_IN_WORKER: &str = "test-panic-in-worker";

/// Runs `jobs` over the cores, each job's results in job order. Every job's error and
/// every worker's panic is the call's error: no partial result is ever returned.
fn spread<T: Send>(
    jobs: usize,
    run: impl Fn(usize, &mut Scratch, &mut Vec<T>) -> Result<(), AppraisalError> + Sync,
    p: &Prepared,
) -> Result<Vec<T>, AppraisalError> {
    let next = AtomicUsize::new(0);
    let failed = AtomicUsize::new(usize::MAX);
    let threads = workers().min(jobs).max(1);
    type Done<T> = Vec<(usize, Result<Vec<T>, AppraisalError>)>;
    let joined: Vec<std::thread::Result<Done<T>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut sc = p.scratch();
                    let mut mine = Vec::new();
                    loop {
                        let j = next.fetch_add(1, AtomicOrdering::Relaxed);
                        if j >= jobs || j > failed.load(AtomicOrdering::Relaxed) {
                            break;
                        }
                        #[cfg(test)]
                        if j == 1 && p.ruleset == PANIC_IN_WORKER {
                            panic!("injected by the test");
                        }
                        let mut out = Vec::new();
                        let r = run(j, &mut sc, &mut out).map(|()| out);
                        let err = r.is_err();
                        mine.push((j, r));
                        if err {
                            failed.fetch_min(j, AtomicOrdering::Relaxed);
                            break;
                        }
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join()).collect()
    });
    let mut done = Vec::new();
    for r in joined {
        done.extend(r.map_err(|payload| AppraisalError::WorkerPanicked {
            message: panic_message(payload.as_ref()),
        })?);
    }
    done.sort_by_key(|(j, _)| *j);
    // The first failure in job order wins, so the error does not depend on timing:
    // every job before a failed one ran (jobs are taken in order).
    let mut out = Vec::new();
    for (_, r) in done {
        out.extend(r?);
    }
    Ok(out)
}

/// The long list's range of sites per option: the call's, checked against the sites
/// there are; or the ruleset's, clipped at them (a policy of "2 to 4 sites" over 3
/// sites is every option of 2 to 3; the appraisal reports the range it used).
fn long_list_range(
    request: &AppraisalRequest,
    policy: &AppraisalPolicy,
    n: usize,
    fixed: usize,
) -> Result<(usize, usize), AppraisalError> {
    let (min, max) = match request.sites_per_option {
        Some(range) => range,
        None if policy.min_sites > n => {
            return Err(AppraisalError::SitesPerOption {
                k: policy.min_sites,
                sites: n,
                fixed,
            });
        }
        None => (policy.min_sites, policy.max_sites.min(n)),
    };
    if min > max {
        return Err(AppraisalError::Table {
            table: "options",
            message: format!(
                "the long list's sites per option run from {min} to {max}: the minimum is above the maximum"
            ),
        });
    }
    for k in [min, max] {
        if k == 0 || k > n {
            return Err(AppraisalError::SitesPerOption { k, sites: n, fixed });
        }
    }
    Ok((min, max))
}

/// The long list's options and range, and the search's rows when it was searched.
type LongList = (Vec<OptionAppraisal>, (usize, usize), Vec<SearchRow>);

/// Every option of the long list, projected and judged; or, when the long list is
/// larger than its bound, the best option of each size that the search finds.
fn long_list(
    p: &Prepared,
    request: &AppraisalRequest,
    wording: Wording,
) -> Result<LongList, AppraisalError> {
    let n = p.sites.len();
    let (min, max) = long_list_range(request, &p.policy, n - p.fixed, p.fixed)?;
    let count = long_list_size(n - p.fixed, min, max);
    let bound = request.max_options.unwrap_or(p.policy.max_options);
    if count > bound as u128 {
        let (options, rows) = searched(p, min, max, wording, &request.progress)?;
        return Ok((options, (min, max), rows));
    }
    let tasks = tasks(n, p.fixed, min, max);
    let options = spread(
        tasks.len(),
        |j, sc, out| {
            let (k, prefix) = &tasks[j];
            if prefix.len() == *k {
                let id = p.joined(prefix);
                let raw = p.project(&id, prefix, sc)?;
                out.push(p.assess(id, raw, wording)?);
                Ok(())
            } else {
                p.enumerate(*k, prefix, sc, &mut |raw| {
                    out.push(p.assess(p.joined(&raw.sites), raw, wording)?);
                    Ok(())
                })
            }
        },
        p,
    )?;
    Ok((options, (min, max), Vec::new()))
}

/// The options the caller gives as sites (ascending indices), checked.
fn designated(
    p: &Prepared,
    given: &[super::AppraisalOption],
) -> Result<Vec<Vec<u16>>, AppraisalError> {
    if given.is_empty() {
        return Err(AppraisalError::Table {
            table: "options",
            message: "no options given".into(),
        });
    }
    unique_ids("options", given.iter().map(|o| o.id.as_str())).map_err(fix_id_column)?;
    let index: HashMap<&str, u16> = p
        .sites
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i as u16))
        .collect();
    let mut designated = Vec::with_capacity(given.len());
    for (row, o) in given.iter().enumerate() {
        let mut sites = Vec::with_capacity(o.sites.len());
        for s in &o.sites {
            let i = *index.get(s.trim()).ok_or_else(|| {
                invalid(
                    "options",
                    row,
                    "sites",
                    format!("unknown site `{s}`; it is not in the sites table"),
                )
            })?;
            sites.push(i);
        }
        if let Some(&s) = sites.iter().find(|&&s| (s as usize) < p.fixed) {
            return Err(invalid(
                "options",
                row,
                "sites",
                format!(
                    "site `{}` is fixed open: it is designated in every option, so an option names only candidates",
                    p.sites[s as usize].id
                ),
            ));
        }
        sites.sort_unstable();
        if let Some(w) = sites.windows(2).find(|w| w[0] == w[1]) {
            return Err(invalid(
                "options",
                row,
                "sites",
                format!("site `{}` is named twice", p.sites[w[0] as usize].id),
            ));
        }
        if sites.is_empty() && p.fixed == 0 {
            return Err(invalid(
                "options",
                row,
                "sites",
                "names no site; expected the sites the option designates",
            ));
        }
        // The fixed-open sites (the first positions) and then the candidates named.
        let mut all: Vec<u16> = (0..p.fixed as u16).collect();
        all.extend(sites);
        designated.push(all);
    }
    Ok(designated)
}

/// The options the caller gives, projected and judged.
fn given_options(
    p: &Prepared,
    given: &[super::AppraisalOption],
    wording: Wording,
) -> Result<Vec<OptionAppraisal>, AppraisalError> {
    let designated = designated(p, given)?;
    spread(
        given.len(),
        |j, sc, out| {
            let raw = p.project(&given[j].id, &designated[j], sc)?;
            out.push(p.assess(given[j].id.clone(), raw, wording)?);
            Ok(())
        },
        p,
    )
}

/// Appraises the request's options, each verdict worded by `wording`.
pub(crate) fn appraise(
    p: &Arc<Prepared>,
    request: &AppraisalRequest,
    wording: Wording,
) -> Result<Appraisal, AppraisalError> {
    let (mut options, long_list, search) = match &request.options {
        None => {
            let (options, range, search) = long_list(p, request, wording)?;
            (options, Some(range), search)
        }
        Some(given) => (given_options(p, given, wording)?, None, Vec::new()),
    };
    let criteria = weighted_criteria(&p.policy, &request.weights)?;
    let scores = caller_scores(request, &options, &criteria, !search.is_empty())?;
    for o in options.iter_mut().filter(|o| o.passed) {
        score_shortlisted(p, o, &criteria, &scores)?;
    }
    let mut ranking: Vec<usize> = (0..options.len()).filter(|&i| options[i].passed).collect();
    ranking.sort_by(|&a, &b| {
        options[b]
            .total
            .cmp(&options[a].total)
            .then_with(|| options[a].id.cmp(&options[b].id))
    });
    for (r, &i) in ranking.iter().enumerate() {
        options[i].rank = Some(r + 1);
    }
    let swap = match ranking.as_slice() {
        [a, b, ..] => weight_swap(&criteria, &options[*a], &options[*b])?,
        _ => None,
    };
    Ok(Appraisal {
        ruleset: p.ruleset.clone(),
        hurdles: p.policy.hurdles.clone(),
        criteria,
        within_minutes: p.policy.within_minutes,
        long_list,
        sites: p.sites.len() - p.fixed,
        fixed_open: p.sites[..p.fixed].iter().map(|s| s.id.clone()).collect(),
        zones: p.zone_ids.len(),
        total_patients: p.patients(p.total),
        out_of_area_patients: p.patients(p.total_out),
        out_of_area_zones: p.in_area.iter().filter(|&&a| !a).count(),
        options,
        ranking,
        swap,
        search,
        _prepared: Arc::clone(p),
    })
}

/// A shortlisted option's scores and weighted total.
fn score_shortlisted(
    p: &Prepared,
    o: &mut OptionAppraisal,
    criteria: &[EvaluationCriterion],
    scores: &HashMap<(String, usize), i8>,
) -> Result<(), AppraisalError> {
    let mut total = Decimal::ZERO;
    let mut row = Vec::with_capacity(criteria.len());
    for (ci, c) in criteria.iter().enumerate() {
        let (value, band) = score_option(p, o, ci, c, scores)?;
        let (score, points) = match (value, c.value_function.is_empty()) {
            (Some(v), false) => {
                let points = c.points_of(v).ok_or_else(|| AppraisalError::Overflow {
                    quantity: format!("option {}'s value function score on `{}`", o.id, c.id),
                })?;
                let nearest = points.round_dp_with_strategy(
                    0,
                    rust_decimal::RoundingStrategy::MidpointAwayFromZero,
                );
                (i8::try_from(nearest.mantissa()).unwrap_or(0), points)
            }
            _ => (band, Decimal::from(band)),
        };
        let weighted = c
            .weight
            .checked_mul(points)
            .ok_or_else(|| AppraisalError::Overflow {
                quantity: format!("the weight of `{}` ({}) times its score", c.id, c.weight),
            })?;
        total = total
            .checked_add(weighted)
            .ok_or_else(|| AppraisalError::Overflow {
                quantity: format!("option {}'s weighted total", o.id),
            })?;
        row.push(CriterionScore {
            value,
            score,
            points,
            weighted,
        });
    }
    o.scores = row;
    o.total = Some(total);
    Ok(())
}

/// The policy's criteria with the call's weights, every weight in 0 ..= [`MAX_WEIGHT`].
fn weighted_criteria(
    policy: &AppraisalPolicy,
    weights: &BTreeMap<String, Decimal>,
) -> Result<Vec<EvaluationCriterion>, AppraisalError> {
    let mut criteria = policy.criteria.clone();
    for (id, &w) in weights {
        let c =
            criteria
                .iter_mut()
                .find(|c| c.id == *id)
                .ok_or_else(|| AppraisalError::Weight {
                    criterion: id.clone(),
                    message: format!(
                        "no such criterion; the criteria are: {}",
                        policy
                            .criteria
                            .iter()
                            .map(|c| c.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                })?;
        c.weight = w;
    }
    for c in &criteria {
        let w = c.weight;
        if w < Decimal::ZERO {
            return Err(AppraisalError::Weight {
                criterion: c.id.clone(),
                message: format!("{w} is negative; expected 0 or more"),
            });
        }
        if w > MAX_WEIGHT {
            return Err(AppraisalError::Weight {
                criterion: c.id.clone(),
                message: format!("{w} is out of range; expected 0 to {MAX_WEIGHT}"),
            });
        }
    }
    Ok(criteria)
}

/// The caller's scores by (option id, criterion index), checked.
/// The caller's scores by (option, criterion), checked. After a search the caller
/// cannot know which options will be found, so scores of options not found are passed
/// over (a found option without its score is still refused, `MissingScore`).
fn caller_scores(
    request: &AppraisalRequest,
    options: &[OptionAppraisal],
    criteria: &[EvaluationCriterion],
    searched: bool,
) -> Result<HashMap<(String, usize), i8>, AppraisalError> {
    let ids: HashSet<&str> = options.iter().map(|o| o.id.as_str()).collect();
    let mut out = HashMap::with_capacity(request.scores.len());
    for (row, s) in request.scores.iter().enumerate() {
        let ci = criteria
            .iter()
            .position(|c| c.id == s.criterion)
            .ok_or_else(|| {
                invalid(
                    "scores",
                    row,
                    "criterion",
                    format!(
                        "unknown criterion `{}`; the criteria scored by the caller are: {}",
                        s.criterion,
                        scored_ids(criteria)
                    ),
                )
            })?;
        if criteria[ci].measure != Measure::Scores {
            return Err(invalid(
                "scores",
                row,
                "criterion",
                format!(
                    "criterion `{}` is scored from the projection, not by the caller; the criteria scored by the caller are: {}",
                    s.criterion,
                    scored_ids(criteria)
                ),
            ));
        }
        if !(-2..=2).contains(&s.score) {
            return Err(invalid(
                "scores",
                row,
                "score",
                format!("{} is outside -2 (--) to +2 (++)", s.score),
            ));
        }
        if !ids.contains(s.option_id.as_str()) {
            if searched {
                continue;
            }
            return Err(invalid(
                "scores",
                row,
                "option_id",
                format!("unknown option `{}`", s.option_id),
            ));
        }
        if out.insert((s.option_id.clone(), ci), s.score).is_some() {
            return Err(invalid(
                "scores",
                row,
                "criterion",
                format!(
                    "option `{}` is scored twice on `{}`",
                    s.option_id, s.criterion
                ),
            ));
        }
    }
    Ok(out)
}

fn scored_ids(criteria: &[EvaluationCriterion]) -> String {
    let v: Vec<&str> = criteria
        .iter()
        .filter(|c| c.measure == Measure::Scores)
        .map(|c| c.id.as_str())
        .collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

/// A shortlisted option's value and score on criterion `ci`.
fn score_option(
    p: &Prepared,
    o: &OptionAppraisal,
    ci: usize,
    c: &EvaluationCriterion,
    scores: &HashMap<(String, usize), i8>,
) -> Result<(Option<Decimal>, i8), AppraisalError> {
    let better = |ord: Ordering| match c.better {
        Better::Lower => ord != Ordering::Greater,
        Better::Higher => ord != Ordering::Less,
    };
    Ok(match &c.measure {
        Measure::Scores => {
            let s = scores.get(&(o.id.clone(), ci)).copied().ok_or_else(|| {
                AppraisalError::MissingScore {
                    option: o.id.clone(),
                    criterion: c.id.clone(),
                }
            })?;
            (None, s)
        }
        Measure::MeanTravel | Measure::ShareWithin(_) => {
            let ratio = match c.measure {
                Measure::MeanTravel => Ratio {
                    num: o.exact.sum,
                    den: p.total as i128 * pow10(p.time_scale),
                },
                Measure::ShareWithin(m) => p.share(o.exact.within[p.threshold_index(m)]),
                _ => unreachable!("matched above"),
            };
            let places = if c.measure == Measure::MeanTravel {
                2
            } else {
                6
            };
            let shown = ratio
                .round(places)
                .ok_or_else(|| AppraisalError::Overflow {
                    quantity: format!(
                        "option {}'s {} for criterion `{}`",
                        o.id,
                        c.measure.kind(),
                        c.id
                    ),
                })?;
            (Some(shown), c.score_by(|t| better(ratio.cmp_dec(t))))
        }
        Measure::MaxTravel => (Some(o.max_travel_minutes), c.score_of(o.max_travel_minutes)),
        // Volumes, the number of HASUs and site measures score the candidates an option
        // chooses; its fixed-open sites are in every option.
        Measure::MinVolume | Measure::MaxVolume => {
            let vols = o
                .hasus
                .iter()
                .filter(|h| !h.fixed_open)
                .map(|h| h.projected_admissions);
            let v = if c.measure == Measure::MinVolume {
                vols.min()
            } else {
                vols.max()
            }
            .unwrap_or_default();
            (Some(v), c.score_of(v))
        }
        Measure::Hasus => {
            let v = Decimal::from(o.hasus.iter().filter(|h| !h.fixed_open).count());
            (Some(v), c.score_of(v))
        }
        Measure::SiteMeasure(name) => {
            let mut worst: Option<Decimal> = None;
            for h in o.hasus.iter().filter(|h| !h.fixed_open) {
                let v = p
                    .sites
                    .iter()
                    .find(|s| s.id == h.site_id)
                    .and_then(|s| s.measures.get(name).copied())
                    .ok_or_else(|| AppraisalError::Table {
                        table: "sites",
                        message: format!(
                            "site `{}` has no `{name}`, which criterion `{}` scores; give it for every site",
                            h.site_id, c.id
                        ),
                    })?;
                worst = Some(match (worst, c.better) {
                    (None, _) => v,
                    (Some(w), Better::Lower) => w.max(v),
                    (Some(w), Better::Higher) => w.min(v),
                });
            }
            let v = worst.unwrap_or_default();
            (Some(v), c.score_of(v))
        }
    })
}
