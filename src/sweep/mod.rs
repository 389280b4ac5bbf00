//! Sweeps: a base link plus one to three swept keys, e.g.
//! `v=1&vec=unit&loss=ce&sweep=dim:20..1000:50&sweep2=alpha:1,1.2,1.4`.
//!
//! Axis syntax: `key:v1,v2,…` (a list), `key:a..b:count` (count values evenly spaced from a to
//! b, both included; integers for integer keys) or `key:a..b:count:log` (log-spaced). Every
//! grid point is an ordinary link, validated by [`crate::link::parse`] like any other.
//! A sweep's results are one summary row per run (`t_skills` lists each skill's learning time,
//! `;`-separated); `record=80,200` adds the loss at those steps
//! and `fit=n0` the best-fitting N0 of the Resource model (Fig. 7 bottom).
//! Runs are numbered in grid order (the first axis varies slowest), so shards of a sweep can be
//! run anywhere and merged back bit for bit. A sweep holds its base link once and builds a
//! run's link only when the run starts ([`Sweep::run`]).
//!
//! * [`presets`]: the paper's sweeps;
//! * [`grid`]: the sweep link ([`Sweep`], [`Outputs`]) and its grid of runs;
//! * [`run`]: one grid point run and summarised ([`run_one`]);
//! * [`csv`]: the sweep CSV, written and read ([`Table`]), and [`merge`];
//! * [`exponents`](mod@exponents): α_N and α_S from the results, for the CLI and the page;
//! * [`shard`]: which shard a job-array task runs (`--shard I/K`, `slurm`, `llsub`);
//! * [`stored`]: the precomputed paper-scale grids shipped with the site (`data/grids/`).

pub mod csv;
pub mod exponents;
pub mod grid;
pub mod presets;
pub mod run;
pub mod shard;
pub mod stored;

pub use self::csv::{merge, Merged, Table};
pub use self::exponents::{exponents, median, step_exponents};
pub use self::grid::{
    as_sweep, run_count, sweep_marker, sweepable, Axis, Outputs, RunSpec, Sweep, MAX_RUNS,
};
pub use self::presets::{sweeps_of_figure, SweepPreset, SWEEP_PRESETS};
pub use self::run::{run_one, RunResult};

/// Run one grid point given as a plain link and return the result row's fields after the
/// grid point's own (see [`RunResult::tail`]): what a page worker computes per run. The page
/// puts the run index and the axis values in front ([`csv::row`]), so a result can be reused
/// in another sweep that contains the same point.
pub fn run_point(query: &str, outputs: &Outputs) -> String {
    let spec = RunSpec {
        index: 0,
        point: vec![],
        query: query.to_string(),
    };
    run_one(&spec, outputs).tail()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_order_shards_and_merge() {
        let s =
            Sweep::parse("v=1&m=resource&steps=50&sweep=alpha:1,2&sweep2=n0:0,0.01,0.1").unwrap();
        assert_eq!(s.len(), 6);
        assert_eq!(
            s.run(1).unwrap().query,
            "v=1&m=resource&steps=50&alpha=1&n0=0.01"
        );
        assert_eq!(s.run(6), None);
        let all: Vec<String> = s.runs().map(|r| run_one(&r, &s.outputs).row()).collect();
        let whole = csv::write(&s.csv_head(), &all);
        assert!(whole.starts_with(
            "# skills sweep of 6 runs: v=1&m=resource&steps=50&sweep=alpha:1,2&sweep2=n0:0,0.01,0.1\nrun,alpha,n0,"
        ));
        // shards, their rows in any order (as runs finish), merge back to the whole
        let parts: Vec<String> = (0..4)
            .map(|i| {
                let mut rows: Vec<String> = s
                    .shard(i, 4)
                    .map(|k| run_one(&s.run(k).unwrap(), &s.outputs).row())
                    .collect();
                rows.reverse();
                csv::write(&s.csv_head(), &rows)
            })
            .collect();
        let m = merge(&parts).unwrap();
        assert_eq!(m.csv, whole, "shards merged equal the unsharded sweep");
        assert!(m.missing.is_empty() && m.notices.is_empty());
        assert!(merge(&[whole.clone(), whole.clone()])
            .unwrap_err()
            .contains("twice"));
        // a missing shard is named by its runs
        let m = merge(&parts[..3]).unwrap();
        assert_eq!(m.missing, [3]);
        // a shard of another sweep (same header, another base) is refused
        let other =
            Sweep::parse("v=1&m=resource&steps=60&sweep=alpha:1,2&sweep2=n0:0,0.01,0.1").unwrap();
        assert_eq!(other.header(), s.header());
        let e = merge(&[parts[0].clone(), csv::write(&other.csv_head(), [""; 0])]).unwrap_err();
        assert!(e.contains("another sweep"), "{e}");
    }

    #[test]
    fn a_worker_row_is_the_cli_row() {
        // what a page worker computes (run_point) plus the index and point = the CLI's row
        let s =
            Sweep::parse("v=1&m=resource&steps=60&record=10,30&fit=n0&sweep=alpha:1,2").unwrap();
        let o = Outputs::from_query(&s.outputs.query()).unwrap();
        assert_eq!(o, s.outputs);
        assert_eq!(s.outputs.query(), "record=10,30&fit=n0");
        for r in s.runs() {
            let tail = run_point(&r.query, &o);
            assert_eq!(csv::check_tail(&s, &tail).as_ref(), Ok(&tail));
            assert_eq!(
                csv::row(r.index, &r.point, &tail),
                run_one(&r, &s.outputs).row()
            );
            // a failed worker's row has the header's fields, the message in the last
            let failed = csv::row(
                r.index,
                &r.point,
                &csv::failed_tail(&s.header(), &r, "x, y"),
            );
            let t = Table::parse(&csv::write(&s.csv_head(), [&failed])).unwrap();
            assert_eq!(t.rows[0].len(), s.header().split(',').count());
            assert_eq!(t.rows[0].last().unwrap(), "worker failed: x, y");
        }
        assert!(Outputs::from_query("fit=n1").is_err() && Outputs::from_query("seed=1").is_err());
    }

    #[test]
    fn merge_names_a_bad_row_by_its_characters() {
        // a shard line with a multi-byte character across byte 40 once panicked the merge
        let bad = format!("run,x,steps\na{},1,2\n", "α".repeat(30));
        let e = merge(&[bad]).unwrap_err();
        assert!(
            e.contains("a row without a run index") && e.contains("ααα"),
            "{e}"
        );
        assert!(merge(&["run,steps\n0,1,2\n".to_string()])
            .unwrap_err()
            .contains("line 2"));
        assert!(merge(&["run,steps\n".into(), "run,x,steps\n".into()])
            .unwrap_err()
            .contains("another header"));
        // a row with its fields but no step count is not a result
        assert!(merge(&["run,x,steps\n0,1,\n".into()])
            .unwrap_err()
            .contains("no step count"));
    }
}
