//! The `localcare` binary end to end: exit codes, messages, formats.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_localcare"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command that does not read standard input may exit before it is written.
    if let Err(e) = child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn classify_the_issue_examples() {
    let input = "unit_id,population,capabilities\n\
        a,30000,enhanced_in_hours;extended_hours\n\
        b,55000,enhanced_in_hours;extended_hours;mdt;mental_health;seven_day\n\
        c,55000,enhanced_in_hours;extended_hours\n\
        d,250000,enhanced_in_hours;extended_hours;community_care;social_care;mdt;mental_health;seven_day;population_accountability;capitated_budget\n\
        e,20000,enhanced_in_hours;extended_hours\n\
        f,60000,enhanced_in_hours;extended_hours\n";
    let o = run(&["classify", "-"], input);
    assert!(o.status.success(), "{}", err(&o));
    let rows: Vec<Vec<String>> = out(&o)
        .lines()
        .skip(1)
        .map(|l| l.split(',').take(4).map(str::to_string).collect())
        .collect();
    let want = [
        ("a", "extended_practice", "in_band"),
        ("b", "mcp_hub", "overlap"),
        ("c", "extended_practice", "overlap"),
        ("d", "gp_practice", "gap"),
        ("e", "extended_practice", "in_band"),
        ("f", "extended_practice", "overlap"),
    ];
    for (row, (id, tier, status)) in rows.iter().zip(want) {
        assert_eq!(
            (row[0].as_str(), row[2].as_str(), row[3].as_str()),
            (id, tier, status)
        );
    }
    let json = out(&run(&["classify", "--format", "json", "-"], input));
    assert!(json.contains("\"tier\": \"mcp_hub\""));
    // classify has no text form: clap refuses it rather than printing CSV.
    let o = run(&["classify", "--format", "text", "-"], input);
    assert_eq!(o.status.code(), Some(2));
    assert!(out(&o).is_empty());
    assert!(
        err(&o).contains("invalid value 'text' for '--format <FORMAT>'"),
        "{}",
        err(&o)
    );
    assert!(
        err(&o).contains("[possible values: csv, json]"),
        "{}",
        err(&o)
    );
}

#[test]
fn classify_bad_input_exits_2_naming_line_and_column_and_writes_nothing() {
    let cases = [
        (
            "unit_id,population,capabilities\na,100,\nb,-5,\n",
            "<stdin>:3: column 2 (population): population -5 is negative",
        ),
        (
            "unit_id,population,capabilities\na,,\n",
            "<stdin>:2: column 2 (population): missing; expected a number of people (population)",
        ),
        (
            "unit_id,population,capabilities\na,12x,\n",
            "<stdin>:2: column 2 (population): population `12x` is not a number of people",
        ),
        (
            "unit_id,population,capabilities\na,1,telepathy\n",
            "<stdin>:2: column 3 (capabilities): unknown capability `telepathy`",
        ),
        (
            "unit_id,population,capabilities\na,1,\na,2,\n",
            "<stdin>:3: column 1 (unit_id): duplicate unit_id `a` (first in row 0)",
        ),
        (
            "unit_id,capabilities\na,\n",
            "<stdin>:1: column `population`: missing; expected `population`; the columns are: unit_id, capabilities",
        ),
        (
            "unit_id,population,capabilities\r\na,1,\r\n\r\nb,2\r\n",
            "<stdin>:4: this row has 2 fields but the header has 3",
        ),
    ];
    for (input, message) in cases {
        let o = run(&["classify", "-"], input);
        assert_eq!(o.status.code(), Some(2), "{input}");
        assert!(err(&o).contains(message), "{input}: {}", err(&o));
        assert!(out(&o).is_empty());
    }
}

#[test]
fn validate_exit_codes() {
    let o = run(&["validate", "examples/kent-medway-synthetic.csv"], "");
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    assert!(out(&o).contains("feasible 3..=4"));
    let bad = "unit_id,parent_id,declared_tier,population,capabilities\n\
        A1,,aco,,population_accountability;capitated_budget\n\
        H1,H3,mcp_hub,,mdt;mental_health;seven_day\n\
        H2,H1,mcp_hub,,mdt;mental_health;seven_day\n\
        H3,H2,mcp_hub,,mdt;mental_health;seven_day\n\
        P1,H1,gp_practice,100,\n\
        P1,H2,gp_practice,100,\n";
    std::fs::write(std::env::temp_dir().join("lc_bad.csv"), bad).unwrap();
    let path = std::env::temp_dir().join("lc_bad.csv");
    let o = run(&["validate", path.to_str().unwrap()], "");
    assert_eq!(o.status.code(), Some(1));
    let text = out(&o);
    assert!(
        text.contains("LC103 H1: parent links form a cycle of 3 units: H1 -> H3 -> H2 -> H1"),
        "{text}"
    );
    assert!(text.contains("LC101 P1"), "{text}");
    let json = out(&run(
        &["validate", "--format", "json", path.to_str().unwrap()],
        "",
    ));
    assert!(json.contains("\"has_errors\": true"));
    let o = run(&["validate", "/nonexistent.csv"], "");
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn allocate_adds_up_and_refuses_bad_budgets() {
    let o = run(
        &[
            "allocate",
            "--budget",
            "£617.4m",
            "examples/kent-medway-synthetic.csv",
        ],
        "",
    );
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (parent, alloc) = (col("parent_id"), col("allocation_pence"));
    let mut total: i64 = 0;
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        if f[parent].is_empty() {
            total += f[alloc].parse::<i64>().unwrap();
        }
    }
    assert_eq!(total, 61_740_000_000);
    let o = run(
        &[
            "allocate",
            "--budget",
            "-5",
            "examples/kent-medway-synthetic.csv",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        err(&o),
        "localcare: --budget: `-5` is not an amount of money: it is negative\n"
    );
    let o = run(
        &[
            "allocate",
            "--budget=-£5m",
            "examples/kent-medway-synthetic.csv",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("it is negative"), "{}", err(&o));
    let o = run(
        &[
            "allocate",
            "--budget",
            "99999999999999999999",
            "examples/kent-medway-synthetic.csv",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("overflows"), "{}", err(&o));
}

#[test]
fn settle_golden_and_bad_quality() {
    let input = "unit_id,benchmark,actual,assigned_population,quality\nACO1,12000000000,11580000000,12000,0.90\n";
    let o = run(&["settle", "-"], input);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains(",189000000,1890000.00"), "{}", out(&o));
    let o = run(
        &["settle", "-"],
        "unit_id,benchmark,actual,assigned_population,quality\nACO1,100,90,12000,1.5\n",
    );
    assert_eq!(o.status.code(), Some(3));
    assert!(
        err(&o).contains("`quality` is 1.5; expected a score in [0, 1]"),
        "{}",
        err(&o)
    );
}

#[test]
fn ruleset_show_and_check() {
    let o = run(&["ruleset", "show"], "");
    assert!(out(&o).contains("000_304436ec5367c809.txt"));
    let dir = std::env::temp_dir();
    let bad = dir.join("lc_bad_rules.toml");
    let text = out(&o).replace(
        "population = { min = 20_000, max = 60_000 }",
        "population = { min = 60_000, max = 20_000 }",
    );
    std::fs::write(&bad, text).unwrap();
    let o = run(&["ruleset", "check", bad.to_str().unwrap()], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("`tiers[1].population.max`: population band is empty"),
        "{}",
        err(&o)
    );
    let good = dir.join("lc_good_rules.toml");
    std::fs::write(&good, out(&run(&["ruleset", "show"], ""))).unwrap();
    assert_eq!(
        run(&["ruleset", "check", good.to_str().unwrap()], "")
            .status
            .code(),
        Some(0)
    );
}

/// Runs the binary with its standard output's read end closed before it writes: the
/// input comes on standard input, so nothing is written until the pipe is gone.
fn run_with_closed_stdout(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_localcare"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

#[test]
fn a_closed_stdout_is_a_quiet_exit_not_a_panic() {
    let footprint = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/kent-medway-synthetic.csv"
    ))
    .unwrap();
    let settle = "unit_id,benchmark,actual,assigned_population,quality\nACO1,12000000000,11580000000,12000,0.90\n";
    let classify = "unit_id,population,capabilities\na,30000,enhanced_in_hours\n";
    let cases: [(&[&str], &str); 6] = [
        (
            &["allocate", "--budget", "1000", "--format", "json", "-"],
            &footprint,
        ),
        (&["allocate", "--budget", "1000", "-"], &footprint),
        (&["validate", "-"], &footprint),
        (&["validate", "--format", "json", "-"], &footprint),
        (&["classify", "-"], classify),
        (&["settle", "--format", "text", "-"], settle),
    ];
    for (args, stdin) in cases {
        let o = run_with_closed_stdout(args, stdin);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", err(&o));
        assert!(err(&o).is_empty(), "{args:?}: {}", err(&o));
    }
    // Reading one line and then closing, as `| head -1` does.
    let mut child = Command::new(env!("CARGO_BIN_EXE_localcare"))
        .args(["demo"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut first,
    )
    .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(first.starts_with("localcare demo"), "{first}");
    assert_ne!(o.status.code(), Some(101));
    assert!(!err(&o).contains("panicked"), "{}", err(&o));
}

#[test]
fn a_repeated_header_name_is_an_input_error_on_line_1() {
    let dir = std::env::temp_dir();
    let footprint = dir.join("lc_dup_header_footprint.csv");
    std::fs::write(
        &footprint,
        "unit_id,parent_id,declared_tier,population,population\nA,,aco,100,200\n",
    )
    .unwrap();
    let fp = footprint.to_str().unwrap();
    let needs = dir.join("lc_dup_header_needs.csv");
    std::fs::write(&needs, "unit_id,need_index,need_index\nA,1.0,2.0\n").unwrap();
    let baselines = dir.join("lc_dup_header_baselines.csv");
    std::fs::write(&baselines, "unit_id,baseline_pence,unit_id\nA,100,B\n").unwrap();
    let good = "examples/kent-medway-synthetic.csv";
    let cases: Vec<(Vec<&str>, &str, String)> = vec![
        (
            vec!["classify", "-"],
            "unit_id,population,population,capabilities\na,1,2,\n",
            "<stdin>:1: column 3: `population` appears twice in the header".to_string(),
        ),
        (
            vec!["validate", fp],
            "",
            format!("{fp}:1: column 5: `population` appears twice in the header"),
        ),
        (
            vec![
                "allocate",
                "--budget",
                "1000",
                "--needs",
                needs.to_str().unwrap(),
                good,
            ],
            "",
            format!(
                "{}:1: column 3: `need_index` appears twice in the header",
                needs.to_str().unwrap()
            ),
        ),
        (
            vec![
                "allocate",
                "--budget",
                "1000",
                "--baselines",
                baselines.to_str().unwrap(),
                good,
            ],
            "",
            format!(
                "{}:1: column 3: `unit_id` appears twice in the header",
                baselines.to_str().unwrap()
            ),
        ),
        (
            vec!["settle", "-"],
            "unit_id,benchmark,actual,assigned_population,quality,quality\nA,100,90,12000,0.9,0.1\n",
            "<stdin>:1: column 6: `quality` appears twice in the header".to_string(),
        ),
    ];
    for (args, stdin, message) in cases {
        let o = run(&args, stdin);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", err(&o));
        assert!(err(&o).contains(&message), "{args:?}: {}", err(&o));
        assert!(out(&o).is_empty(), "{args:?}");
    }
}

#[test]
fn settle_and_baseline_errors_name_file_and_line() {
    // A blank line and CRLF line ends must not shift the line named.
    let o = run(
        &["settle", "-"],
        "unit_id,benchmark,actual,assigned_population,quality\r\nA,100,90,12000,0.5\r\n\r\nB,100,90,12000,1.5\r\n",
    );
    assert_eq!(o.status.code(), Some(3), "{}", err(&o));
    assert_eq!(
        err(&o),
        "localcare: <stdin>:4: B: `quality` is 1.5; expected a score in [0, 1]\n"
    );
    let o = run(
        &["classify", "-"],
        "unit_id,population,capabilities\na,1,\n\n\nb,x,\n",
    );
    assert!(
        err(&o).contains("<stdin>:5: column 2 (population)"),
        "{}",
        err(&o)
    );

    let dir = std::env::temp_dir();
    let fp = "examples/kent-medway-synthetic.csv";
    let cases = [
        (
            "lc_baselines_dup.csv",
            "unit_id,baseline_pence\nACO1,100\nACO2,100\nACO1,200\n",
            3,
            ":4: baselines: unit ACO1 appears more than once",
        ),
        (
            "lc_baselines_negative.csv",
            "unit_id,baseline_pence\nACO1,100\nACO2,-100\n",
            3,
            ":3: baselines: unit ACO2 has a negative baseline of -100 pence",
        ),
        (
            "lc_baselines_not_aco.csv",
            "unit_id,baseline_pence\nACO1,100\nNOPE,100\n",
            3,
            ":3: baselines: unit NOPE is not an aco of the footprint",
        ),
    ];
    for (file, text, status, message) in cases {
        let path = dir.join(file);
        std::fs::write(&path, text).unwrap();
        let path = path.to_str().unwrap();
        let o = run(
            &["allocate", "--budget", "1000000", "--baselines", path, fp],
            "",
        );
        assert_eq!(o.status.code(), Some(status), "{file}: {}", err(&o));
        assert!(
            err(&o).contains(&format!("{path}{message}")),
            "{file}: {}",
            err(&o)
        );
        assert!(out(&o).is_empty());
    }
}

#[test]
fn settle_output_does_not_depend_on_how_quality_was_spelt() {
    let row = |q: &str| {
        format!(
            "unit_id,benchmark,actual,assigned_population,quality\n\
             ACO1,12000000000,11580000000,12000,{q}\n\
             ACO2,12000000000,12580000000,12000,{q}\n"
        )
    };
    for format in ["csv", "json", "text"] {
        let outputs: Vec<String> = ["0.9", "0.90", "0.900000000", "9E-1"]
            .iter()
            .map(|q| {
                let o = run(&["settle", "--format", format, "-"], &row(q));
                assert!(o.status.success(), "{q}: {}", err(&o));
                out(&o)
            })
            .collect();
        for o in &outputs[1..] {
            assert_eq!(o, &outputs[0], "--format {format}");
        }
    }
    let csv = out(&run(&["settle", "-"], &row("0.90")));
    assert!(
        csv.contains(",0.035000,0.0287997599519903980796159232,true,0.900000,true,0.450000,"),
        "{csv}"
    );
    assert!(
        csv.contains(",-0.0483333333333333333333333333,0.000000,false,0.900000,true,0.000000,"),
        "{csv}"
    );
    let json = out(&run(&["settle", "--format", "json", "-"], &row("0.90")));
    assert!(json.contains("\"sharing_rate\": \"0.450000\""), "{json}");
    assert!(json.contains("\"savings_rate\": \"0.035000\""), "{json}");
}

#[test]
fn numbers_out_of_range_are_named_as_too_large() {
    let o = run(
        &["classify", "-"],
        "unit_id,population,capabilities\na,99999999999999999999999,\n",
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains(
            "<stdin>:2: column 2 (population): population 99999999999999999999999 is too large; at most 18446744073709551615 people"
        ),
        "{}",
        err(&o)
    );
    let o = run(
        &["settle", "-"],
        "unit_id,benchmark,actual,assigned_population,quality\nA,-99999999999999999999,90,12000,0.5\n",
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("<stdin>:2: column 2 (benchmark): `-99999999999999999999` is too small; expected at least -9,223,372,036,854,775,808"),
        "{}",
        err(&o)
    );
    let cases = [
        (
            "99999999999999999999999999999999",
            "is too large for a decimal; expected between -79,228,162,514,264,337,593,543,950,335 and 79,228,162,514,264,337,593,543,950,335",
        ),
        ("1e40", "is too large for a decimal"),
        ("-1E+40", "is too large for a decimal"),
        (
            "1e-40",
            "has more decimal places than a decimal can hold (28)",
        ),
        ("1.5.3", "is not a decimal number"),
    ];
    let needs = std::env::temp_dir().join("lc_needs_too_large.csv");
    for (value, message) in cases {
        std::fs::write(&needs, format!("unit_id,need_index\nP001,{value}\n")).unwrap();
        let o = run(
            &[
                "allocate",
                "--budget",
                "1000",
                "--needs",
                needs.to_str().unwrap(),
                "examples/kent-medway-synthetic.csv",
            ],
            "",
        );
        assert_eq!(o.status.code(), Some(2), "{value}: {}", err(&o));
        assert!(
            err(&o).contains(&format!(":2: column 2 (need_index): `{value}` {message}")),
            "{value}: {}",
            err(&o)
        );
    }
}

#[test]
fn invalid_utf8_is_an_input_error_naming_the_line() {
    let path = std::env::temp_dir().join("lc_latin1.csv");
    std::fs::write(
        &path,
        b"unit_id,population,capabilities\na,1,\nb\xe9,2,\n".as_slice(),
    )
    .unwrap();
    let path = path.to_str().unwrap();
    let o = run(&["classify", path], "");
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert_eq!(
        err(&o),
        format!(
            "localcare: {path}:3: not valid UTF-8 (byte 2 of the line); save the file as UTF-8\n"
        )
    );
    assert!(out(&o).is_empty());
}

#[test]
fn a_bom_and_crlf_line_ends_read_like_plain_input() {
    let example = "examples/kent-medway-synthetic.csv";
    let plain = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/kent-medway-synthetic.csv"
    ))
    .unwrap();
    let path = std::env::temp_dir().join("lc_bom_crlf.csv");
    std::fs::write(
        &path,
        format!(
            "\u{feff}{}",
            plain.replace("\r\n", "\n").replace('\n', "\r\n")
        ),
    )
    .unwrap();
    let path = path.to_str().unwrap();
    for args in [
        vec!["validate", "--format", "json"],
        vec!["allocate", "--budget", "£617.4m"],
    ] {
        let want = run(&[args.as_slice(), &[example]].concat(), "");
        let got = run(&[args.as_slice(), &[path]].concat(), "");
        assert_eq!(
            got.status.code(),
            want.status.code(),
            "{args:?}: {}",
            err(&got)
        );
        assert_eq!(out(&got), out(&want), "{args:?}");
        assert!(err(&got).is_empty(), "{args:?}: {}", err(&got));
    }
    let o = run(
        &["classify", "-"],
        "\u{feff}unit_id,population,capabilities\r\na,30000,enhanced_in_hours;extended_hours\r\n",
    );
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        out(&o).starts_with(
            "unit_id,population,tier,band_status,reasons\na,30000,extended_practice,in_band,"
        ),
        "{}",
        out(&o)
    );
}

#[test]
fn nan_in_needs_is_an_input_error_naming_line_and_column() {
    let o = run(
        &[
            "allocate",
            "--budget",
            "1000",
            "--needs",
            "-",
            "examples/kent-medway-synthetic.csv",
        ],
        "unit_id,hi_weighted_population,need_index\nP001,100,1.0\nP002,100,NaN\n",
    );
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert_eq!(
        err(&o),
        "localcare: <stdin>:3: column 3 (need_index): `NaN` is not a decimal number\n"
    );
    assert!(out(&o).is_empty());
}

#[test]
fn a_ruleset_without_settlement_policy_is_not_blamed_on_a_row() {
    let rules = out(&run(&["ruleset", "show"], ""));
    let mut kept = Vec::new();
    let mut skip = false;
    for line in rules.lines() {
        if line.starts_with('[') {
            skip = line.starts_with("[settlement") || line.starts_with("[[settlement");
        }
        if !skip {
            kept.push(line);
        }
    }
    let path = std::env::temp_dir().join("lc_no_settlement.toml");
    std::fs::write(&path, kept.join("\n")).unwrap();
    let o = run(
        &["settle", "--ruleset", path.to_str().unwrap(), "-"],
        "unit_id,benchmark,actual,assigned_population,quality\nA,100,90,12000,0.5\n",
    );
    assert_eq!(o.status.code(), Some(3), "{}", err(&o));
    assert_eq!(
        err(&o),
        "localcare: ruleset kent-medway-2017 has no settlement policy\n"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_write_error_other_than_a_closed_pipe_exits_2_with_a_message() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_localcare"))
        .arg("demo")
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).starts_with("localcare: cannot write the output: "),
        "{}",
        err(&o)
    );
}

/// Reading is linear (the line of each row is counted as the reader goes, not from the
/// start of the file): 200,000 rows classify in one pass, and an error on the last row
/// still names its line. Not timed; a quadratic reader took minutes here.
#[test]
fn a_200000_row_csv_classifies_and_errors_name_the_last_line() {
    let mut csv = String::from("unit_id,population,capabilities\r\n");
    for i in 0..200_000 {
        csv.push_str(&format!("u{i},{},mdt;seven_day\r\n", i * 3 % 900_000));
    }
    let o = run(&["classify", "-"], &csv);
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    assert_eq!(text.lines().count(), 200_001);
    assert!(text.lines().nth(200_000).unwrap().starts_with("u199999,"));
    csv.push_str("bad,-1,\r\n");
    let o = run(&["classify", "-"], &csv);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("<stdin>:200002: column 2 (population): population -1 is negative"),
        "{}",
        err(&o)
    );
}

#[test]
fn the_synthetic_pcn_footprint_validates_with_advisory_warnings_only() {
    let o = run(
        &[
            "validate",
            "--ruleset",
            "england-pcn-2019",
            "--format",
            "json",
            "examples/england-pcn-synthetic.csv",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(v["has_errors"], false);
    let mut warned: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] != "info")
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["unit_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    warned.sort();
    // Exactly the networks outside 30,000 - 50,000 (examples/generate_pcn_footprint.py).
    let want: Vec<(String, String)> = ["N05", "N12", "N17", "N22"]
        .iter()
        .map(|n| ("LC209".to_string(), n.to_string()))
        .collect();
    assert_eq!(warned, want);
    let o = run(&["ruleset", "list"], "");
    for id in [
        "kent-medway-2017",
        "england-pcn-2019",
        "england-neighbourhood-2025",
        "kent-medway-stroke-2017",
    ] {
        assert!(out(&o).contains(id), "{}", out(&o));
    }
}

#[test]
fn allocate_explain_p017_adds_up() {
    let args = [
        "allocate",
        "--budget",
        "£617.4m",
        "--explain",
        "P017",
        "examples/kent-medway-synthetic.csv",
    ];
    let o = run(&args, "");
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    assert!(text.starts_with("how P017 (gp_practice) gets £"), "{text}");
    assert!(text.contains("commissioner split") && text.contains("P017's share of what"));
    insta::assert_snapshot!("explain_p017", text);
    // JSON: the chain of results ends at P017's allocation in the table.
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let o = run(&json_args, "");
    assert!(o.status.success(), "{}", err(&o));
    let e: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    let num = |s: &serde_json::Value, k: &str| -> Option<i64> {
        s["numbers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["name"] == k)
            .map(|n| n["value"].as_str().unwrap().parse().unwrap())
    };
    let mut carried = None;
    for s in e["steps"].as_array().unwrap() {
        if let (Some(a), Some(r)) = (num(s, "amount_pence"), num(s, "result_pence")) {
            if s["kind"] != "aco_target" {
                assert_eq!(Some(a), carried, "{}", s["text"]);
            }
            if let (Some(f), Some(k)) = (num(s, "floor_pence"), num(s, "rounding_pence")) {
                assert_eq!(f + k, r, "{}", s["text"]);
            }
            carried = Some(r);
        } else if s["kind"] == "budget" {
            carried = num(s, "result_pence");
        }
    }
    let table = run(
        &[
            "allocate",
            "--budget",
            "£617.4m",
            "--format",
            "json",
            "examples/kent-medway-synthetic.csv",
        ],
        "",
    );
    let t: serde_json::Value = serde_json::from_str(&out(&table)).unwrap();
    let row = t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["unit_id"] == "P017")
        .unwrap();
    assert_eq!(carried, row["allocation_pence"].as_i64());
    assert_eq!(e["allocation_pence"], row["allocation_pence"]);
    assert!(row["per_head_payment_pence"].as_i64().unwrap() > 0);
    // An unknown unit is an input error.
    let o = run(
        &[
            "allocate",
            "--budget",
            "£1m",
            "--explain",
            "NOPE",
            "examples/kent-medway-synthetic.csv",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("no unit or commissioner pot NOPE"),
        "{}",
        err(&o)
    );
}

/// A `localcare shift` case: activity rows, benchmarks or none, extra arguments, exit
/// status, message.
type ShiftCase = (
    &'static str,
    Option<&'static str>,
    &'static [&'static str],
    i32,
    &'static str,
);

fn temp_file(name: &str, text: &str) -> String {
    let path = std::env::temp_dir().join(format!("lc_shift_{}_{name}", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn shift_runs_settles_sweeps_and_answers() {
    // The bundled, invented activity: one row per ACO, every parameter the ruleset's.
    let o = run(&["shift", "examples/kent-medway-activity.csv"], "");
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    assert_eq!(
        &header[..4],
        [
            "unit_id",
            "emergency_admissions",
            "avoidable_share",
            "reduction"
        ]
    );
    assert!(header.contains(&"net_savings_pounds"));
    assert!(
        !header.contains(&"final_pence"),
        "no settlement without benchmarks"
    );
    assert!(text.contains("\nACO1,44648,0.400000,0.300000,"), "{text}");

    // The settle-follows vector through the command line, benchmarks in pounds, in
    // another order than the activity.
    let activity = "unit_id,emergency_admissions,reduction\nACO1,50000,\nACO2,50000,0.40\n";
    let bench = temp_file(
        "bench.csv",
        "unit_id,benchmark,assigned_population,quality\nACO2,£500m,500000,0.9\nACO1,500000000,500000,0.9\n",
    );
    let o = run(
        &["shift", "--format", "json", "--benchmarks", &bench, "-"],
        activity,
    );
    assert!(o.status.success(), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(v["totals"]["net_savings_pence"], 2_100_000_000i64);
    assert_eq!(v["totals"]["final_pence"], 540_000_000i64);
    assert_eq!(v["rows"][0]["expected_actual_pence"], 49_100_000_000i64);
    assert_eq!(v["rows"][0]["minimum_rate_met"], false);
    assert_eq!(v["rows"][1]["final_pence"], 540_000_000i64);
    assert_eq!(v["rows"][1]["final_pounds"], "5400000.00");

    let o = run(
        &["shift", "--format", "text", "--benchmarks", &bench, "-"],
        activity,
    );
    let text = out(&o);
    assert!(text.contains("expected actual spend = benchmark £500,000,000.00 - net savings £9,000,000.00 = £491,000,000.00"), "{text}");
    assert!(text.contains("net savings £21,000,000.00"), "{text}");
    assert!(
        text.contains("settlements in total: £5,400,000.00"),
        "{text}"
    );

    // The sweep: one row per (reduction, unit).
    let o = run(
        &[
            "shift",
            "--reductions",
            "0,0.2,0.4",
            "--benchmarks",
            &bench,
            "-",
        ],
        activity,
    );
    assert!(o.status.success(), "{}", err(&o));
    let rows: Vec<String> = out(&o)
        .lines()
        .skip(1)
        .filter(|l| l.starts_with("ACO"))
        .map(str::to_string)
        .collect();
    assert_eq!(rows.len(), 6);
    assert!(
        rows[4].starts_with("ACO1,50000,0.400000,0.400000,"),
        "{}",
        rows[4]
    );

    // The inverse questions, exact to the millionth.
    let four = "unit_id,emergency_admissions\nACO1,200000\nACO2,200000\nACO3,200000\nACO4,200000\n";
    for target in ["£160m", "16000000000p", "ruleset"] {
        let o = run(&["shift", "--target", target, "-"], four);
        assert!(o.status.success(), "{}", err(&o));
        assert!(
            out(&o).contains("\ntarget,,0.333334,0.400000,16000032000,160000320.00,"),
            "{}",
            out(&o)
        );
    }
    let o = run(
        &[
            "shift",
            "--target",
            "£160m",
            "examples/kent-medway-activity.csv",
            "--format",
            "text",
        ],
        "",
    );
    assert!(
        out(&o).starts_with("all units: not reachable\n"),
        "{}",
        out(&o)
    );
    let o = run(
        &[
            "shift",
            "--minimum-savings-rate",
            "--benchmarks",
            &bench,
            "--format",
            "json",
            "-",
        ],
        activity,
    );
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(v[0]["question"], "minimum_savings_rate");
    assert_eq!(v[0]["reduction"], "0.333334");
    assert_eq!(v[0]["net_savings_pence"], 1_000_002_000i64);
    let o = run(
        &["shift", "--break-even", "-"],
        "unit_id,emergency_admissions,fixed_cost_pence\nA,100000,600000000\n",
    );
    assert!(out(&o).contains("\nbreak_even,A,0.100000,"), "{}", out(&o));

    // One question at a time; the minimum savings rate needs benchmarks.
    // (No standard input: clap exits before it would read it.)
    let o = run(&["shift", "--break-even", "--target", "£1m", "-"], "");
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["shift", "--minimum-savings-rate", "-"], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("--benchmarks"), "{}", err(&o));
}

#[test]
fn shift_errors_name_file_line_and_exit_2_or_3() {
    let header = "unit_id,emergency_admissions,reduction,avoided_share\n";
    // (activity rows, benchmarks or none, extra args, status, message)
    let cases: [ShiftCase; 10] = [
        (
            "A,100,,\nB,-5,,\n",
            None,
            &[],
            3,
            "<stdin>:3: B: `emergency_admissions` is -5; expected 0 or more",
        ),
        (
            "A,100,,\n\nB,many,,\n",
            None,
            &[],
            2,
            "<stdin>:4: column 2 (emergency_admissions)",
        ),
        (
            "A,100,0.3,0.5\n",
            None,
            &[],
            2,
            "<stdin>:2: column 4 (avoided_share): A: `avoided_share` is given with `reduction`",
        ),
        (
            "A,100,,\nA,200,,\n",
            None,
            &[],
            2,
            "<stdin>:3: column 1 (unit_id): duplicate unit_id `A` (first in row 0)",
        ),
        (
            "A,100,0.5,\n",
            None,
            &[],
            3,
            "<stdin>:2: A: `reduction` is 0.5",
        ),
        (
            "A,100,,\nB,100,,\n",
            Some(
                "unit_id,benchmark_pence,assigned_population,quality\nA,100000000,6000,0.5\nB,100000000,6000,1.5\n",
            ),
            &[],
            3,
            "BENCH:3: B: `quality` is 1.5; expected a score in [0, 1]",
        ),
        (
            "A,100,,\nB,100,,\n",
            Some(
                "unit_id,benchmark_pence,assigned_population,quality\nA,1000000,6000,0.5\nC,1000000,6000,0.5\n",
            ),
            &[],
            2,
            "BENCH:3: column 1 (unit_id): unit `C` is not in the activity table",
        ),
        (
            "A,100,,\nB,100,,\n",
            Some("unit_id,benchmark_pence,assigned_population,quality\nA,1000000,6000,0.5\n"),
            &[],
            2,
            "<stdin>:3: column 1 (unit_id): unit `B` has no row in the benchmarks table",
        ),
        (
            "A,100,,\nB,100,,\n",
            None,
            &["--reductions", "0.1,0.5"],
            3,
            "<stdin>:2: A: `reduction` is 0.5",
        ),
        (
            "A,100,,\n",
            None,
            &["--reductions", "0.1,x"],
            2,
            "--reductions: `x` is not a decimal",
        ),
    ];
    for (i, (rows, bench, extra, status, message)) in cases.into_iter().enumerate() {
        let mut args = vec!["shift"];
        let path;
        if let Some(b) = bench {
            path = temp_file(&format!("bench{i}.csv"), b);
            args.extend(["--benchmarks", path.as_str()]);
        }
        args.extend(extra);
        args.push("-");
        let o = run(&args, &format!("{header}{rows}"));
        let e = err(&o);
        let message = match bench {
            Some(_) => message.replace("BENCH", args[2]),
            None => message.to_string(),
        };
        assert_eq!(o.status.code(), Some(status), "case {i}: {e}");
        assert!(e.contains(&message), "case {i}: {e}");
        assert!(out(&o).is_empty(), "case {i}");
    }
    let o = run(
        &["shift", "--target", "-3", "-"],
        "unit_id,emergency_admissions\nA,1\n",
    );
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).starts_with("localcare: --target: "), "{}", err(&o));
    // A ruleset without `[shift]` is not blamed on a row.
    let o = run(
        &["shift", "--ruleset", "england-pcn-2019", "-"],
        "unit_id,emergency_admissions\nA,1\n",
    );
    assert_eq!(o.status.code(), Some(3), "{}", err(&o));
    assert_eq!(
        err(&o),
        "localcare: ruleset england-pcn-2019 has no shift policy\n"
    );
}

const STROKE: [&str; 6] = [
    "--sites",
    "examples/kent-medway-stroke/sites.csv",
    "--zones",
    "examples/kent-medway-stroke/zones.csv",
    "--travel",
    "examples/kent-medway-stroke/travel.csv",
];

fn appraise(extra: &[&str]) -> Output {
    let mut args = vec!["appraise"];
    args.extend(STROKE);
    args.extend(extra);
    run(&args, "")
}

#[test]
fn appraise_the_bundled_example_names_the_preferred_option_and_why() {
    let o = appraise(&[]);
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    assert!(
        text.contains("91 options (the long list: every set of 2 to 4 of 7 sites)"),
        "{text}"
    );
    assert!(text.contains("Preferred: "), "{text}");
    assert!(text.contains("It ranks first with"), "{text}");
    insta::assert_snapshot!("appraise_stroke_example", text);
}

#[test]
fn appraise_tables_as_csv_and_json() {
    for (table, header) in [
        (
            "appraisal",
            "option_id,sites,hasus,passed,failed,rank,total,",
        ),
        (
            "hurdles",
            "option_id,criterion,kind,passed,observed,bound,at,reason,remedy\n",
        ),
        (
            "volumes",
            "option_id,site_id,current_admissions,projected_admissions,out_of_area_admissions,fixed_open,zones\n",
        ),
        (
            "evaluation",
            "option_id,rank,criterion,measure,value,score,score_text,points,weight,weighted\n",
        ),
    ] {
        let o = appraise(&["--format", "csv", "--table", table]);
        assert!(o.status.success(), "{}", err(&o));
        assert!(out(&o).starts_with(header), "{table}: {}", out(&o));
    }
    // 91 options x 4 hurdles, one line each (plus the header); every cell one line.
    let hurdles = out(&appraise(&["--format", "csv", "--table", "hurdles"]));
    assert_eq!(hurdles.lines().count(), 1 + 91 * 4);
    let o = appraise(&["--format", "json"]);
    assert!(o.status.success(), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(v["options"], 91);
    assert_eq!(v["appraisal"].as_array().unwrap().len(), 91);
    let preferred = v["preferred"].as_str().unwrap();
    let first = v["appraisal"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rank"] == 1)
        .unwrap();
    assert_eq!(first["option_id"], preferred);
    // The whole JSON holds every table; the catchment is the preferred option's.
    for table in [
        "appraisal",
        "hurdles",
        "volumes",
        "evaluation",
        "search",
        "catchment",
    ] {
        assert!(v[table].is_array(), "{table} missing from the JSON");
    }
    let catchment = v["catchment"].as_array().unwrap();
    assert!(!catchment.is_empty());
    assert!(catchment.iter().all(|r| r["option_id"] == preferred));
    // One option explained.
    let o = appraise(&["--explain", preferred]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).starts_with(&format!("Option {preferred}: passes every hurdle; rank 1")));
    let o = appraise(&["--explain", "NOPE"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("--explain: no option `NOPE`"),
        "{}",
        err(&o)
    );
}

#[test]
fn appraise_weights_options_and_bounds_from_the_command_line() {
    let o = appraise(&["--sites-per-option", "3", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(v["options"], 35);
    let o = appraise(&[
        "--weight",
        "access=0,thrombolysis=1",
        "--format",
        "csv",
        "--table",
        "evaluation",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        out(&o).contains(",access,mean_travel,") && out(&o).contains(",0.000000,"),
        "{}",
        out(&o)
    );
    let o = appraise(&["--weight", "speed=1"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        err(&o).contains("weight of `speed`: no such criterion"),
        "{}",
        err(&o)
    );
    let o = appraise(&["--weight", "access"]);
    assert_eq!(o.status.code(), Some(2));
    // Past its bound the long list is searched: the best option of each size, with
    // its proven bound, in the `search` table and the explanation.
    let o = appraise(&[
        "--max-options",
        "90",
        "--format",
        "csv",
        "--table",
        "search",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    let rows: Vec<String> = out(&o).lines().map(str::to_string).collect();
    assert_eq!(
        rows[0],
        "hasus,option_id,mean_travel_minutes,bound_minutes,gap_ppm,volume_outside,restarts,bound_steps"
    );
    assert_eq!(rows.len(), 4, "{rows:?}");
    // The preferred option's catchment: every zone once, at one of its HASUs.
    let o = appraise(&["--format", "csv", "--table", "catchment"]);
    assert!(o.status.success(), "{}", err(&o));
    let rows: Vec<String> = out(&o).lines().map(str::to_string).collect();
    assert_eq!(
        rows[0],
        "option_id,zone_id,site_id,minutes,patients,in_area"
    );
    let preferred = rows[1].split(',').next().unwrap().to_string();
    assert!(
        rows[1..]
            .iter()
            .all(|r| r.starts_with(&format!("{preferred},"))),
        "{rows:?}"
    );
    let mut zones: Vec<&str> = rows[1..]
        .iter()
        .map(|r| r.split(',').nth(1).unwrap())
        .collect();
    zones.dedup();
    assert_eq!(zones.len(), rows.len() - 1, "{rows:?}");
    assert!(
        rows[1..].iter().all(|r| {
            let site = r.split(',').nth(2).unwrap();
            preferred.split('+').any(|s| s == site)
        }),
        "{rows:?}"
    );
    // Enumerated, the search table is its header alone.
    let o = appraise(&["--format", "csv", "--table", "search"]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(out(&o).lines().count(), 1, "{}", out(&o));
    let o = appraise(&["--max-options", "90"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        out(&o).contains("(searched: the long list of 2 to 4 of 7 sites is past its bound"),
        "{}",
        out(&o)
    );
    assert!(out(&o).contains("Search, 3 sites"), "{}", out(&o));
    // Not a terminal: no progress unless asked for; asked for, one line per size.
    assert!(err(&o).is_empty(), "{}", err(&o));
    let o = appraise(&["--max-options", "90", "--progress"]);
    assert!(o.status.success(), "{}", err(&o));
    let stderr = err(&o);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(
        lines[0].starts_with("search 1 of 3: 2 sites, "),
        "{lines:?}"
    );
    assert!(
        lines[2].starts_with("search 3 of 3: 4 sites, "),
        "{lines:?}"
    );
    let o = appraise(&["--ruleset", "kent-medway-2017"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        err(&o).contains("ruleset kent-medway-2017 has no appraisal policy"),
        "{}",
        err(&o)
    );
    assert!(out(&o).is_empty());
}

#[test]
fn appraise_places_a_bad_row_at_its_file_and_line() {
    let dir = std::env::temp_dir().join(format!("lc-appraise-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let travel = dir.join("travel.csv");
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/kent-medway-stroke/travel.csv"),
    )
    .unwrap()
    .replacen("Z01,DVH,", "Z01,XYZ,", 1);
    std::fs::write(&travel, text).unwrap();
    let travel = travel.display().to_string();
    let o = run(
        &[
            "appraise", "--sites", STROKE[1], "--zones", STROKE[3], "--travel", &travel,
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(3));
    assert!(
        err(&o).contains(&format!(
            "{travel}:2: column 2 (site_id): unknown site `XYZ`"
        )),
        "{}",
        err(&o)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
