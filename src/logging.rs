//! Logs: structured (`tracing`), on stderr, as text for people or one JSON object per
//! line for log pipelines (`--log-format json`). The level comes from `PGRECON_LOG`
//! (an `EnvFilter` directive such as `info` or `pgrecon=debug`), else the command's
//! default.
//!
//! Whatever the filter, the database driver's statement log never reaches the output:
//! `tokio_postgres` logs every statement it prepares or runs at `debug`, and a
//! statement may set a password (`ALTER ROLE … PASSWORD 'SCRAM-SHA-256$…'`).

use crate::escape::{json_text, text_line};
use std::fmt;
use std::io::IsTerminal;
use tracing::field::{Field, Visit};
use tracing_subscriber::Layer;
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::filter::{FilterExt, filter_fn};
use tracing_subscriber::fmt::FormatFields;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

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

/// Targets whose events may carry statement text (and so a password): dropped below
/// `INFO`, which keeps the server's notices and the driver's warnings.
const STATEMENT_LOGGERS: &[&str] = &["tokio_postgres", "postgres_protocol", "postgres"];

/// Whether an event may be shown, whatever the user's filter says.
pub fn may_show(target: &str, level: &tracing::Level) -> bool {
    let statement_logger = STATEMENT_LOGGERS.iter().any(|t| {
        target == *t
            || target
                .strip_prefix(t)
                .is_some_and(|rest| rest.starts_with("::"))
    });
    !(statement_logger && *level > tracing::Level::INFO)
}

/// Installs the global subscriber. `default_filter` applies when `PGRECON_LOG` is unset
/// or invalid.
pub fn init(format: LogFormat, default_filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env(FILTER_ENV)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter));
    let filter = filter.and(filter_fn(|meta| may_show(meta.target(), meta.level())));
    let layer = tracing_subscriber::fmt::layer();
    let layer = match format {
        LogFormat::Text => layer
            .with_writer(std::io::stderr)
            .with_ansi(std::io::stderr().is_terminal())
            .fmt_fields(EscapedFields)
            .boxed(),
        LogFormat::Json => layer
            .with_writer(|| JsonEscaped(std::io::stderr()))
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .boxed(),
    };
    // A second init (tests) is not an error worth failing for.
    let _ = tracing_subscriber::registry()
        .with(layer.with_filter(filter))
        .try_init();
}

/// The text format's fields, the message included. Names and error messages from the
/// live catalog may hold line breaks and terminal escapes: each field is one `text_line`,
/// so an event stays one line. Otherwise as tracing-subscriber's default fields (without
/// the italics on a terminal: their escapes would be escaped too).
pub struct EscapedFields;

impl<'w> FormatFields<'w> for EscapedFields {
    fn format_fields<R: RecordFields>(&self, mut writer: Writer<'w>, fields: R) -> fmt::Result {
        let mut visitor = EscapedVisitor(String::new());
        fields.record(&mut visitor);
        writer.write_str(&visitor.0)
    }
}

struct EscapedVisitor(String);

impl Visit for EscapedVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.record_debug(field, &format_args!("{value}"));
        } else {
            self.record_debug(field, &value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let name = field.name();
        // `log` crate metadata, which the default fields leave out too.
        if name.starts_with("log.") {
            return;
        }
        if !self.0.is_empty() {
            self.0.push(' ');
        }
        let text = match name {
            "message" => format!("{value:?}"),
            name => format!("{}={value:?}", name.strip_prefix("r#").unwrap_or(name)),
        };
        self.0.push_str(&text_line(&text));
    }
}

/// stderr for the JSON format: serde_json leaves line separators and bidi controls raw
/// in strings; `json_text` escapes them as every JSON output does. The formatter writes
/// each event whole, in one call.
struct JsonEscaped(std::io::Stderr);

impl std::io::Write for JsonEscaped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match std::str::from_utf8(buf) {
            Ok(s) => self.0.write_all(json_text(s.to_string()).as_bytes())?,
            Err(_) => self.0.write_all(buf)?,
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::may_show;
    use tracing::Level;

    #[test]
    fn driver_statement_logs_are_never_shown() {
        assert!(!may_show("tokio_postgres::query", &Level::DEBUG));
        assert!(!may_show("tokio_postgres::prepare", &Level::TRACE));
        assert!(!may_show("tokio_postgres", &Level::DEBUG));
        assert!(may_show("tokio_postgres::connection", &Level::INFO));
        assert!(may_show("tokio_postgres_like", &Level::DEBUG));
        assert!(may_show("pgrecon::apply", &Level::TRACE));
    }
}
