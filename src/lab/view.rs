//! How the page frames a run so that the cascade reads at a glance (README "The page"):
//! the time axis follows the action ([`axis_end`]) and a tile tips over while its skill is
//! being learned, not while it is merely rising ([`tile_angle`]).
//!
//! Both are choices of presentation only: the run, its CSV and its link are the same.

use super::run::Run;
use crate::sim::{metrics::Milestones, Frame};

/// The power of ten at or below `x` (`Ok`), or the answer itself for the ends of the range
/// (`Err`: 1 for x ≤ 1 or not finite, `u32::MAX` past it): the rounding rules below share it.
fn decade_of(x: f64) -> Result<f64, u32> {
    if !x.is_finite() || x <= 1.0 {
        return Err(1);
    }
    if x >= u32::MAX as f64 {
        return Err(u32::MAX);
    }
    let mut decade = 1.0f64;
    while decade * 10.0 <= x {
        decade *= 10.0;
    }
    Ok(decade)
}

/// The smallest "nice" number ≥ `x` of the series 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k
/// (so an axis that follows a run grows in steps a reader can follow), at least 1.
pub fn nice_up(x: f64) -> u32 {
    let decade = match decade_of(x) {
        Ok(d) => d,
        Err(v) => return v,
    };
    for m in [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0] {
        let v = m * decade;
        if v >= x {
            return v.ceil().min(u32::MAX as f64) as u32;
        }
    }
    (10.0 * decade).min(u32::MAX as f64) as u32
}

/// The smallest multiple of a quarter of `x`'s decade that is ≥ `x` (612 → 625, 1236 →
/// 1250), at least 1: a finer rounding for an axis that stays put.
pub fn quarter_up(x: f64) -> u32 {
    let decade = match decade_of(x) {
        Ok(d) => d,
        Err(v) => return v,
    };
    let unit = (decade / 4.0).max(1.0);
    ((x / unit).ceil() * unit).ceil().min(u32::MAX as f64) as u32
}

/// The margin kept after the last skill is learned, as a fraction of that step: the plateau
/// is seen, the long flat tail is a scrub away.
pub const AFTER_LEARNED: f64 = 0.3;
/// While the cascade is under way the axis leads the newest step by this fraction.
pub const LEAD: f64 = 0.25;

/// Where the time axis of a run of `total` steps ends (the charts span 0..=end):
/// - while skills are still being learned, a little ahead of the newest step `latest`
///   (`LEAD`, rounded up to a nice number, at least a twentieth of the run), so the action
///   fills the chart instead of its left fifth;
/// - once every skill is learned (at step `learned`), the last milestone plus
///   [`AFTER_LEARNED`], however far the run goes on;
/// - never less than a chosen step `cursor` past it (scrubbing the timeline beyond the end
///   widens the axis: the tail is one drag away), and never more than `total`.
pub fn axis_end(total: u32, latest: u32, learned: Option<u32>, cursor: Option<u32>) -> u32 {
    let total = total.max(1);
    let floor = nice_up(total as f64 / 20.0);
    let end = match learned {
        Some(t) => quarter_up(t as f64 * (1.0 + AFTER_LEARNED) + 1.0),
        None => nice_up(latest as f64 * (1.0 + LEAD)),
    }
    .max(floor);
    let end = match cursor {
        // only a step past the end widens it (a hover inside the chart never does)
        Some(c) if c > end => quarter_up(c as f64),
        _ => end,
    };
    end.min(total)
}

impl Run {
    /// The step at which the last skill crossed the threshold, once every skill has.
    pub fn learned_step(&self) -> Option<u32> {
        learned_step(&self.milestones, &self.frames)
    }
}

/// The step at which the last skill crossed the threshold, once every skill has (`None`
/// for a run without skills): what [`axis_end`] calls `learned`, for the page's runs and the
/// pre-drawn figures alike.
pub fn learned_step(m: &Milestones, frames: &[Frame]) -> Option<u32> {
    if m.finish.is_empty() || m.finish.iter().any(|f| f.is_none()) {
        return None;
    }
    let last = m.finish.iter().flatten().max()?;
    frames.get(*last).map(|f| f.step)
}

/// Where the time axis of a finished run of `total` steps ends ([`axis_end`] with the run
/// over): the pre-drawn figures and the site's cards frame a run as the page does.
pub fn finished_axis_end(total: u32, frames: &[Frame], m: &Milestones) -> u32 {
    let last = frames.last().map_or(0, |f| f.step);
    axis_end(total, last, learned_step(m, frames), None)
}

/// How far over a tile leans before its skill reaches the tipping level (degrees): a
/// skill on its way shows a wobble, not a fall.
pub const LEAN: f64 = 6.0;

/// The level at which a tile starts to fall, as a fraction of the threshold: it falls while
/// s goes from `TIP * thr` to `thr` and lies flat once the skill is learned.
pub const TIP: f64 = 2.0 / 3.0;

/// The angle (degrees, 0 = upright, 90 = flat) of the tile of a skill at level `s` with
/// learning threshold `thr`: a lean of at most [`LEAN`] up to `TIP * thr`, then a smooth
/// fall to 90° at `thr`. With a sigmoid-shaped s(t) this makes tiles tip one after another
/// (a chain reaction) where a linear map of s tilts every rising skill at once.
/// A non-finite level is drawn upright.
pub fn tile_angle(s: f64, thr: f64) -> f64 {
    if !s.is_finite() || !thr.is_finite() || thr <= 0.0 {
        return 0.0;
    }
    let tip = TIP * thr;
    if s <= tip {
        return LEAN * (s / tip).clamp(0.0, 1.0);
    }
    let u = ((s - tip) / (thr - tip)).clamp(0.0, 1.0);
    let smooth = u * u * (3.0 - 2.0 * u);
    LEAN + (90.0 - LEAN) * smooth
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_numbers() {
        assert_eq!(nice_up(0.0), 1);
        assert_eq!(nice_up(f64::NAN), 1);
        assert_eq!(nice_up(7.0), 8);
        assert_eq!(nice_up(10.0), 10);
        assert_eq!(nice_up(10.5), 12);
        assert_eq!(nice_up(742.0), 800);
        assert_eq!(nice_up(1001.0), 1200);
        assert_eq!(nice_up(2.5e4), 25_000);
        assert_eq!(nice_up(1e12), u32::MAX);
        assert_eq!(nice_up(1.4), 2);
        assert_eq!(quarter_up(612.0), 625);
        assert_eq!(quarter_up(1236.0), 1250);
        assert_eq!(quarter_up(3.2), 4);
        assert_eq!(quarter_up(f64::INFINITY), 1);
        // monotone
        let mut last = 0;
        for i in 0..5000 {
            let v = nice_up(i as f64 * 0.7);
            assert!(v >= last && v as f64 >= i as f64 * 0.7, "{i}");
            let q = quarter_up(i as f64 * 0.7);
            assert!(
                q as f64 >= i as f64 * 0.7
                    && (q as f64) <= (i as f64 * 0.7 * 1.26).max(i as f64 * 0.7 + 1.0),
                "{i}"
            );
            last = v;
        }
    }

    #[test]
    fn the_axis_follows_the_cascade() {
        // early in a 1000-step run: ahead of the newest step, not the whole run
        assert_eq!(axis_end(1000, 100, None, None), 150);
        assert_eq!(axis_end(1000, 0, None, None), 50);
        // all learned at 571: the milestone plus 30 %, however far the run went
        assert_eq!(axis_end(1000, 600, Some(571), None), 750);
        assert_eq!(axis_end(1000, 1000, Some(571), None), 750);
        // a scrubbed step past it widens the axis
        assert_eq!(axis_end(1000, 1000, Some(571), Some(900)), 900);
        assert_eq!(axis_end(1000, 1000, Some(571), Some(913)), 925);
        assert_eq!(axis_end(1000, 1000, Some(571), Some(700)), 750);
        // never past the run
        assert_eq!(axis_end(1000, 990, None, None), 1000);
        assert_eq!(axis_end(1000, 990, Some(950), None), 1000);
        // degenerate
        assert_eq!(axis_end(0, 0, None, None), 1);
        assert_eq!(axis_end(u32::MAX, u32::MAX, None, Some(u32::MAX)), u32::MAX);
    }

    #[test]
    fn tiles_wobble_then_fall() {
        assert_eq!(tile_angle(0.0, 0.9), 0.0);
        assert_eq!(tile_angle(f64::NAN, 0.9), 0.0);
        assert!(tile_angle(0.3, 0.9) <= LEAN);
        assert!((tile_angle(0.6, 0.9) - LEAN).abs() < 1e-12);
        assert_eq!(tile_angle(0.9, 0.9), 90.0);
        assert_eq!(tile_angle(1.2, 0.9), 90.0);
        assert_eq!(tile_angle(-1.0, 0.9), 0.0);
        let mut last = 0.0;
        for i in 0..=1000 {
            let a = tile_angle(i as f64 / 1000.0, 0.9);
            assert!(a >= last - 1e-12, "monotone at {i}");
            last = a;
        }
    }
}
