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
use crate::link::page::HIDE;
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

/// A box on the page: left, top, right, bottom (CSS pixels).
type Rect = (f64, f64, f64, f64);

/// The box around `boxes`, if any.
fn bounds(boxes: &[Rect]) -> Option<Rect> {
    (!boxes.is_empty()).then(|| {
        boxes.iter().fold(
            (
                f64::INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::NEG_INFINITY,
            ),
            |a, b| (a.0.min(b.0), a.1.min(b.1), a.2.max(b.2), a.3.max(b.3)),
        )
    })
}

/// A 2d canvas of `w` × `h` CSS pixels at `dpr` device pixels each.
fn canvas_2d(
    w: f64,
    h: f64,
    dpr: f64,
) -> Result<
    (
        web_sys::HtmlCanvasElement,
        web_sys::CanvasRenderingContext2d,
    ),
    String,
> {
    let js = |e: JsValue| format!("{e:?}");
    let c: web_sys::HtmlCanvasElement = document()
        .create_element("canvas")
        .map_err(js)?
        .unchecked_into();
    c.set_width((w * dpr).ceil().max(1.0) as u32);
    c.set_height((h * dpr).ceil().max(1.0) as u32);
    let ctx: web_sys::CanvasRenderingContext2d = c
        .get_context("2d")
        .map_err(js)?
        .ok_or("no 2d context")?
        .unchecked_into();
    ctx.scale(dpr, dpr).map_err(js)?;
    Ok((c, ctx))
}

/// The dominoes as the page shows them (tiles redrawn from their on-screen boxes and
/// rotations, baselines, labels) on a canvas of their own, with the region they cover.
fn dominoes_image(
    wrap: &web_sys::Element,
    dpr: f64,
) -> Result<Option<(web_sys::HtmlCanvasElement, Rect)>, String> {
    let win = window();
    let by_class = |c: &str| -> Vec<web_sys::Element> {
        let list = wrap.get_elements_by_class_name(c);
        (0..list.length()).filter_map(|i| list.item(i)).collect()
    };
    let stages = by_class("stage");
    let mut texts = by_class("idx");
    texts.extend(by_class("freq"));
    texts.extend(by_class("side-head"));
    let tiles: Vec<Tile> = by_class("tile")
        .into_iter()
        .filter_map(|el| tile(&win, el))
        .collect();
    let visible = |el: &web_sys::Element| {
        let r = el.get_bounding_client_rect();
        (r.width() > 0.0 && r.height() > 0.0).then(|| (r.left(), r.top(), r.right(), r.bottom()))
    };
    let boxes: Vec<Rect> = stages.iter().chain(&texts).filter_map(visible).collect();
    let Some((x0, y0, x1, y1)) = bounds(&boxes) else {
        return Ok(None);
    };
    let (c, ctx) = canvas_2d(x1 - x0, y1 - y0, dpr)?;
    for el in &stages {
        let r = el.get_bounding_client_rect();
        let color = win
            .get_computed_style(el)
            .ok()
            .flatten()
            .and_then(|c| c.get_property_value("border-bottom-color").ok())
            .unwrap_or_default();
        let y = r.bottom() - 1.0 - y0;
        ctx.set_stroke_style_str(&color);
        ctx.set_line_width(2.0);
        ctx.begin_path();
        ctx.move_to(r.left() - x0, y);
        ctx.line_to(r.right() - x0, y);
        ctx.stroke();
    }
    for t in &tiles {
        t.paint(&ctx, x0, y0);
    }
    for el in &texts {
        paint_text(&ctx, &win, el, x0, y0);
    }
    Ok(Some((c, (x0, y0, x1, y1))))
}

/// The current view as one PNG: the run's title and caption, the dominoes (scaled to the
/// charts' width when wider), every chart canvas as the page places them, and the run's link.
fn export_png(lab: LabState) -> Result<String, String> {
    let js = |e: JsValue| format!("{e:?}");
    let doc = document();
    let win = window();
    let root = doc
        .query_selector(".lab")
        .map_err(js)?
        .ok_or("the lab is not on the page")?;
    let dpr = win.device_pixel_ratio().clamp(1.0, 4.0);

    // The charts: every drawn canvas, placed relative to each other as on the page.
    let canvases = root.get_elements_by_tag_name("canvas");
    let mut charts = vec![];
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
        charts.push((c, (r.left(), r.top(), r.right(), r.bottom())));
    }
    let chart_box = bounds(&charts.iter().map(|c| c.1).collect::<Vec<_>>());
    let dominoes = match root.query_selector(".dominoes-wrap").map_err(js)? {
        Some(w) => dominoes_image(&w, dpr)?,
        None => None,
    };
    if chart_box.is_none() && dominoes.is_none() {
        return Err("nothing is drawn yet".into());
    }
    let width = |b: Rect| b.2 - b.0;
    let height = |b: Rect| b.3 - b.1;
    // The image's content width: the charts', else the dominoes'.
    let w = chart_box
        .map(width)
        .or(dominoes.as_ref().map(|d| width(d.1)))
        .unwrap_or(600.0)
        .max(320.0);
    let dom_scale = dominoes
        .as_ref()
        .map(|d| (w / width(d.1)).min(1.0))
        .unwrap_or(1.0);
    let dom_h = dominoes
        .as_ref()
        .map(|d| height(d.1) * dom_scale)
        .unwrap_or(0.0);

    // Colours and fonts of the page.
    let style = doc
        .document_element()
        .and_then(|e| win.get_computed_style(&e).ok().flatten());
    let var = |k: &str, d: &str| {
        style
            .as_ref()
            .and_then(|s| s.get_property_value(k).ok())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| d.to_string())
    };
    let (bg, fg, muted, accent) = (
        var("--bg", "#ffffff"),
        var("--fg", "#1f2329"),
        var("--muted", "#5b6470"),
        var("--accent", "#2f6fbf"),
    );
    let family = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
    let title_font = format!("600 18px {family}");
    let text_font = format!("13px {family}");

    // The text: title, caption (wrapped, at most 4 lines), the link.
    let (title, caption) = lab.setup.config.with_untracked(|c| {
        let p = lab.setup.preset.get_value();
        (
            sh::run_title(c, p),
            p.map(|p| p.caption()).unwrap_or_default(),
        )
    });
    let link = format!("{}{}", location::page_url(), lab.link());
    let (_, measure_ctx) = canvas_2d(1.0, 1.0, 1.0)?;
    measure_ctx.set_font(&text_font);
    // measureText through Reflect (web-sys's TextMetrics feature is not enabled for this).
    let measure = js_sys::Reflect::get(&measure_ctx, &"measureText".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let caption_lines = sh::wrap_text(&caption, w, 4, |t| {
        measure
            .as_ref()
            .and_then(|f| f.call1(&measure_ctx, &t.into()).ok())
            .and_then(|m| js_sys::Reflect::get(&m, &"width".into()).ok())
            .and_then(|v| v.as_f64())
            .unwrap_or(t.len() as f64 * 7.0)
    });

    let pad = 16.0;
    let gap = 12.0;
    let line = 18.0;
    let head_h = 24.0 + line * caption_lines.len() as f64;
    let foot_h = 2.0 * line;
    let chart_h = chart_box.map(height).unwrap_or(0.0);
    let total_h = pad + head_h + gap + dom_h + gap + chart_h + gap + foot_h + pad;
    let (out, ctx) = canvas_2d(w + 2.0 * pad, total_h, dpr)?;
    ctx.set_fill_style_str(&bg);
    ctx.fill_rect(0.0, 0.0, w + 2.0 * pad, total_h);
    ctx.set_text_align("left");
    ctx.set_text_baseline("top");
    let mut y = pad;
    ctx.set_font(&title_font);
    ctx.set_fill_style_str(&fg);
    let _ = ctx.fill_text_with_max_width(&title, pad, y, w);
    y += 24.0;
    ctx.set_font(&text_font);
    ctx.set_fill_style_str(&muted);
    for l in &caption_lines {
        let _ = ctx.fill_text_with_max_width(l, pad, y, w);
        y += line;
    }
    y += gap;
    if let Some((img, b)) = &dominoes {
        ctx.draw_image_with_html_canvas_element_and_dw_and_dh(
            img,
            pad,
            y,
            width(*b) * dom_scale,
            dom_h,
        )
        .map_err(js)?;
        y += dom_h + gap;
    }
    if let Some((x0, y0, _, _)) = chart_box {
        for (c, r) in &charts {
            ctx.draw_image_with_html_canvas_element_and_dw_and_dh(
                c,
                pad + r.0 - x0,
                y + r.1 - y0,
                width(*r),
                height(*r),
            )
            .map_err(js)?;
        }
        y += chart_h + gap;
    }
    ctx.set_fill_style_str(&accent);
    let _ = ctx.fill_text_with_max_width(&link, pad, y, w);
    ctx.set_fill_style_str(&muted);
    let _ = ctx.fill_text_with_max_width(
        "Skill Dominoes · after “Physics of Skill Learning”, arXiv 2501.12391",
        pad,
        y + line,
        w,
    );
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
    let hide = RwSignal::new(0u8);
    let tour = super::tour::position();
    let link = move || {
        setup.config.track();
        setup.compare.track();
        let own = super::tour::with_position(PageOpts::default(), tour.get());
        format!("{}{}", location::page_url(), own.add_to(&lab.link()))
    };
    let code = move || {
        setup.config.track();
        setup.compare.track();
        let opts = PageOpts {
            embed: true,
            figure_only: figure_only.get(),
            autoplay: autoplay.get().then_some(true),
            theme: theme.get(),
            hide: hide.get(),
            tour: None,
        };
        let opts = super::tour::with_position(opts, tour.get());
        let title = setup
            .config
            .with(|c| sh::run_title(c, setup.preset.get_value()));
        sh::embed_code(&location::page_url(), &lab.link(), &opts, &title, None)
    };
    // One checkbox per hide flag, checked = shown.
    let show_boxes = HIDE
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let shown = move || {
                !PageOpts {
                    hide: hide.get(),
                    ..PageOpts::default()
                }
                .hidden(i)
            };
            view! {
                <label class="check">
                    <input type="checkbox" data-testid=format!("share-show-{}", h.name) prop:checked=shown
                        on:change=move |e| hide.update(|bits| {
                            let mut o = PageOpts { hide: *bits, ..PageOpts::default() };
                            o.set_hidden(i, !event_target_checked(&e));
                            *bits = o.hide;
                        }) />
                    <span>{h.label}</span>
                </label>
            }
        })
        .collect_view();
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
            <fieldset class="share-show">
                <legend>"Show in the embed"</legend>
                {show_boxes}
            </fieldset>
            <textarea class="share-code" readonly rows="5" data-testid="share-embed" prop:value=code on:focus=select_all></textarea>
            <div class="share-actions"><Copier testid="share-embed" label="Copy embed code" text=code /></div>
            <p class="hint">
                "The frame takes the width of the column; the small script sizes its height to the figure (the frame reports it, also to WordPress, Datawrapper-style and AMP hosts). It pauses while scrolled out of view."
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
