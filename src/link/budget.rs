//! The budget: a promise, stated in seconds on a reference machine and in bytes, that every
//! accepted link keeps. [`Config::cost`] estimates a link's cost from the real operation
//! counts of its model; [`parse`](super::parse) shrinks what was asked for until the estimate
//! is within [`Budget::DEFAULT`] (or the budget a caller passes) and names what it reduced.
//!
//! **The promise** (the default budget): one `skills run` of an accepted link takes at most
//! 10 minutes of one core of the reference machine, its peak heap stays under 1 GB (so the
//! same run fits a browser tab's wasm memory too: wasm32 addresses 4 GB, a tab gets 1–2 GB in
//! practice, and the page's own data are tens of MB), and what it prints at `--every 1` is at
//! most 4 GB of CSV (Fig. 10 at full size, N = n = 1000 over 100,000 steps, prints ≈ 3 GB
//! with `--align`; a 25-byte bound per number). Ten minutes is the longest a reader waits for one figure at the command
//! line (the paper's largest single runs, Fig. 10 at N = 1000 and Fig. 13 at full size, take
//! 1–7 minutes here); 1 GB leaves room on a laptop for a browser and the page's charts.
//!
//! **The reference machine**: the machine the constants below were measured on, an x86_64
//! Linux container with 2 cores of an AMD EPYC (one thread per core) and 23 GB of memory,
//! release build, `skills run` writing to /dev/null; the seconds are CPU seconds (user +
//! system), which other jobs sharing the cores inflate less than wall time (BENCHMARKS.md,
//! "The budget"). A browser tab runs the same link up to about 2× slower (BENCHMARKS.md,
//! "MLP in the browser"), and the page thins what it keeps to 20,000 rows.
//!
//! **The model** (per model): seconds = Σ calibrated constant (ns per operation) × the run's
//! operation count, including the per-step and per-row overheads, so that no size is free;
//! peak bytes = Σ the buffers the run holds at once (task matrix and its QR, datasets, the
//! activations of a full batch, optimizer state, the rows the page keeps, the `fit=n0`
//! history). `runs=K` multiplies the seconds (the runs share a core each, the estimate counts
//! them one after another). The constants are calibrated by `scripts/budget-calibrate`; the
//! test `tests/budget.rs` checks that the byte estimate bounds the measured peak heap.

use super::names::{FreqKind, Model};
use super::schema::Config;
use crate::sim::geometry::{LossForm, VecKind};
use crate::sim::nn::{Dtype, ParityTask};
use crate::sim::optim::OptKind;
use std::fmt;

/// Longest value accepted for any key (the `p` list of 10,000 numbers fits).
pub const MAX_VALUE_LEN: usize = 200_000;

/// The rows the page keeps of a run (`lab::run`'s `MAX_RECORDED`, read here for the byte
/// estimate of the kept frames).
const PAGE_ROWS: f64 = 20_000.0;

/// A budget: seconds of one core of the reference machine, peak heap bytes, and bytes of CSV
/// printed at `--every 1`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Budget {
    pub seconds: f64,
    pub bytes: f64,
    pub output_bytes: f64,
}

impl Budget {
    /// The promise of every link (see the module's documentation).
    pub const DEFAULT: Budget = Budget {
        seconds: 600.0,
        bytes: 1e9,
        output_bytes: 4e9,
    };

    /// No limit (`skills run --no-budget`): the link is run as asked.
    pub const NONE: Budget = Budget {
        seconds: f64::INFINITY,
        bytes: f64::INFINITY,
        output_bytes: f64::INFINITY,
    };

    /// Read `2h,8GB` (time, then memory; the CSV limit grows with the memory): seconds as
    /// `90s`, `10min`, `2h`, bytes as `500MB`, `8GB` (powers of 1000); `none` for no limit.
    pub fn parse(text: &str) -> Result<Budget, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("none") {
            return Ok(Budget::NONE);
        }
        let (time, mem) = text
            .split_once(',')
            .ok_or_else(|| format!("{text:?}: expected time,memory, e.g. 2h,8GB"))?;
        let seconds = with_unit(
            time,
            &[("s", 1.0), ("min", 60.0), ("m", 60.0), ("h", 3600.0)],
        )?;
        let bytes = with_unit(mem, &[("kb", 1e3), ("mb", 1e6), ("gb", 1e9), ("b", 1.0)])?;
        Ok(Budget {
            seconds,
            bytes,
            output_bytes: bytes.max(Budget::DEFAULT.output_bytes),
        })
    }
}

/// `12.5min` → 750 with the units given (longest suffix first where they share letters).
fn with_unit(text: &str, units: &[(&str, f64)]) -> Result<f64, String> {
    let t = text.trim().to_ascii_lowercase();
    for (unit, scale) in units {
        if let Some(num) = t.strip_suffix(unit) {
            if let Ok(x) = num.trim().parse::<f64>() {
                if x.is_finite() && x > 0.0 {
                    return Ok(x * scale);
                }
            }
        }
    }
    let names: Vec<&str> = units.iter().map(|(u, _)| *u).collect();
    Err(format!(
        "{text:?}: expected a positive number with a unit ({})",
        names.join(", ")
    ))
}

/// The calibrated cost constants of the reference machine, in nanoseconds per operation
/// (`scripts/budget-calibrate` measures the links that isolate each; BENCHMARKS.md, "The
/// budget", has the table). Each is the largest per-operation time measured, rounded up.
pub mod ns {
    /// Loop and bookkeeping of one step of a toy model.
    pub const STEP: f64 = 30.0;
    /// One step of a real network, whatever its size (allocation-free, but several passes).
    pub const NET_STEP: f64 = 20_000.0;
    /// One printed row (`step,loss`, the line's write).
    pub const ROW: f64 = 400.0;
    /// One printed number (shortest round-trip decimal, and the comma).
    pub const CELL: f64 = 250.0;
    /// One multiply-add of the Geometry model's dot products and axpys (θ·t_i, g += c t_i).
    pub const GEO_MADD: f64 = 0.45;
    /// One parameter of an optimizer step (per element: SGD and SignGD; Adam, AdamW and
    /// Lion; AdEMAMix), with the finiteness check.
    pub const OPT_PLAIN: f64 = 2.0;
    pub const OPT_MOMENTS: f64 = 6.5;
    pub const OPT_ADEMAMIX: f64 = 9.0;
    /// One mini-batch draw (a uniform and a binary search over the n skills: + `SEARCH` per
    /// halving).
    pub const DRAW: f64 = 9.0;
    pub const SEARCH: f64 = 2.0;
    /// One Gaussian draw (gradient noise, task vectors).
    pub const NORMAL: f64 = 12.0;
    /// One multiply-add of the Householder QR of `vec=ortho` (≈ 2·N·n² of them).
    pub const QR_MADD: f64 = 0.55;
    /// One skill of a Resource step (MSE; CE needs a sigmoid).
    pub const RES_SKILL: f64 = 6.0;
    pub const RES_SKILL_CE: f64 = 25.0;
    /// One prerequisite edge of a Resource step (a `pow`).
    pub const EDGE: f64 = 12.0;
    /// One skill level of the Domino or parallel model (an `exp`).
    pub const DOMINO_SKILL: f64 = 20.0;
    /// One multiply-add of a network's matrix products (forward and backward), per precision.
    pub const GEMM_F64: f64 = 0.09;
    pub const GEMM_F32: f64 = 0.035;
    /// One element of a layer's input or output, per row and step (activations, their
    /// derivatives, packing the products' operands: what makes narrow layers cost per row).
    pub const NET_ELEM: f64 = 1.2;
    /// One row of the data per step (losses, accuracies, the supervision mask, and the
    /// products' per-row overhead: what a width-2 network costs).
    pub const NET_ROW: f64 = 100.0;
    /// One output of a row per step (the loss; softmax's `exp` for grokking's classes).
    pub const NET_OUT: f64 = 8.0;
    /// One multiply-add of the Resource model's overlap product (C c, a fixed-order sum).
    pub const OVERLAP_MADD: f64 = 1.1;
}

/// Bytes of one number in memory and of one printed number in the CSV (at most 24
/// characters, `-1.2345678901234567e-100`, and its comma).
const F64: f64 = 8.0;
const CSV_CELL: f64 = 25.0;
/// A `Vec`'s header and the allocator's rounding, per allocation.
const ALLOC: f64 = 48.0;

/// One term of an estimate: what, how many, and its constant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Term {
    pub what: &'static str,
    pub count: f64,
    /// Nanoseconds per operation (time terms) or bytes per item (memory terms).
    pub each: f64,
}

impl Term {
    fn total(&self) -> f64 {
        self.count * self.each
    }
}

fn t(what: &'static str, count: f64, each: f64) -> Term {
    Term { what, count, each }
}

/// The estimated cost of a link.
#[derive(Clone, Debug, PartialEq)]
pub struct Cost {
    /// Seconds of one core of the reference machine (all `runs`).
    pub seconds: f64,
    /// Peak heap bytes of one run.
    pub bytes: f64,
    /// Bytes of CSV printed at `--every 1`.
    pub output_bytes: f64,
    /// The terms: time per run (ns), memory (bytes).
    pub time: Vec<Term>,
    pub memory: Vec<Term>,
}

impl Cost {
    /// Which limits of `budget` the cost breaks, in words, or None.
    pub fn over(&self, budget: &Budget) -> Option<String> {
        let mut out = vec![];
        if self.seconds > budget.seconds {
            out.push(format!(
                "≈ {} on the reference machine exceeds the budget of {}",
                duration(self.seconds),
                duration(budget.seconds)
            ));
        }
        if self.bytes > budget.bytes {
            out.push(format!(
                "a peak of ≈ {} of memory exceeds the budget of {}",
                bytes(self.bytes),
                bytes(budget.bytes)
            ));
        }
        if self.output_bytes > budget.output_bytes {
            out.push(format!(
                "≈ {} of CSV (every row) exceeds the budget of {}",
                bytes(self.output_bytes),
                bytes(budget.output_bytes)
            ));
        }
        (!out.is_empty()).then(|| out.join(", and "))
    }
}

impl fmt::Display for Cost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "≈ {} on the reference machine, peak ≈ {}, ≈ {} of CSV at --every 1",
            duration(self.seconds),
            bytes(self.bytes),
            bytes(self.output_bytes)
        )
    }
}

/// `754.2` → "13 min", `3.2` → "3.2 s".
pub fn duration(s: f64) -> String {
    if !s.is_finite() {
        "no limit".into()
    } else if s < 60.0 {
        format!("{s:.2} s")
    } else if s < 3600.0 {
        format!("{:.1} min", s / 60.0)
    } else {
        format!("{:.1} h", s / 3600.0)
    }
}

/// `3.1e9` → "3.1 GB".
pub fn bytes(b: f64) -> String {
    if !b.is_finite() {
        "no limit".into()
    } else if b < 1e6 {
        format!("{:.0} kB", b / 1e3)
    } else if b < 1e9 {
        format!("{:.0} MB", b / 1e6)
    } else {
        format!("{:.1} GB", b / 1e9)
    }
}

/// A network's shape as the run builds it (mirrors `sim::nn`'s experiments).
struct NetShape {
    /// Rows of the training batch (every step is full-batch) and of the test pass.
    rows: f64,
    test_rows: f64,
    /// d_0, …, d_L.
    widths: Vec<f64>,
    /// Block-diagonal hidden layers (Fig. 19's modular network): 2 blocks.
    blocks: f64,
    silu: bool,
    /// Embedding vocabulary and width (grokking; the first layer runs through the table).
    embed: Option<(f64, f64)>,
    /// Extra f64 data the experiment keeps per row (targets, masks, labels).
    f64_per_row: f64,
}

impl NetShape {
    fn of(c: &Config) -> NetShape {
        let w = c.width as f64;
        match c.model {
            Model::Parity => {
                let k = c.task.bits().len() as f64;
                let frac = if c.task == ParityTask::Frequency {
                    1.0
                } else {
                    0.8
                };
                NetShape {
                    rows: (c.samples as f64 * frac).floor(),
                    test_rows: 0.0,
                    widths: vec![32.0, w, k],
                    blocks: 1.0,
                    silu: false,
                    embed: None,
                    // the f64 rows and labels while the network is built, labels kept
                    f64_per_row: 32.0 + 3.0 * k + 1.0,
                }
            }
            Model::Grokking => {
                let p = c.modulus as f64;
                let pairs = p * p;
                let train = (pairs * 0.8).floor();
                let e = c.embed as f64;
                NetShape {
                    rows: train,
                    test_rows: pairs - train,
                    widths: vec![2.0 * e, w, w, p],
                    blocks: 1.0,
                    silu: true,
                    embed: Some((p, e)),
                    // tokens and labels (u32), the split's flags
                    f64_per_row: 2.0,
                }
            }
            _ => NetShape {
                rows: c.samples as f64,
                test_rows: 0.0,
                widths: vec![2.0, w, w, 2.0],
                blocks: if c.modular { 2.0 } else { 1.0 },
                silu: true,
                embed: None,
                f64_per_row: 8.0,
            },
        }
    }

    /// Parameters (weights, biases, embedding).
    fn params(&self) -> f64 {
        let layers: f64 = self.widths.windows(2).map(|d| d[0] * d[1] + d[1]).sum();
        layers + self.embed.map_or(0.0, |(v, e)| v * e)
    }

    /// Multiply-adds of one forward pass of `rows` rows (block-diagonal layers skip the
    /// off-block weights; the embedding's first layer is one table product).
    fn forward_madds(&self, rows: f64) -> f64 {
        let mut m = 0.0;
        for (l, d) in self.widths.windows(2).enumerate() {
            let dense = d[0] * d[1] / self.blocks;
            m += match (l, self.embed) {
                (0, Some((v, _))) if v < rows => v * dense + rows * d[1] * 2.0,
                _ => rows * dense,
            };
        }
        m
    }

    /// Elements of the layers' inputs and outputs per row.
    fn elems(&self) -> f64 {
        self.widths.windows(2).map(|d| d[0] + d[1]).sum()
    }

    fn hidden(&self) -> f64 {
        self.widths[1..self.widths.len() - 1].iter().sum()
    }

    fn outputs(&self) -> f64 {
        *self.widths.last().unwrap_or(&1.0)
    }

    fn max_width(&self) -> f64 {
        self.widths.iter().fold(0.0, |a, &b| a.max(b))
    }
}

impl Config {
    /// A rough operation count of the run, for the page's heuristics (which gallery panels
    /// get a live thumbnail): dim × n × steps for the Geometry model, n × steps otherwise,
    /// n² × steps with `overlap`, the forward passes' multiply-adds of a network, plus
    /// [`Config::setup_work`]. The budget is [`Config::cost`].
    pub fn work(&self) -> f64 {
        let n = self.skills() as f64;
        let steps = self.steps as f64;
        let w = self.width as f64;
        let run = match self.model {
            Model::Parity => self.samples as f64 * (32.0 * w + w * n) * steps,
            Model::Grokking => {
                let (p, e) = (self.modulus as f64, self.embed as f64);
                0.8 * p * p * (2.0 * e * w + w * w + w * p) * steps
            }
            Model::Modular => self.samples as f64 * (4.0 * w + w * w) * steps,
            Model::Geometry => self.dim as f64 * n * steps,
            Model::Resource if self.overlap => n * n * steps,
            Model::Quadratic => 16.0 * steps,
            _ => n * steps,
        };
        run + self.setup_work()
    }

    /// A rough operation count before the first step, for the page's heuristics (a heavy
    /// set-up waits for the slider's release): drawing the task vectors (dim × n), their QR
    /// for `vec=ortho` (≈ 2·dim·n²), the overlap matrix (dim·n²).
    pub fn setup_work(&self) -> f64 {
        let (n, dim) = (self.skills() as f64, self.dim as f64);
        match self.model {
            Model::Geometry if self.vec == VecKind::Ortho => dim * n + 2.0 * dim * n * n,
            Model::Geometry => dim * n,
            Model::Resource if self.overlap => dim * n + dim * n * n,
            Model::Grokking => (self.modulus * self.modulus) as f64 * (self.embed as f64 + 1.0),
            _ => 0.0,
        }
    }

    /// The estimated cost of the link (see the module's documentation).
    pub fn cost(&self) -> Cost {
        let time = self.time_terms();
        let memory = self.memory_terms();
        let per_run: f64 = time.iter().map(Term::total).sum::<f64>() * 1e-9;
        // `runs=K` is a sweep over K seeds whatever the model (`sweep::as_sweep`)
        let runs = self.runs.max(1) as f64;
        Cost {
            seconds: per_run * runs,
            // 5 % for what the terms leave out (vector growth, the allocator's rounding)
            bytes: 1.05 * memory.iter().map(Term::total).sum::<f64>(),
            output_bytes: self.output_bytes(),
            time,
            memory,
        }
    }

    /// The extra cost of a sweep's `fit=n0` for this grid point: every row kept (n numbers
    /// each), then one Resource run per N0 of the 601-point grid.
    pub fn fit_n0_cost(&self) -> Cost {
        let (n, steps) = (self.skills() as f64, self.steps as f64);
        let time = vec![
            t(
                "fit: Resource steps × skills",
                601.0 * steps * n,
                ns::RES_SKILL,
            ),
            t("fit: Resource steps", 601.0 * steps, ns::STEP),
        ];
        let memory = vec![t("fit: kept rows", steps + 1.0, n * F64 + ALLOC)];
        Cost {
            seconds: time.iter().map(Term::total).sum::<f64>() * 1e-9,
            bytes: memory.iter().map(Term::total).sum(),
            output_bytes: 0.0,
            time,
            memory,
        }
    }

    /// Which limits of `budget` this link breaks as a sweep's grid point with `fit=n0` (its
    /// own cost and the fit's), in words, or None. `sweep::Sweep::parse` is where a sweep
    /// asks it.
    pub fn over_with_fit_n0(&self, budget: &Budget) -> Option<String> {
        let (run, fit) = (self.cost(), self.fit_n0_cost());
        let both = Cost {
            seconds: run.seconds + fit.seconds,
            bytes: run.bytes + fit.bytes,
            output_bytes: run.output_bytes,
            time: vec![],
            memory: vec![],
        };
        both.over(budget).map(|why| format!("with fit=n0, {why}"))
    }

    /// Rows printed at `--every 1` (one per step from row 0; one per run with `runs=K`).
    fn printed_rows(&self) -> f64 {
        self.steps as f64 + 1.0
    }

    /// Numbers per printed row besides the step: the loss and one per skill.
    fn printed_cells(&self) -> f64 {
        1.0 + self.skills() as f64
    }

    /// Bytes of CSV at `--every 1`.
    fn output_bytes(&self) -> f64 {
        if self.runs > 1 {
            // one summary row per run (`run,seed,steps,loss,…,t_skills,…`)
            return self.runs as f64 * 40.0 * CSV_CELL;
        }
        // `--align` adds a count ≤ dim per skill (at most 6 digits and a comma)
        let align = if self.model == Model::Geometry {
            7.0 * self.skills() as f64
        } else {
            0.0
        };
        self.printed_rows() * (8.0 + self.printed_cells() * CSV_CELL + align)
    }

    /// The time terms of one run (ns each).
    fn time_terms(&self) -> Vec<Term> {
        let n = self.skills() as f64;
        let steps = self.steps as f64;
        let rows = self.printed_rows();
        let mut v = vec![
            t("steps", steps, ns::STEP),
            t("printed rows", rows, ns::ROW),
            t("printed numbers", rows * self.printed_cells(), ns::CELL),
        ];
        match self.model {
            Model::Geometry => self.geometry_time(&mut v, n, steps, rows),
            Model::Resource => {
                let skill = if self.loss == LossForm::Ce {
                    ns::RES_SKILL_CE
                } else {
                    ns::RES_SKILL
                };
                // a step, and a row's levels and loss
                v.push(t("skill updates and rows", (steps + rows) * n, skill));
                v.push(t("prerequisite edges", steps * self.edges(), ns::EDGE));
                if self.overlap {
                    let dim = self.dim as f64;
                    v.push(t("overlap products", steps * n * n, ns::OVERLAP_MADD));
                    v.push(t("overlap set-up draws", dim * n, ns::NORMAL));
                    v.push(t("overlap set-up products", dim * n * n, ns::GEO_MADD));
                }
            }
            Model::Domino | Model::Parallel => {
                // levels, then the loss (which computes them again)
                v.push(t("skill levels", 2.0 * rows * n, ns::DOMINO_SKILL));
            }
            Model::Quadratic => v.push(t("optimizer (4 parameters)", 4.0 * steps, ns::OPT_MOMENTS)),
            Model::Parity | Model::Grokking | Model::Modular => {
                let s = NetShape::of(self);
                let gemm = match self.dtype {
                    Dtype::F32 => ns::GEMM_F32,
                    Dtype::F64 => ns::GEMM_F64,
                };
                // forward and the backward's two products per layer; grokking's test pass
                let madds = 3.0 * s.forward_madds(s.rows) + s.forward_madds(s.test_rows);
                v.push(t("network steps", steps, ns::NET_STEP));
                v.push(t("product multiply-adds", (steps + 1.0) * madds, gemm));
                let elems = (3.0 * s.rows + s.test_rows) * s.elems();
                v.push(t("layer elements", (steps + 1.0) * elems, ns::NET_ELEM));
                let data_rows = s.rows + s.test_rows;
                v.push(t("data rows", (steps + 1.0) * data_rows, ns::NET_ROW));
                let outputs = data_rows * s.outputs();
                v.push(t(
                    "outputs (loss, softmax)",
                    (steps + 1.0) * outputs,
                    ns::NET_OUT,
                ));
                v.push(t("optimizer", steps * s.params(), self.opt_ns()));
            }
        }
        v
    }

    fn geometry_time(&self, v: &mut Vec<Term>, n: f64, steps: f64, rows: f64) {
        let dim = self.dim as f64;
        v.push(t("optimizer × dim", steps * dim, self.opt_ns()));
        let touched = if self.batch == 0 {
            n
        } else {
            let b = self.batch as f64;
            v.push(t("batch draws", steps * b, ns::DRAW));
            v.push(t("batch search", steps * b * (n + 1.0).log2(), ns::SEARCH));
            b.min(n)
        };
        // the gradient: a dot and an axpy per touched skill
        v.push(t(
            "gradient multiply-adds",
            (steps + 1.0) * touched * 2.0 * dim,
            ns::GEO_MADD,
        ));
        if self.noise > 0.0 {
            v.push(t("noise draws", (steps + 1.0) * dim, ns::NORMAL));
        }
        // a printed row: levels, loss, aligned dimensions (n dots of dim each)
        v.push(t("row multiply-adds", rows * 3.0 * n * dim, ns::GEO_MADD));
        v.push(t("task-vector draws", n * dim, ns::NORMAL));
        if self.vec == VecKind::Ortho {
            v.push(t("QR multiply-adds", 2.0 * dim * n * n, ns::QR_MADD));
        }
    }

    /// ns per parameter of this config's optimizer step.
    fn opt_ns(&self) -> f64 {
        match self.opt {
            OptKind::Sgd | OptKind::SignGd => ns::OPT_PLAIN,
            OptKind::Adam | OptKind::AdamW | OptKind::Lion => ns::OPT_MOMENTS,
            OptKind::AdEMAMix => ns::OPT_ADEMAMIX,
        }
    }

    /// Moment vectors of the optimizer (f64 each).
    fn opt_vectors(&self) -> f64 {
        match self.opt {
            OptKind::Sgd | OptKind::SignGd => 0.0,
            OptKind::Lion => 1.0,
            OptKind::Adam | OptKind::AdamW => 2.0,
            OptKind::AdEMAMix => 3.0,
        }
    }

    /// Prerequisite edges of the Resource model (a repeated edge costs like any other).
    fn edges(&self) -> f64 {
        self.and
            .iter()
            .chain(&self.or)
            .map(|(_, pre)| pre.len() as f64)
            .sum()
    }

    /// The memory terms (bytes each) of one run: what the run holds at its peak, and the
    /// rows the page keeps (the CLI streams them; `skills svg` keeps the page's).
    fn memory_terms(&self) -> Vec<Term> {
        let n = self.skills() as f64;
        let steps = self.steps as f64;
        let kept = steps.min(PAGE_ROWS) + 2.0;
        let per_frame = 3.0 * ALLOC + 16.0 + n * (2.0 * F64 + 4.0);
        let mut v = vec![
            t("kept rows", kept, per_frame),
            t("frequencies and skill state", 8.0 * n, F64),
            // the link's text, the parsed configuration, small buffers
            t("small allocations", 1.0, 1e6),
        ];
        match self.model {
            Model::Geometry => {
                let dim = self.dim as f64;
                // the matrix; for ortho also the draws, nalgebra's copy, its QR and Q (the
                // peak measured is 5.8 copies)
                let copies = if self.vec == VecKind::Ortho { 7.0 } else { 1.0 };
                v.push(t("task matrix (and its QR)", copies * n * dim, F64));
                let noise = if self.noise > 0.0 { 1.0 } else { 0.0 };
                let vectors = 3.0 + noise + self.opt_vectors();
                v.push(t("θ, gradients, optimizer state", vectors * dim, F64));
            }
            Model::Resource => {
                v.push(t("prerequisite edges", self.edges(), F64));
                if self.overlap {
                    let dim = self.dim as f64;
                    v.push(t("overlap vectors and matrix", n * dim + 2.0 * n * n, F64));
                }
            }
            Model::Parity | Model::Grokking | Model::Modular => {
                let s = NetShape::of(self);
                let elem = match self.dtype {
                    Dtype::F32 => 4.0,
                    Dtype::F64 => 8.0,
                };
                let p = s.params();
                // θ, gradient, masks, W̃ of masked layers; optimizer state in f64
                v.push(t("parameters", 4.0 * p, elem));
                v.push(t("optimizer state", self.opt_vectors() * p, F64));
                // a tape per pass: z of every layer, a and σ of the hidden ones, two δ
                // buffers, the input (and the embedding's a_0 or its tables)
                let sig = if s.silu { 2.0 } else { 1.0 };
                let per_row = s.widths[1..].iter().sum::<f64>()
                    + sig * s.hidden()
                    + 2.0 * s.max_width()
                    + s.widths[0]
                    + 3.0 * s.outputs();
                v.push(t(
                    "activations (full batch)",
                    (s.rows + s.test_rows) * per_row,
                    elem,
                ));
                v.push(t(
                    "data in f64",
                    (s.rows + s.test_rows) * s.f64_per_row,
                    F64,
                ));
                if let Some((vocab, _)) = s.embed {
                    v.push(t("embedding tables", 4.0 * vocab * 2.0 * s.widths[1], elem));
                }
            }
            Model::Domino | Model::Parallel | Model::Quadratic => {}
        }
        v
    }
}

/// Bring `c` within `budget`, if it is not, and say what was reduced: first `runs`, then the
/// steps (to the most that fit), then the sizes go back to their defaults `d` (and the steps
/// again), last the whole configuration. Returns the key reduced first and the message.
pub(super) fn fit(c: &mut Config, d: &Config, budget: &Budget) -> Option<(String, String)> {
    let why = c.cost().over(budget)?;
    let before = c.clone();
    let fits = |c: &Config| c.cost().over(budget).is_none();
    if c.runs > 1 {
        c.runs = largest(c.runs, |r| {
            let mut k = c.clone();
            k.runs = r;
            fits(&k)
        });
    }
    if !fits(c) {
        shrink_steps(c, &fits);
    }
    if !fits(c) {
        c.steps = before.steps;
        reset_sizes(c, d);
        shrink_steps(c, &fits);
    }
    if !fits(c) {
        *c = d.clone();
        c.runs = 1;
        shrink_steps(c, &fits);
    }
    let changes = changes(&before, c);
    let key = changes.first().map_or("steps", |(k, _)| k).to_string();
    let list: Vec<String> = changes.into_iter().map(|(_, s)| s).collect();
    Some((key, format!("{why}; reduced: {}", list.join(", "))))
}

/// The most steps (≤ those asked for, ≥ 1) within the budget.
fn shrink_steps(c: &mut Config, fits: &dyn Fn(&Config) -> bool) {
    c.steps = largest(c.steps, |s| {
        let mut k = c.clone();
        k.steps = s;
        fits(&k)
    });
}

/// The largest x in 1..=max with ok(x) (ok is monotone: true up to some x), or 1: how the
/// budget and the page's own budget (`lab::interactive`) shrink a size to fit.
pub fn largest(max: u32, ok: impl Fn(u32) -> bool) -> u32 {
    if ok(max) {
        return max;
    }
    let (mut lo, mut hi) = (1u32, max);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if ok(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

/// The sizes go back to the defaults: dimension, skills, batch, overlap, prerequisites,
/// network and data sizes.
fn reset_sizes(c: &mut Config, d: &Config) {
    c.dim = d.dim;
    c.n = d.n;
    c.batch = d.batch;
    c.overlap = d.overlap;
    c.and.clone_from(&d.and);
    c.or.clone_from(&d.or);
    c.width = d.width;
    c.samples = d.samples;
    c.modulus = d.modulus;
    c.embed = d.embed;
    if matches!(c.freq, FreqKind::List) && c.p.len() > d.n {
        c.freq = d.freq;
        c.p.clone_from(&d.p);
    }
    if c.vec == VecKind::Ortho && c.skills() > c.dim {
        c.vec = VecKind::Unit;
    }
}

/// The keys whose values differ, as `key a → b` (long values shortened).
fn changes(a: &Config, b: &Config) -> Vec<(&'static str, String)> {
    let short = |s: String| {
        if s.chars().count() > 24 {
            format!("{}…", s.chars().take(20).collect::<String>())
        } else if s.is_empty() {
            "none".to_string()
        } else {
            s
        }
    };
    let mut out = vec![];
    for key in [
        "runs", "steps", "dim", "n", "p", "batch", "overlap", "and", "or", "width", "samples",
        "modulus", "emb", "vec", "freq",
    ] {
        let (x, y) = (a.get(key), b.get(key));
        if x != y {
            out.push((key, format!("{key} {} → {}", short(x), short(y))));
        }
    }
    if out.is_empty() && a != b {
        out.push(("steps", "the link's keys → the defaults".to_string()));
    }
    out
}
