//! Fuzzing of `validate` (the loader and validator) on stable Rust: structure-aware,
//! seeded mutations of real desired states (the shipped `desired-state/`, the desired
//! states of `tests/cases/`, `tests/pair/` and `tests/corpora/pairs/expected.toml`, and
//! the imports of the real-world corpora kept in `tests/fuzz_validate/seeds/`, refreshed
//! by `tests/corpora.rs`'s ignored `regenerate_fuzz_seeds`), each loaded from a
//! directory as `pgrecon validate` does, and its errors rendered.
//!
//! Asserted for every input: no panic (in loading or in rendering), every error points
//! at a file and a span, and the input is done within a generous bound of 10 s, watched
//! from another thread (a hang, not a speed check: a linear validator takes milliseconds
//! per input).
//!
//! CI runs a short run with a fixed seed. A long run (README.md, "Fuzzing"):
//!
//! ```text
//! PGRECON_FUZZ_ITERS=5000 PGRECON_FUZZ_SEED=15 cargo test --locked \
//!     --test fuzz_validate -- --exact fuzz_validate --nocapture
//! ```
//!
//! A failing input is written to `target/fuzz-failures/<seed>-<iteration>/`; reproduce
//! with `cargo run -- validate --dir target/fuzz-failures/<seed>-<iteration>`.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// One desired state: (path relative to its directory, contents).
type State = Vec<(PathBuf, Vec<u8>)>;

const DEFAULT_ITERS: u64 = 300;
const DEFAULT_SEED: u64 = 0x5eed_1515;
const HANG: Duration = Duration::from_secs(10);

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read_state(dir: &Path, base: &Path, out: &mut State) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            read_state(&path, base, out);
        } else if path.extension().is_some_and(|e| e == "toml" || e == "sql") {
            let rel = path.strip_prefix(base).unwrap().to_path_buf();
            out.push((rel, std::fs::read(&path).unwrap()));
        }
    }
}

/// The seeds: every real desired state of the repository.
fn seeds() -> Vec<State> {
    let root = manifest();
    let mut dirs = vec![
        root.join("desired-state"),
        root.join("tests/pair/a"),
        root.join("tests/pair/b"),
    ];
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root.join("tests/cases"))
        .unwrap()
        .map(|e| e.unwrap().path().join("desired"))
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    dirs.extend(cases);
    // The imports of tests/corpora/ (adventureworks, chinook, pagila).
    let mut corpora: Vec<PathBuf> = std::fs::read_dir(root.join("tests/fuzz_validate/seeds"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    corpora.sort();
    assert_eq!(corpora.len(), 3, "the corpora's imports: {corpora:?}");
    dirs.extend(corpora);
    let mut seeds: Vec<State> = dirs
        .iter()
        .map(|d| {
            let mut s = State::new();
            read_state(d, d, &mut s);
            s
        })
        .filter(|s| !s.is_empty())
        .collect();
    let expected = root.join("tests/corpora/pairs/expected.toml");
    if let Ok(bytes) = std::fs::read(&expected) {
        seeds.push(vec![(PathBuf::from("expected.toml"), bytes)]);
    }
    seeds
}

// ---------------------------------------------------------------------------------------
// Mutations.

const SQL_FRAGMENTS: &[&str] = &[
    "SELECT $1",
    "numeric(1_000_000,2)",
    "1_000",
    "'; DROP TABLE x; --",
    "((((((((((",
    "))))",
    "$$",
    "$a$ unterminated",
    "E'\\\\x00'",
    "varchar(-1)",
    "int[][][][][][][][]",
    "now() +",
    "CASE WHEN",
    "/* unterminated",
    "\"\"",
    "U&\"\\0000\"",
    "char(10485761)",
    "timestamp(7) with time zone",
    "SELECT 1; SELECT 2",
    "interval '1' year to second(9)",
];

const CONTROL: &[&str] = &[
    "\0",
    "\u{1}",
    "\u{7}",
    "\u{8}",
    "\u{b}",
    "\u{c}",
    "\r",
    "\u{1b}[31m",
    "\u{7f}",
    "\u{202e}",
    "\u{feff}",
    "\t",
    "\u{2028}",
    "é",
    "𝕏",
];

const KEYS: &[&str] = &[
    "owner",
    "login",
    "columns",
    "type",
    "schema",
    "name",
    "grants",
    "member_of",
    "primary_key",
    "default",
    "query",
    "expect",
    "nullable",
    "password",
    "renamed_from",
    "bogus",
    "\"\"",
    "\"a.b.c\"",
    "public",
    "PUBLIC",
];

const VALUES: &[&str] = &[
    "1",
    "-1",
    "9223372036854775808",
    "1.5",
    "nan",
    "inf",
    "true",
    "\"\"",
    "\"x\"",
    "[]",
    "[1, \"a\"]",
    "{}",
    "{ a = 1 }",
    "1979-05-27T07:32:00Z",
    "'''\nmulti\n'''",
    "\"\\u0000\"",
];

fn pick<'a>(rng: &mut fastrand::Rng, items: &[&'a str]) -> &'a str {
    items[rng.usize(..items.len())]
}

/// Line starts (byte offsets) of a text.
fn line_starts(text: &[u8]) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(
        text.iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i + 1),
    );
    starts
}

fn random_line(rng: &mut fastrand::Rng, text: &[u8]) -> std::ops::Range<usize> {
    let starts = line_starts(text);
    let i = rng.usize(..starts.len());
    let start = starts[i];
    let end = starts.get(i + 1).copied().unwrap_or(text.len());
    start..end
}

/// Byte ranges of the insides of basic strings (`"…"`) on one line.
fn strings(text: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    for (i, b) in text.iter().enumerate() {
        match (b, open) {
            (b'\n', _) => open = None,
            (b'"', None) => open = Some(i + 1),
            (b'"', Some(s)) => {
                out.push(s..i);
                open = None;
            }
            _ => {}
        }
    }
    out
}

/// Byte ranges of values (after `= ` up to the end of the line).
fn values(text: &[u8]) -> Vec<std::ops::Range<usize>> {
    let starts = line_starts(text);
    let mut out = Vec::new();
    for (i, &s) in starts.iter().enumerate() {
        let e = starts.get(i + 1).map(|e| e - 1).unwrap_or(text.len());
        if let Some(eq) = text[s..e].windows(3).position(|w| w == b" = ") {
            out.push(s + eq + 3..e);
        }
    }
    out
}

fn long_text(rng: &mut fastrand::Rng) -> String {
    let len = match rng.u8(..4) {
        0 => rng.usize(100..2_000),
        1 => rng.usize(2_000..20_000),
        2 => rng.usize(20_000..120_000),
        _ => 63 + rng.usize(..4),
    };
    let unit = pick(rng, &["a", "é", "x_", "ab ", "𝕏", "'", "\\\\", "$"]);
    unit.repeat(len / unit.len().max(1) + 1)
}

fn splice(text: &mut Vec<u8>, range: std::ops::Range<usize>, with: &[u8]) {
    text.splice(range, with.iter().copied());
}

/// One mutation of one file; `other` is a file of another seed, for cross-over.
fn mutate(rng: &mut fastrand::Rng, text: &mut Vec<u8>, other: &[u8]) {
    let at = |rng: &mut fastrand::Rng, t: &Vec<u8>| rng.usize(..=t.len());
    match rng.u8(..20) {
        0 => {
            // Byte flips, anywhere (invalid UTF-8 included).
            for _ in 0..rng.usize(1..4) {
                if !text.is_empty() {
                    let i = rng.usize(..text.len());
                    text[i] ^= 1 << rng.u8(..8);
                }
            }
        }
        1 => {
            let i = at(rng, text);
            text.truncate(i);
        }
        2 => {
            // A very long string value.
            let s = strings(text);
            let long = long_text(rng);
            if s.is_empty() {
                let i = at(rng, text);
                splice(text, i..i, format!("\nx = \"{long}\"\n").as_bytes());
            } else {
                let r = s[rng.usize(..s.len())].clone();
                splice(text, r, long.as_bytes());
            }
        }
        3 => {
            // A very long line: a comment, or a long key.
            let long = long_text(rng).replace(['\'', '\\', '$'], "a");
            let line = if rng.bool() {
                format!("# {long}\n")
            } else {
                format!("{long} = 1\n")
            };
            let r = random_line(rng, text);
            splice(text, r.start..r.start, line.as_bytes());
        }
        4 => {
            // Deep nesting.
            let depth = rng.usize(1..3_000);
            let nested = if rng.bool() {
                format!("{}1{}", "[".repeat(depth), "]".repeat(depth))
            } else {
                format!("{}1{}", "{ a = ".repeat(depth), " }".repeat(depth))
            };
            let r = random_line(rng, text);
            splice(
                text,
                r.start..r.start,
                format!("deep = {nested}\n").as_bytes(),
            );
        }
        5 | 6 => {
            // Control characters, NUL, bidi and multi-byte characters.
            let c = pick(rng, CONTROL);
            let s = strings(text);
            let i = if !s.is_empty() && rng.bool() {
                let r = &s[rng.usize(..s.len())];
                rng.usize(r.start..=r.end)
            } else {
                at(rng, text)
            };
            splice(text, i..i, c.as_bytes());
        }
        7 => {
            // A duplicated line (duplicated keys).
            let r = random_line(rng, text);
            let line = text[r.clone()].to_vec();
            splice(text, r.end..r.end, &line);
        }
        8 => {
            // A duplicated section.
            let r = random_line(rng, text);
            let end = (r.start..text.len())
                .skip(1)
                .find(|&i| text[i] == b'[' && text[i - 1] == b'\n')
                .unwrap_or(text.len());
            let section = text[r.start..end].to_vec();
            text.extend_from_slice(b"\n");
            text.extend_from_slice(&section);
        }
        9 => {
            // Unknown or misplaced key.
            let line = format!("{} = {}\n", pick(rng, KEYS), pick(rng, VALUES));
            let r = random_line(rng, text);
            splice(text, r.end..r.end, line.as_bytes());
        }
        10 | 11 => {
            // Wrong type: a value replaced by another value.
            let v = values(text);
            if !v.is_empty() {
                let r = v[rng.usize(..v.len())].clone();
                splice(text, r, pick(rng, VALUES).as_bytes());
            }
        }
        12 | 13 => {
            // SQL fragments in strings.
            let s = strings(text);
            if !s.is_empty() {
                let r = s[rng.usize(..s.len())].clone();
                let f = pick(rng, SQL_FRAGMENTS)
                    .replace('\\', "\\\\")
                    .replace('"', "\\\"");
                splice(text, r, f.as_bytes());
            }
        }
        14 => {
            // Line deleted.
            let r = random_line(rng, text);
            splice(text, r, b"");
        }
        15 => {
            // Cross-over with another seed.
            if !other.is_empty() {
                let r = random_line(rng, other);
                let n = rng.usize(1..20);
                let end = (r.start + n * 40).min(other.len());
                let piece = other[r.start..end].to_vec();
                let at_line = random_line(rng, text);
                splice(text, at_line.start..at_line.start, &piece);
            }
        }
        16 => {
            // Many bad entries.
            let n = rng.usize(10..3_000);
            let mut block = String::new();
            for i in 0..n {
                block.push_str(&format!(
                    "[roles.r{i}]\nowner = \"nobody{i}\"\nmember_of = [\"ghost{i}\"]\nbogus{i} = 1\n"
                ));
            }
            text.extend_from_slice(block.as_bytes());
        }
        17 => {
            // A long name declared and referenced wrongly (the did-you-mean pair).
            let name = long_text(rng).replace(['\'', '\\', '$', '"'], "a");
            let mut wrong = name.clone();
            wrong.push('z');
            text.extend_from_slice(
                format!("\n[roles.\"{name}\"]\n\n[schemas.s_long]\nowner = \"{wrong}\"\n")
                    .as_bytes(),
            );
        }
        18 => {
            // A check with a parameter, or other SQL, in `[[check]]`.
            let q = pick(rng, SQL_FRAGMENTS)
                .replace('\\', "\\\\")
                .replace('"', "\\\"");
            text.extend_from_slice(
                format!(
                    "\n[[check]]\nname = \"c{}\"\nquery = \"{q}\"\n",
                    rng.u32(..)
                )
                .as_bytes(),
            );
        }
        _ => {
            // Random bytes inserted.
            let n = rng.usize(1..16);
            let bytes: Vec<u8> = (0..n).map(|_| rng.u8(..)).collect();
            let i = at(rng, text);
            splice(text, i..i, &bytes);
        }
    }
}

fn mutant(rng: &mut fastrand::Rng, seeds: &[State]) -> State {
    let mut state = seeds[rng.usize(..seeds.len())].clone();
    let other_seed = &seeds[rng.usize(..seeds.len())];
    let other = other_seed[rng.usize(..other_seed.len())].1.clone();
    for _ in 0..rng.usize(1..5) {
        let f = rng.usize(..state.len());
        mutate(rng, &mut state[f].1, &other);
    }
    state
}

// ---------------------------------------------------------------------------------------
// Running one input.

enum Outcome {
    Valid,
    /// Errors, with those that point at no file and span.
    Errors {
        count: usize,
        unlocated: Vec<String>,
    },
}

/// Loads and validates `dir` as `pgrecon validate` does, and renders the errors.
fn validate(dir: &Path) -> Outcome {
    match pgrecon::config::load_dir(dir) {
        Ok(_) => Outcome::Valid,
        Err(errors) => {
            let rendered = pgrecon::config::render(&errors);
            assert!(rendered.contains("error"));
            let unlocated = errors
                .errors
                .iter()
                .filter(|e| e.file().is_none() || e.span().is_none())
                .map(|e| e.message().to_string())
                .collect();
            Outcome::Errors {
                count: errors.errors.len(),
                unlocated,
            }
        }
    }
}

fn write_state(dir: &Path, state: &State) {
    for (rel, bytes) in state {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

/// Runs one input in its own thread (the 8 MiB stack of a main thread), watched for
/// `HANG`. `Err` describes a panic or a hang.
fn run_one(dir: PathBuf) -> Result<Outcome, String> {
    run_within(dir, HANG)
}

fn run_within(dir: PathBuf, bound: Duration) -> Result<Outcome, String> {
    let (tx, rx) = mpsc::channel();
    let worker = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            let result = std::panic::catch_unwind(|| validate(&dir));
            let _ = tx.send(result);
        })
        .unwrap();
    match rx.recv_timeout(bound) {
        Ok(Ok(outcome)) => {
            worker.join().unwrap();
            Ok(outcome)
        }
        Ok(Err(payload)) => {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Err(format!("panic: {message}"))
        }
        // The worker is left behind: the test fails.
        Err(_) => Err(format!("hang: not done after {} s", bound.as_secs())),
    }
}

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, not `{v}`")),
        Err(_) => default,
    }
}

#[test]
fn fuzz_validate() {
    let iters = env_u64("PGRECON_FUZZ_ITERS", DEFAULT_ITERS);
    let seed = env_u64("PGRECON_FUZZ_SEED", DEFAULT_SEED);
    let seeds = seeds();
    assert!(seeds.len() > 50, "expected the repository's desired states");
    let failures_dir = manifest().join("target/fuzz-failures");
    let mut rng = fastrand::Rng::with_seed(seed);
    let (mut valid, mut rejected, mut errors) = (0u64, 0u64, 0u64);
    let mut failures = Vec::new();
    for i in 0..iters {
        let state = mutant(&mut rng, &seeds);
        let tmp = tempfile::tempdir().unwrap();
        write_state(tmp.path(), &state);
        let problem = match run_one(tmp.path().to_path_buf()) {
            Ok(Outcome::Valid) => {
                valid += 1;
                None
            }
            Ok(Outcome::Errors { count, unlocated }) => {
                rejected += 1;
                errors += count as u64;
                (!unlocated.is_empty()).then(|| format!("errors without a location: {unlocated:?}"))
            }
            Err(e) => Some(e),
        };
        if let Some(problem) = problem {
            let keep = failures_dir.join(format!("{seed}-{i}"));
            let _ = std::fs::remove_dir_all(&keep);
            write_state(&keep, &state);
            let short: String = problem.chars().take(600).collect();
            eprintln!("input {i} ({}): {short}", keep.display());
            failures.push(short);
            if problem.starts_with("hang") || failures.len() >= 20 {
                break;
            }
        }
    }
    eprintln!(
        "fuzz_validate: seed {seed}, {iters} inputs: {valid} valid, {rejected} rejected \
         ({errors} errors), {} failures",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} failing inputs: {failures:#?}",
        failures.len()
    );
}

// ---------------------------------------------------------------------------------------
// The classes of defects the fuzzing found, one input each.

/// Loads `files` from a directory and renders the errors, in a watched thread.
fn errors_of(
    files: &[(&str, &[u8])],
    bound: Duration,
) -> (Vec<pgrecon::config::ConfigError>, String) {
    let tmp = tempfile::tempdir().unwrap();
    let state: State = files
        .iter()
        .map(|(p, b)| (PathBuf::from(p), b.to_vec()))
        .collect();
    write_state(tmp.path(), &state);
    let dir = tmp.path().to_path_buf();
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            let errors = pgrecon::config::load_dir(&dir).expect_err("the input is invalid");
            let rendered = pgrecon::config::render(&errors);
            let _ = tx.send((errors.errors, rendered));
        })
        .unwrap();
    rx.recv_timeout(bound)
        .unwrap_or_else(|_| panic!("not done after {} s (or panicked)", bound.as_secs()))
}

#[test]
fn labels_far_into_a_long_line_render_cut() {
    // The label at column 70,000: the renderer used to panic ("Formatting argument out
    // of range") drawing the underline that far.
    let long = "a".repeat(70_000);
    let toml = format!("[roles]\napp = {{ comment = \"{long}\", logn = true }}\n");
    let (errors, rendered) = errors_of(&[("roles.toml", toml.as_bytes())], HANG);
    assert_eq!(errors.len(), 1, "{rendered}");
    assert!(rendered.contains("[roles.toml:2:"), "{rendered}");
    assert!(rendered.contains("…"), "the line is cut: {rendered}");
    assert!(rendered.contains("logn"), "{rendered}");
    let widest = rendered.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(widest < 400, "a line of {widest} characters");
}

#[test]
fn spans_at_the_end_of_the_file_and_in_multibyte_text_render() {
    for toml in [
        "[roles.app".as_bytes().to_vec(),
        "[roles.app]\nlogin = ".as_bytes().to_vec(),
        format!("[roles.\"{}\"]\nlogn = 1\n", "é𝕏".repeat(30_000)).into_bytes(),
        format!("# {}\n[roles.app]\nlogn = 1", "é".repeat(50_000)).into_bytes(),
    ] {
        let (errors, rendered) = errors_of(&[("roles.toml", &toml)], HANG);
        assert!(!errors.is_empty());
        assert!(rendered.contains("[roles.toml:"), "{rendered}");
    }
}

#[test]
fn invalid_utf8_is_reported_at_its_line_and_column() {
    let toml = b"[roles.app]\nlogin = true\ncomment = \"caf\xe9\"\n";
    let (errors, rendered) = errors_of(&[("roles.toml", toml)], HANG);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].file(), Some("roles.toml"));
    assert!(errors[0].span().is_some());
    assert!(rendered.contains("[roles.toml:3:15]"), "{rendered}");
    // Only the line of the invalid byte is shown, and no value of a password line.
    let toml = b"[roles.app]\npassword = { scram = \"hunter2\xff\" }\n";
    let (_, rendered) = errors_of(&[("roles.toml", toml)], HANG);
    assert!(!rendered.contains("hunter2"), "{rendered}");
    assert!(rendered.contains("[roles.toml:2:"), "{rendered}");
}

#[test]
fn check_queries_with_parameters_are_rejected_at_the_parameter() {
    let toml =
        b"[[check]]\nname = \"p\"\nquery = \"SELECT count(*) = $1 FROM pg_roles\"\nexpect = true\n";
    let (errors, rendered) = errors_of(&[("checks.toml", toml)], HANG);
    assert_eq!(errors.len(), 1, "{rendered}");
    assert!(rendered.contains("[checks.toml:3:28]"), "{rendered}");
    assert!(rendered.contains("`$1`"), "{rendered}");
}

/// Thousands of errors in a big file, and a did-you-mean between two huge names: the
/// work was quadratic (each error scanned the file from its start to find its line;
/// each suggestion compared every pair of characters). Linear, each takes seconds in a
/// debug build; the bound is one of a hang, several times that.
#[test]
fn thousands_of_errors_and_huge_names_stay_linear() {
    let bound = Duration::from_secs(60);
    let mut toml = String::new();
    for i in 0..5_000 {
        toml.push_str(&format!(
            "[roles.role_{i:05}]\nmember_of = [\"ghost_{i:05}\"]\nlogn = true\ncomment = \"{}\"\n",
            "x".repeat(120)
        ));
    }
    assert!(toml.len() > 900_000);
    let (errors, _) = errors_of(&[("roles.toml", toml.as_bytes())], bound);
    assert_eq!(errors.len(), 10_000);

    let name = "r".repeat(100_000);
    let toml = format!("[roles.{name}]\n\n[schemas.s]\nowner = \"{name}x\"\n");
    let (errors, rendered) = errors_of(&[("all.toml", toml.as_bytes())], bound);
    assert!(!errors.is_empty());
    assert!(
        rendered.contains("rrr…rrr"),
        "a long name is shown cut: {rendered}"
    );
    assert!(rendered.len() < 10_000, "{rendered}");
}
