//! Asking for a lock: [`lock`] builds a [`LockRequest`]; [`acquire`](LockRequest::acquire)
//! waits for the lock and returns a guard; [`run`](LockRequest::run) holds it around a body
//! that is stopped if the lock is lost. What `#[distributed_lock]` expands to is a
//! [`LockSite`] calling the same `run`.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use coord_runtime::Error;

use super::guard::LockGuard;
use super::hold::Hold;
use super::metrics::{self, Acquisition};
use super::registry;

/// How long a hold lasts without renewal, by default.
pub const DEFAULT_TTL: Duration = Duration::from_secs(30);
/// How long [`acquire`](LockRequest::acquire) waits for a held lock, by default.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(5);

tokio::task_local! {
    /// The locks the current task holds through `run`, innermost last.
    static HELD: Vec<Enclosing>;
}

/// A lock the current task holds through `run`, and the backend it is held on: a `run` of the
/// same key on the same backend within it re-enters it.
#[derive(Debug, Clone)]
struct Enclosing {
    held: HeldLock,
    backend: Cow<'static, str>,
}

/// A lock the current task holds (see [`held`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldLock {
    /// Its key.
    pub key: String,
    /// Its fencing token.
    pub token: u64,
}

/// The innermost lock the current task holds through [`LockRequest::run`] or
/// `#[distributed_lock]`: how an annotated body reads its fencing token.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// # use coord_patterns::lock::{LockBackend, install_backend};
/// # install_backend("default", LockBackend::store(coord_patterns::store::AnyStore::open("memory:").await.unwrap()));
/// let token = coord_patterns::lock::lock("report:daily")
///     .run(|_token| async { Ok::<_, coord_runtime::Error>(coord_patterns::lock::held()) })
///     .await?;
/// assert_eq!(token.map(|held| held.key), Some("report:daily".to_owned()));
/// assert_eq!(coord_patterns::lock::held(), None); // outside, nothing is held
/// # Ok::<(), coord_runtime::Error>(())
/// # }).unwrap();
/// ```
#[must_use]
pub fn held() -> Option<HeldLock> {
    HELD.try_with(|stack| stack.last().map(|enclosing| enclosing.held.clone()))
        .ok()
        .flatten()
}

/// A lock to take, by key. `ttl` defaults to 30 s, `wait` to 5 s, the backend to the
/// coordination store the configuration names.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// # use coord_patterns::lock::{LockBackend, install_backend};
/// # install_backend("default", LockBackend::store(coord_patterns::store::AnyStore::open("memory:").await.unwrap()));
/// use std::time::Duration;
///
/// let reserved = coord_patterns::lock::lock("inventory:42")
///     .ttl(Duration::from_secs(10))
///     .wait(Duration::from_secs(2))
///     .run(|token| async move {
///         // write to the inventory with `token`; it refuses older tokens
///         Ok::<u64, coord_runtime::Error>(token)
///     })
///     .await?;
/// # assert!(reserved >= 1);
/// # Ok::<(), coord_runtime::Error>(())
/// # }).unwrap();
/// ```
pub fn lock(key: impl Into<String>) -> LockRequest {
    LockRequest {
        key: key.into(),
        label: None,
        ttl: DEFAULT_TTL,
        wait: DEFAULT_WAIT,
        backend: None,
    }
}

/// A lock about to be taken; see [`lock`].
#[derive(Debug, Clone)]
#[must_use]
pub struct LockRequest {
    key: String,
    label: Option<Cow<'static, str>>,
    ttl: Duration,
    wait: Duration,
    backend: Option<Cow<'static, str>>,
}

/// An owner unique to one acquisition: this process (its id, start time and 64 random bits, so
/// two hosts' processes never share one) and a counter. Releases and renewals on Redis compare
/// it alone, so it must never repeat.
fn owner() -> String {
    static PROCESS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let process = PROCESS.get_or_init(|| {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos());
        format!(
            "pid{}-{nanos:x}-{:016x}",
            std::process::id(),
            fastrand::u64(..)
        )
    });
    // One allocation of the right size (`format!` starting with an argument reserves nothing).
    let mut owner = String::with_capacity(process.len() + 21);
    owner.push_str(process);
    let _ = write!(owner, "-{}", NEXT.fetch_add(1, Ordering::Relaxed));
    owner
}

impl LockRequest {
    /// How long a hold lasts without renewal; renewed every third of it while held.
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// How long to wait for a held lock; zero tries once.
    pub fn wait(mut self, wait: Duration) -> Self {
        self.wait = wait;
        self
    }

    /// The lock backend installed under `name` (see [`install_backend`](super::install_backend)).
    pub fn backend(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.backend = Some(name.into());
        self
    }

    /// The `lock` label of this lock's series: by default the key up to its first `:`
    /// (`inventory:42` is counted as `inventory`), so series stay bounded; name the template
    /// here when keys are built otherwise.
    pub fn label(mut self, label: impl Into<Cow<'static, str>>) -> Self {
        self.label = Some(label.into());
        self
    }

    fn check(&self) -> Result<(), Error> {
        let invalid = |problem: String| Error::InvalidLock {
            key: self.key.clone(),
            problem,
        };
        if let Some(problem) = coord_text::lock_key_problem(&self.key) {
            return Err(invalid(problem));
        }
        let nanos = |duration: Duration| u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
        coord_text::LOCK_TTL
            .check_nanos(nanos(self.ttl))
            .map_err(|problem| invalid(format!("`ttl` {problem}, found {:?}", self.ttl)))?;
        coord_text::LOCK_WAIT
            .check_nanos(nanos(self.wait))
            .map_err(|problem| invalid(format!("`wait` {problem}, found {:?}", self.wait)))?;
        Ok(())
    }

    /// The backend's name, `default` when none is named.
    fn backend_name(&self) -> &str {
        self.backend.as_deref().unwrap_or(registry::DEFAULT_BACKEND)
    }

    /// The token of this lock when the current task holds it already, through an enclosing
    /// [`run`](Self::run) of the same key on the same backend.
    fn enclosing_token(&self) -> Option<u64> {
        HELD.try_with(|stack| {
            stack
                .iter()
                .rev()
                .find(|enclosing| {
                    enclosing.held.key == self.key && enclosing.backend == self.backend_name()
                })
                .map(|enclosing| enclosing.held.token)
        })
        .ok()
        .flatten()
    }

    /// Takes the lock, waiting up to `wait` while another holder has it.
    ///
    /// # Errors
    /// [`Error::LockTimeout`] when still held elsewhere after `wait`; [`Error::LockBackend`]
    /// when the backend fails, or granted the lock only after a TTL (the hold is given back
    /// then: it may have lapsed before it was granted); [`Error::InvalidLock`] for an empty or
    /// overlong key, a TTL of zero or over a day, a wait over an hour, an unknown backend, or
    /// a lock the current task holds already through an enclosing [`run`](Self::run) (waiting
    /// for it could only time out; [`held`] gives its token).
    pub async fn acquire(self) -> Result<LockGuard, Error> {
        self.check()?;
        if self.enclosing_token().is_some() {
            return Err(Error::InvalidLock {
                key: self.key,
                problem: "already held by this task, through an enclosing `run` or \
                          `#[distributed_lock]`: waiting for it could only time out \
                          (`lock::held()` gives its token)"
                    .to_owned(),
            });
        }
        self.take().await
    }

    /// [`acquire`](Self::acquire) once the request is known to be valid.
    async fn take(self) -> Result<LockGuard, Error> {
        let label = match &self.label {
            Some(label) => label.as_ref(),
            None => self.key.split(':').next().unwrap_or(&self.key),
        };
        let series = metrics::series(label);
        let backend = registry::backend(self.backend.as_deref(), &self.key).await?;
        let owner = owner();
        let started = Instant::now();
        let deadline = started + self.wait;
        let mut pause = Duration::from_millis(5);
        let mut sent = started;
        loop {
            let mut answer = backend.acquire(&self.key, &owner, self.ttl).await;
            let answered = Instant::now();
            let answered_in = answered.saturating_duration_since(sent);
            // Granted after a TTL: the hold may have lapsed and been taken by another before
            // its token was drawn (a Redis token is drawn after the hold is set), so the token
            // cannot be trusted to order it. Given back; tried again if the wait allows.
            let late = match answer {
                Ok(Some(token)) if answered_in >= self.ttl => {
                    if let Err(reason) = backend.release(&self.key, &owner, token).await {
                        tracing::warn!(
                            key = self.key,
                            reason,
                            "giving back a lock taken too late failed; its lease will run out"
                        );
                    }
                    answer = Ok(None);
                    true
                }
                _ => false,
            };
            let waited = answered.saturating_duration_since(started);
            match answer {
                Ok(Some(token)) => {
                    series.acquisition(Acquisition::Acquired, waited);
                    let hold = Hold::new(backend, self.key, owner, token, self.ttl, series, sent);
                    return Ok(LockGuard::start(hold, answered));
                }
                Ok(None) if Instant::now() + pause <= deadline => {
                    // Jittered, so waiters on one key do not retry in step.
                    let jittered = pause.mul_f64(0.5 + fastrand::f64());
                    crate::store::before_timer().await;
                    tokio::time::sleep(jittered).await;
                    pause = (pause * 2).min(Duration::from_millis(100));
                    sent = Instant::now();
                }
                Ok(None) if late => {
                    series.acquisition(Acquisition::Error, waited);
                    return Err(Error::LockBackend {
                        key: self.key,
                        reason: format!(
                            "{} answered in {answered_in:?}, longer than the TTL ({:?}): the hold \
                             could have lapsed before it was granted, so it was given back",
                            backend.describe(),
                            self.ttl
                        ),
                    });
                }
                Ok(None) => {
                    series.acquisition(Acquisition::Timeout, waited);
                    return Err(Error::LockTimeout {
                        key: self.key,
                        waited,
                    });
                }
                Err(reason) => {
                    series.acquisition(Acquisition::Error, waited);
                    return Err(Error::LockBackend {
                        key: self.key,
                        reason,
                    });
                }
            }
        }
    }

    /// Takes the lock, runs `body` with the fencing token while holding it, and releases it.
    /// If the lock is lost while `body` runs, `body`'s future is dropped at its next await and
    /// the call returns [`Error::LockLost`].
    ///
    /// Re-entrant: within a `run` of the same key on the same backend, in the same task,
    /// `body` runs under that enclosing hold — its token, nothing taken or released, nothing
    /// counted in the lock's series, this request's TTL and wait unused; if the lock is lost,
    /// the enclosing body is dropped with this one inside it. (A task spawned from the body
    /// is another holder, and waits; so does a `run` of a key whose [`LockGuard`] the task
    /// holds, since a guard is not bound to a task.)
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// # use coord_patterns::lock::{LockBackend, install_backend};
    /// # install_backend("default", LockBackend::store(coord_patterns::store::AnyStore::open("memory:").await.unwrap()));
    /// use coord_patterns::lock::lock;
    ///
    /// let (outer, inner) = lock("inventory:7")
    ///     .run(|outer| async move {
    ///         let inner = lock("inventory:7").run(|inner| async move { Ok(inner) }).await?;
    ///         Ok::<_, coord_runtime::Error>((outer, inner))
    ///     })
    ///     .await?;
    /// assert_eq!(outer, inner);
    /// # Ok::<(), coord_runtime::Error>(())
    /// # }).unwrap();
    /// ```
    ///
    /// # Errors
    /// `body`'s error; through `E::from`, [`acquire`](Self::acquire)'s errors and
    /// [`Error::LockLost`].
    pub async fn run<T, E, F, Fut>(self, body: F) -> Result<T, E>
    where
        E: From<Error>,
        F: FnOnce(u64) -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        self.check().map_err(E::from)?;
        if let Some(token) = self.enclosing_token() {
            return body(token).await;
        }
        let backend = self
            .backend
            .clone()
            .unwrap_or(Cow::Borrowed(registry::DEFAULT_BACKEND));
        let guard = self.take().await.map_err(E::from)?;
        let mut stack = HELD.try_with(Clone::clone).unwrap_or_default();
        stack.push(Enclosing {
            held: HeldLock {
                key: guard.hold.key.clone(),
                token: guard.hold.token,
            },
            backend,
        });
        let hold = Arc::clone(&guard.hold);
        let body = HELD.scope(stack, body(hold.token));
        tokio::select! {
            biased;
            () = hold.lost() => {
                // `body` is dropped here, before the caller hears of the loss.
                let key = hold.key.clone();
                drop(guard);
                Err(E::from(Error::LockLost { key }))
            }
            result = body => {
                match guard.release().await {
                    Ok(()) => result,
                    // The body finished, but the hold had lapsed: its writes were not
                    // protected to the end, so its result is not trusted.
                    Err(err @ Error::LockLost { .. }) => Err(E::from(err)),
                    Err(err) => {
                        tracing::warn!(error = %err, "releasing a lock failed; its lease will run out");
                        result
                    }
                }
            }
        }
    }
}

/// What `#[distributed_lock]` expands to: the lock's template, TTL, wait and backend, fixed
/// at compile time. **Not a stable API.**
#[derive(Debug)]
pub struct LockSite {
    /// The key template, the `lock` label of the series.
    pub template: &'static str,
    /// The TTL, if not the default.
    pub ttl: Option<Duration>,
    /// The wait, if not the default.
    pub wait: Option<Duration>,
    /// The backend's name, if not the default.
    pub backend: Option<&'static str>,
}

impl LockSite {
    /// Runs `body` holding the lock `key` (built from the template).
    ///
    /// # Errors
    /// As [`LockRequest::run`].
    pub async fn run<T, E, Fut>(&'static self, key: String, body: Fut) -> Result<T, E>
    where
        E: From<Error>,
        Fut: Future<Output = Result<T, E>>,
    {
        let mut request = lock(key)
            .ttl(self.ttl.unwrap_or(DEFAULT_TTL))
            .wait(self.wait.unwrap_or(DEFAULT_WAIT))
            .label(self.template);
        if let Some(backend) = self.backend {
            request = request.backend(backend);
        }
        request.run(|_token| body).await
    }
}
