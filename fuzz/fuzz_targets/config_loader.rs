//! Any bytes as a configuration file: loading must return a configuration or an error naming
//! the file, never panic, hang or exhaust memory; and a configuration it returns must be
//! usable: the runtime builds its breakers, buckets and retry schedule without a panic or an
//! unbounded allocation.

#![no_main]

#[path = "scratch.rs"]
mod scratch;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let file = scratch::write("coordination.yaml", data);
    let loaded = coord::config::CoordinationConfig::builder()
        .file(&file)
        .env(std::iter::empty::<(&str, &str)>())
        .load();
    if let Ok(config) = &loaded {
        coord::__private::exercise_configuration(config);
    }
    if let Err(err) = loaded {
        let message = err.to_string();
        // A bad `validation_rules_path` names the rules directory instead of this file.
        assert!(
            message.contains("coordination.yaml") || message.contains("validation rules at"),
            "the error names its source: {message}"
        );
    }
});
