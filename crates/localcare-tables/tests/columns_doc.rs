//! `docs/columns.md` is generated from the descriptions; this fails when it drifts.

#[test]
fn columns_doc_matches_the_descriptions() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/columns.md");
    let want = localcare_tables::docs::columns_markdown();
    if std::env::var_os("LOCALCARE_BLESS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/columns.md drifted from crates/localcare-tables/src/spec.rs; \
         rerun with LOCALCARE_BLESS=1 to regenerate it"
    );
}

/// `tests/vectors/columns.json` states each face's output columns; the descriptions
/// must give exactly those (the CLI, Python and C suites check their outputs against
/// the same file).
#[test]
fn descriptions_give_the_columns_the_vectors_state() {
    use localcare_tables::spec::{Face, TableSpec};
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/columns.json");
    let want: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let tables: [(&str, &TableSpec); 11] = [
        ("classification", &localcare_tables::spec::CLASSIFICATION),
        ("findings", &localcare_tables::spec::FINDINGS),
        ("allocation", &localcare_tables::spec::ALLOCATION),
        ("settlement", &localcare_tables::spec::SETTLEMENT),
        ("appraisal", &localcare_tables::spec::APPRAISAL),
        ("hurdles", &localcare_tables::spec::HURDLES),
        ("volumes", &localcare_tables::spec::VOLUMES),
        ("evaluation", &localcare_tables::spec::EVALUATION),
        ("search", &localcare_tables::spec::SEARCH),
        ("catchment", &localcare_tables::spec::CATCHMENT),
        ("bridge", &localcare_tables::spec::BRIDGE),
    ];
    for (name, spec) in tables {
        for (face, key) in [(Face::Cli, "cli"), (Face::Python, "python"), (Face::C, "c")] {
            let stated: Vec<&str> = want[name][key]
                .as_array()
                .unwrap_or_else(|| panic!("columns.json lacks {name}.{key}"))
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            assert_eq!(spec.names(face), stated, "{name} in the {key} face");
        }
    }
}
