//! The precomputed grids in the sweep page ([`crate::sweep::stored`]): fetched from the site
//! (`grids/<file>`) when the sweep link names a preset that has them, so the first module
//! does not carry them; what was loaded, with its provenance, for the page to show; and the
//! verdicts of live re-runs of stored cells.

use super::workers::{fetch_text, site_file, Runner};
use crate::sweep::stored::{self, Provenance, Stored, StoredGrid};
use leptos::prelude::*;
use std::collections::HashMap;

/// A stored grid as the page shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    pub file: &'static str,
    pub note: &'static str,
    /// Its runs (rows).
    pub runs: usize,
    pub provenance: Provenance,
}

/// The page's precomputed grids and re-runs.
#[derive(Clone, Copy)]
pub struct Precomputed {
    /// The grids loaded for the current link, and those that could not be (file, why).
    pub loaded: RwSignal<Vec<Loaded>>,
    pub failed: RwSignal<Vec<(String, String)>>,
    /// Stored fields by (base link and outputs, grid point), as the results' cache keys them.
    pub tails: StoredValue<HashMap<(String, String), String>>,
    /// Per run index: what its live re-run found (or that it is running).
    pub verdicts: RwSignal<HashMap<usize, String>>,
    /// The runner of the re-runs (one worker, kept while it works).
    pub runner: StoredValue<Option<Runner>, LocalStorage>,
    /// When each re-run was started (ms), by run index.
    pub started: StoredValue<HashMap<usize, f64>>,
}

impl Precomputed {
    pub fn new() -> Precomputed {
        Precomputed {
            loaded: RwSignal::new(vec![]),
            failed: RwSignal::new(vec![]),
            tails: StoredValue::new(HashMap::new()),
            verdicts: RwSignal::new(HashMap::new()),
            runner: StoredValue::new_local(None),
            started: StoredValue::new(HashMap::new()),
        }
    }

    /// The stored fields of a grid point, if it is precomputed.
    pub fn tail(self, key: &(String, String)) -> Option<String> {
        self.tails.with_value(|t| t.get(key).cloned())
    }

    /// Stop a re-run in progress.
    pub fn stop(self) {
        if let Some(r) = self.runner.try_update_value(|r| r.take()).flatten() {
            r.stop();
        }
    }
}

impl Default for Precomputed {
    fn default() -> Self {
        Precomputed::new()
    }
}

/// Fetch and read the stored grids of a sweep preset: each grid, read, or why not.
pub async fn fetch_grids(preset: &str) -> Vec<(&'static StoredGrid, Result<Stored, String>)> {
    let mut out = vec![];
    for g in stored::grids_of(preset) {
        let got = match site_file(&format!("grids/{}", g.file)) {
            Ok(url) => fetch_text(&url).await.and_then(|t| stored::read(&t)),
            Err(e) => Err(e),
        };
        out.push((g, got));
    }
    out
}
