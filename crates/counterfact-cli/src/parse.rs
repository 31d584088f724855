//! Parsing of values typed on the command line: comma lists, counts and contingency tables.

use anyhow::Result;

use crate::error::bail_input;

/// Splits a comma-separated list into trimmed entries; an empty list or entry is an error.
fn entries<'a>(flag: &str, text: &'a str) -> Result<Vec<&'a str>> {
    if text.trim().is_empty() {
        bail_input!("{flag} is empty: give comma-separated values, e.g. {flag} 1.5,2,3.25");
    }
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    if let Some(i) = parts.iter().position(|p| p.is_empty()) {
        bail_input!("{flag}: entry {} is empty in '{text}'", i + 1);
    }
    Ok(parts)
}

/// Parses finite numbers, e.g. `--x 1.2,3.4`.
pub fn numbers(flag: &str, text: &str) -> Result<Vec<f64>> {
    entries(flag, text)?
        .iter()
        .enumerate()
        .map(|(i, entry)| number(flag, i, entry))
        .collect()
}

fn number(flag: &str, i: usize, entry: &str) -> Result<f64> {
    match entry.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => bail_input!(
            "{flag}: entry {} is '{entry}', a non-finite value; give finite numbers",
            i + 1
        ),
        Err(_) => bail_input!("{flag}: entry {} is '{entry}', not a number", i + 1),
    }
}

/// Parses non-negative whole numbers, e.g. `--successes 12,20`.
pub fn counts(flag: &str, text: &str) -> Result<Vec<u64>> {
    entries(flag, text)?
        .iter()
        .enumerate()
        .map(|(i, entry)| count(flag, &format!("entry {}", i + 1), entry))
        .collect()
}

fn count(flag: &str, position: &str, entry: &str) -> Result<u64> {
    let v = number(flag, 0, entry).map_err(|_| {
        crate::error::bad_input(format!("{flag}: {position} is '{entry}', not a count"))
    })?;
    if v < 0.0 {
        bail_input!("{flag}: {position} is {entry}, a negative count; counts must be >= 0");
    }
    if v.fract() != 0.0 || v > 9.007_199_254_740_992e15 {
        bail_input!("{flag}: {position} is {entry}, not a whole number");
    }
    // The bounds checks above make the conversion exact.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(v as u64)
}

/// Parses a contingency table `12,5/3,9`: cells separated by ',', rows by '/'.
pub fn table(flag: &str, text: &str) -> Result<Vec<Vec<u64>>> {
    if text.trim().is_empty() {
        bail_input!(
            "{flag} is empty: give counts with rows separated by '/', e.g. {flag} 12,5/3,9"
        );
    }
    let mut rows = Vec::new();
    for (r, row_text) in text.split('/').enumerate() {
        if row_text.trim().is_empty() {
            bail_input!("{flag}: row {} is empty in '{text}'", r + 1);
        }
        let mut row = Vec::new();
        for (c, cell) in row_text.split(',').map(str::trim).enumerate() {
            if cell.is_empty() {
                bail_input!("{flag}: row {}, cell {} is empty", r + 1, c + 1);
            }
            row.push(count(
                flag,
                &format!("row {}, cell {}", r + 1, c + 1),
                cell,
            )?);
        }
        if let Some(first) = rows.first().map(Vec::len)
            && row.len() != first
        {
            bail_input!(
                "{flag}: row {} has {} cells but row 1 has {first}; rows must have equal length",
                r + 1,
                row.len()
            );
        }
        rows.push(row);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_parse_and_reject_bad_entries() {
        assert_eq!(numbers("--x", "1, 2.5,-3").unwrap(), vec![1.0, 2.5, -3.0]);
        assert!(
            numbers("--x", "")
                .unwrap_err()
                .to_string()
                .contains("is empty")
        );
        assert!(
            numbers("--x", "1,,2")
                .unwrap_err()
                .to_string()
                .contains("entry 2 is empty")
        );
        assert!(
            numbers("--x", "1,nan")
                .unwrap_err()
                .to_string()
                .contains("non-finite")
        );
        assert!(
            numbers("--x", "1,inf")
                .unwrap_err()
                .to_string()
                .contains("non-finite")
        );
        assert!(
            numbers("--x", "1,abc")
                .unwrap_err()
                .to_string()
                .contains("not a number")
        );
    }

    #[test]
    fn counts_reject_negative_and_fractional() {
        assert_eq!(counts("--n", "3,4").unwrap(), vec![3, 4]);
        assert!(
            counts("--n", "3,-4")
                .unwrap_err()
                .to_string()
                .contains("negative")
        );
        assert!(
            counts("--n", "3.5")
                .unwrap_err()
                .to_string()
                .contains("whole")
        );
        assert!(
            counts("--n", "x")
                .unwrap_err()
                .to_string()
                .contains("not a count")
        );
    }

    #[test]
    fn tables_parse_rows() {
        assert_eq!(
            table("--table", "12,5/3,9").unwrap(),
            vec![vec![12, 5], vec![3, 9]]
        );
        assert!(
            table("--table", "1,2/3")
                .unwrap_err()
                .to_string()
                .contains("equal length")
        );
        assert!(
            table("--table", "1,2/")
                .unwrap_err()
                .to_string()
                .contains("row 2 is empty")
        );
        assert!(
            table("--table", "1,-2")
                .unwrap_err()
                .to_string()
                .contains("negative")
        );
    }
}
