//! Links are a public API: a link published today must open the same run after later
//! releases. Each row pins a link to a fingerprint of its first rows (every bit of every
//! level and loss). If a change breaks a row on purpose, the link format needs a new version.

use skill_dominoes::link::parse;
use skill_dominoes::sim::run;

/// FNV-1a over the bits of every level and loss of the first `steps` rows.
fn fingerprint(query: &str, steps: u32) -> u64 {
    let parsed = parse(query);
    assert!(parsed.problems.is_empty(), "{query}: {:?}", parsed.problems);
    let traj = run(parsed.config.spec().unwrap(), steps, 1, false).unwrap();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for f in &traj.frames {
        for x in f.levels.iter().chain([&f.loss]) {
            for b in x.to_bits().to_le_bytes() {
                h ^= b as u64;
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
    }
    h
}

const FROZEN: &[(&str, u32, u64)] = &[
    ("v=1", 50, 0xc2564a2e2484ad2a),
    ("v=1&m=resource", 200, 0xed7995f17e3a1196),
    ("v=1&m=domino", 200, 0x130489e276e1d164),
    ("v=1&m=parallel", 200, 0x152b301ec247bf57),
    ("v=1&m=quadratic", 200, 0xb5eac65c5b67acaf),
    (
        "v=1&freq=two&p1=0.95&batch=128&grad=mimic&seed=2",
        50,
        0x80933ea538ee98a9,
    ),
    (
        "v=1&n=5&dim=64&batch=32&noise=0.01&vec=unit&seed=11&opt=adam&lr=0.01&loss=ce",
        50,
        0xdfa5756bd9c3d7b0,
    ),
    ("v=1&preset=fig4&opt=sgd&p1=0.9", 50, 0x58b0916a1400782a),
    ("v=1&preset=fig8ce&m=resource", 50, 0x8465c942563a8fee),
    (
        "v=1&preset=fig15&opt=lion&noise=0.2",
        50,
        0x603b53a541eac0ea,
    ),
    ("v=1&preset=fig17or", 200, 0x8e7b2f9b4c714aef),
];

#[test]
fn frozen_links_open_the_same_runs() {
    let mut bad = vec![];
    for (q, steps, want) in FROZEN {
        let got = fingerprint(q, *steps);
        if got != *want {
            bad.push(format!("    (\"{q}\", {steps}, {got:#018x}),"));
        }
    }
    assert!(
        bad.is_empty(),
        "links whose runs changed (new fingerprints):\n{}",
        bad.join("\n")
    );
}
