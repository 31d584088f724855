//! Classification of failures into exit codes.

use std::fmt;

use counterfact_stats::StatsError;

/// Exit code for bad input: the user can fix the command line or the data.
pub const EXIT_BAD_INPUT: u8 = 2;
/// Exit code for an internal failure (a bug, or an I/O failure writing the output).
pub const EXIT_FAILURE: u8 = 1;

/// A problem with the user's input, rendered as one line naming the problem and where it is.
#[derive(Debug)]
pub struct InputError(pub String);

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InputError {}

/// A statistics-library error raised by a method, with the method's name and what the library's
/// "sample x" / "sample y" stand for in the user's input.
#[derive(Debug)]
pub struct MethodError {
    /// The method, e.g. "welch-t".
    pub method: &'static str,
    /// The library's error.
    pub error: StatsError,
    /// The roles of the inputs, e.g. "x is group 'treatment' of column 'variant'".
    pub roles: Option<String>,
}

impl fmt::Display for MethodError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.method, self.error)?;
        match &self.roles {
            Some(roles) => write!(f, " ({roles})"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for MethodError {}

/// Builds an [`InputError`] wrapped in `anyhow::Error`.
pub fn bad_input(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(InputError(message.into()))
}

/// Returns early with an [`InputError`] built from a format string.
macro_rules! bail_input {
    ($($arg:tt)*) => {
        return Err($crate::error::bad_input(format!($($arg)*)))
    };
}
pub(crate) use bail_input;

/// The exit code for an error: 2 when the input is at fault, 1 for anything else.
pub fn exit_code(error: &anyhow::Error) -> u8 {
    for cause in error.chain() {
        if cause.downcast_ref::<InputError>().is_some() {
            return EXIT_BAD_INPUT;
        }
        let stats = cause
            .downcast_ref::<MethodError>()
            .map(|m| &m.error)
            .or_else(|| cause.downcast_ref::<StatsError>());
        if let Some(stats) = stats {
            return match stats {
                StatsError::Internal(_) => EXIT_FAILURE,
                _ => EXIT_BAD_INPUT,
            };
        }
    }
    EXIT_FAILURE
}

/// The one-line message printed to stderr for an error.
pub fn message(error: &anyhow::Error) -> String {
    let line = format!("{error:#}").replace('\n', " ");
    if exit_code(error) == EXIT_FAILURE && !is_internal_stats_error(error) {
        format!("{line} (this is likely a bug in counterfact; please report it)")
    } else {
        line
    }
}

fn is_internal_stats_error(error: &anyhow::Error) -> bool {
    error.chain().any(|c| {
        matches!(
            c.downcast_ref::<StatsError>(),
            Some(StatsError::Internal(_))
        )
    })
}

/// Whether the error is a broken pipe on stdout (the reader went away): that counts as success.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
