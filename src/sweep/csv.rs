//! The sweep CSV, its only writer and reader, and the one rule for text in a CSV.
//!
//! A sweep CSV is a provenance line ([`Sweep::source_line`]: `# skills sweep of N runs:
//! <link>`), one header line ([`Sweep::header`]: `run`, the swept keys, then the summary
//! columns) and one row per run, each carrying its run index. `skills sweep` writes each row
//! as its run finishes (so rows may come in any order); the page writes them in run order;
//! [`merge`] sorts rows by index and checks that every run is there exactly once. `skills
//! sweep`, the page's workers and `skills merge` write the same fields ([`RunResult::tail`],
//! [`row`]); the page, `skills exponents` and `skills merge` read them back as a [`Table`],
//! within [`MAX_ROWS`], [`MAX_COLUMNS`] and [`MAX_FIELD_CHARS`] (a notice says what was cut).
//!
//! Text in a CSV ([`field`]): only validated, canonical values and numbers are written as
//! they are; free text (an error message) is quoted per RFC 4180, and a cell that is not a
//! number but starts with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with `'`
//! (OWASP's advice against formula injection). The trajectory CSV (`crate::export::csv`)
//! holds only numbers and fixed names.

use super::grid::{RunSpec, Sweep};
use super::run::RunResult;
use crate::link::num;
use std::borrow::Cow;

/// At most this many rows are read from a CSV (twice [`super::MAX_RUNS`]: a sweep's rows fit).
pub const MAX_ROWS: usize = 200_000;
/// At most this many columns (a sweep has at most 3 axes, 100 `loss@` columns and 9 others).
pub const MAX_COLUMNS: usize = 256;
/// At most this many characters in one field (`t_skills` of 100 skills is ≈ 700).
pub const MAX_FIELD_CHARS: usize = 4096;
/// The provenance line's start.
const SOURCE: &str = "# skills sweep of ";

/// One CSV field from any text: a number (or an empty text) as it is; any other text with
/// control characters turned into spaces, prefixed with `'` when a spreadsheet would read it
/// as a formula (it starts with `=`, `+`, `-`, `@`, tab or CR), and quoted per RFC 4180 when
/// it holds a comma, a quote or starts or ends with a space.
pub fn field(text: &str) -> Cow<'_, str> {
    if text.is_empty() || text.parse::<f64>().is_ok() {
        return Cow::Borrowed(text);
    }
    let formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let mut t: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if formula {
        t.insert(0, '\'');
    }
    if t.contains([',', '"']) || t.starts_with(' ') || t.ends_with(' ') {
        t = format!("\"{}\"", t.replace('"', "\"\""));
    }
    if t == text {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(t)
    }
}

/// The fields of one CSV line (RFC 4180 quotes, `""` inside a quoted field); `None` for an
/// unbalanced quote. A field is never split across lines (no writer here puts a line break
/// in one).
pub(crate) fn split_line(line: &str) -> Option<Vec<String>> {
    let mut out = vec![];
    let mut cur = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    cur.push('"');
                } else {
                    quoted = false;
                }
            } else {
                cur.push(c);
            }
        } else if c == '"' && at_start {
            quoted = true;
            at_start = false;
        } else if c == ',' {
            out.push(std::mem::take(&mut cur));
            at_start = true;
        } else {
            cur.push(c);
            at_start = false;
        }
    }
    if quoted {
        return None;
    }
    out.push(cur);
    Some(out)
}

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

    /// The provenance line: `# skills sweep of N runs: <link>` (the link as given, its
    /// control characters percent-coded), so [`merge`] can tell shards of one sweep from
    /// another's and name the runs that are missing.
    pub fn source_line(&self) -> String {
        let link: String = self
            .link
            .chars()
            .map(|c| {
                if c.is_control() {
                    format!("%{:02X}", c as u32 & 0xff)
                } else {
                    c.to_string()
                }
            })
            .collect();
        format!("{SOURCE}{} runs: {link}", self.len())
    }

    /// The CSV's first two lines (provenance and header), each ending in `\n`.
    pub fn csv_head(&self) -> String {
        format!("{}\n{}\n", self.source_line(), self.header())
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
        r.push(field(self.error.as_deref().unwrap_or_default()).into_owned());
        r.join(",")
    }
}

/// A full row from the run index, the grid point's values and the fields from `steps` on
/// ([`RunResult::tail`], or what a page worker returned for the point, checked by
/// [`check_tail`]).
pub fn row(index: usize, point: &[(String, String)], tail: &str) -> String {
    let mut f = vec![index.to_string()];
    f.extend(point.iter().map(|(_, v)| field(v).into_owned()));
    f.push(tail.to_string());
    f.join(",")
}

/// The fields from `steps` on of a run that could not be computed (a page worker failed):
/// empty, then `message` in the error column of `header`'s CSV.
pub fn failed_tail(header: &str, spec: &RunSpec, message: &str) -> String {
    let fields = header.split(',').count();
    let lead = 1 + spec.point.len();
    let mut tail = vec![String::new(); fields.saturating_sub(lead + 1)];
    tail.push(field(&format!("worker failed: {message}")).into_owned());
    tail.join(",")
}

/// A result's fields from `steps` on as a page worker returned them, checked against the
/// sweep's header before the page keeps them: the header's number of fields, a whole number
/// or nothing in `steps`, `learned`, `n`, `t_first`, `t_all`, whole numbers separated by `;`
/// in `t_skills`, a number (finite, or empty or `NaN`) in every loss column, and the error
/// column re-written by [`field`]. Returns the tail to store, or why it was refused.
pub fn check_tail(sweep: &Sweep, tail: &str) -> Result<String, String> {
    let header = sweep.header();
    let names: Vec<&str> = header.split(',').skip(1 + sweep.axes.len()).collect();
    let fields = split_line(tail).ok_or("an unbalanced quote")?;
    if fields.len() != names.len() {
        return Err(format!(
            "{} fields where {} were expected",
            fields.len(),
            names.len()
        ));
    }
    let whole = |v: &str| v.is_empty() || v.parse::<u64>().is_ok();
    for (name, v) in names.iter().zip(&fields) {
        let ok = match *name {
            "steps" | "learned" | "n" | "t_first" | "t_all" => whole(v),
            "t_skills" => v.split(';').all(whole),
            "error" => true,
            _ => v.is_empty() || v.parse::<f64>().is_ok_and(|x| x.is_finite() || x.is_nan()),
        };
        if !ok || v.chars().count() > MAX_FIELD_CHARS {
            return Err(format!("{name} = {:?} is not a valid value", short(v)));
        }
    }
    let n = fields.len();
    let mut out: Vec<Cow<str>> = fields[..n - 1]
        .iter()
        .map(|f| Cow::from(f.as_str()))
        .collect();
    out.push(field(&fields[n - 1]));
    Ok(out.join(","))
}

/// At most 40 characters of a text, for messages.
fn short(s: &str) -> String {
    let mut t: String = s.chars().take(40).collect();
    if t.len() < s.len() {
        t.push('…');
    }
    t
}

/// The CSV text: the head (provenance and header lines, as [`Sweep::csv_head`] writes them),
/// then each row, every line ending in `\n`.
pub fn write<R: AsRef<str>>(head: &str, rows: impl IntoIterator<Item = R>) -> String {
    let mut out = String::from(head);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    for r in rows {
        out += r.as_ref();
        out.push('\n');
    }
    out
}

/// A sweep CSV, read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    /// The provenance line's text after `# skills sweep of ` (`N runs: <link>`), if any.
    pub source: Option<String>,
    pub header: Vec<String>,
    /// The swept keys (the columns between `run` and `steps`).
    pub axes: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// What was left out while reading (rows past [`MAX_ROWS`], a last line cut short).
    pub notices: Vec<String>,
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
    /// `skills exponents` does for a table of runs made elsewhere. Lines starting with `#`
    /// are comments (the first `# skills sweep of …` is the provenance). A last line without
    /// its line break that does not read as a whole row was cut short (an interrupted
    /// sweep): it is left out with a notice. At most [`MAX_ROWS`] rows are read (a notice
    /// says how many more there were), [`MAX_COLUMNS`] columns and [`MAX_FIELD_CHARS`]
    /// characters per field (more is an error).
    pub fn read(csv: &str) -> Result<Table, String> {
        let csv = csv.strip_prefix('\u{feff}').unwrap_or(csv);
        let complete = csv.ends_with('\n');
        let mut t = Table::default();
        let mut header: Option<Vec<String>> = None;
        let mut more = 0usize;
        let mut lines = csv.split('\n').enumerate().peekable();
        while let Some((i, raw)) = lines.next() {
            let last = lines
                .peek()
                .is_none_or(|(_, rest)| rest.is_empty() && complete);
            let l = raw.trim_end_matches('\r');
            if l.trim().is_empty() {
                continue;
            }
            if l.starts_with('#') {
                if t.source.is_none() && header.is_none() {
                    t.source = l.strip_prefix(SOURCE).map(str::to_string);
                }
                continue;
            }
            let cut = last && !complete;
            let fields = match split_line(l) {
                Some(f) => f,
                None if cut => {
                    t.notices.push(cut_notice(i + 1));
                    break;
                }
                None => return Err(format!("line {}: an unbalanced quote", i + 1)),
            };
            if let Some(f) = fields.iter().find(|f| f.chars().count() > MAX_FIELD_CHARS) {
                return Err(format!(
                    "line {}: a field of {} characters (at most {MAX_FIELD_CHARS})",
                    i + 1,
                    f.chars().count()
                ));
            }
            let Some(h) = &header else {
                if fields.len() > MAX_COLUMNS {
                    return Err(format!("{} columns (at most {MAX_COLUMNS})", fields.len()));
                }
                header = Some(fields);
                continue;
            };
            if fields.len() != h.len() {
                if cut {
                    t.notices.push(cut_notice(i + 1));
                    break;
                }
                return Err(format!(
                    "line {}: {} fields, the header has {}",
                    i + 1,
                    fields.len(),
                    h.len()
                ));
            }
            if t.rows.len() >= MAX_ROWS {
                more += 1;
                continue;
            }
            t.rows.push(fields);
        }
        t.header = header.ok_or("the file is empty")?;
        if more > 0 {
            t.notices.push(format!(
                "{more} rows past the first {MAX_ROWS} were left out"
            ));
        }
        Ok(t)
    }

    /// The number of runs and the link of the provenance line.
    pub fn sweep_source(&self) -> Option<(usize, &str)> {
        let s = self.source.as_deref()?;
        let (n, link) = s.split_once(" runs: ")?;
        Some((n.parse().ok()?, link))
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

/// What [`merge`] made of its parts.
#[derive(Clone, Debug, PartialEq)]
pub struct Merged {
    /// The CSV: the provenance line (when the parts had one), the header and every row,
    /// sorted by run index.
    pub csv: String,
    /// The run indices missing from 0 … N−1 (N from the provenance line; without one, the
    /// gaps below the largest index).
    pub missing: Vec<usize>,
    /// What was left out while reading (a last line cut short in a part).
    pub notices: Vec<String>,
}

/// Join the outputs of a sweep's shards (CSV text, rows in any order) into one CSV ordered
/// by run index. Every part must have the same header and the same provenance line (the
/// same sweep); each row must have a whole run index (below the sweep's run count) and a
/// whole `steps`; a run index may appear only once. The runs missing are listed.
pub fn merge(parts: &[String]) -> Result<Merged, String> {
    let mut first: Option<(Option<String>, Vec<String>)> = None;
    let mut rows: Vec<(usize, String)> = vec![];
    let mut notices = vec![];
    let mut total: Option<usize> = None;
    for (i, text) in parts.iter().enumerate() {
        let t = Table::parse(text).map_err(|e| format!("part {}: {e}", i + 1))?;
        notices.extend(t.notices.iter().map(|n| format!("part {}: {n}", i + 1)));
        match &first {
            None => {
                total = t.sweep_source().map(|(n, _)| n);
                first = Some((t.source.clone(), t.header.clone()));
            }
            Some((_, h)) if *h != t.header => {
                return Err(format!("part {} has another header than part 1", i + 1))
            }
            Some((s, _)) if *s != t.source => {
                return Err(format!(
                    "part {} comes from another sweep than part 1 (their `# skills sweep` \
                     lines differ)",
                    i + 1
                ))
            }
            _ => {}
        }
        let steps = t.column("steps")?;
        for r in t.rows {
            let line: Vec<Cow<str>> = r.iter().map(|f| field(f)).collect();
            let line = line.join(",");
            let idx: usize = r[0].parse().map_err(|_| {
                // cut by characters: a byte cut can split one and panic
                let start: String = line.chars().take(40).collect();
                format!("part {}: a row without a run index: {start:?}", i + 1)
            })?;
            if total.is_some_and(|n| idx >= n) {
                return Err(format!(
                    "part {}: run {idx} is past the sweep's {} runs",
                    i + 1,
                    total.unwrap_or(0)
                ));
            }
            if r[steps].parse::<u32>().is_err() {
                return Err(format!(
                    "part {}: run {idx} has no step count ({:?})",
                    i + 1,
                    short(&r[steps])
                ));
            }
            rows.push((idx, line));
        }
    }
    rows.sort_by_key(|(i, _)| *i);
    if let Some(w) = rows.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(format!("run {} appears twice", w[0].0));
    }
    let end = total.unwrap_or_else(|| rows.last().map_or(0, |r| r.0 + 1));
    let mut missing = vec![];
    let mut next = 0;
    for &(i, _) in &rows {
        missing.extend(next..i);
        next = i + 1;
    }
    missing.extend(next..end);
    let (source, header) = first.unwrap_or_default();
    let mut head = String::new();
    if let Some(s) = source {
        head += &format!("{SOURCE}{s}\n");
    }
    head += &header.join(",");
    Ok(Merged {
        csv: write(&head, rows.into_iter().map(|(_, l)| l)),
        missing,
        notices,
    })
}

/// "line N is cut short …".
fn cut_notice(line: usize) -> String {
    format!("line {line} is cut short (an interrupted sweep?); left out")
}

/// Run indices as text: `3, 7, 8` and at most 20 of them (`… and 40 more`).
pub fn index_list(v: &[usize]) -> String {
    let shown: Vec<String> = v.iter().take(20).map(|i| i.to_string()).collect();
    if v.len() > 20 {
        format!("{} and {} more", shown.join(", "), v.len() - 20)
    } else {
        shown.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_quoted_and_formulas_neutralised() {
        for (text, want) in [
            ("", ""),
            ("0.5", "0.5"),
            ("-1e-5", "-1e-5"),
            ("adam", "adam"),
            ("diverged at step 5", "diverged at step 5"),
            ("=1+1", "'=1+1"),
            ("@SUM(1)", "'@SUM(1)"),
            ("+cmd", "'+cmd"),
            ("-2+3", "'-2+3"),
            ("\tx", "' x"),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("two\nlines\r", "\"two lines \""),
            ("=a,b", "\"'=a,b\""),
        ] {
            assert_eq!(field(text), want, "{text:?}");
            // and it reads back as one field
            let back = split_line(&field(text)).unwrap();
            assert_eq!(back.len(), 1, "{text:?}");
        }
    }

    #[test]
    fn a_swept_value_is_written_canonically() {
        // the link's raw text (`0%2E01`, `1.50`) never reaches the CSV: the canonical value does
        let s = Sweep::parse("v=1&m=resource&steps=5&sweep=n0:0%2E01,1.50").unwrap();
        let r: Vec<String> = s
            .runs()
            .map(|r| super::super::run_one(&r, &s.outputs).row())
            .collect();
        assert!(
            r[0].starts_with("0,0.01,5,") && r[1].starts_with("1,1.5,5,"),
            "{r:?}"
        );
        // a formula or a line break in a swept value is refused before any run
        for bad in ["=1+1", "@SUM(1)", "1%0A2"] {
            let e = Sweep::parse(&format!("v=1&sweep=alpha:1,{bad}")).unwrap_err();
            assert_eq!(e[0].key, "sweep", "{bad}: {e:?}");
        }
    }

    #[test]
    fn a_workers_reply_is_checked() {
        let s = Sweep::parse("v=1&m=resource&steps=5&record=2&sweep=alpha:1,2").unwrap();
        let good = "5,0.25,3,10,1,,1;2;;;;;;;;,0.5,";
        assert_eq!(check_tail(&s, good).as_deref(), Ok(good));
        assert_eq!(
            check_tail(&s, "5,NaN,3,10,1,,,,=cmd").as_deref(),
            Ok("5,NaN,3,10,1,,,,'=cmd")
        );
        for bad in [
            "5,0.25,3,10,1,,,",        // a field short
            "5,0.25,3,10,1,,,,,",      // a field too many
            "x,0.25,3,10,1,,,,",       // steps not a number
            "5,inf,3,10,1,,,,",        // not finite
            "5,=1+1,3,10,1,,,,",       // a formula in a number column
            "5,0.25,3,10,1,,1;a,,",    // t_skills not whole numbers
            "5,0.25,3,10,1,,,,\"open", // an unbalanced quote
        ] {
            assert!(check_tail(&s, bad).is_err(), "{bad}");
        }
    }
}
