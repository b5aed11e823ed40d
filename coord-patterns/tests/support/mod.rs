//! What the store, saga and lock tests share: the PostgreSQL and Redis servers they may use.

#![allow(dead_code)]

pub mod bank;
pub mod postgres;
#[cfg(feature = "redis")]
pub mod redis;
pub mod slow_link;
