//! Finite discrete-time Markov chains: n-step probabilities by repeated squaring, stationary
//! distributions, expected hitting times, higher-order chains by state expansion, in `f64` or in
//! exact rational arithmetic ([`num_rational::BigRational`]) for small chains.
//!
//! Worked examples: [`RainModel`] (rain depending on the last two days) and
//! [`member_lifecycle`] (active → lapsed → churned).

mod linalg;
mod models;

pub use models::{RainModel, member_lifecycle};

use crate::error::{Result, StatsError};
use num_rational::BigRational;
use num_traits::{Num, Signed, ToPrimitive, Zero};

mod sealed {
    pub trait Sealed {}
    impl Sealed for f64 {}
    impl Sealed for num_rational::BigRational {}
}

/// Number types a chain can hold: `f64` (fast, rounded) or [`BigRational`] (exact).
///
/// ```
/// use counterfact_stats::markov::MarkovChain;
/// use num_rational::BigRational;
/// let q = |n: i64, d: i64| BigRational::new(n.into(), d.into());
/// let chain = MarkovChain::new(vec![vec![q(1, 2), q(1, 2)], vec![q(1, 3), q(2, 3)]]).unwrap();
/// assert_eq!(chain.stationary().unwrap(), vec![q(2, 5), q(3, 5)]);
/// ```
pub trait ChainScalar:
    sealed::Sealed + Clone + PartialOrd + std::fmt::Display + Num + Signed
{
    /// Whether a pivot is zero: exactly for rationals, below 1e-12 in magnitude for `f64`.
    fn is_negligible(&self) -> bool;
    /// Whether a row of probabilities sums to one: exactly, or within 1e-9 for `f64`.
    fn is_unit_sum(&self) -> bool;
    /// Whether the value is a probability: finite and in [0, 1].
    fn is_probability(&self) -> bool;
    /// The nearest `f64`, for error messages and summaries.
    fn approx(&self) -> f64;
    /// Rescales a row of a product of stochastic matrices to sum to one: in `f64` this stops
    /// rounding from compounding through repeated squaring (row-sum error would double with
    /// every squaring); exact rows already sum to one.
    fn renormalize(row: &mut [Self]);
}

impl ChainScalar for f64 {
    fn is_negligible(&self) -> bool {
        self.abs() < 1e-12
    }
    fn is_unit_sum(&self) -> bool {
        (self - 1.0).abs() <= 1e-9
    }
    fn is_probability(&self) -> bool {
        (0.0..=1.0).contains(self)
    }
    fn approx(&self) -> f64 {
        *self
    }
    fn renormalize(row: &mut [Self]) {
        let sum: f64 = row.iter().sum();
        if sum > 0.0 {
            row.iter_mut().for_each(|x| *x /= sum);
        }
    }
}

impl ChainScalar for BigRational {
    fn is_negligible(&self) -> bool {
        self.is_zero()
    }
    fn is_unit_sum(&self) -> bool {
        num_traits::One::is_one(self)
    }
    fn is_probability(&self) -> bool {
        !self.is_negative() && *self <= num_traits::One::one()
    }
    fn approx(&self) -> f64 {
        self.to_f64().unwrap_or(f64::NAN)
    }
    fn renormalize(_row: &mut [Self]) {}
}

/// Checks that `v` is a probability vector of length `n`.
fn check_distribution<T: ChainScalar>(what: &str, v: &[T], n: usize) -> Result<()> {
    if v.len() != n {
        return Err(StatsError::invalid(
            what,
            format!("{} entries", v.len()),
            &format!("needs one probability per state ({n})"),
        ));
    }
    if let Some(i) = v.iter().position(|p| !p.is_probability()) {
        return Err(StatsError::invalid(
            &format!("{what}[{i}]"),
            &v[i],
            "must be a probability in [0, 1]",
        ));
    }
    let sum = v.iter().fold(T::zero(), |acc, p| acc + p.clone());
    if !sum.is_unit_sum() {
        return Err(StatsError::invalid(
            what,
            format!("entries summing to {}", sum.approx()),
            "probabilities must sum to 1",
        ));
    }
    Ok(())
}

/// A finite, time-homogeneous Markov chain given by its row-stochastic transition matrix
/// (Kemeny & Snell, *Finite Markov Chains*, 1960): entry (i, j) is P(next = j | now = i).
///
/// ```
/// use counterfact_stats::markov::MarkovChain;
/// let chain = MarkovChain::new(vec![vec![0.9, 0.1], vec![0.5, 0.5]]).unwrap();
/// let after = chain.distribution_after(&[1.0, 0.0], 2).unwrap();
/// assert!((after[0] - 0.86).abs() < 1e-12);
/// let pi = chain.stationary().unwrap();
/// assert!((pi[0] - 5.0 / 6.0).abs() < 1e-12);
/// let steps = chain.expected_steps_to(1).unwrap();
/// assert!((steps[0].unwrap() - 10.0).abs() < 1e-12);
/// assert!(MarkovChain::new(vec![vec![0.5, 0.6], vec![1.0, 0.0]]).is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct MarkovChain<T = f64> {
    n: usize,
    /// Row-major n×n transition matrix.
    p: Vec<T>,
}

impl<T: ChainScalar> MarkovChain<T> {
    /// A chain from the rows of its transition matrix; an error unless the matrix is non-empty,
    /// square, and every row holds probabilities summing to 1 (within 1e-9 for `f64`).
    pub fn new(rows: Vec<Vec<T>>) -> Result<Self> {
        let n = rows.len();
        if n == 0 {
            return Err(StatsError::Empty {
                what: "transition matrix".to_string(),
            });
        }
        for (i, row) in rows.iter().enumerate() {
            check_distribution(&format!("transition matrix row {i}"), row, n)?;
        }
        Ok(MarkovChain {
            n,
            p: rows.into_iter().flatten().collect(),
        })
    }

    /// A chain of order two expanded to a first-order chain on pairs of states (Kemeny & Snell
    /// §2.5): `p2[a][b][c]` = P(next = c | previous = a, now = b), and expanded state
    /// `a * s + b` stands for (previous = a, now = b).
    ///
    /// ```
    /// use counterfact_stats::markov::MarkovChain;
    /// // Next equals the state two steps back.
    /// let p2 = vec![
    ///     vec![vec![1.0, 0.0], vec![1.0, 0.0]],
    ///     vec![vec![0.0, 1.0], vec![0.0, 1.0]],
    /// ];
    /// let chain = MarkovChain::from_second_order(p2).unwrap();
    /// assert_eq!(chain.states(), 4);
    /// assert_eq!(chain.transition(1, 2), 1.0); // (0, 1) -> (1, 0)
    /// ```
    pub fn from_second_order(p2: Vec<Vec<Vec<T>>>) -> Result<Self> {
        let s = p2.len();
        if let Some(a) = p2.iter().position(|plane| plane.len() != s) {
            return Err(StatsError::invalid(
                &format!("second-order transitions [{a}]"),
                format!("{} rows", p2[a].len()),
                &format!("needs one row per state ({s})"),
            ));
        }
        let mut rows = vec![vec![T::zero(); s * s]; s * s];
        for (a, plane) in p2.into_iter().enumerate() {
            for (b, row) in plane.into_iter().enumerate() {
                check_distribution(&format!("second-order transitions [{a}][{b}]"), &row, s)?;
                for (c, prob) in row.into_iter().enumerate() {
                    rows[a * s + b][b * s + c] = prob;
                }
            }
        }
        Self::new(rows)
    }

    /// Number of states.
    pub fn states(&self) -> usize {
        self.n
    }

    /// P(next = `to` | now = `from`); zero for indices out of range.
    pub fn transition(&self, from: usize, to: usize) -> T {
        if from < self.n && to < self.n {
            self.p[from * self.n + to].clone()
        } else {
            T::zero()
        }
    }

    /// The transition matrix as rows.
    pub fn rows(&self) -> Vec<Vec<T>> {
        self.p.chunks(self.n).map(<[T]>::to_vec).collect()
    }

    /// The `steps`-step transition matrix P^steps by repeated squaring: O(s³ log steps).
    pub fn n_step(&self, steps: u64) -> Vec<Vec<T>> {
        linalg::power(&self.p, self.n, steps)
            .chunks(self.n)
            .map(<[T]>::to_vec)
            .collect()
    }

    /// The state distribution after `steps` steps from `initial`: initial · P^steps.
    pub fn distribution_after(&self, initial: &[T], steps: u64) -> Result<Vec<T>> {
        check_distribution("initial distribution", initial, self.n)?;
        let power = linalg::power(&self.p, self.n, steps);
        Ok(linalg::row_times(initial, &power, self.n))
    }

    /// The stationary distribution π = π P, Σ π = 1, by Gaussian elimination; a
    /// [`StatsError::Degenerate`] error when it is not unique (more than one closed class).
    pub fn stationary(&self) -> Result<Vec<T>> {
        let n = self.n;
        // Rows 0..n-1 of (Pᵀ − I) π = 0, the last equation replaced by Σ π = 1.
        let mut a = vec![T::zero(); n * n];
        for i in 0..n {
            for j in 0..n {
                let mut v = self.p[j * n + i].clone();
                if i == j {
                    v = v - T::one();
                }
                a[i * n + j] = v;
            }
        }
        for j in 0..n {
            a[(n - 1) * n + j] = T::one();
        }
        let mut b = vec![T::zero(); n];
        b[n - 1] = T::one();
        linalg::solve(a, b, n).ok_or_else(|| {
            StatsError::Degenerate(
                "the stationary distribution is not unique (the chain has more than one closed \
                 class) or, in f64, not computable (transition probabilities within 1e-12 of 0 \
                 or 1 make the system numerically singular)"
                    .to_string(),
            )
        })
    }

    /// Expected number of steps to first reach `target` from each state (0 at the target), by
    /// first-step analysis (Kemeny & Snell §3.3): `None` where the target is not reached with
    /// probability 1 (the expectation is infinite).
    pub fn expected_steps_to(&self, target: usize) -> Result<Vec<Option<T>>> {
        let n = self.n;
        if target >= n {
            return Err(StatsError::invalid(
                "target",
                target,
                &format!("must be a state index below {n}"),
            ));
        }
        let positive = |i: usize, j: usize| !self.p[i * n + j].is_zero();
        // States that can reach the target at all (backwards search along positive edges).
        let reaches = linalg::backward_closure(n, &[target], positive);
        let never: Vec<usize> = (0..n).filter(|&i| !reaches[i]).collect();
        // States that can wander, avoiding the target, into a state that never reaches it.
        let infinite = linalg::backward_closure(n, &never, |i, j| i != target && positive(i, j));
        let finite: Vec<usize> = (0..n).filter(|&i| i != target && !infinite[i]).collect();
        let m = finite.len();
        let mut a = vec![T::zero(); m * m];
        for (r, &i) in finite.iter().enumerate() {
            for (c, &j) in finite.iter().enumerate() {
                let identity = if r == c { T::one() } else { T::zero() };
                a[r * m + c] = identity - self.p[i * n + j].clone();
            }
        }
        let h = if m == 0 {
            Vec::new()
        } else {
            // Exactly singular is ruled out by the graph search; numerically singular happens
            // in f64 when leaving probabilities are below ~1e-12.
            linalg::solve(a, vec![T::one(); m], m).ok_or_else(|| {
                StatsError::Degenerate(format!(
                    "expected steps to state {target} are too large to compute in this number                      type (some leaving probabilities are below 1e-12); use exact rationals"
                ))
            })?
        };
        let mut out = vec![None; n];
        out[target] = Some(T::zero());
        for (i, value) in finite.into_iter().zip(h) {
            out[i] = Some(value);
        }
        Ok(out)
    }
}

impl MarkovChain<BigRational> {
    /// The same chain in `f64`.
    pub fn to_f64(&self) -> MarkovChain<f64> {
        MarkovChain {
            n: self.n,
            p: self.p.iter().map(ChainScalar::approx).collect(),
        }
    }
}
