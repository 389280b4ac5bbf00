//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod hostile;

use std::path::PathBuf;

/// Run the built `skills` binary: (exit code, stdout, stderr).
pub fn skills(args: &[&str]) -> (i32, String, String) {
    output(std::process::Command::new(env!("CARGO_BIN_EXE_skills")).args(args))
}

/// Run a prepared command (e.g. `skills` with its own environment): (exit code, stdout, stderr).
pub fn output(cmd: &mut std::process::Command) -> (i32, String, String) {
    let out = cmd.output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// A numeric CSV with a header: (header, rows).
pub fn read_csv(name: &str) -> (Vec<String>, Vec<Vec<f64>>) {
    let text = std::fs::read_to_string(data(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut lines = text.lines();
    let header = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            l.split(',')
                .map(|x| x.trim().parse::<f64>().unwrap_or(f64::NAN))
                .collect()
        })
        .collect();
    (header, rows)
}

/// The levels of every skill of a run: levels[t][i].
pub fn levels(query: &str) -> Vec<Vec<f64>> {
    let parsed = skill_dominoes::link::parse(query);
    assert!(parsed.problems.is_empty(), "{query}: {:?}", parsed.problems);
    let c = parsed.config;
    let traj = skill_dominoes::sim::run(c.spec().unwrap(), c.steps, 1, false).unwrap();
    assert!(traj.error.is_none(), "{query}: {:?}", traj.error);
    traj.frames.into_iter().map(|f| f.levels).collect()
}

/// Column i of a row-major table.
pub fn column(rows: &[Vec<f64>], i: usize) -> Vec<f64> {
    rows.iter().map(|r| r[i]).collect()
}
