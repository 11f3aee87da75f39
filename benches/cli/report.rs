//! The figures as Markdown tables (ready for the README), with issue 14's targets.

use crate::measure::{Sample, median};
use std::time::Duration;

/// The size issue 14's absolute targets are stated for.
pub const TARGET_TABLES: usize = 10_000;

/// A target of issue 14, at [`TARGET_TABLES`] tables.
#[derive(Clone, Copy)]
pub struct Target {
    pub wall: Option<Duration>,
    /// Of the command's wall time to `pg_dump --schema-only`'s in the same round.
    pub ratio: Option<f64>,
    pub rss_mib: Option<u64>,
}

impl Target {
    pub const NONE: Target = Target {
        wall: None,
        ratio: None,
        rss_mib: None,
    };

    /// No-op plan, drift and verify: at most 0.5 s, a tenth of `pg_dump -s`, 150 MB.
    pub const READ: Target = Target {
        wall: Some(Duration::from_millis(500)),
        ratio: Some(0.1),
        rss_mib: Some(150),
    };

    /// The plan of everything to create: at most 2 s.
    pub const FROM_EMPTY: Target = Target {
        wall: Some(Duration::from_secs(2)),
        ratio: None,
        rss_mib: None,
    };

    fn text(&self) -> String {
        let mut parts = Vec::new();
        if let Some(wall) = self.wall {
            parts.push(format!("≤ {}", secs(wall)));
        }
        if let Some(ratio) = self.ratio {
            parts.push(format!("≤ {ratio}×"));
        }
        if let Some(rss) = self.rss_mib {
            parts.push(format!("≤ {rss} MB"));
        }
        if parts.is_empty() {
            "—".to_string()
        } else {
            parts.join(", ")
        }
    }

    /// Which parts are missed, and by how much; `None` when there is nothing to judge.
    fn verdict(&self, wall: Duration, ratio: Option<f64>, rss_mib: u64) -> Option<String> {
        if self.wall.is_none() && self.ratio.is_none() && self.rss_mib.is_none() {
            return None;
        }
        let mut missed = Vec::new();
        if let Some(target) = self.wall.filter(|t| wall > *t) {
            missed.push(format!(
                "wall {:.1}×",
                wall.as_secs_f64() / target.as_secs_f64()
            ));
        }
        if let (Some(target), Some(ratio)) = (self.ratio, ratio)
            && ratio > target
        {
            missed.push(format!("ratio {:.1}×", ratio / target));
        }
        if let Some(target) = self.rss_mib.filter(|t| rss_mib > *t) {
            missed.push(format!("RSS {:.1}×", rss_mib as f64 / target as f64));
        }
        Some(if missed.is_empty() {
            "met".to_string()
        } else {
            format!("no ({} over)", missed.join(", "))
        })
    }
}

/// One command's runs at one size.
pub struct Row {
    pub name: String,
    pub target: Target,
    pub samples: Vec<Sample>,
    /// Wall time over `pg_dump -s`'s, round by round.
    pub ratios: Vec<f64>,
}

impl Row {
    pub fn median_wall(&self) -> Duration {
        median(&self.samples.iter().map(|s| s.wall).collect::<Vec<_>>()).unwrap_or_default()
    }

    fn peak_rss_mib(&self) -> u64 {
        let kib = self.samples.iter().map(|s| s.peak_rss_kib).max();
        kib.unwrap_or(0).div_ceil(1024)
    }
}

/// The table of one size.
pub fn size_table(tables: usize, rows: &[Row]) -> String {
    let judged = tables == TARGET_TABLES;
    let mut out = String::from(
        "| command | median wall (min–max) | × `pg_dump -s` | peak RSS | target (10k tables) | met at 10k |\n\
         |---|---|---|---|---|---|\n",
    );
    for row in rows {
        let walls: Vec<Duration> = row.samples.iter().map(|s| s.wall).collect();
        let (min, max) = (
            walls.iter().min().copied().unwrap_or_default(),
            walls.iter().max().copied().unwrap_or_default(),
        );
        let ratio = median(&row.ratios);
        let ratio_text = ratio.map_or("—".to_string(), |r| format!("{r:.2}"));
        let verdict = judged
            .then(|| {
                row.target
                    .verdict(row.median_wall(), ratio, row.peak_rss_mib())
            })
            .flatten()
            .unwrap_or_else(|| "—".to_string());
        out.push_str(&format!(
            "| {} | {} ({}–{}) | {} | {} MB | {} | {} |\n",
            row.name,
            secs(row.median_wall()),
            secs(min),
            secs(max),
            ratio_text,
            row.peak_rss_mib(),
            row.target.text(),
            verdict,
        ));
    }
    out
}

/// How each command's median grows from one size to the next, against the growth of the
/// catalog (issue 14: 50k tables within 5.5× the 10k time, i.e. at most 1.1× linear).
pub fn scaling_table(sizes: &[(usize, Vec<Row>)]) -> Option<String> {
    if sizes.len() < 2 {
        return None;
    }
    let mut out = String::from("| command |");
    let mut rule = String::from("|---|");
    for pair in sizes.windows(2) {
        out.push_str(&format!(" {} → {} tables |", pair[0].0, pair[1].0));
        rule.push_str("---|");
    }
    out.push('\n');
    out.push_str(&rule);
    out.push('\n');
    for (i, row) in sizes[0].1.iter().enumerate() {
        out.push_str(&format!("| {} |", row.name));
        for pair in sizes.windows(2) {
            let (small, large) = (&pair[0].1[i], &pair[1].1[i]);
            let growth = large.median_wall().as_secs_f64() / small.median_wall().as_secs_f64();
            let linear = pair[1].0 as f64 / pair[0].0 as f64;
            out.push_str(&format!(
                " {growth:.1}× (linear {linear:.1}×, {:.2} of it) |",
                growth / linear
            ));
        }
        out.push('\n');
    }
    Some(out)
}

fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 10.0 {
        format!("{s:.2} s")
    } else {
        format!("{s:.1} s")
    }
}
