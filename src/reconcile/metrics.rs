//! Prometheus metrics of the reconcile loop, and the HTTP server for `/metrics`,
//! `/healthz` and `/readyz` (`--metrics-addr`).
//!
//! | metric | type | meaning |
//! |---|---|---|
//! | `pgrecon_reconcile_total{result}` | counter | runs by result: `in_sync`, `drift`, `corrected`, `error` |
//! | `pgrecon_reconcile_duration_seconds` | histogram | duration of each run |
//! | `pgrecon_drift_items{kind}` | gauge | drift items left after the last completed run: `missing`, `different`, `unexpected` |
//! | `pgrecon_confinement_violations` | gauge | broken confinements found by the last completed run |
//! | `pgrecon_held_back_steps` | gauge | destructive steps enforce did not apply in the last run |
//! | `pgrecon_last_success_timestamp_seconds` | gauge | Unix time of the end of the last run that did not fail |
//! | `pgrecon_apply_steps_total` | counter | steps applied (and verified) by enforce |
//! | `pgrecon_up` | gauge | 1 when the last run reached the database, else 0 |
//! | `pgrecon_desired_state_valid` | gauge | 1 when the desired state on disk loaded at the last run, else 0 (the last good state is in force) |
//! | `pgrecon_consecutive_failures` | gauge | failed runs since the last good one |
//! | `pgrecon_webhook_deliveries_total{result}` | counter | webhook posts: `ok`, `failed` (after retries) |
//!
//! The exposition is the OpenMetrics text format (`prometheus-client`), which Prometheus
//! scrapes natively.

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ResultLabel {
    pub result: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabel {
    pub kind: String,
}

/// Results a run can have (`pgrecon_reconcile_total{result}`).
pub const RESULTS: [&str; 4] = ["in_sync", "drift", "corrected", "error"];
/// Drift kinds counted (`pgrecon_drift_items{kind}`).
pub const DRIFT_KINDS: [&str; 3] = ["missing", "different", "unexpected"];

pub struct Metrics {
    registry: Registry,
    pub reconcile_total: Family<ResultLabel, Counter>,
    pub duration: Histogram,
    pub drift_items: Family<KindLabel, Gauge>,
    pub violations: Gauge,
    pub held_back: Gauge,
    pub last_success: Gauge<f64, AtomicU64>,
    pub apply_steps: Counter,
    pub up: Gauge,
    pub desired_state_valid: Gauge,
    pub consecutive_failures: Gauge,
    pub webhook_deliveries: Family<ResultLabel, Counter>,
    readiness: Mutex<Readiness>,
}

#[derive(Debug, Clone)]
struct Readiness {
    ready: bool,
    reason: String,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let reconcile_total = Family::<ResultLabel, Counter>::default();
        registry.register(
            "pgrecon_reconcile",
            "Reconcile runs by result",
            reconcile_total.clone(),
        );
        let duration = Histogram::new(exponential_buckets(0.05, 2.0, 14));
        registry.register_with_unit(
            "pgrecon_reconcile_duration",
            "Duration of a reconcile run",
            Unit::Seconds,
            duration.clone(),
        );
        let drift_items = Family::<KindLabel, Gauge>::default();
        registry.register(
            "pgrecon_drift_items",
            "Drift items left after the last completed run, by kind",
            drift_items.clone(),
        );
        let violations = Gauge::default();
        registry.register(
            "pgrecon_confinement_violations",
            "Broken declared confinements found by the last completed run",
            violations.clone(),
        );
        let held_back = Gauge::default();
        registry.register(
            "pgrecon_held_back_steps",
            "Destructive steps enforce did not apply in the last run",
            held_back.clone(),
        );
        let last_success = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "pgrecon_last_success_timestamp_seconds",
            "Unix time of the end of the last run that did not fail",
            last_success.clone(),
        );
        let apply_steps = Counter::default();
        registry.register(
            "pgrecon_apply_steps",
            "Steps applied and verified by enforce",
            apply_steps.clone(),
        );
        let up = Gauge::default();
        registry.register(
            "pgrecon_up",
            "1 when the last run reached the database, else 0",
            up.clone(),
        );
        let desired_state_valid = Gauge::default();
        registry.register(
            "pgrecon_desired_state_valid",
            "1 when the desired state loaded at the last run, else 0 (the last good state is in force)",
            desired_state_valid.clone(),
        );
        let consecutive_failures = Gauge::default();
        registry.register(
            "pgrecon_consecutive_failures",
            "Failed runs since the last good one",
            consecutive_failures.clone(),
        );
        let webhook_deliveries = Family::<ResultLabel, Counter>::default();
        registry.register(
            "pgrecon_webhook_deliveries",
            "Webhook posts by result (ok, or failed after retries)",
            webhook_deliveries.clone(),
        );
        // Every series exists from the start, at zero.
        for result in RESULTS {
            let _ = reconcile_total.get_or_create(&label(result));
        }
        for kind in DRIFT_KINDS {
            let _ = drift_items.get_or_create(&KindLabel {
                kind: kind.to_string(),
            });
        }
        for result in ["ok", "failed"] {
            let _ = webhook_deliveries.get_or_create(&label(result));
        }
        Metrics {
            registry,
            reconcile_total,
            duration,
            drift_items,
            violations,
            held_back,
            last_success,
            apply_steps,
            up,
            desired_state_valid,
            consecutive_failures,
            webhook_deliveries,
            readiness: Mutex::new(Readiness {
                ready: false,
                reason: "no run has finished yet".to_string(),
            }),
        }
    }

    /// The text exposition.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("encoding into a String cannot fail");
        out
    }

    pub fn count_run(&self, result: &str) {
        self.reconcile_total.get_or_create(&label(result)).inc();
    }

    pub fn set_drift(&self, kind: &str, n: usize) {
        self.drift_items
            .get_or_create(&KindLabel {
                kind: kind.to_string(),
            })
            .set(i64::try_from(n).unwrap_or(i64::MAX));
    }

    pub fn count_webhook(&self, ok: bool) {
        self.webhook_deliveries
            .get_or_create(&label(if ok { "ok" } else { "failed" }))
            .inc();
    }

    pub fn set_ready(&self, ready: bool, reason: impl Into<String>) {
        let mut r = self.readiness.lock().unwrap_or_else(|e| e.into_inner());
        r.ready = ready;
        r.reason = reason.into();
    }

    pub fn ready(&self) -> (bool, String) {
        let r = self.readiness.lock().unwrap_or_else(|e| e.into_inner());
        (r.ready, r.reason.clone())
    }
}

fn label(result: &str) -> ResultLabel {
    ResultLabel {
        result: result.to_string(),
    }
}

/// Binds `addr` and serves `/metrics`, `/healthz` and `/readyz` in the background.
/// Returns the bound address (port 0 picks a free one).
pub async fn serve(addr: SocketAddr, metrics: Arc<Metrics>) -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let app = Router::new()
        .route("/metrics", get(metrics_handler))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(ready_handler))
        .with_state(metrics);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "the metrics server stopped");
        }
    });
    Ok(local)
}

async fn metrics_handler(State(metrics): State<Arc<Metrics>>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        metrics.encode(),
    )
}

async fn ready_handler(State(metrics): State<Arc<Metrics>>) -> impl IntoResponse {
    let (ready, reason) = metrics.ready();
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        format!("{}: {reason}\n", if ready { "ready" } else { "not ready" }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_series_is_exposed_from_the_start() {
        let m = Metrics::new();
        m.count_run("drift");
        m.set_drift("unexpected", 3);
        m.duration.observe(0.2);
        let text = m.encode();
        for needle in [
            "pgrecon_reconcile_total{result=\"drift\"} 1",
            "pgrecon_reconcile_total{result=\"in_sync\"} 0",
            "pgrecon_reconcile_duration_seconds_count 1",
            "pgrecon_reconcile_duration_seconds_bucket{le=\"+Inf\"} 1",
            "pgrecon_drift_items{kind=\"unexpected\"} 3",
            "pgrecon_drift_items{kind=\"missing\"} 0",
            "pgrecon_last_success_timestamp_seconds ",
            "pgrecon_apply_steps_total 0",
            "pgrecon_up 0",
            "pgrecon_confinement_violations 0",
            "pgrecon_desired_state_valid 0",
        ] {
            assert!(text.contains(needle), "{needle} not in\n{text}");
        }
    }
}
