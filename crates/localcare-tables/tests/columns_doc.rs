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
