//! `valid_until` values in the canonical form introspection reads them in: what
//! PostgreSQL prints for a `timestamptz` with `DateStyle=ISO, TimeZone=UTC`
//! (`2027-01-01 00:00:00+00`, fractional seconds only when non-zero). Equal instants
//! written differently compare equal.

/// `Ok(None)` for `infinity` (no expiry). Accepts `YYYY-MM-DD`, optionally followed by
/// ` HH:MM[:SS[.ffffff]]` (or `T…`) and an offset (`Z`, `UTC`, `+HH`, `+HH:MM`, `+HHMM`).
/// A value without an offset is UTC.
pub(crate) fn canonical_timestamptz(text: &str) -> Result<Option<String>, &'static str> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("infinity") {
        return Ok(None);
    }
    if text.eq_ignore_ascii_case("-infinity") {
        return Ok(Some("-infinity".to_string()));
    }
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    let year = p.digits(4, 4).ok_or("expected a date such as 2027-01-01")?;
    p.expect(b'-').ok_or("expected a date such as 2027-01-01")?;
    let month = p.digits(2, 2).ok_or("expected a date such as 2027-01-01")?;
    p.expect(b'-').ok_or("expected a date such as 2027-01-01")?;
    let day = p.digits(2, 2).ok_or("expected a date such as 2027-01-01")?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return Err("no such date");
    }
    let (mut hour, mut minute, mut second, mut fraction) = (0, 0, 0, String::new());
    if p.eat(b'T')
        || p.eat(b't')
        || (p.peek() == Some(b' ') && p.peek_at(1).is_some_and(|c| c.is_ascii_digit()))
    {
        p.eat(b' ');
        hour = p.digits(2, 2).ok_or("expected a time such as 00:00:00")?;
        p.expect(b':').ok_or("expected a time such as 00:00:00")?;
        minute = p.digits(2, 2).ok_or("expected a time such as 00:00:00")?;
        if p.eat(b':') {
            second = p.digits(2, 2).ok_or("expected a time such as 00:00:00")?;
            if p.eat(b'.') {
                let start = p.i;
                while p.peek().is_some_and(|c| c.is_ascii_digit()) {
                    p.i += 1;
                }
                fraction = text[start..p.i].to_string();
                if fraction.is_empty() {
                    return Err("expected digits after the decimal point");
                }
                if fraction.len() > 6 {
                    return Err("PostgreSQL keeps at most microseconds");
                }
            }
        }
        if hour > 23 || minute > 59 || second > 59 {
            return Err("no such time");
        }
    }
    while p.eat(b' ') {}
    let offset_seconds: i64 = match p.peek() {
        None => 0,
        Some(b'Z' | b'z') => {
            p.i += 1;
            0
        }
        Some(b'U' | b'u') => {
            let rest = &text[p.i..];
            if rest.len() >= 3 && rest[..3].eq_ignore_ascii_case("UTC") {
                p.i += 3;
                0
            } else {
                return Err("expected an offset such as +00 or Z");
            }
        }
        Some(sign @ (b'+' | b'-')) => {
            p.i += 1;
            let hours = p
                .digits(2, 2)
                .ok_or("expected an offset such as +00 or Z")?;
            p.eat(b':');
            let minutes = if p.peek().is_some_and(|c| c.is_ascii_digit()) {
                p.digits(2, 2).ok_or("expected an offset such as +00:00")?
            } else {
                0
            };
            if hours > 15 || minutes > 59 {
                return Err("no such offset");
            }
            let seconds = hours * 3600 + minutes * 60;
            if sign == b'+' { seconds } else { -seconds }
        }
        Some(_) => return Err("expected an offset such as +00 or Z"),
    };
    if p.i != p.s.len() {
        return Err("unexpected text after the timestamp");
    }
    let local = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    let utc = local - offset_seconds;
    let days = utc.div_euclid(86_400);
    let secs = utc.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let fraction = fraction.trim_end_matches('0');
    let fraction = if fraction.is_empty() {
        String::new()
    } else {
        format!(".{fraction}")
    };
    Ok(Some(format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}{fraction}+00",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )))
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn peek_at(&self, n: usize) -> Option<u8> {
        self.s.get(self.i + n).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: u8) -> Option<()> {
        self.eat(c).then_some(())
    }

    fn digits(&mut self, min: usize, max: usize) -> Option<i64> {
        let start = self.i;
        while self.i - start < max && self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        if self.i - start < min {
            return None;
        }
        std::str::from_utf8(&self.s[start..self.i])
            .ok()?
            .parse()
            .ok()
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::canonical_timestamptz as c;

    fn ok(text: &str) -> String {
        c(text).unwrap().unwrap()
    }

    #[test]
    fn equal_instants_have_one_form() {
        assert_eq!(ok("2027-01-01 00:00:00+00"), "2027-01-01 00:00:00+00");
        assert_eq!(ok("2027-01-01"), "2027-01-01 00:00:00+00");
        assert_eq!(ok("2027-01-01T00:00:00Z"), "2027-01-01 00:00:00+00");
        assert_eq!(ok("2027-01-01 02:00+02:00"), "2027-01-01 00:00:00+00");
        assert_eq!(ok("2027-01-01 01:30:00 -0100"), "2027-01-01 02:30:00+00");
        assert_eq!(ok("2027-01-01 00:30:00+01"), "2026-12-31 23:30:00+00");
        assert_eq!(ok("2024-02-28 23:00:00-01"), "2024-02-29 00:00:00+00");
        assert_eq!(
            ok("2027-06-01 12:00:00.250000 UTC"),
            "2027-06-01 12:00:00.25+00"
        );
        assert_eq!(ok("2027-06-01 12:00:00.000"), "2027-06-01 12:00:00+00");
        assert_eq!(c("infinity"), Ok(None));
        assert_eq!(c("-infinity"), Ok(Some("-infinity".into())));
    }

    #[test]
    fn nonsense_is_rejected() {
        for bad in [
            "tomorrow",
            "2027-13-01",
            "2027-02-29",
            "2027-01-01 25:00",
            "2027-01-01 00:00:00+00 extra",
            "2027-01-01 00:00:00.1234567",
            "27-01-01",
        ] {
            assert!(c(bad).is_err(), "{bad}");
        }
    }
}
