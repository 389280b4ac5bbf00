//! A figure's preview image (`fig/<id>/card.png`, [`CARD_SIZE`]): the site's name, the
//! figure's number and title, the start of its caption, and the skill chart of its run, drawn
//! by the page's own chart code ([`crate::plot::run::draw_skills`] through
//! [`crate::export::skills_svg`], as `skills svg` draws it) and rasterised with resvg. The
//! text is set in DejaVu Sans, embedded (assets/fonts, with its licence), so a card is the
//! same on every machine, fonts installed or not.
//!
//! Why SVG then resvg rather than plotters' bitmap backend: the bitmap backend draws text
//! only with plotters' `ab_glyph` or `ttf` font feature, and either changes how every native
//! chart measures its text (the SVG export, the native tests), while resvg sets the SVG's text
//! with real shaping and leaves plotters as it is.

use super::page::{Figure, CARD_SIZE, SITE_NAME};
use crate::export::{escape_attr, skills_svg, SvgChart};
use crate::lab::{record_every, view};
use crate::link::{self, Config};
use crate::plot::run::{Milestones, Theme};
use resvg::tiny_skia::{Pixmap, Transform};
use resvg::usvg::{self, fontdb};
use std::sync::Arc;

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");
/// The family of both embedded faces; plotters' "sans-serif" maps to it.
const FAMILY: &str = "DejaVu Sans";

/// The chart's size in the card, in the chart's own pixels, and how much it is enlarged (text
/// stays readable when a chat shows the card at a third of its size).
const CHART: (u32, u32) = (700, 250);
const CHART_SCALE: f32 = 1.6;
const MARGIN: f32 = 48.0;
const ACCENT: &str = "#4c8fd6";
const INK: &str = "#22252b";
const MUTED: &str = "#555b66";

/// The skill chart of a run, as an SVG document, and the reason the run stopped early (a
/// divergence: the chart shows the rows before it).
pub struct ChartSvg {
    pub svg: String,
    pub stopped: Option<String>,
}

/// Why [`chart_svg`] drew nothing: the run could not start (bad input) or plotters failed.
#[derive(Debug)]
pub enum ChartError {
    Run(String),
    Draw(String),
}

impl std::fmt::Display for ChartError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            ChartError::Run(e) => write!(f, "{e}"),
            ChartError::Draw(e) => write!(f, "cannot draw the chart: {e}"),
        }
    }
}

/// Where a chart's time axis ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Axis {
    /// At the run's last step (`skills svg`: the whole run the link names).
    Whole,
    /// Soon after the cascade, as the page frames a finished run ([`view::axis_end`]): the
    /// cards, so that a preview shows the dominoes falling, not a mostly flat run.
    Cascade,
}

/// Run `cfg` as the page does (keeping every [`record_every`]-th row) and draw its skill
/// chart with markers where each skill starts and finishes: `skills svg` and the cards.
pub fn chart_svg(
    cfg: &Config,
    size: (u32, u32),
    theme: Theme,
    axis: Axis,
) -> Result<ChartSvg, ChartError> {
    let every = record_every(cfg.steps);
    let traj = cfg
        .spec()
        .and_then(|s| crate::sim::run(s, cfg.steps, every, false))
        .map_err(|e| ChartError::Run(e.to_string()))?;
    let freqs = cfg.skill_freqs();
    let names = cfg.skill_names();
    let all = Milestones::of(&traj.frames, cfg.skills(), cfg.thr);
    let end = match axis {
        Axis::Whole => cfg.steps,
        Axis::Cascade => view::finished_axis_end(cfg.steps, &traj.frames, &all),
    };
    let frames = &traj.frames[..traj.frames.partition_point(|f| f.step <= end)];
    let milestones = Milestones::of(frames, cfg.skills(), cfg.thr);
    let chart = SvgChart {
        frames,
        freqs: &freqs,
        steps: end,
        milestones: Some(&milestones),
        overlays: &[],
        cursor: None,
        theme,
        size,
        net: cfg.model.is_net(),
        names: &names,
    };
    let svg = skills_svg(&chart).map_err(ChartError::Draw)?;
    Ok(ChartSvg {
        svg,
        stopped: traj.error.map(|e| e.to_string()),
    })
}

/// The fonts of the cards: the embedded DejaVu Sans, regular and bold, also for "sans-serif".
pub fn options() -> usvg::Options<'static> {
    let mut db = fontdb::Database::new();
    for face in [REGULAR, BOLD] {
        db.load_font_source(fontdb::Source::Binary(Arc::new(face)));
    }
    db.set_sans_serif_family(FAMILY);
    usvg::Options {
        font_family: FAMILY.into(),
        fontdb: Arc::new(db),
        ..usvg::Options::default()
    }
}

fn text(x: f32, y: f32, size: f32, weight: &str, fill: &str, anchor: &str, s: &str) -> String {
    format!(
        "<text x=\"{x}\" y=\"{y}\" font-family=\"{FAMILY}\" font-size=\"{size}\" font-weight=\"{weight}\" fill=\"{fill}\" text-anchor=\"{anchor}\">{}</text>",
        escape_attr(s)
    )
}

/// The width of `s` set at `size` (bold or not), in pixels: the right edge of its ink.
fn width(opt: &usvg::Options, s: &str, size: f32, bold: bool) -> f32 {
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"8000\" height=\"200\">{}</svg>",
        text(
            0.0,
            100.0,
            size,
            if bold { "bold" } else { "normal" },
            INK,
            "start",
            s
        )
    );
    usvg::Tree::from_str(&svg, opt)
        .map(|t| t.root().abs_bounding_box().right())
        .unwrap_or(f32::INFINITY)
}

/// `s` broken at spaces into at most `lines` lines no wider than `max`; when text remains,
/// the last line ends with "…".
pub fn wrap(s: &str, lines: usize, fits: impl Fn(&str) -> bool) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    let mut line = String::new();
    for w in s.split_whitespace() {
        let candidate = if line.is_empty() {
            w.to_string()
        } else {
            format!("{line} {w}")
        };
        if fits(&candidate) || line.is_empty() {
            line = candidate;
            continue;
        }
        out.push(std::mem::replace(&mut line, w.to_string()));
        if out.len() == lines {
            // no room for this word: end the last line with an ellipsis
            let mut last = out.pop().unwrap_or_default();
            while !last.is_empty() && !fits(&format!("{last} …")) {
                last = last
                    .rsplit_once(' ')
                    .map(|(a, _)| a.to_string())
                    .unwrap_or_default();
            }
            out.push(format!("{} …", last.trim_end_matches([',', ';', ':', '.'])));
            return out;
        }
    }
    if !line.is_empty() {
        out.push(line);
    }
    out
}

/// The card's SVG without the chart: background, site name, figure label, title, caption.
fn frame_svg(opt: &usvg::Options, fig: &Figure) -> String {
    let (w, h) = CARD_SIZE;
    let (wf, inner) = (w as f32, w as f32 - 2.0 * MARGIN);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\"><rect width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/><rect width=\"{w}\" height=\"10\" fill=\"{ACCENT}\"/>"
    );
    svg += &text(MARGIN, 62.0, 26.0, "bold", ACCENT, "start", SITE_NAME);
    let label = match fig.label.as_str() {
        "" => "arXiv 2501.12391".to_string(),
        l => format!("{l} · arXiv 2501.12391"),
    };
    svg += &text(wf - MARGIN, 62.0, 22.0, "normal", MUTED, "end", &label);
    // the title at 40 px, smaller when long, cut with "…" if even 28 px is too wide
    let size = (28..=40)
        .rev()
        .step_by(2)
        .map(|s| s as f32)
        .find(|&s| width(opt, &fig.title, s, true) <= inner)
        .unwrap_or(28.0);
    let title = wrap(&fig.title, 1, |s| width(opt, s, size, true) <= inner);
    svg += &text(MARGIN, 116.0, size, "bold", INK, "start", &title.join(" "));
    let caption = wrap(&fig.caption, 2, |s| width(opt, s, 21.0, false) <= inner);
    for (i, line) in caption.iter().enumerate() {
        svg += &text(
            MARGIN,
            154.0 + 29.0 * i as f32,
            21.0,
            "normal",
            MUTED,
            "start",
            line,
        );
    }
    svg += "</svg>";
    svg
}

/// The preview image of a figure as PNG bytes: [`frame_svg`] and the chart of its link's run.
pub fn card_png(fig: &Figure, opt: &usvg::Options) -> Result<Vec<u8>, String> {
    let parsed = link::parse(&fig.link);
    if let Some(p) = parsed.problems.first() {
        return Err(format!("{}: {p}", fig.link));
    }
    let chart =
        chart_svg(&parsed.config, CHART, Theme::Light, Axis::Cascade).map_err(|e| e.to_string())?;
    let (w, h) = CARD_SIZE;
    let mut pixmap = Pixmap::new(w, h).ok_or("cannot allocate the card")?;
    let parse = |svg: &str| usvg::Tree::from_str(svg, opt).map_err(|e| e.to_string());
    resvg::render(
        &parse(&frame_svg(opt, fig))?,
        Transform::identity(),
        &mut pixmap.as_mut(),
    );
    let left = (w as f32 - CHART.0 as f32 * CHART_SCALE) / 2.0;
    let top = h as f32 - 20.0 - CHART.1 as f32 * CHART_SCALE;
    resvg::render(
        &parse(&chart.svg)?,
        Transform::from_row(CHART_SCALE, 0.0, 0.0, CHART_SCALE, left, top),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(|e| e.to_string())
}
