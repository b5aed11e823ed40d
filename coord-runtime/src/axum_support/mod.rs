//! coord for axum applications (feature `axum`): an extractor that validates a request's
//! `Json`, `Query` or `Form` body against the type's rules and answers 422 with the
//! `ValidationResult` as JSON, and a router serving `/metrics`, `/health` and `/report`.
//!
//! Named `axum_support` inside the runtime so that it does not shadow the `axum` crate; the
//! facade exposes it as `coord::axum`.

pub(crate) mod endpoints;
pub(crate) mod valid;
