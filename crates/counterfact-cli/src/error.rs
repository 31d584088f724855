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
        let message = self.error.to_string();
        // Some library messages already start with the method's name.
        if message.starts_with(&format!("{}:", self.method)) {
            write!(f, "{message}")?;
        } else {
            write!(f, "{}: {message}", self.method)?;
        }
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
    let is_io = error
        .chain()
        .any(|c| c.downcast_ref::<std::io::Error>().is_some());
    if exit_code(error) == EXIT_FAILURE && !is_io && !is_internal_stats_error(error) {
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

/// Parses a named option with the library's parser, reporting a bad value against the flag.
pub fn parse_option<T>(flag: &str, text: &str) -> anyhow::Result<T>
where
    T: std::str::FromStr<Err = StatsError>,
{
    text.parse().map_err(|error| match error {
        StatsError::InvalidArgument { reason, .. } => {
            bad_input(format!("invalid {flag} '{text}': {reason}"))
        }
        other => bad_input(format!("invalid {flag} '{text}': {other}")),
    })
}

/// Whether the error is a broken pipe on stdout (the reader went away): that counts as success.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn method_error(error: StatsError) -> anyhow::Error {
        anyhow::Error::new(MethodError {
            method: "welch-t",
            error,
            roles: Some("sample x is group 'b'".to_string()),
        })
    }

    #[test]
    fn input_and_library_errors_are_bad_input() {
        assert_eq!(exit_code(&bad_input("no column 'x'")), EXIT_BAD_INPUT);
        let degenerate = method_error(StatsError::Degenerate("all values equal".into()));
        assert_eq!(exit_code(&degenerate), EXIT_BAD_INPUT);
        assert_eq!(
            message(&degenerate),
            "welch-t: all values equal (sample x is group 'b')"
        );
        let raw = anyhow::Error::new(StatsError::invalid("confidence", 2, "must be < 1"));
        assert_eq!(exit_code(&raw), EXIT_BAD_INPUT);
    }

    #[test]
    fn internal_errors_exit_1_with_a_bug_hint() {
        let internal = method_error(StatsError::Internal("impossible".into()));
        assert_eq!(exit_code(&internal), EXIT_FAILURE);
        assert!(message(&internal).contains("likely a bug"));
        let other = anyhow::anyhow!("unexpected");
        assert_eq!(exit_code(&other), EXIT_FAILURE);
        assert!(message(&other).contains("likely a bug"));
    }

    #[test]
    fn broken_pipe_is_recognized_and_other_io_errors_are_failures() {
        let pipe = anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::BrokenPipe))
            .context("writing the output");
        assert!(is_broken_pipe(&pipe));
        let full = anyhow::Error::new(std::io::Error::other("disk full")).context("writing");
        assert!(!is_broken_pipe(&full));
        assert_eq!(exit_code(&full), EXIT_FAILURE);
        assert!(!message(&full).contains("likely a bug"));
    }
}
