//! Talking to the `metrics` recorder: metric names and help texts, publishing the per-thread
//! counts, handles cached per recorder, which recorder is coord's own, and the duration
//! histogram's bucket bounds. Every feature that records metrics imports from here, never from
//! a sibling feature.

use metrics::{Level, Metadata};

pub(crate) mod duration_buckets;
pub mod metric_names;
pub(crate) mod publish;
pub(crate) mod recorder_cache;
pub(crate) mod recorder_identity;

/// Metadata every coord metric is registered with.
pub(crate) static METADATA: Metadata<'static> =
    Metadata::new("coord", Level::INFO, Some(module_path!()));
