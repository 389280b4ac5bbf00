//! Fuzzing the link parser and the runs it yields: random and mutated query strings go to
//! `params::parse` and then to a short run of the model; nothing may panic, hang past a bound
//! or allocate past a bound (a counting allocator measures every input's peak).
//!
//! The regular test run executes a short pass (FUZZ_ITERS, default 3,000 inputs). A long run:
//!
//! ```sh
//! FUZZ_ITERS=1000000 FUZZ_SEED=7 cargo test --release --test fuzz_links -- --nocapture
//! ```

use counting::{LIVE, PEAK};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;
use skill_dominoes::link::presets::PRESETS;
use skill_dominoes::link::{parse, SCHEMA};
use skill_dominoes::sim::Simulation;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

#[path = "common/counting.rs"]
mod counting;

#[global_allocator]
static ALLOC: counting::Counting = counting::Counting;

/// Peak memory one input may use above what was live before it: the largest task matrix the
/// budget allows (2e7 f64 = 160 MB) with the QR's working copies, and the input itself.
const MEMORY_BOUND: usize = 700 << 20;
/// No input may take longer (a hang guard; typical inputs take well under a millisecond).
const TIME_BOUND: Duration = Duration::from_secs(60);
/// Inputs whose set-up is larger than this are parsed but not run in the short pass.
const RUN_SETUP_LIMIT: f64 = 2e7;

const VALUES: &[&str] = &[
    "",
    "0",
    "1",
    "-1",
    "2",
    "10",
    "0.5",
    "1e308",
    "-1e308",
    "1e-320",
    "NaN",
    "inf",
    "-inf",
    "-0",
    "99999999999999999999999",
    "4294967296",
    "9007199254740993",
    "0x10",
    "1_000",
    " 3",
    "3 ",
    "abc",
    "<script>alert(1)</script>",
    "%00",
    "%",
    "%zz",
    "+",
    "1,2,3",
    "0.3,1,3",
    ",,,",
    "1:2-3",
    "5:1-2,7:5-6",
    "2:2",
    "3:0.5:0.08",
    "1:1:1:1",
    "geometry",
    "resource",
    "domino",
    "parallel",
    "quadratic",
    "sgd",
    "signgd",
    "adam",
    "adamw",
    "lion",
    "ademamix",
    "mse",
    "ce",
    "mimic",
    "autograd",
    "ortho",
    "unit",
    "scaled",
    "basis",
    "zipf",
    "exp",
    "two",
    "list",
    "fig4",
    "fig17or",
    "100000",
    "10000",
    "20000",
    "1000000",
    "\u{202e}",
    "é",
    "💣",
];

fn base_links() -> Vec<String> {
    let mut v = vec![
        "v=1".to_string(),
        "v=1&m=resource".into(),
        "v=1&m=quadratic&opt=sgd".into(),
    ];
    for p in PRESETS {
        for (_, extra) in p.panels {
            v.push(p.panel_link(extra));
        }
    }
    v
}

fn mutate(rng: &mut Pcg64, link: &str) -> String {
    let mut parts: Vec<String> = link.split('&').map(str::to_string).collect();
    for _ in 0..rng.random_range(1..4u32) {
        match rng.random_range(0..8u32) {
            0 | 1 => {
                // a key from the vocabulary with a value from the dictionary
                let k = SCHEMA[rng.random_range(0..SCHEMA.len() as u32) as usize].key;
                let v = VALUES[rng.random_range(0..VALUES.len() as u32) as usize];
                parts.push(format!("{k}={v}"));
            }
            2 => {
                // replace a value
                if !parts.is_empty() {
                    let i = rng.random_range(0..parts.len() as u32) as usize;
                    let k = parts[i].split('=').next().unwrap_or("").to_string();
                    let v = VALUES[rng.random_range(0..VALUES.len() as u32) as usize];
                    parts[i] = format!("{k}={v}");
                }
            }
            3 => {
                // a random number, possibly huge or tiny
                let k = SCHEMA[rng.random_range(0..SCHEMA.len() as u32) as usize].key;
                let x: f64 = rng.random::<f64>() * 10f64.powi(rng.random_range(-12..13i32));
                let x = if rng.random::<bool>() { x.round() } else { x };
                parts.push(format!("{k}={x}"));
            }
            4 => {
                if !parts.is_empty() {
                    let i = rng.random_range(0..parts.len() as u32) as usize;
                    parts.remove(i);
                }
            }
            5 => {
                // byte-level damage in one part
                if !parts.is_empty() {
                    let i = rng.random_range(0..parts.len() as u32) as usize;
                    let mut chars: Vec<char> = parts[i].chars().collect();
                    let pos = rng.random_range(0..=chars.len() as u32) as usize;
                    let c = char::from_u32(rng.random_range(1..0x2FFu32)).unwrap_or('?');
                    if rng.random::<bool>() && pos < chars.len() {
                        chars.remove(pos);
                    } else {
                        chars.insert(pos, c);
                    }
                    parts[i] = chars.into_iter().collect();
                }
            }
            6 => {
                // a long repeated value
                let k = SCHEMA[rng.random_range(0..SCHEMA.len() as u32) as usize].key;
                let unit = VALUES[rng.random_range(0..VALUES.len() as u32) as usize];
                parts.push(format!(
                    "{k}={}",
                    unit.repeat(rng.random_range(1..5000u32) as usize)
                ));
            }
            _ => {
                // pure garbage
                let len = rng.random_range(0..64u32);
                parts.push(
                    (0..len)
                        .map(|_| char::from(rng.random_range(32..127u8)))
                        .collect(),
                );
            }
        }
    }
    parts.join("&")
}

#[test]
fn fuzz_links_and_short_runs() {
    let iters: usize = std::env::var("FUZZ_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3_000);
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let mut rng = Pcg64::seed_from_u64(seed);
    let bases = base_links();
    let (mut ran, mut worst_mem, mut worst_time) = (0usize, 0usize, Duration::ZERO);
    for i in 0..iters {
        let base = &bases[rng.random_range(0..bases.len() as u32) as usize];
        let input = mutate(&mut rng, base);
        let before = LIVE.load(Relaxed);
        PEAK.store(before, Relaxed);
        let t0 = Instant::now();
        let parsed = parse(&input);
        for p in &parsed.problems {
            assert!(
                p.message.len() < 400,
                "input {i}: message of {} chars",
                p.message.len()
            );
        }
        let c = &parsed.config;
        if c.setup_work() <= RUN_SETUP_LIMIT {
            let spec = c
                .spec()
                .unwrap_or_else(|e| panic!("input {i} {input:?}: valid config without spec: {e}"));
            if let Ok(mut sim) = Simulation::new(spec) {
                for _ in 0..c.steps.min(3) {
                    match sim.next_frame(true) {
                        Ok(f) => assert!(f.is_finite()),
                        Err(_) => break,
                    }
                }
                ran += 1;
            }
        }
        let dt = t0.elapsed();
        let mem = PEAK.load(Relaxed).saturating_sub(before);
        worst_mem = worst_mem.max(mem);
        worst_time = worst_time.max(dt);
        assert!(
            mem < MEMORY_BOUND,
            "input {i} {:?}: {mem} bytes",
            &input[..input.len().min(200)]
        );
        assert!(
            dt < TIME_BOUND,
            "input {i} {:?}: {dt:?}",
            &input[..input.len().min(200)]
        );
    }
    eprintln!(
        "fuzz: {iters} inputs (seed {seed}), {ran} short runs, worst peak {:.1} MB, worst time {worst_time:?}",
        worst_mem as f64 / 1e6
    );
    assert!(
        ran > iters / 4,
        "only {ran} of {iters} inputs ran: the mutations are too destructive"
    );
}
