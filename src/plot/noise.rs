//! How the charts thin a long run and draw its noise (README "First load", "A chain reaction
//! that reads"): about one drawn point per pixel column, each standing for the frames since
//! the last ([`Bucket`]); where the values wander within a point (SignGD's ripple after
//! learning) a faint band from their lowest to highest, with the curve through their mean.

use crate::sim::{metrics, Frame};

/// Frame indices to draw for the first `upto` frames: all of them, or about `max_points`
/// evenly spaced ones (always including the last), so a long run costs what the chart's
/// width can show.
pub(super) fn sample(upto: usize, max_points: usize) -> Vec<usize> {
    if upto == 0 {
        return vec![];
    }
    metrics::kept_rows(upto - 1, upto.div_ceil(max_points.max(2))).collect()
}

/// The frames one drawn point stands for: their step, lowest, highest and mean value.
pub(super) struct Bucket {
    pub(super) x: f64,
    pub(super) lo: f64,
    pub(super) hi: f64,
    pub(super) mean: f64,
    /// How far the values wander beyond the straight way through them: half of their total
    /// variation (from the previous bucket's last value on) less their net change. 0 on a
    /// monotone stretch (a steep rise is not noise), the ripple's height where values
    /// alternate, even with two frames to a point.
    pub(super) noise: f64,
}

/// One [`Bucket`] per sampled frame `idx[k]`, over the frames after `idx[k - 1]` up to it
/// (finite values only; a bucket without one is left out).
pub(super) fn spread(
    frames: &[Frame],
    idx: &[usize],
    value: impl Fn(&Frame) -> Option<f64>,
) -> Vec<Bucket> {
    let mut out = Vec::with_capacity(idx.len());
    let mut from = 0;
    // the value the way into a bucket starts from: the last one before it
    let mut anchor: Option<f64> = None;
    for &t in idx {
        let (mut lo, mut hi, mut sum, mut k) = (f64::INFINITY, f64::NEG_INFINITY, 0.0, 0usize);
        let (mut start, mut prev, mut travel) = (anchor, anchor, 0.0);
        for f in &frames[from.min(t)..=t] {
            if let Some(v) = value(f).filter(|v| v.is_finite()) {
                start.get_or_insert(v);
                lo = lo.min(v);
                hi = hi.max(v);
                sum += v;
                k += 1;
                travel += prev.map_or(0.0, |p| (v - p).abs());
                prev = Some(v);
            }
        }
        from = t + 1;
        if k > 0 {
            let last = prev.unwrap_or(0.0);
            let net = (last - start.unwrap_or(last)).abs();
            out.push(Bucket {
                x: frames[t].step as f64,
                lo,
                hi,
                mean: sum / k as f64,
                noise: (travel - net) / 2.0,
            });
            anchor = prev;
        }
    }
    out
}

/// Points of a curve or the outline of a band, in data units.
pub(super) type Points = Vec<(f64, f64)>;

/// A noisy series as the charts draw it, in data units (`back` maps a bucket's value there):
/// the band from each bucket's lowest to its highest value where the noise somewhere exceeds
/// `px` (one pixel of the y axis, in the buckets' units), and the curve through the means.
pub(super) fn noisy(
    buckets: &[Bucket],
    px: f64,
    back: impl Fn(f64) -> f64,
) -> (Option<Points>, Points) {
    let band = buckets.iter().any(|b| b.noise > px).then(|| {
        let mut band: Vec<(f64, f64)> = buckets.iter().map(|b| (b.x, back(b.hi))).collect();
        band.extend(buckets.iter().rev().map(|b| (b.x, back(b.lo))));
        band
    });
    let pts = buckets.iter().map(|b| (b.x, back(b.mean))).collect();
    (band, pts)
}
