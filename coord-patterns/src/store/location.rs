//! Where the coordination store is: read by `coord-text`, so the configuration loader and the
//! store accept exactly the same locations.

pub use coord_text::{DEFAULT_STORE, StoreLocation as Location};

use super::StoreError;

impl From<coord_text::StoreLocationError> for StoreError {
    fn from(err: coord_text::StoreLocationError) -> Self {
        StoreError::Location {
            location: err.location,
            reason: err.reason,
        }
    }
}
