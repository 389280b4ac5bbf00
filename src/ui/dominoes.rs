//! The domino rows: one tile per skill, coloured like its curve and labelled with its
//! frequency, rotated about its bottom-right corner by `lab::view::tile_angle` (a slight lean
//! while the skill rises, a fall as it crosses from 2/3 of the threshold to the threshold, so
//! tiles tip one after another; a learned skill lies flat). Prerequisites (`and` / `or` of the Resource model) are drawn as arcs
//! from each parent to its composite skill, which stays hatched ("waiting") until its gate
//! opens. Many skills wrap onto several rows; beyond [`MAX_TILES`] a heat strip.

use super::state::{ChartCanvases, Playback, Runs, Setup, Side};
use crate::lab::skill_freqs;
use crate::lab::view::tile_angle;
use crate::link::{Config, Model};
use crate::plot::run::{css_color, sig2, skill_color};
use leptos::ev;
use leptos::prelude::*;

/// Up to this many skills are drawn as tiles; more become a heat strip.
pub const MAX_TILES: usize = 100;
/// Narrowest slot a tile gets before the row wraps (CSS pixels).
const MIN_SLOT: f64 = 30.0;

/// A composite skill's parents (0-based) and whether all (AND) or one (OR) must be learned.
#[derive(Clone, Debug, PartialEq)]
struct Needs {
    parents: Vec<usize>,
    all: bool,
}

fn needs(c: &Config) -> Vec<Option<Needs>> {
    let n = c.skills();
    let mut out = vec![None; n];
    if c.model != Model::Resource {
        return out;
    }
    for (list, all) in [(&c.and, true), (&c.or, false)] {
        for (k, pre) in list {
            if let Some(slot) = out.get_mut(k.wrapping_sub(1)) {
                *slot = Some(Needs {
                    parents: pre
                        .iter()
                        .map(|p| p.wrapping_sub(1))
                        .filter(|&p| p < n)
                        .collect(),
                    all,
                });
            }
        }
    }
    out
}

/// Columns for `n` tiles in `width` CSS pixels: as few rows as fit, balanced.
fn columns(n: usize, width: f64) -> usize {
    let max_cols = ((width / MIN_SLOT).floor() as usize).max(1);
    let rows = n.div_ceil(max_cols).max(1);
    n.div_ceil(rows).max(1)
}

/// The width the domino rows get (the lab column, less its padding).
fn row_width() -> f64 {
    let w = window()
        .inner_width()
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(1000.0);
    let lab = if w >= 1200.0 { w - 360.0 } else { w };
    lab.min(1100.0) - 64.0
}

/// The parts of the state a domino row shows.
#[derive(Clone, Copy)]
struct Shown {
    runs: Runs,
    playback: Playback,
    canvases: ChartCanvases,
}

#[component]
pub fn Dominoes(
    setup: Setup,
    runs: Runs,
    playback: Playback,
    canvases: ChartCanvases,
) -> impl IntoView {
    let shown = Shown {
        runs,
        playback,
        canvases,
    };
    let width = RwSignal::new(row_width());
    let resize = window_event_listener(ev::resize, move |_| {
        let w = row_width();
        if (w - width.get_untracked()).abs() > 20.0 {
            width.set(w);
        }
    });
    on_cleanup(move || resize.remove());
    view! {
        <section class="dominoes-wrap" aria-label="Dominoes: one tile per skill">
            <h2>"Dominoes"</h2>
            <p class="hint">
                "One tile per skill, coloured like its curve and labelled with its frequency: it tips over as the skill is learned."
            </p>
            {move || {
                let w = width.get();
                let cfg = setup.config.get();
                let b = setup.config_b.get();
                let both = b.is_some();
                view! {
                    {both.then(|| view! { <h3 class="side-head">"A"</h3> })}
                    {row(shown, Side::A, &cfg, w)}
                    {b.map(|cb| view! {
                        <h3 class="side-head">"B"</h3>
                        {row(shown, Side::B, &cb, w)}
                    })}
                }
            }}
        </section>
    }
}

fn row(shown: Shown, side: Side, cfg: &Config, width: f64) -> AnyView {
    let Shown {
        runs,
        playback,
        canvases,
    } = shown;
    let n = cfg.skills();
    let canvases = canvases.side(side);
    let testid = match side {
        Side::A => "dominoes",
        Side::B => "dominoes-b",
    };
    if n > MAX_TILES {
        return view! {
            <div class="strip-wrap" data-testid=testid>
                <canvas class="strip" node_ref=canvases.strip role="img"
                    aria-label=format!("Heat strip of {n} skill levels, from skill 1 on the left; yellow = learned")></canvas>
            </div>
        }
        .into_any();
    }
    let freqs = skill_freqs(cfg);
    let names = cfg.skill_names();
    let thr = cfg.thr;
    let needs = needs(cfg);
    let cols = columns(n, width);
    let rows = n.div_ceil(cols);
    // The level of skill i at the shown step.
    let level = move |i: usize| {
        runs.version.track();
        let at = playback.shown();
        let get = |r: &crate::lab::Run| {
            r.frame_at(at)
                .and_then(|f| f.levels.get(i).copied())
                .unwrap_or(0.0)
        };
        match side {
            Side::A => runs.a.with_value(get),
            Side::B => runs.b.with_value(|r| r.as_ref().map(get).unwrap_or(0.0)),
        }
    };
    let learned = move |i: usize| level(i) > thr;
    let rows_view = (0..rows)
        .map(|r| {
            let range = r * cols..((r + 1) * cols).min(n);
            let lane = links_lane(&needs, range.clone(), cols, n, learned);
            let tiles = range
                .map(|i| {
                    tile(
                        i,
                        n,
                        &freqs,
                        &names,
                        needs[i].clone(),
                        thr,
                        runs.slow,
                        level,
                        learned,
                    )
                })
                .collect_view();
            view! {
                {lane}
                <ol class="dominoes" start=r * cols + 1
                    style:grid-template-columns=format!("repeat({cols}, minmax(0, 1fr))")>
                    {tiles}
                </ol>
            }
        })
        .collect_view();
    view! {
        <div class="domino-rows" class:multi={rows > 1} data-testid=testid>
            {rows_view}
        </div>
    }
    .into_any()
}

/// One lane of arcs above a row: parent → composite for every composite in `range`.
fn links_lane(
    needs: &[Option<Needs>],
    range: std::ops::Range<usize>,
    cols: usize,
    n: usize,
    learned: impl Fn(usize) -> bool + Copy + Send + Sync + 'static,
) -> Option<impl IntoView> {
    let links: Vec<(usize, usize, bool)> = range
        .clone()
        .flat_map(|child| {
            needs[child]
                .iter()
                .flat_map(move |nd| nd.parents.iter().map(move |&p| (p, child, nd.all)))
        })
        .collect();
    if links.is_empty() {
        return None;
    }
    let x = move |i: usize| (i % cols) as f64 + 0.5;
    let paths = links
        .into_iter()
        .map(|(p, c, all)| {
            let (x1, x2) = (x(p), x(c));
            // Higher arcs for longer links, so they do not overlap. A cubic from y = 1 with
            // both control points at `top` peaks at 1 − ¾(1 − top).
            let peak = (0.75 - 0.15 * (x1 - x2).abs()).max(0.06);
            let top = 1.0 - (1.0 - peak) / 0.75;
            let d = format!("M {x1} 1 C {x1} {top:.3} {x2} {top:.3} {x2} 1");
            let color = css_color(skill_color(p, n));
            let kind = if all { "and" } else { "or" };
            view! {
                <path
                    d=d
                    class=format!("link {kind}")
                    class:open=move || learned(p)
                    stroke=color
                    data-testid="link"
                    vector-effect="non-scaling-stroke"
                >
                    <title>{format!("skill {} {} skill {}", p + 1, if all { "is needed by" } else { "can unlock" }, c + 1)}</title>
                </path>
            }
        })
        .collect_view();
    Some(view! {
        <svg class="links" viewBox=format!("0 0 {cols} 1") preserveAspectRatio="none" aria-hidden="true">
            {paths}
        </svg>
    })
}

/// A frequency in at most six characters under a tile: 0.65, 0.0080, 9.9e-4.
fn short_freq(p: f64) -> String {
    if p > 0.0 && p < 1e-3 {
        format!("{p:.1e}")
    } else {
        sig2(p)
    }
}

#[allow(clippy::too_many_arguments)]
fn tile(
    i: usize,
    n: usize,
    freqs: &[f64],
    names: &[String],
    needs: Option<Needs>,
    thr: f64,
    slow: RwSignal<u64>,
    level: impl Fn(usize) -> f64 + Copy + Send + Sync + 'static,
    learned: impl Fn(usize) -> bool + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let color = css_color(skill_color(i, n));
    let freq = freqs.get(i).map(|p| short_freq(*p)).unwrap_or_default();
    // the real networks' tiles are named tasks ("task x1⊕x2"), the toys' numbered skills
    let (who, idx) = match names.get(i) {
        Some(name) => (format!("task {name}"), name.clone()),
        None => (format!("skill {}", i + 1), (i + 1).to_string()),
    };
    let mut title = if freq.is_empty() {
        who
    } else {
        format!("{who} (frequency {freq})")
    };
    let needs_text = needs.as_ref().map(|nd| {
        let names: Vec<String> = nd.parents.iter().map(|p| (p + 1).to_string()).collect();
        names.join(if nd.all { "&" } else { "|" })
    });
    if let Some(nd) = &needs {
        let names: Vec<String> = nd.parents.iter().map(|p| (p + 1).to_string()).collect();
        title.push_str(&format!(
            ", needs skill {} {}",
            names.join(if nd.all { " and " } else { " or " }),
            if nd.all { "(all)" } else { "(any one)" }
        ));
    }
    // A composite waits until its gate opens: all parents learned (AND) or one (OR).
    let waiting = move || match &needs {
        None => false,
        Some(nd) if nd.all => nd.parents.iter().any(|&p| !learned(p)),
        Some(nd) => !nd.parents.is_empty() && nd.parents.iter().all(|&p| !learned(p)),
    };
    let label = title.clone();
    view! {
        <li class="slot" data-testid="tile" title=title>
            <div class="stage">
                <div
                    class="tile"
                    class:waiting=waiting
                    style:background-color=color
                    style:transform=move || {
                        let a = tile_angle(level(i), thr);
                        format!("rotate({a:.2}deg)")
                    }
                    aria-label=move || {
                        slow.track();
                        untrack(|| format!("{label}: level {:.2}", level(i)))
                    }
                    role="img"
                ></div>
            </div>
            <span class="idx">{idx}</span>
            <span class="freq">{freq}</span>
            {needs_text.map(|t| view! { <span class="needs" data-testid="needs">{format!("⇐{t}")}</span> })}
        </li>
    }
}
