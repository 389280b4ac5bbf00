//! The `skills` binary: CSV format, thinning, and bad input (exit code 2, each problem named).

use std::process::Command;

fn skills(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_skills"))
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

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
    assert_eq!(whole.lines().count(), 11);
    assert!(whole.starts_with(
        "run,n0,alpha,steps,loss,learned,n,t_first,t_all,t_skills,loss@100,loss@200,error\n"
    ));
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
    assert_eq!(
        merged, whole,
        "merged shards equal the unsharded sweep bit for bit"
    );
    let (code, _, err) = skills(&["sweep", q, "--shard", "4/3"]);
    assert_eq!(code, 2);
    assert!(err.contains("1 ≤ I ≤ K"), "{err}");
    let (code, _, err) = skills(&["sweep", "v=1&sweep=lr:-1,0.1"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("lr: -1 is outside") && err.contains("at lr=-1"),
        "{err}"
    );
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
        out.starts_with("run,seed,steps,loss,learned,n,t_first,t_all,t_skills,error\n"),
        "{out}"
    );
    assert_eq!(out.lines().count(), 4);
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
