//! Pre-drawn figures (issue "The first minute"; README "First load"): the skill chart of the
//! default run and of every toy-model panel of the presets, drawn at build time by the CLI
//! (`skills predraw`, called from Trunk's post-build hook in Trunk.toml) with the page's own
//! drawing code on plotters' SVG backend. index.html shows the one that matches the address
//! (web/first.js) while the WebAssembly module loads, so a reader sees the figure in the
//! first second and the live canvas replaces it when the lab starts.
//!
//! The picture is the run's whole cascade, framed as the page frames it when the run is done
//! (`lab::view::axis_end`), with about [`POINTS`] points per curve so that a file stays near
//! 20 KB (about 6 KB gzipped).

use crate::export::{skills_svg, SvgChart};
use crate::lab::view::finished_axis_end;
use crate::link::{self, page, presets::PRESETS, Config};
use crate::plot::run::Theme;
use crate::sim::metrics::{kept_rows, Milestones};
use crate::sim::{self, Frame};

/// The size the figures are drawn at (CSS pixels; the SVG scales to its box).
pub const SIZE: (u32, u32) = (640, 340);
/// About this many points per curve.
pub const POINTS: usize = 160;

/// The file name (without `.svg`) of the pre-drawn figure for a page address's query, or
/// `None` when no figure is drawn for it. The page-only keys (`embed`, `theme`, …) and `v=1`
/// are left out; what remains is kept in its order, `=` written as `-` and `&` as `_`;
/// nothing is left → `default`. Only `[A-Za-z0-9.,-]` survive in a name, so a crafted
/// address can name no other file. web/first.js computes the same name (tested in
/// e2e/firstload.test.mjs against the files this module writes).
pub fn name_of(query: &str) -> Option<String> {
    let q = query.trim_start_matches('?');
    let q = q.split('#').next().unwrap_or("");
    let kept: Vec<&str> = q
        .split('&')
        .filter(|kv| !kv.is_empty() && *kv != "v=1")
        .filter(|kv| !page::is_page_key(kv.split('=').next().unwrap_or("")))
        .collect();
    if kept.is_empty() {
        return Some("default".into());
    }
    let name = kept.join("_").replace('=', "-");
    let ok = name.len() <= 120
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b',' | b'-' | b'_'));
    ok.then_some(name)
}

/// Every link that gets a pre-drawn figure: the default page and every toy-model panel of
/// the presets (the real networks take seconds to minutes to run; their pages show the
/// skeleton until the lab starts). Scatter panels (`runs=`) are sweeps, not runs.
pub fn links() -> Vec<String> {
    let mut out = vec!["v=1".to_string()];
    for p in PRESETS {
        for (_, extra) in p.panels {
            let l = p.panel_link(extra);
            let parsed = link::parse(&l);
            if parsed.config.model.is_net() || l.contains("runs=") {
                continue;
            }
            if !out.contains(&l) {
                out.push(l);
            }
        }
    }
    out
}

/// About `max` of `frames`, evenly spaced, always with the first and the last (the kept rows
/// of `sim::metrics::kept_rows`).
fn thin(frames: &[Frame], max: usize) -> Vec<Frame> {
    let Some(last) = frames.len().checked_sub(1) else {
        return vec![];
    };
    kept_rows(last, frames.len().div_ceil(max.max(2)))
        .map(|i| frames[i].clone())
        .collect()
}

/// The pre-drawn skill chart of `cfg`'s run (light theme; the page darkens it in dark mode).
pub fn svg(cfg: &Config) -> Result<String, String> {
    let traj = sim::run(cfg.spec().map_err(|e| e.to_string())?, cfg.steps, 1, false)
        .map_err(|e| e.to_string())?;
    let n = cfg.skills();
    let all = Milestones::of(&traj.frames, n, cfg.thr);
    let end = finished_axis_end(cfg.steps, &traj.frames, &all);
    let on_axis = traj.frames.partition_point(|f| f.step <= end);
    let frames = thin(&traj.frames[..on_axis], POINTS);
    let milestones = Milestones::of(&frames, n, cfg.thr);
    let freqs = cfg.skill_freqs();
    let names = cfg.skill_names();
    skills_svg(&SvgChart {
        frames: &frames,
        freqs: &freqs,
        steps: end,
        milestones: Some(&milestones),
        overlays: &[],
        cursor: None,
        theme: Theme::Light,
        size: SIZE,
        net: false,
        names: &names,
    })
}

/// The markers in web/first.js that [`with_names`] fills in.
pub const NAMES_MARKER: &str = "var DRAWN = [];";
pub const PAGE_KEYS_MARKER: &str = "var PAGE_KEYS = [];";
pub const TOUR_MARKER: &str = "var TOUR = [];";

/// The figure name of each step of the tour (`lab::tour::STEPS`, in order): an address that
/// names only a step (`?tour=3`) shows that step's figure.
fn tour_names() -> Vec<String> {
    crate::lab::tour::STEPS
        .iter()
        .map(|s| name_of(&s.link()).unwrap_or_default())
        .collect()
}

/// The page-only keys ([`page::KEYS`] and every `<name>_hide` flag of [`page::HIDE`]): what
/// [`name_of`] leaves out, and first.js with it.
fn page_keys() -> Vec<String> {
    let mut keys: Vec<String> = page::KEYS.iter().map(|k| k.to_string()).collect();
    keys.extend(page::HIDE.iter().map(|h| format!("{}_hide", h.name)));
    keys
}

/// web/first.js with the names of the drawn figures in its [`NAMES_MARKER`], the page-only
/// keys in its [`PAGE_KEYS_MARKER`] and the tour's figure names in its [`TOUR_MARKER`] (as
/// JSON arrays: names and keys are `[A-Za-z0-9.,_-]` only, so they need no escaping).
pub fn with_names(script: &str, names: &[String]) -> Result<String, String> {
    for marker in [NAMES_MARKER, PAGE_KEYS_MARKER, TOUR_MARKER] {
        if script.matches(marker).count() != 1 {
            return Err(format!("the script must contain `{marker}` once"));
        }
    }
    let list = |xs: &[String]| {
        xs.iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(",")
    };
    Ok(script
        .replace(NAMES_MARKER, &format!("var DRAWN = [{}];", list(names)))
        .replace(
            PAGE_KEYS_MARKER,
            &format!("var PAGE_KEYS = [{}];", list(&page_keys())),
        )
        .replace(
            TOUR_MARKER,
            &format!("var TOUR = [{}];", list(&tour_names())),
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_leave_out_page_keys_and_refuse_strange_bytes() {
        assert_eq!(name_of("").as_deref(), Some("default"));
        assert_eq!(name_of("?v=1").as_deref(), Some("default"));
        assert_eq!(
            name_of("?v=1&embed=1&theme=dark&autoplay=1").as_deref(),
            Some("default")
        );
        assert_eq!(
            name_of("?v=1&preset=fig4&opt=signgd&p1=0.9&embed=1#vs=opt%3Dsgd").as_deref(),
            Some("preset-fig4_opt-signgd_p1-0.9")
        );
        assert_eq!(
            name_of("?preset=fig5&alpha=2&n=10").as_deref(),
            Some("preset-fig5_alpha-2_n-10")
        );
        assert_eq!(name_of("?p=0.5,0.3,0.2").as_deref(), Some("p-0.5,0.3,0.2"));
        for bad in ["?preset=../../x", "?a=%2F", "?x=<svg>", "?a=b/c", "?a=b c"] {
            assert_eq!(name_of(bad), None, "{bad}");
        }
        assert_eq!(name_of(&format!("?n={}", "9".repeat(200))), None);
    }

    #[test]
    fn the_script_gets_the_names() {
        let js = include_str!("../web/first.js");
        let out = with_names(js, &["default".into(), "preset-fig9".into()]).unwrap();
        assert!(out.contains("var DRAWN = [\"default\",\"preset-fig9\"];"));
        assert!(out.contains(
            "var PAGE_KEYS = [\"embed\",\"ui\",\"autoplay\",\"theme\",\"tour\",\"title_hide\""
        ));
        assert!(with_names("no marker", &[]).is_err());
        // the tour's steps by their figures, in order: step 3 is its link's
        let step = |i: usize| name_of(&crate::lab::tour::STEPS[i].link()).unwrap();
        let tour = out
            .split("var TOUR = [")
            .nth(1)
            .unwrap()
            .split(']')
            .next()
            .unwrap();
        let names: Vec<&str> = tour.trim_matches('"').split("\",\"").collect();
        assert_eq!(names.get(2), Some(&step(2).as_str()));
        assert_eq!(names.len(), crate::lab::tour::STEPS.len());
    }

    #[test]
    fn every_predrawn_link_is_a_toy_run_with_a_distinct_name() {
        let links = links();
        assert!(links.len() > 30, "{}", links.len());
        let mut names: Vec<String> = links.iter().map(|l| name_of(l).unwrap()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), links.len(), "names collide");
        assert!(names.contains(&"default".to_string()));
    }

    #[test]
    fn the_default_figure_is_small_and_shows_the_cascade() {
        let cfg = link::parse("v=1").config;
        let s = svg(&cfg).unwrap();
        assert!(
            s.starts_with("<svg") && s.contains("skill level s_i"),
            "{}",
            &s[..80]
        );
        assert!(s.matches("<polyline").count() >= cfg.skills());
        assert!(s.len() < 40_000, "{} bytes", s.len());
        // the axis ends soon after the last skill is learned (571 in the default run), not at 1000
        assert!(!s.contains(">1000<"), "the axis runs to the end of the run");
    }
}
