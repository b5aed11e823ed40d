//! Coordination patterns of [`coord`](https://docs.rs/coord) and the durable store they keep
//! their state in. Depend on `coord`, which re-exports this crate behind its `sqlite` and
//! `postgres` features, so a service that only annotates functions compiles no database
//! driver.
//!
//! Today: the [coordination store](store) and the [saga engine](saga) on it. Locks and the
//! other patterns of the design build on the same store.

#![warn(missing_docs, unreachable_pub)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[doc(hidden)]
pub mod __private;
pub mod lock;
pub mod saga;
pub mod store;
