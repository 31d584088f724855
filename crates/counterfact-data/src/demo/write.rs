//! Arrow schemas of the demo tables and buffered Parquet writers.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, Int32Array, Int64Array, RecordBatch,
    StringArray, TimestampMicrosecondArray,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use parquet::schema::types::ColumnPath;

use super::DemoError;

/// Rows buffered before a batch is handed to the Parquet writer.
const BATCH_ROWS: usize = 1 << 16;
/// Columns with (nearly) unique values: a dictionary would only cost time before falling back.
const HIGH_CARDINALITY: [&str; 7] = [
    "member_id",
    "event_id",
    "session_id",
    "ts",
    "start",
    "received_at",
    "watch_seconds",
];
/// Rows per Parquet row group.
const ROW_GROUP_ROWS: usize = 1 << 20;

fn timestamp() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

fn schema(fields: Vec<Field>) -> SchemaRef {
    Arc::new(Schema::new(fields))
}

pub(crate) fn members_schema() -> SchemaRef {
    schema(vec![
        Field::new("member_id", DataType::Int64, false),
        Field::new("signup_date", DataType::Date32, false),
        Field::new("country", DataType::Utf8, false),
        Field::new("device", DataType::Utf8, false),
        Field::new("plan", DataType::Utf8, false),
        Field::new("tenure_days", DataType::Int32, false),
        Field::new("engagement_tier", DataType::Utf8, false),
        Field::new("pre_watch_hours", DataType::Float64, false),
    ])
}

pub(crate) fn assignments_schema() -> SchemaRef {
    schema(vec![
        Field::new("member_id", DataType::Int64, false),
        Field::new("experiment", DataType::Utf8, false),
        Field::new("variant", DataType::Utf8, false),
        Field::new("assigned_at", timestamp(), false),
    ])
}

pub(crate) fn exposures_schema() -> SchemaRef {
    schema(vec![
        Field::new("member_id", DataType::Int64, false),
        Field::new("exposed_at", timestamp(), false),
    ])
}

pub(crate) fn sessions_schema() -> SchemaRef {
    schema(vec![
        Field::new("member_id", DataType::Int64, false),
        Field::new("session_id", DataType::Int64, false),
        Field::new("start", timestamp(), false),
        Field::new("plays", DataType::Int32, false),
    ])
}

pub(crate) fn viewing_schema() -> SchemaRef {
    schema(vec![
        Field::new("event_id", DataType::Int64, false),
        Field::new("member_id", DataType::Int64, false),
        Field::new("ts", timestamp(), false),
        Field::new("title_id", DataType::Int32, false),
        Field::new("watch_seconds", DataType::Float64, false),
        Field::new("play_delay_ms", DataType::Float64, false),
        Field::new("received_at", timestamp(), false),
    ])
}

pub(crate) fn subscriptions_schema() -> SchemaRef {
    schema(vec![
        Field::new("member_id", DataType::Int64, false),
        Field::new("sub_dt", timestamp(), false),
        Field::new("cancel_dt", timestamp(), true),
        Field::new("trial", DataType::Boolean, false),
    ])
}

fn ts_array(values: &mut Vec<i64>) -> ArrayRef {
    Arc::new(TimestampMicrosecondArray::from(std::mem::take(values)).with_timezone("UTC"))
}

fn ts_opt_array(values: &mut Vec<Option<i64>>) -> ArrayRef {
    Arc::new(TimestampMicrosecondArray::from(std::mem::take(values)).with_timezone("UTC"))
}

fn i64_array(values: &mut Vec<i64>) -> ArrayRef {
    Arc::new(Int64Array::from(std::mem::take(values)))
}

fn i32_array(values: &mut Vec<i32>) -> ArrayRef {
    Arc::new(Int32Array::from(std::mem::take(values)))
}

fn f64_array(values: &mut Vec<f64>) -> ArrayRef {
    Arc::new(Float64Array::from(std::mem::take(values)))
}

fn str_array(values: &mut Vec<&'static str>) -> ArrayRef {
    Arc::new(StringArray::from(std::mem::take(values)))
}

/// Column buffers of the members table.
#[derive(Default)]
pub(crate) struct MemberRows {
    pub(crate) member_id: Vec<i64>,
    pub(crate) signup_date: Vec<i32>,
    pub(crate) country: Vec<&'static str>,
    pub(crate) device: Vec<&'static str>,
    pub(crate) plan: Vec<&'static str>,
    pub(crate) tenure_days: Vec<i32>,
    pub(crate) engagement_tier: Vec<&'static str>,
    pub(crate) pre_watch_hours: Vec<f64>,
}

/// Column buffers of the assignments table.
#[derive(Default)]
pub(crate) struct AssignmentRows {
    pub(crate) member_id: Vec<i64>,
    pub(crate) experiment: Vec<&'static str>,
    pub(crate) variant: Vec<&'static str>,
    pub(crate) assigned_at: Vec<i64>,
}

/// Column buffers of the exposures table.
#[derive(Default)]
pub(crate) struct ExposureRows {
    pub(crate) member_id: Vec<i64>,
    pub(crate) exposed_at: Vec<i64>,
}

/// Column buffers of the subscriptions table.
#[derive(Default)]
pub(crate) struct SubscriptionRows {
    pub(crate) member_id: Vec<i64>,
    pub(crate) sub_dt: Vec<i64>,
    pub(crate) cancel_dt: Vec<Option<i64>>,
    pub(crate) trial: Vec<bool>,
}

/// Column buffers of the sessions table.
#[derive(Default)]
pub(crate) struct SessionRows {
    pub(crate) member_id: Vec<i64>,
    pub(crate) session_id: Vec<i64>,
    pub(crate) start: Vec<i64>,
    pub(crate) plays: Vec<i32>,
}

/// Column buffers of the viewing table.
#[derive(Default)]
pub(crate) struct ViewingRows {
    pub(crate) event_id: Vec<i64>,
    pub(crate) member_id: Vec<i64>,
    pub(crate) ts: Vec<i64>,
    pub(crate) title_id: Vec<i32>,
    pub(crate) watch_seconds: Vec<f64>,
    pub(crate) play_delay_ms: Vec<f64>,
    pub(crate) received_at: Vec<i64>,
}

/// Tables whose column buffers turn into a record batch.
pub(crate) trait Rows {
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn columns(&mut self) -> Vec<ArrayRef>;
}

impl Rows for MemberRows {
    fn len(&self) -> usize {
        self.member_id.len()
    }
    fn columns(&mut self) -> Vec<ArrayRef> {
        vec![
            i64_array(&mut self.member_id),
            Arc::new(Date32Array::from(std::mem::take(&mut self.signup_date))),
            str_array(&mut self.country),
            str_array(&mut self.device),
            str_array(&mut self.plan),
            i32_array(&mut self.tenure_days),
            str_array(&mut self.engagement_tier),
            f64_array(&mut self.pre_watch_hours),
        ]
    }
}

impl Rows for AssignmentRows {
    fn len(&self) -> usize {
        self.member_id.len()
    }
    fn columns(&mut self) -> Vec<ArrayRef> {
        vec![
            i64_array(&mut self.member_id),
            str_array(&mut self.experiment),
            str_array(&mut self.variant),
            ts_array(&mut self.assigned_at),
        ]
    }
}

impl Rows for ExposureRows {
    fn len(&self) -> usize {
        self.member_id.len()
    }
    fn columns(&mut self) -> Vec<ArrayRef> {
        vec![
            i64_array(&mut self.member_id),
            ts_array(&mut self.exposed_at),
        ]
    }
}

impl Rows for SubscriptionRows {
    fn len(&self) -> usize {
        self.member_id.len()
    }
    fn columns(&mut self) -> Vec<ArrayRef> {
        vec![
            i64_array(&mut self.member_id),
            ts_array(&mut self.sub_dt),
            ts_opt_array(&mut self.cancel_dt),
            Arc::new(BooleanArray::from(std::mem::take(&mut self.trial))),
        ]
    }
}

impl Rows for SessionRows {
    fn len(&self) -> usize {
        self.member_id.len()
    }
    fn columns(&mut self) -> Vec<ArrayRef> {
        vec![
            i64_array(&mut self.member_id),
            i64_array(&mut self.session_id),
            ts_array(&mut self.start),
            i32_array(&mut self.plays),
        ]
    }
}

impl Rows for ViewingRows {
    fn len(&self) -> usize {
        self.event_id.len()
    }
    fn columns(&mut self) -> Vec<ArrayRef> {
        vec![
            i64_array(&mut self.event_id),
            i64_array(&mut self.member_id),
            ts_array(&mut self.ts),
            i32_array(&mut self.title_id),
            f64_array(&mut self.watch_seconds),
            f64_array(&mut self.play_delay_ms),
            ts_array(&mut self.received_at),
        ]
    }
}

/// A Parquet file being written (zstd level 1, 1 Mi-row row groups) with its row buffer.
pub(crate) struct TableWriter<R: Rows + Default> {
    path: PathBuf,
    schema: SchemaRef,
    writer: ArrowWriter<BufWriter<File>>,
    pub(crate) rows: R,
    written: u64,
}

impl<R: Rows + Default> TableWriter<R> {
    pub(crate) fn create(path: &Path, schema: SchemaRef) -> Result<Self, DemoError> {
        let file = File::create(path).map_err(|source| DemoError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let level = ZstdLevel::try_new(1).map_err(|e| parquet_error(path, e))?;
        let mut props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(level))
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS));
        for field in schema.fields() {
            if HIGH_CARDINALITY.contains(&field.name().as_str()) {
                props = props
                    .set_column_dictionary_enabled(ColumnPath::from(field.name().as_str()), false);
            }
        }
        let props = props.build();
        let writer = ArrowWriter::try_new(BufWriter::new(file), schema.clone(), Some(props))
            .map_err(|e| parquet_error(path, e))?;
        Ok(Self {
            path: path.to_path_buf(),
            schema,
            writer,
            rows: R::default(),
            written: 0,
        })
    }

    /// Writes the buffered rows once enough have accumulated.
    pub(crate) fn maybe_flush(&mut self) -> Result<(), DemoError> {
        if self.rows.len() >= BATCH_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), DemoError> {
        if self.rows.is_empty() {
            return Ok(());
        }
        self.written += self.rows.len() as u64;
        let batch =
            RecordBatch::try_new(self.schema.clone(), self.rows.columns()).map_err(|e| {
                DemoError::Arrow {
                    path: self.path.clone(),
                    message: e.to_string(),
                }
            })?;
        self.writer
            .write(&batch)
            .map_err(|e| parquet_error(&self.path, e))
    }

    /// Writes `rows` (after anything buffered) as one batch.
    pub(crate) fn write_rows(&mut self, rows: R) -> Result<(), DemoError> {
        self.flush()?;
        self.rows = rows;
        self.flush()
    }

    /// Writes the remaining rows and the footer; returns the row count.
    pub(crate) fn finish(mut self) -> Result<u64, DemoError> {
        self.flush()?;
        self.writer
            .close()
            .map_err(|e| parquet_error(&self.path, e))?;
        Ok(self.written)
    }
}

fn parquet_error(path: &Path, e: parquet::errors::ParquetError) -> DemoError {
    DemoError::Parquet {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}
