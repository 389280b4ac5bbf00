//! "Inside the real networks" without the DOM: the attribution of a run's hidden units to its
//! tasks, recorded every few steps ([`Inside`], docs/models.md §12), the Resource model's
//! allocation for the same task frequencies ([`ResourceAllocation`]), and where the two agree
//! ([`Comparison`], the sentence the page shows).

use crate::sim::nn::Attribution;
use crate::sim::resource::{Resource, ResourceParams};
use crate::sim::Simulation;

/// Snapshots a run keeps at most (about): the interval grows with the run's length.
const MAX_SNAPSHOTS: u32 = 200;

/// The attribution interval K for a run of `steps` steps: every 10 steps, or fewer
/// snapshots for long runs (a page-side choice, never part of the run).
pub fn every_for(steps: u32) -> u32 {
    steps.div_ceil(MAX_SNAPSHOTS).max(10)
}

/// The attribution of one run, taken every `every` steps from the step it was switched on.
#[derive(Clone, Debug, Default)]
pub struct Inside {
    pub every: u32,
    /// (step, attribution at that step's θ), in step order.
    pub snapshots: Vec<(u32, Attribution)>,
}

impl Inside {
    pub fn new(every: u32) -> Self {
        Inside {
            every: every.max(1),
            snapshots: vec![],
        }
    }

    /// Take a snapshot of `sim` when its step is due (a multiple of `every`, not yet taken).
    /// Returns false for a model without attribution (toy models, grokking).
    pub fn record(&mut self, sim: &mut Simulation) -> bool {
        let Simulation::Net(net) = sim else {
            return false;
        };
        let e = net.experiment_mut();
        let step = e.step_count();
        if step % self.every != 0 || self.snapshots.last().is_some_and(|s| s.0 >= step) {
            return true;
        }
        match e.attribution() {
            Some(a) => {
                self.snapshots.push((step, a));
                true
            }
            None => false,
        }
    }

    /// The fraction of the network serving each task (then the idle fraction) per snapshot.
    pub fn serving(&self) -> Vec<(u32, Vec<f64>)> {
        self.snapshots
            .iter()
            .map(|(s, a)| (*s, a.serving()))
            .collect()
    }
}

/// Whether a model can be looked inside: the real networks whose tasks are output columns.
pub fn has_inside(model: crate::link::Model) -> bool {
    use crate::link::Model;
    matches!(model, Model::Parity | Model::Modular)
}

/// The Resource model (docs/models.md §4.1, its default η_eff and N0, C = I, no gates) for
/// the frequencies `p` (normalised): its share r_i of the resource at every step until every
/// skill is learned (s_i ≥ `thr`), and each skill's learning step.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceAllocation {
    /// (step, r_1 … r_n) per step, from step 0.
    pub rows: Vec<(u32, Vec<f64>)>,
    /// First step with s_i ≥ thr per skill.
    pub learned: Vec<Option<u32>>,
}

/// Steps the Resource model is run at most for the comparison.
const RESOURCE_MAX_STEPS: u32 = 100_000;

impl ResourceAllocation {
    pub fn of(p: &[f64], thr: f64) -> Option<Self> {
        let mut res = Resource::new(ResourceParams {
            gates: vec![None; p.len()],
            p: crate::sim::freq::normalise(p.to_vec()),
            ..ResourceParams::default()
        })
        .ok()?;
        let n = p.len();
        let mut out = ResourceAllocation {
            rows: vec![],
            learned: vec![None; n],
        };
        loop {
            let t = res.step_count();
            for (i, l) in out.learned.iter_mut().enumerate() {
                if l.is_none() && 1.0 - res.u(i) >= thr {
                    *l = Some(t);
                }
            }
            out.rows.push((t, res.shares()));
            if out.learned.iter().all(|l| l.is_some()) || t >= RESOURCE_MAX_STEPS {
                break;
            }
            res.step().ok()?;
        }
        Some(out)
    }
}

/// Mean of column `i` over the rows with step in [from, to) (None when there is none).
fn phase_mean(rows: &[(u32, Vec<f64>)], i: usize, from: u32, to: Option<u32>) -> Option<f64> {
    let vals: Vec<f64> = rows
        .iter()
        .filter(|(s, _)| *s >= from && to.is_none_or(|t| *s < t))
        .map(|(_, v)| v[i])
        .collect();
    (!vals.is_empty()).then(|| vals.iter().sum::<f64>() / vals.len() as f64)
}

/// One phase of the comparison: the mean share of `task` in the network and in the Resource
/// model over the phase (each on its own clock).
#[derive(Clone, Debug, PartialEq)]
pub struct Phase {
    pub task: usize,
    pub network: f64,
    pub resource: f64,
    /// The network's phase has not ended yet.
    pub so_far: bool,
}

impl Phase {
    /// The network and the Resource model agree on the phase when both give the task more
    /// than half of what they have, or both at most half: they agree on who gets most.
    pub fn agree(&self) -> bool {
        (self.network > 0.5) == (self.resource > 0.5)
    }
}

/// "most" (more than half) or "less than half".
fn how_much(x: f64) -> &'static str {
    if x > 0.5 {
        "most"
    } else {
        "at most half"
    }
}

/// "they agree: both give it most" / "they differ: the network gives it most, the Resource
/// model at most half".
fn verdict(p: &Phase) -> String {
    if p.agree() {
        format!("they agree, both give it {}", how_much(p.network))
    } else {
        format!(
            "they differ, the network gives it {} and the Resource model {}",
            how_much(p.network),
            how_much(p.resource)
        )
    }
}

/// Where the network allocates its units as the Resource model allocates its resource:
/// before the first task is learned (that task's share), and between the first and the last
/// task learned (the last task's share). Tasks are ordered by the network's learning steps.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub first: Phase,
    pub between: Option<Phase>,
}

impl Comparison {
    /// `learned`: the network's learning step per task (None: not yet). `None` when there
    /// are no snapshots before the first task is learned.
    pub fn of(
        inside: &Inside,
        learned: &[Option<u32>],
        resource: &ResourceAllocation,
    ) -> Option<Comparison> {
        let serving = inside.serving();
        let n = learned.len();
        if n == 0 || resource.learned.len() != n {
            return None;
        }
        // the network's order of learning (unlearned tasks last, in index order)
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| (learned[i].unwrap_or(u32::MAX), i));
        let (f, r) = (order[0], order[n - 1]);
        let first = Phase {
            task: f,
            network: phase_mean(&serving, f, 0, learned[f])?,
            resource: phase_mean(&resource.rows, f, 0, resource.learned[f])?,
            so_far: learned[f].is_none(),
        };
        let between = (n > 1)
            .then(|| {
                let start = learned[f]?;
                Some(Phase {
                    task: r,
                    network: phase_mean(&serving, r, start, learned[r])?,
                    resource: phase_mean(
                        &resource.rows,
                        r,
                        resource.learned[f]?,
                        resource.learned[r],
                    )?,
                    so_far: learned[r].is_none(),
                })
            })
            .flatten();
        Some(Comparison { first, between })
    }

    /// The page's sentence, e.g. "Before x1⊕x2 is learned, the network gives it 87 % of its
    /// units and the Resource model 73 % of its resource: they agree, both give it most. …".
    pub fn sentence(&self, names: &[String]) -> String {
        let name = |i: usize| names.get(i).cloned().unwrap_or(format!("s{}", i + 1));
        let pct = |x: f64| format!("{:.0} %", 100.0 * x);
        let f = &self.first;
        let mut s = format!(
            "Before {} is learned{}, the network gives it {} of its units and the Resource model {} of its resource: {}.",
            name(f.task),
            if f.so_far { " (so far)" } else { "" },
            pct(f.network),
            pct(f.resource),
            verdict(f)
        );
        if let Some(b) = &self.between {
            s += &format!(
                " Once {} is learned{}, {} gets {} of the network's units and {} of the Resource model's resource: {}.",
                name(f.task),
                if b.so_far { " (so far)" } else { "" },
                name(b.task),
                pct(b.network),
                pct(b.resource),
                verdict(b)
            );
        }
        s
    }
}

/// The Resource model's rows on the network's step axis: its clock stretched so that the
/// task the network learned first is learned at the same step in both (empty until the
/// network has learned a task), at most about `max_points` rows.
pub fn resource_on_axis(
    resource: &ResourceAllocation,
    learned: &[Option<u32>],
    max_points: usize,
) -> Vec<(f64, Vec<f64>)> {
    let first = (0..learned.len())
        .filter_map(|i| learned[i].map(|t| (t, i)))
        .min();
    let Some((t_net, f)) = first else {
        return vec![];
    };
    let Some(t_res) = resource.learned.get(f).copied().flatten() else {
        return vec![];
    };
    let scale = t_net as f64 / t_res.max(1) as f64;
    let every = resource.rows.len().div_ceil(max_points.max(2)).max(1);
    resource
        .rows
        .iter()
        .enumerate()
        .filter(|(k, _)| k % every == 0 || k + 1 == resource.rows.len())
        .map(|(_, (t, r))| (*t as f64 * scale, r.clone()))
        .collect()
}
