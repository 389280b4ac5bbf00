//! Determinism across platforms: the same link gives bit-identical numbers natively and in
//! the browser. This test computes the fingerprint of one run natively and asserts it equals
//! [`WASM_FINGERPRINT`]; `tests/web.rs` asserts the same constant inside wasm32 in headless
//! Chromium. The constant is written twice on purpose (the wasm test cannot read native
//! results), and each side asserts it, so the two can never drift apart silently.
//!
//! If a deliberate change to the simulation moves the numbers, run
//! `cargo test --test determinism_wasm_fingerprint -- --nocapture`, and copy the printed value
//! into both files.

use skill_dominoes::link::parse;
use skill_dominoes::sim::{run, Trajectory};

/// The link whose run is fingerprinted (same string in tests/web.rs).
const LINK: &str = "v=1&m=geometry&n=5&dim=64&batch=32&steps=200&seed=7&vec=ortho&grad=mimic";

/// FNV-1a (64 bit) over the bits of every frame's loss and levels (same code in tests/web.rs).
const WASM_FINGERPRINT: u64 = 0xd65f_648f_2c98_277e;

fn fingerprint(traj: &Trajectory) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |x: f64| {
        for b in x.to_bits().to_le_bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    for f in &traj.frames {
        eat(f.loss);
        for &s in &f.levels {
            eat(s);
        }
    }
    h
}

#[test]
fn native_fingerprint_matches_the_wasm_constant() {
    let parsed = parse(LINK);
    assert!(
        parsed.problems.is_empty() && parsed.unknown.is_empty(),
        "{:?}",
        parsed
    );
    let traj = run(parsed.config.spec().unwrap(), 200, 1, true).unwrap();
    assert_eq!(traj.frames.len(), 201);
    assert!(traj.error.is_none());
    let fp = fingerprint(&traj);
    println!("fingerprint of {LINK}: {fp:#018x}");
    assert_eq!(
        fp, WASM_FINGERPRINT,
        "native fingerprint {fp:#018x}; update both constants if this is deliberate"
    );
}
