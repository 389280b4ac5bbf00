//! Criterion benchmarks of the real-network experiments (one CPU thread; float64 for Figs 2
//! and 13, float32 for Fig. 19): a whole Fig. 2 run (10 000 samples, 1000 full-batch Adam
//! steps), one Fig. 13 step, a whole Fig. 19 run (1000 steps), and the inside view's
//! attribution against a step (`inside`). Run: `cargo bench --bench mlp`;
//! the figures and the PyTorch times they are compared with are in BENCHMARKS.md ("MLP").
//!
//! A "step" here is what a run does per step: the gradient from the kept forward pass, the
//! optimizer update, and the forward pass that gives the new observables (for Fig. 13 that
//! includes the test-set pass).

// criterion is a native-only dev-dependency: in a wasm32 build (clippy --all-targets)
// this bench is an empty program.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
use criterion::{criterion_group, criterion_main, Criterion};
#[cfg(not(target_arch = "wasm32"))]
use skill_dominoes::sim::nn::{
    Dtype, Experiment, Grokking, GrokkingParams, Modular, ModularParams, Parity, ParityParams,
};
#[cfg(not(target_arch = "wasm32"))]
use std::hint::black_box;
#[cfg(not(target_arch = "wasm32"))]
use std::time::Duration;

#[cfg(not(target_arch = "wasm32"))]
fn fig2_run(c: &mut Criterion) {
    let mut g = c.benchmark_group("fig2");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(40));
    g.bench_function("run_1000_steps_p2_0.1", |b| {
        b.iter(|| {
            let mut p = Parity::new(ParityParams::frequency(0.1)).unwrap();
            for _ in 0..1000 {
                p.step().unwrap();
            }
            black_box(p.accuracies())
        })
    });
    g.finish();
}

#[cfg(not(target_arch = "wasm32"))]
fn fig13_step(c: &mut Criterion) {
    let mut g = c.benchmark_group("fig13");
    g.sample_size(20);
    g.measurement_time(Duration::from_secs(15));
    for (name, params) in [
        ("step_p59_signgd", GrokkingParams::signgd()),
        ("step_p59_adam", GrokkingParams::adam()),
    ] {
        let mut run = Grokking::new(params).unwrap();
        for _ in 0..20 {
            run.step().unwrap();
        }
        g.bench_function(name, |b| b.iter(|| black_box(&mut run).step().unwrap()));
    }
    g.finish();
}

#[cfg(not(target_arch = "wasm32"))]
fn fig19_run(c: &mut Criterion) {
    let mut g = c.benchmark_group("fig19");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(30));
    // f32 is the default (the paper's Fig. 19 dtype); f64 for comparison
    for (modular, dtype) in [
        (false, Dtype::F32),
        (true, Dtype::F32),
        (false, Dtype::F64),
        (true, Dtype::F64),
    ] {
        let name = format!(
            "run_1000_steps_{}_{}",
            if modular { "modular" } else { "nonmodular" },
            dtype.name()
        );
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut m = Modular::new(ModularParams {
                    modular,
                    dtype,
                    ..ModularParams::default()
                })
                .unwrap();
                for _ in 0..1000 {
                    m.step().unwrap();
                }
                black_box(m.learned_at())
            })
        });
    }
    g.finish();
}

/// The inside view's cost (docs/models.md §12): one training step against one attribution
/// (K backward passes at the kept forward pass) of the same network, Fig. 2 (p2 = 0.1, after
/// 200 steps) and Fig. 19 non-modular (f32, after 200 steps). The page attributes every 10
/// steps (`lab::inside::every_for`), so the view costs about attribution/(10 · step) of the
/// run while open, nothing while closed.
#[cfg(not(target_arch = "wasm32"))]
fn inside(c: &mut Criterion) {
    let mut g = c.benchmark_group("inside");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(10));
    let mut p = Parity::new(ParityParams::frequency(0.1)).unwrap();
    let mut m = Modular::new(ModularParams::default()).unwrap();
    for _ in 0..200 {
        p.step().unwrap();
        m.step().unwrap();
    }
    let (mut p2, mut m2) = (p.clone(), m.clone());
    g.bench_function("fig2_step", |b| {
        b.iter(|| black_box(&mut p).step().unwrap())
    });
    g.bench_function("fig2_attribution", |b| {
        b.iter(|| black_box(black_box(&mut p2).attribution()))
    });
    g.bench_function("fig19_step", |b| {
        b.iter(|| black_box(&mut m).step().unwrap())
    });
    g.bench_function("fig19_attribution", |b| {
        b.iter(|| black_box(black_box(&mut m2).attribution()))
    });
    g.finish();
}

#[cfg(not(target_arch = "wasm32"))]
criterion_group!(mlp, fig2_run, fig13_step, fig19_run, inside);
#[cfg(not(target_arch = "wasm32"))]
criterion_main!(mlp);
