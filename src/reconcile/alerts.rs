//! Alerts: what each run observed, turned into events once per state change, never on
//! every tick. Pure: [`AlertState::observe`] takes what a run saw and returns the events
//! to send; [`Event`] is the documented webhook payload.
//!
//! The state is four independent things, each with its own transitions:
//!
//! | state | event when it changes |
//! |---|---|
//! | the drift items found | `drift_detected` when an item appears that was not there after the previous run; `drift_corrected` when none is left (`by`: `pgrecon` when this run applied steps, else `external`) |
//! | the run failing | `apply_failed` / `run_failed` on the first failed run (and when the failing stage changes); `recovered` on the first good run after |
//! | the desired state on disk | `desired_state_invalid` when it stops loading (or loads with different errors); `desired_state_valid` when it loads again |
//! | the broken confinements | `confinement_violated` when a violation appears; `confinement_restored` when none is left |

use crate::drift::Counts;
use crate::escape::slack_text;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Items listed in one event at most (the counts are always complete).
pub const MAX_ITEMS: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    DriftDetected,
    DriftCorrected,
    ApplyFailed,
    RunFailed,
    Recovered,
    DesiredStateInvalid,
    DesiredStateValid,
    ConfinementViolated,
    ConfinementRestored,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::DriftDetected => "drift_detected",
            EventKind::DriftCorrected => "drift_corrected",
            EventKind::ApplyFailed => "apply_failed",
            EventKind::RunFailed => "run_failed",
            EventKind::Recovered => "recovered",
            EventKind::DesiredStateInvalid => "desired_state_invalid",
            EventKind::DesiredStateValid => "desired_state_valid",
            EventKind::ConfinementViolated => "confinement_violated",
            EventKind::ConfinementRestored => "confinement_restored",
        }
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The webhook payload (`--webhook-format json`). Fields are only ever added.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub event: EventKind,
    /// Always `pgrecon`.
    pub source: String,
    pub tool_version: String,
    /// RFC 3339, UTC.
    pub timestamp: String,
    /// `warn`, `enforce` or `dry-run`.
    pub mode: String,
    /// The database the run was against, when it got that far.
    pub database: Option<String>,
    /// One line for people.
    pub summary: String,
    /// The drift counts of the run (drift and confinement events).
    pub counts: Option<Counts>,
    /// Every current item (drift items, violations, errors), at most [`MAX_ITEMS`].
    pub items: Vec<String>,
    /// Items that were not there after the previous run.
    pub new_items: Vec<String>,
    /// `drift_corrected`: steps applied by this run.
    pub steps_applied: Option<usize>,
    /// `drift_corrected`: `pgrecon` (this run applied) or `external`.
    pub by: Option<String>,
    /// Failures and invalid desired states: the error.
    pub error: Option<String>,
    /// `recovered`, `apply_failed`, `run_failed`: consecutive failed runs so far.
    pub consecutive_failures: Option<u32>,
}

/// Where a failed run failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Before acting: loading, connecting, reading the catalog, planning.
    Run,
    /// While applying (enforce mode), including refusals.
    Apply,
}

/// What one run saw. `None` fields: the run did not get that far.
#[derive(Debug, Clone, Default)]
pub struct Observation {
    pub database: Option<String>,
    /// The desired state on disk did not load: the error (the last good state, if any,
    /// was used).
    pub invalid_desired: Option<String>,
    /// Drift item keys found before acting.
    pub drift_before: Option<Vec<String>>,
    /// Drift item keys left after acting (warn mode: the same as before).
    pub drift_after: Option<Vec<String>>,
    pub counts: Option<Counts>,
    /// Broken confinement keys.
    pub violations: Option<Vec<String>>,
    pub steps_applied: usize,
    pub failure: Option<(Stage, String)>,
}

/// What the previous runs left; persisted with `--state-file` so that `--once` runs
/// (cron, timers) alert once per transition too.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AlertState {
    drift: BTreeSet<String>,
    violations: BTreeSet<String>,
    failing: Option<Stage>,
    consecutive_failures: u32,
    invalid: Option<String>,
}

impl AlertState {
    pub fn consecutive_failures(&self) -> u32 {
        self.consecutive_failures
    }

    /// Updates the state with what a run saw and returns the events of the changes.
    pub fn observe(&mut self, mode: &str, o: &Observation) -> Vec<Event> {
        let mut events = Vec::new();
        let event = |kind: EventKind, summary: String| Event {
            event: kind,
            source: "pgrecon".to_string(),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            timestamp: crate::report::now(),
            mode: mode.to_string(),
            database: o.database.clone(),
            summary,
            counts: None,
            items: Vec::new(),
            new_items: Vec::new(),
            steps_applied: None,
            by: None,
            error: None,
            consecutive_failures: None,
        };
        let on = match &o.database {
            // The summary is text (logs, Slack): the live name is one escaped line.
            Some(db) => format!(" on database {}", crate::escape::text_line(db)),
            None => String::new(),
        };

        match (&o.invalid_desired, &self.invalid) {
            (Some(message), previous) if previous.as_ref() != Some(message) => {
                let mut e = event(
                    EventKind::DesiredStateInvalid,
                    "the desired state does not load; the last good state stays in force"
                        .to_string(),
                );
                e.error = Some(message.clone());
                events.push(e);
                self.invalid = Some(message.clone());
            }
            (None, Some(_)) => {
                events.push(event(
                    EventKind::DesiredStateValid,
                    "the desired state loads again".to_string(),
                ));
                self.invalid = None;
            }
            _ => {}
        }

        // A good run: recovery first, then what it found.
        if o.failure.is_none() {
            if self.failing.take().is_some() {
                let n = self.consecutive_failures;
                let mut e = event(
                    EventKind::Recovered,
                    format!(
                        "reconcile runs succeed again{on} after {n} failed run{}",
                        if n == 1 { "" } else { "s" }
                    ),
                );
                e.consecutive_failures = Some(n);
                events.push(e);
            }
            self.consecutive_failures = 0;
        }

        if let Some(before) = &o.drift_before {
            let new: Vec<String> = before
                .iter()
                .filter(|k| !self.drift.contains(*k))
                .cloned()
                .collect();
            if !new.is_empty() {
                let counts = o.counts.as_ref();
                let what = counts.map_or_else(
                    || format!("{} item{}", before.len(), plural(before.len())),
                    drift_counts,
                );
                let mut e = event(
                    EventKind::DriftDetected,
                    format!("drift detected{on}: {what} ({} new)", new.len()),
                );
                e.counts = o.counts.clone();
                e.items = capped(before);
                e.new_items = capped(&new);
                events.push(e);
            }
            match &o.drift_after {
                Some(after) => {
                    let was = !self.drift.is_empty() || !before.is_empty();
                    if after.is_empty() && was {
                        let (by, summary) = if o.steps_applied > 0 {
                            (
                                "pgrecon",
                                format!(
                                    "drift corrected{on}: {} step{} applied and verified",
                                    o.steps_applied,
                                    plural(o.steps_applied)
                                ),
                            )
                        } else {
                            (
                                "external",
                                format!("drift no longer found{on}: corrected outside pgrecon"),
                            )
                        };
                        let mut e = event(EventKind::DriftCorrected, summary);
                        e.steps_applied = Some(o.steps_applied);
                        e.by = Some(by.to_string());
                        e.counts = o.counts.clone();
                        events.push(e);
                    }
                    self.drift = after.iter().cloned().collect();
                }
                None => self.drift = before.iter().cloned().collect(),
            }
        }

        if let Some(violations) = &o.violations {
            let new: Vec<String> = violations
                .iter()
                .filter(|k| !self.violations.contains(*k))
                .cloned()
                .collect();
            if !new.is_empty() {
                let mut e = event(
                    EventKind::ConfinementViolated,
                    format!(
                        "{} declared confinement violation{}{on} ({} new)",
                        violations.len(),
                        plural(violations.len()),
                        new.len()
                    ),
                );
                e.counts = o.counts.clone();
                e.items = capped(violations);
                e.new_items = capped(&new);
                events.push(e);
            } else if violations.is_empty() && !self.violations.is_empty() {
                events.push(event(
                    EventKind::ConfinementRestored,
                    format!("every declared confinement holds again{on}"),
                ));
            }
            self.violations = violations.iter().cloned().collect();
        }
        // A failed run: what it found first, then the failure.
        if let Some((stage, error)) = &o.failure {
            self.consecutive_failures += 1;
            if self.failing != Some(*stage) {
                let (kind, what) = match stage {
                    Stage::Apply => (EventKind::ApplyFailed, "apply failed"),
                    Stage::Run => (EventKind::RunFailed, "reconcile run failed"),
                };
                let mut e = event(kind, format!("{what}{on}: {error}"));
                e.error = Some(error.clone());
                e.consecutive_failures = Some(self.consecutive_failures);
                events.push(e);
            }
            self.failing = Some(*stage);
        }
        events
    }
}

fn drift_counts(c: &Counts) -> String {
    let parts: Vec<String> = [
        (c.missing, "missing"),
        (c.different, "different"),
        (c.unexpected, "unexpected"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, w)| format!("{n} {w}"))
    .collect();
    if parts.is_empty() {
        "no items".to_string()
    } else {
        parts.join(", ")
    }
}

fn capped(items: &[String]) -> Vec<String> {
    items.iter().take(MAX_ITEMS).cloned().collect()
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The Slack-compatible payload (`--webhook-format slack`): `{"text": …}`, mrkdwn. Items
/// (drift keys, violation paths) are raw data, each `slack_text` on one line; the
/// summary and the error escape their data already (their line breaks are pgrecon's own,
/// `help:` lines), so they are escaped line by line.
pub fn slack_payload(e: &Event) -> serde_json::Value {
    let lines = |s: &str| s.split('\n').map(slack_text).collect::<Vec<_>>().join("\n");
    let mut text = format!("*pgrecon* ({}) {}", slack_text(&e.mode), lines(&e.summary));
    let list = if e.new_items.is_empty() {
        &e.items
    } else {
        &e.new_items
    };
    for item in list.iter().take(10) {
        text.push_str("\n• ");
        text.push_str(&slack_text(item));
    }
    if list.len() > 10 {
        text.push_str(&format!("\n… and {} more", list.len() - 10));
    }
    if let Some(err) = &e.error
        && !e.summary.contains(err.as_str())
    {
        text.push_str("\n```");
        text.push_str(&lines(err));
        text.push_str("```");
    }
    serde_json::json!({ "text": text })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(drift: &[&str]) -> Observation {
        let keys: Vec<String> = drift.iter().map(|s| s.to_string()).collect();
        Observation {
            database: Some("app".into()),
            drift_before: Some(keys.clone()),
            drift_after: Some(keys),
            violations: Some(Vec::new()),
            ..Observation::default()
        }
    }

    fn kinds(events: &[Event]) -> Vec<EventKind> {
        events.iter().map(|e| e.event).collect()
    }

    #[test]
    fn drift_is_reported_once_per_transition() {
        let mut s = AlertState::default();
        assert!(s.observe("warn", &ok(&[])).is_empty());
        let e = s.observe("warn", &ok(&["a"]));
        assert_eq!(kinds(&e), [EventKind::DriftDetected]);
        assert_eq!(e[0].new_items, ["a"]);
        assert!(
            s.observe("warn", &ok(&["a"])).is_empty(),
            "same drift: no event"
        );
        let e = s.observe("warn", &ok(&["a", "b"]));
        assert_eq!(kinds(&e), [EventKind::DriftDetected]);
        assert_eq!(e[0].new_items, ["b"]);
        assert!(
            s.observe("warn", &ok(&["b"])).is_empty(),
            "less drift: no event"
        );
        let e = s.observe("warn", &ok(&[]));
        assert_eq!(kinds(&e), [EventKind::DriftCorrected]);
        assert_eq!(e[0].by.as_deref(), Some("external"));
        assert!(s.observe("warn", &ok(&[])).is_empty());
    }

    #[test]
    fn enforce_detects_and_corrects_in_one_run() {
        let mut s = AlertState::default();
        let mut o = ok(&["a"]);
        o.drift_after = Some(Vec::new());
        o.steps_applied = 2;
        let e = s.observe("enforce", &o);
        assert_eq!(
            kinds(&e),
            [EventKind::DriftDetected, EventKind::DriftCorrected]
        );
        assert_eq!(e[1].by.as_deref(), Some("pgrecon"));
        assert_eq!(e[1].steps_applied, Some(2));
        assert!(s.observe("enforce", &ok(&[])).is_empty());
    }

    #[test]
    fn failures_alert_once_and_recovery_is_reported() {
        let mut s = AlertState::default();
        let failed = |stage| Observation {
            failure: Some((stage, "connection refused".into())),
            ..Observation::default()
        };
        assert_eq!(
            kinds(&s.observe("warn", &failed(Stage::Run))),
            [EventKind::RunFailed]
        );
        assert!(s.observe("warn", &failed(Stage::Run)).is_empty());
        assert_eq!(s.consecutive_failures(), 2);
        assert_eq!(
            kinds(&s.observe("warn", &failed(Stage::Apply))),
            [EventKind::ApplyFailed],
            "a different stage is a different state"
        );
        let e = s.observe("warn", &ok(&[]));
        assert_eq!(kinds(&e), [EventKind::Recovered]);
        assert_eq!(e[0].consecutive_failures, Some(3));
        assert_eq!(s.consecutive_failures(), 0);
        assert!(s.observe("warn", &ok(&[])).is_empty());
    }

    #[test]
    fn an_apply_failure_still_reports_the_drift_it_found() {
        let mut s = AlertState::default();
        let o = Observation {
            drift_before: Some(vec!["a".into()]),
            failure: Some((Stage::Apply, "lock timeout".into())),
            ..Observation::default()
        };
        assert_eq!(
            kinds(&s.observe("enforce", &o)),
            [EventKind::DriftDetected, EventKind::ApplyFailed]
        );
        // Same drift, same failure: nothing new.
        assert!(s.observe("enforce", &o).is_empty());
    }

    #[test]
    fn an_invalid_desired_state_alerts_once_per_distinct_error() {
        let mut s = AlertState::default();
        let invalid = |m: &str| {
            let mut o = ok(&[]);
            o.invalid_desired = Some(m.to_string());
            o
        };
        assert_eq!(
            kinds(&s.observe("warn", &invalid("bad"))),
            [EventKind::DesiredStateInvalid]
        );
        assert!(s.observe("warn", &invalid("bad")).is_empty());
        assert_eq!(
            kinds(&s.observe("warn", &invalid("worse"))),
            [EventKind::DesiredStateInvalid]
        );
        assert_eq!(
            kinds(&s.observe("warn", &ok(&[]))),
            [EventKind::DesiredStateValid]
        );
    }

    #[test]
    fn confinements_alert_on_change() {
        let mut s = AlertState::default();
        let mut o = ok(&[]);
        o.violations = Some(vec!["app: SUPERUSER".into()]);
        assert_eq!(
            kinds(&s.observe("warn", &o)),
            [EventKind::ConfinementViolated]
        );
        assert!(s.observe("warn", &o).is_empty());
        assert_eq!(
            kinds(&s.observe("warn", &ok(&[]))),
            [EventKind::ConfinementRestored]
        );
    }

    #[test]
    fn slack_payload_is_text() {
        let mut s = AlertState::default();
        let e = s.observe("warn", &ok(&["missing: create role x"]));
        let v = slack_payload(&e[0]);
        let text = v["text"].as_str().unwrap();
        assert!(text.contains("drift detected on database app"), "{text}");
        assert!(text.contains("• missing: create role x"), "{text}");
        assert_eq!(v.as_object().unwrap().len(), 1);
    }
}
