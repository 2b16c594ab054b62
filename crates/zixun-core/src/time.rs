//! Dates in the site's zone: parsing what writers give and formatting what readers see.

use jiff::{Timestamp, civil::DateTime, tz::TimeZone};

/// The site's time zone, with the two formats zixun speaks.
#[derive(Debug, Clone)]
pub struct SiteClock {
    tz: TimeZone,
}

#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum TimeError {
    #[error("unknown time zone {0:?}")]
    UnknownZone(String),
    #[error("unparseable date {0:?} (expected RFC 3339 or YYYY-MM-DD HH:MM:SS)")]
    Unparseable(String),
}

impl SiteClock {
    pub fn new(zone: &str) -> Result<Self, TimeError> {
        TimeZone::get(zone).map(|tz| SiteClock { tz }).map_err(|_| TimeError::UnknownZone(zone.to_string()))
    }

    pub fn shanghai() -> Self {
        SiteClock { tz: TimeZone::get("Asia/Shanghai").unwrap_or(TimeZone::fixed(jiff::tz::offset(8))) }
    }

    /// Parses RFC 3339 (any offset) or `YYYY-MM-DD HH:MM:SS` / `YYYY-MM-DD HH:MM` /
    /// `YYYY-MM-DD` read in the site's zone. Returns Unix seconds.
    pub fn parse(&self, s: &str) -> Result<i64, TimeError> {
        let s = s.trim();
        if let Ok(ts) = s.parse::<Timestamp>() {
            return Ok(ts.as_second());
        }
        let civil = s
            .parse::<DateTime>()
            .or_else(|_| s.parse::<jiff::civil::Date>().map(|d| d.to_datetime(jiff::civil::Time::midnight())))
            .map_err(|_| TimeError::Unparseable(s.to_string()))?;
        civil
            .to_zoned(self.tz.clone())
            .map(|z| z.timestamp().as_second())
            .map_err(|_| TimeError::Unparseable(s.to_string()))
    }

    /// `YYYY-MM-DD HH:MM:SS` in the site's zone, as on the reference page.
    pub fn format(&self, unix: i64) -> String {
        match Timestamp::from_second(unix) {
            Ok(ts) => ts.to_zoned(self.tz.clone()).strftime("%Y-%m-%d %H:%M:%S").to_string(),
            Err(_) => String::new(),
        }
    }

    /// RFC 3339 with the site's offset, for the API and feeds.
    pub fn rfc3339(&self, unix: i64) -> String {
        match Timestamp::from_second(unix) {
            Ok(ts) => ts.to_zoned(self.tz.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            Err(_) => String::new(),
        }
    }

    pub fn now() -> i64 {
        Timestamp::now().as_second()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_local_and_rfc3339_alike() {
        let c = SiteClock::shanghai();
        let local = c.parse("2025-10-10 13:17:41").expect("local");
        let rfc = c.parse("2025-10-10T05:17:41Z").expect("rfc");
        assert_eq!(local, rfc);
        assert_eq!(c.format(local), "2025-10-10 13:17:41");
        assert_eq!(c.rfc3339(local), "2025-10-10T13:17:41+08:00");
        assert!(matches!(c.parse("10/10/2025"), Err(TimeError::Unparseable(_))));
        assert!(c.parse("2025-10-10").is_ok());
    }
}
