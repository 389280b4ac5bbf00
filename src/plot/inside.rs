//! The inside view of a real network (docs/models.md §12), over any plotters backend:
//! [`draw_units`], the units × time heat strip (colour = the task a unit serves most,
//! intensity = how much), and [`draw_serving`], the fraction of the network serving each
//! task over time (solid) beside the Resource model's shares of its resource (dashed).

use super::{skill_color, ChartOpts};
use crate::sim::nn::Attribution;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// `fg` over `bg` at opacity `t` ∈ [0, 1].
fn blend(bg: RGBColor, fg: RGBColor, t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * t).round() as u8;
    RGBColor(mix(bg.0, fg.0), mix(bg.1, fg.1), mix(bg.2, fg.2))
}

/// A unit's cell: the colour of the task with the largest share, from the background
/// (shares even: 1/K) to full colour (the unit serves that task alone); `None` for an idle
/// unit (no gradient reaches it).
pub fn unit_color(share: Option<&[f64]>, bg: RGBColor) -> Option<RGBColor> {
    let s = share?;
    let k = s.len();
    let (top, &v) = s
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))?;
    let even = 1.0 / k as f64;
    let t = if k > 1 {
        (v - even) / (1.0 - even)
    } else {
        1.0
    };
    Some(blend(bg, skill_color(top, k), 0.15 + 0.85 * t))
}

/// Axis-area sizes (CSS px) shared by both charts, so their time axes line up.
const Y_AREA: f64 = 52.0;
const X_AREA: f64 = 34.0;

/// The units × time strip of `snapshots` ((step, attribution), in step order) on a time axis
/// 0 … `x_end`: one column per snapshot up to the next, one row per hidden unit (layer by
/// layer, the first at the top), a thin line between layers. Idle units stay grey.
pub fn draw_units<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    snapshots: &[(u32, Attribution)],
    every: u32,
    x_end: u32,
    opts: &ChartOpts,
) -> Result<(), String> {
    let k = opts.scale.max(0.25);
    let px = |v: f64| (v * k).round().max(1.0) as u32;
    let c = opts.theme.colors();
    root.fill(&c.bg).map_err(err)?;
    let units = snapshots.first().map_or(1, |s| s.1.units().max(1));
    let x_max = x_end.max(1) as f64;
    let font = ("sans-serif", 12.0 * k).into_font().color(&c.fg);
    let mut chart = ChartBuilder::on(root)
        .margin(px(6.0))
        .margin_right(px(14.0))
        .x_label_area_size(px(X_AREA))
        .y_label_area_size(px(Y_AREA))
        .build_cartesian_2d(0.0..x_max, units as f64..0.0)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("step")
        .y_desc("hidden unit")
        .x_labels(6)
        .y_labels(4)
        .x_label_formatter(&|x| format!("{}", x.round() as i64))
        .y_label_formatter(&|y| format!("{}", y.round() as i64 + 1))
        .label_style(font.clone())
        .axis_desc_style(font)
        .axis_style(c.fg.stroke_width(px(1.0)))
        .disable_mesh()
        .draw()
        .map_err(err)?;
    let idle = c.grid;
    for (n, (step, a)) in snapshots.iter().enumerate() {
        let x0 = *step as f64;
        if x0 > x_max {
            break;
        }
        let x1 = snapshots
            .get(n + 1)
            .map_or(x0 + every as f64, |s| s.0 as f64)
            .min(x_max);
        chart
            .draw_series((0..a.units().min(units)).map(|j| {
                let col = unit_color(a.share(j).as_deref(), c.bg).unwrap_or(idle);
                Rectangle::new([(x0, j as f64), (x1, j as f64 + 1.0)], col.filled())
            }))
            .map_err(err)?;
    }
    // layer boundaries
    if let Some((_, a)) = snapshots.first() {
        let mut y = 0usize;
        for w in &a.widths[..a.widths.len().saturating_sub(1)] {
            y += w;
            chart
                .draw_series(LineSeries::new(
                    [(0.0, y as f64), (x_max, y as f64)],
                    c.fg.stroke_width(px(1.0)),
                ))
                .map_err(err)?;
        }
    }
    root.present().map_err(err)?;
    Ok(())
}

/// The fraction of the network serving each task (`serving`: (step, fractions), solid, with
/// the idle fraction in grey when any unit is idle) and the Resource model's share of its
/// resource per skill (`resource`: (x on the network's step axis, shares), dashed), against
/// the step 0 … `x_end`, shares 0 … 1. The legend (`names` solid, "Resource model" dashed)
/// sits in a strip above the plot, wrapped to the chart's width, so it never covers a curve
/// (on a phone a legend inside the plot hid most of the later curves).
pub fn draw_serving<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    serving: &[(u32, Vec<f64>)],
    resource: &[(f64, Vec<f64>)],
    names: &[String],
    x_end: u32,
    opts: &ChartOpts,
) -> Result<(), String> {
    let k = opts.scale.max(0.25);
    let px = |v: f64| (v * k).round().max(1.0) as u32;
    let c = opts.theme.colors();
    root.fill(&c.bg).map_err(err)?;
    let n = names.len();
    let font = ("sans-serif", 12.0 * k).into_font().color(&c.fg);
    // the legend's entries: (colour, dashed, label), laid out left to right, wrapping
    let mut entries: Vec<(RGBColor, bool, String)> = (0..n)
        .map(|i| (skill_color(i, n), false, names[i].clone()))
        .collect();
    if resource.len() >= 2 {
        entries.push((c.fg, true, "Resource model".into()));
    }
    let (w, h) = root.dim_in_pixel();
    let (swatch, gap, line, edge) = (px(18.0), px(12.0), px(18.0), px(8.0) as i32);
    let mut placed: Vec<(i32, i32, u32)> = vec![];
    let (mut x, mut y) = (edge, px(4.0) as i32);
    for (_, _, label) in &entries {
        let (tw, th) = root.estimate_text_size(label, &font).map_err(err)?;
        let width = (swatch + px(4.0) + tw) as i32;
        if x > edge && x + width > w as i32 - edge {
            x = edge;
            y += line as i32;
        }
        placed.push((x, y, th));
        x += width + gap as i32;
    }
    let strip = if entries.is_empty() {
        0
    } else {
        (y as u32 + line + px(2.0)).min(h / 2)
    };
    let (top, plot) = root.split_vertically(strip);
    for ((col, dashed, label), &(x, y, th)) in entries.iter().zip(&placed) {
        let mid = y + line as i32 / 2;
        let ends = vec![(x, mid), (x + swatch as i32, mid)];
        if *dashed {
            top.draw(&DashedPathElement::new(
                ends,
                px(5.0),
                px(3.0),
                col.stroke_width(px(1.5)),
            ))
            .map_err(err)?;
        } else {
            top.draw(&PathElement::new(ends, col.stroke_width(px(2.0))))
                .map_err(err)?;
        }
        let at = (x + (swatch + px(4.0)) as i32, mid - th as i32 / 2);
        top.draw(&Text::new(label.clone(), at, font.clone()))
            .map_err(err)?;
    }
    let root = &plot;
    let x_max = x_end.max(1) as f64;
    let mut chart = ChartBuilder::on(root)
        .margin(px(6.0))
        .margin_right(px(14.0))
        .x_label_area_size(px(X_AREA))
        .y_label_area_size(px(Y_AREA))
        .build_cartesian_2d(0.0..x_max, 0.0..1.0)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("step")
        .y_desc("share")
        .x_labels(6)
        .y_labels(3)
        .x_label_formatter(&|x| format!("{}", x.round() as i64))
        .y_label_formatter(&|y| format!("{y:.1}"))
        .label_style(font.clone())
        .axis_desc_style(font.clone())
        .axis_style(c.fg.stroke_width(px(1.0)))
        .bold_line_style(c.grid.stroke_width(px(1.0)))
        .light_line_style(TRANSPARENT)
        .draw()
        .map_err(err)?;
    let on_axis = |x: f64| x <= x_max;
    for i in 0..n {
        let col = skill_color(i, n);
        let pts: Vec<(f64, f64)> = serving
            .iter()
            .filter(|(s, v)| on_axis(*s as f64) && v.len() > i)
            .map(|(s, v)| (*s as f64, v[i].clamp(0.0, 1.0)))
            .collect();
        chart
            .draw_series(LineSeries::new(pts, col.stroke_width(px(2.0))))
            .map_err(err)?;
        let dashed: Vec<(f64, f64)> = resource
            .iter()
            .filter(|(x, v)| on_axis(*x) && v.len() > i)
            .map(|(x, v)| (*x, v[i].clamp(0.0, 1.0)))
            .collect();
        if dashed.len() >= 2 {
            chart
                .draw_series(DashedLineSeries::new(
                    dashed,
                    px(6.0),
                    px(4.0),
                    col.stroke_width(px(1.5)),
                ))
                .map_err(err)?;
        }
    }
    let idle: Vec<(f64, f64)> = serving
        .iter()
        .filter(|(s, v)| on_axis(*s as f64) && v.len() == n + 1)
        .map(|(s, v)| (*s as f64, v[n]))
        .collect();
    if idle.iter().any(|p| p.1 > 0.0) {
        chart
            .draw_series(LineSeries::new(idle, c.cursor.stroke_width(px(1.0))))
            .map_err(err)?;
    }
    root.present().map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The y of the first SVG `<text>` whose content is `label`.
    fn text_y(svg: &str, label: &str) -> Option<f64> {
        svg.split("<text").skip(1).find_map(|t| {
            let (attrs, rest) = t.split_once('>')?;
            if rest.trim_start().split("</text>").next()?.trim() != label {
                return None;
            }
            let y = attrs.split("y=\"").nth(1)?.split('"').next()?;
            y.parse().ok()
        })
    }

    /// The serving chart's legend sits above the plot at a phone's width and a desktop's: every
    /// entry's text is above the share axis' top label ("1.0"), none inside the plot.
    #[test]
    fn the_serving_legend_is_above_the_plot_at_every_width() {
        let names: Vec<String> = vec!["x1²".into(), "x2²".into()];
        let serving: Vec<(u32, Vec<f64>)> = (0..=10)
            .map(|i| (i * 100, vec![1.0 - i as f64 / 20.0, i as f64 / 20.0]))
            .collect();
        let resource: Vec<(f64, Vec<f64>)> = (0..=10)
            .map(|i| {
                (
                    i as f64 * 100.0,
                    vec![1.0 - i as f64 / 10.0, i as f64 / 10.0],
                )
            })
            .collect();
        for (w, h) in [(340u32, 200u32), (900, 260)] {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
                draw_serving(
                    &root,
                    &serving,
                    &resource,
                    &names,
                    1000,
                    &ChartOpts::default(),
                )
                .unwrap();
            }
            let top = text_y(&svg, "1.0").expect("the share axis' top label");
            for label in ["x1²", "x2²", "Resource model"] {
                let y = text_y(&svg, label).unwrap_or_else(|| panic!("{w} px: no {label}"));
                assert!(
                    y < top,
                    "{w} px: {label} at y = {y}, the plot starts at {top}"
                );
            }
        }
    }
}
