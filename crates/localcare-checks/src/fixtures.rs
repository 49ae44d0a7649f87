//! What several checks share: the rulesets, parsed once, and a drawn footprint.

use localcare::Ruleset;
use localcare::allocate::{Need, Needs};
use localcare::footprint::{Footprint, FootprintUnit};
use localcare::rust_decimal::Decimal;

use crate::Bytes;

/// The default ruleset, `kent-medway-2017`, parsed once.
pub(crate) fn default_ruleset() -> &'static Ruleset {
    static RS: std::sync::OnceLock<Ruleset> = std::sync::OnceLock::new();
    RS.get_or_init(Ruleset::default_builtin)
}

/// The default ruleset with three age bands (no built-in ruleset has any), parsed once.
pub(crate) fn banded_ruleset() -> &'static Ruleset {
    static RS: std::sync::OnceLock<Ruleset> = std::sync::OnceLock::new();
    RS.get_or_init(|| {
        let rs = default_ruleset();
        let mut policy = rs
            .allocation_policy()
            .cloned()
            .expect("the built-in ruleset has an allocation policy");
        policy.age_band_weights = vec![
            ("under_18".into(), Decimal::new(8, 1)),
            ("adult".into(), Decimal::ONE),
            ("over_65".into(), Decimal::new(25, 1)),
        ];
        rs.with_allocation_policy(policy)
            .expect("age bands are a valid policy")
    })
}

/// The stroke review's ruleset, the one with an appraisal policy, parsed once.
pub(crate) fn stroke_ruleset() -> &'static Ruleset {
    static RS: std::sync::OnceLock<Ruleset> = std::sync::OnceLock::new();
    RS.get_or_init(|| {
        Ruleset::builtin("kent-medway-stroke-2017").expect("the stroke ruleset is built in")
    })
}

/// A tree of up to three ACOs of up to three hubs of up to four practices, with need
/// indices on some practices; also the ACO ids.
pub(crate) fn footprint(b: &mut Bytes<'_>) -> (Footprint, Needs, Vec<String>) {
    const HUB: &[&str] = &["mdt", "mental_health", "seven_day"];
    const ACO: &[&str] = &["population_accountability", "capitated_budget"];
    let mut units = Vec::new();
    let mut needs = Needs::new();
    let acos: Vec<String> = (0..1 + b.below(3)).map(|a| format!("A{a}")).collect();
    for a in &acos {
        units.push(FootprintUnit::aggregate(a, None, "aco", ACO));
        for h in 0..1 + b.below(3) {
            let hub = format!("{a}H{h}");
            units.push(FootprintUnit::aggregate(&hub, Some(a), "mcp_hub", HUB));
            for p in 0..1 + b.below(4) {
                let id = format!("{hub}P{p}");
                let pop = u64::from(b.u32() % 400_000);
                units.push(FootprintUnit::practice(&id, &hub, pop, &[]));
                if b.flag() {
                    let need_index = Some(Decimal::new(i64::from(b.u32() % 5_000), 3));
                    needs.push(
                        id,
                        Need {
                            need_index,
                            ..Need::default()
                        },
                    );
                }
            }
        }
    }
    (Footprint::new(units), needs, acos)
}
