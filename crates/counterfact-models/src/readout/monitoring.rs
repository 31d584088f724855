//! Monitoring readouts added to every comparison on request: anytime-valid inference
//! (Waudby-Smith et al. 2023, "Time-uniform central limit theory and asymptotic confidence
//! sequences", the sequence GrowthBook's sequential testing uses) and the Bayesian readout of
//! the relative lift (GrowthBook's effect model). Both start from the comparison's estimate and
//! standard error, so CUPED, delta-method ratios and quantiles get them the same way.

use counterfact_stats::Alternative;
use counterfact_stats::bayes::{LiftScale, lift_posterior};
use counterfact_stats::sequential::mixture::{Mixing, mixture_test_from_estimate};

use super::types::{BayesianReadout, Comparison, MetricReadout, Monitoring, SequentialReadout};
use crate::error::ModelError;

/// Adds the requested monitoring readouts to every comparison of `metric`. A comparison whose
/// relative lift is undefined (control mean 0) gets no Bayesian readout and a note says so.
pub(crate) fn monitor(
    metric: &mut MetricReadout,
    monitoring: &Monitoring,
    alpha: f64,
) -> Result<(), ModelError> {
    let control_n = metric.arms.first().map_or(0, |a| a.n);
    for c in &mut metric.comparisons {
        let arm_n = metric
            .arms
            .iter()
            .find(|a| a.variant == c.variant)
            .map_or(0, |a| a.n);
        if let Some(tuning_n) = monitoring.sequential_tuning_n {
            let context = format!("sequential test of {} {}", metric.name, c.variant);
            c.sequential = Some(
                sequential(c, [arm_n, control_n], tuning_n, alpha)
                    .map_err(ModelError::stats(&context))?,
            );
        }
        if let Some(prior) = &monitoring.bayesian_prior {
            let se = c.relative.std_error;
            if !(c.relative.estimate.is_finite() && se.is_finite() && se > 0.0) {
                metric.notes.push(format!(
                    "{}: no Bayesian readout, the relative lift is undefined",
                    c.variant
                ));
                continue;
            }
            let context = format!("Bayesian readout of {} {}", metric.name, c.variant);
            let post = lift_posterior(
                c.relative.estimate,
                se * se,
                LiftScale::Relative,
                prior,
                1.0 - alpha,
            )
            .map_err(ModelError::stats(&context))?;
            let (chance, risk_ship, risk_keep_control) = if metric.higher_is_better {
                (post.chance_to_win, post.risk_treatment, post.risk_control)
            } else {
                (
                    1.0 - post.chance_to_win,
                    post.risk_control,
                    post.risk_treatment,
                )
            };
            c.bayesian = Some(BayesianReadout {
                mean: post.mean,
                sd: post.sd,
                ci: post.ci,
                chance_to_beat_control: chance,
                risk_ship,
                risk_keep_control,
            });
        }
    }
    Ok(())
}

fn sequential(
    c: &Comparison,
    n: [u64; 2],
    tuning_n: f64,
    alpha: f64,
) -> Result<SequentialReadout, counterfact_stats::StatsError> {
    let r = mixture_test_from_estimate(
        c.absolute.estimate,
        c.absolute.std_error,
        n,
        Mixing::Asymptotic { tuning_n },
        0.0,
        alpha,
        Alternative::TwoSided,
    )?;
    Ok(SequentialReadout {
        method: r.method,
        p_value: r.p_value_look,
        ci: r.cs_look,
    })
}
