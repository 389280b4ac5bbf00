//! The web app's entry point (Trunk builds this binary for wasm32): mount the page. The same
//! module also runs inside the sweep workers (`web/sweep-worker.js`) and the network workers
//! (`web/net-worker.js`): there is no window there, so nothing is mounted and the worker calls
//! [`sweep_point`] or a [`NetWorker`].

#[cfg(target_arch = "wasm32")]
use wasm_bindgen::prelude::wasm_bindgen;

#[cfg(target_arch = "wasm32")]
fn main() {
    if web_sys::window().is_none() {
        // a sweep worker: panics go to the console (the page replaces the worker)
        std::panic::set_hook(Box::new(console_error_panic_hook::hook));
        return;
    }
    skill_dominoes::ui::install_panic_hook();
    leptos::mount::mount_to_body(skill_dominoes::ui::Root);
}

/// Run one grid point of a sweep (a plain link plus `record=…&fit=n0`) and return its result
/// fields (`skill_dominoes::sweep::run_point`). Called by the sweep workers.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
pub fn sweep_point(query: &str, outputs: &str) -> String {
    let outputs = skill_dominoes::sweep::Outputs::from_query(outputs).unwrap_or_default();
    skill_dominoes::sweep::run_point(query, &outputs)
}

/// A network worker's copy of a run (docs/models.md §13): built from the run's link, it
/// answers the page's rounds for the shards it is given (`Sharded::shard_work`). Called by
/// `web/net-worker.js`; the page's side is `ui::state::pool`.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
pub struct NetWorker {
    net: skill_dominoes::sim::nn::Net,
    outputs: usize,
}

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
impl NetWorker {
    /// The run of `query` (a network link, read and checked like any link).
    #[wasm_bindgen(constructor)]
    pub fn new(query: &str) -> Result<NetWorker, String> {
        let parsed = skill_dominoes::link::parse(query);
        if let Some(p) = parsed.problems.first() {
            return Err(format!("the run's link has a problem: {p}"));
        }
        match parsed.config.spec().map_err(|e| e.to_string())? {
            skill_dominoes::sim::ModelSpec::Net(p) => Ok(NetWorker {
                net: skill_dominoes::sim::nn::Net::new(p).map_err(|e| e.to_string())?,
                outputs: 0,
            }),
            _ => Err("the run is not a network".into()),
        }
    }

    /// One round: the reply to step `step` at θ (`theta`) with the step's mask (`mask`, when
    /// `has_mask`) for shards `from..to`: the shards' outputs followed by their block sums
    /// ([`NetWorker::outputs_len`] says where the outputs end).
    pub fn work(
        &mut self,
        step: u32,
        theta: Vec<f64>,
        mask: Vec<f64>,
        has_mask: bool,
        from: usize,
        to: usize,
    ) -> Result<Vec<f64>, String> {
        use skill_dominoes::sim::nn::{RoundOrder, Sharded};
        let order = RoundOrder {
            step,
            theta,
            mask: has_mask.then_some(mask),
        };
        let r = self
            .net
            .experiment_mut()
            .shard_work(&order, from..to)
            .map_err(|e| e.to_string())?;
        self.outputs = r.outputs.len();
        let mut out = r.outputs;
        out.extend_from_slice(&r.grads);
        Ok(out)
    }

    /// How many numbers of the last [`NetWorker::work`] are outputs.
    pub fn outputs_len(&self) -> usize {
        self.outputs
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("this binary is the web app; run scripts/serve");
    std::process::exit(1);
}
