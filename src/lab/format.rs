//! Numbers as the page shows them, one formatter for every readout: a few significant digits
//! (a loss of 0.01234567 jitters in seven digits every frame; three are what a reader can
//! follow), an exponent only for very small or very large magnitudes, and exact zeros as `0`
//! (never `0.000000e0`).

/// Below this magnitude, and from [`EXP_ABOVE`] up, numbers get an exponent (`1.23e-5`).
const EXP_BELOW: f64 = 1e-3;
const EXP_ABOVE: f64 = 1e5;

/// `x` with `digits` significant digits (at least 1), keeping trailing zeros so a readout
/// keeps its width from frame to frame: `0.120`, `12.3`, `1.23e-5`, `4.00e6`; `0` for zero;
/// non-finite values as Rust prints them (`NaN`, `inf`).
pub fn sig(x: f64, digits: usize) -> String {
    let digits = digits.clamp(1, 17);
    if x == 0.0 {
        return "0".to_string();
    }
    if !x.is_finite() {
        return format!("{x}");
    }
    // Round first, so 0.9996 becomes 1.00 (three digits), not 1.000.
    let r = super::controls::round_sig(x, digits as i32);
    let a = r.abs();
    if !(EXP_BELOW..EXP_ABOVE).contains(&a) {
        let p = digits - 1;
        return format!("{x:.p$e}");
    }
    let e = a.log10().floor() as i32;
    let decimals = (digits as i32 - 1 - e).max(0) as usize;
    format!("{r:.decimals$}")
}

/// A derived or default value shown beside a control ("auto …"): the exact decimal when it
/// is short (β2 = `0.999`, never `1.00`), else three significant digits without trailing
/// zeros (`0.019`, `52.7`).
pub fn short(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    let exact = crate::link::num(x);
    if significant_digits(&exact) <= 4 {
        return exact;
    }
    let s = sig(x, 3);
    match s.split_once('e') {
        Some((m, e)) => format!("{}e{e}", trim_zeros(m)),
        None => trim_zeros(&s).to_string(),
    }
}

/// Significant digits of a decimal as [`crate::link::num`] writes it.
fn significant_digits(s: &str) -> usize {
    let mantissa = s.split(['e', 'E']).next().unwrap_or(s);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let t = digits.trim_start_matches('0');
    // Trailing zeros of an integer part count (1200 has four); of a fraction, `num` writes none.
    t.len()
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readouts_have_few_digits_and_keep_their_width() {
        assert_eq!(sig(0.0, 3), "0");
        assert_eq!(sig(-0.0, 3), "0");
        assert_eq!(sig(0.012345678, 3), "0.0123");
        assert_eq!(sig(0.12, 3), "0.120");
        assert_eq!(sig(12.345, 3), "12.3");
        assert_eq!(sig(0.99961, 3), "1.00");
        assert_eq!(sig(1.2345e-7, 3), "1.23e-7");
        assert_eq!(sig(0.00099996, 3), "0.00100");
        assert_eq!(sig(0.00012345, 3), "1.23e-4");
        assert_eq!(sig(4.0e6, 3), "4.00e6");
        assert_eq!(sig(-2.5, 2), "-2.5");
        assert_eq!(sig(f64::NAN, 3), "NaN");
        assert_eq!(sig(f64::INFINITY, 3), "inf");
        // every readout reads back within half a unit of its last digit
        for x in [0.3141, 7.654321, 1234.5678, 6.02e-9, 9.999e4] {
            let back: f64 = sig(x, 3).parse().unwrap();
            assert!(((back - x) / x).abs() < 5e-3, "{x} -> {back}");
        }
    }

    #[test]
    fn derived_values_are_exact_when_short() {
        assert_eq!(short(0.999), "0.999");
        assert_eq!(short(0.9999), "0.9999");
        assert_eq!(short(0.9), "0.9");
        assert_eq!(short(1200.0), "1200");
        assert_eq!(short(0.018973665961010275), "0.019");
        assert_eq!(short(52.70462766947299), "52.7");
        assert_eq!(short(1.0 / 3.0 * 1e-7), "3.33e-8");
        assert_eq!(short(2e-20), "2e-20");
        assert_eq!(short(0.0), "0");
    }
}
