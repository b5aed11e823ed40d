//! `return` and `?` keep their meaning: they leave the user's function, and are still recorded.

#[derive(Debug)]
enum AppError {
    Parse(std::num::ParseIntError),
    TooBig(u32),
}

impl From<std::num::ParseIntError> for AppError {
    fn from(err: std::num::ParseIntError) -> Self {
        AppError::Parse(err)
    }
}

#[coord::track_performance]
fn parse_small(input: &str) -> Result<u32, AppError> {
    if input.is_empty() {
        return Ok(0);
    }
    let value: u32 = input.trim().parse()?;
    if value > 100 {
        return Err(AppError::TooBig(value));
    }
    Ok(value)
}

#[coord::track_performance]
fn first_char_upper(input: &str) -> Option<char> {
    let first = input.chars().next()?;
    Some(first.to_ascii_uppercase())
}

#[coord::track_performance]
fn loop_with_break(limit: u32) -> u32 {
    let mut n = 0;
    loop {
        n += 1;
        if n == limit {
            break n;
        }
    }
}

fn main() {
    assert_eq!(parse_small("").unwrap(), 0);
    assert_eq!(parse_small("7").unwrap(), 7);
    assert!(matches!(parse_small("x"), Err(AppError::Parse(_))));
    assert!(matches!(parse_small("500"), Err(AppError::TooBig(500))));
    assert_eq!(first_char_upper("abc"), Some('A'));
    assert_eq!(first_char_upper(""), None);
    assert_eq!(loop_with_break(3), 3);

    let stats = coord::tracking::operation_stats();
    let parse = stats.iter().find(|s| s.operation == "parse_small").unwrap();
    assert_eq!((parse.calls.ok, parse.calls.error), (2, 2));
}
