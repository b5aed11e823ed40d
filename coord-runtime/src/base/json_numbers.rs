//! Rounding of the report's floating-point figures when serialized: a report that says
//! `"p95_ms": 12.300000000000001` or an error rate to seventeen digits is noise to the reader
//! and to a diff. The values in memory keep full precision; only their serialization rounds.

use serde::Serializer;

/// Rounds `value` to `decimals` places (non-finite values pass unchanged).
fn round(value: f64, decimals: i32) -> f64 {
    if !value.is_finite() {
        return value;
    }
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

/// Two decimals: scores, percentages, calls per second.
#[allow(clippy::trivially_copy_pass_by_ref)] // serde's `serialize_with` passes a reference
pub(crate) fn two<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(round(*value, 2))
}

/// Two decimals, of an `f32` (whose widening to `f64` would show its binary noise).
#[allow(clippy::trivially_copy_pass_by_ref)]
pub(crate) fn two_f32<S: Serializer>(value: &f32, serializer: S) -> Result<S::Ok, S::Error> {
    // Through its shortest decimal text, so 12.34f32 is 12.34, not 12.340000152587891.
    let widened: f64 = value.to_string().parse().unwrap_or(f64::from(*value));
    serializer.serialize_f64(round(widened, 2))
}

/// Three decimals: milliseconds (to the microsecond) and seconds (to the millisecond).
#[allow(clippy::trivially_copy_pass_by_ref)]
pub(crate) fn three<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(round(*value, 3))
}

/// Three decimals, when there is a value.
#[allow(clippy::ref_option)] // serde's `serialize_with` passes a reference
pub(crate) fn three_or_none<S: Serializer>(
    value: &Option<f64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => serializer.serialize_some(&round(*value, 3)),
        None => serializer.serialize_none(),
    }
}

/// Six decimals: ratios of calls (an error rate to a millionth).
#[allow(clippy::trivially_copy_pass_by_ref)]
pub(crate) fn six<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(round(*value, 6))
}

#[cfg(test)]
mod tests {
    #[derive(serde::Serialize)]
    struct Figures {
        #[serde(serialize_with = "super::three")]
        p95_ms: f64,
        #[serde(serialize_with = "super::six")]
        error_rate: f64,
        #[serde(serialize_with = "super::three_or_none")]
        max_ms: Option<f64>,
        #[serde(serialize_with = "super::two")]
        score: f64,
    }

    #[test]
    fn figures_serialize_rounded() {
        let json = serde_json::to_string(&Figures {
            p95_ms: 0.1 + 12.2, // 12.299999999999999 in binary
            error_rate: 0.690_000_123_4,
            max_ms: None,
            score: 62.499_999,
        })
        .unwrap();
        assert_eq!(
            json,
            r#"{"p95_ms":12.3,"error_rate":0.69,"max_ms":null,"score":62.5}"#
        );
    }
}
