//! The chain reaction reads (issue "The first minute"): with the page's tile mapping
//! (`lab::view::tile_angle`), the tiles of every run in which the paper shows a Domino effect
//! tip one after another, in order of frequency, and the time axis (`lab::view::axis_end`)
//! ends soon after the last one falls instead of at the end of a mostly flat run.

use skill_dominoes::lab::view::{axis_end, tile_angle, LEAN};
use skill_dominoes::link::parse;
use skill_dominoes::sim::run;

/// Per skill: the first step its tile starts to fall (angle past the lean) and the first
/// step it lies flat; and the step at which every skill is learned.
struct Falls {
    start: Vec<u32>,
    flat: Vec<u32>,
}

fn falls(link: &str, angle: impl Fn(f64, f64) -> f64) -> Falls {
    let parsed = parse(link);
    assert!(parsed.problems.is_empty(), "{link}: {:?}", parsed.problems);
    let c = parsed.config;
    let traj = run(c.spec().unwrap(), c.steps, 1, false).unwrap();
    assert!(traj.error.is_none(), "{link}");
    let n = traj.frames[0].levels.len();
    let first = |i: usize, pred: &dyn Fn(f64) -> bool| {
        traj.frames
            .iter()
            .find(|f| pred(angle(f.levels[i], c.thr)))
            .map(|f| f.step)
            .unwrap_or_else(|| panic!("{link}: tile {} never moves that far", i + 1))
    };
    Falls {
        start: (0..n).map(|i| first(i, &|a| a > LEAN + 1.0)).collect(),
        flat: (0..n).map(|i| first(i, &|a| a >= 89.0)).collect(),
    }
}

/// Tiles fall in order of frequency (skill 1 is the most frequent) and in sequence: the
/// first tile lies flat before the last one starts to fall.
fn assert_chain(link: &str, f: &Falls) {
    let n = f.start.len();
    for i in 1..n {
        assert!(
            f.start[i] >= f.start[i - 1] && f.flat[i] >= f.flat[i - 1],
            "{link}: tile {} falls before tile {i}: starts {:?}, flat {:?}",
            i + 1,
            f.start,
            f.flat
        );
    }
    assert!(
        f.flat[0] < f.start[n - 1],
        "{link}: the first tile is still falling when the last starts: starts {:?}, flat {:?}",
        f.start,
        f.flat
    );
}

/// Runs in which the paper shows skills learned one after another (Figs. 4 with SignGD,
/// 5, 9; and the page's default run).
const DOMINO_RUNS: [&str; 6] = [
    "v=1",
    "v=1&preset=fig4&opt=signgd&p1=0.9",
    "v=1&preset=fig5&alpha=2&n=5",
    "v=1&preset=fig5&alpha=2&n=10",
    "v=1&preset=fig5&alpha=1&n=10",
    "v=1&preset=fig9",
];

#[test]
fn tiles_tip_one_after_another() {
    for link in DOMINO_RUNS {
        assert_chain(link, &falls(link, tile_angle));
    }
}

#[test]
fn a_linear_tilt_is_not_a_chain_reaction() {
    // The mapping before: angle = 90° × s. In the default run every tile is past the lean
    // while the first is still falling, which is what the chain test must catch.
    let f = falls("v=1", |s, _| 90.0 * s.clamp(0.0, 1.0));
    let r = std::panic::catch_unwind(|| assert_chain("v=1", &f));
    assert!(r.is_err(), "starts {:?}, flat {:?}", f.start, f.flat);
}

#[test]
fn the_axis_ends_soon_after_the_cascade() {
    for link in DOMINO_RUNS {
        let c = parse(link).config;
        let f = falls(link, tile_angle);
        let learned = *f.flat.iter().max().unwrap();
        let end = axis_end(c.steps, c.steps, Some(learned), None);
        assert!(end > learned, "{link}: the last fall is on the chart");
        assert!(
            (end as f64) <= (learned as f64 * 1.45).max(c.steps as f64 / 20.0),
            "{link}: learned by {learned}, axis to {end}"
        );
    }
}
