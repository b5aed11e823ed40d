//! What the store and saga tests share: the PostgreSQL server they may use.

pub mod postgres;
