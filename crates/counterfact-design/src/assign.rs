//! The assigner: a design spec (experiments, layers, holdout) compiled once, then applied to
//! each unit (id and attribute values) to give a variant or the reason there is none.

use serde::{Deserialize, Serialize};

use crate::allocation::{Allocation, BucketRange};
use crate::error::{DesignError, Result};
use crate::hash::{HashScheme, SaltedHash};
use crate::layers::{Holdout, Layer};
use crate::targeting::{CompiledRule, Rule};

/// A full design: experiments, optional layers and an optional global holdout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DesignSpec {
    /// Hash scheme of every hash in the design (layers, holdout, variants) unless an experiment
    /// overrides it.
    #[serde(default)]
    pub scheme: HashScheme,
    /// Units held out of every experiment.
    #[serde(default)]
    pub holdout: Option<HoldoutSpec>,
    /// The layers experiments may belong to.
    #[serde(default, rename = "layer")]
    pub layers: Vec<LayerSpec>,
    /// The experiments.
    #[serde(rename = "experiment")]
    pub experiments: Vec<ExperimentSpec>,
}

/// A global holdout group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoldoutSpec {
    /// Salt of the holdout hash.
    pub salt: String,
    /// Share of units held out, in [0, 1].
    pub share: f64,
}

/// A layer (namespace).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerSpec {
    /// Name experiments refer to.
    pub name: String,
    /// Salt of the layer hash (the name when absent).
    #[serde(default)]
    pub salt: Option<String>,
}

/// One experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentSpec {
    /// Name, unique in the design.
    pub name: String,
    /// Salt of the variant hash (the name when absent). GrowthBook calls it the seed.
    #[serde(default)]
    pub salt: Option<String>,
    /// PlanOut's parameter salt: the hashed salt becomes `"salt.param_salt"`.
    #[serde(default)]
    pub param_salt: Option<String>,
    /// Variant names, unique within the experiment.
    pub variants: Vec<String>,
    /// Variant weights (equal when absent); normalized to a unit total.
    #[serde(default)]
    pub weights: Option<Vec<f64>>,
    /// Share of each variant's range in use, in [0, 1] (GrowthBook's coverage; 1 when absent).
    #[serde(default)]
    pub coverage: Option<f64>,
    /// Targeting rule on unit attributes ([`crate::targeting`] syntax).
    #[serde(default)]
    pub targeting: Option<String>,
    /// Layer the experiment belongs to.
    #[serde(default)]
    pub layer: Option<String>,
    /// Range [start, end) of the layer's hash space the experiment claims ([0, 1] when absent).
    #[serde(default)]
    pub range: Option<[f64; 2]>,
    /// Hash scheme overriding the design's.
    #[serde(default)]
    pub scheme: Option<HashScheme>,
}

impl ExperimentSpec {
    /// A plain experiment: `variants` with `weights` (equal when `None`), salted with `salt`.
    pub fn new(name: &str, salt: &str, variants: Vec<String>, weights: Option<Vec<f64>>) -> Self {
        ExperimentSpec {
            name: name.to_string(),
            salt: Some(salt.to_string()),
            param_salt: None,
            variants,
            weights,
            coverage: None,
            targeting: None,
            layer: None,
            range: None,
            scheme: None,
        }
    }

    /// The salt hashed with each unit.
    pub fn effective_salt(&self) -> String {
        let salt = self.salt.as_deref().unwrap_or(&self.name);
        match &self.param_salt {
            Some(p) => format!("{salt}.{p}"),
            None => salt.to_string(),
        }
    }
}

impl DesignSpec {
    /// A design of one experiment with no layers or holdout.
    pub fn single(scheme: HashScheme, experiment: ExperimentSpec) -> Self {
        DesignSpec {
            scheme,
            holdout: None,
            layers: Vec::new(),
            experiments: vec![experiment],
        }
    }

    /// The attribute names the targeting rules refer to, without repeats; a rule that does not
    /// parse is an error.
    pub fn attributes(&self) -> Result<Vec<String>> {
        let mut names: Vec<String> = Vec::new();
        for e in &self.experiments {
            if let Some(rule) = &e.targeting {
                for name in Rule::parse(rule)?.attributes() {
                    if !names.contains(&name) {
                        names.push(name);
                    }
                }
            }
        }
        Ok(names)
    }
}

/// Why a unit has no variant in an experiment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    /// The unit is in the global holdout.
    Holdout,
    /// The unit does not satisfy the targeting rule.
    NotTargeted,
    /// The unit's layer bucket lies outside the experiment's range.
    OutsideLayer,
    /// The unit's bucket lies outside the coverage of every variant.
    OutsideCoverage,
}

impl Exclusion {
    /// The snake_case name used in output files.
    pub fn name(self) -> &'static str {
        match self {
            Exclusion::Holdout => "holdout",
            Exclusion::NotTargeted => "not_targeted",
            Exclusion::OutsideLayer => "outside_layer",
            Exclusion::OutsideCoverage => "outside_coverage",
        }
    }
}

/// The outcome for one unit in one experiment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Assignment {
    /// The unit is in variant `variant` (index into the variants); `bucket` is its variant hash.
    Variant {
        /// Index of the variant.
        variant: usize,
        /// Bucket of the unit under the experiment's salt.
        bucket: f64,
    },
    /// The unit is in no variant.
    Excluded(Exclusion),
}

/// A compiled experiment.
#[derive(Debug, Clone)]
struct Compiled {
    name: String,
    variants: Vec<String>,
    allocation: Allocation,
    hash: SaltedHash,
    rule: Option<CompiledRule>,
    layer: Option<(usize, BucketRange)>,
}

/// A design compiled for assigning units.
#[derive(Debug, Clone)]
pub struct Assigner {
    experiments: Vec<Compiled>,
    layers: Vec<Layer>,
    holdout: Option<Holdout>,
    attributes: Vec<String>,
}

fn duplicate<'a>(names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let mut seen: Vec<&str> = Vec::new();
    for n in names {
        if seen.contains(&n) {
            return Some(n);
        }
        seen.push(n);
    }
    None
}

impl Assigner {
    /// Compiles `spec` for units carrying the attributes `attributes` (the order of the values
    /// passed to [`Assigner::assign`]). Errors: invalid weights, coverage or ranges,
    /// overlapping layer ranges, unknown layers or attributes, invalid rules or patterns,
    /// duplicate names, and an experiment salt equal to its layer's or the holdout's salt
    /// (which would correlate the hashes).
    pub fn new(spec: &DesignSpec, attributes: &[&str]) -> Result<Assigner> {
        if spec.experiments.is_empty() {
            return Err(DesignError::invalid(
                "design",
                "with no experiments",
                "give at least one experiment",
            ));
        }
        if let Some(d) = duplicate(spec.experiments.iter().map(|e| e.name.as_str())) {
            return Err(DesignError::invalid("experiment name", d, "is used twice"));
        }
        if let Some(d) = duplicate(spec.layers.iter().map(|l| l.name.as_str())) {
            return Err(DesignError::invalid("layer name", d, "is used twice"));
        }
        let layer_salts: Vec<&str> = spec
            .layers
            .iter()
            .map(|l| l.salt.as_deref().unwrap_or(&l.name))
            .collect();
        if let Some(d) = duplicate(layer_salts.iter().copied()) {
            return Err(DesignError::invalid(
                "layer salt",
                d,
                "is used by two layers; distinct layers need distinct salts to be orthogonal",
            ));
        }
        let holdout = match &spec.holdout {
            Some(h) => Some(Holdout::new(spec.scheme, &h.salt, h.share)?),
            None => None,
        };
        let mut experiments = Vec::with_capacity(spec.experiments.len());
        let mut claims: Vec<Vec<(String, BucketRange)>> = vec![Vec::new(); spec.layers.len()];
        for e in &spec.experiments {
            experiments.push(compile_experiment(
                spec,
                e,
                attributes,
                &layer_salts,
                &mut claims,
            )?);
        }
        let layers = spec
            .layers
            .iter()
            .zip(claims)
            .zip(&layer_salts)
            .map(|((l, c), salt)| Layer::new(&l.name, spec.scheme, salt, c))
            .collect::<Result<Vec<_>>>()?;
        Ok(Assigner {
            experiments,
            layers,
            holdout,
            attributes: attributes.iter().map(|a| a.to_string()).collect(),
        })
    }

    /// Number of experiments.
    pub fn experiment_count(&self) -> usize {
        self.experiments.len()
    }

    /// Name of experiment `e`.
    pub fn experiment_name(&self, e: usize) -> &str {
        &self.experiments[e].name
    }

    /// Variant names of experiment `e`.
    pub fn variants(&self, e: usize) -> &[String] {
        &self.experiments[e].variants
    }

    /// Normalized weights of experiment `e`.
    pub fn weights(&self, e: usize) -> &[f64] {
        self.experiments[e].allocation.weights()
    }

    /// The attribute names the assigner was compiled for.
    pub fn attributes(&self) -> &[String] {
        &self.attributes
    }

    /// Assigns `unit` with attribute `values` in every experiment, writing one outcome per
    /// experiment into `out` (cleared first).
    pub fn assign_into(&self, unit: &str, values: &[Option<&str>], out: &mut Vec<Assignment>) {
        out.clear();
        if self.holdout.as_ref().is_some_and(|h| h.holds_out(unit)) {
            out.extend(std::iter::repeat_n(
                Assignment::Excluded(Exclusion::Holdout),
                self.experiments.len(),
            ));
            return;
        }
        out.extend(
            self.experiments
                .iter()
                .map(|e| self.assign_one(e, unit, values)),
        );
    }

    /// The outcomes of `unit` in every experiment.
    pub fn assign(&self, unit: &str, values: &[Option<&str>]) -> Vec<Assignment> {
        let mut out = Vec::with_capacity(self.experiments.len());
        self.assign_into(unit, values, &mut out);
        out
    }

    fn assign_one(&self, e: &Compiled, unit: &str, values: &[Option<&str>]) -> Assignment {
        if e.rule.as_ref().is_some_and(|r| !r.matches(values)) {
            return Assignment::Excluded(Exclusion::NotTargeted);
        }
        if let Some((layer, range)) = &e.layer
            && !range.contains(self.layers[*layer].bucket(unit))
        {
            return Assignment::Excluded(Exclusion::OutsideLayer);
        }
        let bucket = e.hash.bucket(unit);
        match e.allocation.choose(bucket) {
            Some(variant) => Assignment::Variant { variant, bucket },
            None => Assignment::Excluded(Exclusion::OutsideCoverage),
        }
    }
}

fn compile_experiment(
    spec: &DesignSpec,
    e: &ExperimentSpec,
    attributes: &[&str],
    layer_salts: &[&str],
    claims: &mut [Vec<(String, BucketRange)>],
) -> Result<Compiled> {
    let what = |field: &str| format!("{field} of experiment '{}'", e.name);
    if e.variants.is_empty() {
        return Err(DesignError::invalid(
            &what("variants"),
            "[]",
            "give at least one variant",
        ));
    }
    if let Some(d) = duplicate(e.variants.iter().map(String::as_str)) {
        return Err(DesignError::invalid(&what("variant"), d, "is named twice"));
    }
    let coverage = e.coverage.unwrap_or(1.0);
    let allocation = match &e.weights {
        Some(w) if w.len() != e.variants.len() => {
            return Err(DesignError::InvalidWeights {
                weights: w.clone(),
                reason: format!(
                    "experiment '{}' has {} variants but {} weights",
                    e.name,
                    e.variants.len(),
                    w.len()
                ),
            });
        }
        Some(w) => Allocation::new(w, coverage),
        None => Allocation::equal(e.variants.len(), coverage),
    }
    .map_err(|err| match err {
        DesignError::InvalidWeights { weights, reason } => DesignError::InvalidWeights {
            weights,
            reason: format!("{reason} (experiment '{}')", e.name),
        },
        other => other,
    })?;
    let salt = e.effective_salt();
    if spec.holdout.as_ref().is_some_and(|h| h.salt == salt) {
        return Err(DesignError::invalid(
            &what("salt"),
            &salt,
            "equals the holdout salt; the variant hash would be correlated with the holdout",
        ));
    }
    let layer = match (&e.layer, e.range) {
        (None, Some(r)) => {
            return Err(DesignError::invalid(
                &what("range"),
                format!("[{}, {}]", r[0], r[1]),
                "a range needs a layer",
            ));
        }
        (None, None) => None,
        (Some(name), range) => {
            let index = spec
                .layers
                .iter()
                .position(|l| &l.name == name)
                .ok_or_else(|| {
                    DesignError::invalid(&what("layer"), name, "is not a layer of the design")
                })?;
            if layer_salts[index] == salt {
                return Err(DesignError::invalid(
                    &what("salt"),
                    &salt,
                    "equals its layer's salt; the variant hash would be correlated with the layer",
                ));
            }
            let [lo, hi] = range.unwrap_or([0.0, 1.0]);
            let range = BucketRange { lo, hi };
            claims[index].push((e.name.clone(), range));
            Some((index, range))
        }
    };
    let rule = match &e.targeting {
        Some(text) => Some(Rule::parse(text)?.compile(attributes)?),
        None => None,
    };
    Ok(Compiled {
        name: e.name.clone(),
        variants: e.variants.clone(),
        allocation,
        hash: e.scheme.unwrap_or(spec.scheme).salted(&salt),
        rule,
        layer,
    })
}
