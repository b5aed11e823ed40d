//! Human-readable durations (`"250ms"`, `"2s"`, `"1.5s"`, `"1m30s"`), as written in attribute
//! arguments, configuration files and `COORDINATION_*` environment variables.

/// Units accepted after a number, with their length in nanoseconds.
pub const DURATION_UNITS: &[(&str, f64)] = &[
    ("ns", 1.0),
    ("us", 1e3),
    ("µs", 1e3),
    ("ms", 1e6),
    ("s", 1e9),
    ("m", 60e9),
    ("h", 3600e9),
];

/// What is wrong with a duration's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// Nothing was written.
    #[error("the duration is empty")]
    Empty,
    /// It starts with a minus sign.
    #[error("a duration cannot be negative")]
    Negative,
    /// A part is not a number.
    #[error("expected a number in `{text}`, e.g. \"250ms\"")]
    NotANumber {
        /// The whole text.
        text: String,
    },
    /// A number has no unit after it.
    #[error("`{text}` has no unit (one of {})", unit_list())]
    MissingUnit {
        /// The whole text.
        text: String,
    },
    /// A unit is not one of [`DURATION_UNITS`].
    #[error("unknown unit `{unit}` in `{text}` (units: {})", unit_list())]
    UnknownUnit {
        /// The unit as written.
        unit: String,
        /// The whole text.
        text: String,
    },
    /// Longer than `u64::MAX` nanoseconds (about 584 years).
    #[error("`{text}` is too long")]
    TooLong {
        /// The whole text.
        text: String,
    },
}

fn unit_list() -> String {
    DURATION_UNITS
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Nanoseconds in `text`: numbers each followed by a unit, summed.
///
/// ```
/// use coord_text::{DurationError, parse_duration_nanos};
///
/// assert_eq!(parse_duration_nanos("1m30s"), Ok(90_000_000_000));
/// assert_eq!(parse_duration_nanos("-5s"), Err(DurationError::Negative));
/// ```
///
/// # Errors
/// A [`DurationError`] saying what is wrong.
pub fn parse_duration_nanos(text: &str) -> Result<u64, DurationError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(DurationError::Empty);
    }
    if text.starts_with('-') {
        return Err(DurationError::Negative);
    }
    let mut rest = text;
    let mut total = 0.0f64;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(number_len);
        let value: f64 = number.parse().map_err(|_| DurationError::NotANumber {
            text: text.to_owned(),
        })?;
        let after = after.trim_start();
        let unit_len = after
            .find(|c: char| c.is_ascii_digit() || c.is_whitespace())
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_len);
        let Some((_, scale)) = DURATION_UNITS.iter().find(|(name, _)| *name == unit) else {
            return Err(if unit.is_empty() {
                DurationError::MissingUnit {
                    text: text.to_owned(),
                }
            } else {
                DurationError::UnknownUnit {
                    unit: unit.to_owned(),
                    text: text.to_owned(),
                }
            });
        };
        total += value * scale;
        rest = next.trim_start();
    }
    // `u64::MAX as f64` rounds up to 2^64, so `>=` is what keeps the cast below in range.
    #[allow(clippy::cast_precision_loss)]
    if total >= u64::MAX as f64 {
        return Err(DurationError::TooLong {
            text: text.to_owned(),
        });
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(total.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::{DurationError, parse_duration_nanos};

    #[test]
    fn accepts_the_documented_forms() {
        assert_eq!(parse_duration_nanos("250ms"), Ok(250_000_000));
        assert_eq!(parse_duration_nanos("2s"), Ok(2_000_000_000));
        assert_eq!(parse_duration_nanos("1.5s"), Ok(1_500_000_000));
        assert_eq!(parse_duration_nanos("1m30s"), Ok(90_000_000_000));
        assert_eq!(parse_duration_nanos("1m 30s"), Ok(90_000_000_000));
        assert_eq!(parse_duration_nanos("100us"), Ok(100_000));
        assert_eq!(parse_duration_nanos("0ms"), Ok(0));
    }

    #[test]
    fn rejects_nonsense() {
        for bad in [
            "",
            "10",
            "10 parsecs",
            "ms",
            "-5s",
            "1.2.3s",
            "5 s x",
            "1e30h",
        ] {
            assert!(parse_duration_nanos(bad).is_err(), "{bad:?} accepted");
        }
        assert!(matches!(
            parse_duration_nanos("10"),
            Err(DurationError::MissingUnit { .. })
        ));
    }
}
