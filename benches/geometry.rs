//! Criterion benchmarks of one Geometry-model step (the update plus the next gradient, the
//! work a run does per step). Run: `cargo bench --bench geometry`; figures in BENCHMARKS.md.

// criterion is a native-only dev-dependency: in a wasm32 build (clippy --all-targets)
// this bench is an empty program.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
#[cfg(not(target_arch = "wasm32"))]
use skill_dominoes::link::parse;
#[cfg(not(target_arch = "wasm32"))]
use skill_dominoes::sim::Simulation;
#[cfg(not(target_arch = "wasm32"))]
use std::hint::black_box;

#[cfg(not(target_arch = "wasm32"))]
fn step_bench(c: &mut Criterion, name: &str, query: &str) {
    let parsed = parse(query);
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    let mut sim = Simulation::new(parsed.config.spec().unwrap()).unwrap();
    // warm the optimizer state and leave the all-zero start behind
    for _ in 0..100 {
        sim.step().unwrap();
    }
    let mut g = c.benchmark_group("geometry_step");
    g.throughput(Throughput::Elements(1));
    g.bench_function(name, |b| b.iter(|| black_box(&mut sim).step().unwrap()));
    g.finish();
}

#[cfg(not(target_arch = "wasm32"))]
fn benches(c: &mut Criterion) {
    step_bench(
        c,
        "N1000_n10_B128_signgd_mimic",
        "v=1&dim=1000&n=10&batch=128&opt=signgd&grad=mimic&loss=mse",
    );
    step_bench(
        c,
        "N100_n1000_B1024_signgd_ce",
        "v=1&dim=100&n=1000&batch=1024&opt=signgd&grad=autograd&loss=ce&vec=unit&lr=0.01",
    );
}

#[cfg(not(target_arch = "wasm32"))]
criterion_group!(geometry, benches);
#[cfg(not(target_arch = "wasm32"))]
criterion_main!(geometry);
