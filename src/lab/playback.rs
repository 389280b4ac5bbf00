//! Playback without the DOM: the speeds the transport offers, the default speed of a run, and
//! the statistics of the animation frames' script time (the page's "Performance" line).

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

/// Script time of the animation frames while playing: simulation slice, fit slice, redraw.
#[derive(Default)]
pub struct FrameStats {
    sim_ms: f64,
    fit_ms: f64,
    draw_ms: f64,
    /// Total of every frame measured (a few bytes per frame; runs are short).
    totals: Vec<f32>,
}

impl FrameStats {
    pub fn add_frame(&mut self, sim_ms: f64, fit_ms: f64, draw_ms: f64) {
        self.sim_ms += sim_ms;
        self.fit_ms += fit_ms;
        self.draw_ms += draw_ms;
        self.totals.push((sim_ms + fit_ms + draw_ms) as f32);
    }

    pub fn text(&self) -> String {
        if self.totals.is_empty() {
            return "No frames measured yet.".into();
        }
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
