//! Worked Markov models: rain depending on the last two days, and member lifecycles.

use super::{ChainScalar, MarkovChain};
use crate::error::{Result, StatsError};

fn check_probability<T: ChainScalar>(name: &str, p: &T) -> Result<()> {
    if p.is_probability() {
        Ok(())
    } else {
        Err(StatsError::invalid(
            name,
            p,
            "must be a probability in [0, 1]",
        ))
    }
}

/// Rain on day n when tomorrow's rain depends on the last two days: a second-order chain on
/// {rain, no rain} expanded to the states (yesterday, today) ∈ {RR, RN, NR, NN} (Ross,
/// *Introduction to Probability Models*, §4.1, Example 4.4). When the chance of rain after RN
/// equals that after NN, the two no-rain states are lumpable and the model runs on the three
/// states {RR, NR, N}.
///
/// Generic over the number type: use `f64`, or [`num_rational::BigRational`] for exact answers.
///
/// ```
/// use counterfact_stats::markov::RainModel;
/// let model = RainModel {
///     rain_after_rr: 0.7,
///     rain_after_nr: 0.5,
///     rain_after_rn: 0.4,
///     rain_after_nn: 0.2,
///     day1_rain: true,
///     day2_rain: true,
/// };
/// assert_eq!(model.rain_days(1).unwrap(), 1.0);
/// assert!((model.rain_days(3).unwrap() - 0.7).abs() < 1e-15);
/// // P(rain on day 4) = 0.7 * 0.7 + 0.3 * 0.4
/// assert!((model.rain_days(4).unwrap() - 0.61).abs() < 1e-12);
/// let far = model.rain_days(1_000_000).unwrap();
/// assert!((far - model.stationary_rain().unwrap()).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RainModel<T = f64> {
    /// P(rain tomorrow | rain yesterday, rain today).
    pub rain_after_rr: T,
    /// P(rain tomorrow | no rain yesterday, rain today).
    pub rain_after_nr: T,
    /// P(rain tomorrow | rain yesterday, no rain today).
    pub rain_after_rn: T,
    /// P(rain tomorrow | no rain yesterday, no rain today).
    pub rain_after_nn: T,
    /// Whether it rained on day 1.
    pub day1_rain: bool,
    /// Whether it rained on day 2.
    pub day2_rain: bool,
}

impl<T: ChainScalar> RainModel<T> {
    fn check(&self) -> Result<()> {
        check_probability("rain_after_rr", &self.rain_after_rr)?;
        check_probability("rain_after_nr", &self.rain_after_nr)?;
        check_probability("rain_after_rn", &self.rain_after_rn)?;
        check_probability("rain_after_nn", &self.rain_after_nn)
    }

    /// Whether the no-rain states RN and NN can be merged (equal chances of rain after them).
    pub fn lumpable(&self) -> bool {
        self.rain_after_rn == self.rain_after_nn
    }

    /// The chain, its state labels ("RR", "RN", "NR", "NN"; or "RR", "NR", "N" when
    /// [`RainModel::lumpable`]) and the indices of the states in which it rains today.
    pub fn chain(&self) -> Result<(MarkovChain<T>, Vec<&'static str>, Vec<usize>)> {
        self.check()?;
        let next = |rain: &T| vec![rain.clone(), T::one() - rain.clone()];
        if self.lumpable() {
            let q = self.rain_after_nn.clone();
            let (zero, one) = (T::zero(), T::one());
            let rows = vec![
                vec![
                    self.rain_after_rr.clone(),
                    zero.clone(),
                    one.clone() - self.rain_after_rr.clone(),
                ],
                vec![
                    self.rain_after_nr.clone(),
                    zero.clone(),
                    one.clone() - self.rain_after_nr.clone(),
                ],
                vec![zero, q.clone(), one - q],
            ];
            return Ok((MarkovChain::new(rows)?, vec!["RR", "NR", "N"], vec![0, 1]));
        }
        // Index 0 = rain, 1 = no rain; p2[yesterday][today] = distribution of tomorrow.
        let p2 = vec![
            vec![next(&self.rain_after_rr), next(&self.rain_after_rn)],
            vec![next(&self.rain_after_nr), next(&self.rain_after_nn)],
        ];
        Ok((
            MarkovChain::from_second_order(p2)?,
            vec!["RR", "RN", "NR", "NN"],
            vec![0, 2],
        ))
    }

    fn initial_state(&self) -> usize {
        match (self.lumpable(), self.day1_rain, self.day2_rain) {
            (true, true, true) => 0,
            (true, false, true) => 1,
            (true, _, false) => 2,
            (false, d1, d2) => usize::from(!d1) * 2 + usize::from(!d2),
        }
    }

    /// P(rain on day `n`), days counted from 1, given the weather of days 1 and 2: the chain
    /// started in state (day 1, day 2) and run n − 2 steps by repeated squaring (O(log n)).
    pub fn rain_days(&self, n: u64) -> Result<T> {
        let indicator = |rain: bool| if rain { T::one() } else { T::zero() };
        match n {
            0 => Err(StatsError::invalid("n", n, "days are counted from 1")),
            1 => self.check().map(|()| indicator(self.day1_rain)),
            2 => self.check().map(|()| indicator(self.day2_rain)),
            _ => {
                let (chain, _, rainy) = self.chain()?;
                let mut initial = vec![T::zero(); chain.states()];
                initial[self.initial_state()] = T::one();
                let dist = chain.distribution_after(&initial, n - 2)?;
                Ok(rainy
                    .into_iter()
                    .fold(T::zero(), |acc, i| acc + dist[i].clone()))
            }
        }
    }

    /// Long-run P(rain on a day): the stationary mass of the rainy states, the limit of
    /// [`RainModel::rain_days`] for an irreducible aperiodic chain.
    pub fn stationary_rain(&self) -> Result<T> {
        let (chain, _, rainy) = self.chain()?;
        let pi = chain.stationary()?;
        Ok(rainy
            .into_iter()
            .fold(T::zero(), |acc, i| acc + pi[i].clone()))
    }
}

/// A member-lifecycle chain on the states active (0), lapsed (1) and churned (2, absorbing):
/// an active member lapses with probability `p_lapse` per period; a lapsed member comes back
/// with `p_return` or churns with `p_churn`. Expected periods to churn come from
/// [`MarkovChain::expected_steps_to`]`(2)`.
///
/// ```
/// use counterfact_stats::markov::member_lifecycle;
/// let chain = member_lifecycle(0.1, 0.3, 0.2).unwrap();
/// let to_churn = chain.expected_steps_to(2).unwrap();
/// // h_active = 10 + h_lapsed and h_lapsed = 1 + 0.3 h_active + 0.5 h_lapsed give 30.
/// assert!((to_churn[0].unwrap() - 30.0).abs() < 1e-9);
/// assert!(member_lifecycle(0.1, 0.9, 0.2).is_err());
/// ```
pub fn member_lifecycle<T: ChainScalar>(
    p_lapse: T,
    p_return: T,
    p_churn: T,
) -> Result<MarkovChain<T>> {
    check_probability("p_lapse", &p_lapse)?;
    check_probability("p_return", &p_return)?;
    check_probability("p_churn", &p_churn)?;
    let stay_lapsed = T::one() - p_return.clone() - p_churn.clone();
    if stay_lapsed.is_negative() {
        return Err(StatsError::invalid(
            "p_return + p_churn",
            (p_return + p_churn).approx(),
            "must not exceed 1",
        ));
    }
    let (zero, one) = (T::zero(), T::one());
    MarkovChain::new(vec![
        vec![one.clone() - p_lapse.clone(), p_lapse, zero.clone()],
        vec![p_return, stay_lapsed, p_churn],
        vec![zero.clone(), zero, one],
    ])
}
