//! Skill Dominoes: an interactive lab for the toy models of "Physics of Skill Learning"
//! (Liu, Liu, Michaud, Gore, Tegmark, arXiv 2501.12391).
//!
//! * [`sim`]: the pure simulation core (no web crate reachable from it);
//! * [`params`]: the one parameter vocabulary (the share link's query string);
//! * [`presets`]: one link per figure panel of the paper;
//! * [`share`]: exports (CSV, JSON, SVG), the embed snippet and the page-only link keys;
//! * [`chart`]: chart drawing, generic over plotters' backend;
//! * [`sweep`], [`sweep_plot`]: sweeps over a grid of links, and their charts;
//! * [`lab`]: the page's runs, theory overlays and comparisons, without the DOM;
//! * `ui` (wasm32 only): the Leptos page.

// `unsafe` lives only in the matrix-product and activation kernels (`sim::nn::gemm`,
// `sim::nn::activations`), which allow it on their module; tests/layering.rs checks the text.
#![deny(unsafe_code)]

pub mod export;
pub mod lab;
pub mod link;
pub mod plot;
pub mod sim;
pub mod sweep;

#[cfg(target_arch = "wasm32")]
pub mod ui;
