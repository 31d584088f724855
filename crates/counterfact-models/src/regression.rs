//! Ordinary least squares, from data by Householder QR on the column-equilibrated design and from
//! centred cross-products by Cholesky on the correlation-form matrix with a condition check
//! (Golub and Van Loan, Matrix Computations, 4th ed., §5.3; Higham, Accuracy and Stability of
//! Numerical Algorithms, 2nd ed., ch. 20). Both are verified against the NIST StRD linear
//! least-squares data sets.

use faer::linalg::solvers::DenseSolveCore;
use faer::prelude::*;
use faer::{Mat, Side};

use crate::error::ModelError;

/// Smallest reciprocal 1-norm condition number of the correlation-form cross-product matrix the
/// Cholesky path accepts: beyond it θ keeps fewer than ~4 significant digits.
pub const MIN_RECIPROCAL_CONDITION: f64 = 1e-12;

/// Smallest reciprocal 1-norm condition number of the equilibrated triangular factor R the QR
/// path accepts; below it the design is rank deficient to working precision.
pub const MIN_QR_RECIPROCAL_CONDITION: f64 = 1e-13;

/// A least-squares fit.
#[derive(Debug, Clone, PartialEq)]
pub struct LeastSquares {
    /// Coefficients; the intercept first when the fit has one.
    pub coefficients: Vec<f64>,
    /// Standard errors of the coefficients, σ̂ √((XᵀX)⁻¹)_jj.
    pub std_errors: Vec<f64>,
    /// Coefficient of determination: 1 − RSS/TSS, TSS centred when the model has an intercept
    /// (or the cross-products are centred), uncentred otherwise.
    pub r_squared: f64,
    /// Residual standard deviation σ̂ = √(RSS / df_residual).
    pub residual_sd: f64,
    /// Residual degrees of freedom.
    pub df_residual: f64,
    /// Reciprocal 1-norm condition number of the scaled problem (R of the equilibrated design,
    /// or the correlation-form cross-product matrix).
    pub reciprocal_condition: f64,
}

/// Ogita–Rump–Oishi compensated dot product (Dot2): twice the working precision, so residuals of
/// nearly exact fits keep their digits.
fn dot2(pairs: impl Iterator<Item = (f64, f64)>) -> f64 {
    let (mut s, mut c) = (0.0_f64, 0.0_f64);
    for (a, b) in pairs {
        let p = a * b;
        let e = a.mul_add(b, -p);
        let t = s + p;
        let z = t - s;
        c += (s - (t - z)) + (p - z) + e;
        s = t;
    }
    s + c
}

/// Euclidean norm with scaling by the largest magnitude (no overflow or underflow).
fn norm2(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let big = values.clone().fold(0.0_f64, |m, v| m.max(v.abs()));
    if big == 0.0 || !big.is_finite() {
        return big;
    }
    big * values.map(|v| (v / big) * (v / big)).sum::<f64>().sqrt()
}

/// Names of the variables with a visible weight in the near-null direction `v` of a scaled
/// matrix: the ones that form the (near) linear dependence.
fn dependent_names(v: &[f64], names: &[String]) -> Vec<String> {
    let big = v.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
    names
        .iter()
        .zip(v)
        .filter(|(_, x)| x.abs() >= 1e-3 * big)
        .map(|(n, _)| n.clone())
        .collect()
}

/// Near-null direction of the symmetric positive semi-definite `c` (eigenvector of the smallest
/// eigenvalue); `None` when the eigensolver fails.
fn null_direction(c: &Mat<f64>) -> Option<Vec<f64>> {
    let eig = c.self_adjoint_eigen(Side::Lower).ok()?;
    let u = eig.U();
    Some((0..c.nrows()).map(|i| u[(i, 0)]).collect())
}

fn one_norm(m: &Mat<f64>) -> f64 {
    (0..m.ncols())
        .map(|j| (0..m.nrows()).map(|i| m[(i, j)].abs()).sum::<f64>())
        .fold(0.0, f64::max)
}

fn check_all_finite(context: &str, what: &str, values: &[f64]) -> Result<(), ModelError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(i) => Err(ModelError::invalid(
            context,
            &format!("{what}[{i}]"),
            values[i],
            "must be finite",
        )),
        None => Ok(()),
    }
}

/// Inverse of the upper-triangular `r` by back substitution (small p only).
fn upper_inverse(r: &Mat<f64>) -> Mat<f64> {
    let p = r.nrows();
    let mut inv = Mat::<f64>::zeros(p, p);
    for col in 0..p {
        for i in (0..=col).rev() {
            let rhs = if i == col { 1.0 } else { 0.0 };
            let s: f64 = (i + 1..=col).map(|k| r[(i, k)] * inv[(k, col)]).sum();
            inv[(i, col)] = (rhs - s) / r[(i, i)];
        }
    }
    inv
}

/// Least-squares solution of `xs β = y` from the QR factors, refined on the augmented system
/// (Björck 1967): each step computes f = y − r − Xβ and g = −Xᵀr in twice the working precision
/// and solves for the corrections with the same factors.
fn refined_solution(
    qr: &faer::linalg::solvers::Qr<f64>,
    xs: &Mat<f64>,
    r: &Mat<f64>,
    y: &[f64],
) -> Vec<f64> {
    let (n, p) = (xs.nrows(), xs.ncols());
    let q = qr.compute_thin_Q();
    let rhs = Mat::<f64>::from_fn(n, 1, |i, _| y[i]);
    let sol = qr.solve_lstsq(&rhs);
    let mut beta: Vec<f64> = (0..p).map(|j| sol[(j, 0)]).collect();
    let mut resid: Vec<f64> = (0..n)
        .map(|i| dot2(std::iter::once((y[i], 1.0)).chain((0..p).map(|j| (-xs[(i, j)], beta[j])))))
        .collect();
    for _ in 0..3 {
        let f: Vec<f64> = (0..n)
            .map(|i| {
                dot2(
                    [(y[i], 1.0), (resid[i], -1.0)]
                        .into_iter()
                        .chain((0..p).map(|j| (-xs[(i, j)], beta[j]))),
                )
            })
            .collect();
        let g: Vec<f64> = (0..p)
            .map(|j| -dot2((0..n).map(|i| (xs[(i, j)], resid[i]))))
            .collect();
        // Rᵀ h = g (forward substitution).
        let mut h = vec![0.0; p];
        for j in 0..p {
            let s: f64 = (0..j).map(|k| r[(k, j)] * h[k]).sum();
            h[j] = (g[j] - s) / r[(j, j)];
        }
        let d1: Vec<f64> = (0..p)
            .map(|j| dot2((0..n).map(|i| (q[(i, j)], f[i]))))
            .collect();
        // δr = Q₁h + (f − Q₁d₁): the component of f outside range(X) plus Q₁h.
        for i in 0..n {
            let c: f64 = (0..p).map(|j| q[(i, j)] * (h[j] - d1[j])).sum();
            resid[i] += f[i] + c;
        }
        // R δβ = d₁ − h (back substitution).
        let mut delta = vec![0.0; p];
        for j in (0..p).rev() {
            let s: f64 = (j + 1..p).map(|k| r[(j, k)] * delta[k]).sum();
            delta[j] = (d1[j] - h[j] - s) / r[(j, j)];
        }
        for (b, d) in beta.iter_mut().zip(&delta) {
            *b += d;
        }
    }
    beta
}

/// Ordinary least squares of `y` on `columns` (plus an intercept column of ones first when
/// `intercept`), by Householder QR of the design with every column scaled by the power of two nearest its 2-norm (the
/// scaling keeps badly scaled designs such as polynomials finite: faer issue 265) and
/// three steps of iterative refinement of the augmented system [I A; Aᵀ 0][r; x] = [y; 0] with
/// compensated residuals (Björck 1967; Björck, Numerical Methods for Least Squares Problems,
/// §2.9), which recovers full accuracy also for large-residual problems. `names` label `columns` in errors.
pub fn least_squares_qr(
    columns: &[&[f64]],
    names: &[String],
    y: &[f64],
    intercept: bool,
) -> Result<LeastSquares, ModelError> {
    const CONTEXT: &str = "least squares (QR)";
    let n = y.len();
    if names.len() != columns.len() {
        return Err(ModelError::invalid(
            CONTEXT,
            "names",
            format!("{} names for {} columns", names.len(), columns.len()),
            "one name per column",
        ));
    }
    check_all_finite(CONTEXT, "y", y)?;
    for (name, col) in names.iter().zip(columns) {
        if col.len() != n {
            return Err(ModelError::invalid(
                CONTEXT,
                &format!("column {name}"),
                format!("{} values", col.len()),
                &format!("must have one value per observation ({n})"),
            ));
        }
        check_all_finite(CONTEXT, name, col)?;
    }
    let mut all_names: Vec<String> = Vec::with_capacity(columns.len() + 1);
    let mut design: Vec<Vec<f64>> = Vec::with_capacity(columns.len() + 1);
    if intercept {
        all_names.push("intercept".to_string());
        design.push(vec![1.0; n]);
    }
    for (name, col) in names.iter().zip(columns) {
        all_names.push(name.clone());
        design.push(col.to_vec());
    }
    let p = design.len();
    if p == 0 {
        return Err(ModelError::invalid(
            CONTEXT,
            "columns",
            0,
            "need at least one regressor or an intercept",
        ));
    }
    if n <= p {
        return Err(ModelError::invalid(
            CONTEXT,
            "observations",
            n,
            &format!("need more observations than coefficients ({p}) for standard errors"),
        ));
    }
    // Powers of two: the scaled design is exact, so refinement against it refines the
    // original problem.
    let scale: Vec<f64> = design
        .iter()
        .map(|c| {
            let norm = norm2(c.iter().copied());
            if norm > 0.0 && norm.is_finite() {
                2f64.powi(norm.log2().round() as i32)
            } else {
                norm
            }
        })
        .collect();
    if let Some(j) = scale.iter().position(|&s| !(s > 0.0 && s.is_finite())) {
        return Err(ModelError::Singular {
            context: CONTEXT.to_string(),
            covariates: vec![all_names[j].clone()],
            rcond: 0.0,
            threshold: f64::EPSILON,
        });
    }
    let xs = Mat::<f64>::from_fn(n, p, |i, j| design[j][i] / scale[j]);
    let qr = xs.qr();
    let r = qr.thin_R().to_owned();
    let r_inv = upper_inverse(&r);
    let rcond = 1.0 / (one_norm(&r) * one_norm(&r_inv));
    // Numerical rank deficiency: a dependent column leaves a diagonal of R at the rounding
    // level of the others (Filip, the hardest NIST set, has 1e-10).
    let threshold = MIN_QR_RECIPROCAL_CONDITION;
    if !(rcond > threshold) {
        let direction = r
            .thin_svd()
            .ok()
            .map(|svd| (0..p).map(|i| svd.V()[(i, p - 1)]).collect::<Vec<_>>())
            .unwrap_or_else(|| vec![1.0; p]);
        return Err(ModelError::Singular {
            context: CONTEXT.to_string(),
            covariates: dependent_names(&direction, &all_names),
            rcond: if rcond.is_finite() { rcond } else { 0.0 },
            threshold,
        });
    }
    let beta_s = refined_solution(&qr, &xs, &r, y);
    let coefficients: Vec<f64> = beta_s.iter().zip(&scale).map(|(b, s)| b / s).collect();
    let rss = dot2((0..n).map(|i| {
        let r = dot2(
            std::iter::once((y[i], 1.0)).chain((0..p).map(|j| (-design[j][i], coefficients[j]))),
        );
        (r, r)
    }));
    let tss = if intercept {
        let mean = y.iter().sum::<f64>() / n as f64;
        let shift = y.iter().map(|v| v - mean).sum::<f64>() / n as f64;
        y.iter()
            .map(|v| (v - mean - shift) * (v - mean - shift))
            .sum::<f64>()
    } else {
        y.iter().map(|v| v * v).sum::<f64>()
    };
    if !(tss > 0.0) {
        return Err(ModelError::ZeroVariance {
            metric: CONTEXT.to_string(),
            detail: "the response is constant: R² is undefined".to_string(),
        });
    }
    let df_residual = (n - p) as f64;
    let sigma2 = rss / df_residual;
    let std_errors = (0..p)
        .map(|j| {
            let d: f64 = (j..p).map(|k| r_inv[(j, k)] * r_inv[(j, k)]).sum();
            (sigma2 * d).sqrt() / scale[j]
        })
        .collect();
    Ok(LeastSquares {
        coefficients,
        std_errors,
        r_squared: 1.0 - rss / tss,
        residual_sd: sigma2.sqrt(),
        df_residual,
        reciprocal_condition: rcond,
    })
}

/// Least squares from centred cross-products: slopes θ = S_xx⁻¹ S_xy by Cholesky of the
/// correlation-form matrix D S_xx D (D = diag(S_xx)^−½) with one refinement step, rejecting a
/// reciprocal 1-norm condition number below [`MIN_RECIPROCAL_CONDITION`] with an error naming
/// the collinear covariates (the eigenvector of the smallest eigenvalue). `s_xx` is p×p row-major,
/// `s_yy` the centred response sum of squares, `df_residual` = n − p − (centred groups).
/// Returns the slopes only (no intercept); R² = θᵀS_xy / S_yy.
pub fn least_squares_cross_products(
    s_xx: &[f64],
    s_xy: &[f64],
    s_yy: f64,
    df_residual: f64,
    names: &[String],
    context: &str,
) -> Result<LeastSquares, ModelError> {
    let p = names.len();
    if p == 0 || s_xy.len() != p || s_xx.len() != p * p {
        return Err(ModelError::invalid(
            context,
            "cross-products",
            format!("{} names, {} S_xy, {} S_xx", p, s_xy.len(), s_xx.len()),
            "need p ≥ 1 names, p values of S_xy and p×p of S_xx",
        ));
    }
    check_all_finite(context, "S_xx", s_xx)?;
    check_all_finite(context, "S_xy", s_xy)?;
    check_all_finite(context, "S_yy", &[s_yy])?;
    if !(df_residual > 0.0) {
        return Err(ModelError::invalid(
            context,
            "residual degrees of freedom",
            df_residual,
            "must be positive (more units than covariates plus arms)",
        ));
    }
    if !(s_yy > 0.0) {
        return Err(ModelError::ZeroVariance {
            metric: context.to_string(),
            detail: format!("the outcome has no within-arm variation (S_yy = {s_yy})"),
        });
    }
    let d: Vec<f64> = (0..p).map(|j| s_xx[j * p + j].max(0.0).sqrt()).collect();
    if let Some(j) = d.iter().position(|&v| !(v > 0.0)) {
        return Err(ModelError::Singular {
            context: context.to_string(),
            covariates: vec![names[j].clone()],
            rcond: 0.0,
            threshold: MIN_RECIPROCAL_CONDITION,
        });
    }
    // Symmetrise: sums from SQL may differ in the last bit between (j, k) and (k, j).
    let c = Mat::<f64>::from_fn(p, p, |i, j| {
        0.5 * (s_xx[i * p + j] + s_xx[j * p + i]) / (d[i] * d[j])
    });
    let singular = |rcond: f64| ModelError::Singular {
        context: context.to_string(),
        covariates: null_direction(&c)
            .map(|v| dependent_names(&v, names))
            .unwrap_or_else(|| names.to_vec()),
        rcond,
        threshold: MIN_RECIPROCAL_CONDITION,
    };
    let llt = c.llt(Side::Lower).map_err(|_| singular(0.0))?;
    let c_inv = llt.inverse();
    let rcond = 1.0 / (one_norm(&c) * one_norm(&c_inv));
    if !(rcond >= MIN_RECIPROCAL_CONDITION) {
        return Err(singular(if rcond.is_finite() { rcond } else { 0.0 }));
    }
    let b = Mat::<f64>::from_fn(p, 1, |j, _| s_xy[j] / d[j]);
    let mut theta_s = llt.solve(&b);
    let resid = Mat::<f64>::from_fn(p, 1, |i, _| {
        dot2(std::iter::once((b[(i, 0)], 1.0)).chain((0..p).map(|k| (-c[(i, k)], theta_s[(k, 0)]))))
    });
    let delta = llt.solve(&resid);
    for j in 0..p {
        theta_s[(j, 0)] += delta[(j, 0)];
    }
    let coefficients: Vec<f64> = (0..p).map(|j| theta_s[(j, 0)] / d[j]).collect();
    let explained = dot2(coefficients.iter().copied().zip(s_xy.iter().copied()));
    let rss = (s_yy - explained).max(0.0);
    let sigma2 = rss / df_residual;
    let std_errors = (0..p)
        .map(|j| (sigma2 * c_inv[(j, j)]).sqrt() / d[j])
        .collect();
    Ok(LeastSquares {
        coefficients,
        std_errors,
        r_squared: explained / s_yy,
        residual_sd: sigma2.sqrt(),
        df_residual,
        reciprocal_condition: rcond,
    })
}
