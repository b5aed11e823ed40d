//! A bound on how long one call to a lock server may take, kept by a sweeper thread that looks
//! every few milliseconds, instead of a tokio timer per call: a timer entry (registered, then
//! removed, and the wheel consulted at every park) cost 2.8 k instructions an uncontended
//! Redis cycle, 8 % of it (callgrind, `lock-instructions`); a slot here is a lock and a push.
//! The bound is coarse by [`TICK`]: right for a limit of seconds, meant to stop a caller
//! waiting for ever on a frozen server, not to time anything.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use super::slots::Slots;

/// How often the sweeper looks, and so how late past its limit a call may be stopped.
pub(crate) const TICK: Duration = Duration::from_millis(20);

/// How long the sweeper goes on looking after the last slot was freed before it sleeps until
/// the next call: long enough that a steady stream of calls never has to wake it.
const IDLE: Duration = Duration::from_secs(1);

/// A call's limit ran out before it answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Elapsed;

struct Slot {
    deadline: Instant,
    waker: Waker,
    expired: bool,
}

/// The calls under way.
static SLOTS: Mutex<Slots<Slot>> = Mutex::new(Slots::new());
/// Set while the sweeper sleeps for lack of calls; the next call wakes it.
static ASLEEP: AtomicBool = AtomicBool::new(false);
static WAKE: Condvar = Condvar::new();

fn slots() -> MutexGuard<'static, Slots<Slot>> {
    SLOTS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs `call`, giving up with [`Elapsed`] if it has not answered within `limit` (checked
/// every [`TICK`]). Dropping the returned future drops `call`.
pub(crate) async fn within<F: Future>(limit: Duration, call: F) -> Result<F::Output, Elapsed> {
    let mut call = std::pin::pin!(call);
    let mut slot = Registration(None);
    std::future::poll_fn(|cx| {
        if let Poll::Ready(answer) = call.as_mut().poll(cx) {
            return Poll::Ready(Ok(answer));
        }
        match slot.0 {
            None => slot.0 = Some(register(Instant::now() + limit, cx.waker())),
            Some(index) => {
                if let Some(taken) = slots().get_mut(index) {
                    if taken.expired {
                        return Poll::Ready(Err(Elapsed));
                    }
                    if !taken.waker.will_wake(cx.waker()) {
                        taken.waker.clone_from(cx.waker());
                    }
                }
            }
        }
        Poll::Pending
    })
    .await
}

/// Frees its slot when the call ends, however it ends.
struct Registration(Option<usize>);

impl Drop for Registration {
    fn drop(&mut self) {
        if let Some(index) = self.0 {
            slots().remove(index);
        }
    }
}

fn register(deadline: Instant, waker: &Waker) -> usize {
    static SWEEPER: OnceLock<()> = OnceLock::new();
    let index = slots().insert(Slot {
        deadline,
        waker: waker.clone(),
        expired: false,
    });
    SWEEPER.get_or_init(|| {
        let started = std::thread::Builder::new()
            .name("coord-call-deadlines".to_owned())
            .spawn(sweep_for_ever);
        if let Err(err) = started {
            tracing::error!(%err, "the lock call sweeper cannot start: calls to a frozen server will wait for it");
        }
    });
    if ASLEEP.load(Ordering::Acquire) {
        WAKE.notify_one();
    }
    index
}

fn sweep_for_ever() {
    let mut idle_since: Option<Instant> = None;
    let mut due = Vec::new();
    loop {
        std::thread::sleep(TICK);
        let now = Instant::now();
        let mut slots = slots();
        for slot in slots.iter_mut() {
            if !slot.expired && now >= slot.deadline {
                slot.expired = true;
                due.push(slot.waker.clone());
            }
        }
        if !slots.is_empty() {
            idle_since = None;
        } else if idle_since.get_or_insert(now).elapsed() > IDLE {
            // Nothing under way for a while: sleep until a call registers.
            ASLEEP.store(true, Ordering::Release);
            while slots.is_empty() {
                slots = WAKE.wait(slots).unwrap_or_else(PoisonError::into_inner);
            }
            ASLEEP.store(false, Ordering::Release);
            idle_since = None;
        }
        drop(slots);
        // Woken outside the lock: a waker may run the task here.
        due.drain(..).for_each(Waker::wake);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_answer_in_time_is_returned() {
        let answer = within(Duration::from_secs(1), async {
            tokio::task::yield_now().await;
            7
        })
        .await;
        assert_eq!(answer, Ok(7));
    }

    #[tokio::test]
    async fn a_call_that_never_answers_gives_up_near_its_limit() {
        let started = Instant::now();
        let answer = within(Duration::from_millis(100), std::future::pending::<()>()).await;
        assert_eq!(answer, Err(Elapsed));
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(100), "{took:?}");
    }

    #[tokio::test]
    async fn the_sweeper_wakes_from_its_sleep_for_a_new_call() {
        // Long enough idle for the sweeper to have gone to sleep.
        let _ = within(Duration::from_millis(30), std::future::pending::<()>()).await;
        tokio::time::sleep(IDLE + TICK * 5).await;
        let answer = within(Duration::from_millis(50), std::future::pending::<()>()).await;
        assert_eq!(answer, Err(Elapsed));
    }
}
