//! Where the coordination store is: `sqlite://coord.db`, `postgres://…`, or `memory:` for tests.
//! Read here so that the configuration loader (a `ConfigError` naming the key) and the store
//! (opening it) accept exactly the same locations.

use std::fmt;
use std::path::PathBuf;

/// The store used when none is configured: `coord.db` in the working directory (beside the
/// configuration file when a relative path is written there).
pub const DEFAULT_STORE: &str = "sqlite://coord.db";

/// A store location that is not one coord understands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("coordination store `{location}`: {reason}")]
pub struct StoreLocationError {
    /// The location as given.
    pub location: String,
    /// What is wrong with it.
    pub reason: String,
}

/// A parsed store location.
///
/// ```
/// use coord_text::StoreLocation;
///
/// assert_eq!(
///     StoreLocation::parse("sqlite://data/coord.db")?,
///     StoreLocation::Sqlite("data/coord.db".into())
/// );
/// let fleet = StoreLocation::parse("postgres://app@db.internal/orders?schema=coord")?;
/// assert_eq!(
///     fleet,
///     StoreLocation::Postgres { url: "postgres://app@db.internal/orders".into(), schema: Some("coord".into()) }
/// );
/// assert!(StoreLocation::parse("mysql://x").is_err());
/// # Ok::<(), coord_text::StoreLocationError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// A SQLite file (created if missing).
    Sqlite(PathBuf),
    /// A PostgreSQL server, with the schema the tables live in (`public` when `None`).
    Postgres {
        /// The connection URL, without coord's own `schema` parameter.
        url: String,
        /// The schema, created if missing.
        schema: Option<String>,
    },
    /// In memory, for tests: not durable.
    Memory,
}

impl StoreLocation {
    /// Reads `text`: `sqlite://PATH` (relative paths from the working directory),
    /// `postgres://…` or `postgresql://…` (a libpq URL; `schema=NAME` names the schema coord's
    /// tables live in), or `memory:`.
    ///
    /// # Errors
    /// [`StoreLocationError`] naming what is wrong.
    pub fn parse(text: &str) -> Result<Self, StoreLocationError> {
        let problem = |reason: &str| StoreLocationError {
            location: text.to_owned(),
            reason: reason.to_owned(),
        };
        if let Some(path) = text.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(problem("no file after `sqlite://`"));
            }
            return Ok(StoreLocation::Sqlite(PathBuf::from(path)));
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            let (url, schema) = split_schema(text);
            if let Some(schema) = &schema
                && !is_identifier(schema)
            {
                return Err(problem(
                    "`schema` must be letters, digits and `_`, starting with a letter or `_`",
                ));
            }
            return Ok(StoreLocation::Postgres { url, schema });
        }
        if text == "memory:" {
            return Ok(StoreLocation::Memory);
        }
        Err(problem(
            "expected `sqlite://PATH`, `postgres://…` or `memory:`",
        ))
    }
}

impl StoreLocation {
    /// The backend's name, as its cargo feature is called.
    #[must_use]
    pub const fn backend(&self) -> &'static str {
        match self {
            StoreLocation::Sqlite(_) => "sqlite",
            StoreLocation::Postgres { .. } => "postgres",
            StoreLocation::Memory => "memory",
        }
    }
}

impl fmt::Display for StoreLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreLocation::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            // The URL may hold a password: show the server only.
            StoreLocation::Postgres { url, schema } => {
                let server = url
                    .split_once('@')
                    .map_or(url.as_str(), |(_, server)| server);
                write!(f, "postgres://…@{server}")?;
                if let Some(schema) = schema {
                    write!(f, " (schema {schema})")?;
                }
                Ok(())
            }
            StoreLocation::Memory => f.write_str("memory:"),
        }
    }
}

/// The URL without a `schema=` query parameter, and that parameter's value.
fn split_schema(url: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_owned(), None);
    };
    let mut schema = None;
    let rest: Vec<&str> = query
        .split('&')
        .filter(|pair| match pair.strip_prefix("schema=") {
            Some(value) => {
                schema = Some(value.to_owned());
                false
            }
            None => !pair.is_empty(),
        })
        .collect();
    let url = if rest.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", rest.join("&"))
    };
    (url, schema)
}

/// Whether `text` is a plain SQL identifier (letters, digits, `_`, at most 63 bytes): a schema
/// name is interpolated into `CREATE SCHEMA` and `SET search_path`, so it must need no quoting.
///
/// ```
/// assert!(coord_text::is_identifier("coord_1"));
/// assert!(!coord_text::is_identifier("a;drop"));
/// ```
pub fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && text.len() <= 63
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_is_taken_out_of_the_url_and_checked() {
        assert_eq!(
            StoreLocation::parse("postgres://u@h/db?sslmode=disable&schema=s1").unwrap(),
            StoreLocation::Postgres {
                url: "postgres://u@h/db?sslmode=disable".into(),
                schema: Some("s1".into())
            }
        );
        assert!(StoreLocation::parse("postgres://u@h/db?schema=a;drop").is_err());
        assert!(StoreLocation::parse("sqlite://").is_err());
        assert_eq!(
            StoreLocation::parse("memory:").unwrap(),
            StoreLocation::Memory
        );
        let shown = StoreLocation::parse("postgres://u:secret@h/db")
            .unwrap()
            .to_string();
        assert!(!shown.contains("secret"), "{shown}");
    }
}
