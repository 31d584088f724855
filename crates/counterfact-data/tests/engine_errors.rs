//! Every class of bad spec or bad data gives its typed error, and the message names the culprit.

mod fixture;

use counterfact_data::{DataError, NoProgress, explain_sql, prepare_readout};
use fixture::*;

fn prepare(spec: &str, setup: impl FnOnce(&std::path::Path)) -> DataError {
    let dir = tempfile::tempdir().expect("tempdir");
    write_default(dir.path());
    setup(dir.path());
    let path = write_spec(dir.path(), spec);
    match prepare_readout(&path, &NoProgress) {
        Ok(_) => panic!("expected an error for spec:\n{spec}"),
        Err(e) => e,
    }
}

fn default_spec() -> String {
    format!("{HEADER}{WATCH_HOURS}")
}

fn metric_spec(extra: &str) -> String {
    format!("{HEADER}{extra}")
}

#[test]
fn unknown_key_reports_line_and_column() {
    let spec = default_spec().replace(
        "control = \"control\"\n",
        "control = \"control\"\ncolour = \"red\"\n",
    );
    let line = spec
        .lines()
        .position(|l| l.starts_with("colour"))
        .expect("line")
        + 1;
    let e = prepare(&spec, |_| {});
    match &e {
        DataError::SpecSyntax {
            line: l,
            column,
            message,
            ..
        } => {
            assert_eq!(*l, line);
            assert_eq!(*column, 1);
            assert!(message.contains("colour"), "{message}");
        }
        other => panic!("wrong error {other:?}"),
    }
    let text = e.to_string();
    assert!(
        text.contains(&format!("experiment.toml:{line}:1")),
        "{text}"
    );
}

#[test]
fn unknown_key_in_metric_and_source() {
    let spec = default_spec().replace("dedupe = \"event_id\"", "dedup = \"event_id\"");
    let e = prepare(&spec, |_| {});
    assert!(
        matches!(&e, DataError::SpecSyntax { message, .. } if message.contains("dedup")),
        "{e}"
    );
    let spec = default_spec().replace(
        "{ path = \"subscriptions.parquet\", format = \"parquet\" }",
        "{ path = \"subscriptions.parquet\", fmt = \"parquet\" }",
    );
    let e = prepare(&spec, |_| {});
    assert!(
        matches!(&e, DataError::SpecSyntax { message, .. } if message.contains("fmt")),
        "{e}"
    );
}

#[test]
fn missing_file_names_table_and_path() {
    let spec = default_spec().replace(
        "sessions = \"sessions.parquet\"",
        "sessions = \"nope/*.parquet\"",
    );
    let e = prepare(&spec, |_| {});
    assert!(
        matches!(&e, DataError::MissingFile { table, .. } if table == "sessions"),
        "{e}"
    );
    assert!(e.to_string().contains("nope"), "{e}");
    let spec = default_spec().replace(
        "members = \"members.parquet\"",
        "members = \"gone.parquet\"",
    );
    let e = prepare(&spec, |_| {});
    assert!(e.to_string().contains("gone.parquet"), "{e}");
}

#[test]
fn missing_column_lists_what_exists() {
    let spec = default_spec().replace("timestamp = \"ts\"", "timestamp = \"tss\"");
    let e = prepare(&spec, |_| {});
    match &e {
        DataError::MissingColumn {
            table,
            column,
            available,
            ..
        } => {
            assert_eq!((table.as_str(), column.as_str()), ("viewing", "tss"));
            assert!(available.contains("watch_seconds"), "{available}");
        }
        other => panic!("wrong error {other:?}"),
    }
}

#[test]
fn wrong_column_types() {
    let spec = default_spec().replace("timestamp = \"ts\"", "timestamp = \"play_delay_ms\"");
    let e = prepare(&spec, |_| {});
    match &e {
        DataError::WrongColumnType {
            table,
            column,
            found,
            ..
        } => {
            assert_eq!(
                (table.as_str(), column.as_str()),
                ("viewing", "play_delay_ms")
            );
            assert!(found.contains("Float64"), "{found}");
        }
        other => panic!("wrong error {other:?}"),
    }
    let spec = default_spec().replace("value = \"watch_seconds / 3600.0\"", "value = \"event_id\"");
    let e = prepare(&spec, |_| {});
    assert!(
        matches!(&e, DataError::WrongColumnType { column, .. } if column.contains("event_id")),
        "{e}"
    );
    let spec = default_spec()
        .replace(
            "columns = [\"pre_watch\", \"tenure\"]",
            "columns = [\"pre_watch\", \"country\"]",
        )
        .replace(
            "cuped = [\"pre_watch\", \"tenure\"]",
            "cuped = [\"country\"]",
        );
    let e = prepare(&spec, |_| {});
    assert!(
        matches!(&e, DataError::WrongColumnType { table, column, .. } if table == "members" && column == "country"),
        "{e}"
    );
}

#[test]
fn empty_variant() {
    let spec = default_spec().replace(
        "variants = [\"control\", \"treat\"]",
        "variants = [\"control\", \"treat\", \"ghost\"]",
    );
    let e = prepare(&spec, |_| {});
    assert!(
        matches!(&e, DataError::EmptyVariant { variant } if variant == "ghost"),
        "{e}"
    );
}

#[test]
fn unit_in_two_variants_when_error() {
    let spec = default_spec().replace(
        "experiment_column = \"experiment\"",
        "experiment_column = \"experiment\"\nmultiple_variants = \"error\"",
    );
    let e = prepare(&spec, |_| {});
    assert!(
        matches!(&e, DataError::UnitInMultipleVariants { count: 1, example } if example == "7"),
        "{e}"
    );
}

#[test]
fn exposure_before_assignment() {
    let e = prepare(&default_spec(), |dir| {
        let mut rows = EXPOSURES.to_vec();
        rows.push((3, 0.5));
        write_exposures(dir, &rows);
    });
    assert!(
        matches!(&e, DataError::ExposureBeforeAssignment { count: 1, example } if example == "3"),
        "{e}"
    );
}

#[test]
fn exposure_before_assignment_ignored_when_asked() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_default(dir.path());
    let mut rows = EXPOSURES.to_vec();
    rows.push((3, 0.5));
    write_exposures(dir.path(), &rows);
    let spec = default_spec().replace(
        "window_days = 14\n",
        "window_days = 14\nbefore_assignment = \"ignore\"\n",
    );
    let path = write_spec(dir.path(), &spec);
    let p = prepare_readout(&path, &NoProgress).expect("prepare");
    assert_eq!(p.population.analysed_units, vec![3, 4]);
    assert!(
        p.notes
            .iter()
            .any(|n| n.contains("1 exposure rows earlier"))
    );
}

#[test]
fn unknown_variant_label_in_data() {
    let spec = default_spec().replace(
        "variants = [\"control\", \"treat\"]",
        "variants = [\"control\", \"treatment\"]",
    );
    let e = prepare(&spec, |_| {});
    assert!(
        matches!(&e, DataError::UnknownVariant { labels, .. } if labels.contains("\"treat\"")),
        "{e}"
    );
}

#[test]
fn no_control() {
    let spec = default_spec().replace("control = \"control\"", "control = \"ctrl\"");
    let e = prepare(&spec, |_| {});
    assert!(matches!(&e, DataError::InvalidSpec { .. }), "{e}");
    assert!(
        e.to_string().contains("no control") && e.to_string().contains("ctrl"),
        "{e}"
    );
}

#[test]
fn unsafe_expressions_are_rejected() {
    for (expr, culprit) in [
        ("1); DROP TABLE x; --", "unexpected `)`"),
        ("(SELECT 1)", "subquer"),
        ("read_parquet('/etc/passwd')", "read_parquet"),
        ("watch_seconds IN (SELECT plays FROM sessions)", "subquer"),
        ("EXISTS (SELECT 1)", "subquer"),
        ("country", "country"),
        ("members.pre_watch", "members.pre_watch"),
        ("SUM(watch_seconds)", "sum"),
        ("random()", "random"),
        ("watch_seconds; SELECT 1", "unexpected `;`"),
    ] {
        let spec = default_spec().replace(
            "value = \"watch_seconds / 3600.0\"",
            &format!("value = {}", toml_string(expr)),
        );
        let e = prepare(&spec, |_| {});
        match &e {
            DataError::UnsafeExpression {
                metric,
                expression,
                reason,
                ..
            } => {
                assert_eq!(metric, "watch_hours");
                assert_eq!(expression, expr);
                assert!(
                    reason.to_lowercase().contains(&culprit.to_lowercase()),
                    "{expr}: {reason}"
                );
            }
            other => panic!("{expr}: wrong error {other:?}"),
        }
        assert!(e.to_string().contains(expr), "{e}");
    }
}

#[test]
fn unsafe_condition_is_rejected_before_reading_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_default(dir.path());
    let spec = metric_spec(
        r#"
[[metric]]
name = "conv"
kind = "proportion"
role = "primary"
table = "subscriptions"
timestamp = "sub_dt"
condition = "trial = (SELECT true)"
"#,
    );
    let path = write_spec(dir.path(), &spec);
    let e = explain_sql(&path).expect_err("unsafe");
    assert!(
        matches!(&e, DataError::UnsafeExpression { field, .. } if field == "condition"),
        "{e}"
    );
}

#[test]
fn duplicate_unit_rows_in_attribute_table() {
    let e = prepare(&default_spec(), |dir| {
        write_parquet(
            &dir.join("members.parquet"),
            vec![
                ("member_id", ints(&[1, 1, 2, 3, 4, 5, 6, 10])),
                ("pre_watch", floats(&[Some(1.0); 8])),
                ("tenure", ints(&[1; 8])),
                ("country", strs(&["US"; 8])),
                ("device", strs(&["ios"; 8])),
            ],
        );
    });
    assert!(
        matches!(&e, DataError::DuplicateUnitRows { table, example, .. } if table == "members" && example == "1"),
        "{e}"
    );
}

fn toml_string(s: &str) -> String {
    format!("{s:?}")
}
