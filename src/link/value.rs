//! The text forms of link values: each value type of [`Config`](super::Config) reads itself
//! from link text within its key's [`Kind`] and writes itself back ([`Value`]). Error
//! messages never name the key (the caller does) and never echo more than 40 characters.

use super::names::Named;

/// The type and range of a key's value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// A whole number in min ..= max.
    Int { min: u64, max: u64 },
    /// A finite number in [min, max] (`open`: min itself excluded); `log` hints a log slider.
    Float {
        min: f64,
        max: f64,
        open: bool,
        log: bool,
    },
    /// One of these words.
    Choice(&'static [&'static str]),
    /// 0 or 1.
    Flag,
    /// Structured text (lists, prerequisites, switches).
    Text,
}

/// A number in [min, max].
pub(super) const fn f(min: f64, max: f64) -> Kind {
    Kind::Float {
        min,
        max,
        open: false,
        log: false,
    }
}

/// A number in (0, max].
pub(super) const fn pos(max: f64, log: bool) -> Kind {
    Kind::Float {
        min: 0.0,
        max,
        open: true,
        log,
    }
}

/// A value of a link key: read from non-empty text within the key's kind, written back.
pub(super) trait Value: Sized {
    fn read(kind: Kind, v: &str) -> Result<Self, String>;
    fn write(&self) -> String;
    /// The value an empty text gives (`key=` unsets an optional key, so a preset's link can
    /// clear what the preset sets); `None`: the key needs a value.
    fn unset() -> Option<Self> {
        None
    }
}

/// A whole number within the kind's range.
fn int_in(kind: Kind, v: &str) -> Result<u64, String> {
    match kind {
        Kind::Int { min, max } => int(v, min, max),
        _ => Err("is not a whole-number key".into()),
    }
}

impl Value for u64 {
    fn read(kind: Kind, v: &str) -> Result<Self, String> {
        int_in(kind, v)
    }
    fn write(&self) -> String {
        self.to_string()
    }
}

impl Value for u32 {
    fn read(kind: Kind, v: &str) -> Result<Self, String> {
        Ok(int_in(kind, v)? as u32)
    }
    fn write(&self) -> String {
        self.to_string()
    }
}

impl Value for usize {
    fn read(kind: Kind, v: &str) -> Result<Self, String> {
        Ok(int_in(kind, v)? as usize)
    }
    fn write(&self) -> String {
        self.to_string()
    }
}

impl Value for f64 {
    fn read(kind: Kind, v: &str) -> Result<Self, String> {
        match kind {
            Kind::Float { min, max, open, .. } => {
                let x = float(v, min, max)?;
                if open && x <= min {
                    return Err(format!("{x} must be greater than {min}"));
                }
                Ok(x)
            }
            _ => Err("is not a number key".into()),
        }
    }
    fn write(&self) -> String {
        num(*self)
    }
}

/// An optional number: unset = a default computed from other keys.
impl Value for Option<f64> {
    fn read(kind: Kind, v: &str) -> Result<Self, String> {
        f64::read(kind, v).map(Some)
    }
    fn write(&self) -> String {
        self.map(num).unwrap_or_default()
    }
    fn unset() -> Option<Self> {
        Some(None)
    }
}

impl Value for bool {
    fn read(_: Kind, v: &str) -> Result<Self, String> {
        flag(v)
    }
    fn write(&self) -> String {
        (*self as u8).to_string()
    }
}

impl<T: Named> Value for T {
    fn read(_: Kind, v: &str) -> Result<Self, String> {
        T::from_name(v).ok_or_else(|| choice(v, &T::choices()))
    }
    fn write(&self) -> String {
        self.name().into()
    }
}

/// The `p` list: explicit frequencies, each in (0, 1e6], at most 10,000.
impl Value for Vec<f64> {
    fn read(_: Kind, v: &str) -> Result<Self, String> {
        let items: Vec<&str> = v.split(',').collect();
        if items.len() > 10_000 {
            return Err(format!("{} frequencies (at most 10,000)", items.len()));
        }
        let mut p = Vec::with_capacity(items.len());
        for (i, it) in items.iter().enumerate() {
            let x = float(it.trim(), 0.0, 1e6).map_err(|e| format!("entry {}: {e}", i + 1))?;
            if x <= 0.0 {
                return Err(format!("entry {} must be > 0", i + 1));
            }
            p.push(x);
        }
        Ok(p)
    }
    fn write(&self) -> String {
        self.iter().map(|x| num(*x)).collect::<Vec<_>>().join(",")
    }
    fn unset() -> Option<Self> {
        Some(vec![])
    }
}

/// Prerequisites, 1-based: `5:1-2,7:5-6` → [(5, [1, 2]), (7, [5, 6])].
impl Value for Vec<(usize, Vec<usize>)> {
    fn read(_: Kind, v: &str) -> Result<Self, String> {
        let mut out = Vec::new();
        for item in v.split(',').filter(|s| !s.is_empty()) {
            let (k, pre) = item.split_once(':').ok_or_else(|| {
                format!("{:?} is not skill:prerequisites (e.g. 5:1-2)", short(item))
            })?;
            let k = int(k, 1, 10_000)? as usize;
            let pre = pre
                .split('-')
                .map(|x| int(x, 1, 10_000).map(|x| x as usize))
                .collect::<Result<Vec<_>, _>>()?;
            if pre.is_empty() {
                return Err(format!("skill {k} has an empty prerequisite list"));
            }
            out.push((k, pre));
            if out.len() > 10_000 {
                return Err("more than 10,000 entries".into());
            }
        }
        Ok(out)
    }
    fn write(&self) -> String {
        self.iter()
            .map(|(k, pre)| {
                let pre: Vec<String> = pre.iter().map(|x| x.to_string()).collect();
                format!("{k}:{}", pre.join("-"))
            })
            .collect::<Vec<_>>()
            .join(",")
    }
    fn unset() -> Option<Self> {
        Some(vec![])
    }
}

/// A frequency switch `k:u:p` (skill k takes frequency p once u_k ≤ u); `0` = none.
impl Value for Option<(usize, f64, f64)> {
    fn read(_: Kind, v: &str) -> Result<Self, String> {
        if v == "0" {
            return Ok(None);
        }
        let parts: Vec<&str> = v.split(':').collect();
        if parts.len() != 3 {
            return Err(format!("{:?} is not k:u:p (e.g. 3:0.5:0.08)", short(v)));
        }
        let k = int(parts[0], 1, 10_000)? as usize;
        let u = float(parts[1], 0.0, 1.0)?;
        let p = float(parts[2], 0.0, 1e6)?;
        Ok(Some((k, u, p)))
    }
    fn write(&self) -> String {
        self.map(|(k, u, p)| format!("{k}:{}:{}", num(u), num(p)))
            .unwrap_or_default()
    }
    fn unset() -> Option<Self> {
        Some(None)
    }
}

/// "x" is not one of a, b, c.
pub(super) fn choice(v: &str, allowed: &str) -> String {
    format!("{:?} is not one of {allowed}", short(v))
}

pub(super) fn int(v: &str, lo: u64, hi: u64) -> Result<u64, String> {
    let x: u64 = v
        .trim()
        .parse()
        .map_err(|_| format!("{:?} is not a whole number", short(v)))?;
    if x < lo || x > hi {
        return Err(format!("{x} is outside {lo} … {hi}"));
    }
    Ok(x)
}

pub(super) fn float(v: &str, lo: f64, hi: f64) -> Result<f64, String> {
    let x: f64 = v
        .trim()
        .parse()
        .map_err(|_| format!("{:?} is not a number", short(v)))?;
    if !x.is_finite() {
        return Err(format!("{:?} is not a finite number", short(v)));
    }
    if x < lo || x > hi {
        return Err(format!("{x} is outside {lo} … {hi}"));
    }
    Ok(x)
}

fn flag(v: &str) -> Result<bool, String> {
    match v {
        "0" => Ok(false),
        "1" => Ok(true),
        _ => Err(format!("{:?} is not 0 or 1", short(v))),
    }
}

/// At most 40 characters of user text, for a message.
pub(super) fn short(v: &str) -> String {
    if v.chars().count() > 40 {
        format!("{}…", v.chars().take(40).collect::<String>())
    } else {
        v.to_string()
    }
}

/// Shortest decimal that reads back to the same f64, with an exponent for very small or
/// large magnitudes (`1e-20`, not twenty zeros) and no trailing `.0` (`2`, not `2.0`).
/// Used for links and for the CLI's CSV, so both print the same text for the same number.
pub fn num(x: f64) -> String {
    let s = format!("{x:?}");
    match s.strip_suffix(".0") {
        Some(t) => t.to_string(),
        None => s,
    }
}
