//! Fig. 10's α_N against the paper's own code (docs/models.md §3.6): the final loss at N = 40,
//! where the product's α_N was found to sit a little below the official script's.

use skill_dominoes::sim::freq::Freq;
use skill_dominoes::sim::geometry::{Geometry, GeometryParams, GradForm, LossForm, VecKind};
use skill_dominoes::sim::optim::{OptConfig, OptKind};
use skill_dominoes::sim::rng::{rng_for, BATCHES};

/// The Fig. 10 run (CE, n = 1000 random unit vectors, B = 1024, lr 0.01) at one α, N, seed.
fn fig10(alpha: f64, dim: usize, seed: u64, opt: OptKind) -> GeometryParams {
    GeometryParams {
        dim,
        p: Freq::Zipf { alpha }.probs(1000),
        loss: LossForm::Ce,
        grad: GradForm::Autograd,
        vectors: VecKind::Unit,
        batch: 1024,
        noise: 0.0,
        opt: OptConfig::new(opt, 0.01),
        seed,
    }
}

/// Writes a run's task vectors and per-step batch counts for `scripts/replica/fig10_torch.py
/// replay`, and the product's own loss every `every` rows next to it, so that the two can be
/// compared step by step with equal inputs. Run:
///
/// ```sh
/// DUMP=/tmp/d FIG10_ALPHA=1 FIG10_DIM=40 FIG10_STEPS=2000 cargo test --test fig10_alpha_n -- --ignored
/// python scripts/replica/fig10_torch.py replay /tmp/d.txt --dtype float64 --every 100
/// ```
///
/// The batch counts are drawn here the way `Geometry` draws them (its `BATCHES` stream, one
/// uniform per draw, index = first i with cdf_i > u); the float64 replay matching the product's
/// loss to rounding shows that they are the batches the product used.
#[test]
#[ignore]
fn fig10_dump_for_torch_replay() {
    use std::fmt::Write as _;
    use std::io::Write as _;
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_string());
    let alpha: f64 = env("FIG10_ALPHA", "1").parse().unwrap();
    let dim: usize = env("FIG10_DIM", "40").parse().unwrap();
    let steps: usize = env("FIG10_STEPS", "2000").parse().unwrap();
    let seed: u64 = env("FIG10_SEED", "0").parse().unwrap();
    let every: usize = env("FIG10_EVERY", "100").parse().unwrap();
    let opt = OptKind::from_name(&env("FIG10_OPT", "signgd")).unwrap();
    let path = env("DUMP", "/tmp/fig10_dump");
    let params = fig10(alpha, dim, seed, opt);
    let mut g = Geometry::new(params.clone()).unwrap();
    let n = params.p.len();
    let mut out = String::new();
    writeln!(
        out,
        "{n} {dim} {} {steps} {} {}",
        params.batch,
        params.opt.lr,
        opt.name()
    )
    .unwrap();
    let line = |v: &[f64]| {
        v.iter()
            .map(|x| format!("{x:?}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    writeln!(out, "{}", line(&params.p)).unwrap();
    for i in 0..n {
        writeln!(out, "{}", line(g.task(i))).unwrap();
    }
    let mut cdf: Vec<f64> = params
        .p
        .iter()
        .scan(0.0, |acc, p| {
            *acc += p;
            Some(*acc)
        })
        .collect();
    let last = cdf[n - 1];
    cdf.iter_mut().for_each(|c| *c /= last);
    let mut rng = rng_for(seed, BATCHES);
    let mut counts = vec![0u32; n];
    for _ in 0..steps {
        for _ in 0..params.batch {
            let u: f64 = rand::Rng::random(&mut rng);
            counts[cdf.partition_point(|&c| c <= u).min(n - 1)] += 1;
        }
        let row: Vec<String> = (0..n)
            .filter(|&i| counts[i] > 0)
            .map(|i| format!("{i} {}", counts[i]))
            .collect();
        writeln!(out, "{}", row.join(" ")).unwrap();
        counts.iter_mut().for_each(|c| *c = 0);
    }
    std::fs::File::create(format!("{path}.txt"))
        .unwrap()
        .write_all(out.as_bytes())
        .unwrap();
    let mut own = String::from("step,loss\n");
    for step in 0..=steps {
        if step % every == 0 || step == steps {
            writeln!(own, "{step},{:?}", g.loss()).unwrap();
        }
        if step < steps {
            g.step().unwrap();
        }
    }
    std::fs::write(format!("{path}.product.csv"), own).unwrap();
}

/// Loss L = Σ p_i ℓ_i after `steps` updates of the Fig. 10 run.
fn final_loss(alpha: f64, dim: usize, seed: u64, steps: usize) -> f64 {
    let mut g = Geometry::new(fig10(alpha, dim, seed, OptKind::SignGd)).unwrap();
    for _ in 0..steps {
        g.step().unwrap();
    }
    g.loss()
}

/// ln L at N = 40 after `steps` updates for seeds 0 … count−1 at each α (a thread per α).
fn log_losses_n40(alphas: &[f64], count: u64, steps: usize) -> Vec<Vec<f64>> {
    std::thread::scope(|sc| {
        let handles: Vec<_> = alphas
            .iter()
            .map(|&a| {
                sc.spawn(move || {
                    (0..count)
                        .map(|s| final_loss(a, 40, s, steps).ln())
                        .collect::<Vec<f64>>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

const ALPHAS: [&str; 3] = ["1", "1.4", "2"];

/// The product's ln L(N = 40) after 3000 steps, seeds 0 … 31, per α of [`ALPHAS`] (computed
/// once for both tests below).
fn product_n40() -> &'static [Vec<f64>] {
    static RUNS: std::sync::OnceLock<Vec<Vec<f64>>> = std::sync::OnceLock::new();
    RUNS.get_or_init(|| {
        let a: Vec<f64> = ALPHAS.iter().map(|s| s.parse().unwrap()).collect();
        log_losses_n40(&a, 32, 3000)
    })
}

fn mean_var(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    (
        m,
        v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0),
    )
}

/// The torch replica's ln L at N = 40 per α (tests/data/fig10_torch_n40.csv, PROVENANCE.md).
fn torch_log_losses(alpha: &str, column: &str) -> Vec<f64> {
    let text = include_str!("data/fig10_torch_n40.csv");
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| head.iter().position(|h| *h == name).unwrap();
    let (ia, il) = (col("alpha"), col(column));
    lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|r| r[ia].parse::<f64>().unwrap() == alpha.parse::<f64>().unwrap())
        .map(|r| r[il].parse::<f64>().unwrap().ln())
        .collect()
}

/// Fig. 10b's α_N gap against the official code (docs/models.md §3.6): the product's final loss
/// at N = 40 has the distribution over seeds of the paper's code. Our own PyTorch replica of
/// `run_nsl.py` (float32, torch.optim.Adam with β = (0, 0), autograd CE on numpy-style batches;
/// `scripts/replica/fig10_torch.py batched`) gave 32 seeds per α at N = 40 after 3000 steps (the
/// N = 40 loss is on its plateau by then: seed 0 moves by < 1 % from step 3000 to 30 000); the
/// product's seeds 0 … 31 must have the same mean ln L (Welch's t within ±3.5). Measured t:
/// −1.6, −1.6, −1.7 for α = 1, 1.4, 2 (one draw: the seeds' vectors serve every α). At α = 1
/// one seed's sd of ln L is 0.04–0.05, so a change that moves the product's N = 40 loss there
/// down by ≈ 2.5 % or up by ≈ 6 % fails it.
#[test]
fn fig10_n40_loss_has_the_torch_replicas_distribution() {
    for (alpha, mine) in ALPHAS.iter().zip(product_n40()) {
        let theirs = torch_log_losses(alpha, "loss@3000");
        assert_eq!(theirs.len(), 32, "α = {alpha}: 32 torch seeds");
        let ((m1, v1), (m2, v2)) = (mean_var(mine), mean_var(&theirs));
        let t = (m1 - m2) / (v1 / mine.len() as f64 + v2 / theirs.len() as f64).sqrt();
        eprintln!(
            "α = {alpha}: mean ln L(N = 40) product {m1:.4} (sd {:.4}), torch {m2:.4} (sd {:.4}), t = {t:.2}",
            v1.sqrt(),
            v2.sqrt()
        );
        assert!(t.abs() < 3.5, "α = {alpha}: Welch t = {t:.2}");
    }
}

/// Why the issue's six α_N differences share their sign: one seed's task vectors and batch
/// uniforms serve every α, so a seed whose N = 40 loss is low at one α is low at the others.
/// Over seeds 0 … 31 (3000 steps) the per-seed ln L(N = 40) at α = 1.4 and α = 2 correlate
/// with r > 0.6 (measured 0.95 at 30 000 steps), so the six comparisons of two 4-seed medians
/// are close to one draw, not six.
#[test]
fn fig10_n40_loss_is_correlated_across_alpha_within_a_seed() {
    let l = product_n40();
    let ((m1, v1), (m2, v2)) = (mean_var(&l[1]), mean_var(&l[2]));
    let cov = l[1]
        .iter()
        .zip(&l[2])
        .map(|(x, y)| (x - m1) * (y - m2))
        .sum::<f64>()
        / 31.0;
    let r = cov / (v1 * v2).sqrt();
    eprintln!("r(ln L at α = 1.4, ln L at α = 2) over 32 seeds = {r:.3}");
    assert!(r > 0.6, "r = {r:.3}");
}

/// The finding behind the α_N gap (docs/models.md §3.6): at N = 40 the final loss is fixed by
/// the task vectors, not by the batches. The same vectors with another batch stream end within
/// 2 % in L (measured ≤ 0.6 % at α = 2 over seeds 0 … 7), at least 5 times less than L varies
/// between these seeds' vectors (range of ln L 0.11 here; sd 0.15 over 64 seeds). So a 4-seed median at N = 40 is a draw of 4 vector
/// sets, and two implementations' medians differ by that draw alone (the torch replica fed the
/// product's vectors, or the product fed torch's, agrees to 0.03 % on average).
#[test]
fn fig10_n40_loss_is_set_by_the_task_vectors() {
    use skill_dominoes::sim::geometry::task_vectors;
    let runs: Vec<(f64, f64)> = std::thread::scope(|sc| {
        let hs: Vec<_> = (0..8u64)
            .map(|s| {
                sc.spawn(move || {
                    let t = task_vectors(VecKind::Unit, 1000, 40, s).unwrap();
                    let ln_loss = |batch_seed: u64| {
                        let params = fig10(2.0, 40, batch_seed, OptKind::SignGd);
                        let mut g = Geometry::with_vectors(params, t.clone()).unwrap();
                        for _ in 0..3000 {
                            g.step().unwrap();
                        }
                        g.loss().ln()
                    };
                    (ln_loss(s), ln_loss(s + 1000))
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let own: Vec<f64> = runs.iter().map(|r| r.0).collect();
    let range =
        own.iter().cloned().fold(f64::MIN, f64::max) - own.iter().cloned().fold(f64::MAX, f64::min);
    let worst = runs.iter().map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    eprintln!("ln L(N = 40, α = 2), own / other batches: {runs:?}; range {range:.3}");
    assert!(
        worst < 0.02,
        "another batch stream moves ln L by {worst:.4}"
    );
    assert!(
        range > 5.0 * worst,
        "the vectors set the spread: range {range:.3}, batches {worst:.4}"
    );
}

/// The product's runs on task vectors drawn elsewhere, for a paired comparison with the torch
/// replica (same vectors, each its own batches): `FIG10_VECTORS` is a text file of `count`
/// blocks of n = 1000 lines of N numbers (`fig10_torch.py vectors` writes the vectors of its
/// `batched` runs); prints `run,loss@…` for the steps in `FIG10_RECORD`. Run:
///
/// ```sh
/// python scripts/replica/fig10_torch.py vectors --seeds 0 32 --dim 40 > /tmp/v.txt
/// FIG10_VECTORS=/tmp/v.txt FIG10_ALPHA=2 cargo test --test fig10_alpha_n given_vectors -- --ignored --nocapture
/// ```
#[test]
#[ignore]
fn fig10_product_on_given_vectors() {
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_string());
    let alpha: f64 = env("FIG10_ALPHA", "2").parse().unwrap();
    let record: Vec<usize> = env("FIG10_RECORD", "1000,3000")
        .split(',')
        .map(|s| s.parse().unwrap())
        .collect();
    let text = std::fs::read_to_string(env("FIG10_VECTORS", "/tmp/v.txt")).unwrap();
    let rows: Vec<Vec<f64>> = text
        .lines()
        .map(|l| l.split_whitespace().map(|x| x.parse().unwrap()).collect())
        .collect();
    let (n, dim) = (1000, rows[0].len());
    let runs: Vec<Vec<f64>> = rows.chunks(n).map(|c| c.concat()).collect();
    let out: Vec<String> = std::thread::scope(|sc| {
        let hs: Vec<_> = runs
            .iter()
            .enumerate()
            .map(|(k, t)| {
                let record = &record;
                sc.spawn(move || {
                    let mut g = Geometry::with_vectors(
                        fig10(alpha, dim, k as u64, OptKind::SignGd),
                        t.clone(),
                    )
                    .unwrap();
                    let mut vals = vec![];
                    for step in 1..=*record.iter().max().unwrap() {
                        g.step().unwrap();
                        if record.contains(&step) {
                            vals.push(format!("{:?}", g.loss()));
                        }
                    }
                    format!("{k},{}", vals.join(","))
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let head: Vec<String> = record.iter().map(|r| format!("loss@{r}")).collect();
    println!("run,{}", head.join(","));
    for l in out {
        println!("{l}");
    }
}
