//! Helpers shared by the integration tests that read the shared JSON test data.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::ArrayRef;
use arrow_array::builder::StringBuilder;
use localcare_tables::Table;
use serde_json::Value;

/// The repository's root, where `tests/` and `examples/` are.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Rows (JSON objects) as a table of text columns, in order of first appearance; a list
/// is joined by `;`, a null is a null.
pub fn table(rows: &Value) -> Table {
    let rows = rows.as_array().unwrap();
    let mut names: Vec<String> = Vec::new();
    for r in rows {
        for k in r.as_object().unwrap().keys() {
            if !names.contains(k) {
                names.push(k.clone());
            }
        }
    }
    let columns = names
        .into_iter()
        .map(|n| {
            let mut b = StringBuilder::new();
            for r in rows {
                match &r[&n] {
                    Value::Null => b.append_null(),
                    Value::String(s) => b.append_value(s),
                    Value::Array(items) => b.append_value(
                        items
                            .iter()
                            .map(|i| i.as_str().unwrap())
                            .collect::<Vec<_>>()
                            .join(";"),
                    ),
                    v => b.append_value(v.to_string()),
                }
            }
            (n, vec![Arc::new(b.finish()) as ArrayRef])
        })
        .collect();
    Table::from_columns("test", columns).unwrap()
}
