//! The demo's experiment spec (docs/experiment-spec.md), written next to the data.

/// `experiment.toml` of the demo data set; paths are relative to the spec file.
pub(crate) fn experiment_toml() -> String {
    r#"# counterfact demo: a new recommendation row on the homepage (docs/demo.md).
[experiment]
name = "homepage-rec-row"
unit = "member_id"
control = "control"
variants = ["control", "top_row", "personalized_row"]
weights = [1.0, 1.0, 1.0]
alpha = 0.05
correction = "holm"
srm_alpha = 0.001
end = "2026-03-08T00:00:00Z"
dimension_table = "members"
srm_dimensions = ["country", "device", "plan"]
segments = ["device"]

[sources]
members = "members.parquet"
assignments = "assignments.parquet"
exposures = "exposures.parquet"
sessions = "sessions/*.parquet"
viewing = "viewing/*.parquet"
subscriptions = { path = "subscriptions.parquet", format = "parquet" }

[assignment]
table = "assignments"
variant = "variant"
timestamp = "assigned_at"
experiment_column = "experiment"
multiple_variants = "exclude"

[exposure]
table = "exposures"
timestamp = "exposed_at"
window_days = 14
before_assignment = "error"

[covariates]
table = "members"
columns = ["pre_watch_hours", "tenure_days"]

[[metric]]
name = "watch_hours"
kind = "mean"
role = "primary"
table = "viewing"
timestamp = "ts"
value = "watch_seconds / 3600.0"
dedupe = "event_id"
cuped = ["pre_watch_hours"]
winsorize = { quantile = 0.99 }
higher_is_better = true

[[metric]]
name = "conversion"
kind = "proportion"
role = "secondary"
table = "subscriptions"
timestamp = "sub_dt"
# A trial converts only if not cancelled within 7 days; control has no trials.
condition = "NOT trial OR cancel_dt IS NULL OR cancel_dt >= sub_dt + INTERVAL '7 days'"
window_days = 14
maturity_days = 21

[[metric]]
name = "plays_per_session"
kind = "ratio"
role = "secondary"
numerator = { table = "sessions", timestamp = "start", value = "plays" }
denominator = { table = "sessions", timestamp = "start", value = "1" }

[[metric]]
name = "play_delay_p90"
kind = "quantile"
role = "guardrail"
table = "viewing"
timestamp = "ts"
value = "play_delay_ms"
dedupe = "event_id"
quantile = 0.9
level = "event"
higher_is_better = false
margin = 0.05

[[metric]]
name = "retention_d7"
kind = "retention"
role = "guardrail"
table = "sessions"
timestamp = "start"
day = 7
margin = 0.02
cuped = ["pre_watch_hours"]

[[metric]]
name = "sessions"
kind = "count"
role = "secondary"
table = "sessions"
timestamp = "start"
# Regression adjustment on two pre-period covariates.
cuped = ["pre_watch_hours", "tenure_days"]
"#
    .to_owned()
}
