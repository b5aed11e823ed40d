//! A sync function returning a reference borrowed from an argument (tracing issue #2796):
//! the body must not be moved into a closure that the borrow cannot escape.

struct Config {
    name: String,
    tags: Vec<String>,
}

impl Config {
    #[coord::track_performance]
    fn name(&self) -> &str {
        &self.name
    }

    #[coord::track_performance]
    fn tags_mut(&mut self) -> &mut Vec<String> {
        &mut self.tags
    }
}

#[coord::track_performance]
fn longest<'a>(a: &'a str, b: &'a str) -> &'a str {
    if a.len() >= b.len() { a } else { b }
}

#[coord::track_performance]
fn append<'a>(buffer: &'a mut String, suffix: &str) -> &'a mut str {
    buffer.push_str(suffix);
    buffer.as_mut_str()
}

#[coord::track_performance]
fn split_first(input: &str) -> Result<&str, String> {
    input.split(',').next().filter(|s| !s.is_empty()).ok_or_else(|| "empty".to_owned())
}

#[coord::track_performance]
async fn name_async(config: &Config) -> &str {
    &config.name
}

fn main() {
    let mut config = Config { name: "svc".into(), tags: vec![] };
    assert_eq!(config.name(), "svc");
    config.tags_mut().push("a".into());
    assert_eq!(config.tags.len(), 1);
    assert_eq!(longest("ab", "c"), "ab");
    let mut buffer = String::from("x");
    append(&mut buffer, "y").make_ascii_uppercase();
    assert_eq!(buffer, "XY");
    assert_eq!(split_first("a,b"), Ok("a"));
    drop(name_async(&config));
}
