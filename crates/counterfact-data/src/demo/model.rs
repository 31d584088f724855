//! The generative model: member attributes, assignment, exposure, and each member's sessions,
//! plays and subscription under a given variant (docs/demo.md, "The generative model").

use serde::{Deserialize, Serialize};

use super::rng::{Purpose, Stream, poisson_inverse};

/// Microseconds per day.
pub(crate) const DAY_US: i64 = 86_400_000_000;
/// 2026-02-01T00:00:00Z (a Sunday), in microseconds since the Unix epoch.
pub(crate) const START_US: i64 = START_DAY as i64 * DAY_US;
/// 2026-02-01 in days since the Unix epoch.
pub(crate) const START_DAY: i32 = 20_485;
/// Days of data: the cut-off `end` is 2026-03-08T00:00:00Z.
pub(crate) const SPAN_DAYS: i64 = 35;
/// The data cut-off (`[experiment].end` of the spec).
pub(crate) const END_US: i64 = START_US + SPAN_DAYS * DAY_US;
/// Units are assigned over the first three weeks.
const ASSIGN_DAYS: i64 = 21;
/// Metric window of the spec (`[exposure].window_days`).
pub(crate) const WINDOW_US: i64 = 14 * DAY_US;
/// Maturity of the conversion metric.
pub(crate) const CONVERSION_MATURITY_US: i64 = 21 * DAY_US;
/// Retention day of `retention_d7`.
pub(crate) const RETENTION_DAY: i64 = 7;
/// Seven days: the trial rule of the conversion metric.
const TRIAL_US: i64 = 7 * DAY_US;
/// Play delays are whole milliseconds in [1, this] (the player times out at a minute).
pub(crate) const MAX_DELAY_MS: usize = 60_000;
/// Variant labels of the demo experiment, control first.
pub(crate) const VARIANTS: [&str; 3] = ["control", "top_row", "personalized_row"];
/// Name of the demo experiment.
pub(crate) const EXPERIMENT: &str = "homepage-rec-row";
/// An unrelated experiment sharing the assignment table.
pub(crate) const OTHER_EXPERIMENT: &str = "search-ranking-v2";
/// Variants of the unrelated experiment.
pub(crate) const OTHER_VARIANTS: [&str; 2] = ["control", "treatment"];
/// Activity by day of week, Sunday first (weekends are busier).
const WEEKDAY_FACTOR: [f64; 7] = [1.25, 0.9, 0.85, 0.88, 0.95, 1.07, 1.3];
/// Caps that keep per-member ids in range.
const MAX_SESSIONS_PER_DAY: u32 = 24;
const MAX_PLAYS_PER_SESSION: u32 = 20;

pub(crate) const COUNTRIES: [(&str, f64); 7] = [
    ("US", 0.35),
    ("BR", 0.15),
    ("IN", 0.15),
    ("GB", 0.10),
    ("DE", 0.10),
    ("JP", 0.08),
    ("MX", 0.07),
];
pub(crate) const DEVICES: [(&str, f64); 3] = [("tv", 0.45), ("mobile", 0.35), ("web", 0.20)];
pub(crate) const PLANS: [(&str, f64); 3] = [("basic", 0.30), ("standard", 0.45), ("premium", 0.25)];
const DEVICE_RATE: [f64; 3] = [1.1, 1.0, 0.8];
const DEVICE_DELAY: [f64; 3] = [1.25, 1.0, 0.85];

/// How one variant changes behaviour after exposure (multipliers are 1 and shifts 0 for "no
/// effect"; two arms with equal effects have identical potential outcomes).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ArmEffects {
    /// Multiplier of the daily session rate on days after the exposure day.
    pub session_rate: f64,
    /// Multiplier of the mean number of plays per session.
    pub plays_per_session: f64,
    /// Shift of the log-mean of the watch time of one play.
    pub watch_log_shift: f64,
    /// Multiplier of the play delay.
    pub play_delay: f64,
    /// True when the arm offers a 7-day free trial (sign-ups become trials).
    pub offers_trial: bool,
    /// Multiplier of the sign-up probability when a trial is offered.
    pub trial_signup_lift: f64,
    /// Probability that a trial is cancelled within its 7 days.
    pub trial_cancel: f64,
}

impl ArmEffects {
    /// No change from the control experience.
    pub const NONE: Self = Self {
        session_rate: 1.0,
        plays_per_session: 1.0,
        watch_log_shift: 0.0,
        play_delay: 1.0,
        offers_trial: false,
        trial_signup_lift: 1.0,
        trial_cancel: 0.0,
    };

    /// The demo's arms: control, top_row, personalized_row.
    pub const DEMO: [Self; 3] = [
        Self::NONE,
        Self {
            session_rate: 1.0,
            plays_per_session: 1.025,
            watch_log_shift: 0.0,
            play_delay: 1.02,
            offers_trial: true,
            trial_signup_lift: 1.5,
            trial_cancel: 0.35,
        },
        Self {
            session_rate: 1.012,
            plays_per_session: 1.03,
            watch_log_shift: 0.012,
            play_delay: 0.97,
            offers_trial: true,
            trial_signup_lift: 1.7,
            trial_cancel: 0.3,
        },
    ];
}

/// One member with everything the variant does not change.
pub(crate) struct Member {
    pub(crate) key: u64,
    pub(crate) id: i64,
    pub(crate) signup_date: i32,
    pub(crate) tenure_days: i32,
    pub(crate) country: &'static str,
    pub(crate) device: usize,
    pub(crate) plan: &'static str,
    pub(crate) tier: &'static str,
    pub(crate) pre_watch_hours: f64,
    dormant: bool,
    session_rate: f64,
    plays_mean: f64,
    watch_log_mean: f64,
    delay_scale: f64,
    signup_prob: f64,
    pub(crate) variant: usize,
    pub(crate) assigned_at: i64,
    /// A second, different variant (a logging bug): the unit is excluded from the analysis.
    pub(crate) second_assignment: Option<(usize, i64)>,
    pub(crate) other_assignment: Option<(usize, i64)>,
    /// When the member really saw the experiment (treatment starts here).
    pub(crate) exposed_at: Option<i64>,
    /// Exposure rows written (empty when never exposed or when the SRM bug dropped them).
    pub(crate) exposure_rows: Vec<i64>,
}

impl Member {
    /// First logged exposure of a single-variant unit: the analysed population.
    pub(crate) fn analysed_exposure(&self) -> Option<i64> {
        if self.second_assignment.is_some() {
            return None;
        }
        self.exposure_rows.first().copied()
    }
}

fn pick<T: Copy>(table: &[(T, f64)], u: f64) -> (usize, T) {
    let mut acc = 0.0;
    for (i, &(item, p)) in table.iter().enumerate() {
        acc += p;
        if u < acc {
            return (i, item);
        }
    }
    let last = table.len() - 1;
    (last, table[last].0)
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn duration_us(seconds: f64) -> i64 {
    (seconds * 1e6).round() as i64
}

/// Mean watch time of one play with log-mean `mu` (log-normal, σ = 1).
const WATCH_SIGMA: f64 = 1.0;
const MAX_WATCH_SECONDS: f64 = 6.0 * 3600.0;

/// Draws member `index` (key `key`) and its assignment and exposure.
pub(crate) fn member(index: u64, key: u64, srm_bug: bool) -> Member {
    let mut s = Stream::new(key, Purpose::Attributes, 0);
    let z = s.normal();
    let (device, _) = pick(&DEVICES, s.uniform());
    let (_, country) = pick(&COUNTRIES, s.uniform());
    let (_, plan) = pick(&PLANS, s.uniform());
    let tenure_days = (s.uniform() * 3000f64.ln()).exp().floor() as i32;
    let dormant = s.uniform() < logistic(-1.0 - 0.9 * z);
    let session_rate = 0.42 * (0.8 * z + 0.35 * s.normal()).exp() * DEVICE_RATE[device];
    let plays_mean = 1.5 * (0.15 * z).exp();
    let watch_log_mean = 1400f64.ln() + 0.25 * s.normal();
    let delay_scale = DEVICE_DELAY[device] * (0.25 * s.normal()).exp();
    let signup_prob = logistic(-3.0 + 0.35 * z);
    let pre_noise = s.normal();
    let pre_active = if dormant {
        s.uniform() < 0.3
    } else {
        s.uniform() < 0.97
    };
    let expected_daily_hours =
        session_rate * plays_mean * (watch_log_mean + 0.5 * WATCH_SIGMA * WATCH_SIGMA).exp()
            / 3600.0;
    let pre_watch_hours = if pre_active {
        (28.0 * expected_daily_hours * (0.6 * pre_noise - 0.18).exp() * 100.0).round() / 100.0
    } else {
        0.0
    };
    let tier = if z < -0.5 {
        "low"
    } else if z > 0.8 {
        "high"
    } else {
        "medium"
    };

    let mut a = Stream::new(key, Purpose::Assignment, 0);
    let variant = ((a.uniform() * 3.0) as usize).min(2);
    let assigned_at = START_US + (a.uniform() * (ASSIGN_DAYS * DAY_US) as f64) as i64;
    let second_assignment = if a.uniform() < 0.0004 {
        let other = (variant + 1 + usize::from(a.uniform() < 0.5)) % 3;
        // Logged at the same instant (a race): no exposure can precede either row.
        Some((other, assigned_at))
    } else {
        a.uniform();
        None
    };
    let other_assignment = if a.uniform() < 0.4 {
        let v = usize::from(a.uniform() < 0.5);
        let at = START_US - 10 * DAY_US + (a.uniform() * (40 * DAY_US) as f64) as i64;
        Some((v, at))
    } else {
        None
    };

    let mut e = Stream::new(key, Purpose::Exposure, 0);
    let exposed = e.uniform() < 0.85;
    let delay = if e.uniform() < 0.04 {
        0
    } else {
        duration_us(e.exponential(10.0 * 3600.0))
    };
    let exposed_at = Some(assigned_at + delay).filter(|&t| exposed && t < END_US);
    let second = exposed_at
        .map(|t| t + duration_us(e.exponential(2.0 * 86_400.0)))
        .filter(|&t| t < END_US && e.uniform() < 0.5);
    let dropped = srm_bug && variant == 1 && e.uniform() < 0.03;
    let exposure_rows = match exposed_at {
        Some(t) if !dropped => std::iter::once(t).chain(second).collect(),
        _ => Vec::new(),
    };

    Member {
        key,
        id: 1_000_001 + index as i64,
        signup_date: START_DAY - tenure_days,
        tenure_days,
        country,
        device,
        plan,
        tier,
        pre_watch_hours,
        dormant,
        session_rate,
        plays_mean,
        watch_log_mean,
        delay_scale,
        signup_prob,
        variant,
        assigned_at,
        second_assignment,
        other_assignment,
        exposed_at,
        exposure_rows,
    }
}

/// One session of a member.
#[derive(Clone, Copy)]
pub(crate) struct Session {
    pub(crate) start: i64,
    pub(crate) plays: u32,
}

/// One play (a viewing event) with its delivery draws.
#[derive(Clone, Copy)]
pub(crate) struct Play {
    pub(crate) ts: i64,
    pub(crate) watch_seconds: f64,
    pub(crate) delay_ms: u32,
    pub(crate) title_id: i32,
    /// Delivered twice (same event id).
    pub(crate) duplicate: bool,
    /// Delivered days late, into a `part-late-*` file.
    pub(crate) late: bool,
    /// Delivery lag in microseconds.
    pub(crate) lag: i64,
}

/// A member's sessions and plays under one variant (buffers reused across members).
#[derive(Default)]
pub(crate) struct Activity {
    pub(crate) sessions: Vec<Session>,
    pub(crate) plays: Vec<Play>,
}

/// Simulates `m`'s sessions and plays under `arm` from its assignment day up to the day
/// containing `until` (the cut-off for written data; the window end suffices for the truth,
/// since every draw is keyed, stopping early changes nothing before).
pub(crate) fn simulate(m: &Member, arm: &ArmEffects, until: i64, out: &mut Activity) {
    out.sessions.clear();
    out.plays.clear();
    if m.dormant {
        return;
    }
    let first_day = (m.assigned_at - START_US) / DAY_US;
    for day in first_day..SPAN_DAYS {
        let day_start = START_US + day * DAY_US;
        if day_start >= until {
            break;
        }
        let day_treated = m.exposed_at.is_some_and(|e| day_start >= e);
        let rate = m.session_rate
            * WEEKDAY_FACTOR[(day % 7) as usize]
            * if day_treated { arm.session_rate } else { 1.0 };
        let mut d = Stream::new(m.key, Purpose::Day, day as u64);
        let n = poisson_inverse(d.uniform(), rate, MAX_SESSIONS_PER_DAY);
        for j in 0..u64::from(n) {
            let mut s = Stream::new(m.key, Purpose::Session, day as u64 * 64 + j);
            // Sessions cluster in the evening: density rising over the day.
            let start = day_start + (s.uniform().sqrt() * DAY_US as f64) as i64;
            let treated = m.exposed_at.is_some_and(|e| start >= e);
            let plays_mean = m.plays_mean * if treated { arm.plays_per_session } else { 1.0 };
            let k = poisson_inverse(s.uniform(), plays_mean, MAX_PLAYS_PER_SESSION);
            out.sessions.push(Session { start, plays: k });
            let mut t = start;
            for _ in 0..k {
                let normal = s.normal();
                let u_delay = s.open_uniform();
                let u_title = s.uniform();
                let u_dup = s.uniform();
                let u_late = s.uniform();
                let u_lag = s.uniform();
                let delay_factor = if treated { arm.play_delay } else { 1.0 };
                // Shifted Pareto (tail index 2.5) in whole milliseconds.
                let delay = (m.delay_scale * delay_factor * (120.0 + 280.0 * u_delay.powf(-0.4)))
                    .round()
                    .clamp(1.0, MAX_DELAY_MS as f64);
                t += delay as i64 * 1000;
                let shift = if treated { arm.watch_log_shift } else { 0.0 };
                let watch = ((m.watch_log_mean + shift + WATCH_SIGMA * normal).exp() * 1000.0)
                    .round()
                    .min(MAX_WATCH_SECONDS * 1000.0)
                    / 1000.0;
                if t >= END_US {
                    break;
                }
                let late = u_late < 0.02;
                let lag = if late {
                    DAY_US + (u_lag * (5 * DAY_US) as f64) as i64
                } else {
                    1_000_000 + (u_lag * 120e6) as i64
                };
                out.plays.push(Play {
                    ts: t,
                    watch_seconds: watch,
                    delay_ms: delay as u32,
                    title_id: 1 + (u_title * u_title * u_title * 5000.0) as i32,
                    duplicate: u_dup < 0.01,
                    late,
                    lag,
                });
                t += duration_us(watch) + 30_000_000;
            }
        }
    }
}

/// A subscription row.
#[derive(Clone, Copy)]
pub(crate) struct Subscription {
    pub(crate) sub_dt: i64,
    pub(crate) cancel_dt: Option<i64>,
    pub(crate) trial: bool,
}

impl Subscription {
    /// The spec's conversion condition: a trial converts only if not cancelled within 7 days.
    pub(crate) fn converts(&self) -> bool {
        !self.trial || self.cancel_dt.is_none_or(|c| c >= self.sub_dt + TRIAL_US)
    }
}

/// `m`'s subscription under `arm`, if any (at most one per member).
pub(crate) fn subscription(m: &Member, arm: &ArmEffects) -> Option<Subscription> {
    let mut s = Stream::new(m.key, Purpose::Subscription, 0);
    let u_sub = s.uniform();
    let u_time = s.uniform();
    let u_cancel = s.uniform();
    let u_cancel_time = s.uniform();
    let reference = m.exposed_at.unwrap_or(m.assigned_at);
    let sub_dt = reference - 3 * DAY_US + (u_time * (27 * DAY_US) as f64) as i64;
    if sub_dt >= END_US {
        return None;
    }
    let treated = m.exposed_at.is_some_and(|e| sub_dt >= e);
    let (trial, cancel_dt) = if treated && arm.offers_trial {
        if u_sub >= m.signup_prob * arm.trial_signup_lift {
            return None;
        }
        let c = arm.trial_cancel;
        let cancel = if u_cancel < c {
            Some(sub_dt + (u_cancel_time * TRIAL_US as f64) as i64)
        } else if u_cancel < c + 0.01 {
            // Cancelled exactly at the end of the trial: converts (the rule is `>=`).
            Some(sub_dt + TRIAL_US)
        } else if u_cancel < c + 0.2 {
            Some(sub_dt + TRIAL_US + (u_cancel_time * (30 * DAY_US) as f64) as i64)
        } else {
            None
        };
        (true, cancel)
    } else {
        if u_sub >= m.signup_prob {
            return None;
        }
        let cancel =
            (u_cancel < 0.15).then(|| sub_dt + (u_cancel_time * (30 * DAY_US) as f64) as i64);
        (false, cancel)
    };
    Some(Subscription {
        sub_dt,
        cancel_dt: cancel_dt.filter(|&c| c < END_US),
        trial,
    })
}

/// Per-unit values of the demo metrics under one variant, by the spec's definitions.
#[derive(Default, Clone, Copy)]
pub(crate) struct UnitValues {
    pub(crate) watch_hours: f64,
    pub(crate) sessions: u64,
    pub(crate) plays: u64,
    pub(crate) retained: bool,
}

/// Window sums of `activity` for a unit exposed at `e`; play delays in the window are counted
/// into `delays` (indexed by milliseconds) when given.
pub(crate) fn unit_values(
    activity: &Activity,
    e: i64,
    mut delays: Option<&mut [u64]>,
) -> UnitValues {
    let in_window = |t: i64| e <= t && t < e + WINDOW_US;
    let mut v = UnitValues::default();
    for p in &activity.plays {
        if in_window(p.ts) {
            v.watch_hours += p.watch_seconds / 3600.0;
            if let Some(d) = delays.as_deref_mut() {
                d[p.delay_ms as usize] += 1;
            }
        }
    }
    let day = e + RETENTION_DAY * DAY_US;
    for s in &activity.sessions {
        if in_window(s.start) {
            v.sessions += 1;
            v.plays += u64::from(s.plays);
        }
        if day <= s.start && s.start < day + DAY_US {
            v.retained = true;
        }
    }
    v
}

/// True when `sub` makes a unit exposed at `e` convert (window of 14 days, trial rule).
pub(crate) fn converts(sub: Option<Subscription>, e: i64) -> bool {
    sub.is_some_and(|s| e <= s.sub_dt && s.sub_dt < e + WINDOW_US && s.converts())
}
