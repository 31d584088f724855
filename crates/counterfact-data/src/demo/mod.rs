//! The seeded demo data set: a three-arm homepage experiment ("homepage-rec-row") over
//! members, assignments, exposures, sessions, viewing events and subscriptions, written as
//! Parquet with the experiment spec and the exact true effects (docs/demo.md).

mod model;
mod rng;
mod spec;
mod truth;
mod write;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use model::ArmEffects;
pub use truth::{TrueEffect, TrueValue};

use model::{
    Activity, CONVERSION_MATURITY_US, DAY_US, END_US, EXPERIMENT, Member, OTHER_EXPERIMENT,
    OTHER_VARIANTS, RETENTION_DAY, VARIANTS, WINDOW_US,
};
use rng::BLOCK;
use truth::{Tally, Truth};
use write::{
    AssignmentRows, ExposureRows, MemberRows, SessionRows, SubscriptionRows, TableWriter,
    ViewingRows,
};

/// Members per part file of the sessions and viewing tables (at most).
const PART_MEMBERS: u64 = 100_000;
/// Part files at least (so that the spec's globs match several files).
const MIN_PARTS: u64 = 4;
/// Fewest and most members the demo accepts.
const MIN_MEMBERS: u64 = 100;
const MAX_MEMBERS: u64 = 1_000_000_000;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoConfig {
    /// Number of members (all assigned to the experiment).
    pub members: u64,
    /// Seed of every random draw.
    pub seed: u64,
    /// Drop ~3% of `top_row`'s exposure rows (a logging bug) so the SRM check fails.
    pub srm_bug: bool,
}

impl Default for DemoConfig {
    fn default() -> Self {
        Self {
            members: 200_000,
            seed: 1,
            srm_bug: false,
        }
    }
}

/// Units on their way into the analysis, as the readout should count them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoPopulation {
    /// Distinct units assigned in the demo experiment.
    pub assigned_units: u64,
    /// Units with rows in two variants.
    pub multiple_variant_units: u64,
    /// Single-variant units without an exposure row.
    pub unexposed_units: u64,
    /// Analysed units per variant (control, top_row, personalized_row).
    pub analysed_units: Vec<u64>,
}

/// What [`generate`] wrote and the true effects baked into it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoManifest {
    /// Experiment name.
    pub experiment: String,
    /// Members generated.
    pub members: u64,
    /// Seed.
    pub seed: u64,
    /// Whether the SRM bug was injected.
    pub srm_bug: bool,
    /// Files written, relative to the output directory, in write order.
    pub files: Vec<String>,
    /// Rows per table (viewing counts duplicates and late rows).
    pub rows: BTreeMap<String, u64>,
    /// Viewing rows that repeat an earlier event id.
    pub duplicate_viewing_rows: u64,
    /// Viewing rows in `viewing/part-late-*.parquet`.
    pub late_viewing_rows: u64,
    /// Unit accounting.
    pub population: DemoPopulation,
    /// The p99 winsorization cap of `watch_hours` on the realized data (hours).
    pub watch_hours_cap: Option<f64>,
    /// True effects of every treatment arm on every metric of the spec.
    pub true_effects: Vec<TrueEffect>,
    /// Population values per metric and variant from which the effects are differenced.
    pub true_values: Vec<TrueValue>,
    /// How the true effects are defined.
    pub notes: Vec<String>,
}

/// Errors of the demo generator.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DemoError {
    /// The configuration cannot be generated.
    #[error("invalid demo configuration: {0}")]
    InvalidConfig(String),
    /// A file or directory could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The path at fault.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The Parquet writer failed.
    #[error("cannot write Parquet file {path}: {message}")]
    Parquet {
        /// The file at fault.
        path: PathBuf,
        /// The writer's message.
        message: String,
    },
    /// A record batch could not be built.
    #[error("cannot build a record batch for {path}: {message}")]
    Arrow {
        /// The file at fault.
        path: PathBuf,
        /// Arrow's message.
        message: String,
    },
    /// The manifest could not be serialised.
    #[error("cannot serialise the demo manifest: {0}")]
    Json(String),
}

/// Generates the demo data set into `out_dir` with the demo's arm effects
/// ([`ArmEffects::DEMO`]); `progress(done, total)` is called with member counts.
pub fn generate(
    config: &DemoConfig,
    out_dir: &Path,
    progress: &dyn Fn(u64, u64),
) -> Result<DemoManifest, DemoError> {
    generate_with_effects(config, &ArmEffects::DEMO, out_dir, progress)
}

/// [`generate`] with chosen effects for control, top_row and personalized_row (equal effects
/// give identical potential outcomes, so a true effect of exactly zero).
pub fn generate_with_effects(
    config: &DemoConfig,
    arms: &[ArmEffects; 3],
    out_dir: &Path,
    progress: &dyn Fn(u64, u64),
) -> Result<DemoManifest, DemoError> {
    if !(MIN_MEMBERS..=MAX_MEMBERS).contains(&config.members) {
        return Err(DemoError::InvalidConfig(format!(
            "members = {} is outside [{MIN_MEMBERS}, {MAX_MEMBERS}]",
            config.members
        )));
    }
    for (arm, name) in arms.iter().zip(VARIANTS) {
        check_arm(arm, name)?;
    }
    for dir in [
        out_dir.to_path_buf(),
        out_dir.join("sessions"),
        out_dir.join("viewing"),
    ] {
        std::fs::create_dir_all(&dir).map_err(|source| DemoError::Io {
            path: dir.clone(),
            source,
        })?;
        remove_stale_parts(&dir)?;
    }
    let parts = part_ranges(config.members);
    let mut members_out = TableWriter::<MemberRows>::create(
        &out_dir.join("members.parquet"),
        write::members_schema(),
    )?;
    let mut assignments_out = TableWriter::<AssignmentRows>::create(
        &out_dir.join("assignments.parquet"),
        write::assignments_schema(),
    )?;
    let mut exposures_out = TableWriter::<ExposureRows>::create(
        &out_dir.join("exposures.parquet"),
        write::exposures_schema(),
    )?;
    let mut subscriptions_out = TableWriter::<SubscriptionRows>::create(
        &out_dir.join("subscriptions.parquet"),
        write::subscriptions_schema(),
    )?;
    let mut truth = Truth::new(config.members);
    let mut totals = PartCounts::default();
    let mut part_files = Vec::new();
    let mut done = 0;
    progress(0, config.members);
    let indexed: Vec<(usize, Range<u64>)> = parts.into_iter().enumerate().collect();
    // Parts run a wave at a time so that only a wave's small-table rows are held. The output
    // does not depend on the wave size: part files are independent, small-table rows and truth
    // sums are merged in part order, and the watch-hours threshold only prunes values that
    // cannot reach the cap.
    let wave_parts = rayon::current_num_threads().max(2);
    for wave in indexed.chunks(wave_parts) {
        let threshold = truth.threshold();
        let outs: Vec<Result<PartOutput, DemoError>> = wave
            .par_iter()
            .map(|(i, range)| run_part(config, arms, out_dir, *i, range.clone(), threshold))
            .collect();
        for (out, (i, range)) in outs.into_iter().zip(wave) {
            let out = out?;
            members_out.write_rows(out.members)?;
            assignments_out.write_rows(out.assignments)?;
            exposures_out.write_rows(out.exposures)?;
            subscriptions_out.write_rows(out.subscriptions)?;
            truth.merge(out.tally);
            totals.add(&out.counts);
            part_files.push(format!("sessions/{}", part_name("part", *i)));
            part_files.push(format!("viewing/{}", part_name("part", *i)));
            part_files.push(format!("viewing/{}", part_name("part-late", *i)));
            done += range.end - range.start;
        }
        progress(done, config.members);
    }
    let mut rows = BTreeMap::new();
    rows.insert("members".to_owned(), members_out.finish()?);
    rows.insert("assignments".to_owned(), assignments_out.finish()?);
    rows.insert("exposures".to_owned(), exposures_out.finish()?);
    rows.insert("subscriptions".to_owned(), subscriptions_out.finish()?);
    rows.insert("sessions".to_owned(), totals.sessions);
    rows.insert("viewing".to_owned(), totals.viewing + totals.late);

    let spec_path = out_dir.join("experiment.toml");
    write_text(&spec_path, &spec::experiment_toml())?;
    let mut files: Vec<String> = [
        "experiment.toml",
        "members.parquet",
        "assignments.parquet",
        "exposures.parquet",
        "subscriptions.parquet",
    ]
    .map(str::to_owned)
    .to_vec();
    files.extend(part_files);
    files.push("true_effects.json".to_owned());

    let (true_values, true_effects, cap) = truth.finish();
    let manifest = DemoManifest {
        experiment: EXPERIMENT.to_owned(),
        members: config.members,
        seed: config.seed,
        srm_bug: config.srm_bug,
        files,
        rows,
        duplicate_viewing_rows: totals.duplicates,
        late_viewing_rows: totals.late,
        population: DemoPopulation {
            assigned_units: config.members,
            multiple_variant_units: totals.multiple,
            unexposed_units: totals.unexposed,
            analysed_units: totals.analysed.to_vec(),
        },
        watch_hours_cap: cap,
        true_effects,
        true_values,
        notes: truth_notes(),
    };
    let json =
        serde_json::to_string_pretty(&manifest).map_err(|e| DemoError::Json(e.to_string()))?;
    write_text(&out_dir.join("true_effects.json"), &(json + "\n"))?;
    Ok(manifest)
}

fn truth_notes() -> Vec<String> {
    [
        "True effects are finite-population effects over the analysed units (single variant, \
         exposed, window matured): every unit's outcomes are simulated under every variant with \
         common random numbers and the spec's metric definitions are applied to each.",
        "watch_hours is the estimand of the capped readout: per-unit values capped at the p99 \
         of the realized pooled per-unit values (watch_hours_cap), then averaged; \
         watch_hours_uncapped is the same without the cap.",
        "play_delay_p90 is numpy's linear quantile of all in-window events of the analysed \
         units under each variant (all members, exact: delays are whole milliseconds).",
    ]
    .map(str::to_owned)
    .to_vec()
}

fn check_arm(arm: &ArmEffects, name: &str) -> Result<(), DemoError> {
    let positive = [
        ("session_rate", arm.session_rate),
        ("plays_per_session", arm.plays_per_session),
        ("play_delay", arm.play_delay),
        ("trial_signup_lift", arm.trial_signup_lift),
    ];
    for (field, value) in positive {
        if !(value.is_finite() && value > 0.0 && value <= 10.0) {
            return Err(DemoError::InvalidConfig(format!(
                "{name}.{field} = {value} must be in (0, 10]"
            )));
        }
    }
    if !(arm.watch_log_shift.is_finite() && arm.watch_log_shift.abs() <= 2.0) {
        return Err(DemoError::InvalidConfig(format!(
            "{name}.watch_log_shift = {} must be in [-2, 2]",
            arm.watch_log_shift
        )));
    }
    if !(0.0..=1.0).contains(&arm.trial_cancel) {
        return Err(DemoError::InvalidConfig(format!(
            "{name}.trial_cancel = {} must be a probability",
            arm.trial_cancel
        )));
    }
    Ok(())
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> DemoError + '_ {
    move |source| DemoError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn write_text(path: &Path, text: &str) -> Result<(), DemoError> {
    std::fs::write(path, text).map_err(io_error(path))
}

/// Removes `part-*.parquet` files of an earlier run, which the spec's globs would pick up.
fn remove_stale_parts(dir: &Path) -> Result<(), DemoError> {
    for entry in std::fs::read_dir(dir).map_err(io_error(dir))? {
        let path = entry.map_err(io_error(dir))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with("part-") && name.ends_with(".parquet") {
            std::fs::remove_file(&path).map_err(io_error(&path))?;
        }
    }
    Ok(())
}

fn part_name(prefix: &str, index: usize) -> String {
    format!("{prefix}-{index:05}.parquet")
}

/// Member ranges of the part files: whole ChaCha blocks, independent of the thread count.
fn part_ranges(members: u64) -> Vec<Range<u64>> {
    let parts = members.div_ceil(PART_MEMBERS).max(MIN_PARTS);
    let size = members.div_ceil(parts).div_ceil(BLOCK) * BLOCK;
    (0..members)
        .step_by(size as usize)
        .map(|start| start..(start + size).min(members))
        .collect()
}

#[derive(Default)]
struct PartCounts {
    sessions: u64,
    viewing: u64,
    late: u64,
    duplicates: u64,
    multiple: u64,
    unexposed: u64,
    analysed: [u64; 3],
}

impl PartCounts {
    fn add(&mut self, other: &Self) {
        self.sessions += other.sessions;
        self.viewing += other.viewing;
        self.late += other.late;
        self.duplicates += other.duplicates;
        self.multiple += other.multiple;
        self.unexposed += other.unexposed;
        for v in 0..3 {
            self.analysed[v] += other.analysed[v];
        }
    }
}

struct PartOutput {
    members: MemberRows,
    assignments: AssignmentRows,
    exposures: ExposureRows,
    subscriptions: SubscriptionRows,
    tally: Tally,
    counts: PartCounts,
}

/// Generates members `range` (part `index`): writes its sessions and viewing part files and
/// returns the rows of the single-file tables and the truth sums.
fn run_part(
    config: &DemoConfig,
    arms: &[ArmEffects; 3],
    out_dir: &Path,
    index: usize,
    range: Range<u64>,
    threshold: f64,
) -> Result<PartOutput, DemoError> {
    let mut sessions = TableWriter::<SessionRows>::create(
        &out_dir.join("sessions").join(part_name("part", index)),
        write::sessions_schema(),
    )?;
    let mut viewing = TableWriter::<ViewingRows>::create(
        &out_dir.join("viewing").join(part_name("part", index)),
        write::viewing_schema(),
    )?;
    let mut late = TableWriter::<ViewingRows>::create(
        &out_dir.join("viewing").join(part_name("part-late", index)),
        write::viewing_schema(),
    )?;
    let mut out = PartOutput {
        members: MemberRows::default(),
        assignments: AssignmentRows::default(),
        exposures: ExposureRows::default(),
        subscriptions: SubscriptionRows::default(),
        tally: Tally::new(),
        counts: PartCounts::default(),
    };
    let mut realized = Activity::default();
    let mut potential = Activity::default();
    for block in range.start / BLOCK..range.end.div_ceil(BLOCK) {
        let first = block * BLOCK;
        let keys = rng::block_keys(config.seed, block, BLOCK as usize);
        for index in first.max(range.start)..(first + BLOCK).min(range.end) {
            let m = model::member(index, keys[(index - first) as usize], config.srm_bug);
            push_unit_rows(&m, &mut out);
            let arm = &arms[m.variant];
            model::simulate(&m, arm, END_US, &mut realized);
            push_activity(
                &m,
                &realized,
                &mut sessions,
                &mut viewing,
                &mut late,
                &mut out.counts,
            )?;
            let sub = model::subscription(&m, arm);
            if let Some(s) = sub {
                let rows = &mut out.subscriptions;
                rows.member_id.push(m.id);
                rows.sub_dt.push(s.sub_dt);
                rows.cancel_dt.push(s.cancel_dt);
                rows.trial.push(s.trial);
            }
            if m.second_assignment.is_some() {
                out.counts.multiple += 1;
                continue;
            }
            let Some(e) = m.analysed_exposure() else {
                out.counts.unexposed += 1;
                continue;
            };
            out.counts.analysed[m.variant] += 1;
            tally_unit(
                &m,
                e,
                arms,
                &realized,
                &mut potential,
                threshold,
                &mut out.tally,
            );
        }
    }
    out.counts.sessions = sessions.finish()?;
    out.counts.viewing = viewing.finish()?;
    out.counts.late = late.finish()?;
    Ok(out)
}

/// Adds analysed unit `m` (exposed at `e`) to the truth under every variant.
fn tally_unit(
    m: &Member,
    e: i64,
    arms: &[ArmEffects; 3],
    realized: &Activity,
    potential: &mut Activity,
    threshold: f64,
    tally: &mut Tally,
) {
    let retention_matured = e + (RETENTION_DAY + 1) * DAY_US <= END_US;
    let window_matured = e + WINDOW_US <= END_US;
    let conversion_matured = e + CONVERSION_MATURITY_US <= END_US;
    if !retention_matured {
        return;
    }
    tally.retention_units += u64::from(retention_matured);
    tally.window_units += u64::from(window_matured);
    tally.conversion_units += u64::from(conversion_matured);
    for (v, arm) in arms.iter().enumerate() {
        let activity = if v == m.variant {
            realized
        } else {
            model::simulate(m, arm, e + WINDOW_US, potential);
            &*potential
        };
        let values = model::unit_values(activity, e, window_matured.then(|| tally.delays_mut(v)));
        tally.retained[v] += u64::from(values.retained);
        if window_matured {
            tally.watch_sum[v] += values.watch_hours;
            tally.sessions[v] += values.sessions;
            tally.plays[v] += values.plays;
            if values.watch_hours >= threshold {
                tally.candidates[v].push(values.watch_hours);
                if v == m.variant {
                    tally.realized_high.push(values.watch_hours);
                }
            }
        }
        if conversion_matured {
            tally.converted[v] += u64::from(model::converts(model::subscription(m, arm), e));
        }
    }
}

fn push_unit_rows(m: &Member, out: &mut PartOutput) {
    let rows = &mut out.members;
    rows.member_id.push(m.id);
    rows.signup_date.push(m.signup_date);
    rows.country.push(m.country);
    rows.device.push(model::DEVICES[m.device].0);
    rows.plan.push(m.plan);
    rows.tenure_days.push(m.tenure_days);
    rows.engagement_tier.push(m.tier);
    rows.pre_watch_hours.push(m.pre_watch_hours);

    let rows = &mut out.assignments;
    let mut assign = |experiment, variant, at| {
        rows.member_id.push(m.id);
        rows.experiment.push(experiment);
        rows.variant.push(variant);
        rows.assigned_at.push(at);
    };
    assign(EXPERIMENT, VARIANTS[m.variant], m.assigned_at);
    if let Some((v, at)) = m.other_assignment {
        assign(OTHER_EXPERIMENT, OTHER_VARIANTS[v], at);
    }
    if let Some((v, at)) = m.second_assignment {
        assign(EXPERIMENT, VARIANTS[v], at);
    }
    for &t in &m.exposure_rows {
        out.exposures.member_id.push(m.id);
        out.exposures.exposed_at.push(t);
    }
}

/// Writes a member's sessions and plays; duplicates repeat the row (same event id) and late
/// plays go to the part's late file.
fn push_activity(
    m: &Member,
    activity: &Activity,
    sessions: &mut TableWriter<SessionRows>,
    viewing: &mut TableWriter<ViewingRows>,
    late: &mut TableWriter<ViewingRows>,
    counts: &mut PartCounts,
) -> Result<(), DemoError> {
    for (k, s) in activity.sessions.iter().enumerate() {
        let rows = &mut sessions.rows;
        rows.member_id.push(m.id);
        rows.session_id.push(m.id * 10_000 + k as i64);
        rows.start.push(s.start);
        rows.plays.push(s.plays as i32);
    }
    sessions.maybe_flush()?;
    for (k, p) in activity.plays.iter().enumerate() {
        let target = if p.late { &mut *late } else { &mut *viewing };
        let received = p.ts + p.lag;
        let copies = [received, received + p.lag / 2 + 1_000_000];
        let deliveries = 1 + usize::from(p.duplicate);
        counts.duplicates += u64::from(p.duplicate);
        for &received_at in &copies[..deliveries] {
            let rows = &mut target.rows;
            rows.event_id.push(m.id * 100_000 + k as i64);
            rows.member_id.push(m.id);
            rows.ts.push(p.ts);
            rows.title_id.push(p.title_id);
            rows.watch_seconds.push(p.watch_seconds);
            rows.play_delay_ms.push(f64::from(p.delay_ms));
            rows.received_at.push(received_at);
        }
    }
    viewing.maybe_flush()?;
    late.maybe_flush()
}
