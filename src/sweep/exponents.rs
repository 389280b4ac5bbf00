//! The scaling exponents of Fig. 10 from a sweep's results, one implementation for `skills
//! exponents` and the page's exponents view (docs/models.md §3.6):
//!
//! * α_N (loss against the dimension N): per group of runs, the median final loss at
//!   N = N1 and at N = N2 (the median over seeds), then `−(ln L2 − ln L1)/(ln N2 − ln N1)`
//!   ([`between`]);
//! * α_S (loss against the step): per run, `−(ln L(s2) − ln L(s1))/(ln s2 − ln s1)` from the
//!   `loss@s1` and `loss@s2` columns, then the median over the group ([`per_run`]).
//!
//! Only finite values count. The CLI groups by one column (`--by`, α by default); the page by
//! α and its series (every axis but α, `dim` and `seed`).

use super::csv::Table;
use crate::sim::metrics::two_point_exponent;
use std::collections::HashMap;
use std::hash::Hash;

/// The median (NaN for no values).
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Values gathered per group, groups in order of first appearance (a hash map keeps this
/// linear in the rows: an opened CSV may have 100 000 of them).
struct Grouped<K, V> {
    order: Vec<K>,
    index: HashMap<K, usize>,
    values: Vec<V>,
}

impl<K: Clone + Eq + Hash, V: Default> Grouped<K, V> {
    fn new() -> Self {
        Grouped {
            order: vec![],
            index: HashMap::new(),
            values: vec![],
        }
    }

    fn entry(&mut self, key: K) -> &mut V {
        let i = match self.index.get(&key) {
            Some(&i) => i,
            None => {
                self.index.insert(key.clone(), self.order.len());
                self.order.push(key);
                self.values.push(V::default());
                self.order.len() - 1
            }
        };
        &mut self.values[i]
    }

    fn into_iter(self) -> impl Iterator<Item = (K, V)> {
        self.order.into_iter().zip(self.values)
    }
}

/// The two-point exponent between `x = x1` and `x = x2` per group of rows (α_N with the `dim`
/// column and the final loss): the median of column `y` over the group's rows at each end,
/// then [`two_point_exponent`]. Every row with a finite `y` and a group (`group` gives `None`
/// to leave a row out) makes its group appear; a group without rows at both ends gets `None`.
pub fn between<K: Clone + Eq + Hash>(
    t: &Table,
    (x, y): (usize, usize),
    (x1, x2): (f64, f64),
    group: impl Fn(&[String]) -> Option<K>,
) -> Vec<(K, Option<f64>)> {
    let mut g: Grouped<K, (Vec<f64>, Vec<f64>)> = Grouped::new();
    for r in &t.rows {
        let Some(yv) = t.num(r, Some(y)) else {
            continue;
        };
        let Some(k) = group(r) else {
            continue;
        };
        let ends = g.entry(k);
        match t.num(r, Some(x)) {
            Some(xv) if xv == x1 => ends.0.push(yv),
            Some(xv) if xv == x2 => ends.1.push(yv),
            _ => {}
        }
    }
    g.into_iter()
        .map(|(k, (y1, y2))| {
            let e = (!y1.is_empty() && !y2.is_empty())
                .then(|| two_point_exponent(x1, median(y1), x2, median(y2)));
            (k, e)
        })
        .collect()
}

/// The two-point exponent of each run between two of its columns (α_S: `loss@s1` at `s1`
/// and `loss@s2` at `s2`), then the median per group; runs without two finite values or
/// with a non-finite exponent are left out.
pub fn per_run<K: Clone + Eq + Hash>(
    t: &Table,
    (s1, c1): (f64, usize),
    (s2, c2): (f64, usize),
    group: impl Fn(&[String]) -> Option<K>,
) -> Vec<(K, f64)> {
    let mut g: Grouped<K, Vec<f64>> = Grouped::new();
    for r in &t.rows {
        let (Some(l1), Some(l2)) = (t.num(r, Some(c1)), t.num(r, Some(c2))) else {
            continue;
        };
        let e = two_point_exponent(s1, l1, s2, l2);
        if !e.is_finite() {
            continue;
        }
        if let Some(k) = group(r) {
            g.entry(k).push(e);
        }
    }
    g.into_iter().map(|(k, v)| (k, median(v))).collect()
}

/// The two dims α_N is measured between on the page: 40 and 220 (the paper's) when swept,
/// else the smallest and the largest.
pub fn default_dims(t: &Table) -> Option<(f64, f64)> {
    let mut d: Vec<f64> = t
        .values("dim")
        .iter()
        .filter_map(|v| v.parse().ok())
        .collect();
    if d.len() < 2 {
        return None;
    }
    if d.contains(&40.0) && d.contains(&220.0) {
        return Some((40.0, 220.0));
    }
    d.sort_by(f64::total_cmp);
    Some((d[0], d[d.len() - 1]))
}

/// The two recorded steps α_S is measured between on the page, as (step, column): the
/// paper's window 80 → 200 when recorded, else the first two recorded steps.
pub fn default_steps(t: &Table) -> Option<((f64, usize), (f64, usize))> {
    let rec = t.recorded();
    match (
        rec.iter().find(|r| r.0 == 80.0),
        rec.iter().find(|r| r.0 == 200.0),
    ) {
        (Some(&a), Some(&b)) => Some((a, b)),
        _ => (rec.len() >= 2).then(|| (rec[0], rec[1])),
    }
}

/// `skills exponents --x <x> --at x1,x2 --by <by>`: α between `x = x1` and `x2` of column `y`
/// per value of the `by` column (see [`between`]), in order of first appearance; an error
/// names a group without rows at both ends.
pub fn exponents(
    csv: &str,
    x: &str,
    y: &str,
    x1: &str,
    x2: &str,
    by: &str,
) -> Result<Vec<(String, f64)>, String> {
    let t = Table::read(csv)?;
    let (cx, cy, cb) = (t.column(x)?, t.column(y)?, t.column(by)?);
    let (a, b): (f64, f64) = (
        x1.parse().map_err(|_| "x1 is not a number")?,
        x2.parse().map_err(|_| "x2 is not a number")?,
    );
    if !(a.is_finite() && b.is_finite() && a > 0.0 && b > 0.0 && a != b) {
        return Err(format!(
            "{x} = {x1} and {x2}: two different positive numbers are needed"
        ));
    }
    let groups = between(&t, (cx, cy), (a, b), |r| Some(r[cb].clone()));
    if groups.is_empty() {
        return Err(format!("no row has a finite {y}"));
    }
    groups
        .into_iter()
        .map(|(k, e)| match e {
            Some(e) if e.is_finite() => Ok((k, e)),
            Some(_) => Err(format!(
                "{by} = {k}: the exponent is not a finite number (a {y} of 0 at {x} = {x1} or {x2}?)"
            )),
            None => Err(format!("{by} = {k}: no rows at {x} = {x1} and {x2}")),
        })
        .collect()
}

/// `skills exponents --x steps --at s1,s2 --by <by>`: α_S per value of the `by` column from
/// the `loss@s1` and `loss@s2` columns (see [`per_run`]).
pub fn step_exponents(csv: &str, s1: u32, s2: u32, by: &str) -> Result<Vec<(String, f64)>, String> {
    let t = Table::read(csv)?;
    let c1 = t.column(&format!("loss@{s1}"))?;
    let c2 = t.column(&format!("loss@{s2}"))?;
    let cb = t.column(by)?;
    if s1 == s2 || s1 == 0 || s2 == 0 {
        return Err(format!(
            "steps {s1} and {s2}: two different positive steps are needed"
        ));
    }
    let e = per_run(&t, (s1 as f64, c1), (s2 as f64, c2), |r| {
        Some(r[cb].clone())
    });
    if e.is_empty() {
        return Err(format!(
            "no run has finite, positive losses at steps {s1} and {s2}"
        ));
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponents_of_a_synthetic_power_law() {
        // L = 3·N^(−0.34)·(seed noise that the median removes)
        let mut csv = String::from("run,alpha,dim,seed,loss\n");
        for (i, (a, e)) in [("1", 0.34), ("2", 0.9)].iter().enumerate() {
            for n in ["40", "220"] {
                for (s, k) in [(0, 1.0), (1, 1.5), (2, 1.0)] {
                    let l = 3.0 * n.parse::<f64>().unwrap().powf(-e) * k;
                    csv += &format!("{i},{a},{n},{s},{l}\n");
                }
            }
        }
        let ex = exponents(&csv, "dim", "loss", "40", "220", "alpha").unwrap();
        assert_eq!(ex.len(), 2);
        assert!(
            (ex[0].1 - 0.34).abs() < 1e-12 && (ex[1].1 - 0.9).abs() < 1e-12,
            "{ex:?}"
        );
        let steps = "run,alpha,loss@80,loss@200\n0,1,1,0.5\n1,1,1,0.5\n";
        let st = step_exponents(steps, 80, 200, "alpha").unwrap();
        assert!((st[0].1 - 2f64.ln() / 2.5f64.ln()).abs() < 1e-12);
        assert!(exponents(&csv, "dim", "loss", "40", "999", "alpha").is_err());
        assert!(exponents(&csv, "dim", "nope", "40", "220", "alpha")
            .unwrap_err()
            .contains("no column \"nope\""));
    }

    #[test]
    fn only_finite_values_count() {
        // an unreadable loss (NaN) is left out of α_N's medians, a run whose α_S is not
        // finite (a zero loss) out of α_S's
        let csv = "run,alpha,dim,loss,loss@80,loss@200\n\
                   0,1,40,1,1,0.5\n1,1,40,0,1,0\n2,1,220,0.5,1,0.5\n3,1,220,NaN,,0.5\n";
        let ex = exponents(csv, "dim", "loss", "40", "220", "alpha").unwrap();
        assert_eq!(ex.len(), 1);
        assert_eq!(ex[0].1, 0.0, "medians 0.5 and 0.5: {ex:?}");
        let st = step_exponents(csv, 80, 200, "alpha").unwrap();
        assert_eq!(st.len(), 1);
        assert!((st[0].1 - 2f64.ln() / 2.5f64.ln()).abs() < 1e-12, "{st:?}");
    }
}
