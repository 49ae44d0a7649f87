//! Arguments that are not tables: amounts of money and the `{aco: pence}` form of
//! baselines. Tables go through `localcare-tables`.

use localcare::money::parse_money;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyString};

use crate::errors::InputErr;
use crate::input::read_table;

type Res<T> = Result<T, InputErr>;

/// Money: int pence, or text (`£617.4m`, `1,000.50` pounds, `613p` pence).
pub fn money(obj: &Bound<'_, PyAny>, what: &str) -> Res<i64> {
    if obj.is_instance_of::<PyBool>() {
        return Err(InputErr::at(
            what,
            None,
            "expected int pence or text such as `£617.4m`, got a boolean",
        ));
    }
    if obj.is_instance_of::<PyInt>() {
        return obj.extract::<i64>().map_err(|_| {
            InputErr::at(
                what,
                None,
                format!(
                    "{obj} pence overflows 64-bit pence (more than £92,233,720,368,547,758.07)"
                ),
            )
        });
    }
    if let Ok(s) = obj.cast::<PyString>() {
        let s = s
            .to_str()
            .map_err(|_| InputErr::at(what, None, "text is not valid UTF-8"))?;
        return parse_money(s).map_err(|e| InputErr::at(what, None, e.to_string()));
    }
    // numpy integers.
    if !obj.is_instance_of::<PyFloat>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(i);
        }
    }
    Err(InputErr::at(
        what,
        None,
        format!(
            "expected whole pence as an int, or text such as `£617.4m` or `613p`; got {}",
            obj.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ),
    ))
}

/// Baselines: a mapping `{aco id: pence}`, or a `baselines` table.
/// A budget given in lines: a dict `{line: amount}` (each amount as [`money`] reads
/// it), in the dict's order; `None` when `obj` is not a dict (a single budget).
pub fn budget_lines(obj: &Bound<'_, PyAny>) -> Res<Option<Vec<(String, i64)>>> {
    let Ok(d) = obj.cast::<PyDict>() else {
        return Ok(None);
    };
    let mut out = Vec::with_capacity(d.len());
    for (k, v) in d.iter() {
        let line: String = k
            .extract()
            .map_err(|_| InputErr::new("budget: keys must be budget line ids (strings)"))?;
        let pence = money(&v, &line).map_err(|e| e.within("budget"))?;
        out.push((line, pence));
    }
    Ok(Some(out))
}

pub fn baselines(obj: &Bound<'_, PyAny>) -> Res<Vec<(String, i64)>> {
    let mapping = obj
        .cast::<PyDict>()
        .ok()
        // A dict with the baselines table's id column is that table, not a mapping.
        .filter(|d| {
            !d.contains(localcare_tables::spec::BASELINES.columns[0].name)
                .unwrap_or(false)
        });
    if let Some(d) = mapping {
        let mut out = Vec::with_capacity(d.len());
        for (k, v) in d.iter() {
            let id: String = k
                .extract()
                .map_err(|_| InputErr::new("baselines: keys must be unit ids (strings)"))?;
            let pence = money(&v, &id).map_err(|e| e.within("baselines"))?;
            out.push((id, pence));
        }
        return Ok(out);
    }
    let t = read_table(obj, "baselines")?;
    Ok(localcare_tables::read::baselines(&t)?)
}
