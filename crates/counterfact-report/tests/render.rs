//! Snapshot tests of the terminal readout on a hand-built readout: the layout (decision first,
//! the SRM banner), the number formats and the optional columns. Regenerate the snapshots with
//! `UPDATE_SNAPSHOTS=1 cargo test -p counterfact-report --test render` and review the diff.

mod common;

use counterfact_report::{RenderOptions, render_readout};

fn options() -> RenderOptions {
    RenderOptions {
        width: Some(180),
        hide_segments: false,
    }
}

fn check_snapshot(name: &str, text: &str) {
    let path = format!("{}/tests/snapshots/{name}.txt", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, text).expect("the snapshot is writable");
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e} (create it with UPDATE_SNAPSHOTS=1)"));
    if text != want {
        let line = text
            .lines()
            .zip(want.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| text.lines().count().min(want.lines().count()));
        panic!(
            "{name}: rendering differs from {path} at line {}:\n got: {:?}\nwant: {:?}\n\n{text}",
            line + 1,
            text.lines().nth(line),
            want.lines().nth(line)
        );
    }
}

fn position(text: &str, needle: &str) -> usize {
    text.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} missing from\n{text}"))
}

#[test]
fn trustworthy_readout_matches_its_snapshot() {
    let text = render_readout(&common::readout(false), &options());
    check_snapshot("trustworthy", &text);
}

#[test]
fn srm_readout_matches_its_snapshot() {
    let text = render_readout(&common::readout(true), &options());
    check_snapshot("srm_mismatch", &text);
}

#[test]
fn monitored_readout_matches_its_snapshot() {
    let text = render_readout(&common::monitored(common::readout(false)), &options());
    check_snapshot("monitored", &text);
    assert!(text.contains("anytime-valid"), "{text}");
    assert!(text.contains("by the anytime-valid p-value"), "{text}");
}

#[test]
fn decision_comes_first_and_sections_follow_in_order() {
    let text = render_readout(&common::readout(false), &options());
    let order = [
        "counterfact readout: homepage-rec-row",
        "DECISION",
        "POPULATION",
        "SAMPLE RATIO",
        "PRIMARY METRICS",
        "GUARDRAILS",
        "SECONDARY METRICS",
        "SEGMENTS",
        "NOTES",
    ];
    let positions: Vec<usize> = order.iter().map(|s| position(&text, s)).collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "sections out of order: {positions:?}\n{text}"
    );
    assert!(!text.contains("UNTRUSTWORTHY"), "{text}");
    let decision = &text[positions[1]..positions[2]];
    assert!(decision.contains("top_row"), "{decision}");
    assert!(decision.contains("SHIP"), "{decision}");
    assert!(decision.contains("DON'T SHIP"), "{decision}");
    assert!(decision.contains("rule: ship when"), "{decision}");
}

#[test]
fn srm_mismatch_is_announced_before_the_decision() {
    let text = render_readout(&common::readout(true), &options());
    let banner = position(&text, "UNTRUSTWORTHY: sample ratio mismatch");
    assert!(banner < position(&text, "DECISION"), "{text}");
    assert!(
        text.contains("!!! overall: observed 65,012 / 64,877 / 60,101"),
        "{text}"
    );
    assert!(text.contains("!!! device=ios"), "{text}");
    assert!(!text.contains("!!! device=android"), "{text}");
    assert!(text.contains("MISMATCH"), "{text}");
    assert!(text.contains("2 of 3 dimension tests pass"), "{text}");
}

#[test]
fn numbers_are_formatted_for_reading() {
    let text = render_readout(&common::readout(false), &options());
    for needle in [
        "200,000",
        "< 0.001",
        "+3.78%",
        "pp",
        "61.23%",
        "in CI",
        "OUTSIDE CI",
        "36%",
        "capped at 80.5",
        "lower is better",
        "Σ 198,287",
        "NO",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from\n{text}");
    }
}

#[test]
fn segments_can_be_hidden() {
    let opts = RenderOptions {
        hide_segments: true,
        ..options()
    };
    let text = render_readout(&common::readout(false), &opts);
    assert!(!text.contains("SEGMENTS"), "{text}");
}
