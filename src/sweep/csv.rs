//! The sweep CSV, its only writer and reader: one header line ([`Sweep::header`]: `run`, the
//! swept keys, then the summary columns), one row per run in run order. `skills sweep` and the
//! page's workers write the same fields ([`RunResult::tail`], [`row`], [`write`]); the page,
//! `skills exponents` and `skills merge` read them back as a [`Table`].

use super::grid::{RunSpec, Sweep};
use super::run::RunResult;
use crate::link::num;

impl Sweep {
    /// The CSV header of the result rows.
    pub fn header(&self) -> String {
        let mut h = vec!["run".to_string()];
        h.extend(self.axes.iter().map(|a| a.key.clone()));
        h.extend(
            [
                "steps", "loss", "learned", "n", "t_first", "t_all", "t_skills",
            ]
            .map(String::from),
        );
        h.extend(self.outputs.record.iter().map(|s| format!("loss@{s}")));
        if self.outputs.fit_n0 {
            h.push("best_n0".into());
        }
        h.push("error".into());
        h.join(",")
    }
}

impl RunResult {
    /// The CSV row (matches [`Sweep::header`]): the run index, the grid point's values, then
    /// [`RunResult::tail`].
    pub fn row(&self) -> String {
        row(self.index, &self.point, &self.tail())
    }

    /// The row's fields from `steps` on (they depend on the run's link only).
    pub fn tail(&self) -> String {
        let opt = |t: Option<usize>| t.map(|t| t.to_string()).unwrap_or_default();
        let mut r = vec![self.steps_done.to_string(), num(self.final_loss)];
        r.push(self.learned.to_string());
        r.push(self.n.to_string());
        r.push(opt(self.t_first));
        r.push(opt(self.t_all));
        r.push(
            self.t_skills
                .iter()
                .map(|t| opt(*t))
                .collect::<Vec<_>>()
                .join(";"),
        );
        r.extend(
            self.recorded
                .iter()
                .map(|x| if x.is_nan() { String::new() } else { num(*x) }),
        );
        if self.fit_n0 {
            r.push(self.best_n0.map(num).unwrap_or_default());
        }
        r.push(text_field(self.error.as_deref().unwrap_or_default()));
        r.join(",")
    }
}

/// A free text as one field (the error column): its commas become semicolons.
fn text_field(text: &str) -> String {
    text.replace(',', ";")
}

/// A full row from the run index, the grid point's values and the fields from `steps` on
/// ([`RunResult::tail`], or what a page worker returned for the point).
pub fn row(index: usize, point: &[(String, String)], tail: &str) -> String {
    let mut f = vec![index.to_string()];
    f.extend(point.iter().map(|(_, v)| v.clone()));
    f.push(tail.to_string());
    f.join(",")
}

/// The fields from `steps` on of a run that could not be computed (a page worker failed):
/// empty, then `message` in the error column of `header`'s CSV.
pub fn failed_tail(header: &str, spec: &RunSpec, message: &str) -> String {
    let fields = header.split(',').count();
    let lead = 1 + spec.point.len();
    let mut tail = vec![String::new(); fields.saturating_sub(lead + 1)];
    tail.push(format!("worker failed: {}", text_field(message)));
    tail.join(",")
}

/// The CSV text: the header, then each row, every line ending in `\n`.
pub fn write<R: AsRef<str>>(header: &str, rows: impl IntoIterator<Item = R>) -> String {
    let mut out = String::from(header);
    out.push('\n');
    for r in rows {
        out += r.as_ref();
        out.push('\n');
    }
    out
}

/// A sweep CSV, read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    /// The swept keys (the columns between `run` and `steps`).
    pub axes: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Read a sweep CSV (one header line starting with `run`, a `steps` column, then rows).
    /// Rows with another number of fields than the header are an error naming the line.
    pub fn parse(csv: &str) -> Result<Table, String> {
        let mut t = Table::read(csv)?;
        if t.header.first().map(String::as_str) != Some("run") {
            return Err("not a sweep CSV: the first column must be `run`".into());
        }
        let steps = t.col("steps").ok_or("not a sweep CSV: no `steps` column")?;
        t.axes = t.header[1..steps].to_vec();
        Ok(t)
    }

    /// Read any CSV with a header line (no axes: the columns are not checked), as
    /// `skills exponents` does for a table of runs made elsewhere.
    pub fn read(csv: &str) -> Result<Table, String> {
        let mut lines = csv
            .lines()
            .map(|l| l.trim_end_matches('\r'))
            .filter(|l| !l.trim().is_empty());
        let header: Vec<String> = lines
            .next()
            .ok_or("the file is empty")?
            .split(',')
            .map(str::to_string)
            .collect();
        let mut rows = vec![];
        for (i, l) in lines.enumerate() {
            let f: Vec<String> = l.split(',').map(str::to_string).collect();
            if f.len() != header.len() {
                return Err(format!(
                    "line {}: {} fields, the header has {}",
                    i + 2,
                    f.len(),
                    header.len()
                ));
            }
            rows.push(f);
        }
        Ok(Table {
            header,
            axes: vec![],
            rows,
        })
    }

    pub fn col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// The column `name`, or an error naming it.
    pub fn column(&self, name: &str) -> Result<usize, String> {
        self.col(name).ok_or_else(|| format!("no column {name:?}"))
    }

    /// A finite number in `row` at `col` (`None` for an empty, non-numeric or non-finite field).
    pub fn num(&self, row: &[String], col: Option<usize>) -> Option<f64> {
        col.and_then(|c| row.get(c))
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|v| v.is_finite())
    }

    /// Distinct values of a column, in order of first appearance.
    pub fn values(&self, name: &str) -> Vec<String> {
        let Some(c) = self.col(name) else {
            return vec![];
        };
        let mut seen = std::collections::HashSet::new();
        let mut v: Vec<String> = vec![];
        for r in &self.rows {
            if seen.insert(r[c].as_str()) {
                v.push(r[c].clone());
            }
        }
        v
    }

    /// Number of skills per run (the `n` column of the first row).
    pub fn skills(&self) -> Option<usize> {
        let c = self.col("n")?;
        self.rows.first()?.get(c)?.parse().ok()
    }

    /// The `loss@S` columns: (S, column).
    pub fn recorded(&self) -> Vec<(f64, usize)> {
        self.header
            .iter()
            .enumerate()
            .filter_map(|(i, h)| Some((h.strip_prefix("loss@")?.parse().ok()?, i)))
            .collect()
    }

    /// The first and second learning times of a two-skill run (`t_skills` = `t1;t2`).
    pub fn t12(&self, row: &[String]) -> Option<(f64, f64)> {
        let t = row.get(self.col("t_skills")?)?;
        let (a, b) = t.split_once(';')?;
        Some((a.parse().ok()?, b.parse().ok()?))
    }
}

/// Join shard outputs (CSV text with one header each) into one CSV ordered by run index.
/// Every shard must have the same header; a run index may appear only once.
pub fn merge(parts: &[String]) -> Result<String, String> {
    let mut header: Option<Vec<String>> = None;
    let mut rows: Vec<(usize, String)> = vec![];
    for (i, text) in parts.iter().enumerate() {
        let t = Table::parse(text).map_err(|e| format!("part {}: {e}", i + 1))?;
        match &header {
            None => header = Some(t.header),
            Some(first) if *first != t.header => {
                return Err(format!("part {} has another header than part 1", i + 1))
            }
            _ => {}
        }
        for r in t.rows {
            let line = r.join(",");
            let idx: usize = r[0].parse().map_err(|_| {
                // cut by characters: a byte cut can split one and panic
                let start: String = line.chars().take(40).collect();
                format!("part {}: a row without a run index: {start:?}", i + 1)
            })?;
            rows.push((idx, line));
        }
    }
    rows.sort_by_key(|(i, _)| *i);
    if let Some(w) = rows.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(format!("run {} appears twice", w[0].0));
    }
    Ok(write(
        &header.unwrap_or_default().join(","),
        rows.into_iter().map(|(_, l)| l),
    ))
}
