//! Hash schemes and GrowthBook-compatible allocation against the reference fixture
//! tests/data/design_hash.json (GrowthBook 4.0.0 and PlanOut 0.6.0 Python packages, plus both
//! projects' published test vectors). Every comparison is exact (bit-identical buckets).

use counterfact_design::layers::layer_hash;
use counterfact_design::{
    Allocation, Assigner, Assignment, DesignSpec, ExperimentSpec, HashScheme, planout_hash,
};
use serde_json::Value;

fn cases(kind: &str) -> Vec<Value> {
    let path = format!(
        "{}/../../tests/data/design_hash.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let found: Vec<Value> = doc["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter(|c| c["kind"] == kind)
        .cloned()
        .collect();
    assert!(!found.is_empty(), "no '{kind}' cases");
    found
}

fn s(v: &Value) -> &str {
    v.as_str().expect("string")
}

fn gb_scheme(version: &Value) -> HashScheme {
    match version.as_u64() {
        Some(1) => HashScheme::GrowthBookV1,
        Some(2) => HashScheme::GrowthBookV2,
        other => panic!("version {other:?}"),
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| s(x).to_string())
        .collect()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

#[test]
fn growthbook_published_vectors() {
    let cases = cases("gb_published");
    for c in &cases {
        let got = gb_scheme(&c["version"]).bucket(s(&c["seed"]), s(&c["value"]));
        assert_eq!(got, c["bucket"].as_f64().unwrap(), "{c}");
    }
    assert_eq!(cases.len(), 14);
}

#[test]
fn growthbook_sdk_hashes() {
    let cases = cases("gb_hash");
    for c in &cases {
        let got = gb_scheme(&c["version"]).bucket(s(&c["seed"]), s(&c["value"]));
        assert_eq!(got, c["bucket"].as_f64().unwrap(), "{c}");
    }
    assert!(cases.len() >= 500);
}

#[test]
fn growthbook_bucket_ranges_and_variations() {
    for c in cases("gb_choose") {
        let weights = floats(&c["weights"]);
        let allocation = Allocation::new(&weights, c["coverage"].as_f64().unwrap()).unwrap();
        for (got, want) in allocation
            .ranges()
            .iter()
            .zip(c["ranges"].as_array().unwrap())
        {
            let want = floats(want);
            assert_eq!((got.lo, got.hi), (want[0], want[1]), "ranges of {c}");
        }
        let scheme = gb_scheme(&c["version"]);
        let seed = s(&c["seed"]);
        for (id, want) in strings(&c["ids"])
            .iter()
            .zip(c["variations"].as_array().unwrap())
        {
            let want = want.as_i64().unwrap();
            let got = allocation
                .choose(scheme.bucket(seed, id))
                .map_or(-1, |v| v as i64);
            assert_eq!(got, want, "id {id:?} in {c}");
        }
    }
}

#[test]
fn growthbook_namespaces_are_layers() {
    for c in cases("gb_namespace") {
        let hash = layer_hash(HashScheme::GrowthBookV1, s(&c["name"]));
        let (lo, hi) = (c["lo"].as_f64().unwrap(), c["hi"].as_f64().unwrap());
        for (id, want) in strings(&c["ids"])
            .iter()
            .zip(c["inside"].as_array().unwrap())
        {
            let b = hash.bucket(id);
            assert_eq!(lo <= b && b < hi, want.as_bool().unwrap(), "{id:?} in {c}");
        }
    }
}

#[test]
fn planout_published_vectors() {
    for c in cases("planout_published") {
        let h = planout_hash(s(&c["salt"]), s(&c["unit"]));
        assert_eq!(
            h % c["modulus"].as_u64().unwrap(),
            c["expected"].as_u64().unwrap(),
            "{c}"
        );
    }
}

#[test]
fn planout_hashes_and_uniforms() {
    let cases = cases("planout_uniform");
    for c in &cases {
        let salt = format!("{}.{}", s(&c["exp_salt"]), s(&c["param_salt"]));
        assert_eq!(
            planout_hash(&salt, s(&c["unit"])),
            c["hash"].as_u64().unwrap(),
            "{c}"
        );
        let got = HashScheme::PlanOut.bucket(&salt, s(&c["unit"]));
        assert_eq!(got, c["uniform"].as_f64().unwrap(), "{c}");
    }
    assert!(cases.len() >= 400);
}

#[test]
fn planout_weighted_choice() {
    for c in cases("planout_weighted") {
        let weights = floats(&c["weights"]);
        let variants: Vec<String> = (0..weights.len()).map(|i| i.to_string()).collect();
        let mut experiment =
            ExperimentSpec::new("e", s(&c["exp_salt"]), variants, Some(weights.clone()));
        experiment.param_salt = Some(s(&c["param_salt"]).to_string());
        let assigner =
            Assigner::new(&DesignSpec::single(HashScheme::PlanOut, experiment), &[]).unwrap();
        for (unit, want) in strings(&c["units"])
            .iter()
            .zip(c["variations"].as_array().unwrap())
        {
            match assigner.assign(unit, &[])[0] {
                Assignment::Variant { variant, .. } => {
                    assert_eq!(variant as u64, want.as_u64().unwrap(), "{unit} in {c}")
                }
                other => panic!("{unit}: {other:?}"),
            }
        }
    }
}
