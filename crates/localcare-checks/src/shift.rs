//! The shift-left model (`localcare::shift`) and its three inverse questions.

use localcare::rust_decimal::{Decimal, RoundingStrategy};
use localcare::settle::SettlementInput;
use localcare::shift::{REDUCTION_DIGITS, Reduction, ReductionAnswer, ShiftInput, ShiftOutcome};
use localcare_tables::shift::{self as table_shift, ShiftBenchmark};

use crate::Bytes;
use crate::fixtures::default_ruleset;

/// One unit, each parameter given or left to the ruleset.
pub(crate) fn input(b: &mut Bytes<'_>, i: usize) -> ShiftInput {
    ShiftInput {
        unit_id: format!("U{i}"),
        emergency_admissions: b.count(),
        avoidable_share: b.maybe(Bytes::share),
        reduction: match b.u8() % 3 {
            0 => None,
            1 => Some(Reduction::OfAdmissions(b.share())),
            _ => Some(Reduction::OfAvoidable(b.share())),
        },
        bed_days_per_admission: b.maybe(Bytes::quantity),
        bed_day_cost_pence: b.maybe(Bytes::pence),
        replacement_cost_pence: b.maybe(Bytes::pence),
        fixed_cost_pence: b.maybe(Bytes::pence),
        occupancy: b.maybe(Bytes::share),
    }
}

/// The unit at `r` of all its admissions (its own reduction set aside).
fn at(input: &ShiftInput, r: Decimal) -> ShiftInput {
    ShiftInput {
        reduction: Some(Reduction::OfAdmissions(r)),
        ..input.clone()
    }
}

/// `a x b` when it is exact (no rounding to fit 28 places or 96 bits).
fn mul(a: Decimal, b: Decimal) -> Option<Decimal> {
    a.checked_mul(b)
        .filter(|p| p.scale() == a.scale() + b.scale())
}

/// Whether net savings never fall as the reduction grows: the community care that
/// replaces an admission costs no more than the bed days it saves (the module's
/// condition for monotone net savings and exact smallest answers).
fn monotone(o: &ShiftOutcome) -> bool {
    mul(
        o.bed_days_per_admission,
        Decimal::from(o.bed_day_cost_pence),
    )
    .is_some_and(|saved| Decimal::from(o.replacement_cost_pence) <= saved)
}

/// One outcome against the model's documented arithmetic: gross − reinvestment = net;
/// the reduction within the avoidable share; gross and net within half a penny of their
/// exact values and reinvestment within a penny (when those are exact in a decimal);
/// quantities to two places.
fn outcome_holds(o: &ShiftOutcome) {
    let id = &o.unit_id;
    assert_eq!(
        o.gross_savings_pence.checked_sub(o.reinvestment_pence),
        Some(o.net_savings_pence),
        "{id}: gross - reinvestment != net"
    );
    assert!(
        o.reduction >= Decimal::ZERO && o.reduction <= o.avoidable_share,
        "{id}: reduction {} outside [0, {}]",
        o.reduction,
        o.avoidable_share
    );
    for q in [o.admissions_avoided, o.bed_days_released, o.beds_released] {
        assert!(q.scale() <= 2 && q >= Decimal::ZERO, "{id}: quantity {q}");
    }
    let exact = || -> Option<(Decimal, Decimal, Decimal, Decimal)> {
        let adm = mul(Decimal::from(o.emergency_admissions), o.reduction)?;
        let bed_days = mul(adm, o.bed_days_per_admission)?;
        let gross = mul(bed_days, Decimal::from(o.bed_day_cost_pence))?;
        let reinvest = mul(adm, Decimal::from(o.replacement_cost_pence))?
            .checked_add(Decimal::from(o.fixed_cost_pence))?;
        Some((adm, bed_days, gross, reinvest))
    };
    let Some((adm, bed_days, gross, reinvest)) = exact() else {
        return;
    };
    let half = Decimal::new(5, 1);
    let near = |got: i64, want: Decimal, by: Decimal, what: &str| {
        if let Some(d) = Decimal::from(got).checked_sub(want) {
            assert!(
                d.abs() <= by,
                "{id}: {what} {got} is not within {by} of {want}"
            );
        }
    };
    near(o.gross_savings_pence, gross, half, "gross savings");
    near(o.reinvestment_pence, reinvest, Decimal::ONE, "reinvestment");
    if let Some(net) = gross.checked_sub(reinvest) {
        near(o.net_savings_pence, net, half, "net savings");
    }
    let hundredth = Decimal::new(5, 3);
    assert!(
        (o.admissions_avoided - adm).abs() <= hundredth,
        "{id}: admissions avoided {} for {adm}",
        o.admissions_avoided
    );
    assert!(
        (o.bed_days_released - bed_days).abs() <= hundredth,
        "{id}: bed days released {} for {bed_days}",
        o.bed_days_released
    );
}

/// An inverse answer: where it answers, the condition holds there and not a millionth
/// before; where it does not, the condition fails at the largest reduction; its net
/// savings are those at the reduction it names. `smallest` adds that an earlier point,
/// `fraction` of the way to the answer, fails too (the exact smallest answer).
fn answer_holds(
    what: &str,
    ans: &ReductionAnswer,
    net_at: impl Fn(Decimal) -> Option<i64>,
    holds: impl Fn(i64) -> Option<bool>,
    smallest: bool,
    fraction: Decimal,
) {
    let step = Decimal::new(1, REDUCTION_DIGITS);
    let at = ans.reduction.unwrap_or(ans.max_reduction);
    if let Some(net) = net_at(at) {
        assert_eq!(net, ans.net_savings_pence, "{what}: net savings at {at}");
        if let Some(h) = holds(net) {
            assert_eq!(
                h,
                ans.reduction.is_some(),
                "{what}: the condition at {at} is {h}, but the answer is {:?}",
                ans.reduction
            );
        }
    }
    let Some(r) = ans.reduction else {
        return;
    };
    assert!(r <= ans.max_reduction, "{what}: {r} beyond the largest");
    assert!(
        r.scale() <= REDUCTION_DIGITS,
        "{what}: {r} is not on the grid"
    );
    if r.is_zero() {
        return;
    }
    let before = net_at(r - step).and_then(&holds);
    assert_ne!(
        before,
        Some(true),
        "{what}: already met a millionth before {r}"
    );
    let earlier = (r * fraction).round_dp_with_strategy(REDUCTION_DIGITS, RoundingStrategy::ToZero);
    if smallest && earlier < r {
        let e = net_at(earlier).and_then(&holds);
        assert_ne!(
            e,
            Some(true),
            "{what}: met at {earlier}, before the answer {r}"
        );
    }
}

/// The shift-left model over up to four units with arbitrary parameters, and its
/// inverse questions: each refused with an error, or
/// - every outcome adds up (gross − reinvestment = net) and is within half a penny of
///   its exact value; a reduction given as a share of the avoidable admissions gives
///   what the same reduction of all admissions gives;
/// - net savings never fall as the reduction grows while the replacement costs no more
///   than the bed days it saves;
/// - a batch is its units, in order, and its totals their sums;
/// - each inverse answer, applied, meets its condition and the millionth before it does
///   not (and, where net savings are monotone, no earlier point meets it);
/// - the settlement that follows settles benchmark − net savings, in the core and in
///   the tables' face alike.
pub fn shift(data: &[u8]) {
    let mut b = Bytes(data);
    let rs = default_ruleset();
    let n = 1 + b.below(4);
    let inputs: Vec<ShiftInput> = (0..n).map(|i| input(&mut b, i)).collect();
    let benchmark = b.pence();
    let population = u64::from(b.u32() % 200_000);
    let quality = b.share();
    let target = b.pence();
    let fraction = b.share().clamp(Decimal::ZERO, Decimal::ONE);

    let outcomes: Vec<Option<ShiftOutcome>> = inputs.iter().map(|i| rs.shift(i).ok()).collect();
    for (input, o) in inputs.iter().zip(&outcomes) {
        let Some(o) = o else { continue };
        outcome_holds(o);
        let same = rs
            .shift(&at(input, o.reduction))
            .expect("the outcome's own reduction, given back, is refused");
        assert_eq!(
            (
                same.gross_savings_pence,
                same.net_savings_pence,
                same.beds_released
            ),
            (o.gross_savings_pence, o.net_savings_pence, o.beds_released),
            "{}: the same reduction stated another way gives other numbers",
            o.unit_id
        );
        // A larger reduction, within the avoidable share.
        let more = (o.reduction + (o.avoidable_share - o.reduction) * fraction)
            .round_dp_with_strategy(REDUCTION_DIGITS, RoundingStrategy::ToZero)
            .max(o.reduction);
        if let (true, Ok(m)) = (monotone(o), rs.shift(&at(input, more))) {
            assert!(
                m.net_savings_pence >= o.net_savings_pence,
                "{}: net savings fell from {} at {} to {} at {more}",
                o.unit_id,
                o.net_savings_pence,
                o.reduction,
                m.net_savings_pence
            );
        }
    }

    match rs.shift_batch(&inputs) {
        Ok(s) => {
            let singles: Vec<&ShiftOutcome> = outcomes.iter().flatten().collect();
            assert_eq!(
                singles.len(),
                n,
                "a batch accepts what a unit alone does not"
            );
            assert!(
                s.units.iter().eq(singles.iter().copied()),
                "a batch is not its units"
            );
            let t = &s.totals;
            let sum = |f: fn(&ShiftOutcome) -> i64| s.units.iter().map(f).sum::<i64>();
            assert_eq!(t.units, n);
            assert_eq!(t.net_savings_pence, sum(|o| o.net_savings_pence));
            assert_eq!(t.gross_savings_pence, sum(|o| o.gross_savings_pence));
            assert_eq!(t.reinvestment_pence, sum(|o| o.reinvestment_pence));
            assert_eq!(t.emergency_admissions, sum(|o| o.emergency_admissions));
            let beds: Decimal = s.units.iter().map(|o| o.beds_released).sum();
            assert_eq!(t.beds_released, beds);
        }
        Err(_) => {
            // Refused only for a unit, or for totals past 64 bits.
            if outcomes.iter().all(Option::is_some) {
                let fits = outcomes.iter().flatten().try_fold(
                    (0i64, 0i64, 0i64, 0i64),
                    |(a, g, r, e), o| {
                        Some((
                            a.checked_add(o.net_savings_pence)?,
                            g.checked_add(o.gross_savings_pence)?,
                            r.checked_add(o.reinvestment_pence)?,
                            e.checked_add(o.emergency_admissions)?,
                        ))
                    },
                );
                assert!(fits.is_none(), "a batch refuses units that each run alone");
            }
        }
    }

    for input in &inputs {
        // The unit's parameters, resolved, at no reduction.
        let Ok(base) = rs.shift(&at(input, Decimal::ZERO)) else {
            continue;
        };
        let net_at = |r| rs.shift(&at(input, r)).ok().map(|o| o.net_savings_pence);
        if let Ok(ans) = rs.break_even_reduction(input) {
            answer_holds(
                "break-even",
                &ans,
                net_at,
                |net| Some(net >= 0),
                monotone(&base),
                fraction,
            );
        }
        if let Ok(ans) = rs.reduction_for_minimum_savings_rate(input, benchmark, population) {
            let met = |net: i64| {
                if net >= benchmark {
                    return Some(true);
                }
                rs.settle(&SettlementInput {
                    unit_id: input.unit_id.clone(),
                    benchmark_pence: benchmark,
                    actual_pence: benchmark.checked_sub(net)?,
                    assigned_population: population,
                    quality: Decimal::ONE,
                    participant_revenue_pence: None,
                })
                .ok()
                .map(|s| s.minimum_rate_met)
            };
            answer_holds("minimum savings rate", &ans, net_at, met, false, fraction);
        }
    }
    if let Ok(ans) = rs.reduction_for_target(&inputs, target) {
        let all_monotone = inputs
            .iter()
            .all(|i| rs.shift(&at(i, Decimal::ZERO)).is_ok_and(|o| monotone(&o)));
        let total = |r| {
            inputs.iter().try_fold(0i64, |acc, i| {
                acc.checked_add(rs.shift(&at(i, r)).ok()?.net_savings_pence)
            })
        };
        answer_holds(
            "target",
            &ans,
            total,
            |net| Some(net >= target),
            all_monotone,
            fraction,
        );
    }

    // The settlement that follows, in the core and through the tables' face.
    let benchmarks: Vec<ShiftBenchmark> = inputs
        .iter()
        .map(|_| ShiftBenchmark {
            benchmark_pence: benchmark,
            assigned_population: population,
            quality: Some(quality),
        })
        .collect();
    let settled: Vec<_> = inputs
        .iter()
        .map(|i| rs.shift_settle(i, benchmark, population, quality).ok())
        .collect();
    for s in settled.iter().flatten() {
        assert_eq!(
            benchmark.checked_sub(s.outcome.net_savings_pence),
            Some(s.expected_actual_pence),
            "expected actual != benchmark - net savings"
        );
        assert_eq!(s.settlement.actual_pence, s.expected_actual_pence);
    }
    if let Ok(run) = table_shift::run(rs, &inputs, Some(&benchmarks)) {
        for (row, s) in run.rows.iter().zip(&settled) {
            let s = s.as_ref().expect("the face settles what the core refuses");
            assert_eq!(row.outcome, s.outcome);
            assert_eq!(row.settlement.as_ref(), Some(&s.settlement));
        }
    }
}
