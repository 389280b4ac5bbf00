//! Sweeps: a base link plus one or two swept keys, e.g.
//! `v=1&vec=unit&loss=ce&sweep=dim:20..1000:50&sweep2=alpha:1,1.2,1.4`.
//!
//! Axis syntax: `key:v1,v2,…` (a list), `key:a..b:count` (count values evenly spaced from a to
//! b, both included; integers for integer keys) or `key:a..b:count:log` (log-spaced). Every
//! grid point is an ordinary link, validated by [`crate::link::parse`] like any other.
//! A sweep's results are one summary row per run (`t_skills` lists each skill's learning time,
//! `;`-separated); `record=80,200` adds the loss at those steps
//! and `fit=n0` the best-fitting N0 of the Resource model (Fig. 7 bottom).
//! Runs are numbered in grid order (the first axis varies slowest), so shards of a sweep can be
//! run anywhere and merged back bit for bit.

use crate::link::{num, parse, query, Problem};
use crate::sim::freq::normalise;
use crate::sim::metrics::{best_n0, n0_grid, two_point_exponent};
use crate::sim::{SimError, Simulation};

/// A sweep of the paper, one click (or one `preset=` key) away. Sweep presets are part of the
/// link format like the run presets: never change a query, add an id.
#[derive(Debug, PartialEq)]
pub struct SweepPreset {
    pub id: &'static str,
    pub figure: &'static str,
    pub caption: &'static str,
    pub query: &'static str,
    /// What it costs, measured or estimated on one core of this project's machines.
    pub cost: &'static str,
}

pub const SWEEP_PRESETS: &[SweepPreset] = &[
    SweepPreset {
        id: "fig10n",
        figure: "Fig. 10a, b (full)",
        caption: "Final loss vs dimension N for each Zipf α (CE Geometry model, n = 1000 random unit task vectors, B = 1024, SignGD 0.01, 100 000 steps, 4 seeds); α_N from N = 40 and 220 with `skills exponents --x dim --at 40,220`.",
        query: "vec=unit&loss=ce&n=1000&batch=1024&lr=0.01&steps=100000&sweep=dim:20..1000:50&sweep2=alpha:0.5,1,1.2,1.4,1.6,1.8,2&sweep3=seed:0..3:4",
        cost: "1400 runs of 2–11 s of CPU each (N = 20 … 1000), ≈ 3 CPU-hours: ≈ 1.6 h on 2 idle cores, minutes as a cluster job (use --shard; BENCHMARKS.md, Sweeps)",
    },
    SweepPreset {
        id: "fig10n-small",
        figure: "Fig. 10b (reduced)",
        caption: "α_N at N = 40 and 220 for α = 1 … 2, one seed, 30 000 steps: 0.34, 0.46, 0.60, 0.74, 0.89, 0.98 here (the paper, 4 seeds × 99 000 steps: 0.35, 0.48, 0.63, 0.79, 0.96, 0.96).",
        query: "vec=unit&loss=ce&n=1000&batch=1024&lr=0.01&steps=30000&sweep=alpha:1,1.2,1.4,1.6,1.8,2&sweep2=dim:40,220",
        cost: "12 runs, ≈ 15 s of CPU: ≈ 8 s natively on 2 cores",
    },
    SweepPreset {
        id: "fig10n-seeds",
        figure: "Fig. 10b (reduced, 4 seeds)",
        caption: "α_N at N = 40 and 220 for α = 1 … 2, seed-median over the paper's 4 seeds, 30 000 steps: 0.33, 0.45, 0.58, 0.73, 0.87, 0.93 here (the paper, 4 seeds × 99 000 steps: 0.35, 0.48, 0.63, 0.79, 0.96, 0.96): 0.02–0.09 below it for α = 1.2 … 1.8.",
        query: "vec=unit&loss=ce&n=1000&batch=1024&lr=0.01&steps=30000&sweep=alpha:1,1.2,1.4,1.6,1.8,2&sweep2=dim:40,220&sweep3=seed:0..3:4",
        cost: "48 runs, ≈ 1 minute of CPU: ≈ 30 s natively on 2 cores",
    },
    SweepPreset {
        id: "fig10s",
        figure: "Fig. 10c, d (reduced)",
        caption: "Loss at steps 80 and 200 for N = 100 and each α, 3 seeds: α_S with `skills exponents --x steps --at 80,200` (0.16, 0.28, 0.45, 0.67, 0.90, 1.13 here; the paper, one seed: 0.18 … 1.03). Seeds 0–2 happen to lie high at α ≥ 1.6: over 40 seeds (fig10s-seeds) the medians are 0.16 … 1.06.",
        query: "vec=unit&loss=ce&n=1000&dim=100&batch=1024&lr=0.01&steps=200&record=80,200&sweep=alpha:1,1.2,1.4,1.6,1.8,2&sweep2=seed:0..2:3",
        cost: "18 runs, about a second natively",
    },
    SweepPreset {
        id: "fig10s-seeds",
        figure: "Fig. 10d (reduced, 40 seeds)",
        caption: "α_S = [ln L(80) − ln L(200)]/ln 2.5 at N = 100 over seeds 0–39: medians 0.16, 0.28, 0.45, 0.63, 0.84, 1.06 for α = 1 … 2, one seed's spread (sd) 0.02 … 0.09 (`skills exponents --x steps --at 80,200`). The paper's single seed (0.18, 0.30, 0.45, 0.62, 0.81, 1.03) lies inside it.",
        query: "vec=unit&loss=ce&n=1000&dim=100&batch=1024&lr=0.01&steps=200&record=80,200&sweep=alpha:1,1.2,1.4,1.6,1.8,2&sweep2=seed:0..39:40",
        cost: "240 runs, ≈ 3 s natively on 2 cores",
    },
    SweepPreset {
        id: "fig10c",
        figure: "Fig. 10c",
        caption: "Loss vs step at N = 100, seed 0, one curve per α (CE Geometry model, n = 1000 random unit vectors, B = 1024, SignGD 0.01), log–log to 20 000 steps: each curve falls as a power law in the window 80–200 (α_S) and plateaus at an α-dependent level.",
        query: "vec=unit&loss=ce&n=1000&dim=100&batch=1024&lr=0.01&steps=20000&record=10,20,30,50,80,100,200,300,500,1000,2000,3000,5000,10000&sweep=alpha:0.5,1,1.2,1.4,1.6,1.8,2",
        cost: "7 runs of ≈ 0.9 s of CPU natively; ≈ 5 s in the tab on 2 workers",
    },
    SweepPreset {
        id: "fig18b",
        figure: "Fig. 18b",
        caption: "Loss vs step at N = 100, seed 0, modular (vec=basis: the 100 most frequent skills get a private parameter) against non-modular (random unit vectors): modular is slower early, then ends lower, on the plateau ln 2 · Σ_{i>100} p_i (0.2128 … 0.0038 for α = 1 … 2).",
        query: "loss=ce&n=1000&dim=100&batch=1024&lr=0.01&steps=20000&record=10,20,30,50,80,100,200,300,500,1000,2000,3000,5000,10000&sweep=alpha:1,1.4,2&sweep2=vec:basis,unit",
        cost: "6 runs of ≈ 0.8 s of CPU natively; ≈ 4 s in the tab on 2 workers",
    },
    SweepPreset {
        id: "fig18",
        figure: "Fig. 18a",
        caption: "Modular (t_i = e_i: one private parameter per skill) vs non-modular Geometry model: final loss vs N per α. The modular loss plateaus at ln 2 · Σ_{i>N} p_i.",
        query: "loss=ce&n=1000&batch=1024&lr=0.01&steps=100000&sweep=dim:20..1000:50&sweep2=alpha:1,1.2,1.4,1.6,1.8,2&sweep3=vec:basis,unit",
        cost: "600 runs of 2–11 s of CPU each (basis runs ≈ 5.5 s on average), ≈ 1.1 CPU-hours: ≈ 35 min on 2 idle cores, a cluster job (use --shard)",
    },
    SweepPreset {
        id: "fig4r",
        figure: "Fig. 4 (right)",
        caption: "t2/t1 vs p1/p2 for two orthonormal skills (B = 128, mimic gradient) with SignGD: it rises from 1 and saturates near 2 (t_skills column = t1;t2). Compare `metrics::two_skill_ratio`.",
        query: "freq=two&batch=128&grad=mimic&steps=500&seed=2&sweep=p1:0.5..0.99:50",
        cost: "50 runs, a few seconds natively",
    },
    SweepPreset {
        id: "fig4r-sgd",
        figure: "Fig. 4 (right, SGD)",
        caption: "t2/t1 vs p1/p2 for two orthonormal skills with SGD (lr 3e−2, 3000 steps, p1 = 0.5 … 0.95): t2/t1 = p1/p2 exactly, since orthogonal skills decouple and t_i = ln 10/(η p_i).",
        query: "freq=two&batch=128&grad=mimic&opt=sgd&lr=0.03&steps=3000&seed=2&sweep=p1:0.5..0.95:46",
        cost: "46 runs, a few seconds natively",
    },
    SweepPreset {
        id: "fig4r-adam",
        figure: "Fig. 4 (right, Adam)",
        caption: "t2/t1 vs p1/p2 for two orthonormal skills with Adam (lr 3e−4, 3000 steps): between SGD's straight line and SignGD's saturation near 2 (the paper: ≈ 2 at p1/p2 ≈ 5, ≈ 4 at 19).",
        query: "freq=two&batch=128&grad=mimic&opt=adam&lr=0.0003&steps=3000&seed=2&sweep=p1:0.5..0.99:50",
        cost: "50 runs, a few seconds natively",
    },
    SweepPreset {
        id: "fig7n0",
        figure: "Fig. 7 (bottom)",
        caption: "Best-fitting N0 of the Resource model vs gradient noise σ (random unit vectors, B = 128, SignGD 1e−3, 1000 steps): N0 ∝ σ, 39.8 at σ = 1 here (the notebook: 37.2).",
        query: "vec=unit&batch=128&lr=0.001&steps=1000&seed=2&fit=n0&sweep=noise:1e-3..1:10:log",
        cost: "10 runs and fits, under a second natively",
    },
    SweepPreset {
        id: "fig7n0-lr",
        figure: "Fig. 7 (bottom, learning rate)",
        caption: "Best-fitting N0 vs the learning rate η (random unit vectors, B = 128, SignGD, 1000 steps): non-monotonic, as in the paper — large for tiny η (0.60 at 1e−5), smallest near 3e−4 (0.008), then growing with η (0.012 at 1e−3, 0.14 at 1e−2, 3.6 at 0.1, faster than the paper's 2η guide).",
        query: "vec=unit&batch=128&steps=1000&seed=2&fit=n0&sweep=lr:1e-5..0.1:9:log",
        cost: "9 runs and fits, under a second natively",
    },
    SweepPreset {
        id: "fig7n0-batch",
        figure: "Fig. 7 (bottom, batch size)",
        caption: "Best-fitting N0 vs the batch size B (random unit vectors, SignGD 1e−3, 1000 steps): N0 ∝ 1/B for small B (0.151, 0.071, 0.038, 0.019 at B = 8 … 64), flattening from B ≈ 128 (0.008–0.006 at 256 … 1024); the paper: ∝ 1/B up to 256, flat beyond.",
        query: "vec=unit&lr=0.001&steps=1000&seed=2&fit=n0&sweep=batch:8,16,32,64,128,256,512,1024",
        cost: "8 runs and fits, under a second natively",
    },
    SweepPreset {
        id: "fig19scatter",
        figure: "Fig. 19 (scatter)",
        caption: "t2 against t1 over 100 seeds for the non-modular and the modular MLP 2-100-100-2 (x1² on 99 % of the points, x2² on 1 %): non-modular dots lie near t2 ≈ 2–3·t1, modular ones near t2 ≈ t1.",
        query: "preset=fig19&sweep=modular:0,1&sweep2=seed:0..99:100",
        cost: "200 runs of ≈ 1 s natively (≈ 1.5 min on 2 cores); ≈ 2.5 s each in a browser worker (≈ 4 min on 2 workers)",
    },
];

/// The figure numbers a figure text names: "Fig. 2 (top right), Fig. 16 (top)" → [2, 16].
fn figure_numbers(figure: &str) -> Vec<u32> {
    figure
        .split("Fig. ")
        .skip(1)
        .filter_map(|t| {
            let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
            digits.parse().ok()
        })
        .collect()
}

/// The sweep presets of the same figure as a run preset (`figure` as in
/// [`crate::link::presets::Preset::figure`]): the lab links to them from its figure box.
pub fn sweeps_of_figure(figure: &str) -> Vec<&'static SweepPreset> {
    let want = figure_numbers(figure);
    SWEEP_PRESETS
        .iter()
        .filter(|p| figure_numbers(p.figure).iter().any(|n| want.contains(n)))
        .collect()
}

/// At most this many runs in one sweep.
pub const MAX_RUNS: usize = 100_000;

/// One swept key and its values (as link text).
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    pub key: String,
    pub values: Vec<String>,
}

/// A parsed sweep link.
#[derive(Clone, Debug, PartialEq)]
pub struct Sweep {
    /// The link without the sweep keys.
    pub base: String,
    pub axes: Vec<Axis>,
    pub outputs: Outputs,
}

/// What each run reports besides its summary.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outputs {
    /// `record=80,200`: steps at which the loss is recorded (besides the last).
    pub record: Vec<u32>,
    /// `fit=n0`: the best N0 of a Resource model fitted to the run (Fig. 7 bottom): the grid
    /// 10^linspace(−4, 2, 601), same η_eff and frequencies, rows compared as the paper does.
    pub fit_n0: bool,
}

impl Outputs {
    /// Read one `record=` or `fit=` key into `self`.
    fn read(&mut self, k: &str, v: &str) -> Result<(), Vec<Problem>> {
        let mut problems = vec![];
        match k {
            "record" => {
                for s in v.split(',').filter(|s| !s.is_empty()) {
                    match s.parse::<u32>() {
                        Ok(x) => self.record.push(x),
                        Err(_) => problems.push(Problem {
                            key: k.into(),
                            message: format!("{s:?} is not a step"),
                        }),
                    }
                }
            }
            "fit" if v == "n0" => self.fit_n0 = true,
            "fit" => problems.push(Problem {
                key: k.into(),
                message: format!("{v:?}: the only fit is n0"),
            }),
            _ => problems.push(Problem {
                key: k.into(),
                message: "not an output key".into(),
            }),
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// The outputs as link keys (`record=80,200&fit=n0`; empty for none): what the page sends
    /// a worker with each grid point.
    pub fn query(&self) -> String {
        let mut q = vec![];
        if !self.record.is_empty() {
            let r: Vec<String> = self.record.iter().map(|s| s.to_string()).collect();
            q.push(format!("record={}", r.join(",")));
        }
        if self.fit_n0 {
            q.push("fit=n0".to_string());
        }
        q.join("&")
    }

    /// Read [`Outputs::query`]'s text back.
    pub fn from_query(q: &str) -> Result<Outputs, Vec<Problem>> {
        let mut o = Outputs::default();
        for (k, v) in query::pairs(q) {
            o.read(k, v)?;
        }
        Ok(o)
    }
}

/// The sweep a link asks for, as a sweep link: the link itself when it has `sweep=` keys or
/// names a sweep preset, and a link with `runs=K` (Fig. 19's t1–t2 scatter) as the sweep over
/// its K seeds `seed … seed+K−1` (`t_skills` = t1;t2 per run). `None` for an ordinary run.
/// The page and `skills run` both go through here.
pub fn as_sweep(query: &str) -> Option<String> {
    let q = query::of_link(query);
    let parts: Vec<&str> = query::parts(q).collect();
    let key = |p: &&str| query::key(p).to_string();
    let is_sweep = parts.iter().any(|p| {
        matches!(key(p).as_str(), "sweep" | "sweep2" | "sweep3")
            || p.strip_prefix("preset=")
                .is_some_and(|id| SWEEP_PRESETS.iter().any(|s| s.id == id))
    });
    if is_sweep {
        return Some(parts.join("&"));
    }
    // only a link's own `runs=` asks for a scatter (presets never set it in their base), so
    // an ordinary link is not parsed here a second time
    if !parts.iter().any(|p| key(p) == "runs") {
        return None;
    }
    let parsed = parse(q);
    let c = &parsed.config;
    if c.runs <= 1 {
        return None;
    }
    let base: Vec<&str> = parts
        .iter()
        .filter(|p| !matches!(key(p).as_str(), "runs" | "seed"))
        .copied()
        .collect();
    let last = c.seed + c.runs as u64 - 1;
    Some(format!(
        "{}&sweep=seed:{}..{last}:{}",
        base.join("&"),
        c.seed,
        c.runs
    ))
}

/// Run one grid point given as a plain link and return the result row's fields after the
/// grid point's own (see [`RunResult::tail`]): what a page worker computes per run. The page
/// puts the run index and the axis values in front, so a result can be reused in another
/// sweep that contains the same point.
pub fn run_point(query: &str, outputs: &Outputs) -> String {
    let spec = RunSpec {
        index: 0,
        point: vec![],
        query: query.to_string(),
    };
    run_one(&spec, outputs).tail()
}

/// One grid point.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSpec {
    pub index: usize,
    /// (key, value) per axis.
    pub point: Vec<(String, String)>,
    pub query: String,
}

/// The summary of one finished run.
#[derive(Clone, Debug, PartialEq)]
pub struct RunResult {
    pub index: usize,
    pub point: Vec<(String, String)>,
    pub steps_done: u32,
    pub final_loss: f64,
    /// Loss at each `record` step (NaN if the run stopped before it).
    pub recorded: Vec<f64>,
    /// Skills with s > thr at the end, out of n.
    pub learned: usize,
    pub n: usize,
    /// First step at which each skill was learned (s > thr).
    pub t_skills: Vec<Option<usize>>,
    /// First step at which the first skill / every skill was learned.
    pub t_first: Option<usize>,
    pub t_all: Option<usize>,
    /// Whether the N0 fit was asked for, and its result.
    pub fit_n0: bool,
    pub best_n0: Option<f64>,
    /// Set if the run diverged.
    pub error: Option<String>,
}

fn axis(text: &str) -> Result<Axis, String> {
    let (key, spec) = text
        .split_once(':')
        .ok_or_else(|| format!("{text:?} is not key:values"))?;
    if matches!(
        key,
        "sweep" | "sweep2" | "sweep3" | "record" | "fit" | "preset" | ""
    ) {
        return Err(format!("cannot sweep {key:?}"));
    }
    let values: Vec<String> = if let Some((a, rest)) = spec.split_once("..") {
        let mut it = rest.split(':');
        let b = it.next().unwrap_or("");
        let count: usize = it
            .next()
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| format!("{spec:?}: a range needs a count, as in 20..1000:50"))?;
        let log = match it.next() {
            None => false,
            Some("log") => true,
            Some(other) => return Err(format!("{other:?}: only `log` may follow the count")),
        };
        let (a, b): (f64, f64) = (
            a.parse().map_err(|_| format!("{a:?} is not a number"))?,
            b.parse().map_err(|_| format!("{b:?} is not a number"))?,
        );
        if !(1..=MAX_RUNS).contains(&count) || !a.is_finite() || !b.is_finite() {
            return Err(format!(
                "{spec:?}: count must be 1…{MAX_RUNS} and the ends finite"
            ));
        }
        if log && (a <= 0.0 || b <= 0.0) {
            return Err(format!("{spec:?}: a log range needs positive ends"));
        }
        let integer = a.fract() == 0.0 && b.fract() == 0.0 && !log;
        (0..count)
            .map(|i| {
                let f = if count == 1 {
                    0.0
                } else {
                    i as f64 / (count - 1) as f64
                };
                let x = if log {
                    // 12 significant digits: 1e-5, not the 9.999999999999999e-6 of 10^(−5.0…)
                    crate::lab::round_sig(
                        libm::pow(10.0, libm::log10(a) + f * (libm::log10(b) - libm::log10(a))),
                        12,
                    )
                } else {
                    a + f * (b - a)
                };
                if integer {
                    format!("{}", x.round() as i64)
                } else {
                    num(x)
                }
            })
            .collect()
    } else {
        spec.split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    if values.is_empty() {
        return Err(format!("{text:?} has no values"));
    }
    Ok(Axis {
        key: key.to_string(),
        values,
    })
}

impl Sweep {
    /// Read a sweep link. Every grid point must be a valid link: each problem is named with
    /// the grid point it comes from.
    pub fn parse(query: &str) -> Result<Sweep, Vec<Problem>> {
        let q = query.split_once('?').map(|(_, q)| q).unwrap_or(query);
        let mut base = vec![];
        let mut axes = vec![];
        let mut outputs = Outputs::default();
        let mut problems = vec![];
        // a sweep preset's keys come first; the link's own keys replace them
        let mut parts: Vec<&str> = vec![];
        let own: Vec<&str> = query::parts(q).collect();
        if let Some(id) = own.iter().find_map(|p| p.strip_prefix("preset=")) {
            match SWEEP_PRESETS.iter().find(|p| p.id == id) {
                Some(p) => {
                    // (the link's own `preset=` names this sweep preset: it must not drop
                    // the figure preset the sweep preset's query starts from)
                    let own_keys: Vec<&str> = own
                        .iter()
                        .map(|o| query::key(o))
                        .filter(|k| *k != "preset")
                        .collect();
                    parts.extend(
                        query::parts(p.query).filter(|kv| !own_keys.contains(&query::key(kv))),
                    );
                }
                None if crate::link::presets::find(id).is_none() => problems.push(Problem {
                    key: "preset".into(),
                    message: format!("no sweep or figure preset {id:?}"),
                }),
                None => parts.push(
                    own.iter()
                        .find(|p| p.starts_with("preset="))
                        .copied()
                        .unwrap_or(""),
                ),
            }
        }
        parts.extend(own.iter().filter(|p| !p.starts_with("preset=")));
        for part in parts {
            let (k, v) = query::pair(part);
            match k {
                "sweep" | "sweep2" | "sweep3" => match axis(v) {
                    Ok(a) => axes.push(a),
                    Err(m) => problems.push(Problem {
                        key: k.into(),
                        message: m,
                    }),
                },
                "record" | "fit" => {
                    if let Err(p) = outputs.read(k, v) {
                        problems.extend(p)
                    }
                }
                _ => base.push(part.to_string()),
            }
        }
        if axes.is_empty() {
            problems.push(Problem {
                key: "sweep".into(),
                message: "a sweep needs sweep=key:values".into(),
            });
        }
        if axes.len() == 2 && axes[0].key == axes[1].key {
            problems.push(Problem {
                key: "sweep2".into(),
                message: "sweeps the same key as sweep".into(),
            });
        }
        let total: usize = axes.iter().map(|a| a.values.len()).product();
        if total > MAX_RUNS {
            problems.push(Problem {
                key: "sweep".into(),
                message: format!("{total} runs (at most {MAX_RUNS})"),
            });
        }
        let sweep = Sweep {
            base: base.join("&"),
            axes,
            outputs,
        };
        if problems.is_empty() {
            // every grid point must be valid on its own
            for run in sweep.runs() {
                let parsed = parse(&run.query);
                for p in parsed.problems {
                    let at: Vec<String> =
                        run.point.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    problems.push(Problem {
                        key: p.key,
                        message: format!(
                            "{} (at {})",
                            p.message.replace("; using the default", ""),
                            at.join(", ")
                        ),
                    });
                }
                if problems.len() >= 20 {
                    break;
                }
            }
        }
        if problems.is_empty() {
            Ok(sweep)
        } else {
            Err(problems)
        }
    }

    /// Every grid point, in order (the first axis varies slowest).
    pub fn runs(&self) -> Vec<RunSpec> {
        let mut points: Vec<Vec<(String, String)>> = vec![vec![]];
        for a in &self.axes {
            points = points
                .into_iter()
                .flat_map(|p| {
                    a.values.iter().map(move |v| {
                        let mut q = p.clone();
                        q.push((a.key.clone(), v.clone()));
                        q
                    })
                })
                .collect();
        }
        points
            .into_iter()
            .enumerate()
            .map(|(index, point)| {
                let extra: Vec<String> = point.iter().map(|(k, v)| format!("{k}={v}")).collect();
                let query = if self.base.is_empty() {
                    extra.join("&")
                } else {
                    format!("{}&{}", self.base, extra.join("&"))
                };
                RunSpec {
                    index,
                    point,
                    query,
                }
            })
            .collect()
    }

    /// The runs of shard `i` of `k` (0-based): every k-th run starting at i, so shards are
    /// balanced even when run cost grows along an axis.
    pub fn shard(&self, i: usize, k: usize) -> Vec<RunSpec> {
        self.runs()
            .into_iter()
            .filter(|r| k > 0 && r.index % k == i)
            .collect()
    }

    /// The CSV header of the result rows.
    pub fn header(&self) -> String {
        let mut h = vec!["run".to_string()];
        h.extend(self.axes.iter().map(|a| a.key.clone()));
        h.extend(
            [
                "steps", "loss", "learned", "n", "t_first", "t_all", "t_skills",
            ]
            .map(String::from),
        );
        h.extend(self.outputs.record.iter().map(|s| format!("loss@{s}")));
        if self.outputs.fit_n0 {
            h.push("best_n0".into());
        }
        h.push("error".into());
        h.join(",")
    }
}

/// Run one grid point to the end (the query was validated by [`Sweep::parse`]).
pub fn run_one(spec: &RunSpec, outputs: &Outputs) -> RunResult {
    let record = &outputs.record;
    let c = parse(&spec.query).config;
    let mut result = RunResult {
        index: spec.index,
        point: spec.point.clone(),
        steps_done: 0,
        final_loss: f64::NAN,
        recorded: vec![f64::NAN; record.len()],
        learned: 0,
        n: c.skills(),
        t_skills: vec![],
        t_first: None,
        t_all: None,
        fit_n0: outputs.fit_n0,
        best_n0: None,
        error: None,
    };
    let mut history: Vec<Vec<f64>> = vec![];
    let mut sim = match c.spec().and_then(Simulation::new) {
        Ok(s) => s,
        Err(e) => {
            result.error = Some(e.to_string());
            return result;
        }
    };
    let thr = c.thr;
    let mut t_skill: Vec<Option<usize>> = vec![None; result.n];
    let mut observe = |f: &crate::sim::Frame, result: &mut RunResult| {
        for (i, s) in f.levels.iter().enumerate() {
            if t_skill[i].is_none() && *s > thr {
                t_skill[i] = Some(f.step as usize);
            }
        }
        for (j, &r) in record.iter().enumerate() {
            if r == f.step {
                result.recorded[j] = f.loss;
            }
        }
        result.final_loss = f.loss;
        result.steps_done = f.step;
        if outputs.fit_n0 {
            history.push(f.levels.clone());
        }
    };
    let first = sim.frame(false);
    observe(&first, &mut result);
    // Observing a row costs as much as a step for the Geometry model; long runs are observed
    // every `stride` steps (learning times then have that resolution), the N0 fit needs all.
    let stride = if outputs.fit_n0 {
        1
    } else {
        (c.steps / 2000).max(1)
    };
    for t in 1..=c.steps {
        let keep = t % stride == 0 || t == c.steps || record.contains(&t);
        let r = if keep {
            sim.next_frame(false).map(Some)
        } else {
            sim.step().map(|_| None)
        };
        match r {
            Ok(Some(f)) => observe(&f, &mut result),
            Ok(None) => {}
            Err(e) => {
                result.error = Some(match e {
                    SimError::NonFinite { step } => format!("diverged at step {step}"),
                    other => other.to_string(),
                });
                break;
            }
        }
    }
    if outputs.fit_n0 && result.error.is_none() && history.len() > 1 {
        // Geometry rows 0..T−1 (before each update) against Resource rows 1..T
        let rows = &history[..history.len() - 1];
        let p = normalise(c.freqs());
        result.best_n0 = best_n0(rows, &p, c.eta_eff(), c.loss, &n0_grid()).map(|(n0, _)| n0);
    }
    result.learned = t_skill.iter().filter(|t| t.is_some()).count();
    // per-skill times only where they make a readable column
    result.t_skills = if result.n <= 100 {
        t_skill.clone()
    } else {
        vec![]
    };
    result.t_first = t_skill.iter().flatten().min().copied();
    result.t_all = if t_skill.iter().all(|t| t.is_some()) {
        t_skill.iter().flatten().max().copied()
    } else {
        None
    };
    result
}

impl RunResult {
    /// The CSV row (matches [`Sweep::header`]): the run index, the grid point's values, then
    /// [`RunResult::tail`].
    pub fn row(&self) -> String {
        let mut r = vec![self.index.to_string()];
        r.extend(self.point.iter().map(|(_, v)| v.clone()));
        r.push(self.tail());
        r.join(",")
    }

    /// The row's fields from `steps` on (they depend on the run's link only).
    pub fn tail(&self) -> String {
        let opt = |t: Option<usize>| t.map(|t| t.to_string()).unwrap_or_default();
        let mut r = vec![self.steps_done.to_string(), num(self.final_loss)];
        r.push(self.learned.to_string());
        r.push(self.n.to_string());
        r.push(opt(self.t_first));
        r.push(opt(self.t_all));
        r.push(
            self.t_skills
                .iter()
                .map(|t| opt(*t))
                .collect::<Vec<_>>()
                .join(";"),
        );
        r.extend(
            self.recorded
                .iter()
                .map(|x| if x.is_nan() { String::new() } else { num(*x) }),
        );
        if self.fit_n0 {
            r.push(self.best_n0.map(num).unwrap_or_default());
        }
        r.push(self.error.clone().unwrap_or_default().replace(',', ";"));
        r.join(",")
    }
}

/// Two-point exponents from a sweep's CSV (Fig. 10): for each value of the `by` column, the
/// median over the other rows (seeds) of column `y` at `x = x1` and at `x = x2`, then
/// `−(ln y2 − ln y1)/(ln x2 − ln x1)`. With `x = "steps"` and `y = "loss@80"`… use
/// [`step_exponents`] instead. Returns (by value, exponent) in order of first appearance.
pub fn exponents(
    csv: &str,
    x: &str,
    y: &str,
    x1: &str,
    x2: &str,
    by: &str,
) -> Result<Vec<(String, f64)>, String> {
    let (cols, rows) = csv_columns(csv, &[x, y, by])?;
    let (cx, cy, cb) = (cols[0], cols[1], cols[2]);
    let mut groups: Vec<(String, Vec<f64>, Vec<f64>)> = vec![];
    for f in rows {
        let (xv, byv) = (
            f.get(cx).copied().unwrap_or(""),
            f.get(cb).copied().unwrap_or("").to_string(),
        );
        let Some(yv) = f.get(cy).and_then(|v| v.parse::<f64>().ok()) else {
            continue;
        };
        let i = match groups.iter().position(|g| g.0 == byv) {
            Some(i) => i,
            None => {
                groups.push((byv, vec![], vec![]));
                groups.len() - 1
            }
        };
        if xv == x1 {
            groups[i].1.push(yv);
        } else if xv == x2 {
            groups[i].2.push(yv);
        }
    }
    let (a, b): (f64, f64) = (
        x1.parse().map_err(|_| "x1 is not a number")?,
        x2.parse().map_err(|_| "x2 is not a number")?,
    );
    groups
        .into_iter()
        .map(|(k, y1, y2)| {
            if y1.is_empty() || y2.is_empty() {
                return Err(format!("{by} = {k}: no rows at {x} = {x1} and {x2}"));
            }
            Ok((k, two_point_exponent(a, median(y1), b, median(y2))))
        })
        .collect()
}

/// Loss-vs-steps exponents (α_S of Fig. 10): per value of `by`, the median over rows of
/// `−(ln L(s2) − ln L(s1))/(ln s2 − ln s1)` from the `loss@s1` and `loss@s2` columns.
pub fn step_exponents(csv: &str, s1: u32, s2: u32, by: &str) -> Result<Vec<(String, f64)>, String> {
    let (l1, l2) = (format!("loss@{s1}"), format!("loss@{s2}"));
    let (cols, rows) = csv_columns(csv, &[&l1, &l2, by])?;
    let (c1, c2, cb) = (cols[0], cols[1], cols[2]);
    let mut groups: Vec<(String, Vec<f64>)> = vec![];
    for f in rows {
        let (Some(l1), Some(l2)) = (
            f.get(c1).and_then(|v| v.parse::<f64>().ok()),
            f.get(c2).and_then(|v| v.parse::<f64>().ok()),
        ) else {
            continue;
        };
        let byv = f.get(cb).copied().unwrap_or("").to_string();
        let e = two_point_exponent(s1 as f64, l1, s2 as f64, l2);
        match groups.iter_mut().find(|g| g.0 == byv) {
            Some(g) => g.1.push(e),
            None => groups.push((byv, vec![e])),
        }
    }
    Ok(groups.into_iter().map(|(k, v)| (k, median(v))).collect())
}

/// A sweep CSV read once: the positions of the named columns (each must exist) and the rows
/// split into fields.
fn csv_columns<'a>(
    csv: &'a str,
    names: &[&str],
) -> Result<(Vec<usize>, Vec<Vec<&'a str>>), String> {
    let mut lines = csv.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<&str> = lines.next().ok_or("empty CSV")?.split(',').collect();
    let cols = names
        .iter()
        .map(|name| {
            header
                .iter()
                .position(|h| h == name)
                .ok_or(format!("no column {name:?}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((cols, lines.map(|l| l.split(',').collect()).collect()))
}

/// The median (NaN for no values).
pub(crate) fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Join shard outputs (CSV text with one header each) into one CSV ordered by run index.
/// Every shard must have the same header; a run index may appear only once.
pub fn merge(parts: &[String]) -> Result<String, String> {
    let mut header: Option<&str> = None;
    let mut rows: Vec<(usize, &str)> = vec![];
    for (i, text) in parts.iter().enumerate() {
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        let h = lines
            .next()
            .ok_or_else(|| format!("part {} is empty", i + 1))?;
        match header {
            None => header = Some(h),
            Some(first) if first != h => {
                return Err(format!("part {} has another header than part 1", i + 1))
            }
            _ => {}
        }
        for l in lines {
            let idx: usize = l
                .split(',')
                .next()
                .and_then(|x| x.parse().ok())
                .ok_or_else(|| {
                    format!(
                        "part {}: a row without a run index: {:?}",
                        i + 1,
                        &l[..l.len().min(40)]
                    )
                })?;
            rows.push((idx, l));
        }
    }
    rows.sort_by_key(|(i, _)| *i);
    if let Some(w) = rows.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(format!("run {} appears twice", w[0].0));
    }
    let mut out = String::new();
    out += header.unwrap_or("");
    out.push('\n');
    for (_, l) in rows {
        out += l;
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_lists_ranges_and_logs() {
        assert_eq!(axis("alpha:1,1.2,1.4").unwrap().values, ["1", "1.2", "1.4"]);
        let dims = axis("dim:20..1000:50").unwrap().values;
        assert_eq!(
            (
                dims.len(),
                dims[0].as_str(),
                dims[1].as_str(),
                dims[49].as_str()
            ),
            (50, "20", "40", "1000")
        );
        let lr = axis("lr:1e-5..0.1:9:log").unwrap().values;
        assert_eq!(lr.len(), 9);
        assert_eq!(
            (lr[0].as_str(), lr[2].as_str(), lr[8].as_str()),
            ("1e-5", "0.0001", "0.1")
        );
        assert!((lr[4].parse::<f64>().unwrap() - 1e-3).abs() < 1e-15);
        assert!(
            axis("dim:1..2").is_err() && axis("dim").is_err() && axis("lr:0..1:3:log").is_err()
        );
    }

    #[test]
    fn grid_order_shards_and_merge() {
        let s =
            Sweep::parse("v=1&m=resource&steps=50&sweep=alpha:1,2&sweep2=n0:0,0.01,0.1").unwrap();
        let runs = s.runs();
        assert_eq!(runs.len(), 6);
        assert_eq!(runs[1].query, "v=1&m=resource&steps=50&alpha=1&n0=0.01");
        let all: Vec<String> = runs.iter().map(|r| run_one(r, &s.outputs).row()).collect();
        let whole = format!("{}\n{}\n", s.header(), all.join("\n"));
        let parts: Vec<String> = (0..4)
            .map(|i| {
                let rows: Vec<String> = s
                    .shard(i, 4)
                    .iter()
                    .map(|r| run_one(r, &s.outputs).row())
                    .collect();
                format!("{}\n{}\n", s.header(), rows.join("\n"))
            })
            .collect();
        assert_eq!(
            merge(&parts).unwrap(),
            whole,
            "shards merged equal the unsharded sweep"
        );
        assert!(merge(&[whole.clone(), whole.clone()])
            .unwrap_err()
            .contains("twice"));
    }

    #[test]
    fn sweeps_of_a_figure() {
        let ids = |f: &str| -> Vec<&str> { sweeps_of_figure(f).iter().map(|p| p.id).collect() };
        assert_eq!(ids("Fig. 4"), ["fig4r", "fig4r-sgd", "fig4r-adam"]);
        assert_eq!(ids("Fig. 7 (top)"), ["fig7n0", "fig7n0-lr", "fig7n0-batch"]);
        assert_eq!(ids("Fig. 19"), ["fig19scatter"]);
        assert!(ids("Fig. 1").is_empty() && ids("Fig. 12").is_empty() && ids("").is_empty());
        assert_eq!(figure_numbers("Fig. 2 (top right), Fig. 16 (top)"), [2, 16]);
    }

    #[test]
    fn sweep_links_and_scatter_links() {
        assert_eq!(as_sweep("?v=1&n=5"), None);
        assert_eq!(
            as_sweep("?v=1&preset=fig10s#x").as_deref(),
            Some("v=1&preset=fig10s")
        );
        assert_eq!(
            as_sweep("v=1&sweep=alpha:1,2").as_deref(),
            Some("v=1&sweep=alpha:1,2")
        );
        // Fig. 19's scatter: runs=K is a sweep over K seeds from the link's seed
        let s = as_sweep("v=1&preset=fig19&modular=1&seed=3&runs=4").unwrap();
        assert_eq!(s, "v=1&preset=fig19&modular=1&sweep=seed:3..6:4");
        let sw = Sweep::parse(&s).unwrap();
        assert_eq!(sw.runs().len(), 4);
        assert!(sw.runs()[3].query.ends_with("seed=6"));
    }

    #[test]
    fn a_sweep_preset_link_runs_its_query() {
        // `preset=<sweep id>` must run exactly the grid its query spells out (fig19scatter's
        // query starts from the figure preset fig19: the link's own preset= once dropped it,
        // and the scatter ran the default Geometry model)
        for p in SWEEP_PRESETS {
            let by_id = Sweep::parse(&format!("v=1&preset={}", p.id)).unwrap();
            let by_query = Sweep::parse(&format!("v=1&{}", p.query)).unwrap();
            let (a, b) = (by_id.runs(), by_query.runs());
            assert_eq!(a.len(), b.len(), "{}", p.id);
            for (x, y) in a.iter().zip(&b) {
                let (cx, cy) = (parse(&x.query).config, parse(&y.query).config);
                assert!(
                    cx == cy,
                    "{}: {} runs {} instead of {}",
                    p.id,
                    x.query,
                    cx.to_query(),
                    cy.to_query()
                );
            }
        }
        let s = Sweep::parse("v=1&preset=fig19scatter").unwrap();
        for r in s.runs() {
            let c = parse(&r.query).config;
            assert_eq!(c.model, crate::link::Model::Modular, "{}", r.query);
        }
    }

    #[test]
    fn a_worker_row_is_the_cli_row() {
        // what a page worker computes (run_point) plus the index and point = the CLI's row
        let s =
            Sweep::parse("v=1&m=resource&steps=60&record=10,30&fit=n0&sweep=alpha:1,2").unwrap();
        let o = Outputs::from_query(&s.outputs.query()).unwrap();
        assert_eq!(o, s.outputs);
        assert_eq!(s.outputs.query(), "record=10,30&fit=n0");
        for r in s.runs() {
            let tail = run_point(&r.query, &o);
            let mut fields = vec![r.index.to_string()];
            fields.extend(r.point.iter().map(|(_, v)| v.clone()));
            fields.push(tail);
            assert_eq!(fields.join(","), run_one(&r, &s.outputs).row());
        }
        assert!(Outputs::from_query("fit=n1").is_err() && Outputs::from_query("seed=1").is_err());
    }

    #[test]
    fn exponents_of_a_synthetic_power_law() {
        // L = 3·N^(−0.34)·(seed noise that the median removes)
        let mut csv = String::from("run,alpha,dim,seed,loss\n");
        for (i, (a, e)) in [("1", 0.34), ("2", 0.9)].iter().enumerate() {
            for n in ["40", "220"] {
                for (s, k) in [(0, 1.0), (1, 1.5), (2, 1.0)] {
                    let l = 3.0 * n.parse::<f64>().unwrap().powf(-e) * k;
                    csv += &format!("{i},{a},{n},{s},{l}\n");
                }
            }
        }
        let ex = exponents(&csv, "dim", "loss", "40", "220", "alpha").unwrap();
        assert_eq!(ex.len(), 2);
        assert!(
            (ex[0].1 - 0.34).abs() < 1e-12 && (ex[1].1 - 0.9).abs() < 1e-12,
            "{ex:?}"
        );
        let steps = "run,alpha,loss@80,loss@200\n0,1,1,0.5\n1,1,1,0.5\n";
        let st = step_exponents(steps, 80, 200, "alpha").unwrap();
        assert!((st[0].1 - 2f64.ln() / 2.5f64.ln()).abs() < 1e-12);
        assert!(exponents(&csv, "dim", "loss", "40", "999", "alpha").is_err());
    }

    #[test]
    fn sweep_presets_parse_and_can_be_overridden() {
        let counts = [
            ("fig10n", 1400),
            ("fig10n-small", 12),
            ("fig10n-seeds", 48),
            ("fig10s", 18),
            ("fig10s-seeds", 240),
            ("fig18", 600),
            ("fig10c", 7),
            ("fig18b", 6),
            ("fig4r", 50),
            ("fig7n0", 10),
            ("fig19scatter", 200),
            ("fig4r-sgd", 46),
            ("fig4r-adam", 50),
            ("fig7n0-lr", 9),
            ("fig7n0-batch", 8),
        ];
        for p in SWEEP_PRESETS {
            let s = Sweep::parse(&format!("v=1&preset={}", p.id))
                .unwrap_or_else(|e| panic!("{}: {e:?}", p.id));
            let want = counts.iter().find(|c| c.0 == p.id).map(|c| c.1);
            assert_eq!(Some(s.runs().len()), want, "{}", p.id);
            assert!(!p.caption.is_empty() && !p.cost.is_empty());
        }
        let s = Sweep::parse("v=1&preset=fig10s&sweep2=seed:5..5:1").unwrap();
        assert_eq!(s.runs().len(), 6);
        assert!(
            s.runs()[0].query.ends_with("alpha=1&seed=5"),
            "{}",
            s.runs()[0].query
        );
        assert_eq!(
            Sweep::parse("v=1&preset=nope&sweep=n:1,2").unwrap_err()[0].key,
            "preset"
        );
        // a figure preset is a base like any other key
        assert_eq!(
            Sweep::parse("v=1&preset=fig4&sweep=p1:0.5,0.9")
                .unwrap()
                .runs()
                .len(),
            2
        );
    }

    #[test]
    fn bad_sweeps_are_named() {
        let e = Sweep::parse("v=1&sweep=lr:-1,0.1").unwrap_err();
        assert!(e[0].message.contains("at lr=-1"), "{e:?}");
        assert_eq!(Sweep::parse("v=1").unwrap_err()[0].key, "sweep");
        assert!(Sweep::parse("v=1&sweep=n:1..100000:100000&sweep2=seed:0..9:10").is_err());
    }
}
