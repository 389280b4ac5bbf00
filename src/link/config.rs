//! What a [`Config`] implies: its frequencies, skills, optimizer and the simulation it
//! describes, and the link that writes it back ([`Config::to_query`], [`Config::link`]).

use super::names::{FreqKind, Model};
use super::presets::Preset;
use super::query::encode;
use super::schema::{set, spec_of, writers, Config, VERSION};
use crate::sim::domino::Schedule;
use crate::sim::freq::{normalise, Freq};
use crate::sim::geometry::{task_vectors, GeometryParams, VecKind};
use crate::sim::nn::{
    Grokking, GrokkingParams, Modular, ModularParams, NetParams, ParityParams, ParityTask,
};
use crate::sim::optim::{OptConfig, OptKind};
use crate::sim::resource::{overlap_matrix, Gate, ResourceParams, Switch};
use crate::sim::{ModelSpec, SimError};

impl Config {
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

    /// The current value of one key as link text ("" for an unset optional key, the
    /// preset and any other key that is not written).
    pub fn get(&self, key: &str) -> String {
        if key == "v" {
            return VERSION.to_string();
        }
        spec_of(key)
            .and_then(|s| s.write)
            .map(|write| write(self))
            .unwrap_or_default()
    }

    /// The link's query string relative to a preset: `v=1&preset=…` and every value that
    /// differs from what the preset sets for this configuration. `None`: [`Config::to_query`].
    pub fn link(&self, preset: Option<&Preset>) -> String {
        let Some(p) = preset else {
            return self.to_query();
        };
        let value = |k: &str| spec_of(k).and_then(|s| s.write).map(|write| write(self));
        let base = p.defaults(value);
        let base_model = base
            .iter()
            .find(|(k, _)| k == "m")
            .and_then(|(_, v)| Model::from_name(v))
            .unwrap_or(Model::Geometry);
        let mut d = Config::defaults(self.model);
        for (k, v) in base.iter().filter(|(k, _)| k != "m") {
            let _ = set(&mut d, k, v);
        }
        let mut out = vec![format!("v={VERSION}"), format!("preset={}", p.id)];
        for (key, get) in writers() {
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
        for (key, get) in writers() {
            let v = get(self);
            if v != get(&d) || *key == "m" && self.model != Model::Geometry {
                out.push(format!("{key}={}", encode(&v)));
            }
        }
        out.join("&")
    }
}
