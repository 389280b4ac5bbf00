//! Precomputed paper-scale grids, shipped as data (`data/grids/<file>`, served with the site
//! as `grids/<file>`): sweep CSVs written by `skills sweep` (rows in run order, as `skills
//! merge` sorts them) with their provenance in comment lines:
//!
//! ```text
//! # skills sweep of 77 runs: v=1&preset=fig10n&sweep=dim:20,40,…&sweep3=seed:0
//! # commit: <the 40-digit commit the binary was built from>
//! # command: RAYON_NUM_THREADS=1 nice -n 19 skills sweep '<link>' > fig10n.csv
//! # date: <start> … <end> (UTC), <CPU seconds> s of CPU on one core
//! run,dim,alpha,seed,steps,loss,…
//! ```
//!
//! Each grid's runs are runs of one sweep preset's grid (a reduced grid keeps the preset's
//! base and picks values of its axes), so the sweep page fills the preset's grid points from
//! them at once and computes only the rest. [`read`] checks a file as any input: its
//! provenance line names a sweep, its header is that sweep's, each row is one of its runs
//! with the row's own axis values, and each row's fields pass [`super::csv::check_tail`].
//! `tests/grids.rs` re-runs a sample of stored cells and demands the same bits (toy models).

use super::csv::{check_tail, field, row, write, Table};
use super::grid::Sweep;

/// A grid shipped with the site.
#[derive(Debug, PartialEq)]
pub struct StoredGrid {
    /// The file under `data/grids/` (and `grids/` in the built site).
    pub file: &'static str,
    /// The sweep preset whose grid points it holds.
    pub preset: &'static str,
    /// What it holds of the preset's grid, and why not all of it.
    pub note: &'static str,
}

/// The grids shipped with the site (computed with `skills sweep` on one core of this
/// project's 2-core machine; data/grids/README.md has the CPU time of each).
pub const STORED_GRIDS: &[StoredGrid] = &[
    StoredGrid {
        file: "fig10n.csv",
        preset: "fig10n",
        note: "the paper's 100 000 steps for every α at 11 of the 50 dims (20 … 1000, log-like), seed 0: the full 1400-run grid is ≈ 3 CPU-hours",
    },
    StoredGrid {
        file: "fig10n-seeds.csv",
        preset: "fig10n",
        note: "seeds 1–3 at N = 40 and 220 (100 000 steps), so α_N is the median of the paper's 4 seeds",
    },
    StoredGrid {
        file: "fig10n-seeds-more.csv",
        preset: "fig10n",
        note: "seeds 1–3 at the other 9 of those 11 dims (100 000 steps), so the loss against N is the median of 4 seeds at these 11 dims",
    },
    StoredGrid {
        file: "fig10n-dims.csv",
        preset: "fig10n",
        note: "seed 0 at the other 39 of the preset's 50 dims (100 000 steps), so every dim of the paper's grid has seed 0: the loss against N at the paper's resolution",
    },
    StoredGrid {
        file: "fig10s.csv",
        preset: "fig10s",
        note: "the whole sweep",
    },
    StoredGrid {
        file: "fig10s-seeds.csv",
        preset: "fig10s-seeds",
        note: "the whole sweep",
    },
    StoredGrid {
        file: "fig18.csv",
        preset: "fig18",
        note: "the paper's 100 000 steps for every α and both modes at N = 20, 40, 100, 220, 500, 1000 (72 of the 600 runs; the full grid is ≈ 1.1 CPU-hours)",
    },
    StoredGrid {
        file: "fig19scatter.csv",
        preset: "fig19scatter",
        note: "the whole sweep (native numbers: the real networks agree with the tab's to rounding, not bit for bit)",
    },
];

/// The stored grids of a sweep preset.
pub fn grids_of(preset: &str) -> Vec<&'static StoredGrid> {
    STORED_GRIDS.iter().filter(|g| g.preset == preset).collect()
}

/// The paper's values of an exponent against α (arXiv 2501.12391, Fig. 10; docs/models.md
/// §17 of the claims table), shown beside ours.
#[derive(Debug, PartialEq)]
pub struct PaperExponent {
    /// The start of the page's label of the exponent (`α_N`, `α_S`).
    pub symbol: &'static str,
    /// (α, the paper's value).
    pub values: &'static [(f64, f64)],
    /// The figure panel it is read from.
    pub figure: &'static str,
    /// How the paper measured it.
    pub how: &'static str,
}

pub const PAPER_EXPONENTS: &[PaperExponent] = &[
    PaperExponent {
        symbol: "α_N",
        values: &[
            (1.0, 0.35),
            (1.2, 0.48),
            (1.4, 0.63),
            (1.6, 0.79),
            (1.8, 0.96),
            (2.0, 0.96),
        ],
        figure: "Fig. 10b",
        how: "Fig. 10b: 4 seeds × 99 000 steps, N = 40 → 220",
    },
    PaperExponent {
        symbol: "α_S",
        values: &[
            (1.0, 0.18),
            (1.2, 0.30),
            (1.4, 0.45),
            (1.6, 0.62),
            (1.8, 0.81),
            (2.0, 1.03),
        ],
        figure: "Fig. 10d",
        how: "Fig. 10d: one seed, SignGD, steps 80 → 200 at N = 100",
    },
];

/// The paper's value of the exponent a page label starts with, at `alpha`.
pub fn paper_value(label: &str, alpha: f64) -> Option<f64> {
    let e = PAPER_EXPONENTS
        .iter()
        .find(|e| label.starts_with(e.symbol))?;
    e.values
        .iter()
        .find(|(a, _)| (a - alpha).abs() < 1e-9)
        .map(|&(_, v)| v)
}

/// Where a grid came from: its comment lines.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Provenance {
    /// The sweep link it ran (`# skills sweep of N runs: <link>`).
    pub link: String,
    pub commit: String,
    pub command: String,
    pub date: String,
}

/// One stored run: its index in the file's sweep, its grid point, its fields from `steps` on
/// (as [`check_tail`] writes them).
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    pub index: usize,
    pub point: Vec<(String, String)>,
    pub tail: String,
}

/// A stored grid, read and checked.
#[derive(Debug)]
pub struct Stored {
    pub sweep: Sweep,
    pub provenance: Provenance,
    pub cells: Vec<Cell>,
}

/// The value of a `# key: value` comment line.
fn comment<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines()
        .take_while(|l| l.starts_with('#'))
        .find_map(|l| l.strip_prefix("# ")?.strip_prefix(key)?.strip_prefix(": "))
        .map(str::trim)
}

/// Read a stored grid's text: its provenance, its sweep and its rows, each checked.
pub fn read(text: &str) -> Result<Stored, String> {
    let t = Table::parse(text)?;
    if let Some(n) = t.notices.first() {
        return Err(format!("not whole: {n}"));
    }
    let (_, link) = t
        .sweep_source()
        .ok_or("no `# skills sweep of N runs: <link>` line")?;
    let sweep = Sweep::parse(link).map_err(|p| {
        let first = p.first().map(|p| p.to_string()).unwrap_or_default();
        format!("its sweep link has {} problem(s): {first}", p.len())
    })?;
    let want = sweep.header();
    if t.header.join(",") != want {
        return Err(format!("its header is not its sweep's ({want})"));
    }
    let axes = sweep.axes.len();
    let mut seen = vec![false; sweep.len()];
    let mut cells = Vec::with_capacity(t.rows.len());
    for (line, r) in t.rows.iter().enumerate() {
        let index: usize = r[0]
            .parse()
            .ok()
            .filter(|&i| i < sweep.len())
            .ok_or_else(|| format!("row {}: run {:?} is not a run of its sweep", line + 1, r[0]))?;
        if std::mem::replace(&mut seen[index], true) {
            return Err(format!("run {index} appears twice"));
        }
        let point = sweep.point(index);
        let same = point.iter().zip(&r[1..=axes]).all(|((_, v), f)| v == f);
        if !same {
            return Err(format!("run {index}: its axis values are not its sweep's"));
        }
        let fields: Vec<_> = r[1 + axes..].iter().map(|f| field(f)).collect();
        let tail =
            check_tail(&sweep, &fields.join(",")).map_err(|e| format!("run {index}: {e}"))?;
        cells.push(Cell { index, point, tail });
    }
    let provenance = Provenance {
        link: link.to_string(),
        commit: comment(text, "commit").unwrap_or_default().to_string(),
        command: comment(text, "command").unwrap_or_default().to_string(),
        date: comment(text, "date").unwrap_or_default().to_string(),
    };
    Ok(Stored {
        sweep,
        provenance,
        cells,
    })
}

/// The key a run's fields are known by, whichever sweep ran it: (the sweep's base link and
/// the outputs every run reports, the run's grid point as `key=value&…`). A reduced grid's
/// run and the preset's run at the same point have the same key.
pub fn cell_key(sweep: &Sweep, point: &[(String, String)], outputs: &str) -> (String, String) {
    let point: Vec<String> = point.iter().map(|(k, v)| format!("{k}={v}")).collect();
    (format!("{}\n{outputs}", sweep.base), point.join("&"))
}

/// The runs of `sweep` that the stored `grids` hold, as a sweep CSV in run order (its
/// provenance line, header and those rows), with how many runs that is: what the sweep page
/// and the tour show at once of a preset's grid.
pub fn known_csv(sweep: &Sweep, grids: &[Stored]) -> (String, usize) {
    let outputs = sweep.outputs.query();
    let mut known = std::collections::HashMap::new();
    for g in grids {
        let go = g.sweep.outputs.query();
        for c in &g.cells {
            known.insert(cell_key(&g.sweep, &c.point, &go), &c.tail);
        }
    }
    let rows: Vec<String> = (0..sweep.len())
        .filter_map(|i| {
            let point = sweep.point(i);
            let tail = known.get(&cell_key(sweep, &point, &outputs))?;
            Some(row(i, &point, tail))
        })
        .collect();
    let n = rows.len();
    (write(&sweep.csv_head(), &rows), n)
}

/// How a live re-run's fields compare with the stored ones: `None` when identical (the same
/// text, so the same bits: both are Rust's shortest round-trip form of each number), else the
/// fields that differ, named (`loss: 0.25 here, 0.2500001 stored`).
pub fn difference(sweep: &Sweep, live: &str, stored: &str) -> Option<String> {
    if live == stored {
        return None;
    }
    let header = sweep.header();
    let names: Vec<&str> = header.split(',').skip(1 + sweep.axes.len()).collect();
    let split = |s: &str| super::csv::split_line(s).unwrap_or_default();
    let (a, b) = (split(live), split(stored));
    let diffs: Vec<String> = names
        .iter()
        .enumerate()
        .filter(|&(i, _)| a.get(i) != b.get(i))
        .map(|(i, n)| {
            let shown = |v: Option<&String>| {
                v.map(|s| s.chars().take(40).collect())
                    .unwrap_or_else(|| "nothing".to_string())
            };
            format!("{n}: {} here, {} stored", shown(a.get(i)), shown(b.get(i)))
        })
        .collect();
    Some(if diffs.is_empty() {
        "the fields differ in number".to_string()
    } else {
        diffs.join("; ")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::{presets::SWEEP_PRESETS, run_one};

    #[test]
    fn every_stored_grid_names_a_sweep_preset_and_paper_values_match_the_captions() {
        for g in STORED_GRIDS {
            assert!(SWEEP_PRESETS.iter().any(|p| p.id == g.preset), "{}", g.file);
        }
        // the captions quote the same numbers (one fact, checked in both places)
        let text = |e: &PaperExponent| -> String {
            let v: Vec<String> = e.values.iter().map(|(_, v)| format!("{v:.2}")).collect();
            v.join(", ")
        };
        let find = |id: &str| SWEEP_PRESETS.iter().find(|p| p.id == id).unwrap().caption;
        assert!(find("fig10n-small").contains(&text(&PAPER_EXPONENTS[0])));
        assert!(find("fig10s-seeds").contains(&text(&PAPER_EXPONENTS[1])));
        assert_eq!(paper_value("α_N (N = 40→220)", 1.4), Some(0.63));
        assert_eq!(paper_value("α_S (steps 80→200)", 2.0), Some(1.03));
        assert_eq!(paper_value("α_S", 0.5), None);
    }

    #[test]
    fn a_stored_grid_is_read_checked_and_compared() {
        let s = Sweep::parse("v=1&m=resource&steps=40&sweep=alpha:1,2&sweep2=n0:0,0.1").unwrap();
        let rows: Vec<String> = [3, 0]
            .iter()
            .map(|&i| run_one(&s.run(i).unwrap(), &s.outputs).row())
            .collect();
        let head = s.csv_head().replacen(
            '\n',
            "\n# commit: abc\n# command: skills sweep 'x'\n# date: today\n",
            1,
        );
        let text = crate::sweep::csv::write(&head, &rows);
        let g = read(&text).unwrap();
        assert_eq!(g.cells.len(), 2);
        assert_eq!(g.cells[0].index, 3);
        assert_eq!(g.provenance.commit, "abc");
        assert_eq!(g.provenance.command, "skills sweep 'x'");
        let live = run_one(&s.run(3).unwrap(), &s.outputs).tail();
        assert_eq!(difference(&s, &live, &g.cells[0].tail), None);
        let other = run_one(&s.run(0).unwrap(), &s.outputs).tail();
        let d = difference(&s, &other, &g.cells[0].tail).unwrap();
        assert!(d.contains("loss:") && d.contains("stored"), "{d}");
        // a row moved to another run's index, a row twice, a foreign header are refused
        let moved = text.replace("\n3,2,0.1,", "\n1,2,0.1,");
        assert!(read(&moved).unwrap_err().contains("axis values"));
        let twice = format!("{text}{}\n", rows[1]);
        assert!(read(&twice).unwrap_err().contains("twice"));
        let foreign = text.replace("run,alpha,n0,", "run,alpha,n1,");
        assert!(read(&foreign).unwrap_err().contains("header"));
        let cut = &text[..text.len() - 5];
        assert!(read(cut).unwrap_err().contains("not whole"));
        assert!(read("run,steps\n")
            .unwrap_err()
            .contains("no `# skills sweep"));
    }
}
