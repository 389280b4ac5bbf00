//! The guided tour (`lab::tour`, issue 12): its steps are valid links whose control to try
//! is one the run reads, its position walks as the page walks it, and every number of its
//! text holds in the step's own run (claims on the real networks of Fig. 2 run with
//! `--ignored`, as in tests/captions.rs).

#[path = "common/claims.rs"]
mod claims;

use claims::{check, outcome, Outcome};
use skill_dominoes::lab::interactive;
use skill_dominoes::lab::tour::{self, parse_position, STEPS};
use skill_dominoes::link::{page, parse, spec_of};
use std::collections::HashMap;

/// Claims on runs estimated above this many seconds of the reference machine run with
/// `--ignored` (tests/captions.rs's rule).
const QUICK_S: f64 = 5.0;

#[test]
fn the_tour_has_eight_to_twelve_steps_in_the_papers_order() {
    assert!((8..=12).contains(&STEPS.len()), "{}", STEPS.len());
    let figs: Vec<&str> = STEPS.iter().map(|s| s.figures).collect();
    // the order: Fig 2 → Figs 4, 12 → Fig 5 → Figs 6, 7 → Fig 9 → Figs 16, 17 →
    // Fig 10 → Figs 18, 19 → Figs 13, 15
    let order = ["2", "4", "12", "5", "6", "9", "17", "10", "19", "15", "13"];
    let mut at = 0;
    for want in order {
        let pos = figs[at..]
            .iter()
            .position(|f| f.split([' ', ',']).any(|w| w == want))
            .unwrap_or_else(|| panic!("Fig. {want} missing or out of order: {figs:?}"));
        at += pos;
    }
}

#[test]
fn every_step_is_a_clean_link_within_the_pages_budget() {
    for (i, s) in STEPS.iter().enumerate() {
        assert!(
            s.preset().is_some(),
            "step {}: no preset {}",
            i + 1,
            s.preset
        );
        for link in std::iter::once(s.link()).chain(s.claims.iter().map(|c| s.claim_link(c))) {
            let p = parse(&link);
            assert!(
                p.problems.is_empty() && p.unknown.is_empty() && p.notices.is_empty(),
                "step {}: {link}: {:?} {:?} {:?}",
                i + 1,
                p.problems,
                p.unknown,
                p.notices
            );
            // the tab runs this very run (not one the page's budget reduced), so the text's
            // numbers are what the reader sees
            let i_cfg = interactive(&p.config);
            assert_eq!(
                i_cfg.config,
                p.config,
                "step {}: the page would reduce {link}",
                i + 1
            );
        }
    }
}

#[test]
fn every_steps_control_is_read_by_its_run() {
    for (i, s) in STEPS.iter().enumerate() {
        let spec = spec_of(s.try_key)
            .unwrap_or_else(|| panic!("step {}: {} is not a key", i + 1, s.try_key));
        assert!(
            !["v", "preset", "m"].contains(&s.try_key),
            "step {}: {} has no control in the parameters panel",
            i + 1,
            s.try_key
        );
        let c = parse(&s.link()).config;
        assert!(
            spec.is_read_by(&c),
            "step {}: the run of {} does not read {}",
            i + 1,
            s.link(),
            s.try_key
        );
        assert!(!page::is_page_key(s.try_key));
    }
}

/// A step that shows a precomputed grid names a sweep preset that has one, and the grid is
/// the scaling-law step's Fig. 10 (issue 13: "the sweep page and the tour show them at once").
#[test]
fn a_steps_stored_grid_is_shipped() {
    use skill_dominoes::sweep::stored::grids_of;
    let with: Vec<_> = STEPS.iter().filter_map(|s| Some((s, s.stored?))).collect();
    assert!(!with.is_empty(), "some step shows a precomputed grid");
    for (s, preset) in with {
        assert!(
            !grids_of(preset).is_empty(),
            "{}: {preset} has no stored grid",
            s.title
        );
        assert!(s.figures.contains("Fig. 10"), "{}", s.title);
        assert!(
            s.text.contains("precomputed"),
            "{}: the text says it is precomputed",
            s.title
        );
    }
}

/// Every `{i}` of a step's text is one of its claims, every claim is shown, and the texts
/// cite the paper.
#[test]
fn every_claim_is_shown_and_every_number_slot_is_a_claim() {
    for (i, s) in STEPS.iter().enumerate() {
        for (j, _) in s.claims.iter().enumerate() {
            let slot = format!("{{{j}}}");
            assert!(
                s.text.contains(&slot) || s.try_text.contains(&slot),
                "step {}: claim {j} is not shown",
                i + 1
            );
        }
        for text in [s.body(), s.try_this()] {
            assert!(
                !text.contains('{') && !text.contains('}'),
                "step {}: {text}",
                i + 1
            );
        }
        assert!(s.body().contains("arXiv 2501.12391"), "step {}", i + 1);
        assert!(!s.title.is_empty() && !s.try_text.is_empty());
    }
}

#[test]
fn position_walks_and_bad_positions_are_named() {
    let n = tour::len();
    assert_eq!(tour::next(1), Some(2));
    assert_eq!(tour::next(n), None);
    assert_eq!(tour::prev(1), None);
    assert_eq!(tour::prev(2), Some(1));
    assert_eq!(tour::prev(n + 5), None);
    assert!(tour::step(0).is_none() && tour::step(n + 1).is_none());
    assert_eq!(tour::step(1), Some(&STEPS[0]));
    // walking forward then back visits every step once each way
    let mut k = 1;
    let mut seen = vec![k];
    while let Some(x) = tour::next(k) {
        k = x;
        seen.push(k);
    }
    assert_eq!(seen, (1..=n).collect::<Vec<_>>());
    while let Some(x) = tour::prev(k) {
        k = x;
    }
    assert_eq!(k, 1);
    assert_eq!(parse_position("3"), Ok(3));
    for bad in [
        "0",
        "-1",
        "x",
        "",
        "1e3",
        &(n + 1).to_string(),
        &"9".repeat(300),
    ] {
        let e = parse_position(bad).unwrap_err();
        assert!(
            e.starts_with("tour = ") && e.contains(&format!("1 … {n}")),
            "{e}"
        );
        assert!(e.chars().count() < 150, "{e}");
    }
}

/// Check the claims of every step whose run is quick (`quick`) or slow; each run once.
fn check_claims(quick: bool) {
    let mut runs: HashMap<String, Outcome> = HashMap::new();
    let mut failures = vec![];
    let mut checked = 0;
    for (i, s) in STEPS.iter().enumerate() {
        for claim in s.claims {
            let link = s.claim_link(claim);
            if (parse(&link).config.cost().seconds <= QUICK_S) != quick {
                continue;
            }
            let o = runs.entry(link.clone()).or_insert_with(|| outcome(&link));
            checked += 1;
            if let Some(why) = check(claim, o) {
                failures.push(format!(
                    "step {} ({}) «{}»: {claim:?}: the run gives {why}",
                    i + 1,
                    s.title,
                    claim.text()
                ));
            }
        }
    }
    eprintln!("{checked} claims over {} runs", runs.len());
    assert!(checked > 0);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_quick_tour_claim_holds_in_its_run() {
    check_claims(true);
}

#[test]
#[ignore = "the real network of Fig. 2: ≈ 1.5 min in the dev profile"]
fn every_slow_tour_claim_holds_in_its_run() {
    check_claims(false);
}
