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
        rs.allocation_policy().aco_commissioned_share,
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
        "no built-in ruleset `nowhere`; built in: kent-medway-2017"
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
    let mut p = rs.allocation_policy().clone();
    p.inequalities_weight = "0.15".parse().unwrap();
    assert_eq!(
        rs.with_allocation_policy(p.clone())
            .unwrap()
            .allocation_policy()
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
