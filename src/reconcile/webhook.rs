//! Delivers alert events to the `--webhook` URLs, from a background task so that a slow
//! or dead receiver never delays a run. Each event is posted to each URL in order, with
//! up to [`ATTEMPTS`] attempts (1 s, then 2 s apart) and a 10 s timeout each; what still
//! fails is logged and counted (`pgrecon_webhook_deliveries_total{result="failed"}`).
//! URLs are never logged whole (they often carry a token): only scheme and host.

use super::alerts::{Event, slack_payload};
use super::metrics::Metrics;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

pub const ATTEMPTS: u32 = 3;
const TIMEOUT: Duration = Duration::from_secs(10);

/// The payload shape (`--webhook-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum WebhookFormat {
    /// The event as JSON (documented in the README).
    #[default]
    Json,
    /// `{"text": "…"}`, for Slack incoming webhooks and compatible receivers.
    Slack,
}

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("--webhook `{0}` is not an http(s) URL")]
    BadUrl(String),
    #[error("cannot set up the webhook client: {0}")]
    Client(String),
}

/// Queues events for delivery.
pub struct Notifier {
    tx: Option<mpsc::UnboundedSender<Event>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Notifier {
    /// Checks the URLs and starts the delivery task (none when there is no URL).
    pub fn start(
        urls: &[String],
        format: WebhookFormat,
        metrics: Arc<Metrics>,
    ) -> Result<Notifier, WebhookError> {
        let mut parsed = Vec::new();
        for u in urls {
            let url = reqwest::Url::parse(u).map_err(|_| WebhookError::BadUrl(redact(u)))?;
            if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
                return Err(WebhookError::BadUrl(redact(u)));
            }
            parsed.push(url);
        }
        if parsed.is_empty() {
            return Ok(Notifier {
                tx: None,
                task: None,
            });
        }
        let client = client()?;
        let (tx, mut rx) = mpsc::unbounded_channel::<Event>();
        let task = tokio::spawn(async move {
            while let Some(event) = rx.recv().await {
                let body = match format {
                    WebhookFormat::Json => {
                        serde_json::to_value(&event).expect("an event serializes")
                    }
                    WebhookFormat::Slack => slack_payload(&event),
                };
                for url in &parsed {
                    let ok = deliver(&client, url, &body, event.event.as_str()).await;
                    metrics.count_webhook(ok);
                }
            }
        });
        Ok(Notifier {
            tx: Some(tx),
            task: Some(task),
        })
    }

    pub fn is_enabled(&self) -> bool {
        self.tx.is_some()
    }

    pub fn send(&self, event: Event) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(event);
        }
    }

    /// Delivers what is queued, waiting at most `deadline`.
    pub async fn close(mut self, deadline: Duration) {
        self.tx = None;
        if let Some(task) = self.task.take()
            && tokio::time::timeout(deadline, task).await.is_err()
        {
            tracing::warn!(
                "gave up delivering the remaining webhook events after {}",
                humantime::format_duration(deadline)
            );
        }
    }
}

async fn deliver(
    client: &reqwest::Client,
    url: &reqwest::Url,
    body: &serde_json::Value,
    event: &str,
) -> bool {
    // Escaped as every JSON output is (line separators and bidi controls as \uXXXX).
    let text = crate::escape::json_text(serde_json::to_string(body).expect("a payload serializes"))
        .into_bytes();
    let shown = shown(url);
    for attempt in 1..=ATTEMPTS {
        let result = client
            .post(url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(text.clone())
            .send()
            .await;
        let problem = match result {
            Ok(r) if r.status().is_success() => {
                tracing::debug!(event, webhook = %shown, "webhook delivered");
                return true;
            }
            Ok(r) => format!("HTTP {}", r.status()),
            Err(e) => crate::conn::error_chain(&e.without_url()),
        };
        if attempt < ATTEMPTS {
            tracing::warn!(event, webhook = %shown, attempt, error = %problem, "webhook delivery failed; retrying");
            tokio::time::sleep(Duration::from_secs(u64::from(attempt))).await;
        } else {
            tracing::error!(event, webhook = %shown, attempts = ATTEMPTS, error = %problem, "webhook delivery failed; event dropped");
        }
    }
    false
}

/// An HTTP client with the crate's TLS setup (rustls with ring, Mozilla's roots).
pub fn client() -> Result<reqwest::Client, WebhookError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| WebhookError::Client(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .timeout(TIMEOUT)
        .user_agent(concat!("pgrecon/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| WebhookError::Client(crate::conn::error_chain(&e)))
}

/// Scheme, host and port: what a log may show of a webhook URL.
pub fn shown(url: &reqwest::Url) -> String {
    match url.port() {
        Some(p) => format!("{}://{}:{p}", url.scheme(), url.host_str().unwrap_or("")),
        None => format!("{}://{}", url.scheme(), url.host_str().unwrap_or("")),
    }
}

fn redact(u: &str) -> String {
    match reqwest::Url::parse(u) {
        Ok(url) => format!("{}/…", shown(&url)),
        Err(_) => "(unparsable)".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_never_shown_whole() {
        let m = Arc::new(Metrics::new());
        let err = Notifier::start(&["ftp://x/y".into()], WebhookFormat::Json, m.clone())
            .err()
            .unwrap();
        assert!(err.to_string().contains("ftp://x/…"), "{err}");
        let err = Notifier::start(&["not a url".into()], WebhookFormat::Json, m)
            .err()
            .unwrap();
        assert!(err.to_string().contains("(unparsable)"), "{err}");
        let url = reqwest::Url::parse("https://hooks.example.com/services/T0/B0/secret").unwrap();
        assert_eq!(shown(&url), "https://hooks.example.com");
    }
}
