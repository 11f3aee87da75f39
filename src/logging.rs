//! Logs: structured (`tracing`), on stderr, as text for people or one JSON object per
//! line for log pipelines (`--log-format json`). The level comes from `PGRECON_LOG`
//! (an `EnvFilter` directive such as `info` or `pgrecon=debug`), else the command's
//! default.

use std::io::IsTerminal;

/// `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines (coloured on a terminal).
    #[default]
    Text,
    /// One JSON object per line (`timestamp`, `level`, `target`, `message` and the
    /// event's fields).
    Json,
}

/// The environment variable holding the filter directive.
pub const FILTER_ENV: &str = "PGRECON_LOG";

/// Installs the global subscriber. `default_filter` applies when `PGRECON_LOG` is unset
/// or invalid.
pub fn init(format: LogFormat, default_filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env(FILTER_ENV)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second init (tests) is not an error worth failing for.
    let _ = match format {
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .try_init(),
    };
}
