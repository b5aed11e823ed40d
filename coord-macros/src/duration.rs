//! Human-readable durations in attributes (`"250ms"`, `"2s"`, `"1.5s"`, `"1m30s"`), checked at
//! compile time.

/// Units accepted after a number, with their length in nanoseconds.
const UNITS: &[(&str, f64)] = &[
    ("ns", 1.0),
    ("us", 1e3),
    ("µs", 1e3),
    ("ms", 1e6),
    ("s", 1e9),
    ("m", 60e9),
    ("h", 3600e9),
];

/// Nanoseconds in `text`, or what is wrong with it.
pub fn parse_nanos(text: &str) -> Result<u64, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("the duration is empty".to_owned());
    }
    if text.starts_with('-') {
        return Err("a duration cannot be negative".to_owned());
    }
    let mut rest = text;
    let mut total = 0.0f64;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(number_len);
        let value: f64 = number
            .parse()
            .map_err(|_| format!("expected a number in `{text}`, e.g. \"250ms\""))?;
        let after = after.trim_start();
        let unit_len = after
            .find(|c: char| c.is_ascii_digit() || c.is_whitespace())
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_len);
        let Some((_, scale)) = UNITS.iter().find(|(name, _)| *name == unit) else {
            let valid = UNITS
                .iter()
                .map(|(name, _)| *name)
                .collect::<Vec<_>>()
                .join(", ");
            return Err(if unit.is_empty() {
                format!("`{text}` has no unit (one of {valid})")
            } else {
                format!("unknown unit `{unit}` in `{text}` (units: {valid})")
            });
        };
        total += value * scale;
        rest = next.trim_start();
    }
    if total > u64::MAX as f64 {
        return Err(format!("`{text}` is too long"));
    }
    Ok(total.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::parse_nanos;

    #[test]
    fn accepts_the_documented_forms() {
        assert_eq!(parse_nanos("250ms"), Ok(250_000_000));
        assert_eq!(parse_nanos("2s"), Ok(2_000_000_000));
        assert_eq!(parse_nanos("1.5s"), Ok(1_500_000_000));
        assert_eq!(parse_nanos("1m30s"), Ok(90_000_000_000));
        assert_eq!(parse_nanos("1m 30s"), Ok(90_000_000_000));
        assert_eq!(parse_nanos("100us"), Ok(100_000));
        assert_eq!(parse_nanos("0ms"), Ok(0));
    }

    #[test]
    fn rejects_nonsense() {
        for bad in ["", "10", "10 parsecs", "ms", "-5s", "1.2.3s", "5 s x"] {
            assert!(parse_nanos(bad).is_err(), "{bad:?} accepted");
        }
    }
}
