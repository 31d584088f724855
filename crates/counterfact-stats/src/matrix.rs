//! In-place rotations of square matrices.
//!
//! Every function only swaps elements, and takes `T` without a `Clone`, `Copy` or `Default`
//! bound: it has no way to build a second matrix, so O(1) extra space holds by construction.

use crate::error::{Result, StatsError};

/// Side length of a row-major square matrix stored in `len` elements with side `n`.
fn check_square_len(len: usize, n: usize) -> Result<()> {
    if n.checked_mul(n) == Some(len) {
        Ok(())
    } else {
        Err(StatsError::invalid(
            "matrix",
            format!("{len} elements with side {n}"),
            "a square matrix needs exactly side × side elements",
        ))
    }
}

fn check_square_rows<T>(rows: &[Vec<T>]) -> Result<()> {
    let n = rows.len();
    match rows.iter().position(|row| row.len() != n) {
        Some(i) => Err(StatsError::invalid(
            &format!("matrix row {i}"),
            format!("{} columns", rows[i].len()),
            &format!("a square matrix with {n} rows needs {n} columns in every row"),
        )),
        None => Ok(()),
    }
}

fn transpose_flat<T>(m: &mut [T], n: usize) {
    for i in 0..n {
        for j in i + 1..n {
            m.swap(i * n + j, j * n + i);
        }
    }
}

fn transpose_rows<T>(rows: &mut [Vec<T>]) {
    for j in 1..rows.len() {
        // Rows 0..j are above row j; swap the strictly lower part of row j with column j above.
        let (above, below) = rows.split_at_mut(j);
        let row_j = &mut below[0];
        for (i, row_i) in above.iter_mut().enumerate() {
            std::mem::swap(&mut row_i[j], &mut row_j[i]);
        }
    }
}

/// Rotates a row-major n×n matrix 90° clockwise in place: transpose, then reverse each row
/// (O(n²) time, O(1) extra space). An error when `m.len() != n²`.
///
/// ```
/// use counterfact_stats::matrix::rotate_clockwise;
/// let mut m = [1, 2, 3,
///              4, 5, 6,
///              7, 8, 9];
/// rotate_clockwise(&mut m, 3).unwrap();
/// assert_eq!(m, [7, 4, 1,
///                8, 5, 2,
///                9, 6, 3]);
/// assert!(rotate_clockwise(&mut [1, 2, 3], 2).is_err());
/// ```
pub fn rotate_clockwise<T>(m: &mut [T], n: usize) -> Result<()> {
    check_square_len(m.len(), n)?;
    transpose_flat(m, n);
    for row in m.chunks_exact_mut(n.max(1)) {
        row.reverse();
    }
    Ok(())
}

/// Rotates a row-major n×n matrix 90° counter-clockwise in place: transpose, then reverse the
/// order of the rows (O(1) extra space). An error when `m.len() != n²`.
///
/// ```
/// use counterfact_stats::matrix::rotate_counter_clockwise;
/// let mut m = [1, 2,
///              3, 4];
/// rotate_counter_clockwise(&mut m, 2).unwrap();
/// assert_eq!(m, [2, 4,
///                1, 3]);
/// ```
pub fn rotate_counter_clockwise<T>(m: &mut [T], n: usize) -> Result<()> {
    check_square_len(m.len(), n)?;
    transpose_flat(m, n);
    for i in 0..n / 2 {
        for j in 0..n {
            m.swap(i * n + j, (n - 1 - i) * n + j);
        }
    }
    Ok(())
}

/// Rotates a row-major n×n matrix 180° in place: reversing the row-major sequence reverses both
/// the row order and every row (O(1) extra space). An error when `m.len() != n²`.
///
/// ```
/// use counterfact_stats::matrix::rotate_180;
/// let mut m = [1, 2,
///              3, 4];
/// rotate_180(&mut m, 2).unwrap();
/// assert_eq!(m, [4, 3,
///                2, 1]);
/// ```
pub fn rotate_180<T>(m: &mut [T], n: usize) -> Result<()> {
    check_square_len(m.len(), n)?;
    m.reverse();
    Ok(())
}

/// Rotates a square matrix given as rows 90° clockwise in place: transpose, then reverse each
/// row (O(1) extra space). An error when some row's length differs from the number of rows.
///
/// ```
/// use counterfact_stats::matrix::rotate_rows_clockwise;
/// let mut m = vec![vec!['a', 'b'], vec!['c', 'd']];
/// rotate_rows_clockwise(&mut m).unwrap();
/// assert_eq!(m, vec![vec!['c', 'a'], vec!['d', 'b']]);
/// assert!(rotate_rows_clockwise(&mut vec![vec![1, 2]]).is_err());
/// ```
pub fn rotate_rows_clockwise<T>(rows: &mut [Vec<T>]) -> Result<()> {
    check_square_rows(rows)?;
    transpose_rows(rows);
    for row in rows.iter_mut() {
        row.reverse();
    }
    Ok(())
}

/// Rotates a square matrix given as rows 90° counter-clockwise in place: transpose, then
/// reverse the row order (swapping row handles: O(1) extra space). An error for ragged input.
///
/// ```
/// use counterfact_stats::matrix::rotate_rows_counter_clockwise;
/// let mut m = vec![vec![1, 2], vec![3, 4]];
/// rotate_rows_counter_clockwise(&mut m).unwrap();
/// assert_eq!(m, vec![vec![2, 4], vec![1, 3]]);
/// ```
pub fn rotate_rows_counter_clockwise<T>(rows: &mut [Vec<T>]) -> Result<()> {
    check_square_rows(rows)?;
    transpose_rows(rows);
    rows.reverse();
    Ok(())
}

/// Rotates a square matrix given as rows 180° in place: reverse the row order and every row.
/// An error for ragged input.
///
/// ```
/// use counterfact_stats::matrix::rotate_rows_180;
/// let mut m = vec![vec![1, 2], vec![3, 4]];
/// rotate_rows_180(&mut m).unwrap();
/// assert_eq!(m, vec![vec![4, 3], vec![2, 1]]);
/// ```
pub fn rotate_rows_180<T>(rows: &mut [Vec<T>]) -> Result<()> {
    check_square_rows(rows)?;
    rows.reverse();
    for row in rows.iter_mut() {
        row.reverse();
    }
    Ok(())
}
