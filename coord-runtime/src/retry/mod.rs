//! Retries: policies and their schedules, the judgement of each failure, the per-function
//! site with its metrics, and the sync and async loops.

pub mod admission;
pub mod attempts;
pub mod classify;
pub mod handling;
pub mod policy;
pub mod run;
pub mod site;
