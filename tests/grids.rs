//! Paper-scale grids at cluster size: the scheduler's own task variables choose a job's shard
//! (`skills sweep LINK --shard slurm|llsub`, `--shard-rank R/S`), and the precomputed grids
//! shipped in `data/grids/` are what the code computes today (a sample of stored cells re-run,
//! bit for bit for the toy models).

mod common;

use std::process::Command;

/// `skills` with exactly these scheduler variables (any set in the test's own environment
/// removed first).
fn skills_in(env: &[(&str, &str)], args: &[&str]) -> (i32, String, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_skills"));
    for (k, _) in std::env::vars() {
        if k.starts_with("SLURM_") || k.starts_with("LLSUB_") {
            c.env_remove(k);
        }
    }
    common::output(c.envs(env.iter().copied()).args(args))
}

/// Scheduler variables (name, value).
type Vars<'a> = &'a [(&'a str, &'a str)];

const LINK: &str = "v=1&m=resource&steps=30&sweep=alpha:1,2,3&sweep2=n0:0,0.1";

/// The run indices a `--list` printed.
fn listed(out: &str) -> Vec<usize> {
    out.lines()
        .map(|l| l.split(' ').next().unwrap().parse().unwrap())
        .collect()
}

#[test]
fn a_slurm_array_task_runs_its_shard_without_arithmetic() {
    // sbatch --array=1-4: task 2 is shard 2/4 (runs 1, 5 of 6)
    let array = |id: &str| {
        skills_in(
            &[
                ("SLURM_ARRAY_TASK_ID", id),
                ("SLURM_ARRAY_TASK_MIN", "1"),
                ("SLURM_ARRAY_TASK_MAX", "4"),
                ("SLURM_ARRAY_TASK_STEP", "1"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ],
            &["sweep", LINK, "--shard", "slurm", "--list"],
        )
    };
    let (code, out, err) = array("2");
    assert_eq!(code, 0, "{err}");
    assert_eq!(listed(&out), [1, 5]);
    let (_, explicit, _) = skills_in(&[], &["sweep", LINK, "--shard", "2/4", "--list"]);
    assert_eq!(out, explicit);
    // every task of the array together runs every run once
    let mut all: Vec<usize> = (1..=4)
        .flat_map(|i| listed(&array(&i.to_string()).1))
        .collect();
    all.sort();
    assert_eq!(all, (0..6).collect::<Vec<_>>());
    // --array=0-6:2 (tasks 0, 2, 4, 6): task 4 is the third of four
    let (code, out, err) = skills_in(
        &[
            ("SLURM_ARRAY_TASK_ID", "4"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
            ("SLURM_ARRAY_TASK_MAX", "6"),
            ("SLURM_ARRAY_TASK_STEP", "2"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ],
        &["sweep", LINK, "--shard", "slurm", "--list"],
    );
    assert_eq!((code, listed(&out)), (0, vec![2]), "{err}");
}

#[test]
fn llsub_rank_and_size_from_variables_or_arguments() {
    let (code, out, err) = skills_in(
        &[("LLSUB_RANK", "0"), ("LLSUB_SIZE", "4")],
        &["sweep", LINK, "--shard", "llsub", "--list"],
    );
    assert_eq!((code, listed(&out)), (0, vec![0, 4]), "{err}");
    let (code, out2, _) = skills_in(&[], &["sweep", LINK, "--shard-rank", "0/4", "--list"]);
    assert_eq!((code, &out2), (0, &out));
    // the rows a shard computes are the unsharded sweep's rows
    let (_, whole, _) = skills_in(&[], &["sweep", LINK]);
    let (code, part, err) = skills_in(
        &[("LLSUB_RANK", "3"), ("LLSUB_SIZE", "4")],
        &["sweep", LINK, "--shard", "llsub"],
    );
    assert_eq!(code, 0, "{err}");
    for row in part.lines().skip(2) {
        assert!(whole.lines().any(|l| l == row), "{row}");
    }
    assert_eq!(part.lines().count(), 2 + 1, "run 3 of 0 … 5");
}

#[test]
fn missing_or_bad_variables_are_named_with_exit_code_2() {
    let cases: &[(Vars, &str, &str)] = &[
        (&[], "slurm", "SLURM_ARRAY_TASK_ID is not set"),
        (
            &[("SLURM_ARRAY_TASK_ID", "3")],
            "slurm",
            "SLURM_ARRAY_TASK_MIN is not set",
        ),
        (
            &[("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_MIN", "1")],
            "slurm",
            "SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MAX",
        ),
        (
            &[
                ("SLURM_ARRAY_TASK_ID", "three"),
                ("SLURM_ARRAY_TASK_MIN", "1"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ],
            "slurm",
            "SLURM_ARRAY_TASK_ID is \"three\"",
        ),
        (
            &[
                ("SLURM_ARRAY_TASK_ID", "9"),
                ("SLURM_ARRAY_TASK_MIN", "1"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ],
            "slurm",
            "past the array's 4 tasks",
        ),
        (&[("LLSUB_SIZE", "4")], "llsub", "LLSUB_RANK is not set"),
        (
            &[("LLSUB_RANK", "-1"), ("LLSUB_SIZE", "4")],
            "llsub",
            "LLSUB_RANK is \"-1\"",
        ),
        (
            &[("LLSUB_RANK", "4"), ("LLSUB_SIZE", "4")],
            "llsub",
            "below LLSUB_SIZE",
        ),
        (&[], "pbs", "expected I/K"),
    ];
    for (env, how, want) in cases {
        let (code, out, err) = skills_in(env, &["sweep", LINK, "--shard", how]);
        assert_eq!(code, 2, "{how} {env:?}: {err}");
        assert!(out.is_empty() && err.contains(want), "{how} {env:?}: {err}");
    }
    let (code, _, err) = skills_in(&[], &["sweep", LINK, "--shard-rank", "4/4"]);
    assert_eq!(code, 2);
    assert!(err.contains("0 ≤ RANK < SIZE"), "{err}");
}

/// `n` distinct indices below `len`, drawn by a fixed seed (splitmix64), so each run of the
/// suite checks the same cells and a changed seed checks others.
fn sample(len: usize, n: usize, seed: u64) -> Vec<usize> {
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let mut out: Vec<usize> = vec![];
    while out.len() < n.min(len) {
        let i = (next() % len as u64) as usize;
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// Re-run `per_file` stored cells of grid `file` natively and compare them with the stored
/// fields: the same text, so the same bits, for the toy models; for the real networks
/// (deterministic per platform only: natively matrixmultiply picks its kernel at run time)
/// the same learning times and losses within a relative 1e-9.
fn rerun_stored(file: &str, per_file: usize) {
    use skill_dominoes::sweep::{run_one, stored};
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/grids")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
    let g = stored::read(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    assert!(
        g.provenance.commit.len() == 40
            && g.provenance.command.contains("skills sweep")
            && !g.provenance.date.is_empty(),
        "{file}: provenance {:?}",
        g.provenance
    );
    for k in sample(g.cells.len(), per_file, 13) {
        let c = &g.cells[k];
        let spec = g.sweep.run(c.index).unwrap();
        let live = run_one(&spec, &g.sweep.outputs).tail();
        let net = skill_dominoes::link::parse(&spec.query)
            .config
            .model
            .is_net();
        if !net {
            assert_eq!(
                stored::difference(&g.sweep, &live, &c.tail),
                None,
                "{file} run {}: {}",
                c.index,
                spec.query
            );
            continue;
        }
        let (a, b): (Vec<&str>, Vec<&str>) =
            (live.split(',').collect(), c.tail.split(',').collect());
        assert_eq!(a.len(), b.len(), "{file} run {}", c.index);
        for (x, y) in a.iter().zip(&b) {
            match (x.parse::<f64>(), y.parse::<f64>()) {
                (Ok(x), Ok(y)) => assert!(
                    (x - y).abs() <= 1e-9 * y.abs().max(1e-300),
                    "{file} run {}: {x} here, {y} stored",
                    c.index
                ),
                _ => assert_eq!(x, y, "{file} run {}", c.index),
            }
        }
    }
}

#[test]
fn stored_fig10n_cells_rerun_to_the_same_bits() {
    rerun_stored("fig10n.csv", 2);
    rerun_stored("fig10n-seeds.csv", 1);
}

#[test]
fn stored_fig10n_seed_cells_rerun_to_the_same_bits() {
    rerun_stored("fig10n-seeds-more.csv", 1);
    rerun_stored("fig10n-dims.csv", 1);
}

#[test]
fn stored_fig10s_cells_rerun_to_the_same_bits() {
    rerun_stored("fig10s.csv", 5);
    rerun_stored("fig10s-seeds.csv", 5);
}

#[test]
fn stored_fig18_cells_rerun_to_the_same_bits() {
    rerun_stored("fig18.csv", 2);
}

#[test]
fn stored_fig19scatter_cells_rerun_to_rounding() {
    rerun_stored("fig19scatter.csv", 5);
}

#[test]
fn every_stored_grid_file_is_listed_and_read() {
    use skill_dominoes::sweep::stored::{self, STORED_GRIDS};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/grids");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|f| f.ends_with(".csv"))
        .collect();
    files.sort();
    let mut listed: Vec<String> = STORED_GRIDS.iter().map(|g| g.file.to_string()).collect();
    listed.sort();
    assert_eq!(files, listed, "data/grids and sweep::stored::STORED_GRIDS");
    for g in STORED_GRIDS {
        let text = std::fs::read_to_string(dir.join(g.file)).unwrap();
        let s = stored::read(&text).unwrap_or_else(|e| panic!("{}: {e}", g.file));
        // its runs are runs of its preset's grid (the same base link and outputs)
        let preset =
            skill_dominoes::sweep::Sweep::parse(&format!("v=1&preset={}", g.preset)).unwrap();
        assert_eq!(
            (&s.sweep.base, s.sweep.outputs.query()),
            (&preset.base, preset.outputs.query()),
            "{}",
            g.file
        );
        let keys = |sw: &skill_dominoes::sweep::Sweep| -> Vec<String> {
            sw.axes.iter().map(|a| a.key.clone()).collect()
        };
        assert_eq!(keys(&s.sweep), keys(&preset), "{}", g.file);
        // each stored point is a point of the preset's grid (the page finds it there)
        for c in &s.cells {
            for ((k, v), a) in c.point.iter().zip(&preset.axes) {
                assert!(
                    a.values.contains(v),
                    "{}: {k}={v} is not in the preset's grid",
                    g.file
                );
            }
        }
        assert!(!s.cells.is_empty(), "{}", g.file);
    }
}

/// The Fig. 19 scatter's caption states the medians and 10–90 % ranges of t2/t1 of the stored
/// 200-run grid (data/grids/fig19scatter.csv), to the digit it gives.
#[test]
fn the_fig19_scatter_caption_states_the_stored_grid() {
    let text = std::fs::read_to_string("data/grids/fig19scatter.csv").expect("the stored grid");
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (modular, times) = (col("modular"), col("t_skills"));
    let mut ratios = [vec![], vec![]];
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        let t: Vec<f64> = f[times].split(';').map(|x| x.parse().unwrap()).collect();
        ratios[f[modular].parse::<usize>().unwrap()].push(t[1] / t[0]);
    }
    let caption = skill_dominoes::sweep::presets::SWEEP_PRESETS
        .iter()
        .find(|p| p.id == "fig19scatter")
        .unwrap()
        .caption;
    for (r, stated) in ratios
        .iter_mut()
        .zip([["2.9", "2.2", "3.9"], ["1.2", "0.9", "1.6"]])
    {
        assert_eq!(r.len(), 100);
        r.sort_by(f64::total_cmp);
        let median = (r[49] + r[50]) / 2.0;
        let q = |p: f64| r[(p * (r.len() - 1) as f64) as usize];
        let got = [median, q(0.1), q(0.9)].map(|x| format!("{x:.1}"));
        assert_eq!(got, stated, "median, 10 % and 90 % of t2/t1");
        for s in stated {
            assert!(caption.contains(s), "the caption states {s}: {caption}");
        }
    }
}

/// What the sweep page and the tour show at once of Fig. 10's grid: the preset's runs that the
/// stored grids hold, merged in run order (`sweep::stored::known_csv`), give the α_N medians
/// that data/grids/README.md states.
#[test]
fn the_stored_fig10_grid_gives_the_exponents_its_readme_states() {
    use skill_dominoes::plot::sweep::{exponents, Table};
    use skill_dominoes::sweep::{stored, Sweep};
    let grids: Vec<stored::Stored> = stored::grids_of("fig10n")
        .iter()
        .map(|g| {
            let text = std::fs::read_to_string(format!("data/grids/{}", g.file)).unwrap();
            stored::read(&text).unwrap()
        })
        .collect();
    let sweep = Sweep::parse("v=1&preset=fig10n").unwrap();
    let (csv, n) = stored::known_csv(&sweep, &grids);
    let held: usize = grids.iter().map(|g| g.cells.len()).sum();
    assert_eq!(
        n, held,
        "every stored run is a run of the preset's grid, none twice"
    );
    let t = Table::parse(&csv).unwrap();
    assert_eq!(t.rows.len(), n);
    let e = exponents(&t);
    let an = e
        .iter()
        .find(|s| s.label.starts_with("α_N (N = 40→220)"))
        .expect("α_N");
    let shown: Vec<String> = an
        .points
        .iter()
        .filter(|(a, _)| *a >= 1.0)
        .map(|(_, x)| format!("{x:.2}"))
        .collect();
    let readme = std::fs::read_to_string("data/grids/README.md").unwrap();
    // (its lines are wrapped: compare with single spaces)
    let readme = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    let stated = shown.join(", ");
    assert_eq!(shown.len(), 6, "{stated}");
    assert!(
        readme.contains(&stated),
        "data/grids/README.md states {stated}"
    );
    // and each is within 0.12 of the paper's value (Fig. 10b)
    for &(a, x) in an.points.iter().filter(|(a, _)| *a >= 1.0) {
        let paper = stored::paper_value(&an.label, a).unwrap();
        assert!(
            (x - paper).abs() < 0.12,
            "α = {a}: {x:.2} vs the paper's {paper}"
        );
    }
}
