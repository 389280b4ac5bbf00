//! Controls: how a key of `link::SCHEMA` maps onto a slider and its labels (the page's
//! panels): the range text, the slider's positions and values, what an unset key means.

use crate::link::{num, Config, FreqKind, KeySpec, Kind, Problem};

/// Steps of a log slider per decade.
pub const PER_DECADE: f64 = 100.0;

/// "1 – 10000", "0 < x ≤ 10": the range a control accepts.
pub fn range_text(k: &KeySpec) -> String {
    match k.kind {
        Kind::Int { min, max } if max >= 1 << 40 => format!("≥ {min}"),
        Kind::Int { min, max } => format!("{min} – {max}"),
        Kind::Float { min, max, open, .. } => {
            if open {
                format!("> {} … {}", num(min), num(max))
            } else {
                format!("{} – {}", num(min), num(max))
            }
        }
        Kind::Choice(c) => c.join(" · "),
        Kind::Flag => "on / off".into(),
        Kind::Text => String::new(),
    }
}

/// `x` rounded to `d` significant digits.
pub fn round_sig(x: f64, d: i32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let e = x.abs().log10().floor() as i32;
    let f = 10f64.powi(d - 1 - e);
    (x * f).round() / f
}

/// The mantissas of the values a log slider sets: ten a decade, evenly spread on a log
/// axis, so dragging gives 1000, 1200, 1500, 2000, … and never 977.
const NICE: [f64; 10] = [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0];

/// The nice number ([`NICE`] × a power of ten) nearest to `x > 0` on a log axis.
pub fn nice(x: f64) -> f64 {
    if x <= 0.0 || !x.is_finite() {
        return x;
    }
    let e = x.log10().floor();
    let m = x.log10() - e;
    // candidates: this decade's mantissas and the next decade's 1
    let best = NICE
        .iter()
        .chain(std::iter::once(&10.0))
        .min_by(|a, b| (a.log10() - m).abs().total_cmp(&(b.log10() - m).abs()))
        .copied()
        .unwrap_or(1.0);
    round_sig(best * 10f64.powf(e), 3)
}

/// A slider's geometry over a key's range.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Slider {
    /// Positions min ..= max, `step` apart.
    Linear {
        min: f64,
        max: f64,
        step: f64,
        int: bool,
    },
    /// Positions log10(lo) ..= log10(max) in 1/[`PER_DECADE`] decades; one position more
    /// on the left means 0 when `zero`.
    Log {
        lo: f64,
        hi: f64,
        zero: bool,
        int: bool,
    },
}

impl Slider {
    pub fn of(k: &KeySpec) -> Option<Slider> {
        match k.kind {
            Kind::Int { min, max } if max >= 1 << 40 || max <= min => None,
            Kind::Int { min, max } if max - min <= 1000 => Some(Slider::Linear {
                min: min as f64,
                max: max as f64,
                step: 1.0,
                int: true,
            }),
            Kind::Int { min, max } => Some(Slider::Log {
                lo: (min as f64).max(1.0).log10(),
                hi: (max as f64).log10(),
                zero: min == 0,
                int: true,
            }),
            Kind::Float {
                min,
                max,
                open,
                log,
            } if log || (min == 0.0 && max >= 100.0) => {
                let lo = if min > 0.0 {
                    min
                } else {
                    (max * 1e-12).max(1e-6)
                };
                Some(Slider::Log {
                    lo: lo.log10(),
                    hi: max.log10(),
                    zero: min == 0.0 && !open,
                    int: false,
                })
            }
            Kind::Float { min, max, open, .. } => {
                let step = round_sig((max - min) / 1000.0, 1);
                // An open range (thr: strictly between 0 and 1) keeps one step off both ends.
                let (min, max) = if open {
                    (min + step, max - step)
                } else {
                    (min, max)
                };
                Some(Slider::Linear {
                    min,
                    max,
                    step,
                    int: false,
                })
            }
            _ => None,
        }
    }

    /// (min, max, step) attributes of the `<input type=range>`.
    pub fn attrs(self) -> (f64, f64, f64) {
        match self {
            Slider::Linear { min, max, step, .. } => (min, max, step),
            Slider::Log { lo, hi, zero, .. } => {
                let step = 1.0 / PER_DECADE;
                (if zero { lo - step } else { lo }, hi, step)
            }
        }
    }

    /// The slider position of a value (link text); `fallback` for an unset value.
    pub fn position(self, value: &str, fallback: f64) -> f64 {
        let v: f64 = value.parse().unwrap_or(fallback);
        match self {
            Slider::Linear { min, max, .. } => v.clamp(min, max),
            Slider::Log { lo, hi, zero, .. } => {
                if v <= 0.0 || !v.is_finite() {
                    if zero {
                        lo - 1.0 / PER_DECADE
                    } else {
                        lo
                    }
                } else {
                    v.log10().clamp(lo, hi)
                }
            }
        }
    }

    /// The link text of a slider position (rounded to what the slider can set).
    pub fn value(self, pos: f64) -> String {
        match self {
            Slider::Linear {
                step,
                int,
                min,
                max,
            } => {
                let v = ((pos - min) / step).round() * step + min;
                let v = v.clamp(min, max);
                if int {
                    format!("{}", v.round() as i64)
                } else {
                    num(round_sig(v, 6))
                }
            }
            Slider::Log { lo, zero, int, .. } => {
                if zero && pos < lo - 0.5 / PER_DECADE {
                    return "0".into();
                }
                let raw = 10f64.powf(pos);
                if int && raw < 10.0 {
                    // below 10 every whole number is a position of its own
                    return format!("{}", raw.round().max(1.0) as i64);
                }
                let v = nice(raw);
                if int {
                    format!("{}", v.round().max(1.0) as i64)
                } else {
                    num(v)
                }
            }
        }
    }
}

/// The value a control of `key` shows: the key's link text, except for `freq`, whose link
/// text leaves `list` implied by `p` (the control names the mode the run uses).
pub fn shown_value(c: &Config, key: &str) -> String {
    if key == "freq" {
        return c.freq.name().to_string();
    }
    c.get(key)
}

/// `c` with one key set by a control of the page: [`Config::with`], except that choosing
/// another frequency mode than `list` leaves the list (`p`), which `Config::with` would keep
/// (a link's `freq=zipf` beside a `p` is refused as ignoring it).
pub fn set_by_control(c: &Config, key: &str, value: &str) -> (Config, Vec<Problem>) {
    if key == "freq" && c.freq == FreqKind::List && value != FreqKind::List.name() {
        let mut k = c.clone();
        k.p.clear();
        k.freq = FreqKind::Zipf;
        let (next, problems) = k.with(key, value);
        return if problems.is_empty() {
            (next, problems)
        } else {
            (c.clone(), problems)
        };
    }
    c.with(key, value)
}

/// What an unset optional key means, for its placeholder and slider position.
pub fn auto_value(c: &Config, key: &str) -> Option<f64> {
    match key {
        "eta_eff" => Some(c.eta_eff()),
        "t0" => Some(1.0 / c.eta_eff()),
        "beta1" => Some(c.opt_config().beta1),
        "beta2" => Some(c.opt_config().beta2),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(key: &str) -> &'static KeySpec {
        crate::link::SCHEMA.iter().find(|k| k.key == key).unwrap()
    }

    #[test]
    fn every_numeric_key_gets_a_slider_that_round_trips_its_default() {
        let cfg = Config::default();
        for k in crate::link::SCHEMA {
            let s = Slider::of(k);
            match k.kind {
                Kind::Int { max, .. } if max >= 1 << 40 => assert_eq!(s, None, "{}", k.key),
                Kind::Int { min, max } if max <= min => assert_eq!(s, None),
                Kind::Int { .. } | Kind::Float { .. } => {
                    let s = s.unwrap_or_else(|| panic!("{} has no slider", k.key));
                    let (a, b, st) = s.attrs();
                    assert!(a < b && st > 0.0, "{}: {a} {b} {st}", k.key);
                    // Positions give values the key accepts (as a link would set them).
                    for pos in [a, (a + b) / 2.0, b] {
                        let v = s.value(pos);
                        let (_, p) = cfg.with(k.key, &v);
                        let ok = p.is_empty() || p.iter().all(|p| p.key != k.key);
                        assert!(ok, "{} = {v}: {p:?}", k.key);
                    }
                }
                _ => assert_eq!(s, None),
            }
        }
    }

    #[test]
    fn log_sliders_reach_zero_and_round_to_three_digits() {
        let s = Slider::of(spec("n0")).unwrap();
        let (a, _, _) = s.attrs();
        assert_eq!(s.value(a), "0");
        assert_eq!(s.position("0", 1.0), a);
        let p = s.position("0.003", 1.0);
        assert_eq!(s.value(p), "0.003");
        assert_eq!(s.value(-2.0), "0.01");
        let lr = Slider::of(spec("lr")).unwrap();
        assert_eq!(lr.value(lr.position("0.0003", 1.0)), "0.0003");
        assert_eq!(lr.value(-3.4567), "0.0004");
        // Integers: whole numbers; steps is a log slider, n is too.
        let steps = Slider::of(spec("steps")).unwrap();
        assert_eq!(steps.value(3.0), "1000");
        assert_eq!(steps.value(3.011), "1000");
        assert_eq!(steps.value(0.84), "7", "every whole number below 10");
        let thr = Slider::of(spec("thr")).unwrap();
        assert!(matches!(thr, Slider::Linear { .. }));
        assert_eq!(thr.value(thr.position("0.9", 0.5)), "0.9");
        let alpha = Slider::of(spec("alpha")).unwrap();
        assert_eq!(alpha.value(2.0), "2");
        assert_eq!(alpha.value(1.2345), "1.23");
        assert_eq!(range_text(spec("n")), "1 – 10000");
        assert_eq!(range_text(spec("lr")), "> 0 … 10");
        assert_eq!(range_text(spec("seed")), "≥ 0");
        assert_eq!(round_sig(0.00034567, 3), 0.000346);
        assert!((auto_value(&Config::default(), "t0").unwrap() - 52.7046).abs() < 1e-3);
    }

    #[test]
    fn log_sliders_set_nice_numbers() {
        // the issue: dragging the steps slider gave steps=977
        let steps = Slider::of(spec("steps")).unwrap();
        assert_eq!(steps.value(2.99), "1000");
        let (a, b, st) = steps.attrs();
        let mut pos = a;
        while pos <= b {
            let v: f64 = steps.value(pos).parse().unwrap();
            let m = v / 10f64.powf(v.log10().floor());
            assert!(
                v < 10.0 || NICE.iter().any(|n| (n - m).abs() < 1e-9),
                "{pos}: {v}"
            );
            pos += st;
        }
        let lr = Slider::of(spec("lr")).unwrap();
        assert_eq!(lr.value(-2.49), "0.003");
        assert_eq!(nice(977.0), 1000.0);
        assert_eq!(nice(0.00026), 0.00025);
        assert_eq!(nice(7.1), 8.0);
    }

    #[test]
    fn the_frequency_control_shows_the_mode_the_run_uses() {
        let fig17 = crate::link::parse("preset=fig17").config;
        assert_eq!(shown_value(&fig17, "freq"), "list");
        assert_eq!(shown_value(&fig17, "n0"), "0.001");
        assert_eq!(shown_value(&Config::default(), "freq"), "zipf");
        // choosing zipf (or two) there leaves the list
        for mode in ["zipf", "exp"] {
            let (next, problems) = set_by_control(&fig17, "freq", mode);
            assert!(problems.is_empty(), "{mode}: {problems:?}");
            assert!(next.p.is_empty() && shown_value(&next, "freq") == mode);
        }
        // two skills cannot keep Fig. 17's prerequisite of skill 3: named, nothing changed
        let (next, problems) = set_by_control(&fig17, "freq", "two");
        assert_eq!((next, problems[0].key.as_str()), (fig17.clone(), "and"));
        assert_eq!(set_by_control(&fig17, "freq", "list").0, fig17);
        assert_eq!(set_by_control(&fig17, "n0", "0.01").0.n0, 0.01);
    }
}
