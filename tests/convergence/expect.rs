//! The expectations file (`tests/corpora/pairs/expected.toml`: each trial's class and
//! first error) and the README's "Convergence" figures, which are rendered from it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// What a trial came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    Converged,
    NoOp,
    ColumnOrder,
    Refused,
    Diverged,
    ApplyFailed,
    ImportFailed,
    PlanFailed,
    OutOfScope,
    DoesNotLoad,
}

impl Class {
    pub const ALL: [Class; 10] = [
        Class::Converged,
        Class::NoOp,
        Class::ColumnOrder,
        Class::Refused,
        Class::Diverged,
        Class::ApplyFailed,
        Class::ImportFailed,
        Class::PlanFailed,
        Class::OutOfScope,
        Class::DoesNotLoad,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Class::Converged => "converged",
            Class::NoOp => "no-op",
            Class::ColumnOrder => "column-order",
            Class::Refused => "refused",
            Class::Diverged => "diverged",
            Class::ApplyFailed => "apply-failed",
            Class::ImportFailed => "import-failed",
            Class::PlanFailed => "plan-failed",
            Class::OutOfScope => "out-of-scope",
            Class::DoesNotLoad => "does-not-load",
        }
    }

    pub fn parse(name: &str) -> Option<Class> {
        Class::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Converged (a no-op pair converges trivially).
    pub fn is_success(self) -> bool {
        matches!(self, Class::Converged | Class::NoOp)
    }
}

/// A trial's result, or what is expected of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub class: Class,
    /// The first differing object, the first error line, the unmanaged objects.
    pub detail: String,
}

#[derive(serde::Deserialize)]
struct File {
    #[serde(default)]
    trials: BTreeMap<String, Entry>,
}

#[derive(serde::Deserialize)]
struct Entry {
    class: String,
    #[serde(default)]
    detail: String,
}

/// The expectations by trial name; an unknown class is an error naming the trial.
pub fn read(path: &Path) -> Result<BTreeMap<String, Outcome>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let file: File = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    file.trials
        .into_iter()
        .map(|(name, entry)| {
            let class = Class::parse(&entry.class).ok_or_else(|| {
                format!(
                    "{}: {name}: unknown class {:?}; choose among {}",
                    path.display(),
                    entry.class,
                    Class::ALL.map(Class::name).join(", ")
                )
            })?;
            let detail = entry.detail;
            Ok((name, Outcome { class, detail }))
        })
        .collect()
}

/// The file's text: a header, then one line per trial, sorted.
pub fn render(expected: &BTreeMap<String, Outcome>) -> String {
    let mut out = String::from(
        "# What each convergence trial comes to (tests/convergence.rs; classes in README.md,\n\
         # \"Convergence\"). The test fails when a trial's class changes: a regression, or a\n\
         # fix to record here. Rewrite with PGRECON_CONVERGENCE_UPDATE=1 cargo test --test convergence\n\
         # (then read the diff). `detail` is informative: the first difference or error.\n\
         \n[trials]\n",
    );
    for (name, outcome) in expected {
        let key = toml::Value::String(name.clone()).to_string();
        let class = toml::Value::String(outcome.class.name().to_owned()).to_string();
        if outcome.detail.is_empty() {
            let _ = writeln!(out, "{key} = {{ class = {class} }}");
        } else {
            let detail = toml::Value::String(outcome.detail.clone()).to_string();
            let _ = writeln!(out, "{key} = {{ class = {class}, detail = {detail} }}");
        }
    }
    out
}

/// `pgschema/create_table/add_pk/forward` → `pgschema/create_table`.
pub fn group_of(name: &str) -> &str {
    let mut cut = name;
    for _ in 0..2 {
        cut = cut.rsplit_once('/').map_or(cut, |(head, _)| head);
    }
    cut
}

/// Counts by group and class, as a Markdown table with a total row.
pub fn summary_table(outcomes: &BTreeMap<String, Outcome>) -> String {
    let mut counts: BTreeMap<&str, BTreeMap<Class, usize>> = BTreeMap::new();
    let mut total: BTreeMap<Class, usize> = BTreeMap::new();
    for (name, outcome) in outcomes {
        *counts
            .entry(group_of(name))
            .or_default()
            .entry(outcome.class)
            .or_default() += 1;
        *total.entry(outcome.class).or_default() += 1;
    }
    let mut out = String::from("| group | trials |");
    for class in Class::ALL {
        let _ = write!(out, " {} |", class.name());
    }
    out.push_str("\n|---|---:|");
    out.push_str(&"---:|".repeat(Class::ALL.len()));
    out.push('\n');
    let mut row = |label: &str, by_class: &BTreeMap<Class, usize>| {
        let n: usize = by_class.values().sum();
        let _ = write!(out, "| {label} | {n} |");
        for class in Class::ALL {
            match by_class.get(&class) {
                Some(c) => {
                    let _ = write!(out, " {c} |");
                }
                None => out.push_str(" |"),
            }
        }
        out.push('\n');
    };
    for (group, by_class) in &counts {
        row(group, by_class);
    }
    row("**total**", &total);
    out
}

pub const README_BEGIN: &str =
    "<!-- convergence figures: begin (rendered from tests/corpora/pairs/expected.toml) -->";
pub const README_END: &str = "<!-- convergence figures: end -->";

/// The README with its figures section rendered from `expected`, or an error if the
/// markers are missing.
pub fn readme_with_figures(
    readme: &str,
    expected: &BTreeMap<String, Outcome>,
) -> Result<String, String> {
    let begin = readme
        .find(README_BEGIN)
        .ok_or_else(|| format!("README.md lacks the line {README_BEGIN}"))?;
    let end = readme
        .find(README_END)
        .ok_or_else(|| format!("README.md lacks the line {README_END}"))?;
    let head = &readme[..begin + README_BEGIN.len()];
    Ok(format!(
        "{head}\n{}{}",
        summary_table(expected),
        &readme[end..]
    ))
}
