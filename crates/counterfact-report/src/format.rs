//! Number formatting for the terminal readout: significant digits, thousands separators,
//! percentages for relative effects and `< 0.001` for small p-values.

/// Significant digits of values and effects.
const DIGITS: i32 = 4;
/// Significant digits of percentages.
const PERCENT_DIGITS: i32 = 3;

/// A value with four significant digits; whole numbers with thousands separators from 1,000 on
/// and scientific notation below 1e-4 or from 1e15 on (`0.01234`, `12.35`, `48,213`, `3.2e-7`).
pub fn number(v: f64) -> String {
    if !v.is_finite() {
        return non_finite(v);
    }
    let magnitude = v.abs();
    if magnitude == 0.0 {
        "0".to_string()
    } else if !(1e-4..1e15).contains(&magnitude) {
        scientific(v, 3)
    } else if magnitude >= 1000.0 {
        grouped(&format!("{v:.0}"))
    } else {
        significant(v, DIGITS)
    }
}

/// [`number`] with an explicit sign for positive values (`+0.1234`), for effects.
pub fn signed(v: f64) -> String {
    with_sign(v, number(v))
}

/// A fraction as a percentage with three significant digits (`0.02345` → `2.35%`).
pub fn percent(fraction: f64) -> String {
    if !fraction.is_finite() {
        return non_finite(fraction);
    }
    format!("{}%", percent_digits(fraction * 100.0))
}

/// [`percent`] with an explicit sign for positive values (`+2.35%`), for relative effects.
pub fn signed_percent(fraction: f64) -> String {
    with_sign(fraction, percent(fraction))
}

/// A p-value: `< 0.001` below 0.001, otherwise three significant digits (`0.0496`, `0.512`).
pub fn p_value(p: f64) -> String {
    if !p.is_finite() {
        non_finite(p)
    } else if p < 0.001 {
        "< 0.001".to_string()
    } else {
        significant(p, 3)
    }
}

/// A count with thousands separators (`200,000`).
pub fn count(n: u64) -> String {
    grouped(&n.to_string())
}

fn percent_digits(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude == 0.0 {
        "0".to_string()
    } else if !(1e-4..1e15).contains(&magnitude) {
        scientific(value, 2)
    } else if magnitude >= 1000.0 {
        grouped(&format!("{value:.0}"))
    } else {
        significant(value, PERCENT_DIGITS)
    }
}

fn with_sign(v: f64, text: String) -> String {
    if v > 0.0 && v.is_finite() && text != "0" && text != "0%" {
        format!("+{text}")
    } else {
        text
    }
}

fn non_finite(v: f64) -> String {
    if v.is_nan() {
        "n/a".to_string()
    } else if v > 0.0 {
        "inf".to_string()
    } else {
        "-inf".to_string()
    }
}

/// `v` rounded to `digits` significant digits in positional notation, trailing zeros trimmed;
/// for magnitudes in [1e-4, 1e15).
pub fn significant(v: f64, digits: i32) -> String {
    // Callers pass magnitudes in [1e-4, 1e15): the exponent is small and the cast exact.
    #[allow(clippy::cast_possible_truncation)]
    let exponent = v.abs().log10().floor() as i32;
    let decimals = usize::try_from(digits - 1 - exponent).unwrap_or(0);
    let text = trim_zeros(&format!("{v:.decimals$}"));
    if text == "-0" { "0".to_string() } else { text }
}

/// `v` in scientific notation with `digits` significant digits, trailing zeros trimmed
/// (`3.2e-7`).
pub fn scientific(v: f64, digits: usize) -> String {
    let text = format!("{v:.prec$e}", prec = digits - 1);
    match text.split_once('e') {
        Some((mantissa, exponent)) => format!("{}e{exponent}", trim_zeros(mantissa)),
        None => text,
    }
}

/// Drops trailing zeros (and a trailing point) of a decimal number's text.
pub fn trim_zeros(text: &str) -> String {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text.to_string()
    }
}

/// Inserts thousands separators into an integer written in decimal (an optional minus sign, then
/// digits).
fn grouped(digits: &str) -> String {
    let (sign, body) = match digits.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", digits),
    };
    let mut out = String::with_capacity(body.len() + body.len() / 3 + 1);
    for (i, c) in body.chars().enumerate() {
        if i > 0 && (body.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if out == "0" {
        return out;
    }
    format!("{sign}{out}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_four_significant_digits() {
        assert_eq!(number(12.345_67), "12.35");
        assert_eq!(number(0.012_345_6), "0.01235");
        assert_eq!(number(-0.5), "-0.5");
        assert_eq!(number(999.96), "1000");
        assert_eq!(number(48_213.4), "48,213");
        assert_eq!(number(-1_234_567.0), "-1,234,567");
        assert_eq!(number(3.2e-7), "3.2e-7");
        assert_eq!(number(2.5e16), "2.5e16");
        assert_eq!(number(0.0), "0");
        assert_eq!(number(-0.000_04), "-4e-5");
        assert_eq!(number(f64::NAN), "n/a");
        assert_eq!(number(f64::INFINITY), "inf");
    }

    #[test]
    fn signs_and_percentages() {
        assert_eq!(signed(0.1234), "+0.1234");
        assert_eq!(signed(-0.1234), "-0.1234");
        assert_eq!(signed(0.0), "0");
        assert_eq!(percent(0.023_456), "2.35%");
        assert_eq!(percent(0.5), "50%");
        assert_eq!(signed_percent(0.023_456), "+2.35%");
        assert_eq!(signed_percent(-0.001_234), "-0.123%");
        assert_eq!(signed_percent(0.0), "0%");
        assert_eq!(percent(f64::NAN), "n/a");
    }

    #[test]
    fn p_values_below_a_thousandth_are_bounded() {
        assert_eq!(p_value(3.2e-120), "< 0.001");
        assert_eq!(p_value(0.000_999), "< 0.001");
        assert_eq!(p_value(0.001), "0.001");
        assert_eq!(p_value(0.049_63), "0.0496");
        assert_eq!(p_value(0.512_3), "0.512");
        assert_eq!(p_value(1.0), "1");
    }

    #[test]
    fn counts_are_grouped() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(200_000), "200,000");
        assert_eq!(count(12_345_678), "12,345,678");
    }
}
