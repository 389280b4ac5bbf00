//! In-browser benchmark of the Geometry step (wasm32 in headless Chromium): the same two
//! cases as `benches/geometry.rs`, timed with `performance.now()`, medians printed.
//! Run it with `scripts/bench-wasm` (release build); the figures go in BENCHMARKS.md.
//! As a test it also checks that a step runs and the timer works, so it cannot rot.
#![cfg(target_arch = "wasm32")]

use skill_dominoes::link::parse;
use skill_dominoes::sim::Simulation;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// Median µs per step over `samples` batches of `batch` steps.
fn median_step_us(query: &str, samples: usize, batch: usize) -> f64 {
    let parsed = parse(query);
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    let mut sim = Simulation::new(parsed.config.spec().unwrap()).unwrap();
    for _ in 0..100 {
        sim.step().unwrap();
    }
    let mut per_step: Vec<f64> = (0..samples)
        .map(|_| {
            let t0 = now_ms();
            for _ in 0..batch {
                sim.step().unwrap();
            }
            (now_ms() - t0) * 1000.0 / batch as f64
        })
        .collect();
    per_step.sort_by(f64::total_cmp);
    per_step[samples / 2]
}

#[wasm_bindgen_test]
fn geometry_step_in_the_browser() {
    // BENCH_SAMPLES is baked in at compile time by scripts/bench-wasm; the test run uses few.
    let samples: usize = option_env!("BENCH_SAMPLES")
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    for (name, q, batch) in [
        (
            "N1000_n10_B128_signgd_mimic",
            "v=1&dim=1000&n=10&batch=128&opt=signgd&grad=mimic&loss=mse",
            2000,
        ),
        (
            "N100_n1000_B1024_signgd_ce",
            "v=1&dim=100&n=1000&batch=1024&opt=signgd&grad=autograd&loss=ce&vec=unit&lr=0.01",
            500,
        ),
    ] {
        let us = median_step_us(q, samples, batch);
        web_sys::console::log_1(
            &format!(
                "wasm geometry_step/{name}: median {us:.3} µs/step = {:.0} steps/s",
                1e6 / us
            )
            .into(),
        );
        assert!(us > 0.0 && us.is_finite(), "{name}: {us}");
    }
}

/// Give the browser its event loop back (so the test runner's WebDriver calls are answered
/// during long measurements).
async fn yield_now() {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
}

/// (median, fastest) ms per step of a link (the first `warm` steps excluded).
async fn median_step_ms(query: &str, samples: usize, batch: usize, warm: usize) -> (f64, f64) {
    let parsed = parse(query);
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    let mut sim = Simulation::new(parsed.config.spec().unwrap()).unwrap();
    for _ in 0..warm {
        sim.step().unwrap();
    }
    let mut per_step = Vec::with_capacity(samples);
    for _ in 0..samples {
        let t0 = now_ms();
        for _ in 0..batch {
            sim.step().unwrap();
        }
        per_step.push((now_ms() - t0) / batch as f64);
        yield_now().await;
    }
    per_step.sort_by(f64::total_cmp);
    (per_step[samples / 2], per_step[0])
}

/// The real networks (the PyTorch times they are compared with are in BENCHMARKS.md, "MLP").
/// Full sizes only under scripts/bench-wasm; the test run times small versions so that it
/// stays quick in a debug build.
#[wasm_bindgen_test]
async fn mlp_steps_in_the_browser() {
    let full = option_env!("BENCH_SAMPLES").is_some();
    let cases: [(&str, String, f64, &str); 5] = if full {
        [
            (
                "fig2 (p2 = 0.1, 10 000 samples)",
                "v=1&m=parity".into(),
                1000.0,
                "run of 1000 steps",
            ),
            (
                "fig13 (p = 59, SignGD)",
                "v=1&m=grokking".into(),
                1.0,
                "step",
            ),
            (
                "fig19 (non-modular, f32)",
                "v=1&m=modular".into(),
                1000.0,
                "run of 1000 steps",
            ),
            (
                "fig19 (non-modular, f64)",
                "v=1&m=modular&dtype=f64".into(),
                1000.0,
                "run of 1000 steps",
            ),
            (
                "fig19 (modular, f32)",
                "v=1&m=modular&modular=1".into(),
                1000.0,
                "run of 1000 steps",
            ),
        ]
    } else {
        [
            (
                "fig2 (small)",
                "v=1&m=parity&samples=200&width=8".into(),
                1000.0,
                "run of 1000 steps",
            ),
            (
                "fig13 (small)",
                "v=1&m=grokking&modulus=7&emb=4&width=8".into(),
                1.0,
                "step",
            ),
            (
                "fig19 (small, f32)",
                "v=1&m=modular&samples=100&width=8".into(),
                1000.0,
                "run of 1000 steps",
            ),
            (
                "fig19 (small, f64)",
                "v=1&m=modular&samples=100&width=8&dtype=f64".into(),
                1000.0,
                "run of 1000 steps",
            ),
            (
                "fig19 (small, modular)",
                "v=1&m=modular&samples=100&width=8&modular=1".into(),
                1000.0,
                "run of 1000 steps",
            ),
        ]
    };
    let (samples, batch) = if full { (9, 5) } else { (3, 2) };
    for (name, q, per, unit) in cases {
        let (ms, fastest) = median_step_ms(&q, samples, batch, 5).await;
        web_sys::console::log_1(
            &format!(
                "wasm mlp {name}: median {ms:.3} ms/step = {:.2} s per {unit} (fastest batch {fastest:.3} ms/step)",
                ms * per / 1000.0
            )
            .into(),
        );
        assert!(ms > 0.0 && ms.is_finite(), "{name}: {ms}");
    }
    // the products alone (sim::nn::gemm::gemm: the fixed-order f64x2 / f32x4 kernels in wasm),
    // GFLOP/s
    let shapes: [(&str, usize, usize, usize, bool, bool); 7] = if full {
        [
            ("fig2 X·W1ᵀ 10000×32×50", 10000, 32, 50, false, true),
            ("fig2 δ1ᵀ·X 50×10000×32", 50, 10000, 32, true, false),
            ("fig13 X·W1ᵀ 2784×256×100", 2784, 256, 100, false, true),
            ("fig19 H·W2ᵀ 1000×100×100", 1000, 100, 100, false, true),
            ("fig19 δ2ᵀ·H 100×1000×100", 100, 1000, 100, true, false),
            ("fig19 H·W3ᵀ 1000×100×2", 1000, 100, 2, false, true),
            ("fig19 δ1ᵀ·X 100×1000×2", 100, 1000, 2, true, false),
        ]
    } else {
        [
            ("small 33×17×9", 33, 17, 9, false, true),
            ("small 9×33×17", 9, 33, 17, true, false),
            ("small 5×5×5", 5, 5, 5, false, false),
            ("small 1×1×1", 1, 1, 1, true, true),
            ("small 40×9×2", 40, 9, 2, false, true),
            ("small 9×40×2", 9, 40, 2, true, false),
            ("small 2×2×2", 2, 2, 2, false, false),
        ]
    };
    for (name, m, k, n, ta, tb) in shapes {
        if !name.starts_with("fig19") || !full {
            let ms = time_gemm::<f64>(m, k, n, ta, tb, samples).await;
            log_gemm(&format!("{name} f64"), m, k, n, ms);
        }
        if name.starts_with("fig19") || !full {
            let ms = time_gemm::<f32>(m, k, n, ta, tb, samples).await;
            log_gemm(&format!("{name} f32"), m, k, n, ms);
        }
    }
    if full {
        // the f64 kernel on the Fig. 19 square product, for comparison
        let ms = time_gemm::<f64>(1000, 100, 100, false, true, samples).await;
        log_gemm("fig19 H·W2ᵀ 1000×100×100 f64", 1000, 100, 100, ms);
    }
}

/// (median, fastest) ms per call of `sim::nn::gemm::gemm` in precision `T` over `samples + 2`
/// samples.
async fn time_gemm<T: skill_dominoes::sim::nn::gemm::Gemm>(
    m: usize,
    k: usize,
    n: usize,
    ta: bool,
    tb: bool,
    samples: usize,
) -> (f64, f64) {
    let a: Vec<T> = (0..m * k)
        .map(|i| T::from_f64(((i % 17) as f64 - 8.0) / 9.0))
        .collect();
    let b: Vec<T> = (0..k * n)
        .map(|i| T::from_f64(((i % 13) as f64 - 6.0) / 7.0))
        .collect();
    let mut c = vec![T::ZERO; m * n];
    let mut times = Vec::new();
    // small products are repeated so that one sample lasts ≈ 10 ms or more
    let reps = (20_000_000 / (2 * m * k * n).max(1)).clamp(1, 100);
    for _ in 0..samples + 2 {
        let t0 = now_ms();
        for _ in 0..reps {
            skill_dominoes::sim::nn::gemm::gemm(m, k, n, &a, ta, &b, tb, T::ZERO, &mut c);
        }
        times.push((now_ms() - t0) / reps as f64);
        yield_now().await;
    }
    times.sort_by(f64::total_cmp);
    assert!(c.iter().all(|x| x.to_f64().is_finite()));
    (times[times.len() / 2], times[0])
}

fn log_gemm(name: &str, m: usize, k: usize, n: usize, (median, fastest): (f64, f64)) {
    let gflops = |ms: f64| 2.0 * (m * k * n) as f64 / ms / 1e6;
    web_sys::console::log_1(
        &format!(
            "wasm mlp gemm {name}: median {median:.3} ms = {:.1} GFLOP/s (fastest {:.1} GFLOP/s)",
            gflops(median),
            gflops(fastest.max(1e-3))
        )
        .into(),
    );
}

/// The sharded step (docs/models.md §13, `sim::nn::shard`) in the browser: per figure, ms per
/// step unsharded, sharded on one thread, and per round with W workers the pieces a round is
/// made of, each timed here on one thread: the leader's order (apply the gradient, draw the
/// mask), the slowest worker's `shard_work` for its shards (`ownership(W)`), and the leader's
/// `finish_round` (gather, tree, observables); plus the bytes a round sends and receives. The
/// messages' own cost is measured by `e2e/parallel-bench.mjs`; BENCHMARKS.md adds the two.
#[wasm_bindgen_test]
async fn sharded_rounds_in_the_browser() {
    use skill_dominoes::sim::nn::shard::ownership;
    use skill_dominoes::sim::nn::{Net, ShardReply, Sharded};
    use skill_dominoes::sim::ModelSpec;
    let full = option_env!("BENCH_SAMPLES").is_some();
    let cases: [(&str, &str); 3] = if full {
        [
            ("fig2", "v=1&m=parity"),
            ("fig13", "v=1&m=grokking"),
            ("fig19", "v=1&m=modular"),
        ]
    } else {
        [
            ("fig2 (small)", "v=1&m=parity&samples=200&width=8"),
            ("fig13 (small)", "v=1&m=grokking&modulus=7&emb=4&width=8"),
            ("fig19 (small)", "v=1&m=modular&samples=100&width=8"),
        ]
    };
    let samples = if full { 15 } else { 2 };
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    for (name, q) in cases {
        let parsed = parse(q);
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        let Ok(ModelSpec::Net(p)) = parsed.config.spec() else {
            panic!("{name} is not a network");
        };
        let new = || Net::new(p.clone()).unwrap();
        // unsharded and sharded steps on one thread
        let mut plain = new();
        let mut sharded = new();
        sharded.shard().unwrap();
        // warm-up: the browser compiles hot wasm functions a second time, optimised, in the
        // background; without this the first cases timed run on the baseline code
        // (`shard_work` too: inlined, its body is a function of its own)
        let mut warm_worker = new();
        let warm_until = now_ms() + if full { 4000.0 } else { 10.0 };
        while now_ms() < warm_until {
            plain.step().unwrap();
            sharded.step().unwrap();
            let order = sharded.experiment_mut().round_order();
            let reply = warm_worker
                .experiment_mut()
                .shard_work(&order, 0..16)
                .unwrap();
            sharded
                .experiment_mut()
                .finish_round(&order, &[reply])
                .unwrap();
            yield_now().await;
        }
        let (mut tp, mut ts) = (vec![], vec![]);
        for _ in 0..samples + 2 {
            let t0 = now_ms();
            plain.step().unwrap();
            let t1 = now_ms();
            sharded.step().unwrap();
            tp.push(t1 - t0);
            ts.push(now_ms() - t1);
            yield_now().await;
        }
        let (tp, ts) = (median(tp), median(ts));
        web_sys::console::log_1(
            &format!("wasm parallel {name}: one thread: unsharded {tp:.3} ms/step, sharded {ts:.3} ms/step ({:+.1} %)", (ts / tp - 1.0) * 100.0).into(),
        );
        assert!(tp > 0.0 && ts > 0.0);
        for w in [1usize, 2, 4, 8] {
            let mut leader = new();
            leader.shard().unwrap();
            let mut worker = new();
            let (mut t_order, mut t_work, mut t_finish) = (vec![], vec![], vec![]);
            let (mut sent, mut received) = (0, 0);
            for _ in 0..samples {
                let t0 = now_ms();
                let order = leader.experiment_mut().round_order();
                t_order.push(now_ms() - t0);
                let mut slowest = 0.0f64;
                let mut replies: Vec<ShardReply> = vec![];
                for r in ownership(w) {
                    let t = now_ms();
                    replies.push(worker.experiment_mut().shard_work(&order, r).unwrap());
                    slowest = slowest.max(now_ms() - t);
                }
                t_work.push(slowest);
                sent = 8 * (order.theta.len() + order.mask.as_ref().map_or(0, |m| m.len()));
                received = replies
                    .iter()
                    .map(|r| 8 * (r.outputs.len() + r.grads.len()))
                    .max()
                    .unwrap_or(0);
                let t = now_ms();
                leader
                    .experiment_mut()
                    .finish_round(&order, &replies)
                    .unwrap();
                t_finish.push(now_ms() - t);
                yield_now().await;
            }
            let (o, wk, f) = (median(t_order), median(t_work), median(t_finish));
            web_sys::console::log_1(
                &format!(
                    "wasm parallel {name}: {w} workers: order {o:.3} ms, slowest worker {wk:.3} ms, finish {f:.3} ms, compute per round {:.3} ms; sends {sent} B per worker, largest reply {received} B",
                    o + wk + f
                )
                .into(),
            );
            assert!(wk > 0.0 && wk.is_finite());
        }
    }
}

/// The inside view's cost in the browser (docs/models.md §12; the native figures are
/// `cargo bench --bench mlp -- inside`): one training step against one attribution (K backward
/// passes at the kept forward pass) of the same network after `warm` steps, Fig. 2 (p2 = 0.1)
/// and Fig. 19 (non-modular, f32). The page attributes every `lab::inside::every_for(steps)`
/// steps (10 for these runs) while the view is open.
#[wasm_bindgen_test]
async fn inside_in_the_browser() {
    let full = option_env!("BENCH_SAMPLES").is_some();
    let cases: [(&str, &str); 2] = if full {
        [
            ("fig2 (p2 = 0.1)", "v=1&preset=fig2"),
            ("fig19 (non-modular, f32)", "v=1&m=modular"),
        ]
    } else {
        [
            ("fig2 (small)", "v=1&m=parity&samples=200&width=8"),
            ("fig19 (small)", "v=1&m=modular&samples=100&width=8"),
        ]
    };
    let (samples, warm) = if full { (15, 200) } else { (3, 5) };
    for (name, q) in cases {
        let parsed = parse(q);
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        let mut sim = Simulation::new(parsed.config.spec().unwrap()).unwrap();
        for _ in 0..warm {
            sim.step().unwrap();
        }
        let (mut step, mut attr) = (vec![], vec![]);
        for _ in 0..samples {
            let t0 = now_ms();
            sim.step().unwrap();
            let t1 = now_ms();
            let Simulation::Net(net) = &mut sim else {
                panic!("{name}: not a network");
            };
            let a = net.experiment_mut().attribution();
            let t2 = now_ms();
            assert!(a.is_some(), "{name}: no attribution");
            step.push(t1 - t0);
            attr.push(t2 - t1);
            yield_now().await;
        }
        step.sort_by(f64::total_cmp);
        attr.sort_by(f64::total_cmp);
        let (s, a) = (step[samples / 2], attr[samples / 2]);
        web_sys::console::log_1(
            &format!(
                "wasm inside {name}: median step {s:.2} ms, attribution {a:.2} ms ({:.2} steps; +{:.0} % at one snapshot per 10 steps)",
                a / s,
                100.0 * a / (10.0 * s)
            )
            .into(),
        );
        assert!(s > 0.0 && a > 0.0 && a.is_finite(), "{name}: {s} {a}");
    }
}
