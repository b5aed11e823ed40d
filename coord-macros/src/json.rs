//! Just enough JSON writing to embed inline rules as a rule-set document.

/// A JSON value.
#[derive(Clone)]
pub(crate) enum Json {
    String(String),
    Number(f64),
    Bool(bool),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// The value as JSON text.
    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Json::String(text) => write_string(text, out),
            Json::Number(number) => out.push_str(&number.to_string()),
            Json::Bool(value) => out.push_str(if *value { "true" } else { "false" }),
            Json::Array(items) => {
                out.push('[');
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Object(entries) => {
                out.push('{');
                for (index, (key, value)) in entries.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    write_string(key, out);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

fn write_string(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::Json;

    #[test]
    fn renders_escaped_json() {
        let value = Json::Object(vec![
            (
                "a\"b".into(),
                Json::Array(vec![
                    Json::Number(18.0),
                    Json::Number(0.5),
                    Json::Bool(true),
                ]),
            ),
            ("p".into(), Json::String("^\\d+\n$".into())),
        ]);
        assert_eq!(value.render(), r#"{"a\"b":[18,0.5,true],"p":"^\\d+\n$"}"#);
    }
}
