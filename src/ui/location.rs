//! The page's address: the page-only keys it was opened with ([`crate::export::PageOpts`]:
//! `embed`, `ui`, `autoplay`, `theme`, `tour`), the link query the configuration is parsed from
//! (without those keys), whether it is a sweep, and writing a new address into the history
//! (the page-only keys kept, so an embed stays an embed).

use crate::export::{self, PageOpts};
use leptos::prelude::*;
use std::cell::Cell;
use wasm_bindgen::JsValue;

thread_local! {
    /// The page-only keys, read once from the address the page was opened with.
    static OPTS: Cell<Option<PageOpts>> = const { Cell::new(None) };
}

/// The page-only keys of the address the page was opened with.
pub fn opts() -> PageOpts {
    OPTS.with(|o| match o.get() {
        Some(v) => v,
        None => {
            let mut v = PageOpts::from_query(&window().location().search().unwrap_or_default());
            // a step the tour does not have is no tour (ui::tour names the problem)
            v.tour = v
                .tour
                .filter(|k| crate::lab::tour::step(*k as usize).is_some());
            o.set(Some(v));
            v
        }
    })
}

/// Set the tour's position (`tour=`, kept in every address the page writes from now on).
pub fn set_tour(k: Option<usize>) {
    let mut o = opts();
    o.tour = k.and_then(|k| u8::try_from(k).ok());
    OPTS.with(|c| c.set(Some(o)));
}

/// The address names a step of the tour (`tour=k`) and no link of its own (nothing but
/// page-only keys and `v=`): then its link is the step's ([`link_query`]).
pub fn tour_link_only() -> bool {
    tour_step_link(&window().location().search().unwrap_or_default()).is_some()
}

/// The link of the step `search` names, when it names one and no link of its own.
fn tour_step_link(search: &str) -> Option<String> {
    let k = PageOpts::from_query(search).tour?;
    let own = export::config_query(search);
    let own_keys = crate::link::query::pairs(&own).any(|(k, _)| k != "v");
    if own_keys {
        return None;
    }
    crate::lab::tour::step(k as usize).map(|s| s.link())
}

/// The address's query for `link::parse`: without the page-only keys
/// ([`export::config_query`]). An address without a query on a figure page of the published
/// site (`fig/<id>/`) opens the link of the page's [`crate::site::LINK_META`] tag, and one
/// that names only a step of the tour (`?tour=3`) that step's link.
pub fn link_query() -> String {
    let search = window().location().search().unwrap_or_default();
    if search.len() <= 1 {
        if let Some(link) = page_link() {
            return export::config_query(&link);
        }
    }
    if let Some(link) = tour_step_link(&search) {
        return link;
    }
    export::config_query(&search)
}

/// The content of `<meta name="skill-dominoes:link">`, when the page has one.
fn page_link() -> Option<String> {
    let selector = format!("meta[name=\"{}\"]", crate::site::LINK_META);
    document()
        .query_selector(&selector)
        .ok()??
        .get_attribute("content")
}

/// The address's fragment (`#vs=…` names a comparison), with its `#`, without the secret a
/// WordPress host appends (`#?secret=…`, [`export::split_host_secret`]).
pub fn hash() -> String {
    export::split_host_secret(&window().location().hash().unwrap_or_default()).0
}

/// The address's query and fragment as they are (`?…#…`).
pub fn here() -> String {
    let loc = window().location();
    format!(
        "{}{}",
        loc.search().unwrap_or_default(),
        loc.hash().unwrap_or_default()
    )
}

/// The sweep link of the address, when it names a sweep (`sweep=…`, a sweep preset,
/// `runs=K`): then the page is the sweep page.
pub fn requested_sweep() -> Option<String> {
    crate::sweep::as_sweep(&link_query())
}

/// A link of the page (`?query#fragment`) with the page-only keys kept, so an embed stays an
/// embed when the page rewrites its address.
pub fn keep_page_keys(link: String) -> String {
    let o = opts();
    if o == PageOpts::default() {
        link
    } else {
        o.add_to(&link)
    }
}

/// Write `link` (`?query#fragment`, page-only keys added) into the address: a new history
/// entry (`push`) or in place of the current one.
pub fn set_address(link: String, push: bool) {
    let url = keep_page_keys(link);
    if let Ok(h) = window().history() {
        let _ = if push {
            h.push_state_with_url(&JsValue::NULL, "", Some(&url))
        } else {
            h.replace_state_with_url(&JsValue::NULL, "", Some(&url))
        };
    }
}

/// Load the address again (the history moved to a page of the other kind).
pub fn reload() {
    let _ = window().location().reload();
}

/// The app's address without query or fragment, for share links and embeds: on a figure page
/// of the published site (`…/fig/<id>/`, with a [`crate::site::LINK_META`] tag) the app's own
/// page two levels up, so a link shared from there is the app's link.
pub fn page_url() -> String {
    let href = window().location().href().unwrap_or_default();
    let here = href.split(['?', '#']).next().unwrap_or("");
    if page_link().is_some() {
        let mut parts = here.trim_end_matches('/').rsplitn(3, '/');
        if let (Some(_id), Some("fig"), Some(root)) = (parts.next(), parts.next(), parts.next()) {
            return format!("{root}/");
        }
    }
    here.to_string()
}

/// Play on load: `autoplay=1` in an embed, unless `autoplay=0` in the full app, and never
/// when the reader asked for reduced motion.
pub fn autoplay() -> bool {
    opts().wants_autoplay() && !super::animation::prefers_reduced_motion()
}
