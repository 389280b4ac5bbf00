//! The guided tour of the paper's argument (issue 12): a table of steps, each a live figure
//! (a preset panel, `link::presets`) with one control to try and text that says what to
//! notice. The page shows a step as a card (`ui::tour`); the step's position is the
//! page-only key `tour=<k>` (`link::page::TOUR`, 1-based), so every step is a link.
//!
//! A step's numbers are [`Claim`]s about runs of its own preset, written once: its text
//! shows them through `{i}` (as a preset's caption does) and `tests/tour.rs` checks each
//! against its run, so the text fails its test when the run changes.
//!
//! Citations: each text cites the paper's figures (arXiv 2501.12391, "Fig. 10") and the
//! project's notes (docs/models.md §x), not the paper's section numbers: the figure numbers
//! are those of the authors' own notebooks, while the paper's body text, and so its section
//! numbering, was not available to this project to check (docs/models.md §0).

use crate::link::presets::{self, Claim, Preset};

/// One step of the tour.
#[derive(Debug, PartialEq)]
pub struct Step {
    /// The figures of the paper (arXiv 2501.12391) the step is about ("Figs 4, 12").
    pub figures: &'static str,
    pub title: &'static str,
    /// The preset the step shows.
    pub preset: &'static str,
    /// The panel's extra keys (`""`: the preset as it is).
    pub extra: &'static str,
    /// What the figure shows and what to notice, with `{i}` where claim i's text goes.
    pub text: &'static str,
    /// The one control to try (a key of the link vocabulary).
    pub try_key: &'static str,
    /// A sweep preset whose precomputed paper-scale grid the step shows beside its run
    /// (`sweep::stored`: its exponents against α, the paper's beside ours), if any.
    pub stored: Option<&'static str>,
    /// What to do with it and what to notice then, with `{i}` as in `text`.
    pub try_text: &'static str,
    /// The numbers of `text` and `try_text`: claims about runs of `preset` (a claim's panel
    /// is its extra keys), checked by `tests/tour.rs`.
    pub claims: &'static [Claim],
}

/// The steps, in the order of the paper's argument.
pub const STEPS: &[Step] = &[
    Step {
        figures: "Fig. 2",
        title: "The Domino effect in a real network",
        preset: "fig2",
        extra: "p2=0.1",
        text: "A small neural network (an MLP with 50 hidden units) learns two tasks at once, each the parity of two of 32 random bits. Task 1 is asked in every example, task 2 only in a fraction p2 = 0.1 of them. Task 1 is learned first (99 % right at step {0}). Task 2 stays near chance until task 1 is done, then rises quickly: ten times rarer, it takes only t2/t1 {1} times as long. This network trains live in your tab, so it takes a little while. (arXiv 2501.12391, Fig. 2; docs/models.md §2.2.)",
        try_key: "p2",
        stored: None,
        try_text: "Drag p2 down: the second task waits longer, but not ten times longer.",
        claims: &[
            Claim::LearnedAt { panel: "p2=0.1", skill: 1, step: 175, tol: 5 },
            Claim::Ratio { panel: "p2=0.1", value: 2.4, tol: 0.1 },
        ],
    },
    Step {
        figures: "Fig. 4",
        title: "A toy network: the Geometry model",
        preset: "fig4",
        extra: "opt=signgd&p1=0.95",
        text: "The Geometry model keeps only what matters: N = 1000 parameters, and each skill is one direction in them; a skill is learned when the parameters point far enough along it. Two skills are seen in 95 % and 5 % of the examples. With SignGD (each parameter moves by the sign of its gradient, as in Adam), skill 2 barely moves while skill 1 is learned, then catches up: t2/t1 {0}, although skill 1 is 19 times more frequent. (arXiv 2501.12391, Fig. 4; docs/models.md §3.2.)",
        try_key: "opt",
        stored: None,
        try_text: "Switch the optimizer to sgd (plain gradient descent): each skill now learns at the pace of its own frequency, and {1} skill is still unlearned at step 1000.",
        claims: &[
            Claim::Ratio { panel: "opt=signgd&p1=0.95", value: 1.9, tol: 0.1 },
            Claim::Unlearned { panel: "opt=sgd&p1=0.95", count: 1 },
        ],
    },
    Step {
        figures: "Fig. 12",
        title: "Why sign-based updates make dominoes",
        preset: "fig12",
        extra: "opt=signgd&rot=1",
        text: "Four skills as four losses of weight 1, 0.1, 0.01 and 0.001 in four parameters. When the skills are not aligned with the parameters (rotated), SignGD learns them one after another: the first at step {0}, the last at step {1}. The sign of each parameter's gradient follows whichever skill pulls hardest, so the strongest skill takes the whole step until it is done. (arXiv 2501.12391, Fig. 12; docs/models.md §6.1.)",
        try_key: "rot",
        stored: None,
        try_text: "Untick Rotated: with each skill on its own parameter, SignGD learns all four together, at step {2}. Dominoes need a sign-like update and skills that share parameters.",
        claims: &[
            Claim::LearnedAt { panel: "opt=signgd&rot=1", skill: 1, step: 1519, tol: 5 },
            Claim::LearnedAt { panel: "opt=signgd&rot=1", skill: 4, step: 6116, tol: 10 },
            Claim::AllLearnedAt { panel: "opt=signgd&rot=0", step: 3001, tol: 5 },
        ],
    },
    Step {
        figures: "Fig. 5",
        title: "Many skills, Zipf frequencies",
        preset: "fig5",
        extra: "alpha=2&n=10",
        text: "Ten skills whose frequencies fall as a power law, p_i ∝ i^−α (Zipf), as word and task frequencies do in real data. The Geometry model learns them in order of frequency, one after another, the last at step {0}. (arXiv 2501.12391, Fig. 5; docs/models.md §3.3.)",
        try_key: "alpha",
        stored: None,
        try_text: "Drag α up to 3: the rare skills become rarer, the gaps between the dominoes grow, and the last skill comes only at step {1}.",
        claims: &[
            Claim::AllLearnedAt { panel: "alpha=2&n=10", step: 643, tol: 5 },
            Claim::AllLearnedAt { panel: "alpha=3&n=10", step: 1933, tol: 20 },
        ],
    },
    Step {
        figures: "Figs 6, 7",
        title: "The Resource model explains the cascade",
        preset: "fig6",
        extra: "m=resource&n0=0.003",
        text: "The Resource model says why: the network has a fixed amount of learning to hand out, shared among the skills by frequency times what each still has to learn, with a part N0 wasted. With N0 = 0.003 it reproduces the Geometry model's cascade: the last of ten skills at step {0}, where the Geometry model has {1}. Its prediction that every skill follows one curve in its own time shows in the Collapse tab under the chart. (arXiv 2501.12391, Figs 6 and 7; docs/models.md §4.1, §4.5.)",
        try_key: "n0",
        stored: None,
        try_text: "Raise N0 to 0.1: more of the resource is wasted, learning turns parallel and slow, and {2} of the ten skills are unlearned at step 1000.",
        claims: &[
            Claim::AllLearnedAt { panel: "m=resource&n0=0.003", step: 573, tol: 5 },
            Claim::AllLearnedAt { panel: "", step: 568, tol: 5 },
            Claim::Unlearned { panel: "m=resource&n0=0.1", count: 5 },
        ],
    },
    Step {
        figures: "Fig. 9",
        title: "Dominoes against parallel learning",
        preset: "fig9",
        extra: "",
        text: "The Domino model keeps only the cascade: one skill at a time, each in t0 = 100 steps, whatever its frequency; ten skills end at step {0}. Its rival, the parallel (quanta) picture, learns every skill at once at its own exponential pace: choose “Parallel” in the Model menu to see it. The two pictures predict different scaling laws. (arXiv 2501.12391, Fig. 9; docs/models.md §5.)",
        try_key: "n",
        stored: None,
        try_text: "Drag n to 5: the last skill now comes at step {1}, n·t0.",
        claims: &[
            Claim::AllLearnedAt { panel: "", step: 991, tol: 10 },
            Claim::AllLearnedAt { panel: "n=5", step: 491, tol: 10 },
        ],
    },
    Step {
        figures: "Figs 16, 17",
        title: "Prerequisites set the order",
        preset: "fig17",
        extra: "",
        text: "Some skills need others first: here T3 needs T2, which needs T1, although T1 is the rarest (frequencies 0.3, 1 and 3). The Resource model with prerequisite gates learns along the chain: T1 at step {0}, T3 last, at step {1}. A real network does the same with a parity built from two smaller ones (Fig. 16). (arXiv 2501.12391, Figs 16 and 17; docs/models.md §4.4.)",
        try_key: "p",
        stored: None,
        try_text: "Reverse the frequencies to 3,1,0.3: the order stays the chain's, and T3 is still last, at step {2}.",
        claims: &[
            Claim::LearnedAt { panel: "", skill: 1, step: 909, tol: 5 },
            Claim::LearnedAt { panel: "", skill: 3, step: 4037, tol: 10 },
            Claim::LearnedAt { panel: "p=3,1,0.3", skill: 3, step: 3262, tol: 10 },
        ],
    },
    Step {
        figures: "Fig. 10",
        title: "From dominoes to scaling laws",
        preset: "fig7",
        extra: "n=100",
        text: "With 100 Zipf skills (α = 2) the dominoes fall ever more slowly: at step 3000, {0} of the 100 are still unlearned. The loss left is the frequency of the skills not yet learned, so it falls as a power of time and of model size, with exponents set by α: the scaling laws of Fig. 10. Below, Fig. 10's exponent α_N measured at the paper's scale (the Geometry model, 100 000 steps per run: precomputed, since that grid takes hours) beside the paper's own values; the Sweeps page re-runs any of its runs live in this tab. (arXiv 2501.12391, Fig. 10; docs/models.md §3.6.)",
        try_key: "alpha",
        stored: Some("fig10n"),
        try_text: "Lower α to 1.5: the rare skills are less rare, and {1} of the 100 are left unlearned at step 3000.",
        claims: &[
            Claim::Unlearned { panel: "n=100", count: 58 },
            Claim::Unlearned { panel: "n=100&alpha=1.5", count: 0 },
        ],
    },
    Step {
        figures: "Figs 18, 19",
        title: "Modularity lets the rare task go in parallel",
        preset: "fig19",
        extra: "modular=0",
        text: "A real network learns x1² on 99 % of its examples and x2² on 1 %. One shared network makes the rare task wait: t2/t1 {0}. (arXiv 2501.12391, Fig. 19, and Fig. 18 for the Geometry model; docs/models.md §7.)",
        try_key: "modular",
        stored: None,
        try_text: "Tick Modular network: each task gets a private sub-network, the rare task finishes earlier (t2 {1} instead of {2}) and t2/t1 drops to {3}.",
        claims: &[
            Claim::Ratio { panel: "modular=0", value: 3.95, tol: 0.05 },
            Claim::LearnedAt { panel: "modular=1", skill: 2, step: 658, tol: 5 },
            Claim::LearnedAt { panel: "modular=0", skill: 2, step: 711, tol: 5 },
            Claim::Ratio { panel: "modular=1", value: 2.1, tol: 0.05 },
        ],
    },
    Step {
        figures: "Fig. 15",
        title: "Optimizers: sign methods go fast",
        preset: "fig15",
        extra: "opt=lion&noise=0",
        text: "If dominoes come from sign-like updates, the optimizer matters. In a Geometry model with ten skills, Lion (a sign method) learns every skill by step {0}. (arXiv 2501.12391, Fig. 15; docs/models.md §6.3.)",
        try_key: "opt",
        stored: None,
        try_text: "Switch the optimizer to adam: the last skill comes later, at step {1}. Add gradient noise and Lion's skills flicker while AdEMAMix's slow momentum averages the noise away.",
        claims: &[
            Claim::AllLearnedAt { panel: "opt=lion&noise=0", step: 1524, tol: 15 },
            Claim::AllLearnedAt { panel: "opt=adam&noise=0", step: 1788, tol: 15 },
        ],
    },
    Step {
        figures: "Fig. 13",
        title: "Grokking sooner with SignGD",
        preset: "fig13s",
        extra: "",
        text: "A network learns addition modulo 59. It fits its training pairs quickly but generalises to the unseen pairs (“groks”) only much later. Run with SignGD (AdamW with β1 = β2 = 0), the test accuracy rises well before it does with Adam. This is the largest network of the tour and the slowest to train in the tab. (arXiv 2501.12391, Fig. 13; docs/models.md §6.2.)",
        try_key: "beta1",
        stored: None,
        try_text: "Set β1 to 0.9 (and β2 to 0.999 for Adam proper): the test accuracy lags further behind the training accuracy.",
        claims: &[],
    },
];

/// The number of steps.
pub fn len() -> usize {
    STEPS.len()
}

/// Step `k` (1-based, as in the link), if there is one.
pub fn step(k: usize) -> Option<&'static Step> {
    k.checked_sub(1).and_then(|i| STEPS.get(i))
}

/// The step after `k`, if any.
pub fn next(k: usize) -> Option<usize> {
    (k < len()).then_some(k + 1)
}

/// The step before `k`, if any.
pub fn prev(k: usize) -> Option<usize> {
    (k > 1 && k <= len()).then(|| k - 1)
}

/// Read the value of `tour=` (1-based): the step, or a message naming the problem.
pub fn parse_position(value: &str) -> Result<usize, String> {
    let n = len();
    match value.trim().parse::<usize>() {
        Ok(k) if (1..=n).contains(&k) => Ok(k),
        _ => Err(format!(
            "tour = {}: not a step of the tour (1 … {n}); the lab opened without it",
            shown(value)
        )),
    }
}

/// A value of the address as a message shows it: decoded, at most 40 characters.
fn shown(value: &str) -> String {
    let v = crate::link::query::decode(value);
    match v.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &v[..i]),
        None => v,
    }
}

impl Step {
    /// The step's preset (every step names one: tests/tour.rs).
    pub fn preset(&self) -> Option<&'static Preset> {
        presets::find(self.preset)
    }

    /// The link of the preset with `extra` keys (the preset's own link format).
    fn panel_link(&self, extra: &str) -> String {
        match self.preset() {
            Some(p) => p.panel_link(extra),
            None => format!("v=1&{extra}"),
        }
    }

    /// The step's link (`v=1&preset=…&…`), without the tour's own key.
    pub fn link(&self) -> String {
        self.panel_link(self.extra)
    }

    /// The link of claim `c`'s run.
    pub fn claim_link(&self, c: &Claim) -> String {
        self.panel_link(c.panel())
    }

    /// `s` with each `{i}` replaced by claim i's text.
    fn fill(&self, s: &str) -> String {
        let mut out = s.to_string();
        for (i, c) in self.claims.iter().enumerate() {
            out = out.replace(&format!("{{{i}}}"), &c.text());
        }
        out
    }

    /// What the step says, its numbers filled in.
    pub fn body(&self) -> String {
        self.fill(self.text)
    }

    /// What to try, its numbers filled in.
    pub fn try_this(&self) -> String {
        self.fill(self.try_text)
    }
}
