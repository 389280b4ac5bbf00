//! The domino rows: one tile per skill, coloured like its curve and labelled with its
//! frequency, rotated about its bottom-right corner by `lab::view::tile_angle` (a slight lean
//! while the skill rises, a fall as it crosses from 2/3 of the threshold to the threshold, so
//! tiles tip one after another; a learned skill lies flat). Prerequisites (`and` / `or` of the Resource model) are drawn as arcs
//! from each parent to its composite skill, which stays hatched ("waiting") until its gate
//! opens. Many skills wrap onto several rows; beyond [`MAX_TILES`] a heat strip.
//!
//! The tiles are also the graph editor (`super::graph`, logic in `lab::graph`): where the
//! model reads `and` / `or`, a drag from tile to tile adds a prerequisite, an arc removes it,
//! a tile's ⇐ label switches AND/OR; where it reads `p`, each tile has a frequency bar to drag.
//! In a comparison, B's tiles edit B (its differences in `#vs=`), A's edit the link.

use super::graph::{DragKind, GraphEdit};
use super::state::{ChartCanvases, LabState, Playback, Runs, Side};
use crate::lab::view::tile_angle;
use crate::lab::{
    bar_height, cross_arc, freq_draggable, graph_editable, lane_arc, skill_freqs, Gate, Graph,
    RowSpan,
};
use crate::link::Config;
use crate::plot::run::{css_color, sig2, skill_color};
use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// Up to this many skills are drawn as tiles; more become a heat strip.
pub const MAX_TILES: usize = 100;
/// Narrowest slot a tile gets before the row wraps (CSS pixels).
const MIN_SLOT: f64 = 30.0;

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
pub fn Dominoes(lab: LabState) -> impl IntoView {
    let setup = lab.setup;
    let shown = Shown {
        runs: lab.runs,
        playback: lab.playback,
        canvases: lab.canvases,
    };
    let note = RwSignal::new(String::new());
    let edit = GraphEdit::new(lab, Side::A, note);
    let edit_b = GraphEdit::new(lab, Side::B, note);
    let width = RwSignal::new(row_width());
    let resize = window_event_listener(ev::resize, move |_| {
        let w = row_width();
        if (w - width.get_untracked()).abs() > 20.0 {
            width.set(w);
        }
    });
    on_cleanup(move || resize.remove());
    let editable = Memo::new(move |_| setup.config.with(graph_editable));
    let draggable = Memo::new(move |_| setup.config.with(freq_draggable));
    let arcs = Memo::new(move |_| setup.config.with(|c| !Graph::of(c).edges().is_empty()));
    view! {
        <section class="dominoes-wrap" aria-label="Dominoes: one tile per skill">
            <h2>"Dominoes"</h2>
            <p class="hint">
                "One tile per skill, coloured like its curve and labelled with its frequency: it tips over as the skill is learned."
                {move || (draggable.get() && !editable.get()).then_some(" Drag a tile's bar up or down to change its frequency.")}
            </p>
            {move || (editable.get() || arcs.get()).then(|| legend(editable.get()))}
            {move || {
                let w = width.get();
                let cfg = setup.config.get();
                let b = setup.config_b.get();
                let both = b.is_some();
                view! {
                    {both.then(|| view! { <h3 class="side-head">"A"</h3> })}
                    {row(shown, Side::A, &cfg, w, Some(edit))}
                    {b.map(|cb| view! {
                        <h3 class="side-head">"B"
                            {(graph_editable(&cb) || freq_draggable(&cb)).then_some(view! {
                                <span class="side-note" data-testid="b-edits">" · its tiles edit B only (the link's #vs=)"</span>
                            })}
                        </h3>
                        {row(shown, Side::B, &cb, w, Some(edit_b))}
                    })}
                }
            }}
            <p class="graph-note" class:empty=move || edit.note.with(String::is_empty) role="status" data-testid="graph-note">{move || edit.note.get()}</p>
        </section>
    }
}

/// The arcs' key (AND dashed, OR dotted, both faint until the prerequisite is learned) and,
/// where the graph is edited, the gesture in a few words (the rest is in the tiles' labels and
/// the keyboard help).
fn legend(editable: bool) -> impl IntoView {
    let sample = |kind: &'static str| {
        view! {
            <svg class="legend-line" viewBox="0 0 28 8" aria-hidden="true">
                <path d="M 1 4 L 27 4" class=format!("link {kind}") stroke="currentColor"></path>
            </svg>
        }
    };
    view! {
        <p class="graph-legend" data-testid="graph-legend"
            title="An arc runs from a prerequisite to the skill that needs it; faint until the prerequisite is learned.">
            <span>{sample("and")}"AND"<span class="legend-long">": needs all"</span></span>
            <span>{sample("or")}"OR"<span class="legend-long">": any one"</span></span>
            {editable.then(|| view! {
                <span class="graph-help" data-testid="graph-help">
                    "Drag tile → tile: a prerequisite · click an arc: remove · ⇐: AND/OR · drag a bar: frequency"
                </span>
            })}
        </p>
    }
}

fn row(shown: Shown, side: Side, cfg: &Config, width: f64, edit: Option<GraphEdit>) -> AnyView {
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
    let graph = Graph::of(cfg);
    // what the tiles edit (B's edits become differences of `#vs=`)
    let ed = Editing {
        edit,
        graph: edit.is_some() && graph_editable(cfg),
        freq: edit.is_some() && freq_draggable(cfg),
    };
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
    let rows_ref = NodeRef::<leptos::html::Div>::new();
    let row_refs: Vec<NodeRef<leptos::html::Ol>> = (0..rows).map(|_| NodeRef::new()).collect();
    let cross = cross_links(&graph, cols, n, rows_ref, row_refs.clone(), learned, ed);
    let rows_view = (0..rows)
        .map(|r| {
            let range = r * cols..((r + 1) * cols).min(n);
            let lane = links_lane(&graph, range.clone(), cols, n, learned, ed);
            let row_ref = row_refs[r];
            let tiles = range
                .map(|i| {
                    let t = TileData {
                        i,
                        n,
                        freqs: &freqs,
                        names: &names,
                        gate: graph.gate(i).cloned(),
                        thr,
                    };
                    tile(t, runs.slow, level, learned, ed)
                })
                .collect_view();
            view! {
                {lane}
                <ol class="dominoes" start=r * cols + 1 node_ref=row_ref
                    style:grid-template-columns=format!("repeat({cols}, minmax(0, 1fr))")>
                    {tiles}
                </ol>
            }
        })
        .collect_view();
    view! {
        <div class="domino-rows" class:multi={rows > 1} class:editing=ed.graph data-testid=testid node_ref=rows_ref>
            {rows_view}
            {cross}
            {edit.filter(|_| ed.graph).map(|e| band(e, rows_ref))}
        </div>
    }
    .into_any()
}

/// The line that follows the pointer while an edge is dragged from a tile.
fn band(edit: GraphEdit, rows: NodeRef<leptos::html::Div>) -> impl IntoView {
    let line = move || {
        let d = edit.drag.get()?;
        if !matches!(d.kind, DragKind::Edge { .. }) || !d.moved {
            return None;
        }
        let r = rows.get()?.get_bounding_client_rect();
        let (x1, y1) = (d.start.0 - r.left(), d.start.1 - r.top());
        let (x2, y2) = (d.at.0 - r.left(), d.at.1 - r.top());
        Some(view! {
            <line x1=x1 y1=y1 x2=x2 y2=y2 class="band-line" data-testid="graph-band"></line>
            <circle cx=x2 cy=y2 r="5" class="band-end"></circle>
        })
    };
    view! { <svg class="graph-band" aria-hidden="true">{line}</svg> }
}

/// What a row's tiles can edit.
#[derive(Clone, Copy)]
struct Editing {
    edit: Option<GraphEdit>,
    graph: bool,
    freq: bool,
}

/// One lane of arcs above a row: the arcs between two tiles of the row. Where the graph is
/// edited, each arc also has a wide, focusable hit line that removes it. A row also gets an
/// (empty) lane when an arc from another row arrives at its top ([`cross_arc`]), so that arc
/// has room to bend.
fn links_lane(
    graph: &Graph,
    range: std::ops::Range<usize>,
    cols: usize,
    n: usize,
    learned: impl Fn(usize) -> bool + Copy + Send + Sync + 'static,
    ed: Editing,
) -> Option<impl IntoView> {
    let edges = graph.edges();
    let row = range.start / cols.max(1);
    let row_of = |i: usize| i / cols.max(1);
    let arrives = edges.iter().any(|e| {
        (row_of(e.to) == row && row_of(e.from) != row)
            || (row_of(e.from) == row && row_of(e.to) < row)
    });
    let links: Vec<(usize, usize, bool)> = edges
        .into_iter()
        .filter(|e| range.contains(&e.to) && range.contains(&e.from))
        .map(|e| (e.from, e.to, e.all))
        .collect();
    if links.is_empty() && !arrives {
        return None;
    }
    let paths = links
        .into_iter()
        .map(|(p, c, all)| arc(lane_arc(p, c, cols), (p, c, all), n, learned, ed))
        .collect_view();
    let hidden = if ed.graph { None } else { Some("true") };
    Some(view! {
        <svg class="links" viewBox=format!("0 0 {cols} 1") preserveAspectRatio="none" aria-hidden=hidden>
            {paths}
        </svg>
    })
}

/// The arcs between tiles on different rows, drawn over all the rows once their positions
/// are measured (after each render, and whenever the rows' box changes size, through a
/// `ResizeObserver`: a row's height depends on its labels and fonts, which can change without
/// a window resize). `None` when every arc joins tiles of one row.
fn cross_links(
    graph: &Graph,
    cols: usize,
    n: usize,
    rows_ref: NodeRef<leptos::html::Div>,
    row_refs: Vec<NodeRef<leptos::html::Ol>>,
    learned: impl Fn(usize) -> bool + Copy + Send + Sync + 'static,
    ed: Editing,
) -> Option<impl IntoView> {
    let cols = cols.max(1);
    let links: Vec<(usize, usize, bool)> = graph
        .edges()
        .into_iter()
        .filter(|e| e.from / cols != e.to / cols)
        .map(|e| (e.from, e.to, e.all))
        .collect();
    if links.is_empty() {
        return None;
    }
    // (the rows' height, each row's span), in CSS pixels from the rows' top
    let spans: RwSignal<Option<(f64, Vec<RowSpan>)>> = RwSignal::new(None);
    let measure = move || {
        let Some(el) = rows_ref.get_untracked() else {
            return;
        };
        let b = el.get_bounding_client_rect();
        let rows: Option<Vec<RowSpan>> = row_refs
            .iter()
            .map(|r| {
                r.get_untracked().map(|ol| {
                    let o = ol.get_bounding_client_rect();
                    RowSpan {
                        top: o.top() - b.top(),
                        bottom: o.bottom() - b.top(),
                    }
                })
            })
            .collect();
        let next = rows.map(|rows| (b.height(), rows));
        if next != spans.get_untracked() {
            spans.set(next);
        }
    };
    let first = measure.clone();
    type Observer = (super::embed::ResizeObserver, Closure<dyn Fn()>);
    let observer: StoredValue<Option<Observer>, LocalStorage> = StoredValue::new_local(None);
    Effect::new(move |_| {
        if let Some(el) = rows_ref.get() {
            request_animation_frame(first.clone());
            if observer.with_value(|o| o.is_none()) {
                let cb = Closure::<dyn Fn()>::new(measure.clone());
                if let Ok(obs) = super::embed::ResizeObserver::new(cb.as_ref().unchecked_ref()) {
                    obs.observe(&el);
                    observer.set_value(Some((obs, cb)));
                }
            }
        }
    });
    on_cleanup(move || {
        observer.update_value(|o| {
            if let Some((obs, _)) = o.take() {
                obs.disconnect();
            }
        })
    });
    let hidden = if ed.graph { None } else { Some("true") };
    Some(move || {
        spans.with(|s| {
            s.as_ref().map(|(height, rows)| {
                let paths = links
                    .iter()
                    .filter_map(|&(p, c, all)| {
                        let d = cross_arc(p, c, cols, rows)?;
                        Some(arc(d, (p, c, all), n, learned, ed))
                    })
                    .collect_view();
                view! {
                    <svg class="cross-links" data-testid="cross-links"
                        viewBox=format!("0 0 {cols} {height:.1}") preserveAspectRatio="none" aria-hidden=hidden>
                        {paths}
                    </svg>
                }
            })
        })
    })
}

/// One arc, `d` its path, from parent `p` to composite `c` (`all`: an AND gate), and where the
/// graph is edited its wide, focusable hit line that removes it.
fn arc(
    d: String,
    (p, c, all): (usize, usize, bool),
    n: usize,
    learned: impl Fn(usize) -> bool + Copy + Send + Sync + 'static,
    ed: Editing,
) -> impl IntoView {
    let color = css_color(skill_color(p, n));
    let kind = if all { "and" } else { "or" };
    let what = format!(
        "skill {} {} skill {}",
        p + 1,
        if all { "is needed by" } else { "can unlock" },
        c + 1
    );
    let hit = ed.edit.filter(|_| ed.graph).map(|e| {
        let label = format!(
            "Prerequisite {} → {} ({}): press Delete or click to remove it",
            p + 1,
            c + 1,
            kind.to_uppercase()
        );
        view! {
            <path
                d=d.clone()
                class="link-hit"
                vector-effect="non-scaling-stroke"
                tabindex="0"
                role="button"
                aria-label=label
                data-edge=format!("{}-{}", p + 1, c + 1)
                data-testid="link-hit"
                on:click=move |_| e.remove(p, c, false)
                on:keydown=move |ev: ev::KeyboardEvent| {
                    if matches!(ev.key().as_str(), "Delete" | "Backspace" | "Enter" | " ") {
                        ev.prevent_default();
                        ev.stop_propagation();
                        e.remove(p, c, true);
                    }
                }
            >
                <title>{format!("{what}: click to remove")}</title>
            </path>
        }
    });
    view! {
        <path
            d=d
            class=format!("link {kind}")
            class:open=move || learned(p)
            stroke=color
            data-testid="link"
            data-edge=format!("{}-{}", p + 1, c + 1)
            vector-effect="non-scaling-stroke"
        >
            <title>{what}</title>
        </path>
        {hit}
    }
}

/// A frequency in at most six characters under a tile: 0.65, 0.0080, 9.9e-4.
fn short_freq(p: f64) -> String {
    if p > 0.0 && p < 1e-3 {
        format!("{p:.1e}")
    } else {
        sig2(p)
    }
}

/// What a tile shows of its skill.
struct TileData<'a> {
    i: usize,
    n: usize,
    freqs: &'a [f64],
    names: &'a [String],
    gate: Option<Gate>,
    thr: f64,
}

fn tile(
    t: TileData,
    slow: RwSignal<u64>,
    level: impl Fn(usize) -> f64 + Copy + Send + Sync + 'static,
    learned: impl Fn(usize) -> bool + Copy + Send + Sync + 'static,
    ed: Editing,
) -> impl IntoView {
    let TileData {
        i,
        n,
        freqs,
        names,
        gate,
        thr,
    } = t;
    let color = css_color(skill_color(i, n));
    let p = freqs.get(i).copied();
    let freq = p.map(short_freq).unwrap_or_default();
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
    let needs_text = gate.as_ref().map(|g| {
        let names: Vec<String> = g.parents.iter().map(|p| (p + 1).to_string()).collect();
        names.join(if g.all { "&" } else { "|" })
    });
    if let Some(g) = &gate {
        let names: Vec<String> = g.parents.iter().map(|p| (p + 1).to_string()).collect();
        title.push_str(&format!(
            ", needs skill {} {}",
            names.join(if g.all { " and " } else { " or " }),
            if g.all { "(all)" } else { "(any one)" }
        ));
    }
    let all = gate.as_ref().is_some_and(|g| g.all);
    // A composite waits until its gate opens: all parents learned (AND) or one (OR).
    let waiting = move || match &gate {
        None => false,
        Some(g) if g.all => g.parents.iter().any(|&p| !learned(p)),
        Some(g) => !g.parents.is_empty() && g.parents.iter().all(|&p| !learned(p)),
    };
    let label = title.clone();
    let edit = ed.edit.filter(|_| ed.graph || ed.freq);
    let needs_view = needs_text.map(|t| match edit.filter(|_| ed.graph) {
        Some(e) => view! {
            <button class="needs toggle" class:or=!all data-testid="needs"
                aria-label=format!("Skill {} needs {} ({}): switch to {}", i + 1, t, if all { "AND" } else { "OR" }, if all { "OR" } else { "AND" })
                on:pointerdown=|ev: ev::PointerEvent| ev.stop_propagation()
                on:click=move |ev: ev::MouseEvent| e.toggle(i, ev.detail() == 0)>{format!("⇐{t}")}</button>
        }
        .into_any(),
        None => view! { <span class="needs" data-testid="needs">{format!("⇐{t}")}</span> }.into_any(),
    });
    let bar = edit.filter(|_| ed.freq).zip(p).map(|(e, p)| {
        let h = bar_height(freqs, i);
        view! {
            <div class="fbar" data-testid="fbar" title=format!("frequency {}: drag up or down", short_freq(p))
                on:pointerdown=move |ev: ev::PointerEvent| {
                    ev.stop_propagation();
                    ev.prevent_default();
                    e.pointer_down(&ev, i, Some(p));
                }>
                <div class="fbar-fill" style:height=format!("{:.1}%", h * 100.0) style:background-color=color.clone()></div>
            </div>
        }
    });
    let graph = ed.graph;
    let source = move || {
        edit.is_some_and(|e| {
            e.pick.get().is_some_and(|(f, _)| f == i)
                || e.drag
                    .get()
                    .is_some_and(|d| d.moved && d.kind == DragKind::Edge { from: i })
        })
    };
    let target = move || edit.is_some_and(|e| e.pick.get().is_some_and(|(_, t)| t == i));
    let slot_label = edit.map(|_| {
        format!(
            "{label}. {}{}",
            if graph {
                "E starts a prerequisite edge from it, T switches AND/OR. "
            } else {
                ""
            },
            if ed.freq {
                "Up and down arrows change its frequency."
            } else {
                ""
            }
        )
    });
    view! {
        <li class="slot" data-testid="tile" title=title
            class:source=source class:target=target
            data-skill=edit.map(|_| i.to_string())
            tabindex=edit.map(|_| "0")
            aria-label=slot_label
            on:pointerdown=move |ev: ev::PointerEvent| {
                if let Some(e) = edit.filter(|_| graph) {
                    e.pointer_down(&ev, i, None);
                }
            }
            on:keydown=move |ev: ev::KeyboardEvent| {
                if let Some(e) = edit {
                    if e.key(&ev, i, n, graph, ed.freq.then_some(p).flatten()) {
                        ev.prevent_default();
                        ev.stop_propagation();
                    }
                }
            }>
            <div class="stage">
                {bar}
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
            {needs_view}
        </li>
    }
}
