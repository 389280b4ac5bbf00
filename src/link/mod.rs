//! The one parameter vocabulary. A run is described by the query string of a share link
//! (`v=1&m=geometry&n=10&alpha=2…`); the page, the CLI and the presets all parse it here.
//!
//! Parse, don't validate: [`parse`] turns any string into a typed [`Config`] plus a list of
//! [`Problem`]s, one per bad key (type, range, allowed values, cross-field rules and the size
//! budget). A bad value falls back to its default; unknown keys are listed and ignored.
//! Nothing after this module unwraps user data. [`Config::to_query`] writes the link back,
//! with only the values that differ from the model's defaults.

pub mod presets;

use self::presets::Preset;
use crate::sim::domino::Schedule;
use crate::sim::freq::{normalise, Freq};
use crate::sim::geometry::{task_vectors, GeometryParams, GradForm, LossForm, VecKind};
use crate::sim::nn::{
    Dtype, Grokking, GrokkingParams, Modular, ModularParams, NetParams, ParityParams, ParityTask,
};
use crate::sim::optim::{OptConfig, OptKind};
use crate::sim::resource::{overlap_matrix, Gate, ResourceParams, Switch};
use crate::sim::{ModelSpec, SimError};
use std::fmt;

/// The link format version written as `v=1`.
pub const VERSION: u32 = 1;

/// Size budget: work per run (dimension × skills × steps for the Geometry model, skills ×
/// steps otherwise, skills² × steps with an overlap matrix, plus the set-up); the Geometry
/// estimate counts every skill, so a mini-batch run costs less: Fig. 10 at N = n = 1000 and
/// 100,000 steps (1e11) takes about a minute natively.
pub const WORK_BUDGET: f64 = 2e11;
/// Size budget of the real networks (multiply-adds of the forward passes of a run): Fig. 13
/// at full size, 1.2e12, is about 7 minutes natively.
pub const NET_WORK_BUDGET: f64 = 2e12;
/// Size budget: numbers in one task matrix (dimension × skills), 160 MB of f64.
pub const MATRIX_BUDGET: f64 = 2e7;
/// Size budget: skill values per run ((steps + 1) × skills); the page keeps at most 20,000
/// rows of a run and the CLI streams them, so this bounds the work of observing every row.
pub const ROWS_BUDGET: f64 = 2e8;
/// Longest value accepted for any key (the `p` list of 10,000 numbers fits).
pub const MAX_VALUE_LEN: usize = 200_000;

/// Which model runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    Geometry,
    Resource,
    Domino,
    Parallel,
    Quadratic,
    /// Sparse parity in an MLP (Figs. 2, 16).
    Parity,
    /// Modular addition, SignGD vs Adam (Fig. 13).
    Grokking,
    /// x ↦ x² with a modular or a plain MLP (Fig. 19).
    Modular,
}

impl Model {
    pub const ALL: [Model; 8] = [
        Model::Geometry,
        Model::Resource,
        Model::Domino,
        Model::Parallel,
        Model::Quadratic,
        Model::Parity,
        Model::Grokking,
        Model::Modular,
    ];

    /// A real network (an MLP trained in full batch) rather than a toy model.
    pub fn is_net(self) -> bool {
        matches!(self, Model::Parity | Model::Grokking | Model::Modular)
    }

    pub fn name(self) -> &'static str {
        match self {
            Model::Geometry => "geometry",
            Model::Resource => "resource",
            Model::Domino => "domino",
            Model::Parallel => "parallel",
            Model::Quadratic => "quadratic",
            Model::Parity => "parity",
            Model::Grokking => "grokking",
            Model::Modular => "modular",
        }
    }

    /// A title for people.
    pub fn title(self) -> &'static str {
        match self {
            Model::Geometry => "Geometry model",
            Model::Resource => "Resource model",
            Model::Domino => "Domino model",
            Model::Parallel => "Parallel model",
            Model::Quadratic => "Quadratic toy (Fig. 12)",
            Model::Parity => "MLP: sparse parity (Figs. 2, 16)",
            Model::Grokking => "MLP: grokking (Fig. 13)",
            Model::Modular => "MLP: modularity (Fig. 19)",
        }
    }
}

/// How frequencies are chosen (`freq=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FreqKind {
    Zipf,
    Exp,
    Two,
    List,
}

/// One problem with the input, named by its key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub key: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

/// A complete, valid configuration. Field docs give the link key, meaning and range.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// `m`: the model.
    pub model: Model,
    /// `seed`: seed of every random draw (0 ..= 2^53 − 1).
    pub seed: u64,
    /// `steps`: number of updates (1 ..= 1,000,000).
    pub steps: u32,
    /// `n`: number of skills (1 ..= 10,000; 2 for `freq=two`, the list's length for `p`).
    pub n: usize,
    /// `freq`: `zipf`, `exp`, `two` or `list`.
    pub freq: FreqKind,
    /// `alpha`: Zipf exponent α (0 ..= 10).
    pub alpha: f64,
    /// `p1`: frequency of skill 1 for `freq=two` (0.001 ..= 0.999).
    pub p1: f64,
    /// `p`: explicit frequencies, comma-separated (implies `freq=list`).
    pub p: Vec<f64>,
    /// `dim`: dimension N of the Geometry model (1 ..= 100,000).
    pub dim: usize,
    /// `batch`: batch size B, 0 = full batch (0 ..= 1,000,000).
    pub batch: usize,
    /// `opt`: optimizer.
    pub opt: OptKind,
    /// `lr`: learning rate η (0 < η ≤ 10).
    pub lr: f64,
    /// `beta1`, `beta2`: moment decays (0 ..< 1); unset = the optimizer's defaults (for m=grokking's AdamW: 0, Fig. 13's "SignGD").
    pub beta1: Option<f64>,
    pub beta2: Option<f64>,
    /// `beta3`: AdEMAMix slow decay (0 ..< 1).
    pub beta3: f64,
    /// `mix`: AdEMAMix mixing coefficient a (0 ..= 100).
    pub mix: f64,
    /// `wd`: weight decay (0 ..= 10).
    pub wd: f64,
    /// `loss`: `mse` or `ce`.
    pub loss: LossForm,
    /// `grad`: `mimic` or `autograd`.
    pub grad: GradForm,
    /// `vec`: `ortho`, `unit`, `scaled` or `basis`.
    pub vec: VecKind,
    /// `noise`: gradient noise σ (0 ..= 1000).
    pub noise: f64,
    /// `n0`: wasted resources N0 of the Resource model (0 ..= 1e6).
    pub n0: f64,
    /// `eta_eff`: Resource rate; unset = 2·lr·√dim.
    pub eta_eff: Option<f64>,
    /// `and`: AND prerequisites, 1-based: `5:1-2,7:5-6` = skill 5 needs 1 and 2, …
    pub and: Vec<(usize, Vec<usize>)>,
    /// `or`: OR prerequisites, 1-based: `6:3-4` = skill 6 needs 3 or 4.
    pub or: Vec<(usize, Vec<usize>)>,
    /// `gate_a`: gate exponent a (0 < a ≤ 1).
    pub gate_a: f64,
    /// `overlap`: 1 = Resource model with C_ij = t_i·t_j of random unit vectors in R^dim.
    pub overlap: bool,
    /// `sw`: frequency switch `k:u:p` (skill k takes frequency p once u_k ≤ u; Fig. 16).
    pub switch: Option<(usize, f64, f64)>,
    /// `t0`: Domino time per skill; unset = 1/η_eff.
    pub t0: Option<f64>,
    /// `tau`: parallel model time constant τ (s_k = 1 − e^{−t/(τk)}).
    pub tau: f64,
    /// `rot`: quadratic toy, 0 = aligned (R = I), 1 = rotated (R = H4/2).
    pub rot: bool,
    /// `thr`: threshold of "learned" (t90 uses 0.9).
    pub thr: f64,
    /// `p2`: frequency of sparse-parity task 2 (Fig. 2), 0 … 1.
    pub p2: f64,
    /// `task`: sparse-parity experiment.
    pub task: ParityTask,
    /// `samples`: data points of a real-network run (parity samples, Fig. 19 points).
    pub samples: usize,
    /// `width`: hidden width of the MLP.
    pub width: usize,
    /// `modulus`: p of the modular-addition task (Fig. 13).
    pub modulus: usize,
    /// `emb`: embedding width of the grokking network (not `embed`, the page's embed mode).
    pub embed: usize,
    /// `modular`: block-diagonal (modular) network in Fig. 19.
    pub modular: bool,
    /// `reweight`: the loss re-weighting ℓ·ℓ/mean(ℓ) of Fig. 19's notebook.
    pub reweight: bool,
    /// `runs`: number of runs (seeds seed … seed+runs−1) of Fig. 19's t1–t2 scatter.
    pub runs: u32,
    /// `dtype`: precision of a real-network run; the paper's by default (f64 for parity and
    /// grokking, f32 for modular: the Fig. 19 notebook does not set float64).
    pub dtype: Dtype,
}

impl Default for Config {
    fn default() -> Self {
        Config::defaults(Model::Geometry)
    }
}

impl Config {
    /// The defaults of a model: the notebooks' default runs (PAPER.md §3.4, §4.1, §5.1, §6.1).
    pub fn defaults(model: Model) -> Self {
        let (opt, lr) = match model {
            Model::Parity => (OptKind::Adam, 1e-3),
            Model::Grokking => (OptKind::AdamW, 1e-2),
            Model::Modular => (OptKind::Adam, 5e-4),
            _ => (OptKind::SignGd, 3e-4),
        };
        Config {
            model,
            seed: 0,
            steps: match model {
                Model::Quadratic | Model::Grokking => 10_000,
                Model::Parallel => 1100,
                _ => 1000,
            },
            n: 10,
            freq: FreqKind::Zipf,
            alpha: 2.0,
            p1: if model == Model::Modular { 0.99 } else { 0.9 },
            p: vec![],
            dim: 1000,
            batch: 0,
            opt,
            lr,
            beta1: None,
            beta2: None,
            beta3: 0.9999,
            mix: 2.0,
            wd: if model == Model::Grokking { 0.03 } else { 0.0 },
            loss: LossForm::Mse,
            grad: GradForm::Autograd,
            vec: VecKind::Ortho,
            noise: 0.0,
            n0: 0.003,
            eta_eff: None,
            and: vec![],
            or: vec![],
            gate_a: 1e-3,
            overlap: false,
            switch: None,
            t0: None,
            tau: 30.0,
            rot: true,
            thr: match model {
                Model::Parity | Model::Grokking => 0.99,
                // Fig. 19's levels reach exactly 1 when the task's MSE is below 1e−3
                Model::Modular => 0.9999,
                _ => 0.9,
            },
            p2: 0.1,
            task: ParityTask::Frequency,
            samples: if model == Model::Modular {
                1000
            } else {
                10_000
            },
            width: match model {
                Model::Parity => 50,
                _ => 100,
            },
            modulus: 59,
            embed: 128,
            modular: false,
            reweight: false,
            runs: 1,
            dtype: if model == Model::Modular {
                Dtype::F32
            } else {
                Dtype::F64
            },
        }
    }

    /// The frequencies as the link gives them (not normalised for `list`).
    pub fn freqs(&self) -> Vec<f64> {
        match self.freq {
            FreqKind::Zipf => Freq::Zipf { alpha: self.alpha }.probs(self.n),
            FreqKind::Exp => Freq::Exp.probs(self.n),
            FreqKind::Two => Freq::Two { p1: self.p1 }.probs(2),
            FreqKind::List => self.p.clone(),
        }
    }

    /// Number of skills of the run.
    pub fn skills(&self) -> usize {
        match self.model {
            Model::Quadratic => 4,
            Model::Parity => self.task.bits().len(),
            Model::Grokking | Model::Modular => 2,
            _ => self.freqs().len(),
        }
    }

    /// The frequency of each skill as the model sees it (task supervision rates for the real
    /// networks; empty where skills have none: the quadratic toy, grokking's train/test).
    pub fn skill_freqs(&self) -> Vec<f64> {
        match self.model {
            Model::Quadratic | Model::Grokking => vec![],
            Model::Parity => self.parity_params().frequencies(),
            Model::Modular => vec![self.p1, 1.0 - self.p1],
            _ => self.freqs(),
        }
    }

    /// The name of each skill where skills are named tasks (the real networks: "x1⊕x2",
    /// "train", "x1²", …); empty for the toy models, whose skills are s1, s2, ….
    pub fn skill_names(&self) -> Vec<String> {
        match self.model {
            Model::Parity => self.task.names(),
            Model::Grokking => Grokking::TASKS.map(String::from).to_vec(),
            Model::Modular => Modular::TASKS.map(String::from).to_vec(),
            _ => vec![],
        }
    }

    fn parity_params(&self) -> ParityParams {
        let base = match self.task {
            ParityTask::Frequency => ParityParams::frequency(self.p2),
            ParityTask::Compositional => ParityParams::compositional(),
            ParityTask::Independent => ParityParams::independent(),
        };
        ParityParams {
            samples: self.samples,
            width: self.width,
            opt: self.opt_config(),
            dtype: self.dtype,
            seed: self.seed,
            ..base
        }
    }

    /// η_eff: given, or 2·lr·√dim.
    pub fn eta_eff(&self) -> f64 {
        self.eta_eff
            .unwrap_or(2.0 * self.lr * (self.dim as f64).sqrt())
    }

    /// The optimizer with this config's hyper-parameters.
    pub fn opt_config(&self) -> OptConfig {
        let mut o = OptConfig::new(self.opt, self.lr);
        if self.model == Model::Grokking && self.opt == OptKind::AdamW {
            // grokking's default is Fig. 13's "SignGD" column: AdamW with β = (0, 0); another
            // optimizer keeps its own defaults (`m=grokking&opt=adam` is Adam (0.9, 0.999))
            (o.beta1, o.beta2) = (0.0, 0.0);
        }
        if self.opt != OptKind::SignGd {
            if let Some(b) = self.beta1 {
                o.beta1 = b;
            }
            if let Some(b) = self.beta2 {
                o.beta2 = b;
            }
        }
        o.beta3 = self.beta3;
        o.mix = self.mix;
        o.wd = self.wd;
        o
    }

    /// Estimated work of the run (see [`WORK_BUDGET`]).
    pub fn work(&self) -> f64 {
        let n = self.skills() as f64;
        let steps = self.steps as f64;
        let w = self.width as f64;
        let run = match self.model {
            // real networks: multiply-adds of one forward pass over the data, per step
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

    /// Estimated work before the first step: drawing the task vectors (dim × n), their QR
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

    /// The simulation this config describes.
    pub fn spec(&self) -> Result<ModelSpec, SimError> {
        let n = self.skills();
        Ok(match self.model {
            Model::Geometry => ModelSpec::Geometry(GeometryParams {
                dim: self.dim,
                p: normalise(self.freqs()),
                loss: self.loss,
                grad: self.grad,
                vectors: self.vec,
                batch: self.batch,
                noise: self.noise,
                opt: self.opt_config(),
                seed: self.seed,
            }),
            Model::Resource => {
                let overlap = if self.overlap {
                    let t = task_vectors(VecKind::Unit, n, self.dim, self.seed)?;
                    Some(overlap_matrix(&t, n, self.dim))
                } else {
                    None
                };
                let mut gates: Vec<Option<Gate>> = vec![None; n];
                for (k, pre) in &self.and {
                    gates[k - 1] = Some(Gate::And(pre.iter().map(|x| x - 1).collect()));
                }
                for (k, pre) in &self.or {
                    gates[k - 1] = Some(Gate::Or(pre.iter().map(|x| x - 1).collect()));
                }
                ModelSpec::Resource(ResourceParams {
                    p: self.freqs(),
                    form: self.loss,
                    eta_eff: self.eta_eff(),
                    n0: self.n0,
                    overlap,
                    gates,
                    gate_a: self.gate_a,
                    switch: self.switch.map(|(k, at, p_new)| Switch {
                        skill: k - 1,
                        at,
                        p_new,
                    }),
                })
            }
            Model::Domino => ModelSpec::Domino {
                schedule: Schedule::Domino {
                    t0: self.t0.unwrap_or(1.0 / self.eta_eff()),
                },
                p: normalise(self.freqs()),
            },
            Model::Parallel => ModelSpec::Domino {
                schedule: Schedule::Parallel { tau: self.tau },
                p: normalise(self.freqs()),
            },
            Model::Parity => ModelSpec::Net(NetParams::Parity(self.parity_params())),
            Model::Grokking => ModelSpec::Net(NetParams::Grokking(GrokkingParams {
                modulus: self.modulus,
                embed_dim: self.embed,
                hidden: vec![self.width, self.width],
                opt: self.opt_config(),
                dtype: self.dtype,
                seed: self.seed,
                ..GrokkingParams::signgd()
            })),
            Model::Modular => ModelSpec::Net(NetParams::Modular(ModularParams {
                points: self.samples,
                p1: self.p1,
                width: self.width,
                modular: self.modular,
                reweight: self.reweight,
                opt: self.opt_config(),
                dtype: self.dtype,
                seed: self.seed,
                ..ModularParams::default()
            })),
            Model::Quadratic => ModelSpec::Quadratic {
                rotated: self.rot,
                opt: self.opt_config(),
            },
        })
    }

    /// The current value of one key as link text ("" for an unset optional key).
    pub fn get(&self, key: &str) -> String {
        match key {
            "v" => VERSION.to_string(),
            "m" => self.model.name().to_string(),
            "preset" => String::new(),
            _ => WRITERS
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, get)| get(self))
                .unwrap_or_default(),
        }
    }

    /// This configuration with one key set as a link would set it (a control of the page):
    /// validated, cross-checked and within budget. On a problem the old value stays and the
    /// problem is returned.
    pub fn with(&self, key: &str, value: &str) -> (Config, Vec<Problem>) {
        if matches!(key, "m" | "preset" | "v") {
            // these pick defaults: read as a link with the other keys kept
            let prefix = format!("{key}=");
            let mut parts: Vec<String> = self
                .to_query()
                .split('&')
                .filter(|p| !p.starts_with(&prefix))
                .map(str::to_string)
                .collect();
            parts.push(format!("{key}={}", encode(value)));
            let parsed = parse(&parts.join("&"));
            return (parsed.config, parsed.problems);
        }
        let mut c = self.clone();
        if let Err(msg) = set(&mut c, key, value) {
            return (self.clone(), vec![problem(key, msg)]);
        }
        if key == "freq" && c.freq == FreqKind::List && c.p.is_empty() {
            return (
                self.clone(),
                vec![problem("freq", "freq=list needs a list p=…".into())],
            );
        }
        if key == "p" && !c.p.is_empty() {
            c.freq = FreqKind::List;
        }
        // the cross-field rules and the budget, exactly as a link is read
        let reparsed = parse(&c.to_query());
        if reparsed.problems.is_empty() {
            (reparsed.config, vec![])
        } else {
            (self.clone(), reparsed.problems)
        }
    }

    /// The link's query string relative to a preset: `v=1&preset=…` and every value that
    /// differs from what the preset sets for this configuration. `None`: [`Config::to_query`].
    pub fn link(&self, preset: Option<&Preset>) -> String {
        let Some(p) = preset else {
            return self.to_query();
        };
        let value = |k: &str| {
            WRITERS
                .iter()
                .find(|(wk, _)| *wk == k)
                .map(|(_, get)| get(self))
                .or_else(|| (k == "m").then(|| self.model.name().to_string()))
        };
        let base = p.defaults(value);
        let base_model = base
            .iter()
            .find(|(k, _)| k == "m")
            .and_then(|(_, v)| Model::ALL.into_iter().find(|m| m.name() == v.as_str()))
            .unwrap_or(Model::Geometry);
        let mut d = Config::defaults(self.model);
        for (k, v) in base.iter().filter(|(k, _)| k != "m") {
            let _ = set(&mut d, k, v);
        }
        let mut out = vec![format!("v={VERSION}"), format!("preset={}", p.id)];
        for (key, get) in WRITERS {
            let v = get(self);
            let differs = if *key == "m" {
                self.model != base_model
            } else {
                v != get(&d)
            };
            if differs {
                out.push(format!("{key}={}", encode(&v)));
            }
        }
        out.join("&")
    }

    /// The link's query string (without `?`): `v=1` and every value that differs from the
    /// model's defaults, in a fixed key order.
    pub fn to_query(&self) -> String {
        let d = Config::defaults(self.model);
        let mut out = vec![format!("v={VERSION}")];
        for (key, get) in WRITERS {
            let v = get(self);
            if v != get(&d) || *key == "m" && self.model != Model::Geometry {
                out.push(format!("{key}={}", encode(&v)));
            }
        }
        out.join("&")
    }
}

type Writer = (&'static str, fn(&Config) -> String);

/// The order and form in which keys are written back.
const WRITERS: &[Writer] = &[
    ("m", |c| c.model.name().into()),
    ("seed", |c| c.seed.to_string()),
    ("steps", |c| c.steps.to_string()),
    ("n", |c| c.n.to_string()),
    // `p=` implies freq=list, so list is never written (it reads as the default zipf here)
    ("freq", |c| {
        freq_name(if c.freq == FreqKind::List {
            FreqKind::Zipf
        } else {
            c.freq
        })
        .into()
    }),
    ("alpha", |c| num(c.alpha)),
    ("p1", |c| num(c.p1)),
    ("p", |c| {
        c.p.iter().map(|x| num(*x)).collect::<Vec<_>>().join(",")
    }),
    ("dim", |c| c.dim.to_string()),
    ("batch", |c| c.batch.to_string()),
    ("opt", |c| c.opt.name().into()),
    ("lr", |c| num(c.lr)),
    ("beta1", |c| c.beta1.map(num).unwrap_or_default()),
    ("beta2", |c| c.beta2.map(num).unwrap_or_default()),
    ("beta3", |c| num(c.beta3)),
    ("mix", |c| num(c.mix)),
    ("wd", |c| num(c.wd)),
    ("loss", |c| loss_name(c.loss).into()),
    ("grad", |c| grad_name(c.grad).into()),
    ("vec", |c| vec_name(c.vec).into()),
    ("noise", |c| num(c.noise)),
    ("n0", |c| num(c.n0)),
    ("eta_eff", |c| c.eta_eff.map(num).unwrap_or_default()),
    ("and", |c| prereq_string(&c.and)),
    ("or", |c| prereq_string(&c.or)),
    ("gate_a", |c| num(c.gate_a)),
    ("overlap", |c| (c.overlap as u8).to_string()),
    ("sw", |c| {
        c.switch
            .map(|(k, u, p)| format!("{k}:{}:{}", num(u), num(p)))
            .unwrap_or_default()
    }),
    ("t0", |c| c.t0.map(num).unwrap_or_default()),
    ("tau", |c| num(c.tau)),
    ("rot", |c| (c.rot as u8).to_string()),
    ("thr", |c| num(c.thr)),
    ("p2", |c| num(c.p2)),
    ("task", |c| task_name(c.task).into()),
    ("samples", |c| c.samples.to_string()),
    ("width", |c| c.width.to_string()),
    ("modulus", |c| c.modulus.to_string()),
    ("emb", |c| c.embed.to_string()),
    ("modular", |c| (c.modular as u8).to_string()),
    ("reweight", |c| (c.reweight as u8).to_string()),
    ("runs", |c| c.runs.to_string()),
    ("dtype", |c| c.dtype.name().into()),
];

fn task_name(t: ParityTask) -> &'static str {
    match t {
        ParityTask::Frequency => "frequency",
        ParityTask::Compositional => "compositional",
        ParityTask::Independent => "independent",
    }
}

/// The type and range of a key's value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// A whole number in min ..= max.
    Int { min: u64, max: u64 },
    /// A finite number in [min, max] (`open`: min itself excluded); `log` hints a log slider.
    Float {
        min: f64,
        max: f64,
        open: bool,
        log: bool,
    },
    /// One of these words.
    Choice(&'static [&'static str]),
    /// 0 or 1.
    Flag,
    /// Structured text (lists, prerequisites, switches).
    Text,
}

/// Where a key belongs in the page's panels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    Run,
    Frequencies,
    Geometry,
    Optimizer,
    Resource,
    Domino,
    Quadratic,
    Network,
}

impl Group {
    pub fn title(self) -> &'static str {
        match self {
            Group::Run => "Run",
            Group::Frequencies => "Skill frequencies",
            Group::Geometry => "Geometry model",
            Group::Optimizer => "Optimizer",
            Group::Resource => "Resource model",
            Group::Domino => "Domino and parallel models",
            Group::Quadratic => "Quadratic toy",
            Group::Network => "Network and data",
        }
    }
}

/// One key of the vocabulary: the single schema that validation, the CLI's `keys`, the docs
/// and the page's controls all read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KeySpec {
    pub key: &'static str,
    /// The paper's symbol ("η", "N0"), or "" when there is none.
    pub symbol: &'static str,
    /// A short label for a control.
    pub label: &'static str,
    /// One line: meaning and range.
    pub help: &'static str,
    pub kind: Kind,
    pub group: Group,
    /// The models the key affects.
    pub models: &'static [Model],
}

impl KeySpec {
    pub fn applies_to(&self, m: Model) -> bool {
        self.models.contains(&m)
    }
}

const ALL: &[Model] = &Model::ALL;
const TOYS: &[Model] = &[
    Model::Geometry,
    Model::Resource,
    Model::Domino,
    Model::Parallel,
];
const GEO: &[Model] = &[Model::Geometry];
const GEO_RES: &[Model] = &[Model::Geometry, Model::Resource];
const NETS: &[Model] = &[Model::Parity, Model::Grokking, Model::Modular];
const OPTS: &[Model] = &[
    Model::Geometry,
    Model::Quadratic,
    Model::Parity,
    Model::Grokking,
    Model::Modular,
];
const ETA: &[Model] = &[
    Model::Geometry,
    Model::Quadratic,
    Model::Resource,
    Model::Domino,
    Model::Parity,
    Model::Grokking,
    Model::Modular,
];
const TWO: &[Model] = &[
    Model::Geometry,
    Model::Resource,
    Model::Domino,
    Model::Parallel,
    Model::Modular,
];
const NETS_DATA: &[Model] = &[Model::Parity, Model::Modular];
const RES: &[Model] = &[Model::Resource];
const RES_DOM: &[Model] = &[Model::Resource, Model::Domino];
const GEO_RES_DOM: &[Model] = &[Model::Geometry, Model::Resource, Model::Domino];

const fn f(min: f64, max: f64) -> Kind {
    Kind::Float {
        min,
        max,
        open: false,
        log: false,
    }
}
const fn pos(max: f64, log: bool) -> Kind {
    Kind::Float {
        min: 0.0,
        max,
        open: true,
        log,
    }
}

macro_rules! key {
    ($key:literal, $sym:literal, $label:literal, $kind:expr, $group:ident, $models:expr, $help:literal) => {
        KeySpec {
            key: $key,
            symbol: $sym,
            label: $label,
            help: $help,
            kind: $kind,
            group: Group::$group,
            models: $models,
        }
    };
}

/// Every key of the link vocabulary.
pub const SCHEMA: &[KeySpec] = &[
    key!(
        "v",
        "",
        "Link version",
        Kind::Int { min: 1, max: 1 },
        Run,
        ALL,
        "link format version (1)"
    ),
    key!(
        "preset",
        "",
        "Preset",
        Kind::Text,
        Run,
        ALL,
        "a figure of the paper (fig4, fig5, …; `skills presets`): its keys become the defaults"
    ),
    key!(
        "m",
        "",
        "Model",
        Kind::Choice(&["geometry", "resource", "domino", "parallel", "quadratic"]),
        Run,
        ALL,
        "model: geometry, resource, domino, parallel, quadratic"
    ),
    key!(
        "seed",
        "",
        "Seed",
        Kind::Int {
            min: 0,
            max: (1 << 53) - 1
        },
        Run,
        ALL,
        "seed of every random draw, 0 … 2^53−1"
    ),
    key!(
        "steps",
        "T",
        "Steps",
        Kind::Int {
            min: 1,
            max: 1_000_000
        },
        Run,
        ALL,
        "number of updates, 1 … 1,000,000"
    ),
    key!(
        "thr",
        "",
        "Learned at s >",
        Kind::Float {
            min: 0.0,
            max: 1.0,
            open: true,
            log: false
        },
        Run,
        ALL,
        "threshold of a learned skill (t90: 0.9), strictly between 0 and 1"
    ),
    key!(
        "n",
        "n",
        "Skills",
        Kind::Int {
            min: 1,
            max: 10_000
        },
        Frequencies,
        TOYS,
        "number of skills, 1 … 10,000"
    ),
    key!(
        "freq",
        "p_i",
        "Frequencies",
        Kind::Choice(&["zipf", "exp", "two", "list"]),
        Frequencies,
        TOYS,
        "frequencies: zipf (p_i ∝ i^−α), exp (∝ 3^−i), two (p1, 1−p1), list (p)"
    ),
    key!(
        "alpha",
        "α",
        "Zipf exponent",
        f(0.0, 10.0),
        Frequencies,
        TOYS,
        "Zipf exponent α, 0 … 10"
    ),
    key!(
        "p1",
        "p1",
        "Skill 1's frequency",
        f(0.001, 0.999),
        Frequencies,
        TWO,
        "frequency of skill 1 for freq=two (Fig. 19: share of task-1 points), 0.001 … 0.999"
    ),
    key!(
        "p",
        "p",
        "Frequency list",
        Kind::Text,
        Frequencies,
        TOYS,
        "explicit frequencies, comma-separated, each in (0, 1e6] (implies freq=list)"
    ),
    key!(
        "dim",
        "N",
        "Dimension",
        Kind::Int {
            min: 1,
            max: 100_000
        },
        Geometry,
        GEO_RES_DOM,
        "dimension N of θ (Geometry; sets η_eff = 2η√N), 1 … 100,000"
    ),
    key!(
        "batch",
        "B",
        "Batch size",
        Kind::Int {
            min: 0,
            max: 1_000_000
        },
        Geometry,
        GEO,
        "batch size B, 0 = full batch (expected gradient), 0 … 1,000,000"
    ),
    key!(
        "loss",
        "ℓ",
        "Skill form",
        Kind::Choice(&["mse", "ce"]),
        Geometry,
        GEO_RES,
        "skill form: mse (s = t·θ) or ce (s = σ(t·θ))"
    ),
    key!(
        "grad",
        "g",
        "Gradient",
        Kind::Choice(&["mimic", "autograd"]),
        Geometry,
        GEO,
        "gradient: mimic (−(1/B)Σ(1−s)t) or autograd (2× for MSE)"
    ),
    key!(
        "vec",
        "t_i",
        "Task vectors",
        Kind::Choice(&["ortho", "unit", "scaled", "basis"]),
        Geometry,
        GEO,
        "task vectors: ortho, unit, scaled (g/√N), basis (e_i)"
    ),
    key!(
        "noise",
        "σ",
        "Gradient noise",
        f(0.0, 1000.0),
        Geometry,
        GEO,
        "gradient noise σ, 0 … 1000"
    ),
    key!(
        "opt",
        "",
        "Optimizer",
        Kind::Choice(&["sgd", "signgd", "adam", "adamw", "lion", "ademamix"]),
        Optimizer,
        OPTS,
        "optimizer: sgd, signgd, adam, adamw, lion, ademamix"
    ),
    key!(
        "lr",
        "η",
        "Learning rate",
        pos(10.0, true),
        Optimizer,
        ETA,
        "learning rate η, (0, 10] (sets η_eff = 2η√N)"
    ),
    key!(
        "beta1",
        "β1",
        "β1",
        f(0.0, 0.999_999),
        Optimizer,
        OPTS,
        "first-moment decay β1, [0, 1) (default per optimizer; m=grokking with its default AdamW: 0)"
    ),
    key!(
        "beta2",
        "β2",
        "β2",
        f(0.0, 0.999_999),
        Optimizer,
        OPTS,
        "second-moment decay β2, [0, 1) (default per optimizer; m=grokking with its default AdamW: 0)"
    ),
    key!(
        "beta3",
        "β3",
        "β3 (AdEMAMix)",
        f(0.0, 0.999_999),
        Optimizer,
        OPTS,
        "AdEMAMix slow decay β3, [0, 1)"
    ),
    key!(
        "mix",
        "a",
        "Mix (AdEMAMix)",
        f(0.0, 100.0),
        Optimizer,
        OPTS,
        "AdEMAMix mixing coefficient a, 0 … 100"
    ),
    key!(
        "wd",
        "λ",
        "Weight decay",
        f(0.0, 10.0),
        Optimizer,
        OPTS,
        "weight decay, 0 … 10"
    ),
    key!(
        "n0",
        "N0",
        "Wasted resources",
        Kind::Float {
            min: 0.0,
            max: 1e6,
            open: false,
            log: true
        },
        Resource,
        RES,
        "wasted resources N0 (Resource), 0 … 1e6"
    ),
    key!(
        "eta_eff",
        "η_eff",
        "Resource rate",
        pos(100.0, true),
        Resource,
        RES_DOM,
        "resource rate η_eff (default 2·lr·√dim), (0, 100]"
    ),
    key!(
        "and",
        "",
        "AND prerequisites",
        Kind::Text,
        Resource,
        RES,
        "AND prerequisites, e.g. 5:1-2,7:5-6 (skill 5 needs 1 and 2)"
    ),
    key!(
        "or",
        "",
        "OR prerequisites",
        Kind::Text,
        Resource,
        RES,
        "OR prerequisites, e.g. 6:3-4 (skill 6 needs 3 or 4)"
    ),
    key!(
        "gate_a",
        "a",
        "Gate exponent",
        pos(1.0, true),
        Resource,
        RES,
        "gate exponent a in 1 − u^a, (0, 1]"
    ),
    key!(
        "overlap",
        "C",
        "Overlap matrix",
        Kind::Flag,
        Resource,
        RES,
        "1: Resource model with overlap C_ij = t_i·t_j of random unit vectors"
    ),
    key!(
        "sw",
        "",
        "Frequency switch",
        Kind::Text,
        Resource,
        RES,
        "frequency switch k:u:p (skill k takes frequency p once u_k ≤ u; 0 = none)"
    ),
    key!(
        "t0",
        "t0",
        "Time per skill",
        pos(1e9, true),
        Domino,
        &[Model::Domino],
        "Domino time per skill (default 1/η_eff), (0, 1e9]"
    ),
    key!(
        "tau",
        "τ",
        "Time constant",
        pos(1e9, true),
        Domino,
        &[Model::Parallel],
        "parallel model time constant τ: s_k = 1 − e^(−t/(τk)), (0, 1e9]"
    ),
    key!(
        "rot",
        "R",
        "Rotated",
        Kind::Flag,
        Quadratic,
        &[Model::Quadratic],
        "quadratic toy: 0 aligned (R = I), 1 rotated (R = H4/2)"
    ),
    key!("task", "", "Parity task", Kind::Choice(&["frequency", "compositional", "independent"]), Network, &[Model::Parity], "sparse parity: frequency (x1⊕x2, x3⊕x4 at p2), compositional (+ x1⊕x2⊕x3⊕x4), independent (+ x5⊕x6⊕x7⊕x8)"),
    key!("p2", "p2", "Task 2 frequency", f(0.0, 1.0), Network, &[Model::Parity], "frequency of parity task 2 (task=frequency), 0 … 1"),
    key!("samples", "", "Data points", Kind::Int { min: 10, max: 100_000 }, Network, NETS_DATA, "data points (parity samples, Fig. 19 points), 10 … 100,000"),
    key!("width", "", "Hidden width", Kind::Int { min: 2, max: 1000 }, Network, NETS, "hidden width of the MLP, 2 … 1000"),
    key!("modulus", "p", "Modulus", Kind::Int { min: 2, max: 1000 }, Network, &[Model::Grokking], "modular addition mod p, 2 … 1000"),
    key!("emb", "", "Embedding width", Kind::Int { min: 1, max: 512 }, Network, &[Model::Grokking], "width of each token embedding, 1 … 512"),
    key!("modular", "", "Modular network", Kind::Flag, Network, &[Model::Modular], "1: block-diagonal network, one private sub-network per task"),
    key!("reweight", "", "Loss re-weighting", Kind::Flag, Network, &[Model::Modular], "1: train on mean(ℓ·ℓ/mean ℓ), each sample weighted by its own loss"),
    key!("runs", "", "Runs", Kind::Int { min: 1, max: 1000 }, Network, &[Model::Modular], "runs of the t1–t2 scatter (seeds seed … seed+runs−1), 1 … 1000"),
    key!("dtype", "", "Precision", Kind::Choice(&["f32", "f64"]), Network, NETS, "float precision of the network: f32 or f64 (default: the paper's, f64 for parity and grokking, f32 for modular)"),
];

/// The schema entry of a key.
pub fn spec_of(key: &str) -> Option<&'static KeySpec> {
    SCHEMA.iter().find(|k| k.key == key)
}

/// The result of reading a link.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    /// Always valid and within budget.
    pub config: Config,
    /// One entry per problem; each bad value fell back to its default.
    pub problems: Vec<Problem>,
    /// Keys that are not in the vocabulary (ignored).
    pub unknown: Vec<String>,
    /// The preset the link named, if any (its keys were the defaults).
    pub preset: Option<&'static Preset>,
}

/// Read a query string (with or without the leading `?`, or a whole URL).
pub fn parse(query: &str) -> Parsed {
    let q = match query.find('?') {
        Some(i) => &query[i + 1..],
        None => query,
    };
    let q = q.split('#').next().unwrap_or("");
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut problems = Vec::new();
    let mut unknown = Vec::new();
    for part in q.split('&').filter(|s| !s.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        let k = decode(k);
        if k.len() > 32 {
            unknown.push(format!("{}…", k.chars().take(32).collect::<String>()));
            continue;
        }
        if spec_of(&k).is_none() {
            if k != "embed" && k != "ui" && k != "autoplay" && k != "theme" {
                unknown.push(k);
            }
            continue;
        }
        if v.len() > MAX_VALUE_LEN {
            problems.push(problem(
                &k,
                format!(
                    "value is {} characters long (at most {MAX_VALUE_LEN})",
                    v.len()
                ),
            ));
            continue;
        }
        let v = decode(v);
        if let Some(i) = pairs.iter().position(|(pk, _)| *pk == k) {
            problems.push(problem(
                &k,
                "given more than once; the last value is used".into(),
            ));
            pairs.remove(i);
        }
        pairs.push((k, v));
    }
    // A preset supplies defaults (its base, then the variants whose conditions the link's
    // own values meet); the link's keys override them.
    let mut preset = None;
    if let Some(i) = pairs.iter().position(|(k, _)| k == "preset") {
        let (_, id) = pairs.remove(i);
        match presets::find(&id) {
            Some(p) => preset = Some(p),
            None => problems.push(problem(
                "preset",
                format!(
                    "unknown preset {:?}; the link's own keys are used",
                    short(&id)
                ),
            )),
        }
    }
    let base: Vec<(String, String)> = match preset {
        Some(p) => p.defaults(|k| pairs.iter().find(|(pk, _)| pk == k).map(|(_, v)| v.clone())),
        None => vec![],
    };
    // The model comes first: it picks the defaults of everything else.
    let model_of = |v: &str| Model::ALL.into_iter().find(|m| m.name() == v);
    let mut model = base
        .iter()
        .find(|(k, _)| k == "m")
        .and_then(|(_, v)| model_of(v))
        .unwrap_or(Model::Geometry);
    if let Some((_, v)) = pairs.iter().find(|(k, _)| k == "m") {
        match model_of(v) {
            Some(m) => model = m,
            None => problems.push(problem(
                "m",
                format!("unknown model {:?}; expected geometry, resource, domino, parallel or quadratic", short(v)),
            )),
        }
    }
    let mut c = Config::defaults(model);
    for (k, v) in base.iter().filter(|(k, _)| k != "m") {
        if let Err(msg) = set(&mut c, k, v) {
            problems.push(problem(
                k,
                format!("the preset's value is invalid ({msg}); please report this"),
            ));
        }
    }
    // A bad value leaves the default in place: `set` changes nothing when it fails.
    let defaults = c.clone();
    let mut n_given = base.iter().any(|(k, _)| k == "n");
    for (k, v) in &pairs {
        if k == "m" {
            continue;
        }
        if k == "n" {
            n_given = true;
        }
        if let Err(msg) = set(&mut c, k, v) {
            problems.push(problem(k, format!("{msg}; using the default")));
        }
    }
    let all: Vec<(String, String)> = base.into_iter().chain(pairs).collect();
    cross_check(&mut c, &defaults, &all, n_given, &mut problems);
    Parsed {
        config: c,
        problems,
        unknown,
        preset,
    }
}

fn problem(key: &str, message: String) -> Problem {
    Problem {
        key: key.to_string(),
        message,
    }
}

fn short(v: &str) -> String {
    if v.chars().count() > 40 {
        format!("{}…", v.chars().take(40).collect::<String>())
    } else {
        v.to_string()
    }
}

/// Rules between keys, and the size budget. Each repair is reported.
fn cross_check(
    c: &mut Config,
    d: &Config,
    pairs: &[(String, String)],
    n_given: bool,
    problems: &mut Vec<Problem>,
) {
    let given = |k: &str| pairs.iter().any(|(pk, _)| pk == k);
    // `p` implies freq=list; freq=list needs p.
    if !c.p.is_empty() && !given("freq") {
        c.freq = FreqKind::List;
    }
    if c.freq == FreqKind::List && c.p.is_empty() {
        problems.push(problem(
            "freq",
            "freq=list needs a list p=…; using zipf".into(),
        ));
        c.freq = FreqKind::Zipf;
    }
    if c.freq != FreqKind::List && !c.p.is_empty() {
        problems.push(problem(
            "p",
            format!("ignored with freq={}", freq_name(c.freq)),
        ));
        c.p.clear();
    }
    let n_eff = c.freqs().len();
    if n_given && matches!(c.freq, FreqKind::Two | FreqKind::List) && c.n != n_eff {
        problems.push(problem(
            "n",
            format!(
                "is {n_eff} here (the number of frequencies given); n={} ignored",
                c.n
            ),
        ));
    }
    if matches!(c.freq, FreqKind::Two | FreqKind::List) {
        c.n = d.n;
    }
    let n = c.skills();
    // Prerequisites must name skills 1..n, and not the skill itself.
    for (key, list) in [("and", &mut c.and), ("or", &mut c.or)] {
        let bad = list
            .iter()
            .any(|(k, pre)| *k > n || pre.iter().any(|x| *x > n || x == k));
        if bad {
            problems.push(problem(
                key,
                format!("names a skill outside 1…{n} or a skill as its own prerequisite; ignored"),
            ));
            list.clear();
        }
    }
    let targets: Vec<usize> = c.and.iter().chain(c.or.iter()).map(|(k, _)| *k).collect();
    if (1..targets.len()).any(|i| targets[..i].contains(&targets[i])) {
        problems.push(problem(
            "and",
            "a skill has more than one prerequisite list; ignoring and/or".into(),
        ));
        c.and.clear();
        c.or.clear();
    }
    if let Some((k, _, _)) = c.switch {
        if k > n {
            problems.push(problem(
                "sw",
                format!("names skill {k}, outside 1…{n}; ignored"),
            ));
            c.switch = None;
        }
    }
    if c.model == Model::Geometry && c.vec == VecKind::Ortho && n > c.dim {
        problems.push(problem(
            "vec",
            format!(
                "vec=ortho needs n ≤ dim (n = {n}, dim = {}); using vec=unit",
                c.dim
            ),
        ));
        c.vec = VecKind::Unit;
    }
    // The size budget: shrink what was asked for, step by step, and say so.
    if let Some(what) = over_budget(c) {
        problems.push(problem("steps", format!("{what}; using default sizes")));
        c.steps = d.steps;
        if !within_budget(c) {
            c.dim = d.dim;
            c.n = d.n;
            c.batch = d.batch;
            c.overlap = false;
            if matches!(c.freq, FreqKind::List) && c.p.len() > d.n {
                c.freq = d.freq;
                c.p.clear();
            }
            if c.vec == VecKind::Ortho && c.skills() > c.dim {
                c.vec = VecKind::Unit;
            }
        }
    }
}

fn within_budget(c: &Config) -> bool {
    over_budget(c).is_none()
}

/// Which size limit the config breaks, in words, or None.
fn over_budget(c: &Config) -> Option<String> {
    let n = c.skills() as f64;
    let geometric = matches!(c.model, Model::Geometry) || c.overlap;
    let matrix = if geometric { c.dim as f64 * n } else { 0.0 };
    let budget = if c.model.is_net() {
        NET_WORK_BUDGET
    } else {
        WORK_BUDGET
    };
    let rows = (c.steps as f64 + 1.0) * n;
    if c.work() > budget {
        let what = match c.model {
            Model::Geometry => {
                format!("dim × n × steps = {} × {} × {}", c.dim, c.skills(), c.steps)
            }
            m if m.is_net() => "the network's work (data × weights × steps)".to_string(),
            _ => format!("n × steps = {} × {}", c.skills(), c.steps),
        };
        Some(format!(
            "{what} ≈ {:.2e} exceeds the budget {budget:.0e}",
            c.work()
        ))
    } else if matrix > MATRIX_BUDGET {
        Some(format!(
            "dim × n = {matrix:.2e} numbers in the task matrix exceed {MATRIX_BUDGET:.0e}"
        ))
    } else if rows > ROWS_BUDGET {
        Some(format!(
            "(steps + 1) × n = {rows:.2e} recorded values exceed {ROWS_BUDGET:.0e}"
        ))
    } else if c.batch as f64 * c.steps as f64 > WORK_BUDGET {
        Some(format!(
            "batch × steps = {:.2e} draws exceed {WORK_BUDGET:.0e}",
            c.batch as f64 * c.steps as f64
        ))
    } else {
        None
    }
}

/// Set one key from its text. Errors are messages without the key name.
fn set(c: &mut Config, key: &str, v: &str) -> Result<(), String> {
    // An empty value unsets an optional key (a preset's link can clear what the preset sets).
    if v.is_empty() {
        match key {
            "p" => c.p.clear(),
            "eta_eff" => c.eta_eff = None,
            "t0" => c.t0 = None,
            "beta1" => c.beta1 = None,
            "beta2" => c.beta2 = None,
            "and" => c.and.clear(),
            "or" => c.or.clear(),
            "sw" => c.switch = None,
            _ => return Err("no value given".into()),
        }
        return Ok(());
    }
    match key {
        "v" => {
            let ver: u32 = v
                .parse()
                .map_err(|_| format!("{:?} is not a version number", short(v)))?;
            if ver != VERSION {
                return Err(format!(
                    "link version {ver} is not known (this page reads v=1)"
                ));
            }
        }
        "seed" => c.seed = int_key(key, v)?,
        "steps" => c.steps = int_key(key, v)? as u32,
        "n" => c.n = int_key(key, v)? as usize,
        "freq" => {
            c.freq = match v {
                "zipf" => FreqKind::Zipf,
                "exp" => FreqKind::Exp,
                "two" => FreqKind::Two,
                "list" => FreqKind::List,
                _ => return Err(choice(v, "zipf, exp, two, list")),
            }
        }
        "alpha" => c.alpha = float_key(key, v)?,
        "p1" => c.p1 = float_key(key, v)?,
        "p" => {
            let items: Vec<&str> = v.split(',').collect();
            if items.len() > 10_000 {
                return Err(format!("{} frequencies (at most 10,000)", items.len()));
            }
            let mut p = Vec::with_capacity(items.len());
            for (i, it) in items.iter().enumerate() {
                let x = float(it.trim(), 0.0, 1e6).map_err(|e| format!("entry {}: {e}", i + 1))?;
                if x <= 0.0 {
                    return Err(format!("entry {} must be > 0", i + 1));
                }
                p.push(x);
            }
            c.p = p;
        }
        "dim" => c.dim = int_key(key, v)? as usize,
        "batch" => c.batch = int_key(key, v)? as usize,
        "opt" => {
            c.opt = OptKind::from_name(v)
                .ok_or_else(|| choice(v, "sgd, signgd, adam, adamw, lion, ademamix"))?
        }
        "lr" => c.lr = float_key(key, v)?,
        "beta1" => c.beta1 = Some(float_key(key, v)?),
        "beta2" => c.beta2 = Some(float_key(key, v)?),
        "beta3" => c.beta3 = float_key(key, v)?,
        "mix" => c.mix = float_key(key, v)?,
        "wd" => c.wd = float_key(key, v)?,
        "loss" => {
            c.loss = match v {
                "mse" => LossForm::Mse,
                "ce" => LossForm::Ce,
                _ => return Err(choice(v, "mse, ce")),
            }
        }
        "grad" => {
            c.grad = match v {
                "mimic" => GradForm::Mimic,
                "autograd" => GradForm::Autograd,
                _ => return Err(choice(v, "mimic, autograd")),
            }
        }
        "vec" => {
            c.vec = match v {
                "ortho" => VecKind::Ortho,
                "unit" => VecKind::Unit,
                "scaled" => VecKind::Scaled,
                "basis" => VecKind::Basis,
                _ => return Err(choice(v, "ortho, unit, scaled, basis")),
            }
        }
        "noise" => c.noise = float_key(key, v)?,
        "n0" => c.n0 = float_key(key, v)?,
        "eta_eff" => c.eta_eff = Some(float_key(key, v)?),
        "and" => c.and = prereqs(v)?,
        "or" => c.or = prereqs(v)?,
        "gate_a" => c.gate_a = float_key(key, v)?,
        "overlap" => c.overlap = flag(v)?,
        "sw" if v == "0" => c.switch = None,
        "sw" => {
            let parts: Vec<&str> = v.split(':').collect();
            if parts.len() != 3 {
                return Err(format!("{:?} is not k:u:p (e.g. 3:0.5:0.08)", short(v)));
            }
            let k = int(parts[0], 1, 10_000)? as usize;
            let u = float(parts[1], 0.0, 1.0)?;
            let p = float(parts[2], 0.0, 1e6)?;
            c.switch = Some((k, u, p));
        }
        "t0" => c.t0 = Some(float_key(key, v)?),
        "tau" => c.tau = float_key(key, v)?,
        "rot" => c.rot = flag(v)?,
        "task" => {
            c.task = match v {
                "frequency" => ParityTask::Frequency,
                "compositional" => ParityTask::Compositional,
                "independent" => ParityTask::Independent,
                _ => return Err(choice(v, "frequency, compositional, independent")),
            }
        }
        "p2" => c.p2 = float_key(key, v)?,
        "samples" => c.samples = int_key(key, v)? as usize,
        "width" => c.width = int_key(key, v)? as usize,
        "modulus" => c.modulus = int_key(key, v)? as usize,
        "emb" => c.embed = int_key(key, v)? as usize,
        "modular" => c.modular = flag(v)?,
        "reweight" => c.reweight = flag(v)?,
        "runs" => c.runs = int_key(key, v)? as u32,
        "dtype" => c.dtype = Dtype::from_name(v).ok_or_else(|| choice(v, "f32, f64"))?,
        "thr" => {
            let t = float(v, 0.0, 1.0)?;
            if t <= 0.0 || t >= 1.0 {
                return Err(format!("{t} must be strictly between 0 and 1"));
            }
            c.thr = t;
        }
        _ => {}
    }
    Ok(())
}

/// A whole number within the key's schema range.
fn int_key(key: &str, v: &str) -> Result<u64, String> {
    match spec_of(key).map(|k| k.kind) {
        Some(Kind::Int { min, max }) => int(v, min, max),
        _ => Err(format!("{key} is not a whole-number key")),
    }
}

/// A number within the key's schema range.
fn float_key(key: &str, v: &str) -> Result<f64, String> {
    match spec_of(key).map(|k| k.kind) {
        Some(Kind::Float { min, max, open, .. }) => {
            let x = float(v, min, max)?;
            if open && x <= min {
                return Err(format!("{x} must be greater than {min}"));
            }
            Ok(x)
        }
        _ => Err(format!("{key} is not a number key")),
    }
}

fn choice(v: &str, allowed: &str) -> String {
    format!("{:?} is not one of {allowed}", short(v))
}

fn int(v: &str, lo: u64, hi: u64) -> Result<u64, String> {
    let x: u64 = v
        .trim()
        .parse()
        .map_err(|_| format!("{:?} is not a whole number", short(v)))?;
    if x < lo || x > hi {
        return Err(format!("{x} is outside {lo} … {hi}"));
    }
    Ok(x)
}

fn float(v: &str, lo: f64, hi: f64) -> Result<f64, String> {
    let x: f64 = v
        .trim()
        .parse()
        .map_err(|_| format!("{:?} is not a number", short(v)))?;
    if !x.is_finite() {
        return Err(format!("{:?} is not a finite number", short(v)));
    }
    if x < lo || x > hi {
        return Err(format!("{x} is outside {lo} … {hi}"));
    }
    Ok(x)
}

fn flag(v: &str) -> Result<bool, String> {
    match v {
        "0" => Ok(false),
        "1" => Ok(true),
        _ => Err(format!("{:?} is not 0 or 1", short(v))),
    }
}

/// `5:1-2,7:5-6` → [(5, [1, 2]), (7, [5, 6])] (1-based skill numbers).
fn prereqs(v: &str) -> Result<Vec<(usize, Vec<usize>)>, String> {
    let mut out = Vec::new();
    for item in v.split(',').filter(|s| !s.is_empty()) {
        let (k, pre) = item
            .split_once(':')
            .ok_or_else(|| format!("{:?} is not skill:prerequisites (e.g. 5:1-2)", short(item)))?;
        let k = int(k, 1, 10_000)? as usize;
        let pre = pre
            .split('-')
            .map(|x| int(x, 1, 10_000).map(|x| x as usize))
            .collect::<Result<Vec<_>, _>>()?;
        if pre.is_empty() {
            return Err(format!("skill {k} has an empty prerequisite list"));
        }
        out.push((k, pre));
        if out.len() > 10_000 {
            return Err("more than 10,000 entries".into());
        }
    }
    Ok(out)
}

fn prereq_string(list: &[(usize, Vec<usize>)]) -> String {
    list.iter()
        .map(|(k, pre)| {
            format!(
                "{k}:{}",
                pre.iter()
                    .map(|x| x.to_string())
                    .collect::<Vec<_>>()
                    .join("-")
            )
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Shortest decimal that reads back to the same f64, with an exponent for very small or
/// large magnitudes (`1e-20`, not twenty zeros) and no trailing `.0` (`2`, not `2.0`).
/// Used for links and for the CLI's CSV, so both print the same text for the same number.
pub fn num(x: f64) -> String {
    let s = format!("{x:?}");
    match s.strip_suffix(".0") {
        Some(t) => t.to_string(),
        None => s,
    }
}

pub fn freq_name(f: FreqKind) -> &'static str {
    match f {
        FreqKind::Zipf => "zipf",
        FreqKind::Exp => "exp",
        FreqKind::Two => "two",
        FreqKind::List => "list",
    }
}

pub fn loss_name(l: LossForm) -> &'static str {
    match l {
        LossForm::Mse => "mse",
        LossForm::Ce => "ce",
    }
}

pub fn grad_name(g: GradForm) -> &'static str {
    match g {
        GradForm::Mimic => "mimic",
        GradForm::Autograd => "autograd",
    }
}

pub fn vec_name(v: VecKind) -> &'static str {
    match v {
        VecKind::Ortho => "ortho",
        VecKind::Unit => "unit",
        VecKind::Scaled => "scaled",
        VecKind::Basis => "basis",
    }
}

/// Percent-decoding (`+` is a space); invalid UTF-8 is replaced, never a panic.
fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = |c: u8| (c as char).to_digit(16);
                match (hex(b[i + 1]), hex(b[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encode what would break a query string.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '_' | '.' | ',' | ':' => out.push(ch),
            _ => {
                let mut buf = [0u8; 4];
                for b in ch.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_handles_percent_plus_and_garbage() {
        assert_eq!(decode("a%2Cb+c"), "a,b c");
        assert_eq!(decode("%"), "%");
        assert_eq!(decode("%zz%4"), "%zz%4");
        assert_eq!(decode("%ff"), "\u{fffd}");
    }

    #[test]
    fn schema_and_writers_cover_the_same_keys() {
        for (k, _) in WRITERS {
            assert!(spec_of(k).is_some(), "{k} is written but not in SCHEMA");
        }
        for spec in SCHEMA {
            let written = WRITERS.iter().any(|(k, _)| *k == spec.key);
            assert!(
                written || matches!(spec.key, "v" | "preset"),
                "{} is never written",
                spec.key
            );
            assert!(!spec.help.is_empty() && !spec.label.is_empty() && !spec.models.is_empty());
        }
    }

    #[test]
    fn with_sets_one_key_like_a_link_and_get_reads_it_back() {
        let c = Config::defaults(Model::Resource);
        let (c2, problems) = c.with("n0", "0.01");
        assert!(problems.is_empty());
        assert_eq!((c2.n0, c2.get("n0").as_str()), (0.01, "0.01"));
        let (c3, problems) = c2.with("n0", "-1");
        assert_eq!(problems.len(), 1);
        assert_eq!(c3.n0, 0.01, "a bad value leaves the old one");
        for cfg in [
            Config::default(),
            Config::defaults(Model::Quadratic),
            parse("m=resource&p=1,2&and=2:1&sw=2:0.5:3").config,
            parse("m=grokking&opt=adam").config,
        ] {
            for spec in SCHEMA.iter().filter(|s| s.key != "preset") {
                let (back, problems) = cfg.with(spec.key, &cfg.get(spec.key));
                assert!(problems.is_empty(), "{}: {problems:?}", spec.key);
                assert_eq!(back, cfg, "{} = {:?}", spec.key, cfg.get(spec.key));
            }
        }
    }

    #[test]
    fn grokking_zero_betas_go_with_its_default_optimizer_only() {
        let betas = |q: &str| {
            let o = parse(q).config.opt_config();
            (o.kind, o.beta1, o.beta2)
        };
        assert_eq!(betas("m=grokking"), (OptKind::AdamW, 0.0, 0.0));
        assert_eq!(betas("m=grokking&opt=adam"), (OptKind::Adam, 0.9, 0.999));
        assert_eq!(betas("m=grokking&opt=lion"), (OptKind::Lion, 0.9, 0.99));
        assert_eq!(
            betas("m=grokking&opt=adam&beta1=0.5"),
            (OptKind::Adam, 0.5, 0.999)
        );
        // Fig. 13's two columns, as the preset writes them
        assert_eq!(betas("preset=fig13"), (OptKind::AdamW, 0.0, 0.0));
        assert_eq!(
            betas("preset=fig13&beta1=0.9&beta2=0.999"),
            (OptKind::AdamW, 0.9, 0.999)
        );
        // the page's control: switching the optimizer reads like the link
        let (c, problems) = parse("m=grokking").config.with("opt", "adam");
        assert!(problems.is_empty());
        assert_eq!((c.beta1, c.beta2), (None, None));
        assert_eq!(parse(&c.to_query()).config, c);
    }

    #[test]
    fn defaults_round_trip_to_a_bare_link() {
        assert_eq!(Config::default().to_query(), "v=1");
        assert_eq!(parse("v=1").config, Config::default());
        assert_eq!(
            Config::defaults(Model::Resource).to_query(),
            "v=1&m=resource"
        );
    }

    #[test]
    fn dtype_defaults_to_the_papers_and_round_trips() {
        use crate::sim::nn::Dtype;
        for (m, want) in [
            (Model::Parity, Dtype::F64),
            (Model::Grokking, Dtype::F64),
            (Model::Modular, Dtype::F32),
        ] {
            let c = Config::defaults(m);
            assert_eq!(c.dtype, want, "{m:?}");
            let q = c.to_query();
            assert!(!q.contains("dtype"), "the default is not written: {q}");
            let other = if want == Dtype::F32 { "f64" } else { "f32" };
            let p = parse(&format!("m={}&dtype={other}", m.name()));
            assert!(p.problems.is_empty(), "{:?}", p.problems);
            assert_ne!(p.config.dtype, want);
            let q = p.config.to_query();
            assert!(q.contains(&format!("dtype={other}")), "{q}");
            assert_eq!(parse(&q).config, p.config);
            // and the run's parameters carry it
            let spec = format!("{:?}", p.config.spec().unwrap());
            assert!(spec.contains(&format!("{:?}", p.config.dtype)), "{spec}");
        }
        let bad = parse("m=modular&dtype=f16");
        assert_eq!(bad.problems.len(), 1);
        assert!(format!("{:?}", bad.problems[0]).contains("f32, f64"));
        assert_eq!(
            bad.config.dtype,
            Dtype::F32,
            "a bad value keeps the default"
        );
    }
}
