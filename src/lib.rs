//! Skill Dominoes: an interactive lab for the toy models of "Physics of Skill Learning"
//! (Liu, Liu, Michaud, Gore, Tegmark, arXiv 2501.12391).
//!
//! The layers, bottom up (ARCHITECTURE.md has the code map):
//!
//! * [`sim`]: the pure simulation core, the toy models and the real networks (`sim::nn`);
//!   no web or drawing crate is named in it (tests/layering.rs);
//! * [`link`]: the one parameter vocabulary (the share link's query string), one declaration
//!   per key, and the presets of the paper's figures;
//! * [`sweep`]: sweeps over a grid of links, their CSV and the scaling exponents;
//! * [`plot`]: charts of a run and of a sweep, generic over plotters' backend;
//! * [`export`]: the trajectory CSV, JSON, SVG and the embed snippet;
//! * [`site`]: the published site's figure pages, preview cards and oEmbed documents;
//! * [`lab`]: the page's runs, theory overlays, comparisons and controls, without the DOM;
//! * `predraw` (native only): the figures drawn at build time that the page shows while it loads;
//! * `ui` (wasm32 only): the Leptos page.

// `unsafe` lives only in the matrix-product and activation kernels (`sim::nn::gemm`,
// `sim::nn::activations`), which allow it on their module; tests/layering.rs checks the text.
#![deny(unsafe_code)]

pub mod export;
pub mod lab;
pub mod link;
pub mod plot;
#[cfg(not(target_arch = "wasm32"))]
pub mod predraw;
pub mod sim;
pub mod site;
pub mod sweep;

#[cfg(target_arch = "wasm32")]
pub mod ui;
