//! Spec parsing and validation: defaults, each validation rule with the key it names, and
//! proptests that arbitrary text and arbitrary expressions never panic.

mod fixture;

use std::path::Path;

use counterfact_data::spec::{Correction, MultipleVariants, QuantileLevel};
use counterfact_data::sql::{parse_safe_expr, quote_ident, quote_literal};
use counterfact_data::{DataError, parse_spec};
use fixture::{HEADER, WATCH_HOURS};
use proptest::prelude::*;

fn parse(text: &str) -> Result<counterfact_data::ExperimentSpec, DataError> {
    parse_spec(text, Path::new("/specs/exp.toml"))
}

fn invalid(text: &str, field_part: &str, message_part: &str) {
    match parse(text) {
        Err(DataError::InvalidSpec { field, message, .. }) => {
            assert!(
                field.contains(field_part),
                "field {field} lacks {field_part}"
            );
            assert!(
                message.contains(message_part),
                "message {message} lacks {message_part}"
            );
        }
        other => panic!("expected InvalidSpec for {field_part}, got {other:?}"),
    }
}

fn with_metric(m: &str) -> String {
    format!("{HEADER}{m}")
}

#[test]
fn defaults_and_paths() {
    let s = parse(&format!("{HEADER}{WATCH_HOURS}")).expect("valid");
    assert_eq!(s.experiment.alpha, 0.05);
    assert_eq!(s.experiment.srm_alpha, 0.001);
    assert_eq!(s.experiment.correction, Correction::Holm);
    assert_eq!(s.assignment.multiple_variants, MultipleVariants::Exclude);
    assert_eq!(s.base_dir, Path::new("/specs"));
    assert_eq!(s.metrics[0].window(&s), 14);
    assert_eq!(s.metrics[0].maturity(&s), 14);
    assert!(s.metrics[0].higher_is_better);
    assert_eq!(s.metrics[0].quantile_level(), QuantileLevel::Event);
}

#[test]
fn monitoring_section() {
    let base = format!("{HEADER}{WATCH_HOURS}");
    let off = parse(&base).expect("valid").monitoring.monitoring();
    assert_eq!(off.sequential_tuning_n, None);
    assert_eq!(off.bayesian_prior, None);
    let on = parse(&format!(
        "{base}\n[monitoring]\nsequential = true\nbayesian = true\nprior_mean = 0.0\nprior_variance = 0.09\n"
    ))
    .expect("valid")
    .monitoring
    .monitoring();
    assert_eq!(on.sequential_tuning_n, Some(5000.0));
    let prior = on.bayesian_prior.expect("a prior");
    assert!(prior.proper && prior.variance == 0.09);
    let flat = parse(&format!(
        "{base}\n[monitoring]\nbayesian = true\nsequential = true\ntuning_n = 20000\n"
    ))
    .expect("valid")
    .monitoring
    .monitoring();
    assert!(!flat.bayesian_prior.expect("a prior").proper);
    assert_eq!(flat.sequential_tuning_n, Some(20000.0));
    for (section, field, message) in [
        (
            "tuning_n = 100",
            "monitoring.tuning_n",
            "sequential = false",
        ),
        (
            "sequential = true\ntuning_n = 0",
            "monitoring.tuning_n",
            "positive",
        ),
        (
            "bayesian = true\nprior_mean = 0.0",
            "monitoring",
            "go together",
        ),
        (
            "prior_mean = 0.0\nprior_variance = 1.0",
            "monitoring.prior_mean",
            "bayesian = false",
        ),
        (
            "bayesian = true\nprior_mean = 0.0\nprior_variance = -1.0",
            "monitoring.prior_variance",
            "positive",
        ),
    ] {
        invalid(
            &format!("{base}\n[monitoring]\n{section}\n"),
            field,
            message,
        );
    }
    match parse(&format!("{base}\n[monitoring]\nsequentail = true\n")) {
        Err(DataError::SpecSyntax { line, message, .. }) => {
            assert!(message.contains("sequentail"), "{message}");
            assert!(line > 1);
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

#[test]
fn experiment_rules() {
    let base = format!("{HEADER}{WATCH_HOURS}");
    invalid(
        &base.replace("variants = [\"control\", \"treat\"]", "variants = []"),
        "experiment.variants",
        "no variants",
    );
    invalid(
        &base.replace("control = \"control\"", "control = \"x\""),
        "experiment.control",
        "no control",
    );
    invalid(
        &base.replace(
            "variants = [\"control\", \"treat\"]",
            "variants = [\"control\", \"treat\"]\nweights = [1.0]",
        ),
        "experiment.weights",
        "1 weights for 2 variants",
    );
    invalid(
        &base.replace(
            "variants = [\"control\", \"treat\"]",
            "variants = [\"control\", \"treat\"]\nweights = [1.0, -2.0]",
        ),
        "experiment.weights",
        "-2",
    );
    invalid(
        &base.replace(
            "variants = [\"control\", \"treat\"]",
            "variants = [\"control\", \"treat\"]\nalpha = 1.5",
        ),
        "experiment.alpha",
        "1.5",
    );
    invalid(
        &base.replace(
            "variants = [\"control\", \"treat\"]",
            "variants = [\"control\", \"treat\"]\nsrm_alpha = 0",
        ),
        "experiment.srm_alpha",
        "not in (0, 1)",
    );
    invalid(
        &base.replace("dimension_table = \"members\"\n", ""),
        "dimension_table",
        "need a dimension_table",
    );
    invalid(
        &base.replace("2026-01-21T00:00:00Z", "yesterday"),
        "experiment.end",
        "yesterday",
    );
    invalid(
        &base.replace("table = \"exposures\"", "table = \"exposure\""),
        "exposure.table",
        "not declared",
    );
}

#[test]
fn metric_rules() {
    invalid(
        &with_metric(
            "[[metric]]\nname = \"r\"\nkind = \"ratio\"\nrole = \"primary\"\nnumerator = { table = \"sessions\", timestamp = \"start\", value = \"plays\" }\n",
        ),
        "denominator",
        "need a denominator",
    );
    invalid(
        &with_metric(
            "[[metric]]\nname = \"q\"\nkind = \"quantile\"\nrole = \"primary\"\ntable = \"viewing\"\ntimestamp = \"ts\"\nvalue = \"x\"\nquantile = 1.0\n",
        ),
        "quantile",
        "not in (0, 1)",
    );
    invalid(
        &with_metric(
            "[[metric]]\nname = \"q\"\nkind = \"quantile\"\nrole = \"primary\"\ntable = \"viewing\"\ntimestamp = \"ts\"\nvalue = \"x\"\n",
        ),
        "quantile",
        "need quantile",
    );
    invalid(
        &with_metric(
            "[[metric]]\nname = \"p\"\nkind = \"proportion\"\nrole = \"primary\"\ntable = \"viewing\"\ntimestamp = \"ts\"\nwinsorize = { value = 1.0 }\n",
        ),
        "winsorize",
        "not proportion",
    );
    invalid(
        &with_metric(
            "[[metric]]\nname = \"m\"\nkind = \"mean\"\nrole = \"primary\"\ntable = \"viewing\"\ntimestamp = \"ts\"\nvalue = \"x\"\nwinsorize = { value = 1.0, quantile = 0.9 }\n",
        ),
        "winsorize",
        "exactly one",
    );
    invalid(
        &with_metric(
            "[[metric]]\nname = \"m\"\nkind = \"mean\"\nrole = \"guardrail\"\ntable = \"viewing\"\ntimestamp = \"ts\"\nvalue = \"x\"\nmargin = 0.0\n",
        ),
        "margin",
        "> 0",
    );
    invalid(
        &with_metric(
            "[[metric]]\nname = \"m\"\nkind = \"mean\"\nrole = \"primary\"\ntable = \"viewing\"\ntimestamp = \"ts\"\nvalue = \"x\"\ncuped = [\"age\"]\n",
        ),
        "cuped",
        "age",
    );
    invalid(
        &format!("{HEADER}{WATCH_HOURS}{WATCH_HOURS}"),
        "watch_hours",
        "duplicate metric name",
    );
    invalid(
        &with_metric(
            "[[metric]]\nname = \"m\"\nkind = \"mean\"\nrole = \"primary\"\ntable = \"viewing\"\ntimestamp = \"ts\"\n",
        ),
        "value",
        "need a value",
    );
    invalid(
        &with_metric(
            "[[metric]]\nname = \"c\"\nkind = \"count\"\nrole = \"primary\"\ntable = \"viewing\"\ntimestamp = \"ts\"\nvalue = \"x\"\n",
        ),
        "value",
        "take no value",
    );
    invalid(
        &with_metric(
            "[[metric]]\nname = \"r\"\nkind = \"retention\"\nrole = \"primary\"\ntable = \"sessions\"\ntimestamp = \"start\"\n",
        ),
        "day",
        "need day",
    );
    invalid(
        &with_metric(
            "[[metric]]\nname = \"m\"\nkind = \"mean\"\nrole = \"primary\"\ntable = \"nowhere\"\ntimestamp = \"ts\"\nvalue = \"x\"\n",
        ),
        "table",
        "not declared",
    );
}

#[test]
fn wrong_enum_value_is_a_syntax_error_with_position() {
    let text = format!("{HEADER}{WATCH_HOURS}").replace("kind = \"mean\"", "kind = \"median\"");
    let line = text
        .lines()
        .position(|l| l.contains("\"median\""))
        .expect("line")
        + 1;
    match parse(&text) {
        Err(DataError::SpecSyntax {
            line: l, message, ..
        }) => {
            assert_eq!(l, line);
            assert!(message.contains("median"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn quoting() {
    assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    assert_eq!(quote_literal("it's"), "'it''s'");
}

#[test]
fn expression_allow_list() {
    for ok in [
        "watch_seconds / 3600.0",
        "CASE WHEN a > 1 THEN b ELSE 0 END",
        "coalesce(a, 0) + abs(b)",
        "NOT trial OR cancel_dt IS NULL OR cancel_dt >= sub_dt + INTERVAL '7 days'",
        "CAST(x AS DOUBLE)",
        "a IN (1, 2, 3)",
        "date_trunc('day', ts) = ts",
    ] {
        assert!(
            parse_safe_expr(ok).is_ok(),
            "{ok}: {:?}",
            parse_safe_expr(ok)
        );
    }
    for bad in [
        "",
        "1 2",
        "(SELECT 1)",
        "x IN (SELECT 1)",
        "count(*)",
        "row_number() OVER ()",
        "a.b",
        "read_csv('x')",
        "max(x) FILTER (WHERE x > 1)",
    ] {
        assert!(parse_safe_expr(bad).is_err(), "{bad} accepted");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_spec_text_never_panics(text in "\\PC{0,400}") {
        let _ = parse(&text);
    }

    #[test]
    fn mutated_specs_never_panic(cut in 0usize..2000, insert in "[\\[\\]{}=\"a-z0-9 .,\\n-]{0,30}") {
        let base = format!("{HEADER}{WATCH_HOURS}");
        let mut idx = cut.min(base.len());
        while !base.is_char_boundary(idx) {
            idx -= 1;
        }
        let text = format!("{}{}{}", &base[..idx], insert, &base[idx..]);
        let _ = parse(&text);
    }

    #[test]
    fn arbitrary_expressions_never_panic(text in "\\PC{0,120}") {
        let _ = parse_safe_expr(&text);
    }

    #[test]
    fn sqlish_expressions_never_panic(text in "[a-z0-9_ ()'*+/<>=,.;-]{0,80}") {
        let _ = parse_safe_expr(&text);
    }
}
