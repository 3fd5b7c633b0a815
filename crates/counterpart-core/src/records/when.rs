//! Instants as a person reads them. Records store UTC (`2026-12-02T01:30:00.000Z`)
//! so that PCs and an LRS agree on order; a trainee in Beijing practised at
//! 09:30, not 01:30, and "two good answers on separate days", "this week"
//! and "from 30 Nov" are days on the clock on their wall. A [`Zone`] turns
//! one into the other; the app passes the PC's own zone, tests a fixed one.

use jiff::civil::{Date, DateTime};
use jiff::tz::{Offset, TimeZone};
use jiff::Timestamp;

/// The time zone days, weeks and shown times are counted in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone(TimeZone);

impl Default for Zone {
    fn default() -> Zone {
        Zone::utc()
    }
}

impl Zone {
    pub fn utc() -> Zone {
        Zone(TimeZone::UTC)
    }

    /// This PC's zone (`TZ`, else the system's setting); UTC when neither
    /// can be read.
    pub fn system() -> Zone {
        Zone(TimeZone::try_system().unwrap_or(TimeZone::UTC))
    }

    /// A fixed offset from UTC in whole hours (`8` for China Standard Time).
    pub fn fixed_hours(hours: i8) -> Zone {
        Zone(TimeZone::fixed(Offset::constant(hours)))
    }

    /// The local date and time of `stamp`: an instant (`Z` or an offset)
    /// moved into this zone; a stamp without an offset is taken as already
    /// local, a bare date as its midnight.
    fn local(&self, stamp: &str) -> Option<DateTime> {
        let stamp = stamp.trim();
        if let Ok(instant) = stamp.parse::<Timestamp>() {
            return Some(self.0.to_datetime(instant));
        }
        if let Ok(civil) = stamp.parse::<DateTime>() {
            return Some(civil);
        }
        stamp.parse::<Date>().ok().map(|d| d.to_datetime(jiff::civil::Time::midnight()))
    }

    /// The local day of `stamp`, `YYYY-MM-DD`.
    pub fn day(&self, stamp: &str) -> Option<String> {
        self.local(stamp).map(|t| t.date().strftime("%Y-%m-%d").to_string())
    }

    /// The Monday of `stamp`'s local week, `YYYY-MM-DD`.
    pub fn week(&self, stamp: &str) -> Option<String> {
        let date = self.local(stamp)?.date();
        let back = i64::from(date.weekday().to_monday_zero_offset());
        let monday = date.checked_sub(jiff::Span::new().days(back)).ok()?;
        Some(monday.strftime("%Y-%m-%d").to_string())
    }

    /// `stamp` as shown in a list: local `YYYY-MM-DD HH:MM`; a stamp this
    /// cannot read is shown as written.
    pub fn minute(&self, stamp: &str) -> String {
        match self.local(stamp) {
            Some(t) => t.strftime("%Y-%m-%d %H:%M").to_string(),
            None => stamp.replace('T', " ").chars().take(16).collect(),
        }
    }
}

/// Milliseconds since 1970 of an instant (`Z` or `±hh:mm`; one without an
/// offset is read as UTC, as the records write them).
pub fn instant_millis(stamp: &str) -> Option<i64> {
    let stamp = stamp.trim();
    let instant = match stamp.parse::<Timestamp>() {
        Ok(t) => t,
        Err(_) => TimeZone::UTC.to_timestamp(stamp.parse::<DateTime>().ok()?).ok()?,
    };
    Some(instant.as_millisecond())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_morning_in_beijing_is_the_day_before_in_utc() {
        let beijing = Zone::fixed_hours(8);
        let stamp = "2026-11-29T23:30:00.000Z";
        assert_eq!(Zone::utc().day(stamp).as_deref(), Some("2026-11-29"));
        assert_eq!(beijing.day(stamp).as_deref(), Some("2026-11-30"));
        assert_eq!(beijing.minute(stamp), "2026-11-30 07:30");
        assert_eq!(Zone::utc().week(stamp).as_deref(), Some("2026-11-23"), "a Sunday in UTC");
        assert_eq!(beijing.week(stamp).as_deref(), Some("2026-11-30"), "Monday morning in Beijing");
    }

    #[test]
    fn weeks_start_on_monday_across_years() {
        let utc = Zone::utc();
        assert_eq!(utc.week("2026-11-30T00:00:00Z").as_deref(), Some("2026-11-30"));
        assert_eq!(utc.week("2026-12-06T23:00:00+08:00").as_deref(), Some("2026-11-30"));
        assert_eq!(utc.week("2027-01-01").as_deref(), Some("2026-12-28"));
        assert_eq!(utc.week("2024-02-29").as_deref(), Some("2024-02-26"));
        assert_eq!(utc.week("garbage"), None);
        assert_eq!(utc.minute("garbage"), "garbage");
    }

    #[test]
    fn a_named_zone_is_read_from_the_system_database() {
        if let Ok(shanghai) = TimeZone::get("Asia/Shanghai") {
            assert_eq!(Zone(shanghai).minute("2026-12-02T01:30:00Z"), "2026-12-02 09:30");
        }
    }

    #[test]
    fn instants_compare_across_offsets() {
        assert_eq!(instant_millis("2026-12-02T09:30:00+08:00"), instant_millis("2026-12-02T01:30:00Z"));
        assert_eq!(instant_millis("2026-12-02T01:30:00"), instant_millis("2026-12-02T01:30:00.000Z"));
        assert_eq!(instant_millis("1970-01-01T00:00:01.5Z"), Some(1500));
        assert_eq!(instant_millis("yesterday"), None);
    }
}
