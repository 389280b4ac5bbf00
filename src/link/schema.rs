//! The link vocabulary, one declaration per key: its [`Config`] field and type, its default
//! per model, its name, symbol, label, help, kind (type and range), group and the models it
//! affects, and how it is read and written. From this one table come the [`Config`] struct,
//! [`Config::defaults`], [`SCHEMA`] (which validation, the CLI's `keys`, the docs and the
//! page's controls read), the setter and the writers. Adding a key is one entry here.
//!
//! A key is read and written by its field type's [`Value`] (numbers within the kind's range,
//! flags, the names of an enum's [`Named`] table, lists, prerequisites, the switch); a
//! `read:` or `write:` in the entry replaces that for one key.

use super::names::{FreqKind, Model, Named};
use super::value::{f, float, pos, short, Kind, Value};
use crate::sim::geometry::{GradForm, LossForm, VecKind};
use crate::sim::nn::{Dtype, ParityTask};
use crate::sim::optim::OptKind;
use std::fmt;
use std::sync::LazyLock;

/// The link format version written as `v=1`.
pub const VERSION: u32 = 1;

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

/// Sets a key from its text (empty text included); errors are messages without the key.
type Reader = fn(&KeySpec, &mut Config, &str) -> Result<(), String>;
/// A key's value as link text.
type Writer = fn(&Config) -> String;

/// One key of the vocabulary: the single schema that validation, the CLI's `keys`, the docs
/// and the page's controls all read.
#[derive(Clone, Copy)]
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
    pub(super) read: Reader,
    /// The key's value as link text; `None` for the keys never written back (`v`, `preset`).
    pub(super) write: Option<Writer>,
}

impl KeySpec {
    pub fn applies_to(&self, m: Model) -> bool {
        self.models.contains(&m)
    }

    /// The key is read by a run of `c`: its model reads it ([`KeySpec::applies_to`]) and so do
    /// the frequency mode and the optimizer of `c` ([`read_when`]). The page shows a control
    /// only for these; the others would show values the run ignores.
    pub fn is_read_by(&self, c: &Config) -> bool {
        if !self.applies_to(c.model) {
            return false;
        }
        // the Resource and Domino models read η and N only through η_eff = 2η√N, and the
        // Domino model reads η_eff only through t0 = 1/η_eff (the overlap matrix's task
        // vectors live in R^dim)
        let (res, dom) = (c.model == Model::Resource, c.model == Model::Domino);
        let through_eta = c.eta_eff.is_none() && !(dom && c.t0.is_some());
        match self.key {
            "lr" if res || dom => return through_eta,
            "dim" if res => return through_eta || c.overlap,
            "dim" if dom => return through_eta,
            "eta_eff" if dom => return c.t0.is_none(),
            _ => {}
        }
        let Some((freqs, opts)) = read_when(self.key) else {
            return true;
        };
        // the frequency mode matters only where the model reads `freq` (Fig. 19's p1 does not)
        let freq_read = spec_of("freq").is_some_and(|f| f.applies_to(c.model));
        (!freq_read || freqs.contains(&c.freq)) && opts.contains(&c.opt)
    }
}

/// The keys read only under some frequency modes (`freq`) or optimizers (`opt`): (the modes,
/// the optimizers) that read them, `None` for a key read whatever those are. The one place
/// of these relations: the page's panels and `skills keys` read it.
pub fn read_when(key: &str) -> Option<(&'static [FreqKind], &'static [OptKind])> {
    use FreqKind::{Exp, List, Two, Zipf};
    use OptKind::{AdEMAMix, Adam, AdamW, Lion, Sgd, SignGd};
    const ALL_FREQS: &[FreqKind] = &[Zipf, Exp, Two, List];
    const ALL_OPTS: &[OptKind] = &[Sgd, SignGd, Adam, AdamW, Lion, AdEMAMix];
    Some(match key {
        // n skills for zipf and exp; two and list fix their own count
        "n" => (&[Zipf, Exp], ALL_OPTS),
        "alpha" => (&[Zipf], ALL_OPTS),
        "p1" => (&[Two], ALL_OPTS),
        "p" => (&[List], ALL_OPTS),
        // the moment decays of the moment-based optimizers (Lion's β1, β2 too)
        "beta1" | "beta2" => (ALL_FREQS, &[Adam, AdamW, Lion, AdEMAMix]),
        "beta3" | "mix" => (ALL_FREQS, &[AdEMAMix]),
        _ => return None,
    })
}

/// [`read_when`] as text for `skills keys`: "" or " (freq=zipf)", " (opt=adam, adamw, …)".
pub fn read_when_text(key: &str) -> String {
    let Some((freqs, opts)) = read_when(key) else {
        return String::new();
    };
    let mut parts = vec![];
    if freqs.len() < FreqKind::ALL.len() {
        let names: Vec<&str> = freqs.iter().map(|f| f.name()).collect();
        parts.push(format!("freq={}", names.join(", ")));
    }
    if opts.len() < OptKind::ALL.len() {
        let names: Vec<&str> = opts.iter().map(|o| o.name()).collect();
        parts.push(format!("opt={}", names.join(", ")));
    }
    format!(" (read with {})", parts.join("; "))
}

/// Keys are unique: a key is its name.
impl PartialEq for KeySpec {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl fmt::Debug for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySpec")
            .field("key", &self.key)
            .field("symbol", &self.symbol)
            .field("label", &self.label)
            .field("help", &self.help)
            .field("kind", &self.kind)
            .field("group", &self.group)
            .field("models", &self.models)
            .finish()
    }
}

const NO_VALUE: &str = "no value given";

/// Picks a key's own `read:`/`write:` when it gives one, else its type's.
macro_rules! given_or {
    (; $default:expr) => {
        $default
    };
    ($given:expr ; $default:expr) => {
        $given
    };
}

/// The table: generates [`Config`], [`Config::defaults`] and [`SCHEMA`] (the `fixed` keys,
/// which set no field, first).
macro_rules! link_keys {
    (
        fixed: [$($fixed:expr),* $(,)?];
        $(
            $(#[doc = $doc:literal])*
            $field:ident: $ty:ty = $default:expr => {
                key: $key:literal,
                symbol: $sym:literal,
                label: $label:literal,
                group: $group:ident,
                models: $models:expr,
                kind: $kind:expr,
                help: $help:literal
                $(, read: $read:expr)?
                $(, write: $write:expr)?
                $(,)?
            }
        ),* $(,)?
    ) => {
        /// A complete, valid configuration. Field docs give the link key, meaning and range.
        #[derive(Clone, Debug, PartialEq)]
        pub struct Config {
            $( $(#[doc = $doc])* pub $field: $ty, )*
        }

        impl Config {
            /// The defaults of a model: the notebooks' default runs (docs/models.md §3.4,
            /// §4.1, §5.1, §6.1).
            pub fn defaults(model: Model) -> Self {
                Config {
                    $( $field: {
                        let default: fn(Model) -> $ty = $default;
                        default(model)
                    }, )*
                }
            }
        }

        /// Every key of the link vocabulary.
        pub const SCHEMA: &[KeySpec] = &[
            $($fixed,)*
            $(KeySpec {
                key: $key,
                symbol: $sym,
                label: $label,
                help: $help,
                kind: $kind,
                group: Group::$group,
                models: $models,
                read: |spec, c, v| {
                    c.$field = if v.is_empty() {
                        <$ty as Value>::unset().ok_or_else(|| NO_VALUE.to_string())?
                    } else {
                        let read: fn(Kind, &str) -> Result<$ty, String> =
                            given_or!($($read)? ; <$ty as Value>::read);
                        read(spec.kind, v)?
                    };
                    Ok(())
                },
                write: Some(|c| {
                    let write: fn(&$ty) -> String = given_or!($($write)? ; <$ty as Value>::write);
                    write(&c.$field)
                }),
            },)*
        ];
    };
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

/// `v=`: only version 1 is known.
fn read_version(_: &KeySpec, _: &mut Config, v: &str) -> Result<(), String> {
    if v.is_empty() {
        return Err(NO_VALUE.into());
    }
    let ver: u32 = v
        .parse()
        .map_err(|_| format!("{:?} is not a version number", short(v)))?;
    if ver != VERSION {
        return Err(format!(
            "link version {ver} is not known (this page reads v=1)"
        ));
    }
    Ok(())
}

/// `preset=` is read by [`parse`](super::parse): its keys become the defaults.
fn read_preset(_: &KeySpec, _: &mut Config, v: &str) -> Result<(), String> {
    if v.is_empty() {
        return Err(NO_VALUE.into());
    }
    Ok(())
}

/// `thr`: strictly between 0 and 1.
fn threshold(_: Kind, v: &str) -> Result<f64, String> {
    let t = float(v, 0.0, 1.0)?;
    if t <= 0.0 || t >= 1.0 {
        return Err(format!("{t} must be strictly between 0 and 1"));
    }
    Ok(t)
}

/// `freq`: `p=` implies freq=list, so list is never written (it reads as the default zipf).
fn write_freq(f: &FreqKind) -> String {
    match f {
        FreqKind::List => FreqKind::Zipf.name().into(),
        f => f.name().into(),
    }
}

link_keys! {
    fixed: [
        KeySpec {
            key: "v",
            symbol: "",
            label: "Link version",
            help: "link format version (1)",
            kind: Kind::Int { min: 1, max: 1 },
            group: Group::Run,
            models: ALL,
            read: read_version,
            write: None,
        },
        KeySpec {
            key: "preset",
            symbol: "",
            label: "Preset",
            help: "a figure of the paper (fig4, fig5, …; `skills presets`): its keys become the defaults",
            kind: Kind::Text,
            group: Group::Run,
            models: ALL,
            read: read_preset,
            write: None,
        },
    ];
    /// `m`: the model.
    model: Model = |m| m => {
        key: "m", symbol: "", label: "Model", group: Run, models: ALL,
        kind: Kind::Choice(Model::NAMES),
        help: "model: geometry, resource, domino, parallel, quadratic (toy models); parity, grokking, modular (real networks)",
    },
    /// `seed`: seed of every random draw (0 ..= 2^53 − 1).
    seed: u64 = |_| 0 => {
        key: "seed", symbol: "", label: "Seed", group: Run, models: ALL,
        kind: Kind::Int { min: 0, max: (1 << 53) - 1 },
        help: "seed of every random draw, 0 … 2^53−1",
    },
    /// `steps`: number of updates (1 ..= 1,000,000).
    steps: u32 = |m| match m {
        Model::Quadratic | Model::Grokking => 10_000,
        Model::Parallel => 1100,
        _ => 1000,
    } => {
        key: "steps", symbol: "T", label: "Steps", group: Run, models: ALL,
        kind: Kind::Int { min: 1, max: 1_000_000 },
        help: "number of updates, 1 … 1,000,000",
    },
    /// `thr`: threshold of "learned" (t90 uses 0.9).
    thr: f64 = |m| match m {
        Model::Parity | Model::Grokking => 0.99,
        // Fig. 19's levels reach exactly 1 when the task's MSE is below 1e−3
        Model::Modular => 0.9999,
        _ => 0.9,
    } => {
        key: "thr", symbol: "", label: "Learned at s >", group: Run, models: ALL,
        kind: Kind::Float { min: 0.0, max: 1.0, open: true, log: false },
        help: "threshold of a learned skill (t90: 0.9), strictly between 0 and 1",
        read: threshold,
    },
    /// `n`: number of skills (1 ..= 10,000; 2 for `freq=two`, the list's length for `p`).
    n: usize = |_| 10 => {
        key: "n", symbol: "n", label: "Skills", group: Frequencies, models: TOYS,
        kind: Kind::Int { min: 1, max: 10_000 },
        help: "number of skills, 1 … 10,000",
    },
    /// `freq`: `zipf`, `exp`, `two` or `list`.
    freq: FreqKind = |_| FreqKind::Zipf => {
        key: "freq", symbol: "p_i", label: "Frequencies", group: Frequencies, models: TOYS,
        kind: Kind::Choice(FreqKind::NAMES),
        help: "frequencies: zipf (p_i ∝ i^−α), exp (∝ 3^−i), two (p1, 1−p1), list (p)",
        write: write_freq,
    },
    /// `alpha`: Zipf exponent α (0 ..= 10).
    alpha: f64 = |_| 2.0 => {
        key: "alpha", symbol: "α", label: "Zipf exponent", group: Frequencies, models: TOYS,
        kind: f(0.0, 10.0),
        help: "Zipf exponent α, 0 … 10",
    },
    /// `p1`: frequency of skill 1 for `freq=two` (0.001 ..= 0.999).
    p1: f64 = |m| if m == Model::Modular { 0.99 } else { 0.9 } => {
        key: "p1", symbol: "p1", label: "Skill 1's frequency", group: Frequencies, models: TWO,
        kind: f(0.001, 0.999),
        help: "frequency of skill 1 for freq=two (Fig. 19: share of task-1 points), 0.001 … 0.999",
    },
    /// `p`: explicit frequencies, comma-separated (implies `freq=list`).
    p: Vec<f64> = |_| vec![] => {
        key: "p", symbol: "p", label: "Frequency list", group: Frequencies, models: TOYS,
        kind: Kind::Text,
        help: "explicit frequencies, comma-separated, each in (0, 1e6] (implies freq=list)",
    },
    /// `dim`: dimension N of the Geometry model (1 ..= 100,000).
    dim: usize = |_| 1000 => {
        key: "dim", symbol: "N", label: "Dimension", group: Geometry, models: GEO_RES_DOM,
        kind: Kind::Int { min: 1, max: 100_000 },
        help: "dimension N of θ (Geometry; sets η_eff = 2η√N), 1 … 100,000",
    },
    /// `batch`: batch size B, 0 = full batch (0 ..= 1,000,000).
    batch: usize = |_| 0 => {
        key: "batch", symbol: "B", label: "Batch size", group: Geometry, models: GEO,
        kind: Kind::Int { min: 0, max: 1_000_000 },
        help: "batch size B, 0 = full batch (expected gradient), 0 … 1,000,000",
    },
    /// `loss`: `mse` or `ce`.
    loss: LossForm = |_| LossForm::Mse => {
        key: "loss", symbol: "ℓ", label: "Skill form", group: Geometry, models: GEO_RES,
        kind: Kind::Choice(LossForm::NAMES),
        help: "skill form: mse (s = t·θ) or ce (s = σ(t·θ))",
    },
    /// `grad`: `mimic` or `autograd`.
    grad: GradForm = |_| GradForm::Autograd => {
        key: "grad", symbol: "g", label: "Gradient", group: Geometry, models: GEO,
        kind: Kind::Choice(GradForm::NAMES),
        help: "gradient: mimic (−(1/B)Σ(1−s)t) or autograd (2× for MSE)",
    },
    /// `vec`: `ortho`, `unit`, `scaled` or `basis`.
    vec: VecKind = |_| VecKind::Ortho => {
        key: "vec", symbol: "t_i", label: "Task vectors", group: Geometry, models: GEO,
        kind: Kind::Choice(VecKind::NAMES),
        help: "task vectors: ortho, unit, scaled (g/√N), basis (e_i)",
    },
    /// `noise`: gradient noise σ (0 ..= 1000).
    noise: f64 = |_| 0.0 => {
        key: "noise", symbol: "σ", label: "Gradient noise", group: Geometry, models: GEO,
        kind: f(0.0, 1000.0),
        help: "gradient noise σ, 0 … 1000",
    },
    /// `opt`: optimizer.
    opt: OptKind = |m| match m {
        Model::Parity | Model::Modular => OptKind::Adam,
        Model::Grokking => OptKind::AdamW,
        _ => OptKind::SignGd,
    } => {
        key: "opt", symbol: "", label: "Optimizer", group: Optimizer, models: OPTS,
        kind: Kind::Choice(<OptKind as Named>::NAMES),
        help: "optimizer: sgd, signgd, adam, adamw, lion, ademamix",
    },
    /// `lr`: learning rate η (0 < η ≤ 10).
    lr: f64 = |m| match m {
        Model::Parity => 1e-3,
        Model::Grokking => 1e-2,
        Model::Modular => 5e-4,
        _ => 3e-4,
    } => {
        key: "lr", symbol: "η", label: "Learning rate", group: Optimizer, models: ETA,
        kind: pos(10.0, true),
        help: "learning rate η, (0, 10] (sets η_eff = 2η√N)",
    },
    /// `beta1`: first-moment decay (0 ..< 1); unset = the optimizer's default (for
    /// m=grokking's AdamW: 0, Fig. 13's "SignGD").
    beta1: Option<f64> = |_| None => {
        key: "beta1", symbol: "β1", label: "β1", group: Optimizer, models: OPTS,
        kind: f(0.0, 0.999_999),
        help: "first-moment decay β1, [0, 1) (default per optimizer; m=grokking with its default AdamW: 0)",
    },
    /// `beta2`: second-moment decay (0 ..< 1); unset = the optimizer's default (for
    /// m=grokking's AdamW: 0).
    beta2: Option<f64> = |_| None => {
        key: "beta2", symbol: "β2", label: "β2", group: Optimizer, models: OPTS,
        kind: f(0.0, 0.999_999),
        help: "second-moment decay β2, [0, 1) (default per optimizer; m=grokking with its default AdamW: 0)",
    },
    /// `beta3`: AdEMAMix slow decay (0 ..< 1).
    beta3: f64 = |_| 0.9999 => {
        key: "beta3", symbol: "β3", label: "β3 (AdEMAMix)", group: Optimizer, models: OPTS,
        kind: f(0.0, 0.999_999),
        help: "AdEMAMix slow decay β3, [0, 1)",
    },
    /// `mix`: AdEMAMix mixing coefficient a (0 ..= 100).
    mix: f64 = |_| 2.0 => {
        key: "mix", symbol: "a", label: "Mix (AdEMAMix)", group: Optimizer, models: OPTS,
        kind: f(0.0, 100.0),
        help: "AdEMAMix mixing coefficient a, 0 … 100",
    },
    /// `wd`: weight decay (0 ..= 10).
    wd: f64 = |m| if m == Model::Grokking { 0.03 } else { 0.0 } => {
        key: "wd", symbol: "λ", label: "Weight decay", group: Optimizer, models: OPTS,
        kind: f(0.0, 10.0),
        help: "weight decay, 0 … 10",
    },
    /// `n0`: wasted resources N0 of the Resource model (0 ..= 1e6).
    n0: f64 = |_| 0.003 => {
        key: "n0", symbol: "N0", label: "Wasted resources", group: Resource, models: RES,
        kind: Kind::Float { min: 0.0, max: 1e6, open: false, log: true },
        help: "wasted resources N0 (Resource), 0 … 1e6",
    },
    /// `eta_eff`: Resource rate; unset = 2·lr·√dim.
    eta_eff: Option<f64> = |_| None => {
        key: "eta_eff", symbol: "η_eff", label: "Resource rate", group: Resource, models: RES_DOM,
        kind: pos(100.0, true),
        help: "resource rate η_eff (default 2·lr·√dim), (0, 100]",
    },
    /// `and`: AND prerequisites, 1-based: `5:1-2,7:5-6` = skill 5 needs 1 and 2, …
    and: Vec<(usize, Vec<usize>)> = |_| vec![] => {
        key: "and", symbol: "", label: "AND prerequisites", group: Resource, models: RES,
        kind: Kind::Text,
        help: "AND prerequisites, e.g. 5:1-2,7:5-6 (skill 5 needs 1 and 2)",
    },
    /// `or`: OR prerequisites, 1-based: `6:3-4` = skill 6 needs 3 or 4.
    or: Vec<(usize, Vec<usize>)> = |_| vec![] => {
        key: "or", symbol: "", label: "OR prerequisites", group: Resource, models: RES,
        kind: Kind::Text,
        help: "OR prerequisites, e.g. 6:3-4 (skill 6 needs 3 or 4)",
    },
    /// `gate_a`: gate exponent a (0 < a ≤ 1).
    gate_a: f64 = |_| 1e-3 => {
        key: "gate_a", symbol: "a", label: "Gate exponent", group: Resource, models: RES,
        kind: pos(1.0, true),
        help: "gate exponent a in 1 − u^a, (0, 1]",
    },
    /// `overlap`: 1 = Resource model with C_ij = t_i·t_j of random unit vectors in R^dim.
    overlap: bool = |_| false => {
        key: "overlap", symbol: "C", label: "Overlap matrix", group: Resource, models: RES,
        kind: Kind::Flag,
        help: "1: Resource model with overlap C_ij = t_i·t_j of random unit vectors",
    },
    /// `sw`: frequency switch `k:u:p` (skill k takes frequency p once u_k ≤ u; Fig. 16).
    switch: Option<(usize, f64, f64)> = |_| None => {
        key: "sw", symbol: "", label: "Frequency switch", group: Resource, models: RES,
        kind: Kind::Text,
        help: "frequency switch k:u:p (skill k takes frequency p once u_k ≤ u; 0 = none)",
    },
    /// `t0`: Domino time per skill; unset = 1/η_eff.
    t0: Option<f64> = |_| None => {
        key: "t0", symbol: "t0", label: "Time per skill", group: Domino, models: &[Model::Domino],
        kind: pos(1e9, true),
        help: "Domino time per skill (default 1/η_eff), (0, 1e9]",
    },
    /// `tau`: parallel model time constant τ (s_k = 1 − e^{−t/(τk)}).
    tau: f64 = |_| 30.0 => {
        key: "tau", symbol: "τ", label: "Time constant", group: Domino, models: &[Model::Parallel],
        kind: pos(1e9, true),
        help: "parallel model time constant τ: s_k = 1 − e^(−t/(τk)), (0, 1e9]",
    },
    /// `rot`: quadratic toy, 0 = aligned (R = I), 1 = rotated (R = H4/2).
    rot: bool = |_| true => {
        key: "rot", symbol: "R", label: "Rotated", group: Quadratic, models: &[Model::Quadratic],
        kind: Kind::Flag,
        help: "quadratic toy: 0 aligned (R = I), 1 rotated (R = H4/2)",
    },
    /// `task`: sparse-parity experiment.
    task: ParityTask = |_| ParityTask::Frequency => {
        key: "task", symbol: "", label: "Parity task", group: Network, models: &[Model::Parity],
        kind: Kind::Choice(ParityTask::NAMES),
        help: "sparse parity: frequency (x1⊕x2, x3⊕x4 at p2), compositional (+ x1⊕x2⊕x3⊕x4), independent (+ x5⊕x6⊕x7⊕x8)",
    },
    /// `p2`: frequency of sparse-parity task 2 (Fig. 2), 0 … 1.
    p2: f64 = |_| 0.1 => {
        key: "p2", symbol: "p2", label: "Task 2 frequency", group: Network, models: &[Model::Parity],
        kind: f(0.0, 1.0),
        help: "frequency of parity task 2 (task=frequency), 0 … 1",
    },
    /// `samples`: data points of a real-network run (parity samples, Fig. 19 points).
    samples: usize = |m| if m == Model::Modular { 1000 } else { 10_000 } => {
        key: "samples", symbol: "", label: "Data points", group: Network, models: NETS_DATA,
        kind: Kind::Int { min: 10, max: 100_000 },
        help: "data points (parity samples, Fig. 19 points), 10 … 100,000",
    },
    /// `width`: hidden width of the MLP.
    width: usize = |m| if m == Model::Parity { 50 } else { 100 } => {
        key: "width", symbol: "", label: "Hidden width", group: Network, models: NETS,
        kind: Kind::Int { min: 2, max: 1000 },
        help: "hidden width of the MLP, 2 … 1000",
    },
    /// `modulus`: p of the modular-addition task (Fig. 13).
    modulus: usize = |_| 59 => {
        key: "modulus", symbol: "p", label: "Modulus", group: Network, models: &[Model::Grokking],
        kind: Kind::Int { min: 2, max: 1000 },
        help: "modular addition mod p, 2 … 1000",
    },
    /// `emb`: embedding width of the grokking network (not `embed`, the page's embed mode).
    embed: usize = |_| 128 => {
        key: "emb", symbol: "", label: "Embedding width", group: Network, models: &[Model::Grokking],
        kind: Kind::Int { min: 1, max: 512 },
        help: "width of each token embedding, 1 … 512",
    },
    /// `modular`: block-diagonal (modular) network in Fig. 19.
    modular: bool = |_| false => {
        key: "modular", symbol: "", label: "Modular network", group: Network, models: &[Model::Modular],
        kind: Kind::Flag,
        help: "1: block-diagonal network, one private sub-network per task",
    },
    /// `reweight`: the loss re-weighting ℓ·ℓ/mean(ℓ) of Fig. 19's notebook.
    reweight: bool = |_| false => {
        key: "reweight", symbol: "", label: "Loss re-weighting", group: Network, models: &[Model::Modular],
        kind: Kind::Flag,
        help: "1: train on mean(ℓ·ℓ/mean ℓ), each sample weighted by its own loss",
    },
    /// `runs`: number of runs (seeds seed … seed+runs−1) of Fig. 19's t1–t2 scatter.
    runs: u32 = |_| 1 => {
        key: "runs", symbol: "", label: "Runs", group: Network, models: &[Model::Modular],
        kind: Kind::Int { min: 1, max: 1000 },
        help: "runs of the t1–t2 scatter (seeds seed … seed+runs−1), 1 … 1000",
    },
    /// `dtype`: precision of a real-network run; the paper's by default (f64 for parity and
    /// grokking, f32 for modular: the Fig. 19 notebook does not set float64).
    dtype: Dtype = |m| if m == Model::Modular { Dtype::F32 } else { Dtype::F64 } => {
        key: "dtype", symbol: "", label: "Precision", group: Network, models: NETS,
        kind: Kind::Choice(<Dtype as Named>::NAMES),
        help: "float precision of the network: f32 or f64 (default: the paper's, f64 for parity and grokking, f32 for modular)",
    },
}

impl Default for Config {
    fn default() -> Self {
        Config::defaults(Model::Geometry)
    }
}

/// The schema entry of a key.
pub fn spec_of(key: &str) -> Option<&'static KeySpec> {
    SCHEMA.iter().find(|k| k.key == key)
}

/// Set one key from its text, as a link sets it. Errors are messages without the key name.
pub(super) fn set(c: &mut Config, key: &str, v: &str) -> Result<(), String> {
    match spec_of(key) {
        Some(spec) => (spec.read)(spec, c, v),
        // not a key of the vocabulary: nothing to set (an empty value still says so)
        None if v.is_empty() => Err(NO_VALUE.into()),
        None => Ok(()),
    }
}

/// The order in which keys are written into a link, frozen as link v1 was first published:
/// written links stay byte-identical from release to release (they are compared, cached and
/// cited). A key added later needs no entry here: it is written after these, in
/// [`SCHEMA`] order.
const LINK_ORDER: [&str; 42] = [
    "m", "seed", "steps", "n", "freq", "alpha", "p1", "p", "dim", "batch", "opt", "lr", "beta1",
    "beta2", "beta3", "mix", "wd", "loss", "grad", "vec", "noise", "n0", "eta_eff", "and", "or",
    "gate_a", "overlap", "sw", "t0", "tau", "rot", "thr", "p2", "task", "samples", "width",
    "modulus", "emb", "modular", "reweight", "runs", "dtype",
];

/// The keys written back, in link order, each with its writer.
pub(super) fn writers() -> &'static [(&'static str, Writer)] {
    static WRITERS: LazyLock<Vec<(&'static str, Writer)>> = LazyLock::new(|| {
        let frozen = LINK_ORDER.iter().filter_map(|k| spec_of(k));
        let later = SCHEMA.iter().filter(|s| !LINK_ORDER.contains(&s.key));
        frozen
            .chain(later)
            .filter_map(|s| Some((s.key, s.write?)))
            .collect()
    });
    &WRITERS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(link: &str) -> Vec<&'static str> {
        let c = crate::link::parse(link).config;
        SCHEMA
            .iter()
            .filter(|k| k.group == Group::Frequencies || k.group == Group::Optimizer)
            .filter(|k| k.is_read_by(&c))
            .map(|k| k.key)
            .collect()
    }

    #[test]
    fn only_the_keys_a_run_reads_are_read_by_it() {
        // Fig. 17: a list of frequencies; n, zipf's α and p1 are not read
        assert_eq!(shown("preset=fig17"), ["freq", "p"]);
        // Fig. 4: two skills; SignGD reads no moment decay
        assert_eq!(shown("preset=fig4"), ["freq", "p1", "opt", "lr", "wd"]);
        assert_eq!(
            shown("m=geometry"),
            ["n", "freq", "alpha", "opt", "lr", "wd"]
        );
        assert_eq!(
            shown("m=geometry&freq=exp&opt=adam"),
            ["n", "freq", "opt", "lr", "beta1", "beta2", "wd"]
        );
        assert_eq!(
            shown("m=geometry&opt=ademamix")[5..],
            ["beta1", "beta2", "beta3", "mix", "wd"]
        );
        // Fig. 17 gives η_eff: η and N are not read; Fig. 9's Domino t0 hides η_eff too
        let read = |link: &str, key: &str| {
            spec_of(key)
                .unwrap()
                .is_read_by(&crate::link::parse(link).config)
        };
        assert!(!read("preset=fig17", "lr") && !read("preset=fig17", "dim"));
        assert!(read("m=resource", "lr") && read("m=resource", "dim"));
        assert!(read("m=resource&eta_eff=0.1&overlap=1", "dim"));
        assert!(!read("preset=fig9", "eta_eff") && !read("preset=fig9", "lr"));
        assert!(read("m=domino", "eta_eff") && read("m=domino", "lr"));
        // Fig. 19 reads p1 without a frequency mode
        assert!(shown("preset=fig19").contains(&"p1"));
        assert_eq!(read_when_text("alpha"), " (read with freq=zipf)");
        assert_eq!(read_when_text("mix"), " (read with opt=ademamix)");
        assert_eq!(read_when_text("lr"), "");
    }

    #[test]
    fn every_key_is_declared_once_and_the_link_order_names_written_keys_once() {
        for (i, s) in SCHEMA.iter().enumerate() {
            assert!(
                !SCHEMA[..i].iter().any(|o| o.key == s.key),
                "{} twice",
                s.key
            );
            assert!(!s.help.is_empty() && !s.label.is_empty() && !s.models.is_empty());
        }
        for (i, k) in LINK_ORDER.iter().enumerate() {
            assert!(!LINK_ORDER[..i].contains(k), "{k} twice in LINK_ORDER");
            assert!(
                spec_of(k).and_then(|s| s.write).is_some(),
                "{k} is not written"
            );
        }
        let written: Vec<&str> = writers().iter().map(|(k, _)| *k).collect();
        let expected: Vec<&str> = SCHEMA
            .iter()
            .filter(|s| !matches!(s.key, "v" | "preset"))
            .map(|s| s.key)
            .collect();
        assert_eq!(written.len(), expected.len());
        assert!(expected.iter().all(|k| written.contains(k)));
        assert_eq!(&written[..LINK_ORDER.len()], &LINK_ORDER[..]);
    }
}
