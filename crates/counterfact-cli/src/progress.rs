//! Progress on stderr for the readout commands: a spinner naming the running stage (a bar when
//! the stage reports counts), and one line per finished stage with its duration. Hidden when
//! stderr is not a terminal or the output is JSON.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

const SPINNER: &str = "{spinner} {msg} [{elapsed}]";
const BAR: &str = "{spinner} {msg} {wide_bar} {human_pos}/{human_len} [{elapsed}, eta {eta}]";

/// The progress display of one command run.
pub struct Progress {
    bar: ProgressBar,
    current: Mutex<Option<(String, Instant)>>,
}

impl Progress {
    /// A display on stderr, shown only when `visible` and stderr is a terminal.
    pub fn new(visible: bool) -> Self {
        let target = if visible && std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(None, target);
        if let Ok(style) = ProgressStyle::with_template(SPINNER) {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress {
            bar,
            current: Mutex::new(None),
        }
    }

    /// Starts a stage: the previous one is reported as done.
    pub fn stage(&self, name: &str) {
        let mut current = self
            .current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if current.as_ref().is_some_and(|(n, _)| n == name) {
            return;
        }
        if let Some((done, started)) = current.take() {
            self.report_done(&done, started);
        }
        if let Ok(style) = ProgressStyle::with_template(SPINNER) {
            self.bar.set_style(style);
        }
        self.bar.unset_length();
        self.bar.set_position(0);
        self.bar.set_message(name.to_string());
        self.bar.reset_elapsed();
        *current = Some((name.to_string(), Instant::now()));
    }

    /// Reports `done` of `total` items in the stage `name` (started when new): shows a bar.
    pub fn counted(&self, name: &str, done: u64, total: u64) {
        self.stage(name);
        if self.bar.length() != Some(total) {
            if let Ok(style) = ProgressStyle::with_template(BAR) {
                self.bar.set_style(style);
            }
            self.bar.set_length(total);
        }
        self.bar.set_position(done);
    }

    /// Clears the display after reporting the last stage.
    pub fn finish(&self) {
        let mut current = self
            .current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((done, started)) = current.take() {
            self.report_done(&done, started);
        }
        self.bar.finish_and_clear();
    }

    fn report_done(&self, stage: &str, started: Instant) {
        self.bar.println(format!(
            "  done  {stage} ({:.1} s)",
            started.elapsed().as_secs_f64()
        ));
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
