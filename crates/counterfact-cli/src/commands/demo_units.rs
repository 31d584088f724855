//! The unit table `counterfact check` reads, derived from the demo's tables: one row per
//! analysed unit (assigned to exactly one variant of the experiment and exposed at or after its
//! assignment) with its variant and member attributes. The join is the one of
//! docs/experiment-spec.md and is spelled out as SQL in docs/checks.md.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, anyhow};
use arrow::array::{
    ArrayRef, AsArray, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray,
};
use arrow::datatypes::{Float64Type, Int32Type, Int64Type, TimestampMicrosecondType};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

/// File name of the unit table inside the demo directory.
pub const UNITS_FILE: &str = "units.parquet";

fn read_batches(path: &Path) -> Result<Vec<RecordBatch>> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|builder| builder.build())
        .with_context(|| format!("reading {}", path.display()))?;
    reader
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("reading {}", path.display()))
}

fn column<'a>(batch: &'a RecordBatch, name: &str, file: &str) -> Result<&'a ArrayRef> {
    batch
        .column_by_name(name)
        .ok_or_else(|| anyhow!("{file}: no column {name}"))
}

/// Where a unit of the experiment stands.
struct Assigned {
    variant: String,
    assigned_at: i64,
    multiple: bool,
}

/// Writes `dir/units.parquet` (member_id, variant, country, device, plan, tenure_days,
/// pre_watch_hours) for the analysed units of `experiment`; returns the number of rows.
pub fn write_units(dir: &Path, experiment: &str) -> Result<u64> {
    let mut units: HashMap<i64, Assigned> = HashMap::new();
    for batch in read_batches(&dir.join("assignments.parquet"))? {
        let file = "assignments.parquet";
        let ids = column(&batch, "member_id", file)?.as_primitive::<Int64Type>();
        let experiments = column(&batch, "experiment", file)?.as_string::<i32>();
        let variants = column(&batch, "variant", file)?.as_string::<i32>();
        let times = column(&batch, "assigned_at", file)?.as_primitive::<TimestampMicrosecondType>();
        for row in 0..batch.num_rows() {
            if experiments.value(row) != experiment {
                continue;
            }
            let (id, variant, at) = (ids.value(row), variants.value(row), times.value(row));
            units
                .entry(id)
                .and_modify(|u| {
                    u.multiple |= u.variant != variant;
                    u.assigned_at = u.assigned_at.min(at);
                })
                .or_insert_with(|| Assigned {
                    variant: variant.to_string(),
                    assigned_at: at,
                    multiple: false,
                });
        }
    }
    let mut exposed: HashSet<i64> = HashSet::new();
    for batch in read_batches(&dir.join("exposures.parquet"))? {
        let file = "exposures.parquet";
        let ids = column(&batch, "member_id", file)?.as_primitive::<Int64Type>();
        let times = column(&batch, "exposed_at", file)?.as_primitive::<TimestampMicrosecondType>();
        for row in 0..batch.num_rows() {
            let id = ids.value(row);
            if units
                .get(&id)
                .is_some_and(|u| !u.multiple && times.value(row) >= u.assigned_at)
            {
                exposed.insert(id);
            }
        }
    }
    let mut out = UnitRows::default();
    for batch in read_batches(&dir.join("members.parquet"))? {
        let file = "members.parquet";
        let ids = column(&batch, "member_id", file)?.as_primitive::<Int64Type>();
        let country = column(&batch, "country", file)?.as_string::<i32>();
        let device = column(&batch, "device", file)?.as_string::<i32>();
        let plan = column(&batch, "plan", file)?.as_string::<i32>();
        let tenure = column(&batch, "tenure_days", file)?.as_primitive::<Int32Type>();
        let pre = column(&batch, "pre_watch_hours", file)?.as_primitive::<Float64Type>();
        for row in 0..batch.num_rows() {
            let id = ids.value(row);
            let Some(unit) = units.get(&id).filter(|_| exposed.contains(&id)) else {
                continue;
            };
            out.member_id.push(id);
            out.variant.push(unit.variant.clone());
            out.country.push(country.value(row).to_string());
            out.device.push(device.value(row).to_string());
            out.plan.push(plan.value(row).to_string());
            out.tenure_days.push(tenure.value(row));
            out.pre_watch_hours.push(pre.value(row));
        }
    }
    out.write(&dir.join(UNITS_FILE))
}

#[derive(Default)]
struct UnitRows {
    member_id: Vec<i64>,
    variant: Vec<String>,
    country: Vec<String>,
    device: Vec<String>,
    plan: Vec<String>,
    tenure_days: Vec<i32>,
    pre_watch_hours: Vec<f64>,
}

impl UnitRows {
    fn write(self, path: &Path) -> Result<u64> {
        let rows = self.member_id.len() as u64;
        let columns: Vec<(&str, ArrayRef)> = vec![
            ("member_id", Arc::new(Int64Array::from(self.member_id))),
            ("variant", Arc::new(StringArray::from(self.variant))),
            ("country", Arc::new(StringArray::from(self.country))),
            ("device", Arc::new(StringArray::from(self.device))),
            ("plan", Arc::new(StringArray::from(self.plan))),
            ("tenure_days", Arc::new(Int32Array::from(self.tenure_days))),
            (
                "pre_watch_hours",
                Arc::new(Float64Array::from(self.pre_watch_hours)),
            ),
        ];
        let batch = RecordBatch::try_from_iter(columns).context("building the unit table")?;
        let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
        let mut writer = ArrowWriter::try_new(file, batch.schema(), None)
            .with_context(|| format!("writing {}", path.display()))?;
        writer
            .write(&batch)
            .with_context(|| format!("writing {}", path.display()))?;
        writer
            .close()
            .with_context(|| format!("writing {}", path.display()))?;
        Ok(rows)
    }
}
