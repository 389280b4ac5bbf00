//! The live preview's entry point (README "First load"): a second, small wasm module that
//! `web/start.js` loads before the lab's and that runs the address's run in the loading block
//! (`skill_dominoes::ui::preview`). `scripts/build-preview` builds it from Trunk's post-build
//! hook; natively it is an empty program.

#[cfg(target_arch = "wasm32")]
fn main() {
    // a panic stops the preview only (the lab loads as before); it goes to the console
    std::panic::set_hook(Box::new(console_error_panic_hook::hook));
    skill_dominoes::ui::preview::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("this binary is the page's live preview (wasm32 only); run scripts/serve");
    std::process::exit(1);
}
