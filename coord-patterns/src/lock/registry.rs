//! The lock backends of the process, by name: `default` is the one installed under that name,
//! else the configuration's `lock_backend`, else its coordination store (opened on first use).

use std::collections::BTreeMap;
use std::sync::{PoisonError, RwLock};

use coord_runtime::Error;

use coord_text::LockLocation;

use super::backend::LockBackend;
use crate::store::AnyStore;

/// The name of the backend a lock uses when it names none.
pub const DEFAULT_BACKEND: &str = "default";

static BACKENDS: RwLock<BTreeMap<String, LockBackend>> = RwLock::new(BTreeMap::new());

static CONFIGURED: tokio::sync::OnceCell<LockBackend> = tokio::sync::OnceCell::const_new();

/// Makes `backend` the lock backend called `name` (`"default"` for locks that name none),
/// replacing and returning the one installed under that name before.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use coord_patterns::lock::{LockBackend, install_backend};
/// use coord_patterns::store::AnyStore;
///
/// let memory = LockBackend::store(AnyStore::open("memory:").await.unwrap());
/// assert!(install_backend("inventory", memory).is_none());
/// # });
/// ```
pub fn install_backend(name: &str, backend: LockBackend) -> Option<LockBackend> {
    BACKENDS
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(name.to_owned(), backend)
}

/// The backend called `name` (`None`: the default), for lock `key`'s messages.
pub(crate) async fn backend(name: Option<&str>, key: &str) -> Result<LockBackend, Error> {
    let name = name.unwrap_or(DEFAULT_BACKEND);
    let installed = BACKENDS
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .get(name)
        .cloned();
    if let Some(backend) = installed {
        return Ok(backend);
    }
    if name != DEFAULT_BACKEND {
        let known: Vec<String> = BACKENDS
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .keys()
            .cloned()
            .collect();
        return Err(Error::InvalidLock {
            key: key.to_owned(),
            problem: format!(
                "no lock backend named `{name}` is installed (installed: {})",
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            ),
        });
    }
    CONFIGURED
        .get_or_try_init(|| async {
            let configured = coord_runtime::configuration().lock_backend.clone();
            match configured {
                Some(location) => open(&location).await,
                None => AnyStore::from_configuration()
                    .await
                    .map(LockBackend::store)
                    .map_err(|err| format!("the coordination store cannot be opened: {err}")),
            }
            .map_err(|reason| Error::LockBackend {
                key: key.to_owned(),
                reason,
            })
        })
        .await
        .cloned()
}

/// The backend at `location`.
pub(crate) async fn open(location: &LockLocation) -> Result<LockBackend, String> {
    match location {
        LockLocation::Store(store) => AnyStore::open_at(store)
            .await
            .map(LockBackend::store)
            .map_err(|err| format!("{store}: {err}")),
        #[cfg(feature = "redis")]
        LockLocation::Redis { url, prefix } => super::redis::RedisLocks::connect(url, prefix)
            .await
            .map(LockBackend::Redis),
        #[cfg(not(feature = "redis"))]
        LockLocation::Redis { .. } => Err(format!(
            "{location}: this build has no Redis support (enable coord's `redis` feature)"
        )),
        #[cfg(feature = "postgres")]
        LockLocation::Advisory { url, schema } => {
            super::advisory::AdvisoryLocks::connect(url, schema.as_deref())
                .await
                .map(LockBackend::Advisory)
        }
        #[cfg(not(feature = "postgres"))]
        LockLocation::Advisory { .. } => Err(format!(
            "{location}: this build has no PostgreSQL support (enable coord's `postgres` feature)"
        )),
    }
}
