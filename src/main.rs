//! The web app's entry point (Trunk builds this binary for wasm32): mount the page. The same
//! module also runs inside the sweep workers (`web/sweep-worker.js`): there is no window there,
//! so nothing is mounted and the worker calls [`sweep_point`].

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

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("this binary is the web app; run scripts/serve");
    std::process::exit(1);
}
