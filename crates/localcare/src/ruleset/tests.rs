use rust_decimal::Decimal;

use super::*;

const BUILTIN_TEXT: &str = include_str!("../../rulesets/kent-medway-2017.toml");

#[test]
fn builtin_loads_with_the_source_numbers() {
    let rs = Ruleset::builtin("kent-medway-2017").unwrap();
    assert_eq!(rs.id(), "kent-medway-2017");
    let bands: Vec<_> = rs
        .tiers()
        .iter()
        .map(|t| t.band().map(|b| (b.min(), b.max())))
        .collect();
    assert_eq!(
        bands,
        [
            None,
            Some((20_000, Some(60_000))),
            Some((50_000, Some(200_000))),
            Some((400_000, Some(800_000)))
        ]
    );
    assert_eq!(
        rs.allocation_policy().unwrap().aco_commissioned_share,
        "0.80".parse().unwrap()
    );
    assert_eq!(rs.capabilities().len(), 9);
    assert!(rs.settlement_policy().unwrap().illustrative);
}

#[test]
fn unknown_builtin_is_an_error() {
    let e = Ruleset::builtin("nowhere").unwrap_err();
    assert_eq!(
        e.to_string(),
        "no built-in ruleset `nowhere`; built in: kent-medway-2017, england-pcn-2019, england-neighbourhood-2025, kent-medway-stroke-2017, england-icb-2024, england-stroke-2021"
    );
}

#[test]
fn json_reads_the_same_document() {
    let rs = Ruleset::default_builtin();
    let again = Ruleset::from_json_str(&rs.to_json_string()).unwrap();
    assert_eq!(again.tiers(), rs.tiers());
    assert_eq!(again.allocation_policy(), rs.allocation_policy());
    assert_eq!(again.settlement_policy(), rs.settlement_policy());
}

/// The built-in text with one passage replaced, parsed as `bad.toml`.
fn broken(from: &str, to: &str) -> String {
    assert!(BUILTIN_TEXT.contains(from), "test fixture drifted: {from}");
    let text = BUILTIN_TEXT.replacen(from, to, 1);
    Ruleset::parse_toml(&text, "bad.toml")
        .unwrap_err()
        .to_string()
}

#[test]
fn bad_rulesets_name_key_and_line() {
    insta::assert_snapshot!(
        "duplicate_tier_id",
        broken("id = \"mcp_hub\"", "id = \"extended_practice\"")
    );
    insta::assert_snapshot!(
        "min_above_max",
        broken(
            "population = { min = 20_000, max = 60_000 }",
            "population = { min = 60_000, max = 20_000 }"
        )
    );
    insta::assert_snapshot!(
        "unknown_capability",
        broken(
            "requires = [\"mdt\", \"mental_health\", \"seven_day\"]",
            "requires = [\"mdt\", \"mental_health\", \"seven_days\"]"
        )
    );
    insta::assert_snapshot!(
        "unknown_parent",
        broken("parents = [\"aco\"]", "parents = [\"acos\"]")
    );
    insta::assert_snapshot!(
        "share_out_of_range",
        broken(
            "aco_commissioned_share = \"0.80\"",
            "aco_commissioned_share = \"1.80\""
        )
    );
    insta::assert_snapshot!(
        "pots_do_not_add_up",
        broken("share = \"1\"", "share = \"0.9\"")
    );
    insta::assert_snapshot!("syntax_error", broken("schema = 1", "schema = = 1"));
    insta::assert_snapshot!(
        "unknown_field",
        broken("schema = 1", "schema = 1\ncolour = \"blue\"")
    );
    insta::assert_snapshot!("not_a_decimal", broken("rate = \"0.5\"", "rate = \"half\""));
}

#[test]
fn json_errors_name_line_for_syntax_and_key_for_rules() {
    let e = Ruleset::from_json_str("{\n  \"schema\": 1,\n  \"id\": }").unwrap_err();
    assert!(
        matches!(
            e,
            RulesetError::Syntax {
                location: Location { line: Some(3), .. },
                ..
            }
        ),
        "{e}"
    );
    let rs = Ruleset::default_builtin();
    let json = rs
        .to_json_string()
        .replacen("\"min\": 20000", "\"min\": 90000", 1);
    let e = Ruleset::from_json_str(&json).unwrap_err();
    assert_eq!(
        e.to_string(),
        "<string>: `tiers[1].population.max`: population band is empty: max 60000 is below min 90000"
    );
}

#[test]
fn with_allocation_policy_checks_the_policy() {
    let rs = Ruleset::default_builtin();
    let mut p = rs.allocation_policy().unwrap().clone();
    p.inequalities_weight = "0.15".parse().unwrap();
    assert_eq!(
        rs.with_allocation_policy(p.clone())
            .unwrap()
            .allocation_policy()
            .unwrap()
            .inequalities_weight,
        p.inequalities_weight
    );
    p.inequalities_weight = "1.5".parse().unwrap();
    assert!(rs.with_allocation_policy(p).is_err());
}

#[test]
fn from_path_names_the_file() {
    let e = Ruleset::from_path("/nonexistent/rules.toml").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("cannot read ruleset file /nonexistent/rules.toml"),
        "{e}"
    );
}

#[test]
fn a_key_nested_past_the_readers_limit_is_placed_at_its_line() {
    let text = format!("schema = 1\n{} = 1\n", vec!["k"; 300].join("."));
    let e = Ruleset::parse_toml(&text, "deep.toml")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("deep.toml:2:1: "), "{e}");
}

#[test]
fn a_ruleset_file_that_is_not_utf8_names_the_line_and_column() {
    let path = std::env::temp_dir().join(format!("lc-not-utf8-{}.toml", std::process::id()));
    std::fs::write(&path, b"schema = 1\nid = \"a\xffb\"\n").unwrap();
    let e = Ruleset::from_path(&path).unwrap_err().to_string();
    let _ = std::fs::remove_file(&path);
    assert!(
        e.ends_with(":2:8: not valid UTF-8; save the ruleset as UTF-8"),
        "{e}"
    );
}

#[test]
fn the_successor_rulesets_load_with_tiers_only() {
    let names: Vec<&str> = Ruleset::builtin_names().collect();
    assert_eq!(
        names,
        [
            "kent-medway-2017",
            "england-pcn-2019",
            "england-neighbourhood-2025",
            "kent-medway-stroke-2017",
            "england-icb-2024",
            "england-stroke-2021"
        ]
    );
    let pcn = Ruleset::builtin("england-pcn-2019").unwrap();
    let band = pcn.tier("pcn").unwrap().band().unwrap();
    assert_eq!(
        (band.min(), band.max(), band.is_advisory()),
        (30_000, Some(50_000), true)
    );
    assert!(pcn.allocation_policy().is_none() && pcn.settlement_policy().is_none());
    let nh = Ruleset::builtin("england-neighbourhood-2025").unwrap();
    assert_eq!(
        nh.tier_ids().collect::<Vec<_>>(),
        [
            "gp_practice",
            "single_neighbourhood_provider",
            "multi_neighbourhood_provider",
            "integrated_health_organisation"
        ]
    );
    for c in [
        "population_health_management",
        "modern_general_practice",
        "standardised_community_health_services",
        "neighbourhood_mdt",
        "integrated_intermediate_care",
        "urgent_neighbourhood_services",
    ] {
        assert!(nh.capability_index(c).is_some(), "{c}");
    }
    let mnp = nh
        .tier("multi_neighbourhood_provider")
        .unwrap()
        .band()
        .unwrap();
    assert_eq!(
        (mnp.min(), mnp.max(), mnp.is_advisory()),
        (250_000, None, true)
    );
    // JSON round trip keeps the advisory flag.
    let again = Ruleset::from_json_str(&nh.to_json_string()).unwrap();
    assert_eq!(again.tiers(), nh.tiers());
    // The built-in text of every successor cites its sources.
    for name in ["england-pcn-2019", "england-neighbourhood-2025"] {
        let text = Ruleset::builtin_toml(name).unwrap();
        assert!(
            text.contains("[[sources]]") && text.contains("ADVISORY"),
            "{name}"
        );
    }
}

#[test]
fn a_ruleset_without_allocation_allocates_nothing_and_says_why() {
    use crate::allocate::{AllocationError, Needs};
    use crate::footprint::{Footprint, FootprintUnit};
    let rs = Ruleset::builtin("england-pcn-2019").unwrap();
    let fp = Footprint::new(vec![
        FootprintUnit::aggregate(
            "N1",
            None,
            "pcn",
            &[
                "network_agreement",
                "clinical_director",
                "extended_hours_access",
            ],
        ),
        FootprintUnit::practice("P1", "N1", 35_000, &[]),
    ]);
    assert!(!rs.validate(&fp).has_errors());
    let e = rs
        .allocate(&fp, 1_000_00, &Needs::default(), vec![])
        .unwrap_err();
    assert!(matches!(e, AllocationError::NoPolicy { .. }));
    assert_eq!(
        e.to_string(),
        "ruleset england-pcn-2019 has no allocation policy; give it one from another ruleset (CLI `--allocation-from RULESET`, Python `Ruleset.with_allocation_policy(...)`, C `lc_ruleset_with_allocation_policy`) or an `[allocation]` table of its own"
    );
    // Given one, it allocates.
    let km = Ruleset::default_builtin();
    let mut p = km.allocation_policy().unwrap().clone();
    p.retained_share = vec![Default::default(); 2];
    let with = rs.with_allocation_policy(p).unwrap();
    assert!(
        with.allocate(&fp, 1_000_00, &Needs::default(), vec![])
            .is_ok()
    );
}

/// A settlement table on a tiers-only ruleset, parsed as `s.toml`.
fn with_settlement(settlement: &str) -> Result<Ruleset, RulesetError> {
    let text = format!(
        "{}\n[settlement]\n{settlement}",
        Ruleset::builtin_toml("england-pcn-2019").unwrap()
    );
    Ruleset::parse_toml(&text, "s.toml")
}

#[test]
fn every_preset_loads_once_its_choices_are_made() {
    let presets = crate::settle::read::presets();
    assert_eq!(
        presets.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "mssp-2026-basic-a",
            "mssp-2026-basic-b",
            "mssp-2026-basic-c",
            "mssp-2026-basic-d",
            "mssp-2026-basic-e",
            "mssp-2026-enhanced"
        ]
    );
    for (name, doc) in &presets {
        assert!(doc.preset.is_none(), "{name}: a preset names no preset");
        let two = doc.sides.as_deref() == Some("two_sided");
        let extra = if two {
            "symmetric_msr_mlr = \"population\"\n"
        } else {
            ""
        };
        let rs = with_settlement(&format!(
            "preset = \"{name}\"\nquality_threshold = \"0.30\"\nquality_standard = \"0.80\"\n{extra}"
        ))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let p = rs.settlement_policy().unwrap();
        assert_eq!(p.preset.as_deref(), Some(name.as_str()));
        assert_eq!(p.minimum_population, 5_000);
    }
    let e = with_settlement("preset = \"mssp-2026-basic-e\"\nquality_threshold = \"0.30\"\nsymmetric_msr_mlr = \"population\"\n")
        .unwrap();
    let l = e.settlement_policy().unwrap().losses.clone().unwrap();
    assert_eq!(l.flat_rate, Some("0.30".parse().unwrap()));
    assert_eq!(l.revenue_cap, Some("0.08".parse().unwrap()));
    assert_eq!(l.cap, "0.04".parse().unwrap());
    assert!(l.minimum_loss_rate_by_population);
}

#[test]
fn settlement_policy_errors_name_the_key() {
    let e = |s: &str| with_settlement(s).unwrap_err().to_string();
    assert_eq!(
        e("preset = \"mssp-2099\"\n"),
        "s.toml:79:1: `settlement.preset`: unknown settlement preset `mssp-2099`; presets: `mssp-2026-basic-a`, `mssp-2026-basic-b`, `mssp-2026-basic-c`, `mssp-2026-basic-d`, `mssp-2026-basic-e`, `mssp-2026-enhanced`"
    );
    assert_eq!(
        e("preset = \"mssp-2026-basic-e\"\nquality_threshold = \"0.3\"\n"),
        "s.toml:78:2: `settlement.losses.minimum_loss_rate`: missing: give `losses.minimum_loss_rate` or choose `symmetric_msr_mlr` (preset `mssp-2026-basic-e` does not set it)"
    );
    assert_eq!(
        e("preset = \"mssp-2026-enhanced\"\n"),
        "s.toml:78:2: `settlement.quality_threshold`: missing: give `quality_threshold` or a `preset` (preset `mssp-2026-enhanced` does not set it)"
    );
    assert_eq!(
        e(
            "preset = \"mssp-2026-basic-c\"\nquality_threshold = \"0.3\"\nsymmetric_msr_mlr = \"0.03\"\n"
        ),
        "s.toml:81:1: `settlement.symmetric_msr_mlr`: `0.03` is not a symmetric MSR/MLR choice; expected \"0\", \"0.005\", \"0.01\", \"0.015\", \"0.02\" or \"population\""
    );
    assert_eq!(
        e(
            "preset = \"mssp-2026-basic-a\"\nquality_threshold = \"0.3\"\nquality_standard = \"0.2\"\n"
        ),
        "s.toml:81:1: `settlement.quality_standard`: quality standard 0.2 is below the quality threshold 0.3; the full standard is the higher one"
    );
    assert_eq!(
        e(
            "sides = \"two_sided\"\nsharing_rate = \"0.5\"\nquality_threshold = \"0.3\"\nsavings_cap = \"0.1\"\nminimum_savings_rate = \"0.02\"\n[settlement.losses]\nminimum_loss_rate = \"0.02\"\nflat_rate = \"0.3\"\nsharing_rate_min = \"0.4\"\nsharing_rate_max = \"0.75\"\ncap = \"0.1\"\n"
        ),
        "s.toml:86:1: `settlement.losses.flat_rate`: give either a `flat_rate` or the bounds `sharing_rate_min` and `sharing_rate_max`, not both"
    );
}

#[test]
fn builtin_shift_policy_cites_its_numbers() {
    use crate::shift::Reduction;
    let rs = Ruleset::default_builtin();
    let p = rs.shift_policy().unwrap();
    let d = |s: &str| s.parse::<Decimal>().unwrap();
    assert_eq!(p.avoidable_share, Some(d("0.40")));
    assert_eq!(p.reduction, Some(Reduction::OfAdmissions(d("0.30"))));
    assert_eq!(p.bed_day_cost_pence, Some(220_00));
    assert_eq!(p.net_savings_target_pence, Some(160_000_000_00));
    assert_eq!(p.fixed_cost_pence, None);
    // Every number given has a source; those the seeds do not give say ILLUSTRATIVE.
    for key in [
        "avoidable_share",
        "reduction",
        "bed_day_cost_pence",
        "net_savings_target_pence",
    ] {
        assert!(
            p.sources[key].starts_with("003_cdf480bb6ca41185.txt, "),
            "{key}"
        );
    }
    for key in [
        "bed_days_per_admission",
        "replacement_cost_pence",
        "occupancy",
    ] {
        assert!(p.sources[key].starts_with("ILLUSTRATIVE"), "{key}");
    }
    let again = Ruleset::from_json_str(&rs.to_json_string()).unwrap();
    assert_eq!(again.shift_policy(), rs.shift_policy());
}

#[test]
fn bad_shift_tables_name_key_and_line() {
    insta::assert_snapshot!(
        "shift_share_out_of_range",
        broken("avoidable_share = \"0.40\"", "avoidable_share = \"1.40\"")
    );
    insta::assert_snapshot!(
        "shift_reduction_above_avoidable",
        broken("reduction = \"0.30\"", "reduction = \"0.45\"")
    );
    insta::assert_snapshot!(
        "shift_both_reductions",
        broken(
            "reduction = \"0.30\"",
            "reduction = \"0.30\"\navoided_share = \"0.75\""
        )
    );
    insta::assert_snapshot!(
        "shift_zero_occupancy",
        broken("occupancy = \"0.85\"", "occupancy = \"0\"")
    );
    insta::assert_snapshot!(
        "shift_cost_not_positive",
        broken("bed_day_cost_pence = 22_000", "bed_day_cost_pence = 0")
    );
    insta::assert_snapshot!(
        "shift_negative_replacement",
        broken(
            "replacement_cost_pence = 50_000",
            "replacement_cost_pence = -1"
        )
    );
    insta::assert_snapshot!(
        "shift_unknown_source",
        broken("[shift.sources]\n", "[shift.sources]\nbeds = \"x\"\n")
    );
}

#[test]
fn the_stroke_ruleset_cites_the_seed_and_marks_the_rest_illustrative() {
    use crate::appraise::{Hurdle, Measure};
    let rs = Ruleset::load(Some("kent-medway-stroke-2017")).unwrap();
    let p = rs.appraisal_policy().unwrap();
    assert_eq!(
        p.hurdles[0].hurdle,
        Hurdle::Volume {
            min: Some(500.into()),
            max: Some(1500.into())
        }
    );
    assert!(
        p.hurdles[0]
            .source
            .as_deref()
            .unwrap()
            .contains("500 and 1,500")
    );
    // Every hurdle and criterion has a source; those the seed does not give say so.
    for (illustrative, source) in p
        .hurdles
        .iter()
        .map(|h| (h.illustrative, &h.source))
        .chain(p.criteria.iter().map(|c| (c.illustrative, &c.source)))
    {
        let source = source.as_deref().unwrap();
        assert!(!illustrative || source.contains("ILLUSTRATIVE"), "{source}");
        assert!(
            illustrative || source.contains("000_304436ec5367c809.txt"),
            "{source}"
        );
    }
    assert!(p.criteria.iter().all(|c| c.measure != Measure::Scores));
    let weights: rust_decimal::Decimal = p.criteria.iter().map(|c| c.weight).sum();
    assert_eq!(weights, rust_decimal::Decimal::ONE);
    // A ruleset without [appraisal] has no policy.
    assert!(Ruleset::default_builtin().appraisal_policy().is_none());
}

#[test]
fn bad_appraisal_sections_name_key_and_line() {
    let base = Ruleset::builtin_toml("kent-medway-stroke-2017").unwrap();
    for (from, to, want) in [
        ("min = 500\n", "min = 1600\n", "min 1600 is above max 1500"),
        (
            "kind = \"max_travel\"",
            "kind = \"nearest\"",
            "unknown hurdle kind `nearest`",
        ),
        (
            "scale = [25, 30, 35, 40]",
            "scale = [40, 35, 30, 25]",
            "thresholds must run from best to worst",
        ),
        (
            "scale = [25, 30, 35, 40]",
            "scale = [25, 30]",
            "expected four thresholds",
        ),
        (
            "capabilities = [\"seven_day_consultant\"]",
            "capabilities = [\"seven_days\"]",
            "unknown capability `seven_days`",
        ),
        (
            "weight = \"0.35\"",
            "weight = \"-0.35\"",
            "weight -0.35 is negative",
        ),
        (
            "max_sites = 4",
            "max_sites = 1",
            "max_sites 1 is below min_sites 2",
        ),
    ] {
        assert!(base.contains(from), "{from}");
        let text = base.replacen(from, to, 1);
        let e = Ruleset::parse_toml(&text, "stroke.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains(want) && e.starts_with("stroke.toml:"), "{e}");
    }
}
