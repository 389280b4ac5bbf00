//! The `skills` binary: CSV format, thinning, and bad input (exit code 2, each problem named).

use std::process::Command;

mod common;

use common::skills;

#[test]
fn run_prints_one_row_per_step_from_zero() {
    let (code, out, err) = skills(&["run", "v=1&m=resource&steps=50"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "step,loss,s1,s2,s3,s4,s5,s6,s7,s8,s9,s10");
    assert_eq!(lines.len(), 52);
    assert!(lines[1].starts_with("0,1,0,0"));
    assert!(lines[51].starts_with("50,"));
    // thinning keeps row 0, every K-th and the last
    let (_, out, _) = skills(&["run", "v=1&m=resource&steps=50", "--every", "20"]);
    let steps: Vec<&str> = out
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(steps, ["0", "20", "40", "50"]);
}

#[test]
fn quadratic_prints_losses_and_geometry_can_add_alignment() {
    let (_, out, _) = skills(&["run", "v=1&m=quadratic&steps=2"]);
    assert_eq!(out.lines().next().unwrap(), "step,loss,l1,l2,l3,l4");
    let (_, out, _) = skills(&["run", "v=1&n=2&dim=20&steps=2", "--align"]);
    assert_eq!(out.lines().next().unwrap(), "step,loss,s1,s2,align1,align2");
}

#[test]
fn cli_and_library_print_the_same_numbers() {
    let q = "v=1&n=3&dim=30&batch=8&steps=20&seed=5";
    let (_, out, _) = skills(&["run", q]);
    let c = skill_dominoes::link::parse(q).config;
    let traj = skill_dominoes::sim::run(c.spec().unwrap(), c.steps, 1, false).unwrap();
    for (line, f) in out.lines().skip(1).zip(&traj.frames) {
        let nums: Vec<f64> = line.split(',').map(|x| x.parse().unwrap()).collect();
        assert_eq!(nums[1].to_bits(), f.loss.to_bits());
        for (a, b) in nums[2..].iter().zip(&f.values) {
            assert_eq!(
                a.to_bits(),
                b.to_bits(),
                "the CSV text reads back to the same f64"
            );
        }
    }
}

/// A repeated key is not a problem: the last value runs, and a warning says so (the page
/// reads the link the same way; tests/links.rs).
#[test]
fn a_repeated_key_runs_its_last_value_with_a_warning() {
    let q = "v=1&n=3&dim=30&batch=8&steps=5";
    let (code, out, err) = skills(&["run", &format!("{q}&seed=1&seed=2")]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("skills: warning: seed: given more than once; the last value is used"),
        "{err}"
    );
    let (_, last, _) = skills(&["run", &format!("{q}&seed=2")]);
    let (_, first, _) = skills(&["run", &format!("{q}&seed=1")]);
    assert_eq!(out, last);
    assert_ne!(out, first);
}

#[test]
fn bad_input_exits_2_and_names_each_problem() {
    for (args, phrases) in [
        (
            vec!["run", "n=abc&m=nope"],
            vec![
                "n: \"abc\" is not a whole number",
                "m: unknown model \"nope\"",
            ],
        ),
        (vec!["run", "lr=-1"], vec!["lr: -1 is outside"]),
        (vec!["run", "dim=100000&n=10000&vec=unit"], vec!["exceed"]),
        (vec!["run", "v=1", "--every", "0"], vec!["--every"]),
        (vec!["run"], vec!["<QUERY>"]),
        (vec!["fly"], vec!["unrecognized subcommand"]),
    ] {
        let (code, out, err) = skills(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?} printed rows");
        for p in phrases {
            assert!(err.contains(p), "{args:?}: {err:?} lacks {p:?}");
        }
    }
    // unknown keys only warn
    let (code, _, err) = skills(&["run", "v=1&zz=3&steps=1"]);
    assert_eq!(code, 0);
    assert!(err.contains("unknown key \"zz\""));
}

#[test]
fn divergence_exits_3_after_the_finite_rows() {
    let (code, out, err) = skills(&["run", "v=1&m=quadratic&rot=0&opt=sgd&lr=10"]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("diverged"), "{err}");
    assert!(out.lines().count() > 10);
    assert!(!out.contains("NaN") && !out.contains("inf"));
}

#[test]
fn sweep_shards_merge_to_the_unsharded_sweep() {
    let q = "v=1&m=resource&steps=300&sweep=n0:1e-4..1:5:log&sweep2=alpha:1,2&record=100,200";
    let (code, whole, err) = skills(&["sweep", q]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(whole.lines().count(), 12);
    assert!(whole.starts_with(&format!(
        "# skills sweep of 10 runs: {q}\nrun,n0,alpha,steps,loss,learned,n,t_first,t_all,t_skills,loss@100,loss@200,error\n"
    )));
    let dir = std::env::temp_dir().join(format!("skills-shards-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = vec![];
    for i in 1..=3 {
        let (code, part, err) = skills(&["sweep", q, "--shard", &format!("{i}/3")]);
        assert_eq!(code, 0, "{err}");
        let f = dir.join(format!("part{i}.csv"));
        std::fs::write(&f, part).unwrap();
        files.push(f.to_string_lossy().into_owned());
    }
    let mut args = vec!["merge"];
    args.extend(files.iter().map(String::as_str));
    let (code, merged, err) = skills(&args);
    assert_eq!(code, 0, "{err}");
    // rows come as runs finish: merging the unsharded output puts it in run order too
    let w = dir.join("whole.csv");
    std::fs::write(&w, &whole).unwrap();
    let (code, sorted, err) = skills(&["merge", w.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        merged, sorted,
        "merged shards equal the unsharded sweep bit for bit"
    );
    // a missing shard: nothing written, the missing runs named (unless --partial)
    let (code, out, err) = skills(&["merge", &files[0], &files[1]]);
    assert_eq!(code, 2, "{err}");
    assert!(
        out.is_empty() && err.contains("3 run(s) missing: 2, 5, 8"),
        "{err}"
    );
    let (code, out, _) = skills(&["merge", "--partial", &files[0], &files[1]]);
    assert_eq!((code, out.lines().count()), (0, 2 + 7));
    // a shard of another sweep with the same header is refused
    let other = q.replace("steps=300", "steps=299");
    let (_, part, _) = skills(&["sweep", &other, "--shard", "3/3"]);
    let f = dir.join("other.csv");
    std::fs::write(&f, part).unwrap();
    let (code, _, err) = skills(&["merge", &files[0], &files[1], f.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("another sweep"), "{err}");
    let (code, _, err) = skills(&["sweep", q, "--shard", "4/3"]);
    assert_eq!(code, 2);
    assert!(err.contains("1 ≤ I ≤ K"), "{err}");
    let (code, _, err) = skills(&["sweep", "v=1&sweep=lr:-1,0.1"]);
    assert_eq!(code, 2);
    assert!(err.contains("sweep: lr=-1: -1 is outside"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn real_networks_print_task_accuracies() {
    let (code, out, err) = skills(&["run", "v=1&m=parity&steps=2&samples=100"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().next().unwrap(), "step,loss,acc1,acc2");
    assert_eq!(out.lines().count(), 4);
    let (_, out, _) = skills(&["run", "v=1&m=parity&task=compositional&steps=1&samples=100"]);
    assert_eq!(out.lines().next().unwrap(), "step,loss,acc1,acc2,acc3");
    let (code, out, err) = skills(&["run", "v=1&m=modular&steps=5&samples=100&runs=3"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("\nrun,seed,steps,loss,learned,n,t_first,t_all,t_skills,error\n"),
        "{out}"
    );
    assert_eq!(out.lines().count(), 5);
}

#[test]
fn svg_draws_the_skill_chart() {
    let (code, out, err) = skills(&["svg", "v=1&freq=two&p1=0.95&steps=100&dim=50"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("<svg") && out.trim_end().ends_with("</svg>"));
    let texts: Vec<&str> = out.lines().map(str::trim).collect();
    assert!(
        texts.contains(&"s1  p=0.95") && texts.contains(&"s2  p=0.050"),
        "legend with frequencies"
    );
    assert!(
        texts.contains(&"step") && texts.contains(&"skill level s_i"),
        "axis labels"
    );
    // a real network's levels are task accuracies, and the axis says so
    let (code, out, err) = skills(&["svg", "v=1&m=parity&samples=200&steps=5"]);
    assert_eq!(code, 0, "{err}");
    let texts: Vec<&str> = out.lines().map(str::trim).collect();
    assert!(
        texts.contains(&"task accuracy") && !texts.contains(&"skill level s_i"),
        "network y label"
    );
    // and its legend names the tasks (with their supervision rates)
    assert!(
        texts.contains(&"x1⊕x2  p=1.0") && texts.contains(&"x3⊕x4  p=0.10"),
        "task names in the legend: {:?}",
        texts.iter().filter(|t| t.contains('⊕')).collect::<Vec<_>>()
    );
    let (code, out, err) = skills(&["svg", "v=1&m=grokking&modulus=7&emb=4&width=8&steps=3"]);
    assert_eq!(code, 0, "{err}");
    let texts: Vec<&str> = out.lines().map(str::trim).collect();
    assert!(
        texts.contains(&"train") && texts.contains(&"test"),
        "grokking's tasks"
    );
    let (code, _, err) = skills(&["svg", "lr=-1"]);
    assert_eq!(code, 2);
    assert!(err.contains("lr:"), "{err}");
}

#[test]
fn run_prints_the_pages_csv_export() {
    // one trajectory-CSV writer: `skills run` prints what the page's CSV export holds for the
    // same kept frames (every K-th row, aligned dimensions)
    for (q, every, align) in [
        ("v=1&n=3&dim=30&batch=8&steps=20&seed=5", 1, true),
        ("v=1&m=resource&n=4&steps=50", 7, false),
        ("v=1&m=quadratic&steps=10", 3, false),
        ("v=1&m=parity&steps=3&samples=100", 1, false),
    ] {
        let mut args = vec!["run".to_string(), q.to_string()];
        args.extend(["--every".to_string(), every.to_string()]);
        if align {
            args.push("--align".into());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, out, err) = skills(&args);
        assert_eq!(code, 0, "{err}");
        let c = skill_dominoes::link::parse(q).config;
        let traj = skill_dominoes::sim::run(c.spec().unwrap(), c.steps, every, align).unwrap();
        let page = skill_dominoes::export::csv(c.model, c.skills(), &traj.frames);
        assert_eq!(out, page, "{q}");
    }
}

#[test]
fn run_refuses_a_sweep_link_without_expanding_it() {
    // it once warned that `sweep` is unknown, ran the sweep, and spent 20 s on a grid it
    // never ran
    let start = std::time::Instant::now();
    for q in [
        "v=1&m=resource&steps=2&sweep=alpha:1,2",
        "sweep2=seed:0..65535:65536",
        "v=1&preset=fig10s",
    ] {
        let (code, out, err) = skills(&["run", q]);
        assert_eq!(code, 2, "{q}: {err}");
        assert!(out.is_empty(), "{q}: {out}");
        assert!(
            err.contains("skills sweep") && !err.contains("unknown key"),
            "{q}: {err}"
        );
    }
    assert!(
        start.elapsed().as_secs_f64() < 10.0,
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn every_run_failing_is_an_error() {
    let (code, out, err) = skills(&["run", "v=1&m=quadratic&rot=0&opt=sgd&lr=10&runs=2"]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("every run failed") && err.contains("diverged"),
        "{err}"
    );
    assert_eq!(out.lines().count(), 4, "the rows are still written: {out}");
}

#[test]
fn sweep_values_are_checked_before_any_run() {
    for (q, phrase) in [
        ("v=1&m=resource&steps=2&sweep=x:-1e308,1e308", "sweep: \"x\" is not a key"),
        ("v=1&m=resource&steps=2&sweep=alpha:1..2:5&sweep2=dim:1..2:5", "whole-number key"),
        ("v=1&m=resource&steps=2&sweep=seed:0..99999:100000&sweep=alpha:0..1:100000&sweep2=seed:0..99999:100000&sweep3=n0:0..1:100000", "more than once"),
        ("v=1&m=resource&steps=2&sweep=alpha:1,=1+1", "alpha="),
    ] {
        let (code, out, err) = skills(&["sweep", q]);
        assert_eq!(code, 2, "{q}: {err}");
        assert!(out.is_empty() && err.contains(phrase), "{q}: {err}");
    }
}

/// An interrupted sweep keeps every finished run, and `--resume` runs only the others.
#[test]
fn an_interrupted_sweep_resumes() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let q = "v=1&m=resource&steps=20000&n=200&sweep=seed:0..39:40";
    let mut child = Command::new(env!("CARGO_BIN_EXE_skills"))
        .args(["sweep", q])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut partial = String::new();
    for _ in 0..5 {
        // provenance, header and three rows, each arriving as its run finishes
        partial += &lines.next().unwrap().unwrap();
        partial.push('\n');
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // and a row cut mid-number, as a kill during a write could leave
    partial += "39,39,2000";
    let dir = std::env::temp_dir().join(format!("skills-resume-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("partial.csv");
    std::fs::write(&f, &partial).unwrap();
    let fs = f.to_str().unwrap();
    let (code, list, err) = skills(&["sweep", q, "--resume", fs, "--list"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(list.lines().count(), 37, "the runs still missing: {list}");
    let cheap = q.replace("steps=20000", "steps=20");
    let (code, _, err) = skills(&["sweep", &cheap, "--resume", fs]);
    assert_eq!(code, 2, "another sweep's file is refused");
    assert!(err.contains("not an output of this sweep"), "{err}");
    let (code, resumed, err) = skills(&["sweep", q, "--resume", fs]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("cut short") && err.contains("3 run(s) kept"),
        "{err}"
    );
    // the file's head and its three whole rows are kept as they were
    for line in partial.lines().take(5) {
        assert!(resumed.lines().any(|l| l == line), "{line} lost");
    }
    assert_eq!(resumed.lines().count(), 2 + 40);
    let r = dir.join("resumed.csv");
    std::fs::write(&r, &resumed).unwrap();
    let (code, merged, err) = skills(&["merge", r.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let w = dir.join("whole.csv");
    std::fs::write(&w, skills(&["sweep", q]).1).unwrap();
    assert_eq!(merged, skills(&["merge", w.to_str().unwrap()]).1);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn exponents_never_print_a_non_number() {
    let dir = std::env::temp_dir().join(format!("skills-exp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("zero.csv");
    std::fs::write(&f, "run,alpha,dim,loss\n0,1,40,0\n1,1,220,0.5\n").unwrap();
    let fs = f.to_str().unwrap();
    for (at, phrase) in [("40,220", "alpha = 1"), ("40,40", "two different")] {
        let (code, out, err) = skills(&["exponents", fs, "--x", "dim", "--at", at]);
        assert_eq!(code, 2, "{at}: {out}");
        assert!(!out.contains("NaN") && !out.contains("inf"), "{out}");
        assert!(err.contains(phrase), "{err}");
    }
    // 100 000 groups: linear, not quadratic
    let mut csv = String::from("run,alpha,dim,loss\n");
    for i in 0..100_000 {
        csv += &format!("{},{i},40,1\n{},{i},220,0.5\n", 2 * i, 2 * i + 1);
    }
    let big = dir.join("big.csv");
    std::fs::write(&big, csv).unwrap();
    let start = std::time::Instant::now();
    let (code, out, err) = skills(&["exponents", big.to_str().unwrap(), "--at", "40,220"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 100_001);
    assert!(
        start.elapsed().as_secs_f64() < 20.0,
        "{:?}",
        start.elapsed()
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    for args in [
        vec!["run", "v=1&m=resource&steps=200000"],
        vec!["sweep", "v=1&m=resource&steps=2000&sweep=seed:0..199:200"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_skills"))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut buf = [0u8; 300];
        child.stdout.take().unwrap().read_exact(&mut buf).unwrap();
        // stdout is closed here (`| head -c 300`)
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !err.contains("panick") && !err.contains("cannot write"),
            "{err}"
        );
    }
}
