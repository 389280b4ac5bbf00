//! One preset per figure panel of the paper that the toy models produce (docs/models.md §§3–6).
//!
//! A preset is a link: `preset=fig4&opt=sgd&p1=0.9`. Its `base` query sets the defaults,
//! `variants` add defaults that depend on the resulting values (e.g. SGD's learning rate in
//! Fig. 4), and every key of the link overrides them. `panels` list the figure's panels as
//! links for the gallery.
//!
//! A preset's `base` and `variants` are part of the link format: a published link must open
//! the same run after later releases, so never change them — add a new preset id instead
//! (tests/frozen_links.rs pins them).

use super::query::pairs;

/// A conditional default: when every `when` key has that value, `set` applies (unless the
/// link gives those keys itself).
#[derive(Debug, PartialEq)]
pub struct Variant {
    pub when: &'static str,
    pub set: &'static str,
}

/// A quantitative claim of a caption about the preset's own run: `tests/captions.rs` runs
/// the panel and checks it, and the caption's `{0}`, `{1}`, … show [`Claim::text`], so a
/// number is written once. `panel` is the panel's extra keys (`""`: the preset as it is);
/// t_k is the first step with s_k above the run's threshold, skills are 1-based.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Claim {
    /// t2/t1 is within `tol` of `value`; shown "≈ value".
    Ratio {
        panel: &'static str,
        value: f64,
        tol: f64,
    },
    /// t_skill is within `tol` of `step`; shown "≈ step".
    LearnedAt {
        panel: &'static str,
        skill: usize,
        step: u32,
        tol: u32,
    },
    /// Every skill is learned, the last within `tol` of `step`; shown "≈ step".
    AllLearnedAt {
        panel: &'static str,
        step: u32,
        tol: u32,
    },
    /// Exactly `count` skills are not learned by the end of the run; shown "count".
    Unlearned { panel: &'static str, count: usize },
    /// Exactly `count` skills end below `level`; shown "count".
    EndBelow {
        panel: &'static str,
        level: f64,
        count: usize,
    },
}

impl Claim {
    /// The panel the claim is about (its extra keys).
    pub fn panel(&self) -> &'static str {
        match *self {
            Claim::Ratio { panel, .. }
            | Claim::LearnedAt { panel, .. }
            | Claim::AllLearnedAt { panel, .. }
            | Claim::Unlearned { panel, .. }
            | Claim::EndBelow { panel, .. } => panel,
        }
    }

    /// What the caption shows of the claim.
    pub fn text(&self) -> String {
        match *self {
            Claim::Ratio { value, .. } => format!("≈ {}", super::value::num(value)),
            Claim::LearnedAt { step, .. } | Claim::AllLearnedAt { step, .. } => {
                format!("≈ {step}")
            }
            Claim::Unlearned { count, .. } | Claim::EndBelow { count, .. } => count.to_string(),
        }
    }
}

#[derive(Debug, PartialEq)]
pub struct Preset {
    /// The `preset=` value.
    pub id: &'static str,
    /// Which figure of the paper ("Fig. 4").
    pub figure: &'static str,
    pub title: &'static str,
    /// What the figure shows and what to look for, with `{i}` where claim i's text goes
    /// ([`Preset::caption`] fills them in).
    pub text: &'static str,
    /// The quantitative claims of the caption, each checked against the preset's run.
    pub claims: &'static [Claim],
    pub base: &'static str,
    pub variants: &'static [Variant],
    /// (label, extra keys) per panel of the figure.
    pub panels: &'static [(&'static str, &'static str)],
}

/// The paper, for the Cite button.
pub const BIBTEX: &str = "@article{liu2025physics,
  title   = {Physics of Skill Learning},
  author  = {Liu, Ziming and Liu, Yizhou and Michaud, Eric J. and Gore, Jeff and Tegmark, Max},
  journal = {arXiv preprint arXiv:2501.12391},
  year    = {2025},
  url     = {https://arxiv.org/abs/2501.12391}
}";

const SGD_LR_4: &[Variant] = &[Variant {
    when: "opt=sgd",
    set: "lr=0.03",
}];
const SGD_LR_12: &[Variant] = &[Variant {
    when: "opt=sgd",
    set: "lr=0.01",
}];

pub const PRESETS: &[Preset] = &[
    Preset {
        id: "fig4",
        figure: "Fig. 4",
        title: "Two skills: SignGD, Adam and SGD",
        text: "Two skills with frequencies p1 and 1 − p1 in the Geometry model (N = 1000, orthonormal task vectors, B = 128, mimic gradient). With SignGD the rare skill barely moves until the frequent one is learned, then ramps up steeply: at p1 = 0.95, t2/t1 {0} although p1/p2 = 19 — the Domino effect. With SGD the skills decouple and t2/t1 = p1/p2 (at p1 = 0.9, t2/t1 {1}; at p1 = 0.95 skill 2 would need ≈ ln 10/(η p2) ≈ 1500 steps, so {2} skill is still unlearned at the run's end, step 1000). Adam lies in between (t2/t1 {3} at p1 = 0.95). Look at when skill 2 starts, and at the aligned dimensions handing over from skill 1 to skill 2.",
        claims: &[
            Claim::Ratio { panel: "opt=signgd&p1=0.95", value: 1.9, tol: 0.1 },
            Claim::Ratio { panel: "opt=sgd&p1=0.9", value: 9.1, tol: 0.2 },
            Claim::Unlearned { panel: "opt=sgd&p1=0.95", count: 1 },
            Claim::Ratio { panel: "opt=adam&p1=0.95", value: 3.8, tol: 0.1 },
        ],
        base: "m=geometry&freq=two&p1=0.95&batch=128&grad=mimic&steps=1000&seed=2",
        variants: SGD_LR_4,
        panels: &[
            ("SignGD, p1 = 0.5", "opt=signgd&p1=0.5"),
            ("SignGD, p1 = 0.9", "opt=signgd&p1=0.9"),
            ("SignGD, p1 = 0.95", "opt=signgd&p1=0.95"),
            ("Adam, p1 = 0.5", "opt=adam&p1=0.5"),
            ("Adam, p1 = 0.9", "opt=adam&p1=0.9"),
            ("Adam, p1 = 0.95", "opt=adam&p1=0.95"),
            ("SGD, p1 = 0.5", "opt=sgd&p1=0.5"),
            ("SGD, p1 = 0.9", "opt=sgd&p1=0.9"),
            ("SGD, p1 = 0.95", "opt=sgd&p1=0.95"),
        ],
    },
    Preset {
        id: "fig5",
        figure: "Fig. 5",
        title: "n skills with power-law frequencies",
        text: "n skills with Zipf frequencies p_i ∝ i^−α (Geometry model, N = 1000, B = 128, SignGD). Skills are learned one after another in order of frequency; larger α makes learning more sequential with longer gaps (α = 2, n = 10: the last skill at step {0}), and at α = 4 the {1} rarest of ten skills are not learned in 3000 steps. Each newly dominant skill's aligned dimensions rise toward N while the others sit near N/2.",
        claims: &[
            Claim::AllLearnedAt { panel: "alpha=2&n=10", step: 643, tol: 5 },
            Claim::Unlearned { panel: "alpha=4&n=10", count: 4 },
        ],
        base: "m=geometry&n=10&alpha=2&batch=128&grad=mimic&steps=3000&seed=2",
        variants: &[],
        panels: &[
            ("α = 1, n = 2", "alpha=1&n=2"),
            ("α = 1, n = 5", "alpha=1&n=5"),
            ("α = 1, n = 10", "alpha=1&n=10"),
            ("α = 2, n = 2", "alpha=2&n=2"),
            ("α = 2, n = 3", "alpha=2&n=3"),
            ("α = 2, n = 4", "alpha=2&n=4"),
            ("α = 2, n = 5", "alpha=2&n=5"),
            ("α = 2, n = 10", "alpha=2&n=10"),
            ("α = 4, n = 5", "alpha=4&n=5"),
            ("α = 4, n = 10", "alpha=4&n=10"),
        ],
    },
    Preset {
        id: "fig6",
        figure: "Fig. 6",
        title: "Geometry experiment vs Resource theory for each N0",
        text: "The Experiment panel: the Geometry model (N = 1000, n = 10, α = 2, B = 1024, SignGD 3e−4) learns all ten skills in a staggered cascade, the last at step {0}. The Theory panels: the Resource model with η_eff = 2η√N for several wasted-resource levels N0. N0 = 0.003 reproduces the cascade (the last skill at step {1}; N0 = 1e−4 and 0.001 a little earlier, 0.01 later, at {2}); N0 = 0.1 makes the rare skills far too slow ({3} of ten unlearned in 1000 steps); N0 = 1 is nearly parallel exponential learning, too slow for all but the first ({4} unlearned).",
        claims: &[
            Claim::AllLearnedAt { panel: "", step: 568, tol: 5 },
            Claim::AllLearnedAt { panel: "m=resource&n0=0.003", step: 573, tol: 5 },
            Claim::AllLearnedAt { panel: "m=resource&n0=0.01", step: 705, tol: 5 },
            Claim::Unlearned { panel: "m=resource&n0=0.1", count: 5 },
            Claim::Unlearned { panel: "m=resource&n0=1", count: 8 },
        ],
        base: "m=geometry&n=10&alpha=2&batch=1024&grad=mimic&steps=1000&seed=2",
        variants: &[],
        panels: &[
            ("Experiment (Geometry)", ""),
            ("Theory, N0 = 0.003", "m=resource&n0=0.003"),
            ("Theory, N0 = 1e−4", "m=resource&n0=0.0001"),
            ("Theory, N0 = 0.001", "m=resource&n0=0.001"),
            ("Theory, N0 = 0.01", "m=resource&n0=0.01"),
            ("Theory, N0 = 0.1", "m=resource&n0=0.1"),
            ("Theory, N0 = 1", "m=resource&n0=1"),
        ],
    },
    Preset {
        id: "fig7",
        figure: "Fig. 7 (top)",
        title: "Collapse: u^(1/p) is one curve",
        text: "The collapse variable max(1 − s_i, 0)^(1/p_i) against step. The Resource model predicts u_i = exp(−p_i τ(t)) for every skill, so the curves of all skills fall on one: exactly for the Resource model, approximately for the Geometry model, where rare skills deviate. Rows of the figure change one setting at a time from the default (with the N0 fitted for it).",
        claims: &[],
        base: "m=geometry&n=10&alpha=2&batch=1024&grad=mimic&steps=3000&seed=2",
        variants: &[],
        panels: &[
            ("Default", ""),
            ("Default, theory N0 = 0.003", "m=resource&n0=0.003"),
            ("α = 4", "alpha=4"),
            ("N = 100", "dim=100"),
            ("n = 100", "n=100"),
            ("n = 100, theory N0 = 0.01", "n=100&m=resource&n0=0.01"),
            ("η = 1e−4", "lr=0.0001"),
            ("η = 1e−4, theory N0 = 0.001", "lr=0.0001&m=resource&n0=0.001"),
            ("noise σ = 1e−3", "noise=0.001"),
            ("noise σ = 1e−3, theory N0 = 0.06", "noise=0.001&m=resource&n0=0.06"),
            ("Adam", "opt=adam"),
            ("Adam, theory N0 = 0.08", "opt=adam&m=resource&n0=0.08"),
            ("B = 16", "batch=16"),
            ("B = 16, theory N0 = 0.05", "batch=16&m=resource&n0=0.05"),
        ],
    },
    Preset {
        id: "fig8",
        figure: "Fig. 8 (top)",
        title: "Fewer dimensions than skills (MSE)",
        text: "N = 10 dimensions, n random unit task vectors (not orthogonal), MSE. With n = 5 every skill is learned; already at n = N = 10 the vectors interfere ({1} of the ten skills are not learned in 3000 steps), and with n > N some skills overshoot above 1 or fall below 0 and stay there (n = 20: {2} end below 0), several are non-monotonic. The Resource model with the overlap matrix C_ij = t_i·t_j of the same vectors (no clipping) follows the individual trajectories roughly.",
        claims: &[
            Claim::Unlearned { panel: "n=5", count: 0 },
            Claim::Unlearned { panel: "n=10", count: 4 },
            Claim::EndBelow { panel: "n=20", level: 0.0, count: 7 },
        ],
        base: "m=geometry&dim=10&n=20&vec=unit&batch=128&lr=0.001&steps=3000&seed=2",
        variants: &[Variant { when: "m=resource", set: "overlap=1&n0=0.01" }],
        panels: &[
            ("Geometry, n = 5", "n=5"),
            ("Geometry, n = 10", "n=10"),
            ("Geometry, n = 20", "n=20"),
            ("Geometry, n = 40", "n=40"),
            ("Geometry, n = 100", "n=100"),
            ("Resource with C, n = 5", "n=5&m=resource"),
            ("Resource with C, n = 20", "n=20&m=resource"),
            ("Resource with C, n = 100", "n=100&m=resource"),
        ],
    },
    Preset {
        id: "fig8ce",
        figure: "Fig. 8 (bottom)",
        title: "Fewer dimensions than skills (cross-entropy)",
        text: "As Fig. 8 top with the cross-entropy skill form (s = σ(t·θ), B = 1024, η = 0.01). With n = 5 every skill ends near 1; from n = 2N = 20 (Cover's count of separable directions) on, some skills end near 0 ({1} below 0.1 at n = 20, {2} at n = 40) — the same ones in both models. The Resource model in logit form with C_ij and N0 = 0, η_eff = 4η√N, reproduces even the non-monotonic trajectories closely.",
        claims: &[
            Claim::EndBelow { panel: "n=5", level: 0.9, count: 0 },
            Claim::EndBelow { panel: "n=20", level: 0.1, count: 2 },
            Claim::EndBelow { panel: "n=40", level: 0.1, count: 9 },
        ],
        base: "m=geometry&dim=10&n=40&vec=unit&batch=1024&lr=0.01&loss=ce&steps=3000&seed=7",
        variants: &[Variant { when: "m=resource", set: "overlap=1&n0=0&eta_eff=0.1264911064067352" }],
        panels: &[
            ("Geometry, n = 5", "n=5"),
            ("Geometry, n = 20", "n=20"),
            ("Geometry, n = 40", "n=40"),
            ("Geometry, n = 100", "n=100"),
            ("Resource with C, n = 5", "n=5&m=resource"),
            ("Resource with C, n = 40", "n=40&m=resource"),
            ("Resource with C, n = 100", "n=100&m=resource"),
        ],
    },
    Preset {
        id: "fig9",
        figure: "Fig. 9",
        title: "Domino model vs parallel model",
        text: "The Domino model panel: skills learned strictly one after another, each in t0 = 100 steps, so n skills take n·t0 whatever their frequencies (ten skills: the last at step {0}). The parallel model panel: the quanta-like model, independent exponential learning s_k = 1 − exp(−t/(30k)). The two give different scaling laws: α_S = α − 1 (Domino) vs (α − 1)/α (parallel).",
        claims: &[
            Claim::AllLearnedAt { panel: "", step: 991, tol: 10 },
        ],
        base: "m=domino&t0=100&steps=1100",
        variants: &[],
        panels: &[("Domino model", ""), ("Parallel model", "m=parallel")],
    },
    Preset {
        id: "fig12",
        figure: "Fig. 12",
        title: "Why sign-based optimizers make dominoes",
        text: "A 4-d quadratic, ℓ_i = x_i², L = Σ w_i ℓ_i with w = (1, 0.1, 0.01, 0.001), x = Rθ. SGD is rotation-invariant: ℓ_i = (1 − 2ηw_i)^(2t) whether R = I or a rotation. SignGD on the aligned problem learns all four at the same rate; on the rotated one (R = H4/2) it learns them in turn — a staircase. The Domino effect needs a sign-like update and skills not aligned with the parameter basis.",
        claims: &[],
        base: "m=quadratic&rot=1&opt=signgd&steps=10000",
        variants: SGD_LR_12,
        panels: &[
            ("SGD, aligned", "opt=sgd&rot=0"),
            ("SGD, rotated", "opt=sgd&rot=1"),
            ("SignGD, aligned", "opt=signgd&rot=0"),
            ("SignGD, rotated", "opt=signgd&rot=1"),
        ],
    },
    Preset {
        id: "fig15",
        figure: "Fig. 15",
        title: "Adam vs AdEMAMix vs Lion",
        text: "Cross-entropy Geometry model with N = 10 and unnormalised random task vectors g/√N, α = 2, B = 128, η = 0.01, with gradient noise σ. Without noise Lion (a sign method) converges fastest (every skill learned by step {0}, Adam by {1}); with noise Lion's skills flip between 0 and 1 while AdEMAMix's slow momentum averages the noise and ends with a lower loss than Adam.",
        claims: &[
            Claim::AllLearnedAt { panel: "opt=lion&noise=0", step: 1524, tol: 15 },
            Claim::AllLearnedAt { panel: "opt=adam&noise=0", step: 1788, tol: 15 },
        ],
        base: "m=geometry&dim=10&n=10&vec=scaled&batch=128&lr=0.01&loss=ce&opt=adam&beta2=0.95&steps=15000&seed=7",
        variants: &[
            Variant { when: "opt=ademamix", set: "beta2=0.999" },
            Variant { when: "opt=lion", set: "beta2=0.99" },
        ],
        panels: &[
            ("Adam, σ = 0", "opt=adam&noise=0"),
            ("AdEMAMix, σ = 0", "opt=ademamix&noise=0"),
            ("Lion, σ = 0", "opt=lion&noise=0"),
            ("Adam, σ = 0.2", "opt=adam&noise=0.2"),
            ("AdEMAMix, σ = 0.2", "opt=ademamix&noise=0.2"),
            ("Lion, σ = 0.2", "opt=lion&noise=0.2"),
            ("Adam, n = 40, σ = 1", "opt=adam&noise=1&n=40"),
            ("Lion, n = 40, σ = 1", "opt=lion&noise=1&n=40"),
        ],
    },
    Preset {
        id: "fig16",
        figure: "Fig. 16 (top right)",
        title: "Theory: a compositional skill waits",
        text: "Resource-model theory for the sparse-parity experiment: three tasks of equal frequency, task 3 (the 4-bit parity x1⊕x2⊕x3⊕x4) gated by its two prerequisites (AND, a = 0.01; N0 = 0.01, η_eff = 0.01·√(350/600)). s3 stays near 0 until s1 and s2 are complete, then rises — as the network's 4-bit accuracy does.",
        claims: &[],
        base: "m=resource&p=0.3333333333333333,0.3333333333333333,0.3333333333333333&and=3:1-2&gate_a=0.01&n0=0.01&eta_eff=0.007637626158259734&steps=1000",
        variants: &[],
        panels: &[("Compositional task", "")],
    },
    Preset {
        id: "fig16b",
        figure: "Fig. 16 (bottom right)",
        title: "Theory: an independent hard skill creeps, then accelerates",
        text: "Resource-model theory for the independent 4-bit parity: task 3 starts with a tiny frequency 0.0045 that switches to 0.08 once u3 ≤ 0.5 (a task whose gradient signal grows once it is half-learned; N0 = 0.1, η_eff = 0.01·√(350/400)). Look for the kink where u3 crosses 0.5; without the switch (sw=0, the dashed curve) task 3 lags far behind.",
        claims: &[],
        base: "m=resource&p=0.3333333333333333,0.3333333333333333,0.0045&sw=3:0.5:0.08&n0=0.1&eta_eff=0.009354143466934854&steps=3000",
        variants: &[],
        panels: &[("With the frequency switch", ""), ("Fixed p3 (dashed)", "sw=0")],
    },
    Preset {
        id: "fig17",
        figure: "Fig. 17 (case 1)",
        title: "Prerequisites: a chain",
        text: "Resource model with prerequisite gates (N0 = 0.001, η_eff = 0.001): T1 → T2 → T3 with frequencies (0.3, 1, 3). T1 gets all the resources and falls linearly, learned at step {0} (all of it would take 1/η_eff = 1000 steps); T2 starts then, and T3 when T2 is done — dominoes along the dependency graph, whatever the frequencies.",
        claims: &[
            Claim::LearnedAt { panel: "", skill: 1, step: 909, tol: 5 },
        ],
        base: "m=resource&p=0.3,1,3&and=2:1,3:2&gate_a=0.0001&n0=0.001&eta_eff=0.001&steps=5000",
        variants: &[],
        panels: &[("Chain T1 → T2 → T3", "")],
    },
    Preset {
        id: "fig17and",
        figure: "Fig. 17 (case 2)",
        title: "Prerequisites: an AND tree",
        text: "T1 & T2 → T5, T3 & T4 → T6, T5 & T6 → T7, frequencies (1, 0.1, 2, 0.2, 1, 1, 1), a = 1e−3. A composite skill stays at 0 until all its prerequisites are finished, then is learned.",
        claims: &[],
        base: "m=resource&p=1,0.1,2,0.2,1,1,1&and=5:1-2,6:3-4,7:5-6&n0=0.001&eta_eff=0.001&steps=10000",
        variants: &[],
        panels: &[("AND tree", "")],
    },
    Preset {
        id: "fig17or",
        figure: "Fig. 17 (case 3)",
        title: "Prerequisites: an AND/OR tree",
        text: "T1 & T2 → T5, T3 | T4 → T6, T5 | T6 → T7, frequencies (0.1, 0.01, 2, 0.2, 1, 1, 1), a = 1e−3. With OR a composite skill starts as soon as its first prerequisite finishes.",
        claims: &[],
        base: "m=resource&p=0.1,0.01,2,0.2,1,1,1&and=5:1-2&or=6:3-4,7:5-6&n0=0.001&eta_eff=0.001&steps=10000",
        variants: &[],
        panels: &[("AND/OR tree", "")],
    },
    Preset {
        id: "fig2",
        figure: "Fig. 2 (top left, bottom)",
        title: "A real network: the rare task waits, then is learned fast",
        text: "An MLP 32-50-2 (ReLU, MSE, Adam 1e−3, full batch) learns two sparse parities of 32 random bits: task 1 = x1⊕x2 on every sample, task 2 = x3⊕x4 supervised on a fraction p2 of the samples each step. Task 1 is learned first (99 % at step {0}); task 2 hovers near chance until task 1 is done, then rises quickly. For p2 = 0.1 it needs only about twice as long (t2/t1 {1}), not ten times: the Domino effect observed in a real network.",
        claims: &[
            Claim::LearnedAt { panel: "p2=0.1", skill: 1, step: 175, tol: 5 },
            Claim::Ratio { panel: "p2=0.1", value: 2.4, tol: 0.1 },
        ],
        base: "m=parity&task=frequency&p2=0.1&seed=4",
        variants: &[],
        panels: &[
            ("p2 = 1", "p2=1"),
            ("p2 = 0.5", "p2=0.5"),
            ("p2 = 0.2", "p2=0.2"),
            ("p2 = 0.1", "p2=0.1"),
            ("p2 = 0.05", "p2=0.05"),
            ("p2 = 0.1, SignGD-like Adam (β = 0)", "p2=0.1&beta1=0&beta2=0"),
        ],
    },
    Preset {
        id: "fig2c",
        figure: "Fig. 2 (top right), Fig. 16 (top)",
        title: "A real network: a compositional task waits for its parts",
        text: "Three outputs at full frequency: x3⊕x4, x1⊕x2 and their composition x1⊕x2⊕x3⊕x4 (MLP 32-50-3, 80 % of 10 000 samples for training). The two 2-bit parities are learned together; the 4-bit parity stays at chance until they are, then jumps, often through a plateau near 75 %. Compare the Resource-model theory of Fig. 16 (preset fig16).",
        claims: &[],
        base: "m=parity&task=compositional&seed=1",
        variants: &[],
        panels: &[("Compositional task", "")],
    },
    Preset {
        id: "fig16i",
        figure: "Fig. 16 (bottom)",
        title: "A real network: an independent hard task creeps, then accelerates",
        text: "As Fig. 2 top right, but the third output is x5⊕x6⊕x7⊕x8, not built from the other two. The 2-bit tasks are done early; the 4-bit task creeps slowly towards 75 % and then accelerates to 100 % (≈ 2500 steps in the paper). Compare the Resource-model theory with a frequency switch (preset fig16b).",
        claims: &[],
        base: "m=parity&task=independent&steps=3000&seed=1",
        variants: &[],
        panels: &[("Independent 4-bit task", "")],
    },
    Preset {
        id: "fig13",
        figure: "Fig. 13",
        title: "SignGD groks faster than Adam (full size)",
        text: "Modular addition mod 59 with learned embeddings and an MLP 256-100-100-59 (SiLU, cross-entropy, AdamW 1e−2, weight decay 0.03, full batch over 80 % of the pairs). Tasks: train accuracy and test accuracy. Both fit the training set within a few hundred steps; with β = (0, 0) (SignGD) the test accuracy reaches 1 after ≈ 1000–2000 steps, with Adam's β = (0.9, 0.999) only at ≈ 4000: grokking about twice as fast. Full size: minutes in the tab.",
        claims: &[],
        base: "m=grokking&opt=adamw&beta1=0&beta2=0&wd=0.03&lr=0.01&steps=10000",
        variants: &[],
        panels: &[("SignGD: AdamW β = (0, 0)", ""), ("Adam: AdamW β = (0.9, 0.999)", "beta1=0.9&beta2=0.999")],
    },
    Preset {
        id: "fig13s",
        figure: "Fig. 13 (small)",
        title: "SignGD groks faster than Adam (small)",
        text: "A smaller network for the same modular-addition task (embedding width 32, hidden 64-64): SignGD reaches 99 % test accuracy after roughly 450–1050 steps, Adam only after ≈ 2400 or more. A reduced version of Fig. 13.",
        claims: &[],
        base: "m=grokking&opt=adamw&beta1=0&beta2=0&wd=0.03&lr=0.01&emb=32&width=64&steps=3000",
        variants: &[],
        panels: &[("SignGD: AdamW β = (0, 0)", ""), ("Adam: AdamW β = (0.9, 0.999)", "beta1=0.9&beta2=0.999")],
    },
    Preset {
        id: "fig19",
        figure: "Fig. 19",
        title: "Modularity lets the rare task learn in parallel",
        text: "Two regression tasks, x1 ↦ x1² on 99 % of the points and x2 ↦ x2² on 1 %, learned by an MLP 2-100-100-2 (SiLU, Adam 5e−4). Non-modular: the rare task waits for the frequent one (this run: t2/t1 {0}; the paper's scatter over seeds: ≈ 2–3). Modular (two private sub-networks): the frequent task is slower (t1 {1}, non-modular {2}) but the rare one finishes earlier (t2 {3}, non-modular {4}): t2/t1 {5}, closer to learning in parallel. runs=100 draws the t1–t2 scatter; reweight=1 trains on ℓ·ℓ/mean(ℓ), which also equalises the two tasks.",
        claims: &[
            Claim::Ratio { panel: "modular=0", value: 3.95, tol: 0.05 },
            Claim::LearnedAt { panel: "modular=1", skill: 1, step: 313, tol: 5 },
            Claim::LearnedAt { panel: "modular=0", skill: 1, step: 180, tol: 5 },
            Claim::LearnedAt { panel: "modular=1", skill: 2, step: 658, tol: 5 },
            Claim::LearnedAt { panel: "modular=0", skill: 2, step: 711, tol: 5 },
            Claim::Ratio { panel: "modular=1", value: 2.1, tol: 0.05 },
        ],
        base: "m=modular&modular=0&reweight=0",
        variants: &[],
        panels: &[
            ("Non-modular", "modular=0"),
            ("Modular", "modular=1"),
            ("Non-modular, loss re-weighting", "reweight=1"),
            ("Scatter, non-modular (100 runs)", "runs=100"),
            ("Scatter, modular (100 runs)", "modular=1&runs=100"),
        ],
    },
];

/// The preset with this id.
pub fn find(id: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.id == id)
}

impl Preset {
    /// The preset's defaults for a link whose own values are given by `value` (None = the
    /// link does not give that key): the base, then each variant whose conditions hold.
    /// (Preset texts are plain: no percent-coding.)
    pub fn defaults(&self, value: impl Fn(&str) -> Option<String>) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = pairs(self.base)
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let effective = |k: &str, out: &[(String, String)]| -> Option<String> {
            value(k).or_else(|| {
                out.iter()
                    .rev()
                    .find(|(ok, _)| ok == k)
                    .map(|(_, v)| v.clone())
            })
        };
        for var in self.variants {
            if pairs(var.when).all(|(k, v)| effective(k, &out).as_deref() == Some(v)) {
                for (k, v) in pairs(var.set) {
                    out.retain(|(ok, _)| ok != k);
                    out.push((k.to_string(), v.to_string()));
                }
            }
        }
        out
    }

    /// The caption: [`Preset::text`] with each `{i}` replaced by claim i's text.
    pub fn caption(&self) -> String {
        let mut out = self.text.to_string();
        for (i, c) in self.claims.iter().enumerate() {
            out = out.replace(&format!("{{{i}}}"), &c.text());
        }
        out
    }

    /// The link of one panel.
    pub fn panel_link(&self, extra: &str) -> String {
        if extra.is_empty() {
            format!("v=1&preset={}", self.id)
        } else {
            format!("v=1&preset={}&{extra}", self.id)
        }
    }
}
