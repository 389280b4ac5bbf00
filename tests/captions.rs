//! Every quantitative claim of a preset's caption, checked against the preset's own run
//! (issue 14: captions the run on screen contradicted). A caption's numbers come from its
//! structured claims (`link::presets::Claim`, shown through `{i}` in the caption's text),
//! so the number a reader sees is the number tested here.
//!
//! Claims on runs estimated above [`QUICK_S`] seconds of the reference machine (the real
//! networks of Fig. 2) run with `--ignored`:
//! `cargo test --test captions -- --ignored` (≈ 1.5 min in the dev profile); the rest, Fig. 19's
//! two networks included, take ≈ 30 s in the dev profile (opt-level 1) on 2 shared cores (83 s for both with `--include-ignored`).

#[path = "common/claims.rs"]
mod claims;

use claims::{check, outcome, Outcome};
use skill_dominoes::link::parse;
use skill_dominoes::link::presets::{Claim, Preset, PRESETS};
use std::collections::HashMap;

/// Runs estimated above this many seconds of the reference machine are left to `--ignored`.
const QUICK_S: f64 = 5.0;

fn cost(p: &Preset, claim: &Claim) -> f64 {
    parse(&p.panel_link(claim.panel())).config.cost().seconds
}

/// Check the claims whose run is quick (`quick`) or slow; each panel runs once.
fn check_claims(quick: bool) {
    let t0 = std::time::Instant::now();
    let mut runs: HashMap<String, Outcome> = HashMap::new();
    let mut failures = vec![];
    let mut checked = 0;
    for p in PRESETS {
        for claim in p.claims {
            if (cost(p, claim) <= QUICK_S) != quick {
                continue;
            }
            let link = p.panel_link(claim.panel());
            let o = runs.entry(link.clone()).or_insert_with(|| outcome(&link));
            checked += 1;
            if let Some(why) = check(claim, o) {
                failures.push(format!(
                    "{} «{}»: {claim:?}: the run gives {why}",
                    p.id,
                    claim.text()
                ));
            }
        }
    }
    eprintln!(
        "{checked} claims over {} runs in {:.1} s",
        runs.len(),
        t0.elapsed().as_secs_f64()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_quick_caption_claim_holds_in_the_preset_run() {
    check_claims(true);
}

#[test]
#[ignore = "the real network of Fig. 2: ≈ 1.5 min in the dev profile"]
fn every_slow_caption_claim_holds_in_the_preset_run() {
    check_claims(false);
}

/// Each claim names a panel of its preset and shows in the caption, and every `{i}` of a
/// caption's text is a claim.
#[test]
fn claims_are_panels_and_shown() {
    for p in PRESETS {
        for (i, claim) in p.claims.iter().enumerate() {
            assert!(
                claim.panel().is_empty() || p.panels.iter().any(|(_, x)| *x == claim.panel()),
                "{}: {claim:?} is not a panel",
                p.id
            );
            let used = p.text.contains(&format!("{{{i}}}"));
            let shown_elsewhere = matches!(
                claim,
                Claim::Unlearned { count: 0, .. } | Claim::EndBelow { count: 0, .. }
            );
            assert!(
                used || shown_elsewhere,
                "{}: claim {i} is not in the caption",
                p.id
            );
        }
        let caption = p.caption();
        assert!(
            !caption.contains('{') && !caption.contains('}'),
            "{}: {caption}",
            p.id
        );
    }
    // the captions the issue named no longer describe Left/Right panels or a time
    for id in ["fig6", "fig9"] {
        let p = PRESETS.iter().find(|p| p.id == id).unwrap();
        assert!(
            !p.caption().contains("Left") && !p.caption().contains("Right"),
            "{id}"
        );
    }
    let p = PRESETS.iter().find(|p| p.id == "fig13s").unwrap();
    assert!(!p.caption().contains("minute") && !p.title.contains("minute"));
}

/// Fig. 4 right (the sweep preset fig4r): the caption's top t2/t1 is what the sweep measures.
#[test]
fn fig4r_caption_states_the_measured_top_ratio() {
    let p = skill_dominoes::sweep::SWEEP_PRESETS
        .iter()
        .find(|p| p.id == "fig4r")
        .unwrap();
    let sweep = skill_dominoes::sweep::Sweep::parse(p.query).unwrap();
    let mut top: f64 = 0.0;
    for run in sweep.runs() {
        let o = outcome(&run.query);
        if let (Some(a), Some(b)) = (o.t[0], o.t[1]) {
            top = top.max(b as f64 / a as f64);
        }
    }
    let stated = format!("≈ {top:.1}");
    assert!(
        p.caption.contains(&stated),
        "fig4r measures {top:.3}: {}",
        p.caption
    );
}
