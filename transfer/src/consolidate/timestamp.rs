//! Timestamp text as SQLite applications write it, parsed into UTC instants.
//!
//! Accepted: `YYYY-MM-DD HH:MM[:SS[.fff]]` and the same with `T`, each optionally followed by
//! `Z` or an offset (`+02:00`, `+0200`), and a date alone (`YYYY-MM-DD`, midnight). A value
//! without offset is UTC (SQLite's `CURRENT_TIMESTAMP` and `datetime('now')` write UTC). More
//! than six fractional digits do not fit: PostgreSQL keeps microseconds and would round; nor
//! does a leap second (`23:59:60`), which PostgreSQL would turn into the next minute.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Timelike as _, Utc};

/// The naive layouts tried, most common first.
const NAIVE_FORMATS: [&str; 4] = [
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
];

/// The layouts with an offset (`%#z` accepts `Z`, `+02`, `+02:00` and `+0200`).
const OFFSET_FORMATS: [&str; 4] = [
    "%Y-%m-%d %H:%M:%S%.f%#z",
    "%Y-%m-%dT%H:%M:%S%.f%#z",
    "%Y-%m-%d %H:%M%#z",
    "%Y-%m-%dT%H:%M%#z",
];

/// `text` as a UTC instant, or why it is not one.
///
/// # Errors
/// A short reason when the text is not one of the accepted layouts or has more than
/// microsecond precision.
pub fn parse(text: &str) -> Result<DateTime<Utc>, &'static str> {
    if text.is_empty() {
        return Err("empty string");
    }
    if fraction_digits(text) > 6 {
        return Err("finer than microseconds");
    }
    let trimmed = text.strip_suffix('Z').map_or(text, |t| t);
    let naive = NAIVE_FORMATS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(trimmed, f).ok());
    let at = if let Some(naive) = naive {
        naive.and_utc()
    } else if let Some(at) = OFFSET_FORMATS
        .iter()
        .find_map(|f| DateTime::parse_from_str(text, f).ok())
    {
        at.with_timezone(&Utc)
    } else {
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc())
            .ok_or("not a timestamp")?
    };
    // chrono keeps a leap second (`23:59:60`) as such; PostgreSQL moves it to the next minute.
    if at.nanosecond() >= 1_000_000_000 {
        return Err("a leap second");
    }
    Ok(at)
}

/// Whether `text` (one [`parse`] accepts) names its zone: `Some(true)` for an offset other
/// than UTC (normalised to UTC), `Some(false)` for `Z` or `+00:00`, `None` for none (read as
/// UTC).
#[must_use]
pub fn offset(text: &str) -> Option<bool> {
    if text.ends_with('Z') {
        return Some(false);
    }
    OFFSET_FORMATS
        .iter()
        .find_map(|f| DateTime::parse_from_str(text, f).ok())
        .map(|at| at.offset().local_minus_utc() != 0)
}

/// How many digits follow the seconds' decimal point.
fn fraction_digits(text: &str) -> usize {
    text.split_once('.').map_or(0, |(_, rest)| {
        rest.bytes().take_while(u8::is_ascii_digit).count()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> String {
        parse(text).map_or_else(ToOwned::to_owned, |t| t.to_rfc3339())
    }

    #[test]
    fn common_layouts_parse_as_utc() {
        assert_eq!(utc("2024-03-01 10:20:30"), "2024-03-01T10:20:30+00:00");
        assert_eq!(
            utc("2024-03-01T10:20:30.5"),
            "2024-03-01T10:20:30.500+00:00"
        );
        assert_eq!(utc("2024-03-01T10:20:30Z"), "2024-03-01T10:20:30+00:00");
        assert_eq!(
            utc("2024-03-01T12:20:30+02:00"),
            "2024-03-01T10:20:30+00:00"
        );
        assert_eq!(
            utc("2024-03-01 12:20:30.123456+0200"),
            "2024-03-01T10:20:30.123456+00:00"
        );
        assert_eq!(utc("2024-03-01 10:20"), "2024-03-01T10:20:00+00:00");
        assert_eq!(utc("2024-03-01"), "2024-03-01T00:00:00+00:00");
    }

    #[test]
    fn zones_are_told_apart() {
        assert_eq!(offset("2024-03-01 10:20:30"), None);
        assert_eq!(offset("2024-03-01"), None);
        assert_eq!(offset("2024-03-01T10:20:30Z"), Some(false));
        assert_eq!(offset("2024-03-01T10:20:30+00:00"), Some(false));
        assert_eq!(offset("2024-03-01 12:20:30.5+0200"), Some(true));
    }

    #[test]
    fn other_text_does_not_parse() {
        for bad in [
            "",
            "yesterday",
            "2024-13-01",
            "1700000000",
            "2024-03-01 10:20:30.1234567",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert_eq!(parse("2016-12-31 23:59:60"), Err("a leap second"));
        assert_eq!(parse("2016-12-31T23:59:60.5Z"), Err("a leap second"));
    }
}
