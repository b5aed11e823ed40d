//! Retries: policies and their schedules, the judgement of each failure, the per-function
//! site with its metrics, and the sync and async loops.

pub(crate) mod admission;
pub(crate) mod attempts;
pub(crate) mod budget;
pub(crate) mod classify;
pub(crate) mod handling;
pub(crate) mod run;
pub(crate) mod site;
pub(crate) mod within;
