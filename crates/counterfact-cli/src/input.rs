//! Reading samples from CSV and Parquet files with the Apache Arrow crates.
//!
//! Rows are numbered from 1, counting data rows only (the CSV header is not a row).

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;

use anyhow::Result;
use arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use arrow::compute::{cast, concat};
use arrow::datatypes::{DataType, Float64Type, Schema};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::error::{bad_input, bail_input};

/// One sample of values with the name the user knows it by.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// How the sample is named in messages and output, e.g. "treatment" or "x".
    pub label: String,
    /// Where the values come from, e.g. "group 'treatment' of column 'variant'".
    pub source: String,
    /// The values, all finite.
    pub values: Vec<f64>,
}

/// Which columns of a file make up the samples.
#[derive(Debug, Clone, PartialEq)]
pub enum FileSelection {
    /// A value column split by the labels of a group column: gives `[treatment, control]`.
    Groups {
        /// Numeric outcome column.
        value: String,
        /// Group label column.
        group: String,
        /// Label of the control arm.
        control: String,
        /// Label of the treatment arm.
        treatment: String,
    },
    /// One or two numeric columns read row by row: gives `[x]` or `[x, y]`.
    Columns {
        /// First column.
        x: String,
        /// Second column, if any.
        y: Option<String>,
    },
}

/// The file formats the reader understands, chosen by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv(u8),
    Parquet,
}

fn format_of(path: &Path) -> Result<Format> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("csv") => Ok(Format::Csv(b',')),
        Some("tsv") => Ok(Format::Csv(b'\t')),
        Some("parquet" | "pq") => Ok(Format::Parquet),
        _ => bail_input!(
            "{}: unknown file type; use a .csv, .tsv, .parquet or .pq file",
            path.display()
        ),
    }
}

/// Reads the samples `selection` names from the CSV or Parquet file at `path`.
pub fn read_samples(path: &Path, selection: &FileSelection) -> Result<Vec<Sample>> {
    let wanted: Vec<&str> = match selection {
        FileSelection::Groups { value, group, .. } => vec![value, group],
        FileSelection::Columns { x, y } => {
            std::iter::once(x.as_str()).chain(y.as_deref()).collect()
        }
    };
    let table = read_columns(path, &wanted)?;
    let file = path.display().to_string();
    match selection {
        FileSelection::Groups {
            value,
            group,
            control,
            treatment,
        } => split_groups(&file, &table, value, group, control, treatment),
        FileSelection::Columns { x, y } => {
            let mut samples = Vec::new();
            for (i, name) in std::iter::once(x).chain(y.as_ref()).enumerate() {
                let values = numeric_column(&file, name, &table.columns[i])?;
                let values = values
                    .iter()
                    .enumerate()
                    .map(|(row, v)| checked_value(&file, name, row, *v))
                    .collect::<Result<Vec<f64>>>()?;
                samples.push(Sample {
                    label: name.clone(),
                    source: format!("column '{name}'"),
                    values,
                });
            }
            if table.rows == 0 {
                bail_input!("{file}: the file has no data rows");
            }
            Ok(samples)
        }
    }
}

/// The requested columns of a file, each concatenated over all record batches.
struct Columns {
    columns: Vec<ArrayRef>,
    rows: usize,
}

fn read_columns(path: &Path, wanted: &[&str]) -> Result<Columns> {
    let format = format_of(path)?;
    let shown = path.display();
    let mut file =
        File::open(path).map_err(|e| bad_input(format!("{shown}: cannot open the file: {e}")))?;
    let (schema, batches): (Arc<Schema>, Vec<RecordBatch>) = match format {
        Format::Csv(delimiter) => {
            let csv_format = arrow::csv::reader::Format::default()
                .with_header(true)
                .with_delimiter(delimiter);
            let (schema, _) = csv_format
                .infer_schema(&mut file, None)
                .map_err(|e| bad_input(format!("{shown}: malformed CSV: {e}")))?;
            let schema = Arc::new(schema);
            let indices = column_indices(&shown.to_string(), &schema, wanted)?;
            file.seek(SeekFrom::Start(0))
                .map_err(|e| bad_input(format!("{shown}: cannot read the file: {e}")))?;
            let reader = arrow::csv::ReaderBuilder::new(Arc::clone(&schema))
                .with_format(csv_format)
                .with_projection(indices)
                .build(file)
                .map_err(|e| bad_input(format!("{shown}: malformed CSV: {e}")))?;
            let batches = reader
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| bad_input(format!("{shown}: malformed CSV: {e}")))?;
            (schema, batches)
        }
        Format::Parquet => {
            let builder = ParquetRecordBatchReaderBuilder::try_new(file)
                .map_err(|e| bad_input(format!("{shown}: not a readable Parquet file: {e}")))?;
            let schema = Arc::clone(builder.schema());
            let indices = column_indices(&shown.to_string(), &schema, wanted)?;
            let mask = ProjectionMask::roots(builder.parquet_schema(), indices);
            let reader = builder
                .with_projection(mask)
                .build()
                .map_err(|e| bad_input(format!("{shown}: not a readable Parquet file: {e}")))?;
            let batches = reader
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| bad_input(format!("{shown}: corrupt Parquet data: {e}")))?;
            (schema, batches)
        }
    };
    let rows = batches.iter().map(RecordBatch::num_rows).sum();
    let mut columns = Vec::with_capacity(wanted.len());
    for name in wanted {
        let field = schema
            .field_with_name(name)
            .map_err(|_| bad_input(format!("{shown}: no column '{name}'")))?;
        let parts: Vec<&dyn Array> = batches
            .iter()
            .filter_map(|b| b.column_by_name(name).map(|c| c.as_ref()))
            .collect();
        let column = if parts.is_empty() {
            arrow::array::new_empty_array(field.data_type())
        } else {
            concat(&parts).map_err(|e| bad_input(format!("{shown}: column '{name}': {e}")))?
        };
        columns.push(column);
    }
    Ok(Columns { columns, rows })
}

/// Positions of the wanted columns (sorted, as projections require), or an error listing the
/// columns the file has.
fn column_indices(file: &str, schema: &Schema, wanted: &[&str]) -> Result<Vec<usize>> {
    let mut indices = Vec::new();
    for name in wanted {
        match schema.index_of(name) {
            Ok(i) => indices.push(i),
            Err(_) => {
                let available: Vec<&str> =
                    schema.fields().iter().map(|f| f.name().as_str()).collect();
                bail_input!(
                    "{file}: no column '{name}'; columns present: {}",
                    list(&available)
                );
            }
        }
    }
    indices.sort_unstable();
    indices.dedup();
    Ok(indices)
}

/// A numeric column as `f64` per row (`None` for a missing value). Strings are parsed so that
/// "NaN" or "inf" in a CSV are caught as non-finite values rather than as a type error.
fn numeric_column(file: &str, name: &str, column: &ArrayRef) -> Result<Vec<Option<f64>>> {
    let data_type = column.data_type();
    if matches!(
        data_type,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
    ) {
        let strings = cast(column, &DataType::Utf8)
            .map_err(|e| bad_input(format!("{file}: column '{name}': {e}")))?;
        return strings
            .as_string::<i32>()
            .iter()
            .enumerate()
            .map(|(row, s)| match s.map(str::trim) {
                None | Some("") => Ok(None),
                Some(text) => text.parse::<f64>().map(Some).map_err(|_| {
                    bad_input(format!(
                        "{file}: column '{name}', row {}: '{text}' is not a number",
                        row + 1
                    ))
                }),
            })
            .collect();
    }
    let numeric = data_type.is_numeric()
        || matches!(data_type, DataType::Boolean | DataType::Null)
        || matches!(data_type, DataType::Dictionary(_, v) if v.is_numeric());
    if !numeric {
        bail_input!("{file}: column '{name}' has type {data_type}, not a numeric type");
    }
    let floats = cast(column, &DataType::Float64)
        .map_err(|e| bad_input(format!("{file}: column '{name}' is not numeric: {e}")))?;
    Ok(floats.as_primitive::<Float64Type>().iter().collect())
}

/// The value at `row`, or an error naming the row and column when it is missing or not finite.
fn checked_value(file: &str, name: &str, row: usize, value: Option<f64>) -> Result<f64> {
    match value {
        None => bail_input!("{file}: column '{name}', row {}: missing value", row + 1),
        Some(v) if !v.is_finite() => bail_input!(
            "{file}: column '{name}', row {}: non-finite value {v}",
            row + 1
        ),
        Some(v) => Ok(v),
    }
}

/// Group labels as strings per row (`None` for a missing label).
fn label_column(file: &str, name: &str, column: &ArrayRef) -> Result<Vec<Option<String>>> {
    let strings = cast(column, &DataType::Utf8).map_err(|_| {
        bad_input(format!(
            "{file}: column '{name}' has type {}, which cannot serve as group labels",
            column.data_type()
        ))
    })?;
    Ok(strings
        .as_string::<i32>()
        .iter()
        .map(|s| s.map(str::to_string))
        .collect())
}

fn split_groups(
    file: &str,
    table: &Columns,
    value: &str,
    group: &str,
    control: &str,
    treatment: &str,
) -> Result<Vec<Sample>> {
    if control == treatment {
        bail_input!("--control and --treatment are both '{control}'; name two different groups");
    }
    if table.rows == 0 {
        bail_input!("{file}: the file has no data rows");
    }
    let values = numeric_column(file, value, &table.columns[0])?;
    let labels = label_column(file, group, &table.columns[1])?;
    let mut present = BTreeSet::new();
    let mut control_values = Vec::new();
    let mut treatment_values = Vec::new();
    for (row, (label, v)) in labels.iter().zip(&values).enumerate() {
        let Some(label) = label else {
            bail_input!(
                "{file}: column '{group}', row {}: missing group label",
                row + 1
            );
        };
        let target = if label == control {
            &mut control_values
        } else if label == treatment {
            &mut treatment_values
        } else {
            if present.len() <= MAX_LABELS_SHOWN {
                present.insert(label.as_str());
            }
            continue;
        };
        target.push(checked_value(file, value, row, *v)?);
    }
    for (flag, label, found) in [
        ("--control", control, &control_values),
        ("--treatment", treatment, &treatment_values),
    ] {
        if found.is_empty() {
            for (l, vals) in [(control, &control_values), (treatment, &treatment_values)] {
                if !vals.is_empty() {
                    present.insert(l);
                }
            }
            let present: Vec<&str> = present.into_iter().collect();
            bail_input!(
                "{file}: {flag} label '{label}' does not occur in column '{group}'; labels present: {}",
                list(&present)
            );
        }
    }
    Ok(vec![
        Sample {
            label: treatment.to_string(),
            source: format!("group '{treatment}' of column '{group}'"),
            values: treatment_values,
        },
        Sample {
            label: control.to_string(),
            source: format!("group '{control}' of column '{group}'"),
            values: control_values,
        },
    ])
}

/// Columns read by [`read_table`]: numeric ones as `f64` (`None` when missing), label ones as
/// text (`None` when missing), each in the order asked for.
pub struct Table {
    /// Data rows.
    pub rows: usize,
    /// The numeric columns.
    pub numeric: Vec<Vec<Option<f64>>>,
    /// The label columns.
    pub labels: Vec<Vec<Option<String>>>,
}

/// Reads `numeric` and `labels` columns of the CSV or Parquet file at `path`; an unknown column
/// is an error listing the columns present.
pub fn read_table(path: &Path, numeric: &[&str], labels: &[&str]) -> Result<Table> {
    let file = path.display().to_string();
    let wanted: Vec<&str> = numeric.iter().chain(labels).copied().collect();
    let table = read_columns(path, &wanted)?;
    let mut columns = table.columns.iter();
    let numeric = numeric
        .iter()
        .zip(columns.by_ref())
        .map(|(name, c)| numeric_column(&file, name, c))
        .collect::<Result<_>>()?;
    let labels = labels
        .iter()
        .zip(columns)
        .map(|(name, c)| label_column(&file, name, c))
        .collect::<Result<_>>()?;
    Ok(Table {
        rows: table.rows,
        numeric,
        labels,
    })
}

const MAX_LABELS_SHOWN: usize = 12;

/// Renders names as `'a', 'b', 'c'`, cut off after a dozen.
fn list(names: &[&str]) -> String {
    if names.is_empty() {
        return "(none)".to_string();
    }
    let mut shown: Vec<String> = names
        .iter()
        .take(MAX_LABELS_SHOWN)
        .map(|n| format!("'{n}'"))
        .collect();
    if names.len() > MAX_LABELS_SHOWN {
        shown.push("...".to_string());
    }
    shown.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_renders_and_truncates() {
        assert_eq!(list(&[]), "(none)");
        assert_eq!(list(&["a", "b"]), "'a', 'b'");
        let many: Vec<String> = (0..20).map(|i| i.to_string()).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(list(&many).ends_with("..."));
    }

    #[test]
    fn unknown_extension_is_rejected() {
        let err = format_of(Path::new("data.xlsx")).unwrap_err();
        assert!(err.to_string().contains("unknown file type"));
    }
}
