//! Budget lines, components and `--allocation-from` from the command line.

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

fn run(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_localcare"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"").unwrap();
    child.wait_with_output().unwrap()
}

/// A fresh directory of this test process (no temporary-file crate is needed).
struct Dir(std::path::PathBuf);

impl Dir {
    fn new() -> Self {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "localcare-lines-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&p).unwrap();
        Dir(p)
    }
    fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn files(needs: &str) -> (Dir, String, String) {
    let dir = Dir::new();
    let fp = dir.path().join("fp.csv");
    std::fs::write(
        &fp,
        "unit_id,parent_id,declared_tier,population\nI1,,icb,\nI2,,icb,\nPL1,I1,place,\n\
         P1,PL1,gp_practice,1000\nP2,PL1,gp_practice,3000\nP3,I2,gp_practice,2000\n",
    )
    .unwrap();
    let n = dir.path().join("needs.csv");
    std::fs::write(&n, needs).unwrap();
    let s = |p: std::path::PathBuf| p.display().to_string();
    (dir, s(fp), s(n))
}

const NEEDS: &str = "unit_id,Final WP,Final PMC WP\nP1,1500.5,1200\nP2,2500.25,2900.123456789\nP3,2000.000000001,1900\n";

#[test]
fn budget_lines_split_by_their_components() {
    let (_d, fp, needs) = files(NEEDS);
    let o = run(&[
        "allocate",
        "--ruleset",
        "england-icb-2024",
        "--budget",
        "core=£1000",
        "--budget",
        "primary_medical_care=200.01",
        "--needs",
        &needs,
        &fp,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    let head: Vec<&str> = out.lines().next().unwrap().split(',').collect();
    let p1: Vec<&str> = out
        .lines()
        .find(|l| l.starts_with("P1,"))
        .unwrap()
        .split(',')
        .collect();
    let col = |name: &str| p1[head.iter().position(|h| *h == name).unwrap()];
    assert_eq!(col("allocation_pence"), "29005");
    assert_eq!(col("core_allocation_pence"), "25005");
    assert_eq!(col("primary_medical_care_allocation_pence"), "4000");
    assert_eq!(col("need_index_core"), "1.500312461");
    assert_eq!(col("wp_primary_medical_care"), "1200.000000");
    let e = run(&[
        "allocate",
        "--ruleset",
        "england-icb-2024",
        "--budget",
        "core=£1000",
        "--needs",
        &needs,
        "--explain",
        "P1",
        &fp,
    ]);
    let text = String::from_utf8_lossy(&e.stdout);
    assert!(text.contains("budget line core: £1,000.00"), "{text}");
    assert!(
        text.contains("the sum of its budget lines, core £250.05 = £250.05"),
        "{text}"
    );
}

#[test]
fn bad_budgets_and_needs_are_refused() {
    let (_d, fp, needs) = files(NEEDS);
    let err = |args: &[&str]| {
        let o = run(args);
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let (code, e) = err(&[
        "allocate",
        "--ruleset",
        "england-icb-2024",
        "--budget",
        "£1000",
        "--needs",
        &needs,
        &fp,
    ]);
    assert_eq!(code, Some(3));
    assert!(
        e.contains("splits its budget in lines (core, primary_medical_care)"),
        "{e}"
    );
    let (code, e) = err(&[
        "allocate",
        "--ruleset",
        "england-icb-2024",
        "--budget",
        "core=£1",
        "--budget",
        "5",
        "--needs",
        &needs,
        &fp,
    ]);
    assert_eq!(code, Some(2));
    assert!(e.contains("`5` is not LINE=AMOUNT"), "{e}");
    let (code, e) = err(&[
        "allocate",
        "--ruleset",
        "england-icb-2024",
        "--budget",
        "core=lots",
        "--needs",
        &needs,
        &fp,
    ]);
    assert_eq!(code, Some(2));
    assert!(e.contains("--budget core:"), "{e}");
    for (needs_text, want) in [
        (
            "unit_id,Final WP\nP1,1500.5\nP2,\nP3,2000\n",
            "unit P2: `wp_core` is missing",
        ),
        (
            "unit_id,Final WP\nP1,1500.5\nP2,-1\nP3,2000\n",
            "unit P2: `wp_core` is -1",
        ),
        (
            "unit_id,Final WP\nP1,1500.5\nP1,1\nP2,1\nP3,2000\n",
            "unit P1 appears more than once",
        ),
        (
            "unit_id,Final WP,notes\nP1,1,a\nP2,1,b\nP3,1,c\n",
            "column 3 (notes)",
        ),
    ] {
        let (_d2, fp2, n2) = files(needs_text);
        let (_, e) = err(&[
            "allocate",
            "--ruleset",
            "england-icb-2024",
            "--budget",
            "core=£1",
            "--needs",
            &n2,
            &fp2,
        ]);
        assert!(e.contains(want), "{needs_text}: {e}");
    }
}

#[test]
fn a_tier_ruleset_allocates_under_another_policy() {
    let dir = Dir::new();
    let fp = dir.path().join("fp.csv");
    std::fs::write(
        &fp,
        "unit_id,parent_id,declared_tier,population,capabilities\n\
         IHO,,integrated_health_organisation,,population_accountability;capitated_budget\n\
         S1,IHO,single_neighbourhood_provider,,modern_general_practice;neighbourhood_mdt\n\
         P1,S1,gp_practice,50000,\n",
    )
    .unwrap();
    let fp = fp.display().to_string();
    let o = run(&[
        "allocate",
        "--ruleset",
        "england-neighbourhood-2025",
        "--budget",
        "£10",
        &fp,
    ]);
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--allocation-from RULESET"));
    let pol = dir.path().join("pol.toml");
    std::fs::write(
        &pol,
        "[allocation]\naco_commissioned_share = \"1\"\ninequalities_weight = \"0\"\npots = []\n",
    )
    .unwrap();
    let o = run(&[
        "allocate",
        "--ruleset",
        "england-neighbourhood-2025",
        "--allocation-from",
        &pol.display().to_string(),
        "--budget",
        "£10",
        "--format",
        "text",
        &fp,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let n = dir.path().join("n.csv");
    std::fs::write(&n, "unit_id,wp_core\nP1,900\n").unwrap();
    let o = run(&[
        "allocate",
        "--ruleset",
        "england-neighbourhood-2025",
        "--allocation-from",
        "england-icb-2024",
        "--budget",
        "core=£10",
        "--needs",
        &n.display().to_string(),
        &fp,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(&[
        "allocate",
        "--ruleset",
        "england-neighbourhood-2025",
        "--allocation-from",
        "nowhere",
        "--budget",
        "£10",
        &fp,
    ]);
    assert_eq!(o.status.code(), Some(2));
}
