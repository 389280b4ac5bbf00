//! Fig. 13 (grokking, docs/models.md §6.2) against the paper's PyTorch code.
//!
//! * `gradients_equal_pytorch_at_the_same_weights`: at the same θ and split (seed 0, full size,
//!   θ_0 and two SignGD steps on), PyTorch's loss and gradient (tests/data/
//!   fig13_torch_gradients.csv, made by `scripts/replica/fig13_torch.py fixture` from this
//!   file's `dump_states`) equal the product's to rounding, tensor by tensor.
//! * `signgd_reaches_90_percent_within_the_official_spread`: three seeds, full size, SignGD to
//!   90 % test accuracy, against the official notebook's seeds 0–4.
//! * `official_distribution` (ignored: ≈ 15 min in release): ten seeds to 99 %, SignGD and
//!   Adam, against the official figures by an exact rank test.
//! * `dump_states`, `grokking_steps` (ignored tools): JSON states for the PyTorch replica, and
//!   the first steps at 90 % and 99 % per seed.

use skill_dominoes::sim::nn::{Experiment, Grokking, GrokkingParams};
use std::fmt::Write as _;

/// The official notebook (scripts/Fig13_grokking.ipynb of the paper's repository), seeds 0–4,
/// full size, float64, measured with its own code (issue report): first step with test
/// accuracy ≥ 0.99 under SignGD and Adam, and ≥ 0.9 under SignGD.
const OFFICIAL_SIGNGD_T99: [u32; 5] = [1782, 1440, 1515, 1803, 1698];
const OFFICIAL_ADAM_T99: [u32; 5] = [3519, 3553, 3723, 3860, 4275];
const OFFICIAL_SIGNGD_T90: [u32; 5] = [322, 326, 332, 349, 426];

/// The comma-separated numbers of environment variable `name`, or `default`.
fn env_list(name: &str, default: &[u64]) -> Vec<u64> {
    match std::env::var(name) {
        Ok(s) => s
            .split(',')
            .map(|x| {
                x.trim()
                    .parse()
                    .unwrap_or_else(|_| panic!("{name}: not a number: {x:?}"))
            })
            .collect(),
        Err(_) => default.to_vec(),
    }
}

/// Fig. 13's SignGD or Adam column by name.
fn params(opt: &str, seed: u64) -> GrokkingParams {
    let p = match opt {
        "signgd" => GrokkingParams::signgd(),
        "adam" => GrokkingParams::adam(),
        _ => panic!("optimizer {opt:?}: signgd or adam"),
    };
    GrokkingParams { seed, ..p }
}

fn json_list<T: std::fmt::Debug>(out: &mut String, v: &[T]) {
    out.push('[');
    for (i, x) in v.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        // `{:?}` of an f64 is its shortest round-trip decimal
        write!(out, "{x:?}").unwrap();
    }
    out.push(']');
}

/// `FIG13_DUMP=dir FIG13_OPT=signgd|adam FIG13_SEEDS=0,1 FIG13_STEPS=0,1,2,100
/// cargo test --release --test fig13 dump_states -- --ignored`: one `dir/product_{opt}_{seed}.json`
/// per seed with the training and test pairs (token rows, in the loss's order) and, at each
/// listed step t, θ_t, the gradient at θ_t (the one step t + 1 takes) and the observables.
#[test]
#[ignore]
fn dump_states() {
    let Ok(dir) = std::env::var("FIG13_DUMP") else {
        panic!("set FIG13_DUMP to a directory");
    };
    let opt = std::env::var("FIG13_OPT").unwrap_or_else(|_| "signgd".into());
    let steps = env_list("FIG13_STEPS", &[0, 1, 2]);
    for seed in env_list("FIG13_SEEDS", &[0]) {
        let mut g = Grokking::new(params(&opt, seed)).unwrap();
        let (train, test) = g.pairs();
        let mut out = String::new();
        write!(
            out,
            "{{\"seed\":{seed},\"opt\":\"{opt}\",\"p\":59,\"train\":"
        )
        .unwrap();
        json_list(&mut out, &train);
        out.push_str(",\"test\":");
        json_list(&mut out, &test);
        out.push_str(",\"states\":[");
        let last = steps.iter().copied().max().unwrap_or(0);
        let mut first = true;
        while u64::from(g.step_count()) <= last {
            let t = u64::from(g.step_count());
            let (loss, acc, theta) = (g.task_losses(), g.accuracies(), g.theta());
            g.step().unwrap();
            if steps.contains(&t) {
                if !first {
                    out.push(',');
                }
                first = false;
                write!(
                    out,
                    "{{\"step\":{t},\"loss\":[{:?},{:?}],\"acc\":[{:?},{:?}],\"theta\":",
                    loss[0], loss[1], acc[0], acc[1]
                )
                .unwrap();
                json_list(&mut out, &theta);
                out.push_str(",\"grad\":");
                json_list(&mut out, &g.gradient());
                out.push('}');
            }
        }
        out.push_str("]}\n");
        let path = format!("{dir}/product_{opt}_{seed}.json");
        std::fs::write(&path, out).unwrap();
        println!("wrote {path}");
    }
}

/// The first steps with test accuracy ≥ 0.9 and ≥ 0.99 (`None`: not within `limit` steps).
fn first_steps(params: GrokkingParams, limit: u32) -> (Option<u32>, Option<u32>) {
    let mut g = Grokking::new(params).unwrap();
    let (mut t90, mut t99) = (None, None);
    loop {
        let (t, acc) = (g.step_count(), g.accuracies()[1]);
        if t90.is_none() && acc >= 0.9 {
            t90 = Some(t);
        }
        if acc >= 0.99 {
            t99 = Some(t);
        }
        if t99.is_some() || t >= limit {
            return (t90, t99);
        }
        g.step().unwrap();
    }
}

/// `FIG13_OPT=signgd FIG13_SEEDS=0,1,2 cargo test --release --test fig13 grokking_steps --
/// --ignored --nocapture`: one line `opt,seed,t90,t99` per seed (full size, ≤ 10 001 steps).
#[test]
#[ignore]
fn grokking_steps() {
    let opt = std::env::var("FIG13_OPT").unwrap_or_else(|_| "signgd".into());
    for seed in env_list("FIG13_SEEDS", &[0]) {
        let (t90, t99) = first_steps(params(&opt, seed), 10_000);
        let show = |t: Option<u32>| t.map_or("-".into(), |t| t.to_string());
        println!("{opt},{seed},{},{}", show(t90), show(t99));
    }
}

/// Two-sided exact p-value of the Mann–Whitney rank-sum test of samples `a` and `b` (no
/// ties expected; a tie counts half): the share of the C(n, |a|) ways to draw |a| of the n
/// pooled values whose U statistic is at least as far from its mean as the observed one.
fn mann_whitney_p(a: &[u32], b: &[u32]) -> f64 {
    let u = |x: &[u32], y: &[u32]| -> f64 {
        x.iter()
            .map(|&xi| {
                y.iter()
                    .map(|&yj| match xi.cmp(&yj) {
                        std::cmp::Ordering::Greater => 1.0,
                        std::cmp::Ordering::Equal => 0.5,
                        std::cmp::Ordering::Less => 0.0,
                    })
                    .sum::<f64>()
            })
            .sum()
    };
    let (m, n) = (a.len(), b.len());
    let mean = (m * n) as f64 / 2.0;
    let observed = (u(a, b) - mean).abs();
    let pooled: Vec<u32> = a.iter().chain(b).copied().collect();
    // every subset of m indices of the pooled sample as the first group
    let (mut hits, mut total) = (0u64, 0u64);
    let mut pick: Vec<usize> = (0..m).collect();
    loop {
        let (x, y): (Vec<u32>, Vec<u32>) = {
            let mut x = vec![];
            let mut y = vec![];
            for (i, &v) in pooled.iter().enumerate() {
                if pick.contains(&i) {
                    x.push(v);
                } else {
                    y.push(v);
                }
            }
            (x, y)
        };
        total += 1;
        if (u(&x, &y) - mean).abs() >= observed - 1e-9 {
            hits += 1;
        }
        // next combination in lexicographic order
        let Some(i) = (0..m).rev().find(|&i| pick[i] < i + m + n - m) else {
            break;
        };
        pick[i] += 1;
        for j in i + 1..m {
            pick[j] = pick[j - 1] + 1;
        }
    }
    hits as f64 / total as f64
}

#[test]
fn mann_whitney_by_hand() {
    // complete separation of 3 and 3: 2 of the C(6, 3) = 20 splits are as extreme
    assert!((mann_whitney_p(&[1, 2, 3], &[4, 5, 6]) - 0.1).abs() < 1e-12);
    // interleaved: U = mean, every split is as extreme
    assert_eq!(mann_whitney_p(&[1, 4], &[2, 3]), 1.0);
    // 5 against 5, separated: 2/252
    assert!((mann_whitney_p(&[1, 2, 3, 4, 5], &[6, 7, 8, 9, 10]) - 2.0 / 252.0).abs() < 1e-12);
}

fn median(v: &[u32]) -> f64 {
    let mut v = v.to_vec();
    v.sort_unstable();
    let n = v.len();
    if n % 2 == 1 {
        f64::from(v[n / 2])
    } else {
        f64::from(v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Per tensor of θ = [W1, b1, W2, b2, W3, b3, E] (docs/models.md §6.2): its range in θ.
fn tensor_ranges() -> Vec<(&'static str, std::ops::Range<usize>)> {
    let sizes = [
        ("W1", 100 * 256),
        ("b1", 100),
        ("W2", 100 * 100),
        ("b2", 100),
        ("W3", 59 * 100),
        ("b3", 59),
        ("E", 59 * 128),
    ];
    let mut at = 0;
    sizes
        .iter()
        .map(|&(name, n)| {
            at += n;
            (name, at - n..at)
        })
        .collect()
}

/// scripts/replica/fig13_torch.py's probe vector: ((7919 j) mod 1000)/1000 − 1/2.
fn probe(n: usize) -> Vec<f64> {
    (0..n as u64)
        .map(|j| ((7919 * j) % 1000) as f64 / 1000.0 - 0.5)
        .collect()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// At the product's θ_0, θ_1 and θ_2 (seed 0, SignGD, full size) PyTorch's loss and gradient
/// (the fixture: `nn.Linear`, SiLU, `cross_entropy`, autograd, float64, on the product's split)
/// equal the product's: the loss to 1e−13 relative, and per tensor the sums Σg, Σg², Σg·θ and
/// Σg·probe to 1e−9 of their Cauchy–Schwarz scale (seen: ≈ 1e−15). Any difference in the
/// function (architecture, loss, split, labels, embedding path) or its gradient fails.
#[test]
fn gradients_equal_pytorch_at_the_same_weights() {
    let csv = include_str!("data/fig13_torch_gradients.csv");
    let mut g = Grokking::new(params("signgd", 0)).unwrap();
    let mut checked = 0;
    for step in 0..=2u32 {
        assert_eq!(g.step_count(), step);
        let (loss, theta) = (g.task_losses()[0], g.theta());
        g.step().unwrap();
        let grad = g.gradient();
        for line in csv.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            if f[0].parse::<u32>().unwrap() != step {
                continue;
            }
            let num = |i: usize| f[i].parse::<f64>().unwrap();
            if f[1] == "loss" {
                let rel = (loss - num(2)).abs() / num(2);
                assert!(
                    rel < 1e-13,
                    "step {step}: loss {loss} vs PyTorch {}",
                    num(2)
                );
                checked += 1;
                continue;
            }
            let (_, r) = tensor_ranges()
                .into_iter()
                .find(|(n, _)| *n == f[1])
                .unwrap();
            let (gs, ts) = (&grad[r.clone()], &theta[r.clone()]);
            let (ones, pr) = (vec![1.0; gs.len()], probe(gs.len()));
            let norm = dot(gs, gs).sqrt();
            let ours = [dot(gs, &ones), dot(gs, gs), dot(gs, ts), dot(gs, &pr)];
            let scale = [
                norm * (gs.len() as f64).sqrt(),
                norm * norm,
                norm * dot(ts, ts).sqrt(),
                norm * dot(&pr, &pr).sqrt(),
            ];
            for k in 0..4 {
                let err = (ours[k] - num(2 + k)).abs() / scale[k];
                assert!(
                    err < 1e-9,
                    "step {step}, {}: summary {k} is {} here, {} in PyTorch ({err:.1e} of scale)",
                    f[1],
                    ours[k],
                    num(2 + k)
                );
            }
            checked += 1;
        }
    }
    assert_eq!(
        checked,
        3 * 8,
        "the fixture has 3 steps × (loss + 7 tensors)"
    );
}

/// SignGD (full size) reaches 90 % test accuracy within the spread of the official notebook.
/// Seeds 0–2, full-size runs until 90 % test accuracy (263, 327 and 301 steps; ≈ 30 s of one
/// core in the test profile). The official seeds 0–4 reach it at 322–426 (median 332). The
/// step is chaotic (README, "Choices where the paper's code is ambiguous": PyTorch from the
/// product's own weights and split moves it by up to 120 steps, and the product's seeds 0–9
/// range from 216 to 1110), so one seed proves little; the bound is on the median of three:
/// within [½, 1½] × the official median. Runs stop at 1000 steps (counted as 1000). A wrong
/// decay, learning rate, init scale or loss moves the median out (e.g. Adam's betas: past
/// 1000 steps).
#[test]
fn signgd_reaches_90_percent_within_the_official_spread() {
    let t90: Vec<u32> = (0..3)
        .map(|seed| {
            let mut g = Grokking::new(params("signgd", seed)).unwrap();
            while g.accuracies()[1] < 0.9 && g.step_count() < 1000 {
                g.step().unwrap();
            }
            println!(
                "seed {seed}: test accuracy {:?} at step {}",
                g.accuracies()[1],
                g.step_count()
            );
            g.step_count()
        })
        .collect();
    let (ours, official) = (median(&t90), median(&OFFICIAL_SIGNGD_T90));
    assert!(
        (0.5 * official..=1.5 * official).contains(&ours),
        "median t90 {ours} (seeds {t90:?}), official {official}"
    );
}

/// `cargo test --release --test fig13 official_distribution -- --ignored --nocapture`
/// (≈ 15 min of one core): seeds 0–9 to 99 % test accuracy, SignGD and Adam, and SignGD to
/// 90 %; each distribution against the official notebook's five by the exact two-sided
/// Mann–Whitney test, which must not reject at 1 %; and the paper's claim, median t99 of Adam
/// ≥ 1.5 × SignGD's.
#[test]
#[ignore]
fn official_distribution() {
    let (mut s90, mut s99, mut a99) = (vec![], vec![], vec![]);
    for seed in 0..10 {
        let (t90, t99) = first_steps(params("signgd", seed), 10_000);
        let (_, ta) = first_steps(params("adam", seed), 10_000);
        println!("seed {seed}: SignGD t90 {t90:?} t99 {t99:?}, Adam t99 {ta:?}");
        s90.push(t90.expect("SignGD reaches 90 %"));
        s99.push(t99.expect("SignGD reaches 99 %"));
        a99.push(ta.expect("Adam reaches 99 %"));
    }
    for (name, ours, official) in [
        ("SignGD t99", &s99, &OFFICIAL_SIGNGD_T99[..]),
        ("Adam t99", &a99, &OFFICIAL_ADAM_T99[..]),
        ("SignGD t90", &s90, &OFFICIAL_SIGNGD_T90[..]),
    ] {
        let p = mann_whitney_p(ours, official);
        println!(
            "{name}: median {} here, {} official; Mann–Whitney p = {p:.3}",
            median(ours),
            median(official)
        );
        assert!(
            p >= 0.01,
            "{name}: {ours:?} against the official {official:?}: p = {p}"
        );
    }
    assert!(
        median(&a99) >= 1.5 * median(&s99),
        "Adam {a99:?}, SignGD {s99:?}"
    );
}
