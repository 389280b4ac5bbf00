//! Criterion benchmarks of the real-network experiments (one CPU thread; float64 for Figs 2
//! and 13, float32 for Fig. 19): a whole Fig. 2 run (10 000 samples, 1000 full-batch Adam
//! steps), one Fig. 13 step, a whole Fig. 19 run (1000 steps). Run: `cargo bench --bench mlp`;
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

#[cfg(not(target_arch = "wasm32"))]
criterion_group!(mlp, fig2_run, fig13_step, fig19_run);
#[cfg(not(target_arch = "wasm32"))]
criterion_main!(mlp);
