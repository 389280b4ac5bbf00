//! The web app's entry point (Trunk builds this binary for wasm32): mount the page; nothing else.

#[cfg(target_arch = "wasm32")]
fn main() {
    skill_dominoes::ui::install_panic_hook();
    leptos::mount::mount_to_body(skill_dominoes::ui::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("this binary is the web app; run scripts/serve");
    std::process::exit(1);
}
