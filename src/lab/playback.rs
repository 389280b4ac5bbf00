//! Playback without the DOM: the speeds the transport offers, the default speed of a run, how
//! a playing frame is paced ([`Pacing`]), and the statistics of the animation frames' script
//! time (the page's "Performance" line).

/// Steps per animation frame the speed slider offers.
pub const SPEEDS: [u32; 13] = [1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];

/// The default speed (an index into [`SPEEDS`]): the whole run in ~400 frames (about 6–7 s
/// at 60 Hz).
pub fn default_speed(steps: u32) -> usize {
    let want = steps.div_ceil(400).max(1);
    SPEEDS
        .iter()
        .position(|&s| s >= want)
        .unwrap_or(SPEEDS.len() - 1)
}

/// The simulation time a compute-bound run gets between two redraws (ms).
///
/// A frame's redraw costs the page more than its script: the browser restyles, lays out and
/// paints the charts (measured in headless Chromium on Fig. 19: ≈ 8–12 ms of the page's thread
/// per redraw, besides ≈ 1.7 ms of drawing script). A run that cannot take its speed's steps
/// within a frame would spend about half the page's time on painting and waiting for the next
/// frame, and a network trained on workers would find the page's thread too busy to start the
/// next round. So while a run is compute-bound the page redraws only after this much
/// simulation (on the page's thread: one slice this long; on workers: this much time since the
/// last redraw ended), about 15–20 redraws a second, and it answers input within one slice.
pub const BUSY_SLICE_MS: f64 = 50.0;

/// How the playing frames share the page's thread between the simulation and the redraw.
///
/// A run is *compute-bound* when the steps it took since the previous frame are fewer than the
/// speed allows (the slice ran out of time, or the workers' rounds are slower than the
/// frames). Then the slice grows to [`BUSY_SLICE_MS`] and the redraws are spaced by it;
/// otherwise every frame has a short slice and a redraw, as at the slow speeds. The last
/// state is always drawn when the run stops.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Pacing {
    busy: bool,
    /// The newest step seen at the previous frame.
    seen: u32,
    /// Something changed since the last redraw.
    dirty: bool,
    /// When the last redraw ended (ms, the page's clock).
    drawn_at: Option<f64>,
}

impl Pacing {
    /// Pacing from step `step` on (Play, a reset): the first frame is not compute-bound.
    pub fn new(step: u32) -> Self {
        Pacing {
            seen: step,
            ..Pacing::default()
        }
    }

    /// Whether the run was compute-bound at the last frame.
    pub fn busy(&self) -> bool {
        self.busy
    }

    /// This frame's simulation budget: `calm` (what a frame has left after drawing) unless
    /// the run is compute-bound.
    pub fn slice_ms(&self, calm: f64) -> f64 {
        if self.busy {
            BUSY_SLICE_MS
        } else {
            calm
        }
    }

    /// After a frame's slice: the speed allowed `speed` steps, the run is now at `step` and
    /// `ended` says whether it has finished.
    pub fn after_slice(&mut self, speed: u32, step: u32, ended: bool) {
        let took = step.saturating_sub(self.seen);
        self.seen = step;
        self.busy = !ended && took < speed;
    }

    /// Whether this frame redraws, at `now`: something changed (now or since the last
    /// redraw) and the run is not compute-bound, or has simulated [`BUSY_SLICE_MS`] since the
    /// last redraw, or has `stopped`.
    pub fn redraw(&mut self, now: f64, changed: bool, stopped: bool) -> bool {
        self.dirty |= changed;
        let due = match self.drawn_at {
            Some(t) if self.busy && !stopped => now - t >= BUSY_SLICE_MS,
            _ => true,
        };
        let draw = self.dirty && due;
        if draw {
            self.dirty = false;
        }
        draw
    }

    /// A redraw ended at `now`.
    pub fn drawn(&mut self, now: f64) {
        self.drawn_at = Some(now);
    }
}

/// Script time of the animation frames while playing: simulation slice, fit slice, redraw.
#[derive(Default)]
pub struct FrameStats {
    sim_ms: f64,
    fit_ms: f64,
    draw_ms: f64,
    /// Total of every frame measured (a few bytes per frame; runs are short).
    totals: Vec<f32>,
    /// Rounds of a network trained across Web Workers (`lab::parallel`), and their time.
    rounds: RoundTimes,
}

/// Where the page's thread spends a round of a network trained across Web Workers: its own
/// share of the shards, waiting for the workers' replies after it, and the whole round (with
/// the order, the hand-off, gathering the replies and recording the frame). By messages the
/// wait also holds whatever the page did meanwhile (drawing, other frames' work).
#[derive(Default)]
struct RoundTimes {
    count: u32,
    share_ms: f64,
    wait_ms: f64,
    round_ms: f64,
}

impl FrameStats {
    pub fn add_frame(&mut self, sim_ms: f64, fit_ms: f64, draw_ms: f64) {
        self.sim_ms += sim_ms;
        self.fit_ms += fit_ms;
        self.draw_ms += draw_ms;
        self.totals.push((sim_ms + fit_ms + draw_ms) as f32);
    }

    /// A round of a network trained across Web Workers, completed: the page's share, the wait
    /// for the workers' replies after it, and the whole round, in ms (see `RoundTimes`).
    pub fn add_round(&mut self, share_ms: f64, wait_ms: f64, round_ms: f64) {
        let r = &mut self.rounds;
        r.count += 1;
        r.share_ms += share_ms;
        r.wait_ms += wait_ms;
        r.round_ms += round_ms;
    }

    pub fn text(&self) -> String {
        if self.totals.is_empty() {
            return "No frames measured yet.".into();
        }
        let frames = self.frames_text();
        let r = &self.rounds;
        if r.count == 0 {
            return frames;
        }
        let k = r.count as f64;
        format!(
            "{frames} {} rounds across the Web Workers: {:.2} ms per round on average, of which \
             {:.2} ms the page's own share and {:.2} ms waiting for the workers after it.",
            r.count,
            r.round_ms / k,
            r.share_ms / k,
            r.wait_ms / k
        )
    }

    fn frames_text(&self) -> String {
        let k = self.totals.len() as f64;
        let mut t = self.totals.clone();
        t.sort_by(f32::total_cmp);
        let q = |p: f64| t[((t.len() - 1) as f64 * p).round() as usize];
        let worst_at = self
            .totals
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(k, _)| k)
            .unwrap_or(0);
        let fit = if self.fit_ms > 0.0 {
            format!(" + {:.2} ms fit", self.fit_ms / k)
        } else {
            String::new()
        };
        format!(
            "{} animation frames: {:.2} ms simulation{fit} + {:.2} ms drawing per frame on average; \
             median {:.1} ms, 95th percentile {:.1} ms, worst {:.1} ms (frame {worst_at}).",
            t.len(),
            self.sim_ms / k,
            self.draw_ms / k,
            q(0.5),
            q(0.95),
            q(1.0)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_speed_plays_a_run_in_about_400_frames() {
        assert_eq!(SPEEDS[default_speed(100)], 1);
        assert_eq!(SPEEDS[default_speed(1000)], 3);
        assert_eq!(SPEEDS[default_speed(20_000)], 50);
        assert_eq!(default_speed(u32::MAX), SPEEDS.len() - 1);
    }

    #[test]
    fn the_readout_names_the_rounds_shares_and_waits_only_when_there_were_rounds() {
        let mut s = FrameStats::default();
        assert_eq!(s.text(), "No frames measured yet.");
        s.add_frame(30.0, 0.0, 2.0);
        assert!(!s.text().contains("rounds"), "{}", s.text());
        s.add_round(1.5, 0.5, 2.0);
        s.add_round(1.7, 0.3, 2.2);
        let t = s.text();
        assert!(
            t.ends_with(
                "2 rounds across the Web Workers: 2.10 ms per round on average, of which \
                 1.60 ms the page's own share and 0.40 ms waiting for the workers after it."
            ),
            "{t}"
        );
    }

    #[test]
    fn a_run_that_keeps_up_with_its_speed_redraws_every_frame() {
        let mut p = Pacing::new(0);
        for (k, t) in [0.0, 16.7, 33.3, 50.0].into_iter().enumerate() {
            assert_eq!(p.slice_ms(8.0), 8.0);
            p.after_slice(3, 3 * (k as u32 + 1), false);
            assert!(!p.busy());
            assert!(p.redraw(t, true, false), "frame {k}");
            p.drawn(t + 2.0);
        }
        // nothing changed: nothing to draw
        assert!(!p.redraw(70.0, false, false));
    }

    #[test]
    fn a_compute_bound_run_gets_long_slices_and_spaced_redraws() {
        let mut p = Pacing::new(10);
        assert!(p.redraw(0.0, true, false));
        p.drawn(1.0);
        // one step of the 5000 allowed: compute-bound
        p.after_slice(5000, 11, false);
        assert!(p.busy());
        assert_eq!(p.slice_ms(8.0), BUSY_SLICE_MS);
        // workers: steps arrive between frames; the redraw waits for BUSY_SLICE_MS
        assert!(!p.redraw(17.0, true, false));
        p.after_slice(5000, 14, false);
        assert!(!p.redraw(34.0, false, false));
        assert!(
            p.redraw(1.0 + BUSY_SLICE_MS, false, false),
            "the change is kept until due"
        );
        p.drawn(60.0);
        // the run ends: its last state is drawn at once
        p.after_slice(5000, 15, true);
        assert!(!p.busy());
        assert!(p.redraw(61.0, true, false));
    }

    #[test]
    fn a_stopped_run_is_drawn_at_once_even_when_busy() {
        let mut p = Pacing::new(0);
        p.after_slice(100, 1, false);
        p.drawn(0.0);
        assert!(p.busy());
        assert!(p.redraw(5.0, true, true));
        // a frame without change after a skipped redraw still draws when due
        let mut q = Pacing::new(0);
        q.drawn(0.0);
        q.after_slice(100, 1, false);
        assert!(!q.redraw(10.0, true, false));
        assert!(q.redraw(BUSY_SLICE_MS, false, false));
    }

    #[test]
    fn frame_stats_name_the_mean_the_quantiles_and_the_worst_frame() {
        let mut s = FrameStats::default();
        assert_eq!(s.text(), "No frames measured yet.");
        s.add_frame(2.0, 0.0, 1.0);
        s.add_frame(4.0, 0.0, 2.0);
        s.add_frame(1.0, 0.0, 1.0);
        assert_eq!(
            s.text(),
            "3 animation frames: 2.33 ms simulation + 1.33 ms drawing per frame on average; \
             median 3.0 ms, 95th percentile 6.0 ms, worst 6.0 ms (frame 1)."
        );
    }
}
