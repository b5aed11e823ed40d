//! One watchdog for every lock this process holds: a thread of its own (with a small runtime)
//! that renews each hold every third of its TTL and marks it lost when a renewal is refused or
//! keeps failing until the TTL runs out. Taking a lock only puts it in a slot: no task is
//! spawned per acquisition, which would cost a cross-thread wake-up on every call, and a
//! release frees its slot by index, however many locks are held.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use super::hold::{Hold, NOT_WATCHED};
use super::slots::Slots;

/// The holds being renewed, each in the slot its `slot` names.
static HOLDS: Mutex<Slots<Arc<Hold>>> = Mutex::new(Slots::new());
/// Wakes the watchdog when it parked for lack of holds.
static WAKE: Notify = Notify::const_new();
static PARKED: AtomicBool = AtomicBool::new(false);

/// The watched holds, locked.
fn watched() -> std::sync::MutexGuard<'static, Slots<Arc<Hold>>> {
    HOLDS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Renews `hold` until [`unwatch`]ed or lost.
pub(crate) fn watch(hold: &Arc<Hold>) {
    static THREAD: OnceLock<()> = OnceLock::new();
    {
        let mut holds = watched();
        let index = holds.insert(Arc::clone(hold));
        hold.slot.store(index, Ordering::Release);
    }
    THREAD.get_or_init(|| {
        let started = std::thread::Builder::new()
            .name("coord-lock-watchdog".to_owned())
            .spawn(|| {
                match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime.block_on(renew_for_ever()),
                    Err(err) => tracing::error!(%err, "the lock watchdog cannot start: held locks will not be renewed"),
                }
            });
        if let Err(err) = started {
            tracing::error!(%err, "the lock watchdog thread cannot start: held locks will not be renewed");
        }
    });
    if PARKED.load(Ordering::Acquire) {
        WAKE.notify_one();
    }
}

/// Stops renewing `hold` (released, dropped or lost); once only, from whichever path is first.
pub(crate) fn unwatch(hold: &Arc<Hold>) {
    let index = hold.slot.swap(NOT_WATCHED, Ordering::AcqRel);
    if index == NOT_WATCHED {
        return;
    }
    watched().remove(index);
}

/// How long the watchdog waits between looks: a sixth of the shortest TTL held, between 1 ms
/// and 50 ms.
fn tick(holds: &[Arc<Hold>]) -> Duration {
    holds
        .iter()
        .map(|hold| hold.ttl / 6)
        .min()
        .unwrap_or(Duration::from_millis(50))
        .clamp(Duration::from_millis(1), Duration::from_millis(50))
}

async fn renew_for_ever() {
    let mut idle_since: Option<Instant> = None;
    loop {
        let holds: Vec<Arc<Hold>> = watched().iter().cloned().collect();
        if holds.is_empty() {
            // Idle for a second: park until a lock is taken.
            let since = *idle_since.get_or_insert_with(Instant::now);
            if since.elapsed() > Duration::from_secs(1) {
                PARKED.store(true, Ordering::Release);
                if watched().is_empty() {
                    WAKE.notified().await;
                }
                PARKED.store(false, Ordering::Release);
                idle_since = None;
                continue;
            }
        } else {
            idle_since = None;
        }
        let now = Instant::now();
        for hold in &holds {
            if !hold.is_held_at(now) {
                // Frozen past its validity, or found lost: stop renewing it.
                hold.lose();
                unwatch(hold);
            } else if now >= hold.renew_at() && !hold.renewing.swap(true, Ordering::AcqRel) {
                tokio::spawn(renew(Arc::clone(hold)));
            }
        }
        tokio::time::sleep(tick(&holds)).await;
    }
}

/// One renewal of `hold`.
async fn renew(hold: Arc<Hold>) {
    let sent = Instant::now();
    let left = hold.valid_until().saturating_duration_since(sent);
    let renewed = tokio::time::timeout(
        left,
        hold.backend
            .renew(&hold.key, &hold.owner, hold.token, hold.ttl),
    )
    .await;
    match renewed {
        Ok(Ok(true)) => hold.renewed(sent),
        Ok(Ok(false)) | Err(_) => {
            hold.lose();
            unwatch(&hold);
        }
        Ok(Err(reason)) => {
            tracing::warn!(
                key = hold.key,
                reason,
                "renewing a lock failed; trying again"
            );
            hold.renew_after(Instant::now() + (hold.ttl / 12).max(Duration::from_millis(5)));
        }
    }
    hold.renewing.store(false, Ordering::Release);
}
