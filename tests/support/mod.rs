//! Helpers shared by the integration tests. Each test binary uses a subset of them.
#![allow(dead_code)]

pub mod captured_logs;
pub mod counting_allocator;
pub mod example;
pub mod http;
pub mod prometheus;
pub mod retry_policy;
pub mod runtime;
pub mod temp_dir;
pub mod test_recorder;
