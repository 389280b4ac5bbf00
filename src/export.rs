//! What the page's Share, Export and Embed features compute, without the DOM (so it is tested
//! natively): the trajectory as the CLI's CSV, the configuration as JSON, the skill chart as
//! SVG (the page's own drawing code on plotters' SVG backend), the embed snippet, and the
//! page-only keys of a link (`embed`, `ui`, `autoplay`, `theme`, the `*_hide` flags), which
//! `link::parse` ignores.

use crate::link::presets::Preset;
use crate::link::{num, page, query, Config, Kind, Model, SCHEMA};
use crate::plot::run::{self as chart, ChartData, ChartOpts, Milestones, Overlay, Theme};
use crate::sim::{metrics, Frame};
use plotters::prelude::*;

/// The CSV header the CLI prints (the trajectory CSV holds only these fixed names and
/// numbers, so the crate's one rule for text in a CSV, `crate::sweep::csv::field`, leaves
/// every cell as it is; a test checks it): `step,loss,s1,…,sn` (`l1..l4` for the quadratic toy,
/// `acc1..accn` for the real networks), then `align1..alignn` with aligned dimensions
/// (`skills run … --align`).
pub fn csv_header(model: Model, n: usize, align: bool) -> String {
    let prefix = match model {
        Model::Quadratic => "l",
        m if m.is_net() => "acc",
        _ => "s",
    };
    let mut out = String::from("step,loss");
    for i in 1..=n {
        out += &format!(",{prefix}{i}");
    }
    if align {
        for i in 1..=n {
            out += &format!(",align{i}");
        }
    }
    out
}

/// The kept frames in exactly the CLI's format (`skills run '<link>'`, plus `--align` when the
/// frames carry aligned dimensions, `--every K` when the page kept every K-th step): numbers
/// as [`link::num`](crate::link::num) writes them, one row per frame, `\n` line ends.
pub fn csv(model: Model, n: usize, frames: &[Frame]) -> String {
    let align = frames.first().is_some_and(|f| f.align.is_some());
    let mut out = csv_header(model, n, align);
    out.push('\n');
    for f in frames {
        csv_row(&mut out, f);
    }
    out
}

/// One row of the trajectory CSV, `\n` included, appended to `out`: the one row writer of
/// [`csv`] (the page's export) and `skills run` (which streams its rows).
pub fn csv_row(out: &mut String, f: &Frame) {
    out.push_str(&f.step.to_string());
    out.push(',');
    out.push_str(&num(f.loss));
    for v in &f.values {
        out.push(',');
        out.push_str(&num(*v));
    }
    if let Some(a) = &f.align {
        for v in a {
            out.push(',');
            out.push_str(&v.to_string());
        }
    }
    out.push('\n');
}

/// The CLI command that prints the same CSV.
pub fn cli_command(query: &str, align: bool, every: u32) -> String {
    let mut out = format!("skills run '{}'", query.trim_start_matches('?'));
    if align {
        out += " --align";
    }
    if every > 1 {
        out += &format!(" --every {every}");
    }
    out
}

/// A JSON string literal.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // `<` too, so the text is also safe inside a <script> element
            c if (c as u32) < 0x20 || c == '<' || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether `s` is a number in JSON's grammar (`-?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?`).
fn is_json_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let s = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - s
    };
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    let start = i;
    let d = digits(&mut i);
    if d == 0 || (d > 1 && b[start] == b'0') {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// The full configuration as JSON: every key of [`SCHEMA`] with its value as
/// [`Config::get`] gives it (numbers as JSON numbers, words and lists as strings, unset
/// optional keys as `null`), the link that reproduces it and the CLI command.
/// `page` is the page's address without the query (`https://host/path`).
pub fn config_json(cfg: &Config, preset: Option<&Preset>, page: &str, step: u32) -> String {
    let link = cfg.link(preset);
    let mut keys = Vec::with_capacity(SCHEMA.len());
    for k in SCHEMA {
        let v = if k.key == "preset" {
            preset.map(|p| p.id.to_string()).unwrap_or_default()
        } else {
            cfg.get(k.key)
        };
        let value = if v.is_empty() {
            "null".to_string()
        } else if matches!(k.kind, Kind::Int { .. } | Kind::Float { .. } | Kind::Flag)
            && is_json_number(&v)
        {
            v
        } else {
            json_string(&v)
        };
        keys.push(format!("    {}: {value}", json_string(k.key)));
    }
    let opt = |s: Option<&str>| s.map(json_string).unwrap_or_else(|| "null".into());
    let every = crate::lab::record_every(cfg.steps);
    format!(
        "{{\n  \"app\": \"Skill Dominoes\",\n  \"paper\": \"arXiv:2501.12391\",\n  \"link\": {},\n  \"url\": {},\n  \"preset\": {},\n  \"figure\": {},\n  \"model\": {},\n  \"step\": {step},\n  \"cli\": {},\n  \"config\": {{\n{}\n  }}\n}}\n",
        json_string(&format!("?{link}")),
        json_string(&format!("{page}?{link}")),
        opt(preset.map(|p| p.id)),
        opt(preset.map(|p| p.figure)),
        json_string(cfg.model.name()),
        json_string(&cli_command(&link, cfg.model == Model::Geometry, every)),
        keys.join(",\n"),
    )
}

/// What to draw into an SVG of the skill chart.
pub struct SvgChart<'a> {
    pub frames: &'a [Frame],
    pub freqs: &'a [f64],
    pub steps: u32,
    pub milestones: Option<&'a Milestones>,
    pub overlays: &'a [Overlay<'a>],
    pub cursor: Option<u32>,
    pub theme: Theme,
    pub size: (u32, u32),
    /// A real network's chart (the y axis reads "task accuracy").
    pub net: bool,
    /// Skill names for the legend (`Config::skill_names`; empty: s1, s2, …).
    pub names: &'a [String],
}

/// The skill chart as an SVG document: [`chart::draw_skills`], the function the page draws
/// its canvas with, on plotters' SVG backend.
pub fn skills_svg(c: &SvgChart) -> Result<String, String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, c.size).into_drawing_area();
        let data = ChartData {
            milestones: c.milestones,
            overlays: c.overlays,
            level_label: chart::level_label(c.net),
            names: c.names,
            ..ChartData::new(c.frames, c.freqs, c.steps)
        };
        let opts = ChartOpts {
            scale: 1.0,
            theme: c.theme,
            cursor: c.cursor,
        };
        chart::draw_skills(&root, &data, c.frames.len(), &opts)?;
    }
    Ok(out)
}

/// A small picture of a run for the gallery: the skill levels s_i(t) as thin curves (at most 12
/// skills, evenly chosen, each in its chart colour, about 80 points each) in a `w × h` box that
/// stretches to its container. Only numbers from the run go in, so the markup is safe to insert.
pub fn thumbnail_svg(frames: &[Frame], steps: u32, (w, h): (u32, u32)) -> String {
    let n = frames.first().map(|f| f.levels.len()).unwrap_or(0);
    let shown: Vec<usize> = if n <= 12 {
        (0..n).collect()
    } else {
        (0..12).map(|k| k * (n - 1) / 11).collect()
    };
    // about 80 points per curve: every `stride`-th frame and the last
    let rows: Vec<usize> = match frames.len() {
        0 => vec![],
        len => metrics::kept_rows(len - 1, (len / 80).max(1)).collect(),
    };
    let (wf, hf) = (w as f64, h as f64);
    let pad = 2.0;
    let x = |step: u32| step as f64 / steps.max(1) as f64 * wf;
    let y = |s: f64| pad + (1.0 - s.clamp(0.0, 1.0)) * (hf - 2.0 * pad);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" preserveAspectRatio=\"none\" aria-hidden=\"true\">"
    );
    for i in shown {
        let pts: Vec<String> = rows
            .iter()
            .filter_map(|&t| {
                let f = &frames[t];
                f.levels
                    .get(i)
                    .map(|s| format!("{:.1},{:.1}", x(f.step), y(*s)))
            })
            .collect();
        out += &format!(
            "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.6\" vector-effect=\"non-scaling-stroke\" points=\"{}\"/>",
            chart::css_color(chart::skill_color(i, n)),
            pts.join(" ")
        );
    }
    out += "</svg>";
    out
}

/// Text for an HTML attribute value in double quotes.
pub fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `theme=`: the page's colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ThemeChoice {
    /// Follow `prefers-color-scheme`.
    #[default]
    Auto,
    Light,
    Dark,
}

impl ThemeChoice {
    pub fn name(self) -> &'static str {
        match self {
            ThemeChoice::Auto => "auto",
            ThemeChoice::Light => "light",
            ThemeChoice::Dark => "dark",
        }
    }

    pub fn parse(s: &str) -> Option<ThemeChoice> {
        [ThemeChoice::Auto, ThemeChoice::Light, ThemeChoice::Dark]
            .into_iter()
            .find(|t| t.name() == s)
    }

    /// The chart theme this choice forces (`None` for auto).
    pub fn forced(self) -> Option<Theme> {
        match self {
            ThemeChoice::Auto => None,
            ThemeChoice::Light => Some(Theme::Light),
            ThemeChoice::Dark => Some(Theme::Dark),
        }
    }
}

/// The page-only keys of a link: how the page is shown, not what runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct PageOpts {
    /// `embed=1`: chromeless, for an iframe.
    pub embed: bool,
    /// `ui=0`: the figure only (with `embed=1`).
    pub figure_only: bool,
    /// `autoplay=1` / `autoplay=0`; unset = play on load in the full app, not in an embed.
    pub autoplay: Option<bool>,
    pub theme: ThemeChoice,
    /// The hide flags (`<name>_hide=1`, [`page::HIDE`]): bit i hides `page::HIDE[i]`.
    pub hide: u8,
    /// `tour=<k>`: step k (1-based) of the guided tour; the page checks k against the tour
    /// (`lab::tour::parse_position`).
    pub tour: Option<u8>,
}

impl PageOpts {
    /// Read `embed`, `ui`, `autoplay`, `theme` and the hide flags from a query string (the
    /// last value of a key counts; anything unexpected is the default).
    pub fn from_query(query: &str) -> PageOpts {
        let q = query.split('#').next().unwrap_or("");
        let q = q.strip_prefix('?').unwrap_or(q);
        let mut o = PageOpts::default();
        for (k, v) in query::pairs(q) {
            match k {
                page::EMBED => o.embed = v == "1",
                page::UI => o.figure_only = v == "0",
                page::AUTOPLAY => {
                    o.autoplay = match v {
                        "1" => Some(true),
                        "0" => Some(false),
                        _ => None,
                    }
                }
                page::THEME => o.theme = ThemeChoice::parse(v).unwrap_or_default(),
                page::TOUR => o.tour = v.parse::<u8>().ok().filter(|k| *k >= 1),
                k => {
                    if let Some(i) = page::hide_index(k) {
                        o.set_hidden(i, v == "1" || v == "true");
                    }
                }
            }
        }
        o
    }

    /// Play on load? (Before the reader's reduced-motion preference, which always wins.)
    pub fn wants_autoplay(&self) -> bool {
        if self.embed {
            self.autoplay == Some(true)
        } else {
            self.autoplay != Some(false)
        }
    }

    /// The keys as a query suffix (`&embed=1&ui=0…`, "" for none), in a fixed order.
    pub fn suffix(&self) -> String {
        let mut out = String::new();
        if self.embed {
            out += &format!("&{}=1", page::EMBED);
        }
        if self.figure_only {
            out += &format!("&{}=0", page::UI);
        }
        if let Some(on) = self.autoplay {
            out += &format!("&{}={}", page::AUTOPLAY, on as u8);
        }
        if self.theme != ThemeChoice::Auto {
            out += &format!("&{}={}", page::THEME, self.theme.name());
        }
        for (i, h) in page::HIDE.iter().enumerate() {
            if self.hidden(i) {
                out += &format!("&{}=1", h.key());
            }
        }
        if let Some(k) = self.tour {
            out += &format!("&{}={k}", page::TOUR);
        }
        out
    }

    /// Is the part `page::HIDE[i]` hidden?
    pub fn hidden(&self, i: usize) -> bool {
        i < page::HIDE.len() && self.hide & (1 << i) != 0
    }

    /// Hide the part `page::HIDE[i]` or show it.
    pub fn set_hidden(&mut self, i: usize, on: bool) {
        if i < page::HIDE.len() {
            if on {
                self.hide |= 1 << i;
            } else {
                self.hide &= !(1 << i);
            }
        }
    }

    /// Is the part named `name` (`page::HIDE[_].name`) hidden?
    pub fn hides(&self, name: &str) -> bool {
        page::HIDE
            .iter()
            .position(|h| h.name == name)
            .is_some_and(|i| self.hidden(i))
    }

    /// `link` (`?query#fragment`) with these keys appended to the query.
    pub fn add_to(&self, link: &str) -> String {
        let (q, hash) = match link.find('#') {
            Some(i) => (&link[..i], &link[i..]),
            None => (link, ""),
        };
        let q = if q.is_empty() { "?" } else { q };
        format!("{q}{}{hash}", self.suffix())
    }
}

/// The query [`link::parse`](crate::link::parse) reads: the link without the page-only
/// keys `embed`, `ui`, `autoplay` and `theme` (which `parse` ignores too; removing them here
/// keeps them out of the run even if the vocabulary ever grows a key of that name).
pub fn config_query(query: &str) -> String {
    let q = query.split('#').next().unwrap_or("");
    let q = q.strip_prefix('?').unwrap_or(q);
    query::parts(q)
        .filter(|p| !page::is_page_key(query::key(p)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The title of a run for people: the preset's figure and title, else the model's.
pub fn run_title(cfg: &Config, preset: Option<&Preset>) -> String {
    match preset {
        Some(p) => format!("{}: {}", p.figure, p.title),
        None => cfg.model.title().to_string(),
    }
}

/// The embed's own height at a host width, in CSS pixels, for `preset=fig5` (ten skills):
/// measured in Chromium with the embed in a real iframe on a second origin (2026-12-06, the
/// first-screen layout; `e2e/embed.test.mjs` measures it again at each width and fails when
/// the page drifts more than 10 % from these numbers, naming the new ones):
/// (frame width, full embed, figure only).
pub const EMBED_HEIGHTS: [(u32, u32, u32); 3] =
    [(360, 1099, 606), (720, 828, 508), (1000, 816, 526)];

/// The height the embed snippet starts with: the embed's measured height
/// ([`EMBED_HEIGHTS`]) at the 720 px most blog columns have. The embed script (web/embed.js)
/// then sets the frame to the height the page reports for itself at the frame's real width.
pub fn embed_height(figure_only: bool) -> u32 {
    let (_, full, fig) = EMBED_HEIGHTS[1];
    if figure_only {
        fig
    } else {
        full
    }
}

/// The embed's size in a 720 px column: (720, [`embed_height`]) (an oEmbed document's
/// `width` and `height`).
pub fn embed_size(figure_only: bool) -> (u32, u32) {
    (EMBED_HEIGHTS[1].0, embed_height(figure_only))
}

/// The address of the embed script next to the page: `page` is the page's address without
/// query (`https://x.org/app/` or `…/app/index.html`).
pub fn embed_script_url(page: &str) -> String {
    let dir = match page.rfind('/') {
        Some(i) if page[..i].contains("//") => &page[..=i],
        _ => page,
    };
    let dir = if dir.ends_with('/') {
        dir.to_string()
    } else {
        format!("{dir}/")
    };
    format!("{dir}embed.js")
}

/// The embed snippet: a full-width iframe (`data-skill-dominoes`, the measured starting height
/// of [`embed_height`]), the embed script that resizes it to the height the page reports
/// (web/embed.js, included once per host page however many embeds it holds), and for hosts
/// that run no script a link to the run (with `image`, the figure's picture, when given).
/// `page` is the page's address without the query, `link` the run's `?query#fragment`.
pub fn embed_code(
    page: &str,
    link: &str,
    opts: &PageOpts,
    title: &str,
    image: Option<&str>,
) -> String {
    let opts = PageOpts {
        embed: true,
        ..*opts
    };
    let h = embed_height(opts.figure_only);
    let src = format!("{page}{}", opts.add_to(link));
    let full = format!("{page}{link}");
    let title = format!("Skill Dominoes: {title}");
    let inner = match image {
        Some(img) => format!(
            "<img src=\"{}\" alt=\"{}\" style=\"max-width:100%\">",
            escape_attr(img),
            escape_attr(&title)
        ),
        None => format!("{} (interactive figure) ↗", escape_html(&title)),
    };
    format!(
        "<iframe title=\"{}\" src=\"{}\" data-skill-dominoes loading=\"lazy\" width=\"100%\" height=\"{h}\" style=\"border:0;width:100%\"></iframe>\n\
         <script async src=\"{}\"></script>\n\
         <noscript><a href=\"{}\">{inner}</a></noscript>",
        escape_attr(&title),
        escape_attr(&src),
        escape_attr(&embed_script_url(page)),
        escape_attr(&full),
    )
}

/// Text for HTML element content.
pub fn escape_html(s: &str) -> String {
    escape_attr(s)
}

/// A WordPress host's secret in the page's fragment: WordPress appends `#?secret=XYZ` to the
/// address of an embed it sandboxes and resizes only the frame whose messages carry XYZ.
/// Returns the fragment without it (what `#vs=` is read from) and the secret, if it is one
/// (1 to 64 letters and digits, as WordPress's own script requires; anything else is ignored).
pub fn split_host_secret(hash: &str) -> (String, Option<String>) {
    const MARK: &str = "#?secret=";
    let Some(i) = hash.find(MARK) else {
        return (hash.to_string(), None);
    };
    let value = hash[i + MARK.len()..]
        .split(['&', '#'])
        .next()
        .unwrap_or("");
    let secret = (!value.is_empty()
        && value.len() <= 64
        && value.chars().all(|c| c.is_ascii_alphanumeric()))
    .then(|| value.to_string());
    (hash[..i].to_string(), secret)
}

/// The words of `text` in lines no wider than `max` by `measure` (a word wider than `max`
/// gets a line of its own), at most `max_lines` lines; a cut text ends in "…".
pub fn wrap_text(
    text: &str,
    max: f64,
    max_lines: usize,
    measure: impl Fn(&str) -> f64,
) -> Vec<String> {
    let mut lines: Vec<String> = vec![];
    let mut cur = String::new();
    for w in text.split_whitespace() {
        if lines.len() == max_lines {
            break;
        }
        let next = if cur.is_empty() {
            w.to_string()
        } else {
            format!("{cur} {w}")
        };
        if cur.is_empty() || measure(&next) <= max {
            cur = next;
        } else {
            lines.push(std::mem::replace(&mut cur, w.to_string()));
        }
    }
    if lines.len() == max_lines {
        if !cur.is_empty() {
            if let Some(last) = lines.last_mut() {
                last.push_str(" …");
            }
        }
    } else if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// A file name for an export: `skill-dominoes-<preset or model>-seed<seed>.<ext>`.
pub fn file_name(cfg: &Config, preset: Option<&Preset>, ext: &str) -> String {
    let stem = preset.map(|p| p.id).unwrap_or(cfg.model.name());
    format!("skill-dominoes-{stem}-seed{}.{ext}", cfg.seed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::parse;
    use crate::sim::run;

    fn frames(q: &str, align: bool) -> (Config, Vec<Frame>) {
        let cfg = parse(q).config;
        let f = run(cfg.spec().unwrap(), cfg.steps, 1, align)
            .unwrap()
            .frames;
        (cfg, f)
    }

    #[test]
    fn the_trajectory_csv_needs_no_quoting() {
        // one rule for text in a CSV: every cell here is a number or a fixed name
        for (q, align) in [
            ("v=1&n=3&dim=30&steps=5", true),
            ("v=1&m=quadratic&steps=3", false),
        ] {
            let (cfg, f) = frames(q, align);
            let text = csv(cfg.model, cfg.skills(), &f);
            for cell in text.lines().flat_map(|l| l.split(',')) {
                assert_eq!(crate::sweep::csv::field(cell), cell, "{q}");
            }
        }
    }

    #[test]
    fn csv_has_the_cli_header_and_rows() {
        let (cfg, f) = frames("v=1&m=resource&n=3&steps=5", false);
        let text = csv(cfg.model, 3, &f);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "step,loss,s1,s2,s3");
        assert_eq!(lines.len(), 7);
        assert!(lines[1].starts_with("0,"));
        let row: Vec<&str> = lines[6].split(',').collect();
        assert_eq!(row[0], "5");
        assert_eq!(row[1], num(f[5].loss));
        assert_eq!(row[2], num(f[5].values[0]));
        assert_eq!(
            csv_header(Model::Quadratic, 4, false),
            "step,loss,l1,l2,l3,l4"
        );
        assert_eq!(csv_header(Model::Parity, 2, false), "step,loss,acc1,acc2");
        let (cfg, f) = frames("v=1&n=2&dim=20&steps=3", true);
        let text = csv(cfg.model, 2, &f);
        assert!(text.starts_with("step,loss,s1,s2,align1,align2\n"));
        assert_eq!(text.lines().nth(1).unwrap().split(',').count(), 6);
    }

    #[test]
    fn json_names_every_key_and_is_valid() {
        let p = parse("v=1&preset=fig4&opt=sgd&p1=0.9");
        let j = config_json(&p.config, p.preset, "https://x.org/a/", 12);
        for k in SCHEMA {
            assert!(j.contains(&format!("\"{}\": ", k.key)), "{}", k.key);
        }
        assert!(j.contains("\"preset\": \"fig4\""));
        assert!(j.contains("\"opt\": \"sgd\""));
        assert!(j.contains("\"p1\": 0.9"));
        assert!(j.contains("\"lr\": 0.03"), "the preset's SGD learning rate");
        assert!(j.contains("\"beta1\": null"));
        assert!(j.contains("\"link\": \"?v=1&preset=fig4&"));
        assert!(j.contains("\"step\": 12"));
        assert!(j.contains("\"cli\": \"skills run 'v=1&preset=fig4"));
        // balanced braces, no trailing commas
        assert_eq!(j.matches('{').count(), j.matches('}').count());
        assert!(!j.contains(",\n  }") && !j.contains(",\n}"));
        assert!(is_json_number("0.0003") && is_json_number("1e-20") && is_json_number("-2"));
        assert!(!is_json_number("01") && !is_json_number("1.") && !is_json_number("NaN"));
        assert_eq!(json_string("a\"<\n"), "\"a\\\"\\u003c\\n\"");
    }

    #[test]
    fn svg_is_the_page_chart() {
        let (cfg, f) = frames("v=1&m=resource&n=3&steps=50", false);
        let m = Milestones::of(&f, 3, cfg.thr);
        let svg = skills_svg(&SvgChart {
            frames: &f,
            freqs: &cfg.freqs(),
            steps: cfg.steps,
            milestones: Some(&m),
            overlays: &[],
            cursor: None,
            net: false,
            names: &[],
            theme: Theme::Light,
            size: (800, 400),
        })
        .unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("skill level s_i"));
        assert!(svg.matches("<polyline").count() >= 3);
    }

    #[test]
    fn thumbnails_are_small_curves() {
        let (cfg, f) = frames("v=1&m=resource&n=30&steps=1000", false);
        let svg = thumbnail_svg(&f, cfg.steps, (240, 60));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<polyline").count(), 12, "at most 12 curves");
        let pts = svg
            .split("points=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let n = pts.split(' ').count();
        assert!((80..=95).contains(&n), "{n} points");
        assert!(pts.ends_with(&format!(
            "240.0,{:.1}",
            2.0 + (1.0 - f[1000].levels[0].clamp(0.0, 1.0)) * 56.0
        )));
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }

    #[test]
    fn page_keys_and_embed_code() {
        let o = PageOpts::from_query("?v=1&embed=1&ui=0&autoplay=1&theme=dark#vs=x");
        assert!(o.embed && o.figure_only && o.autoplay == Some(true));
        let t = PageOpts::from_query("?v=1&preset=fig4&tour=3&embed=1");
        assert_eq!(t.tour, Some(3));
        assert_eq!(t.suffix(), "&embed=1&tour=3");
        assert_eq!(config_query("?v=1&preset=fig4&tour=3"), "v=1&preset=fig4");
        for bad in ["tour=0", "tour=-1", "tour=x", "tour=300", "tour="] {
            assert_eq!(PageOpts::from_query(bad).tour, None, "{bad}");
        }
        assert_eq!(o.theme, ThemeChoice::Dark);
        assert!(o.wants_autoplay());
        assert_eq!(o.suffix(), "&embed=1&ui=0&autoplay=1&theme=dark");
        assert_eq!(
            o.add_to("?v=1&n=3#vs=a"),
            "?v=1&n=3&embed=1&ui=0&autoplay=1&theme=dark#vs=a"
        );
        assert_eq!(
            config_query("?v=1&m=grokking&emb=64&embed=1&ui=0&autoplay=1&theme=dark#vs=x"),
            "v=1&m=grokking&emb=64"
        );
        let p = crate::link::parse(&config_query("?v=1&preset=fig13s&embed=1&ui=0"));
        assert!(p.problems.is_empty() && p.unknown.is_empty());
        assert_eq!(p.config.link(p.preset), "v=1&preset=fig13s");
        assert_eq!(
            p.config,
            crate::link::parse("v=1&preset=fig13s").config,
            "embed=1 is not the embedding width"
        );
        let d = PageOpts::from_query("v=1&theme=<script>&embed=yes");
        assert_eq!(d, PageOpts::default());
        assert!(d.wants_autoplay(), "the full app plays on load");
        assert!(
            !PageOpts::from_query("embed=1").wants_autoplay(),
            "an embed waits"
        );
        assert!(!PageOpts::from_query("autoplay=0").wants_autoplay());
        let code = embed_code(
            "https://x.org/app/",
            "?v=1&preset=fig4",
            &PageOpts::default(),
            "Fig. 4: \"two\" <skills>",
            None,
        );
        let h = embed_height(false);
        assert_eq!(
            code,
            format!("<iframe title=\"Skill Dominoes: Fig. 4: &quot;two&quot; &lt;skills&gt;\" src=\"https://x.org/app/?v=1&amp;preset=fig4&amp;embed=1\" data-skill-dominoes loading=\"lazy\" width=\"100%\" height=\"{h}\" style=\"border:0;width:100%\"></iframe>\n\
             <script async src=\"https://x.org/app/embed.js\"></script>\n\
             <noscript><a href=\"https://x.org/app/?v=1&amp;preset=fig4\">Skill Dominoes: Fig. 4: &quot;two&quot; &lt;skills&gt; (interactive figure) ↗</a></noscript>")
        );
        let with_img = embed_code(
            "https://x.org/app/index.html",
            "?v=1#vs=a",
            &PageOpts::from_query("ui=0&dominoes_hide=1"),
            "t",
            Some("https://x.org/app/fig4.png"),
        );
        assert!(with_img.contains("src=\"https://x.org/app/index.html?v=1&amp;embed=1&amp;ui=0&amp;dominoes_hide=1#vs=a\""), "{with_img}");
        assert!(with_img.contains(&format!("height=\"{}\"", embed_height(true))));
        assert!(with_img.contains("<script async src=\"https://x.org/app/embed.js\">"));
        assert!(
            with_img.contains("<img src=\"https://x.org/app/fig4.png\" alt=\"Skill Dominoes: t\"")
        );
        assert_eq!(embed_script_url("https://x.org"), "https://x.org/embed.js");
    }

    #[test]
    fn wrapped_captions() {
        let m = |s: &str| s.chars().count() as f64;
        assert_eq!(wrap_text("a bb ccc dd", 6.0, 9, m), ["a bb", "ccc dd"]);
        assert_eq!(wrap_text("  ", 6.0, 9, m), Vec::<String>::new());
        assert_eq!(wrap_text("abcdefghij x", 4.0, 9, m), ["abcdefghij", "x"]);
        assert_eq!(wrap_text("a b c d e f", 3.0, 2, m), ["a b", "c d …"]);
        assert_eq!(wrap_text("a b c d", 3.0, 2, m), ["a b", "c d"]);
        assert_eq!(wrap_text("a b", 3.0, 0, m), Vec::<String>::new());
    }

    #[test]
    fn hide_flags() {
        let o = PageOpts::from_query(
            "?v=1&embed=1&seed_hide=1&dominoes_hide=true&speed_hide=0&zzz_hide=1",
        );
        assert!(o.hides("seed") && o.hides("dominoes") && !o.hides("speed") && !o.hides("zzz"));
        assert_eq!(o.suffix(), "&embed=1&dominoes_hide=1&seed_hide=1");
        assert_eq!(
            PageOpts::from_query(&o.suffix()),
            o,
            "written and read back"
        );
        assert_eq!(
            config_query("v=1&n=3&title_hide=1&chart2_hide=1"),
            "v=1&n=3",
            "not keys of the run"
        );
        let p = crate::link::parse("v=1&n=3&transport_hide=1");
        assert!(p.unknown.is_empty() && p.problems.is_empty());
        let mut o = PageOpts::default();
        o.set_hidden(99, true);
        assert_eq!(o, PageOpts::default(), "an index past the list is ignored");
    }

    #[test]
    fn wordpress_secret() {
        assert_eq!(split_host_secret(""), (String::new(), None));
        assert_eq!(split_host_secret("#vs=n%3D4"), ("#vs=n%3D4".into(), None));
        assert_eq!(
            split_host_secret("#?secret=Ab12"),
            (String::new(), Some("Ab12".into()))
        );
        assert_eq!(
            split_host_secret("#vs=n%3D4#?secret=Ab12"),
            ("#vs=n%3D4".into(), Some("Ab12".into()))
        );
        // not letters and digits, empty or too long: no secret (the fragment still loses it)
        for bad in ["#?secret=a\"b", "#?secret=", "#?secret=<x>"] {
            assert_eq!(split_host_secret(bad), (String::new(), None), "{bad}");
        }
        let long = format!("#?secret={}", "a".repeat(65));
        assert_eq!(split_host_secret(&long).1, None);
    }
}
