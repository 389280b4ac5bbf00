//! The page's own budget. The link's budget (`link::Budget`) promises that a run finishes
//! within ten minutes of the reference machine; a link within it can still make the page
//! crawl (`n=10000`: 10,000 curves, tiles and table rows at a few steps a second;
//! `dim=100000&n=200`: seconds of set-up, then a tenth of a second a step). The page keeps a
//! run interactive instead: from the same calibrated estimate ([`Config::cost`]) it takes the
//! cost of one step (with its kept row) and of the set-up, in the tab ([`TAB_FACTOR`]), and
//! reduces the sizes a link asks for until a step fits [`MAX_STEP_MS`], the set-up
//! [`MAX_SETUP_S`] and the skills [`MAX_SKILLS`]. The steps are never reduced (a long run is
//! only longer, not slower); the notice names each reduction and gives the CLI command that
//! runs the link at full size.

use crate::link::{duration, largest, Config};

/// A browser tab runs a link up to about 2× slower than the reference machine natively
/// (BENCHMARKS.md, "MLP in the browser").
pub const TAB_FACTOR: f64 = 2.0;
/// The most skills the page draws (curves, tiles, rows of numbers).
pub const MAX_SKILLS: usize = 1000;
/// The longest estimated step in the tab, with the row the page keeps of it (ms): at least
/// 20 steps a second.
pub const MAX_STEP_MS: f64 = 50.0;
/// The longest estimated set-up in the tab (task vectors and their QR, data), seconds.
pub const MAX_SETUP_S: f64 = 2.0;
/// The rows of the page's table of values (the CSV has every skill).
pub const TABLE_ROWS: usize = 100;

/// What a run of a configuration costs the page, in the tab.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FrameCost {
    /// One step and its kept row, ms.
    pub step_ms: f64,
    /// Everything before the first step, seconds.
    pub setup_s: f64,
    pub skills: usize,
}

impl FrameCost {
    pub fn of(c: &Config) -> FrameCost {
        // the estimate is linear in the steps: two lengths give a step's cost and the rest
        let at = |steps: u32| {
            let mut k = c.clone();
            k.steps = steps;
            k.runs = 1;
            k.cost().seconds
        };
        let (a, b) = (at(1000), at(2000));
        let per_step = ((b - a) / 1000.0).max(0.0);
        FrameCost {
            step_ms: 1e3 * TAB_FACTOR * per_step,
            setup_s: TAB_FACTOR * (a - 1000.0 * per_step).max(0.0),
            skills: c.skills(),
        }
    }

    pub fn fits(&self) -> bool {
        self.step_ms <= MAX_STEP_MS && self.setup_s <= MAX_SETUP_S && self.skills <= MAX_SKILLS
    }
}

/// A configuration brought within the page's budget.
#[derive(Clone, Debug, PartialEq)]
pub struct Interactive {
    pub config: Config,
    /// Each reduction, `key asked → used` (empty when the link fits).
    pub reduced: Vec<String>,
}

impl Interactive {
    /// The notice of the reductions, with the CLI command of the full size (`query`: the
    /// link as asked); `None` when nothing was reduced.
    pub fn note(&self, asked: &Config, query: &str) -> Option<String> {
        if self.reduced.is_empty() {
            return None;
        }
        let cost = FrameCost::of(asked);
        Some(format!(
            "The page keeps a run interactive (a step ≤ {MAX_STEP_MS:.0} ms and a set-up ≤ {MAX_SETUP_S:.0} s in the tab, at most {MAX_SKILLS} skills); this link would take ≈ {:.0} ms a step, {} to set up, {} skills. Reduced: {}. The full size runs at the command line: skills run '{query}'",
            cost.step_ms,
            duration(cost.setup_s),
            cost.skills,
            self.reduced.join(", ")
        ))
    }
}

/// `c` within the page's budget: first the skills (to [`MAX_SKILLS`]), then the dimension,
/// the batch and the networks' sizes (those the link raised above the model's defaults
/// first), each to the largest value that fits; the model's defaults (same seed and steps)
/// if nothing else does.
pub fn interactive(c: &Config) -> Interactive {
    let fits = |c: &Config| FrameCost::of(c).fits();
    let mut out = c.clone();
    let mut reduced = vec![];
    if fits(&out) {
        return Interactive {
            config: out,
            reduced,
        };
    }
    if out.skills() > MAX_SKILLS {
        let next = if out.p.is_empty() {
            out.with("n", &MAX_SKILLS.to_string()).0
        } else {
            let p: Vec<String> = out.p[..MAX_SKILLS].iter().map(|x| x.to_string()).collect();
            let mut k = out.clone();
            // prerequisites or a switch naming the skills left out go too
            k.and
                .retain(|(s, pre)| *s <= MAX_SKILLS && pre.iter().all(|x| *x <= MAX_SKILLS));
            k.or.retain(|(s, pre)| *s <= MAX_SKILLS && pre.iter().all(|x| *x <= MAX_SKILLS));
            k.switch = k.switch.filter(|(s, _, _)| *s <= MAX_SKILLS);
            k.with("p", &p.join(",")).0
        };
        if next.skills() <= MAX_SKILLS {
            reduced.push(format!("skills {} → {}", out.skills(), next.skills()));
            out = next;
        }
    }
    // the sizes the link raised above the model's defaults come down first
    let d = Config::defaults(c.model);
    let mut keys = ["dim", "batch", "samples", "width", "modulus", "emb"];
    keys.sort_by_key(|k| {
        let (v, dv) = (out.get(k).parse::<f64>(), d.get(k).parse::<f64>());
        !matches!((v, dv), (Ok(v), Ok(dv)) if v > dv)
    });
    for key in keys {
        if fits(&out) {
            break;
        }
        let asked: u32 = out.get(key).parse().unwrap_or(0);
        let keep_above = |v: u32| {
            // ortho task vectors need dim ≥ n; a batch of 0 is the full batch (the largest)
            let (next, problems) = out.with(key, &v.to_string());
            problems.is_empty() && fits(&next)
        };
        if asked <= 1 || !crate::link::spec_of(key).is_some_and(|s| s.is_read_by(&out)) {
            continue;
        }
        let v = largest(asked, keep_above);
        if v < asked && keep_above(v) {
            out = out.with(key, &v.to_string()).0;
            reduced.push(format!("{key} {asked} → {v}"));
        }
    }
    if !fits(&out) {
        let defaults = Config {
            seed: c.seed,
            steps: c.steps,
            ..Config::defaults(c.model)
        };
        reduced.push(format!("the sizes → the {} defaults", c.model.title()));
        out = defaults;
    }
    Interactive {
        config: out,
        reduced,
    }
}

/// A sweep that is estimated to finish within this many seconds in the tab starts by
/// itself when its page opens (fig10s: ≈ 1.5 s on 2 workers); a longer one waits for Run.
pub const SWEEP_AUTOSTART_S: f64 = 10.0;
/// At most this many of a sweep's runs are estimated one by one ([`sample_runs`]).
pub const SWEEP_SAMPLE: usize = 200;

/// The runs of a sweep of `total` runs whose cost is estimated: all of them, or
/// [`SWEEP_SAMPLE`] spread evenly over the grid.
pub fn sample_runs(total: usize) -> Vec<usize> {
    if total <= SWEEP_SAMPLE {
        return (0..total).collect();
    }
    (0..SWEEP_SAMPLE)
        .map(|i| i * total / SWEEP_SAMPLE)
        .collect()
}

/// The estimated seconds of a sweep of `total` runs in the tab on `workers` workers, from
/// the links of some of its runs ([`sample_runs`]; each read as a link, and `fit_n0` adds a
/// run's fit): their mean cost × `total`, shared by the workers, in the tab.
pub fn sweep_tab_seconds(sampled: &[String], total: usize, workers: usize, fit_n0: bool) -> f64 {
    if sampled.is_empty() {
        return 0.0;
    }
    let sum: f64 = sampled
        .iter()
        .map(|q| {
            let c = crate::link::parse(q).config;
            let fit = if fit_n0 { c.fit_n0_cost().seconds } else { 0.0 };
            c.cost().seconds + fit
        })
        .sum();
    TAB_FACTOR * sum / sampled.len() as f64 * total as f64 / workers.max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::{parse, presets::PRESETS};

    fn sweep_seconds(query: &str, workers: usize) -> f64 {
        let sweep = crate::sweep::Sweep::parse(query).unwrap();
        let sampled: Vec<String> = sample_runs(sweep.len())
            .into_iter()
            .filter_map(|i| sweep.run(i).map(|r| r.query))
            .collect();
        sweep_tab_seconds(&sampled, sweep.len(), workers, sweep.outputs.fit_n0)
    }

    #[test]
    fn small_sweeps_start_by_themselves() {
        // the issue: the sweep page did not start by itself even for a 1.6 s sweep
        let fig10s = sweep_seconds("preset=fig10s", 2);
        assert!(fig10s < SWEEP_AUTOSTART_S, "fig10s: {fig10s} s");
        assert!(sweep_seconds("preset=fig4r", 2) < SWEEP_AUTOSTART_S);
        assert!(sweep_seconds("preset=fig7n0", 2) < SWEEP_AUTOSTART_S);
        // the full Fig. 10 and Fig. 19's scatter wait for Run
        assert!(sweep_seconds("preset=fig10n", 2) > 600.0);
        assert!(sweep_seconds("preset=fig19scatter", 2) > SWEEP_AUTOSTART_S);
        assert_eq!(sample_runs(3), [0, 1, 2]);
        let s = sample_runs(1400);
        assert_eq!((s.len(), s[0], s[199]), (SWEEP_SAMPLE, 0, 1393));
    }

    #[test]
    fn every_preset_panel_is_interactive_as_it_is() {
        for p in PRESETS {
            for (label, extra) in p.panels {
                let link = p.panel_link(extra);
                let c = parse(&link).config;
                let cost = FrameCost::of(&c);
                assert!(cost.fits(), "{link} ({label}): {cost:?}");
                assert!(interactive(&c).reduced.is_empty(), "{link}");
            }
        }
        assert!(FrameCost::of(&Config::default()).fits());
    }

    #[test]
    fn a_link_that_would_crawl_is_reduced_by_name() {
        // the issue: n=10000 took 18 s to load and ran at 1–2 steps a second
        let c = parse("v=1&n=10000").config;
        assert_eq!(c.n, 10_000, "within the link's budget");
        assert!(!FrameCost::of(&c).fits());
        let i = interactive(&c);
        assert!(
            FrameCost::of(&i.config).fits(),
            "{:?}",
            FrameCost::of(&i.config)
        );
        assert_eq!(i.config.n, MAX_SKILLS);
        assert_eq!(i.reduced[0], "skills 10000 → 1000");
        let note = i.note(&c, "v=1&n=10000").unwrap();
        assert!(note.contains("skills run 'v=1&n=10000'"), "{note}");
        // dim=100000&n=200: ≈ 90 ms a step in the tab; the dimension comes down
        let c = parse("v=1&dim=100000&n=200&vec=unit&steps=5000").config;
        assert_eq!((c.dim, c.n), (100_000, 200), "within the link's budget");
        let i = interactive(&c);
        let cost = FrameCost::of(&i.config);
        assert!(cost.fits(), "{cost:?}");
        assert_eq!(i.config.n, c.n, "200 skills are drawn");
        assert!(
            i.config.dim < c.dim && i.config.dim >= 200,
            "{}",
            i.config.dim
        );
        assert_eq!(i.config.steps, c.steps, "the steps are never reduced");
        assert!(i.reduced[0].starts_with("dim "), "{:?}", i.reduced);
        // a long list of frequencies keeps its first MAX_SKILLS
        let p = vec!["1"; 3000].join(",");
        let c = parse(&format!("v=1&m=resource&p={p}&and=3:1-2,2500:1")).config;
        let i = interactive(&c);
        assert_eq!(i.config.skills(), MAX_SKILLS);
        assert_eq!(i.config.and.len(), 1, "the prerequisite of skill 2500 went");
        // a network too wide for a step
        let c = parse("v=1&m=parity&width=500&steps=100").config;
        assert_eq!(c.width, 500);
        assert!(!FrameCost::of(&c).fits(), "{:?}", FrameCost::of(&c));
        let i = interactive(&c);
        assert!(FrameCost::of(&i.config).fits());
        assert!(i.reduced[0].starts_with("width 500 → "), "{:?}", i.reduced);
        // nothing to reduce
        let c = parse("v=1&preset=fig5").config;
        assert_eq!(interactive(&c).config, c);
        assert_eq!(interactive(&c).note(&c, ""), None);
    }
}
