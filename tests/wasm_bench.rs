//! In-browser benchmark of the Geometry step (wasm32 in headless Chromium): the same two
//! cases as `benches/geometry.rs`, timed with `performance.now()`, medians printed.
//! Run it with `scripts/bench-wasm` (release build); the figures go in BENCHMARKS.md.
//! As a test it also checks that a step runs and the timer works, so it cannot rot.
#![cfg(target_arch = "wasm32")]

use skill_dominoes::params::parse;
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
