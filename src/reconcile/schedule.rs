//! When the next run starts: the interval with jitter after a good run, exponential
//! backoff after a failed one. Pure, apart from the random draw of the jitter.

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// The shortest `--interval` accepted.
pub const MIN_INTERVAL: Duration = Duration::from_secs(10);
/// For tests only: lowers [`MIN_INTERVAL`] to this many milliseconds, so that a test
/// can watch several runs in a few seconds. Not meant for production.
pub const MIN_INTERVAL_ENV: &str = "PGRECON_MIN_INTERVAL_MS";
/// First wait after a failed run; doubled for each further consecutive failure, capped
/// at the interval.
pub const FIRST_BACKOFF: Duration = Duration::from_secs(5);

/// The minimum interval in force: [`MIN_INTERVAL`], unless [`MIN_INTERVAL_ENV`] is set.
pub fn min_interval() -> Duration {
    std::env::var(MIN_INTERVAL_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(MIN_INTERVAL, Duration::from_millis)
}

/// Checks `--interval` against the minimum in force.
pub fn check_interval(interval: Duration) -> Result<(), String> {
    let min = min_interval();
    if interval < min {
        return Err(format!(
            "--interval {} is below the minimum of {}",
            humantime::format_duration(interval),
            humantime::format_duration(min)
        ));
    }
    Ok(())
}

/// Parses `--jitter`: a fraction (`0.1`) or a percentage (`10%`), between 0 and 1.
pub fn parse_jitter(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let value = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map(|v| v / 100.0),
        None => t.parse::<f64>(),
    }
    .map_err(|_| format!("`{text}` is not a fraction (0.1) or a percentage (10%)"))?;
    if !(0.0..=1.0).contains(&value) {
        return Err(format!("jitter `{text}` must be between 0 and 100%"));
    }
    Ok(value)
}

/// `interval` ± `jitter` (a fraction of it), with `unit` a draw in [0, 1).
pub fn jittered(interval: Duration, jitter: f64, unit: f64) -> Duration {
    let factor = 1.0 + jitter * (2.0 * unit - 1.0);
    interval.mul_f64(factor.max(0.0))
}

/// The wait after the `failures`-th consecutive failure (1-based): 5 s, 10 s, 20 s …,
/// never more than `interval`.
pub fn backoff(failures: u32, interval: Duration) -> Duration {
    let exponent = failures.saturating_sub(1).min(20);
    FIRST_BACKOFF
        .saturating_mul(2u32.saturating_pow(exponent))
        .min(interval)
}

/// A draw in [0, 1) from the standard library's randomly seeded hasher (jitter needs
/// no more).
pub fn random_unit() -> f64 {
    let bits = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    // 53 random bits make every f64 in [0, 1) with that spacing equally likely.
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_5s_and_is_capped_at_the_interval() {
        let interval = Duration::from_secs(300);
        let waits: Vec<u64> = (1..=8).map(|n| backoff(n, interval).as_secs()).collect();
        assert_eq!(waits, [5, 10, 20, 40, 80, 160, 300, 300]);
        assert_eq!(backoff(1000, interval), interval);
        assert_eq!(
            backoff(1, Duration::from_secs(2)),
            Duration::from_secs(2),
            "capped even on the first failure"
        );
    }

    #[test]
    fn jitter_stays_within_the_fraction() {
        let interval = Duration::from_secs(300);
        assert_eq!(jittered(interval, 0.1, 0.0), Duration::from_secs(270));
        assert_eq!(jittered(interval, 0.1, 0.5), interval);
        assert!(jittered(interval, 0.1, 0.999_999) <= Duration::from_secs(330));
        assert_eq!(jittered(interval, 0.0, 0.3), interval);
        for _ in 0..1000 {
            let u = random_unit();
            assert!((0.0..1.0).contains(&u));
            let d = jittered(interval, 0.1, u);
            assert!(d >= Duration::from_secs(270) && d <= Duration::from_secs(330));
        }
    }

    #[test]
    fn jitter_parses_fractions_and_percentages() {
        assert_eq!(parse_jitter("0.1").unwrap(), 0.1);
        assert_eq!(parse_jitter("10%").unwrap(), 0.1);
        assert_eq!(parse_jitter("0").unwrap(), 0.0);
        assert!(parse_jitter("150%").is_err());
        assert!(parse_jitter("-0.1").is_err());
        assert!(parse_jitter("lots").is_err());
    }

    #[test]
    fn the_interval_has_a_minimum() {
        // The environment override is exercised by the CLI tests; here the default.
        if std::env::var_os(MIN_INTERVAL_ENV).is_none() {
            assert!(check_interval(Duration::from_secs(9)).is_err());
            assert!(check_interval(Duration::from_secs(10)).is_ok());
        }
    }
}
