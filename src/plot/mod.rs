//! Charts, generic over plotters' `DrawingBackend` (canvas in the page, SVG natively):
//! [`run`] draws one run's trajectories, [`sweep`] a sweep's views, [`inside`] the hidden
//! units of a real network. Here: what both share,
//! the light and dark themes, the skill colours and [`ChartOpts`].

pub mod inside;
mod noise;
pub mod run;
pub mod sweep;

use plotters::style::RGBColor;

/// Colours of the first skills: distinct, and readable on both the light and the dark
/// background (no pale yellow, no near-black).
const PALETTE: [(u8, u8, u8); 12] = [
    (0x4c, 0x8f, 0xd6), // blue
    (0xf2, 0x8e, 0x2b), // orange
    (0x3f, 0xb2, 0x7f), // green
    (0xe1, 0x57, 0x59), // red
    (0xa7, 0x7f, 0xd1), // purple
    (0xc7, 0xa1, 0x2a), // mustard
    (0x17, 0xbe, 0xcf), // cyan
    (0xe3, 0x77, 0xc2), // pink
    (0xb8, 0x86, 0x5f), // brown
    (0x8c, 0x9a, 0xa8), // slate
    (0x7f, 0xbf, 0x3f), // lime
    (0xd6, 0x60, 0x4d), // brick
];

/// The colour of skill `i` (0-based) out of `n`: the palette for up to 12 skills, else a hue
/// sweep from blue (skill 1, the most frequent) to red (the rarest), so order stays visible.
pub fn skill_color(i: usize, n: usize) -> RGBColor {
    if n <= PALETTE.len() {
        let (r, g, b) = PALETTE[i % PALETTE.len()];
        return RGBColor(r, g, b);
    }
    let t = i as f64 / (n.max(2) - 1) as f64;
    let (r, g, b) = hsl_to_rgb(215.0 - 215.0 * t, 0.65, 0.55);
    RGBColor(r, g, b)
}

/// `rgb(r,g,b)` for CSS.
pub fn css_color(c: RGBColor) -> String {
    format!("rgb({},{},{})", c.0, c.1, c.2)
}

fn hsl_to_rgb(h: f64, s: f64, l: f64) -> (u8, u8, u8) {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let hp = (h.rem_euclid(360.0)) / 60.0;
    let x = c * (1.0 - (hp % 2.0 - 1.0).abs());
    let (r, g, b) = match hp as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    let to = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    (to(r), to(g), to(b))
}

/// A number with two significant digits, for frequency labels: 0.65, 0.072, 0.0066.
pub fn sig2(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let digits = (1 - x.abs().log10().floor() as i32).clamp(0, 12) as usize;
    format!("{x:.digits$}")
}

/// Light or dark chart colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

pub(crate) struct Colors {
    pub bg: RGBColor,
    pub fg: RGBColor,
    pub grid: RGBColor,
    pub cursor: RGBColor,
}

impl Theme {
    pub(crate) fn colors(self) -> Colors {
        match self {
            Theme::Light => Colors {
                bg: RGBColor(0xff, 0xff, 0xff),
                fg: RGBColor(0x22, 0x25, 0x2b),
                grid: RGBColor(0xe3, 0xe6, 0xea),
                cursor: RGBColor(0x55, 0x5b, 0x66),
            },
            Theme::Dark => Colors {
                bg: RGBColor(0x1a, 0x1d, 0x23),
                fg: RGBColor(0xe4, 0xe7, 0xec),
                grid: RGBColor(0x31, 0x36, 0x3f),
                cursor: RGBColor(0xb0, 0xb6, 0xc0),
            },
        }
    }
}

/// How to draw (not what).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChartOpts {
    /// Device pixels per CSS pixel (`devicePixelRatio`); fonts, strokes and margins scale with it.
    pub scale: f64,
    pub theme: Theme,
    /// The vertical cursor's step; `None` = the last drawn frame's step.
    pub cursor: Option<u32>,
}

impl Default for ChartOpts {
    fn default() -> Self {
        ChartOpts {
            scale: 1.0,
            theme: Theme::Light,
            cursor: None,
        }
    }
}
