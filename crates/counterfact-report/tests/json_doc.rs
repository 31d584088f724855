//! The JSON tree against its documentation: every field that docs/readout-json.md lists exists in
//! the tree of a readout with every optional field filled, and every field of that tree is
//! documented.

mod common;

use std::collections::BTreeSet;

use counterfact_report::{SCHEMA, readout_json};
use serde_json::Value;

const DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/readout-json.md");

/// Fields whose children are documented once elsewhere ("same fields as ...").
const ALIASES: [&str; 3] = [
    "metrics[].comparisons[].uncapped",
    "segments[].metrics[]",
    "srm.by_dimension[]",
];

/// The field paths of the documentation's tables: the first backticked cell of each row.
fn documented() -> Vec<String> {
    let text = std::fs::read_to_string(DOC).expect("docs/readout-json.md exists");
    text.lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split_once('`'))
        .map(|(path, _)| path.to_string())
        .collect()
}

/// Whether some instance of `path` (keys separated by '.', `[]` descending into arrays) exists.
fn exists(value: &Value, segments: &[&str]) -> bool {
    let Some((first, rest)) = segments.split_first() else {
        return true;
    };
    let (key, is_array) = match first.strip_suffix("[]") {
        Some(key) => (key, true),
        None => (*first, false),
    };
    let Some(next) = value.as_object().and_then(|o| o.get(key)) else {
        return false;
    };
    if is_array {
        next.as_array()
            .is_some_and(|items| items.iter().any(|item| exists(item, rest)))
    } else {
        exists(next, rest)
    }
}

fn collect(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    if ALIASES.contains(&prefix) {
        return;
    }
    if let Value::Object(map) = value {
        for (key, child) in map {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            match child {
                Value::Array(items) if items.iter().any(Value::is_object) => {
                    let path = format!("{path}[]");
                    out.insert(path.clone());
                    for item in items {
                        collect(item, &path, out);
                    }
                }
                _ => {
                    out.insert(path.clone());
                    collect(child, &path, out);
                }
            }
        }
    }
}

#[test]
fn the_tree_names_its_schema() {
    let tree = readout_json(&common::readout(false));
    assert_eq!(tree["schema"], SCHEMA);
    assert_eq!(SCHEMA, "counterfact.readout/1");
    assert_eq!(tree["experiment"], "homepage-rec-row");
}

#[test]
fn every_documented_field_exists() {
    let paths = documented();
    assert!(paths.len() > 60, "only {} documented fields", paths.len());
    for srm_bug in [false, true] {
        let tree = readout_json(&common::monitored(common::readout(srm_bug)));
        for path in &paths {
            let segments: Vec<&str> = path.split('.').collect();
            assert!(
                exists(&tree, &segments),
                "documented field {path} is not in the tree"
            );
        }
    }
}

#[test]
fn every_field_is_documented() {
    let documented: BTreeSet<String> = documented().into_iter().collect();
    let mut found = BTreeSet::new();
    collect(
        &readout_json(&common::monitored(common::readout(false))),
        "",
        &mut found,
    );
    let missing: Vec<&String> = found.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "fields not in docs/readout-json.md: {missing:?}"
    );
}

#[test]
fn non_finite_numbers_become_null() {
    let mut readout = common::readout(false);
    readout.metrics[0].comparisons[0].relative.estimate = f64::NAN;
    let tree = readout_json(&readout);
    assert!(tree["metrics"][0]["comparisons"][0]["relative"]["estimate"].is_null());
    let text = serde_json::to_string(&tree).expect("the tree serializes");
    assert!(serde_json::from_str::<Value>(&text).is_ok());
}
