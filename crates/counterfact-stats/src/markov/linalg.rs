//! Dense linear algebra over [`ChainScalar`]: products, powers and Gaussian elimination.

use super::ChainScalar;

/// The n×n product a · b of row-major matrices.
pub(super) fn multiply<T: ChainScalar>(a: &[T], b: &[T], n: usize) -> Vec<T> {
    let mut out = vec![T::zero(); n * n];
    for i in 0..n {
        for k in 0..n {
            let aik = &a[i * n + k];
            if aik.is_zero() {
                continue;
            }
            for j in 0..n {
                out[i * n + j] = out[i * n + j].clone() + aik.clone() * b[k * n + j].clone();
            }
        }
    }
    out
}

/// The product of two row-stochastic matrices, rows renormalised (see
/// [`ChainScalar::renormalize`]).
fn multiply_stochastic<T: ChainScalar>(a: &[T], b: &[T], n: usize) -> Vec<T> {
    let mut out = multiply(a, b, n);
    for row in out.chunks_mut(n) {
        T::renormalize(row);
    }
    out
}

/// pᵉ of a row-stochastic p by repeated squaring (Knuth, TAOCP vol. 2, §4.6.3): O(n³ log e).
pub(super) fn power<T: ChainScalar>(p: &[T], n: usize, mut e: u64) -> Vec<T> {
    let mut result: Vec<T> = (0..n * n)
        .map(|k| if k / n == k % n { T::one() } else { T::zero() })
        .collect();
    let mut base = p.to_vec();
    while e > 0 {
        if e & 1 == 1 {
            result = multiply_stochastic(&result, &base, n);
        }
        e >>= 1;
        if e > 0 {
            base = multiply_stochastic(&base, &base, n);
        }
    }
    result
}

/// The row vector v · m.
pub(super) fn row_times<T: ChainScalar>(v: &[T], m: &[T], n: usize) -> Vec<T> {
    (0..n)
        .map(|j| {
            (0..n).fold(T::zero(), |acc, i| {
                acc + v[i].clone() * m[i * n + j].clone()
            })
        })
        .collect()
}

/// Solves a x = b by Gaussian elimination with partial pivoting; `None` when singular.
pub(super) fn solve<T: ChainScalar>(mut a: Vec<T>, mut b: Vec<T>, n: usize) -> Option<Vec<T>> {
    for col in 0..n {
        let pivot = (col..n).max_by(|&r, &s| {
            a[r * n + col]
                .abs()
                .partial_cmp(&a[s * n + col].abs())
                .unwrap_or(std::cmp::Ordering::Equal)
        })?;
        if a[pivot * n + col].is_negligible() {
            return None;
        }
        if pivot != col {
            for j in 0..n {
                a.swap(pivot * n + j, col * n + j);
            }
            b.swap(pivot, col);
        }
        let diag = a[col * n + col].clone();
        for row in col + 1..n {
            let factor = a[row * n + col].clone() / diag.clone();
            if factor.is_zero() {
                continue;
            }
            for j in col..n {
                a[row * n + j] = a[row * n + j].clone() - factor.clone() * a[col * n + j].clone();
            }
            b[row] = b[row].clone() - factor * b[col].clone();
        }
    }
    let mut x = vec![T::zero(); n];
    for row in (0..n).rev() {
        let mut acc = b[row].clone();
        for j in row + 1..n {
            acc = acc - a[row * n + j].clone() * x[j].clone();
        }
        x[row] = acc / a[row * n + row].clone();
    }
    Some(x)
}

/// Marks every state that can reach one of `seeds` along edges `edge(i, j)` (i → j).
pub(super) fn backward_closure(
    n: usize,
    seeds: &[usize],
    edge: impl Fn(usize, usize) -> bool,
) -> Vec<bool> {
    let mut marked = vec![false; n];
    let mut stack: Vec<usize> = seeds.to_vec();
    for &s in seeds {
        marked[s] = true;
    }
    while let Some(j) = stack.pop() {
        for (i, mark) in marked.iter_mut().enumerate() {
            if !*mark && edge(i, j) {
                *mark = true;
                stack.push(i);
            }
        }
    }
    marked
}
