//! Reading one configuration value, the same way whether it was written in the YAML file or in
//! an environment variable, so `max_retries: three` and `COORDINATION_MAX_RETRIES=three` fail
//! with the same problem.

use std::borrow::Cow;
use std::path::PathBuf;
use std::time::Duration;

use serde_yaml::Value;

use super::error::ValueProblem;
use super::{MAX_COLLECTION_INTERVAL, MAX_DATA_POINTS, MIN_COLLECTION_INTERVAL};

/// A value as written: an environment variable's text, or a YAML node.
#[derive(Clone, Copy)]
pub(super) enum Raw<'a> {
    Text(&'a str),
    Yaml(&'a Value),
}

impl Raw<'_> {
    /// The value as the user wrote it, for error messages.
    pub(super) fn shown(self) -> String {
        match self {
            Raw::Text(text) => text.to_owned(),
            Raw::Yaml(Value::String(text)) => text.clone(),
            // Flow style, on one line, as a reader would write it back.
            Raw::Yaml(Value::Sequence(items)) => {
                let items: Vec<String> = items.iter().map(|item| Raw::Yaml(item).shown()).collect();
                format!("[{}]", items.join(", "))
            }
            Raw::Yaml(Value::Mapping(entries)) => {
                let entries: Vec<String> = entries
                    .iter()
                    .map(|(key, value)| {
                        format!("{}: {}", Raw::Yaml(key).shown(), Raw::Yaml(value).shown())
                    })
                    .collect();
                format!("{{{}}}", entries.join(", "))
            }
            Raw::Yaml(Value::Tagged(tagged)) => {
                format!("{} {}", tagged.tag, Raw::Yaml(&tagged.value).shown())
            }
            Raw::Yaml(value) => serde_yaml::to_string(value)
                .map(|text| text.trim_end().to_owned())
                .unwrap_or_default(),
        }
    }

    /// A scalar's text: YAML numbers and booleans are read through their text, so a file and
    /// a variable are parsed by the same code.
    fn scalar(self) -> Result<Cow<'static, str>, ValueProblem> {
        match self {
            Raw::Text(text) => Ok(Cow::Owned(text.trim().to_owned())),
            Raw::Yaml(Value::String(text)) => Ok(Cow::Owned(text.trim().to_owned())),
            Raw::Yaml(Value::Number(number)) => Ok(Cow::Owned(number.to_string())),
            Raw::Yaml(Value::Bool(flag)) => Ok(Cow::Borrowed(if *flag { "true" } else { "false" })),
            Raw::Yaml(_) => Err(ValueProblem::NotScalar),
        }
    }
}

pub(super) fn boolean(raw: Raw<'_>) -> Result<bool, ValueProblem> {
    match raw.scalar()?.to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(ValueProblem::NotBoolean),
    }
}

pub(super) fn whole(raw: Raw<'_>, minimum: u32) -> Result<u32, ValueProblem> {
    let text = raw.scalar()?;
    let value: u64 = text.parse().map_err(|_| {
        if text.starts_with('-') {
            ValueProblem::TooSmall {
                minimum: f64::from(minimum),
            }
        } else {
            ValueProblem::NotWholeNumber
        }
    })?;
    let value = u32::try_from(value).map_err(|_| ValueProblem::TooLarge {
        maximum: f64::from(u32::MAX),
    })?;
    if value < minimum {
        return Err(ValueProblem::TooSmall {
            minimum: f64::from(minimum),
        });
    }
    Ok(value)
}

pub(super) fn count(raw: Raw<'_>, minimum: u32) -> Result<usize, ValueProblem> {
    whole(raw, minimum).map(|value| value as usize)
}

pub(super) fn duration(raw: Raw<'_>, allow_zero: bool) -> Result<Duration, ValueProblem> {
    let nanos = coord_text::parse_duration_nanos(&raw.scalar()?)?;
    if nanos == 0 && !allow_zero {
        return Err(ValueProblem::ZeroDuration);
    }
    Ok(Duration::from_nanos(nanos))
}

/// The system monitor's interval, within [`MIN_COLLECTION_INTERVAL`] and
/// [`MAX_COLLECTION_INTERVAL`].
pub(super) fn collection_interval(raw: Raw<'_>) -> Result<Duration, ValueProblem> {
    let interval = duration(raw, false)?;
    interval_problem(interval)?;
    Ok(interval)
}

pub(super) fn interval_problem(interval: Duration) -> Result<(), ValueProblem> {
    if (MIN_COLLECTION_INTERVAL..=MAX_COLLECTION_INTERVAL).contains(&interval) {
        Ok(())
    } else {
        Err(ValueProblem::DurationOutside {
            minimum: MIN_COLLECTION_INTERVAL,
            maximum: MAX_COLLECTION_INTERVAL,
        })
    }
}

/// How many system samples to keep: 1 to [`MAX_DATA_POINTS`].
pub(super) fn data_points(raw: Raw<'_>) -> Result<usize, ValueProblem> {
    let points = count(raw, 1)?;
    data_points_problem(points)?;
    Ok(points)
}

pub(super) fn data_points_problem(points: usize) -> Result<(), ValueProblem> {
    #[allow(clippy::cast_precision_loss)] // small bounds
    if points == 0 {
        Err(ValueProblem::TooSmall { minimum: 1.0 })
    } else if points > MAX_DATA_POINTS {
        Err(ValueProblem::TooLarge {
            maximum: MAX_DATA_POINTS as f64,
        })
    } else {
        Ok(())
    }
}

/// A whole number for `spec`, checked against its bounds in `coord-text`'s option table
/// (which the attributes and the builders use too).
pub(super) fn option_count(
    raw: Raw<'_>,
    spec: &coord_text::OptionSpec,
) -> Result<u32, ValueProblem> {
    let text = raw.scalar()?;
    let value: u64 = text.parse().map_err(|_| {
        if text.starts_with('-') {
            // Below every bound: report the option's minimum.
            let minimum = match spec.limit {
                coord_text::Limit::Count { min, .. } => min,
                _ => 0,
            };
            #[allow(clippy::cast_precision_loss)] // the table's bounds are small
            ValueProblem::TooSmall {
                minimum: minimum as f64,
            }
        } else {
            ValueProblem::NotWholeNumber
        }
    })?;
    let value = spec.check_count(value).map_err(ValueProblem::Bound)?;
    u32::try_from(value).map_err(|_| ValueProblem::TooLarge {
        maximum: f64::from(u32::MAX),
    })
}

/// A number for `spec`, checked as [`option_count`] is.
pub(super) fn option_number(
    raw: Raw<'_>,
    spec: &coord_text::OptionSpec,
) -> Result<f64, ValueProblem> {
    let value: f64 = raw.scalar()?.parse().map_err(|_| ValueProblem::NotNumber)?;
    if !value.is_finite() {
        return Err(ValueProblem::NotNumber);
    }
    spec.check_number(value).map_err(ValueProblem::Bound)
}

/// A duration for `spec`, checked as [`option_count`] is.
pub(super) fn option_duration(
    raw: Raw<'_>,
    spec: &coord_text::OptionSpec,
) -> Result<Duration, ValueProblem> {
    let nanos = coord_text::parse_duration_nanos(&raw.scalar()?)?;
    spec.check_nanos(nanos)
        .map(Duration::from_nanos)
        .map_err(ValueProblem::Bound)
}

/// A coordination store location, read by `coord-text` as the store itself reads it.
pub(super) fn store_location(raw: Raw<'_>) -> Result<coord_text::StoreLocation, ValueProblem> {
    coord_text::StoreLocation::parse(&raw.scalar()?)
        .map_err(|err| ValueProblem::StoreLocation(err.reason))
}

pub(super) fn lock_location(raw: Raw<'_>) -> Result<coord_text::LockLocation, ValueProblem> {
    coord_text::LockLocation::parse(&raw.scalar()?)
        .map_err(|err| ValueProblem::StoreLocation(err.reason))
}

pub(super) fn path(raw: Raw<'_>) -> Result<PathBuf, ValueProblem> {
    Ok(PathBuf::from(raw.scalar()?.as_ref()))
}

/// Bucket bounds in seconds: a YAML list, or numbers separated by commas in a variable.
pub(super) fn buckets(raw: Raw<'_>) -> Result<Vec<f64>, ValueProblem> {
    let bounds: Vec<f64> = match raw {
        Raw::Text(text) => text
            .split(',')
            .map(|part| part.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|_| ValueProblem::NotNumberList)?,
        Raw::Yaml(Value::Sequence(items)) => items
            .iter()
            .map(Value::as_f64)
            .collect::<Option<_>>()
            .ok_or(ValueProblem::NotNumberList)?,
        Raw::Yaml(_) => return Err(ValueProblem::NotNumberList),
    };
    match super::buckets::bucket_problem(&bounds) {
        Some(reason) => Err(ValueProblem::Buckets(reason)),
        None => Ok(bounds),
    }
}

/// Names: a YAML list of strings (or one string), or names separated by commas in a variable.
/// Empty names are refused, so a stray comma is not a breaker called "".
pub(super) fn names(raw: Raw<'_>) -> Result<Vec<String>, ValueProblem> {
    let names: Vec<String> = match raw {
        Raw::Text(text) => text.split(',').map(|part| part.trim().to_owned()).collect(),
        Raw::Yaml(Value::Sequence(items)) => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or(ValueProblem::NotNameList)?,
        Raw::Yaml(Value::String(text)) => vec![text.clone()],
        Raw::Yaml(_) => return Err(ValueProblem::NotNameList),
    };
    if names.iter().any(String::is_empty) {
        return Err(ValueProblem::NotNameList);
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_and_variable_spellings_read_alike() {
        let yaml: Value = serde_yaml::from_str("3").unwrap();
        assert_eq!(whole(Raw::Yaml(&yaml), 0), Ok(3));
        assert_eq!(whole(Raw::Text("3"), 0), Ok(3));
        assert_eq!(
            whole(Raw::Text("-1"), 0),
            Err(ValueProblem::TooSmall { minimum: 0.0 })
        );
        assert_eq!(
            whole(Raw::Text("1.5"), 0),
            Err(ValueProblem::NotWholeNumber)
        );
        assert_eq!(boolean(Raw::Text("FALSE")), Ok(false));
        assert_eq!(boolean(Raw::Text("no")), Err(ValueProblem::NotBoolean));
        let list: Value = serde_yaml::from_str("[1, 2]").unwrap();
        assert_eq!(boolean(Raw::Yaml(&list)), Err(ValueProblem::NotScalar));
    }

    #[test]
    fn durations_need_a_unit_and_a_sign_that_makes_sense() {
        assert_eq!(
            duration(Raw::Text("250ms"), false),
            Ok(Duration::from_millis(250))
        );
        assert!(matches!(
            duration(Raw::Text("-5s"), true),
            Err(ValueProblem::Duration(err)) if *err == coord_text::DurationError::Negative
        ));
        assert!(matches!(
            duration(Raw::Text("5"), true),
            Err(ValueProblem::Duration(err))
                if matches!(*err, coord_text::DurationError::MissingUnit { .. })
        ));
        assert_eq!(
            duration(Raw::Text("0s"), false),
            Err(ValueProblem::ZeroDuration)
        );
    }

    #[test]
    fn buckets_from_both_spellings() {
        assert_eq!(buckets(Raw::Text("0.1, 1,10")), Ok(vec![0.1, 1.0, 10.0]));
        let yaml: Value = serde_yaml::from_str("[0.5, 0.1]").unwrap();
        assert!(matches!(
            buckets(Raw::Yaml(&yaml)),
            Err(ValueProblem::Buckets(_))
        ));
        assert_eq!(buckets(Raw::Text("1,x")), Err(ValueProblem::NotNumberList));
    }
}
