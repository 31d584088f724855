//! Sample-ratio-mismatch checks of a readout: Pearson chi-square of the analysed units per
//! variant against the designed weights, overall and per dimension value, Holm across the
//! dimension tests (Fabijan et al. 2019).

use counterfact_stats::adjust::{AdjustMethod, adjust_p_values};
use counterfact_stats::contingency::srm_check;

use super::types::{SrmReport, SrmTest};
use crate::error::ModelError;

/// Smallest expected count per variant for which a dimension value is tested: below it the
/// chi-square approximation is poor (Cochran 1954) and the value is skipped with a note.
pub const MIN_EXPECTED_COUNT: f64 = 5.0;

const CONTEXT: &str = "SRM check";

fn test(scope: &str, observed: &[u64], weights: &[f64], alpha: f64) -> Result<SrmTest, ModelError> {
    let obs: Vec<f64> = observed.iter().map(|&v| v as f64).collect();
    let check = srm_check(&obs, Some(weights), alpha)
        .map_err(ModelError::stats(&format!("{CONTEXT}, {scope}")))?;
    Ok(SrmTest {
        scope: scope.to_string(),
        observed: observed.to_vec(),
        expected: check.expected,
        statistic: check.result.statistic,
        df: check.result.df.unwrap_or((observed.len() - 1) as f64),
        p_value: check.result.p_value,
        p_value_adjusted: check.result.p_value,
        mismatch: check.mismatch,
    })
}

/// SRM report: chi-square goodness of fit of `overall` units per variant to `weights`, and of
/// every `by_dimension` entry (`"<dimension>=<value>"`, units per variant in `variants` order);
/// dimension values with an expected count below [`MIN_EXPECTED_COUNT`] in some variant are
/// skipped and listed in `notes`; the tested ones are Holm-adjusted together. A mismatch is an
/// (adjusted) p-value below `srm_alpha`.
pub fn srm_report(
    variants: &[String],
    weights: &[f64],
    overall: &[u64],
    by_dimension: &[(String, Vec<u64>)],
    srm_alpha: f64,
) -> Result<SrmReport, ModelError> {
    let k = variants.len();
    if k < 2 {
        return Err(ModelError::invalid(
            CONTEXT,
            "variants",
            k,
            "need at least two variants",
        ));
    }
    if weights.len() != k {
        return Err(ModelError::invalid(
            CONTEXT,
            "weights",
            format!("{} weights", weights.len()),
            &format!("need one weight per variant ({k})"),
        ));
    }
    if let Some(i) = weights.iter().position(|w| !(w.is_finite() && *w > 0.0)) {
        return Err(ModelError::invalid(
            CONTEXT,
            &format!("weight of {}", variants[i]),
            weights[i],
            "weights must be finite and positive",
        ));
    }
    if !(srm_alpha > 0.0 && srm_alpha < 1.0) {
        return Err(ModelError::invalid(
            CONTEXT,
            "srm_alpha",
            srm_alpha,
            "must lie strictly between 0 and 1",
        ));
    }
    let total_weight: f64 = weights.iter().sum();
    let weights: Vec<f64> = weights.iter().map(|w| w / total_weight).collect();
    let check_len = |scope: &str, counts: &[u64]| {
        if counts.len() == k {
            Ok(())
        } else {
            Err(ModelError::invalid(
                CONTEXT,
                &format!("{scope} counts"),
                format!("{} values", counts.len()),
                &format!("need one count per variant ({k})"),
            ))
        }
    };
    check_len("overall", overall)?;
    let overall = test("overall", overall, &weights, srm_alpha)?;
    let mut notes = Vec::new();
    let mut tests = Vec::new();
    for (scope, counts) in by_dimension {
        check_len(scope, counts)?;
        let total: f64 = counts.iter().map(|&c| c as f64).sum();
        let min_expected = weights
            .iter()
            .map(|w| w * total)
            .fold(f64::INFINITY, f64::min);
        if min_expected < MIN_EXPECTED_COUNT {
            notes.push(format!(
                "{scope}: not tested, smallest expected count {min_expected:.2} < {MIN_EXPECTED_COUNT}"
            ));
            continue;
        }
        tests.push(test(scope, counts, &weights, srm_alpha)?);
    }
    if !tests.is_empty() {
        let p: Vec<f64> = tests.iter().map(|t| t.p_value).collect();
        let adjusted = adjust_p_values(&p, AdjustMethod::Holm, srm_alpha)
            .map_err(ModelError::stats(CONTEXT))?;
        for (t, pa) in tests.iter_mut().zip(adjusted.p_adjusted) {
            t.p_value_adjusted = pa;
            t.mismatch = pa < srm_alpha;
        }
    }
    let passed = !overall.mismatch && tests.iter().all(|t| !t.mismatch);
    Ok(SrmReport {
        alpha: srm_alpha,
        weights,
        overall,
        by_dimension: tests,
        passed,
        notes,
    })
}
