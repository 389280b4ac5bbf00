//! Share and export: the bar under the charts (Share, CSV, JSON, SVG, PNG) and the Share
//! dialog (copy the link, copy the embed code). What is exported is computed in
//! [`crate::export`] (tested natively); this file only reads the page's state and hands files
//! to the browser ([`super::download`]).

use super::canvas::chart_theme;
use super::clipboard::Copier;
use super::download::{download_text, download_url};
use super::draw::Theory;
use super::location;
use super::state::{LabState, Side};
use crate::export::{self as sh, PageOpts, SvgChart, ThemeChoice};
use leptos::html::Dialog;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

fn file_name(lab: LabState, ext: &str) -> String {
    lab.setup
        .config
        .with_untracked(|c| sh::file_name(c, lab.setup.preset.get_value(), ext))
}

fn export_csv(lab: LabState) -> Result<String, String> {
    let model = lab.setup.config.with_untracked(|c| c.model);
    let text = lab.runs.a.with_value(|r| sh::csv(model, r.n, &r.frames));
    let name = file_name(lab, "csv");
    download_text(&name, "text/csv", &text)?;
    let rows = text.lines().count().saturating_sub(1);
    Ok(format!("Downloaded {name}: {rows} rows."))
}

fn export_json(lab: LabState) -> Result<String, String> {
    let step = lab.runs.a.with_value(|r| r.step());
    let page = location::page_url();
    let text = lab
        .setup
        .config
        .with_untracked(|c| sh::config_json(c, lab.setup.preset.get_value(), &page, step));
    let name = file_name(lab, "json");
    download_text(&name, "application/json", &text)?;
    Ok(format!("Downloaded {name}."))
}

fn export_svg(lab: LabState) -> Result<String, String> {
    let cfg = lab.setup.config.get_untracked();
    let x_steps = lab.setup.x_steps();
    // The size the chart has on the page (CSS pixels), or a default.
    let size = lab
        .canvases
        .a
        .skills
        .get_untracked()
        .map(|c| (c.client_width(), c.client_height()))
        .filter(|&(w, h)| w > 0 && h > 0)
        .map(|(w, h)| (w as u32, h as u32))
        .unwrap_or((900, 420));
    // The dashed overlays the page shows.
    let theory = Theory::of(lab, &cfg, Side::A);
    let overlays = theory.overlays();
    let cursor = lab.playback.cursor();
    let svg = lab.runs.a.with_value(|r| {
        let cursor = cursor.and_then(|s| r.frame_at(Some(s)).map(|f| f.step));
        sh::skills_svg(&SvgChart {
            frames: &r.frames,
            freqs: &r.freqs,
            steps: x_steps,
            milestones: Some(&r.milestones),
            overlays: &overlays,
            cursor,
            theme: chart_theme(),
            size,
            net: r.net,
            names: &r.names,
        })
    })?;
    let name = file_name(lab, "svg");
    download_text(&name, "image/svg+xml", &svg)?;
    Ok(format!("Downloaded {name}."))
}

/// A domino tile as the page shows it: its untransformed box, rotation and colours.
struct Tile {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    angle: f64,
    fill: String,
    edge: String,
}

/// The tile `el` (its transform off for a moment to measure its box: no paint happens in
/// between).
fn tile(win: &web_sys::Window, el: web_sys::Element) -> Option<Tile> {
    let el = el.dyn_into::<web_sys::HtmlElement>().ok()?;
    let style = el.style();
    let t = style.get_property_value("transform").unwrap_or_default();
    let _ = style.set_property("transform", "none");
    let r = el.get_bounding_client_rect();
    let _ = style.set_property("transform", &t);
    let angle = t
        .strip_prefix("rotate(")
        .and_then(|s| s.strip_suffix("deg)"))
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(0.0);
    let cs = win.get_computed_style(&el).ok().flatten();
    let prop = |k: &str| {
        cs.as_ref()
            .and_then(|c| c.get_property_value(k).ok())
            .unwrap_or_default()
    };
    Some(Tile {
        x: r.left(),
        y: r.top(),
        w: r.width(),
        h: r.height(),
        angle,
        fill: prop("background-color"),
        edge: prop("border-top-color"),
    })
}

impl Tile {
    /// Paint the tile rotated about its bottom-right corner (as on the page), the image's
    /// origin at page coordinates (x0, y0).
    fn paint(&self, ctx: &web_sys::CanvasRenderingContext2d, x0: f64, y0: f64) {
        ctx.save();
        let _ = ctx.translate(self.x - x0 + self.w, self.y - y0 + self.h);
        let _ = ctx.rotate(self.angle.to_radians());
        ctx.set_fill_style_str(&self.fill);
        ctx.fill_rect(-self.w, -self.h, self.w, self.h);
        ctx.set_stroke_style_str(&self.edge);
        ctx.set_line_width(1.0);
        ctx.stroke_rect(-self.w + 0.5, -self.h + 0.5, self.w - 1.0, self.h - 1.0);
        ctx.restore();
    }
}

/// Paint a label's text centred where it sits, in its font and colour.
fn paint_text(
    ctx: &web_sys::CanvasRenderingContext2d,
    win: &web_sys::Window,
    el: &web_sys::Element,
    x0: f64,
    y0: f64,
) {
    let r = el.get_bounding_client_rect();
    let text = el.text_content().unwrap_or_default();
    if r.width() <= 0.0 || text.is_empty() {
        return;
    }
    if let Some(cs) = win.get_computed_style(el).ok().flatten() {
        let font = cs.get_property_value("font").unwrap_or_default();
        ctx.set_font(if font.is_empty() {
            "12px sans-serif"
        } else {
            &font
        });
        ctx.set_fill_style_str(&cs.get_property_value("color").unwrap_or_default());
    }
    ctx.set_text_align("center");
    ctx.set_text_baseline("middle");
    let _ = ctx.fill_text(
        &text,
        r.left() - x0 + r.width() / 2.0,
        r.top() - y0 + r.height() / 2.0,
    );
}

/// The current view as one PNG: the dominoes (tiles redrawn from their on-screen boxes and
/// rotations, or the heat strip) and every chart canvas, where they sit on the page.
fn export_png(lab: LabState) -> Result<String, String> {
    let js = |e: JsValue| format!("{e:?}");
    let doc = document();
    let root = doc
        .query_selector(".lab")
        .map_err(js)?
        .ok_or("the lab is not on the page")?;
    let canvases = root.get_elements_by_tag_name("canvas");
    let wrap = root.query_selector(".dominoes-wrap").map_err(js)?;
    let by_class = |c: &str| -> Vec<web_sys::Element> {
        let Some(w) = &wrap else { return vec![] };
        let list = w.get_elements_by_class_name(c);
        (0..list.length()).filter_map(|i| list.item(i)).collect()
    };
    let tiles = by_class("tile");
    let stages = by_class("stage");
    let mut texts = by_class("idx");
    texts.extend(by_class("freq"));
    texts.extend(by_class("side-head"));

    // Tiles: their untransformed boxes, then their rotation.
    let win = window();
    let tile_list: Vec<Tile> = tiles.into_iter().filter_map(|el| tile(&win, el)).collect();

    // The region: every canvas and the dominoes.
    let mut boxes: Vec<(f64, f64, f64, f64)> = vec![];
    let mut canvas_list = vec![];
    for i in 0..canvases.length() {
        let Some(c) = canvases
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::HtmlCanvasElement>().ok())
        else {
            continue;
        };
        let r = c.get_bounding_client_rect();
        if r.width() <= 0.0 || r.height() <= 0.0 || c.width() == 0 {
            continue;
        }
        boxes.push((r.left(), r.top(), r.right(), r.bottom()));
        canvas_list.push((c, r));
    }
    // The dominoes: each tile's stage (its baseline is the stage's bottom border) and labels.
    let mut baselines = vec![];
    for el in stages.iter().chain(&texts) {
        let r = el.get_bounding_client_rect();
        if r.width() > 0.0 && r.height() > 0.0 {
            boxes.push((r.left(), r.top(), r.right(), r.bottom()));
        }
    }
    for el in &stages {
        let r = el.get_bounding_client_rect();
        let color = win
            .get_computed_style(el)
            .ok()
            .flatten()
            .and_then(|c| c.get_property_value("border-bottom-color").ok())
            .unwrap_or_default();
        baselines.push((r.left(), r.right(), r.bottom() - 1.0, color));
    }
    if boxes.is_empty() {
        return Err("nothing is drawn yet".into());
    }
    let pad = 12.0;
    let x0 = boxes.iter().map(|b| b.0).fold(f64::INFINITY, f64::min) - pad;
    let y0 = boxes.iter().map(|b| b.1).fold(f64::INFINITY, f64::min) - pad;
    let x1 = boxes.iter().map(|b| b.2).fold(f64::NEG_INFINITY, f64::max) + pad;
    let y1 = boxes.iter().map(|b| b.3).fold(f64::NEG_INFINITY, f64::max) + pad;
    let dpr = win.device_pixel_ratio().clamp(1.0, 4.0);

    let out: web_sys::HtmlCanvasElement =
        doc.create_element("canvas").map_err(js)?.unchecked_into();
    out.set_width(((x1 - x0) * dpr).ceil() as u32);
    out.set_height(((y1 - y0) * dpr).ceil() as u32);
    let ctx: web_sys::CanvasRenderingContext2d = out
        .get_context("2d")
        .map_err(js)?
        .ok_or("no 2d context")?
        .unchecked_into();
    ctx.scale(dpr, dpr).map_err(js)?;
    let bg = doc
        .body()
        .and_then(|b| win.get_computed_style(&b).ok().flatten())
        .and_then(|c| c.get_property_value("background-color").ok())
        .unwrap_or_else(|| "#ffffff".into());
    ctx.set_fill_style_str(&bg);
    ctx.fill_rect(0.0, 0.0, x1 - x0, y1 - y0);
    for (c, r) in &canvas_list {
        ctx.draw_image_with_html_canvas_element_and_dw_and_dh(
            c,
            r.left() - x0,
            r.top() - y0,
            r.width(),
            r.height(),
        )
        .map_err(js)?;
    }
    for (l, r, y, color) in &baselines {
        ctx.set_stroke_style_str(color);
        ctx.set_line_width(2.0);
        ctx.begin_path();
        ctx.move_to(l - x0, y - y0);
        ctx.line_to(r - x0, y - y0);
        ctx.stroke();
    }
    for t in &tile_list {
        t.paint(&ctx, x0, y0);
    }
    for el in texts {
        paint_text(&ctx, &win, &el, x0, y0);
    }
    let url = out.to_data_url().map_err(js)?;
    let name = file_name(lab, "png");
    download_url(&name, &url)?;
    Ok(format!("Downloaded {name}."))
}

/// The bar under the charts: Share (opens the dialog) and the four exports.
#[component]
pub fn ShareBar(lab: LabState) -> impl IntoView {
    let dialog = NodeRef::<Dialog>::new();
    let msg = RwSignal::new(String::new());
    let run = move |f: fn(LabState) -> Result<String, String>| {
        msg.set(match f(lab) {
            Ok(m) => m,
            Err(e) => format!("The export failed: {e}"),
        })
    };
    let open = move |_| {
        // Sharing is a discrete act: the shared state gets its own history entry.
        if location::keep_page_keys(lab.link()) != location::here() {
            lab.write_link(true);
        }
        if let Some(d) = dialog.get_untracked() {
            if !d.open() {
                let _ = d.show_modal();
            }
        }
    };
    view! {
        <div class="share-bar" role="toolbar" aria-label="Share and export" data-testid="share-bar">
            <button class="small share-open" data-testid="share-open" on:click=open>"Share…"</button>
            <span class="share-label">"Export"</span>
            <button class="small" data-testid="export-csv" title="The trajectory as CSV, in the command line's format" on:click=move |_| run(export_csv)>"CSV"</button>
            <button class="small" data-testid="export-json" title="The full configuration as JSON, with its link" on:click=move |_| run(export_json)>"JSON"</button>
            <button class="small" data-testid="export-svg" title="The skill chart as SVG" on:click=move |_| run(export_svg)>"SVG"</button>
            <button class="small" data-testid="export-png" title="The dominoes and the charts as one PNG image" on:click=move |_| run(export_png)>"PNG"</button>
            <button class="small to-gallery" data-testid="to-gallery" title="Every figure of the paper, one link per panel" on:click=move |_| {
                if let Some(el) = document().get_element_by_id("gallery-title") {
                    el.scroll_into_view();
                }
            }>"Paper figures ↓"</button>
            <output class="share-msg" data-testid="export-msg">{move || msg.get()}</output>
        </div>
        <ShareDialog lab=lab dialog=dialog />
    }
}

/// The Share dialog: the link, and the embed code with its options.
#[component]
fn ShareDialog(lab: LabState, dialog: NodeRef<Dialog>) -> impl IntoView {
    let setup = lab.setup;
    let figure_only = RwSignal::new(false);
    let autoplay = RwSignal::new(false);
    let theme = RwSignal::new(ThemeChoice::Auto);
    let link = move || {
        setup.config.track();
        setup.compare.track();
        format!("{}{}", location::page_url(), lab.link())
    };
    let code = move || {
        setup.config.track();
        setup.compare.track();
        let opts = PageOpts {
            embed: true,
            figure_only: figure_only.get(),
            autoplay: autoplay.get().then_some(true),
            theme: theme.get(),
        };
        let title = setup
            .config
            .with(|c| sh::run_title(c, setup.preset.get_value()));
        sh::embed_code(&location::page_url(), &lab.link(), &opts, &title)
    };
    view! {
        <dialog class="share-dialog" data-testid="share" node_ref=dialog aria-labelledby="share-title">
            <h2 id="share-title">"Share this run"</h2>
            <p class="hint">
                "The link opens exactly this run: the same model, parameters and seed (the trajectory is recomputed in the reader's browser)."
            </p>
            <label class="share-field">
                <span>"Link"</span>
                <input type="text" readonly data-testid="share-link" prop:value=link on:focus=select_all />
            </label>
            <div class="share-actions"><Copier testid="share-link" label="Copy link" text=link /></div>
            <h3>"Embed"</h3>
            <div class="share-options">
                <label class="check">
                    <input type="checkbox" data-testid="share-figure-only" prop:checked=move || figure_only.get()
                        on:change=move |e| figure_only.set(event_target_checked(&e)) />
                    <span>"Figure only"</span>
                </label>
                <label class="check" title="Ignored for readers who ask for reduced motion">
                    <input type="checkbox" data-testid="share-autoplay" prop:checked=move || autoplay.get()
                        on:change=move |e| autoplay.set(event_target_checked(&e)) />
                    <span>"Play on load"</span>
                </label>
                <label class="share-theme">
                    <span>"Theme"</span>
                    <select data-testid="share-theme" on:change=move |e| {
                        theme.set(ThemeChoice::parse(&event_target_value(&e)).unwrap_or_default())
                    }>
                        {[ThemeChoice::Auto, ThemeChoice::Light, ThemeChoice::Dark]
                            .into_iter()
                            .map(|t| view! { <option value=t.name() prop:selected=move || theme.get() == t>{t.name()}</option> })
                            .collect_view()}
                    </select>
                </label>
            </div>
            <textarea class="share-code" readonly rows="4" data-testid="share-embed" prop:value=code on:focus=select_all></textarea>
            <div class="share-actions"><Copier testid="share-embed" label="Copy embed code" text=code /></div>
            <p class="hint">
                "The frame reports its height to the page around it (see the README for the five-line host script) and pauses while it is scrolled out of view."
            </p>
            <form method="dialog" class="share-close">
                <button class="primary" data-testid="share-close">"Close"</button>
            </form>
        </dialog>
    }
}

fn select_all(e: leptos::ev::FocusEvent) {
    if let Some(t) = e.target() {
        if let Ok(i) = t.clone().dyn_into::<web_sys::HtmlInputElement>() {
            i.select();
        } else if let Ok(a) = t.dyn_into::<web_sys::HtmlTextAreaElement>() {
            a.select();
        }
    }
}
