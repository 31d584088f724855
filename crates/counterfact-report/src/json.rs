//! The stable JSON tree of a readout (docs/readout-json.md).

use counterfact_models::readout::Readout;
use serde_json::{Map, Value};

/// Name and version of the JSON tree; bumped on any incompatible change of its shape.
pub const SCHEMA: &str = "counterfact.readout/1";

/// The readout as the documented JSON tree: the serde shape of [`Readout`] plus
/// `"schema": "counterfact.readout/1"`. Non-finite numbers (a relative effect over a zero
/// control, say) become `null`.
pub fn readout_json(readout: &Readout) -> Value {
    let mut tree = match serde_json::to_value(readout) {
        Ok(Value::Object(map)) => map,
        // The readout is plain data with string keys: serde_json cannot fail on it, but if it
        // ever did the tree still says so rather than dropping the output.
        Ok(other) => {
            let mut map = Map::new();
            map.insert("readout".to_string(), other);
            map
        }
        Err(error) => {
            let mut map = Map::new();
            map.insert("error".to_string(), Value::String(error.to_string()));
            map
        }
    };
    tree.insert("schema".to_string(), Value::String(SCHEMA.to_string()));
    Value::Object(tree)
}
