//! Where the coordination store is, as configured: `sqlite://coord.db`, `postgres://…`, or
//! `memory:` for tests.

use std::fmt;
use std::path::PathBuf;

use super::StoreError;

/// The store used when none is configured: `coord.db` in the working directory.
pub const DEFAULT_STORE: &str = "sqlite://coord.db";

/// A parsed store location.
///
/// ```
/// use coord_patterns::store::Location;
///
/// assert_eq!(
///     Location::parse("sqlite://data/coord.db")?,
///     Location::Sqlite("data/coord.db".into())
/// );
/// let fleet = Location::parse("postgres://app@db.internal/orders?schema=coord")?;
/// assert_eq!(
///     fleet,
///     Location::Postgres { url: "postgres://app@db.internal/orders".into(), schema: Some("coord".into()) }
/// );
/// assert!(Location::parse("mysql://x").is_err());
/// # Ok::<(), coord_patterns::store::StoreError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
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

impl Location {
    /// Reads `text`: `sqlite://PATH` (relative paths from the working directory),
    /// `postgres://…` or `postgresql://…` (a libpq URL; `schema=NAME` names the schema coord's
    /// tables live in), or `memory:`.
    ///
    /// # Errors
    /// [`StoreError::Location`] naming what is wrong.
    pub fn parse(text: &str) -> Result<Self, StoreError> {
        let problem = |reason: &str| StoreError::Location {
            location: text.to_owned(),
            reason: reason.to_owned(),
        };
        if let Some(path) = text.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(problem("no file after `sqlite://`"));
            }
            return Ok(Location::Sqlite(PathBuf::from(path)));
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
            return Ok(Location::Postgres { url, schema });
        }
        if text == "memory:" {
            return Ok(Location::Memory);
        }
        Err(problem(
            "expected `sqlite://PATH`, `postgres://…` or `memory:`",
        ))
    }
}

impl Location {
    /// The backend's name, as its cargo feature is called.
    #[must_use]
    pub const fn backend(&self) -> &'static str {
        match self {
            Location::Sqlite(_) => "sqlite",
            Location::Postgres { .. } => "postgres",
            Location::Memory => "memory",
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            // The URL may hold a password: show the server only.
            Location::Postgres { url, schema } => {
                let server = url
                    .split_once('@')
                    .map_or(url.as_str(), |(_, server)| server);
                write!(f, "postgres://…@{server}")?;
                if let Some(schema) = schema {
                    write!(f, " (schema {schema})")?;
                }
                Ok(())
            }
            Location::Memory => f.write_str("memory:"),
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

/// A plain SQL identifier: interpolated into `CREATE SCHEMA` and `SET search_path`, so it must
/// need no quoting.
pub(crate) fn is_identifier(text: &str) -> bool {
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
            Location::parse("postgres://u@h/db?sslmode=disable&schema=s1").unwrap(),
            Location::Postgres {
                url: "postgres://u@h/db?sslmode=disable".into(),
                schema: Some("s1".into())
            }
        );
        assert!(Location::parse("postgres://u@h/db?schema=a;drop").is_err());
        assert!(Location::parse("sqlite://").is_err());
        assert_eq!(Location::parse("memory:").unwrap(), Location::Memory);
        let shown = Location::parse("postgres://u:secret@h/db")
            .unwrap()
            .to_string();
        assert!(!shown.contains("secret"), "{shown}");
    }
}
