//! Front-matter dates: the few formats an article's `date` and `updated` may take, read into an
//! instant shown in the site's timezone. Knows nothing of YAML; it gets the text as written.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};

use crate::config::SiteTz;

/// What a date may look like, for messages (the caller adds `, found ...`).
pub const EXPECTED: &str =
    "expected YYYY-MM-DD, YYYY-MM-DD HH:MM or RFC 3339 (2024-11-27T21:30:00+05:00)";

/// Reads a date as written in front matter and returns it in the site's timezone.
///
/// Accepted: `2024-11-27` (midnight in the site timezone), `2024-11-27 21:30`,
/// `2024-11-27 21:30:45`, the same with `T` instead of the space, and any of the timed forms
/// followed by an offset: `Z`, `+05:00`, `+0500` or `-4`, optionally after spaces (the Jekyll
/// style `2024-11-27 21:30:00 +0500`). Seconds may carry a fraction. Month, day and hour may
/// have one digit (`2016-9-7 9:00:00 -4`), as YAML 1.1 timestamps do. Without an offset the wall-clock
/// time is read in `tz`; with one, the instant is kept and shown in `tz`.
///
/// The error is a message without the field name, e.g.
/// `expected YYYY-MM-DD, ... , found "yesterday"`.
pub fn parse(text: &str, tz: &SiteTz) -> Result<DateTime<FixedOffset>, String> {
    let t = text.trim();
    let Some(parts) = Parts::read(t) else {
        return Err(format!("{EXPECTED}, found {t:?}"));
    };
    let no_such = || format!("{t:?} is not a real date and time");
    let date = NaiveDate::from_ymd_opt(parts.year, parts.month, parts.day).ok_or_else(no_such)?;
    let time = NaiveTime::from_hms_nano_opt(parts.hour, parts.minute, parts.second, parts.nano)
        .ok_or_else(no_such)?;
    let naive = NaiveDateTime::new(date, time);
    let instant = match parts.offset_seconds {
        Some(seconds) => FixedOffset::east_opt(seconds)
            .and_then(|offset| offset.from_local_datetime(&naive).single())
            .ok_or_else(no_such)?,
        None => tz
            .from_local(naive)
            .ok_or_else(|| format!("{t:?} does not exist in the site's timezone"))?,
    };
    Ok(tz.to_local(instant))
}

/// The numbers of a date as written, before calendar checks.
#[derive(Debug, Default)]
struct Parts {
    year: i32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    nano: u32,
    offset_seconds: Option<i32>,
}

impl Parts {
    /// Reads the shapes YAML 1.1 calls timestamps, and a time without seconds: a four-digit
    /// year, a month and a day of one or two digits (`2016-9-7`, as Jekyll-era posts have
    /// them); then, after `T` or spaces, an hour of one or two digits, minutes, optional
    /// seconds and fraction, and an optional offset after optional spaces (`Z`, `+05:00`,
    /// `+0500`, `-4`). Anything else (`27/11/2024`, `2024-11-27T21`) is refused, not guessed.
    fn read(t: &str) -> Option<Parts> {
        let mut s = Scan(t);
        let mut p = Parts {
            year: i32::try_from(s.number(4, 4)?).ok()?,
            ..Parts::default()
        };
        s.literal('-')?;
        p.month = s.number(1, 2)?;
        s.literal('-')?;
        p.day = s.number(1, 2)?;
        if s.0.is_empty() {
            return Some(p);
        }
        if s.literal('T').or_else(|| s.literal('t')).is_none() && s.spaces() == 0 {
            return None;
        }
        p.hour = s.number(1, 2)?;
        s.literal(':')?;
        p.minute = s.number(2, 2)?;
        if s.literal(':').is_some() {
            p.second = s.number(2, 2)?;
            if s.literal('.').is_some() {
                let len = s.0.bytes().take_while(u8::is_ascii_digit).count();
                if len == 0 {
                    return None;
                }
                p.nano = nanos(s.0.get(..len)?)?;
                s.0 = s.0.get(len..)?;
            }
        }
        s.spaces();
        if s.0.is_empty() {
            return Some(p);
        }
        p.offset_seconds = Some(offset(s.0)?);
        Some(p)
    }
}

/// What is left of the text being read.
struct Scan<'a>(&'a str);

impl Scan<'_> {
    /// `min` to `max` ASCII digits, as a number.
    fn number(&mut self, min: usize, max: usize) -> Option<u32> {
        let len = self
            .0
            .bytes()
            .take(max)
            .take_while(u8::is_ascii_digit)
            .count();
        if len < min || self.0.as_bytes().get(len).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        let (digits, rest) = self.0.split_at(len);
        self.0 = rest;
        digits.parse().ok()
    }

    fn literal(&mut self, c: char) -> Option<()> {
        self.0 = self.0.strip_prefix(c)?;
        Some(())
    }

    /// Skips spaces and tabs; how many.
    fn spaces(&mut self) -> usize {
        let rest = self.0.trim_start_matches([' ', '\t']);
        let skipped = self.0.len() - rest.len();
        self.0 = rest;
        skipped
    }
}

/// A decimal fraction of a second (any number of digits) in nanoseconds; digits past the ninth
/// are dropped.
fn nanos(fraction: &str) -> Option<u32> {
    let kept = fraction.get(..fraction.len().min(9))?;
    let value: u32 = kept.parse().ok()?;
    let scale = 10u32.checked_pow(9 - u32::try_from(kept.len()).ok()?)?;
    value.checked_mul(scale)
}

/// `Z`, `+05:00`, `-0330` or `-4` (YAML 1.1's hour-only form), in seconds east of UTC.
fn offset(s: &str) -> Option<i32> {
    if s == "Z" || s == "z" {
        return Some(0);
    }
    let mut scan = Scan(s);
    let sign = if scan.literal('+').is_some() {
        1
    } else {
        scan.literal('-')?;
        -1
    };
    let (hours, minutes) = if scan.0.len() == 4 && scan.0.bytes().all(|b| b.is_ascii_digit()) {
        let both = scan.number(4, 4)?;
        (both / 100, both % 100)
    } else {
        let hours = scan.number(1, 2)?;
        let minutes = match scan.literal(':') {
            Some(()) => scan.number(2, 2)?,
            None => 0,
        };
        (hours, minutes)
    };
    if !scan.0.is_empty() || hours > 23 || minutes > 59 {
        return None;
    }
    i32::try_from(hours * 3600 + minutes * 60)
        .ok()
        .map(|s| s * sign)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tz(text: &str) -> SiteTz {
        SiteTz::parse(text).unwrap()
    }

    fn rfc(text: &str, tz_text: &str) -> Result<String, String> {
        parse(text, &tz(tz_text)).map(|d| d.to_rfc3339())
    }

    /// Asserts that each `(text, site timezone)` reads as the RFC 3339 `want`.
    fn reads(cases: &[(&str, &str, &str)]) {
        for &(text, tz_text, want) in cases {
            assert_eq!(
                rfc(text, tz_text).as_deref(),
                Ok(want),
                "{text} in {tz_text}"
            );
        }
    }

    #[test]
    fn plain_date_is_midnight_in_the_site_timezone() {
        reads(&[
            ("2024-11-27", "Asia/Karachi", "2024-11-27T00:00:00+05:00"),
            (" 2024-11-27 ", "UTC", "2024-11-27T00:00:00+00:00"),
        ]);
    }

    #[test]
    fn wall_clock_times_are_read_in_the_site_timezone() {
        let half_past_nine = "2024-11-27T21:30:00+05:00";
        reads(&[
            ("2024-11-27 21:30", "+05:00", half_past_nine),
            ("2024-11-27T21:30", "+05:00", half_past_nine),
            ("2024-11-27 21:30:00", "+05:00", half_past_nine),
            ("2024-11-27T21:30:00", "+05:00", half_past_nine),
            ("2024-11-27 21:30:45", "UTC", "2024-11-27T21:30:45+00:00"),
        ]);
    }

    #[test]
    fn offsets_keep_the_instant_and_show_it_in_the_site_timezone() {
        reads(&[
            (
                "2024-11-27T21:30:00+05:00",
                "UTC",
                "2024-11-27T16:30:00+00:00",
            ),
            (
                "2024-11-27T21:30:00Z",
                "Asia/Karachi",
                "2024-11-28T02:30:00+05:00",
            ),
            (
                "2024-11-27 21:30:00 +0500",
                "UTC",
                "2024-11-27T16:30:00+00:00",
            ),
            (
                "2024-11-27T21:30:00.250-03:30",
                "UTC",
                "2024-11-28T01:00:00.250+00:00",
            ),
        ]);
    }

    #[test]
    fn yaml_1_1_timestamps_with_short_parts_are_read() {
        reads(&[
            ("2016-9-7", "UTC", "2016-09-07T00:00:00+00:00"),
            ("2016-03-23 9:00:00 -4", "UTC", "2016-03-23T13:00:00+00:00"),
            (
                "2016-03-23t9:05:00+5:30",
                "UTC",
                "2016-03-23T03:35:00+00:00",
            ),
            (
                "2016-3-23  21:00:00   Z",
                "UTC",
                "2016-03-23T21:00:00+00:00",
            ),
            ("2016-03-23\t21:00", "UTC", "2016-03-23T21:00:00+00:00"),
        ]);
    }

    #[test]
    fn named_zones_follow_daylight_saving() {
        reads(&[
            (
                "2024-07-01 12:00",
                "Europe/London",
                "2024-07-01T12:00:00+01:00",
            ),
            (
                "2024-01-01 12:00",
                "Europe/London",
                "2024-01-01T12:00:00+00:00",
            ),
        ]);
    }

    #[test]
    fn anything_else_is_refused_with_the_formats() {
        for text in [
            "yesterday",
            "24-1-5",
            "2024-123-5",
            "2024-11-5x",
            "27/11/2024",
            "2024-11-27T21",
            "2024-11-27 21:30 PM",
            "2024-11-27T21:30:00+5:3",
            "2024-11-27T21:30:00.",
            "",
            "２０２４-11-27",
        ] {
            let err = rfc(text, "UTC").unwrap_err();
            assert_eq!(err, format!("{EXPECTED}, found {text:?}"), "{text}");
        }
    }

    #[test]
    fn impossible_dates_say_so() {
        assert_eq!(
            rfc("2024-02-30", "UTC").unwrap_err(),
            "\"2024-02-30\" is not a real date and time"
        );
        assert_eq!(
            rfc("2024-11-27 24:00", "UTC").unwrap_err(),
            "\"2024-11-27 24:00\" is not a real date and time"
        );
        assert_eq!(
            rfc("2024-11-27T10:00:00+24:00", "UTC").unwrap_err(),
            format!("{EXPECTED}, found \"2024-11-27T10:00:00+24:00\"")
        );
    }
}
