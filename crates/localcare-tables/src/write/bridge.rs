//! The `bridge` table: the start, each step in order, the residual.

use arrow_array::RecordBatch;
use localcare::bridge::{Bridge, BridgeStep};
use localcare::money::pounds_plain;

use super::{Builder, categories, ints, opt_ints, opt_strings, strings};
use crate::spec::{self, Face};

/// The `bridge` table of a walked bridge.
pub fn bridge(b: &Bridge, face: Face) -> RecordBatch {
    let r = || b.rows.iter();
    let mut t = Builder::new(&spec::BRIDGE, face);
    t.put("step_id", || strings(r().map(|x| &x.id)));
    t.put("order", || opt_ints(r().map(|x| x.order)));
    t.put("name", || strings(r().map(|x| &x.name)));
    t.put("kind", || categories(r().map(|x| x.kind.as_str())));
    t.put("basis", || categories(r().map(|x| x.basis.as_str())));
    t.put("amount_pence", || opt_ints(r().map(|x| x.amount_pence)));
    t.put("amount_pounds", || {
        opt_strings(r().map(|x| x.amount_pence.map(pounds_plain)))
    });
    t.put("running_total_pence", || {
        ints(r().map(|x| x.running_total_pence))
    });
    t.put("running_total_pounds", || {
        strings(r().map(|x| pounds_plain(x.running_total_pence)))
    });
    t.put("stated_pence", || opt_ints(r().map(|x| x.stated_pence)));
    t.put("source", || strings(r().map(|x| &x.source)));
    t.finish()
}

/// Steps as a `bridge_steps` table (the ruleset's built-in bridge, say), to be edited
/// and given back: the columns the reader takes, amounts in whole pence.
pub fn bridge_steps(steps: &[BridgeStep], face: Face) -> RecordBatch {
    let s = || steps.iter();
    let mut t = Builder::new(&spec::BRIDGE_STEPS, face);
    t.put("step_id", || strings(s().map(|x| &x.id)));
    t.put("name", || strings(s().map(|x| &x.name)));
    t.put("kind", || categories(s().map(|x| x.kind.as_str())));
    t.put("order", || opt_ints(s().map(|x| x.order)));
    t.put("amount_pence", || opt_ints(s().map(|x| x.amount_pence)));
    t.put("source", || strings(s().map(|x| &x.source)));
    t.finish()
}
