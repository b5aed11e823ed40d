//! Where distributed locks live, as the configuration's `lock_backend` names it: a coordination
//! store location (`sqlite://…`, `postgres://…`, `memory:`), a Redis server
//! (`redis://[user:password@]host:port[/db][?prefix=NAME]`) or a PostgreSQL server's advisory
//! locks (`advisory+postgres://…[?schema=NAME]`).

use std::fmt;

use crate::store_location::{StoreLocation, StoreLocationError};

/// A parsed lock backend location.
///
/// ```
/// use coord_text::LockLocation;
///
/// let redis = LockLocation::parse("redis://app:s3cret@cache:6379/2?prefix=shop:").unwrap();
/// assert_eq!(
///     redis,
///     LockLocation::Redis { url: "redis://app:s3cret@cache:6379/2".into(), prefix: "shop:".into() }
/// );
/// assert_eq!(redis.to_string(), "redis://app:***@cache:6379/2 (prefix shop:)"); // no password
/// assert!(matches!(LockLocation::parse("sqlite://locks.db"), Ok(LockLocation::Store(_))));
/// assert_eq!(
///     LockLocation::parse("advisory+postgres://app@db/orders?schema=coord").unwrap(),
///     LockLocation::Advisory { url: "postgres://app@db/orders".into(), schema: Some("coord".into()) }
/// );
/// assert!(LockLocation::parse("advisory+sqlite://locks.db").is_err());
/// assert!(LockLocation::parse("mongodb://x").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockLocation {
    /// The lock rows of a coordination store.
    Store(StoreLocation),
    /// A Redis server.
    Redis {
        /// The connection URL, without coord's own `prefix` parameter.
        url: String,
        /// What every key coord writes there starts with.
        prefix: String,
    },
    /// A PostgreSQL server's advisory locks, with the schema of their token table.
    Advisory {
        /// The connection URL, without coord's own `schema` parameter.
        url: String,
        /// The schema, created if missing (`public` when `None`).
        schema: Option<String>,
    },
}

impl LockLocation {
    /// Parses a lock backend location.
    ///
    /// # Errors
    /// [`StoreLocationError`] naming what is wrong: an unknown scheme, a Redis URL without a
    /// host, or what [`StoreLocation::parse`] refuses.
    pub fn parse(text: &str) -> Result<Self, StoreLocationError> {
        let text = text.trim();
        if let Some(server) = text.strip_prefix("advisory+") {
            return match StoreLocation::parse(server) {
                Ok(StoreLocation::Postgres { url, schema }) => {
                    Ok(LockLocation::Advisory { url, schema })
                }
                Ok(_) => Err(StoreLocationError {
                    location: without_password(text),
                    reason: "advisory locks are PostgreSQL's: `advisory+postgres://…`".to_owned(),
                }),
                Err(err) => Err(StoreLocationError {
                    location: without_password(text),
                    reason: err.reason,
                }),
            };
        }
        let Some(rest) = text
            .strip_prefix("redis://")
            .or_else(|| text.strip_prefix("rediss://"))
        else {
            return StoreLocation::parse(text)
                .map(LockLocation::Store)
                .map_err(|err| StoreLocationError {
                    location: err.location,
                    reason: format!(
                        "{} (or `redis://host:port` for Redis, `advisory+postgres://…` for \
                         PostgreSQL advisory locks)",
                        err.reason
                    ),
                });
        };
        let (url, prefix) = match text.split_once('?') {
            Some((url, query)) => {
                let mut prefix = None;
                for pair in query.split('&') {
                    match pair.split_once('=') {
                        Some(("prefix", value)) => prefix = Some(value.to_owned()),
                        _ => {
                            return Err(StoreLocationError {
                                location: without_password(text),
                                reason: format!("unknown parameter `{pair}` (only `prefix=NAME`)"),
                            });
                        }
                    }
                }
                (url, prefix.unwrap_or_default())
            }
            None => (text, String::new()),
        };
        let host = rest.split('?').next().unwrap_or_default();
        let host = host.rsplit_once('@').map_or(host, |(_, host)| host);
        if host.is_empty() || host.starts_with('/') {
            return Err(StoreLocationError {
                location: without_password(text),
                reason: "a Redis URL needs a host: `redis://host:port`".to_owned(),
            });
        }
        Ok(LockLocation::Redis {
            url: url.to_owned(),
            prefix,
        })
    }
}

/// `url` with its password replaced by `***`.
///
/// ```
/// assert_eq!(coord_text::without_password("redis://u:p@h:1/0"), "redis://u:***@h:1/0");
/// assert_eq!(coord_text::without_password("redis://h:1"), "redis://h:1");
/// ```
#[must_use]
pub fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((credentials, host)) => match credentials.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
            None => format!("{scheme}://***@{host}"),
        },
        None => url.to_owned(),
    }
}

impl fmt::Display for LockLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LockLocation::Store(store) => store.fmt(f),
            LockLocation::Advisory { url, schema } => {
                let server = StoreLocation::Postgres {
                    url: url.clone(),
                    schema: schema.clone(),
                };
                write!(f, "advisory locks at {server}")
            }
            LockLocation::Redis { url, prefix } => {
                f.write_str(&without_password(url))?;
                if !prefix.is_empty() {
                    write!(f, " (prefix {prefix})")?;
                }
                Ok(())
            }
        }
    }
}
