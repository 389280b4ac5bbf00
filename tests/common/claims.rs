//! A claim of a caption or of a tour step (`link::presets::Claim`) against the run it is
//! about: `tests/captions.rs` (the presets' captions) and `tests/tour.rs` (the tour's steps)
//! include this file with `#[path = "common/claims.rs"] mod claims;`.

use skill_dominoes::link::parse;
use skill_dominoes::link::presets::Claim;
use skill_dominoes::sim::metrics::first_above;

/// What a run shows: each skill's t (first step above the threshold) and final level.
pub struct Outcome {
    pub t: Vec<Option<usize>>,
    pub last: Vec<f64>,
}

pub fn outcome(link: &str) -> Outcome {
    let parsed = parse(link);
    assert!(parsed.problems.is_empty(), "{link}: {:?}", parsed.problems);
    let c = parsed.config;
    let traj = skill_dominoes::sim::run(c.spec().unwrap(), c.steps, 1, false).unwrap();
    assert!(traj.error.is_none(), "{link}: {:?}", traj.error);
    let n = traj.frames[0].levels.len();
    let t = (0..n)
        .map(|i| {
            let col: Vec<f64> = traj.frames.iter().map(|f| f.levels[i]).collect();
            first_above(&col, c.thr)
        })
        .collect();
    let last = traj.frames.last().unwrap().levels.clone();
    Outcome { t, last }
}

/// A failure message when the claim does not hold, with what the run measured.
pub fn check(claim: &Claim, o: &Outcome) -> Option<String> {
    let ok = match *claim {
        Claim::Ratio { value, tol, .. } => {
            let r = match (o.t[0], o.t[1]) {
                (Some(a), Some(b)) => b as f64 / a as f64,
                _ => f64::NAN,
            };
            if (r - value).abs() <= tol {
                return None;
            }
            format!("t2/t1 = {r:.3} (t = {:?})", o.t)
        }
        Claim::LearnedAt {
            skill, step, tol, ..
        } => match o.t[skill - 1] {
            Some(t) if t.abs_diff(step as usize) <= tol as usize => return None,
            t => format!("t{skill} = {t:?}"),
        },
        Claim::AllLearnedAt { step, tol, .. } => {
            let all: Option<Vec<usize>> = o.t.iter().copied().collect();
            match all.and_then(|v| v.into_iter().max()) {
                Some(t) if t.abs_diff(step as usize) <= tol as usize => return None,
                t => format!("last learned at {t:?} (t = {:?})", o.t),
            }
        }
        Claim::Unlearned { count, .. } => {
            let k = o.t.iter().filter(|t| t.is_none()).count();
            if k == count {
                return None;
            }
            format!("{k} unlearned (t = {:?})", o.t)
        }
        Claim::EndBelow { level, count, .. } => {
            let k = o.last.iter().filter(|s| **s < level).count();
            if k == count {
                return None;
            }
            format!("{k} end below {level} ({:?})", o.last)
        }
    };
    Some(ok)
}
