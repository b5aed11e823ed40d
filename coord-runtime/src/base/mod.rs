//! Primitives every other layer builds on, and nothing of coord's own vocabulary: per-thread
//! counter cells, the clock, the atomics the loom model swaps, the registry of named values,
//! bounded reading of user-named files, the per-thread note of a refused call, escaping outside text for logs and the YAML key
//! locator. Imports nothing from the rest
//! of the crate.

pub(crate) mod bounded_read;
pub(crate) mod cells;
pub(crate) mod clock;
pub(crate) mod escape;
pub(crate) mod json_numbers;
pub(crate) mod named_registry;
pub(crate) mod refusal;
pub(crate) mod sync;
pub(crate) mod yaml_location;
