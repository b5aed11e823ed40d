//! What a saga does, as the saga module documents it: steps logged and run in order, a
//! failure compensated last step first, start idempotency, declarations enforced, the pivot
//! honoured, compensations retried and their failures kept, and recovery resuming runs left
//! unfinished, forward (done steps answered from the log, unknown ones re-run with their key)
//! or backward.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use coord_patterns::saga::{SagaEngine, SagaError};
use coord_patterns::store::{AnyStore, CoordinationStore, NewStep, RunState, StepState};

#[derive(Debug, PartialEq)]
struct Failed(String);

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<SagaError> for Failed {
    fn from(err: SagaError) -> Self {
        Failed(format!("saga: {err}"))
    }
}

/// What ran, in order: "do reserve", "undo reserve", …
type Journal = Arc<Mutex<Vec<String>>>;

async fn engine() -> SagaEngine {
    SagaEngine::new(AnyStore::open("memory:").await.unwrap())
        .lease(Duration::from_millis(50))
        .compensation_retries(3, Duration::from_millis(1))
}

/// Three steps; `fail_at` makes that step fail.
fn order_saga(
    engine: &SagaEngine,
    journal: &Journal,
) -> coord_patterns::saga::Saga<u32, String, Failed> {
    for step in ["reserve", "charge"] {
        let journal = Arc::clone(journal);
        engine.compensated(step, move |key, _input: u32, output: Option<String>| {
            let journal = Arc::clone(&journal);
            async move {
                journal
                    .lock()
                    .unwrap()
                    .push(format!("undo {key} {}", output.unwrap_or_default()));
                Ok::<(), Failed>(())
            }
        });
    }
    engine.no_compensation("ship");
    let journal = Arc::clone(journal);
    engine.register("order", move |saga, fail_at: u32| {
        let journal = Arc::clone(&journal);
        async move {
            let mut done = Vec::new();
            for (n, step) in ["reserve", "charge", "ship"].into_iter().enumerate() {
                let journal = Arc::clone(&journal);
                let out: String = saga
                    .step(step, &fail_at, |key| async move {
                        journal.lock().unwrap().push(format!("do {key}"));
                        if n as u32 + 1 == fail_at {
                            Err(Failed(format!("{step} refused")))
                        } else {
                            Ok(format!("{step}-ok"))
                        }
                    })
                    .await?;
                done.push(out);
            }
            Ok(done.join(","))
        }
    })
}

#[tokio::test]
async fn a_saga_runs_its_steps_and_a_second_start_returns_the_first_result() {
    let journal = Journal::default();
    let engine = engine().await;
    let saga = order_saga(&engine, &journal);
    assert_eq!(
        saga.run("o1", &0).await,
        Ok("reserve-ok,charge-ok,ship-ok".to_owned())
    );
    assert_eq!(
        saga.run("o1", &0).await,
        Ok("reserve-ok,charge-ok,ship-ok".to_owned())
    );
    assert_eq!(
        *journal.lock().unwrap(),
        ["do o1/reserve/0", "do o1/charge/1", "do o1/ship/2"],
        "the second start ran nothing"
    );
}

#[tokio::test]
async fn a_failed_step_undoes_the_completed_ones_last_first() {
    let journal = Journal::default();
    let engine = engine().await;
    let saga = order_saga(&engine, &journal);
    assert_eq!(
        saga.run("o2", &3).await,
        Err(Failed("ship refused".to_owned()))
    );
    assert_eq!(
        *journal.lock().unwrap(),
        [
            "do o2/reserve/0",
            "do o2/charge/1",
            "do o2/ship/2",
            "undo o2/charge/1 charge-ok",
            "undo o2/reserve/0 reserve-ok",
        ]
    );
    let again = saga.run("o2", &3).await.unwrap_err();
    assert!(
        again.0.contains("compensated") && again.0.contains("ship refused"),
        "{again}"
    );
}

#[tokio::test]
async fn an_undeclared_step_is_an_error_not_an_uncompensated_effect() {
    let engine = engine().await;
    let saga = engine.register("loose", |saga, (): ()| async move {
        saga.step("mystery", &(), |_| async { Ok::<_, Failed>(1) })
            .await
    });
    let err = saga.run("l1", &()).await.unwrap_err();
    assert!(err.0.contains("step `mystery` is not declared"), "{err}");
}

#[tokio::test]
async fn the_pivot_is_the_point_of_no_return() {
    let engine = engine().await;
    let undone = Journal::default();
    let journal = Arc::clone(&undone);
    engine.compensated("hold", move |_, (): (), _: Option<()>| {
        let journal = Arc::clone(&journal);
        async move {
            journal.lock().unwrap().push("undo hold".into());
            Ok::<(), Failed>(())
        }
    });
    engine.pivot("commit");
    engine.no_compensation("email");
    let after = engine.register("after_pivot", |saga, (): ()| async move {
        saga.step("hold", &(), |_| async { Ok::<_, Failed>(()) })
            .await?;
        saga.step("commit", &(), |_| async { Ok::<_, Failed>(()) })
            .await?;
        saga.step("email", &(), |_| async {
            Err::<(), _>(Failed("smtp down".into()))
        })
        .await
    });
    assert_eq!(after.run("p1", &()).await, Err(Failed("smtp down".into())));
    assert!(
        undone.lock().unwrap().is_empty(),
        "nothing is compensated past the pivot"
    );
    let again = after.run("p1", &()).await.unwrap_err();
    assert!(again.0.contains("after its pivot"), "{again}");

    let wrong = engine.register("compensable_after_pivot", |saga, (): ()| async move {
        saga.step("commit", &(), |_| async { Ok::<_, Failed>(()) })
            .await?;
        saga.step("hold", &(), |_| async { Ok::<_, Failed>(()) })
            .await
    });
    let err = wrong.run("p2", &()).await.unwrap_err();
    assert!(err.0.contains("runs after the pivot `commit`"), "{err}");
}

#[tokio::test]
async fn a_compensation_that_keeps_failing_is_kept_for_an_operator_and_the_others_still_run() {
    let engine = engine().await;
    let undone = Journal::default();
    let journal = Arc::clone(&undone);
    engine.compensated("first", move |_, (): (), _: Option<()>| {
        let journal = Arc::clone(&journal);
        async move {
            journal.lock().unwrap().push("undo first".into());
            Ok::<(), Failed>(())
        }
    });
    let attempts = Arc::new(Mutex::new(0));
    let counted = Arc::clone(&attempts);
    engine.compensated("second", move |_, (): (), _: Option<()>| {
        let counted = Arc::clone(&counted);
        async move {
            *counted.lock().unwrap() += 1;
            Err::<(), _>(Failed("refund service down".into()))
        }
    });
    engine.no_compensation("third");
    let saga = engine.register("stuck", |saga, (): ()| async move {
        saga.step("first", &(), |_| async { Ok::<_, Failed>(()) })
            .await?;
        saga.step("second", &(), |_| async { Ok::<_, Failed>(()) })
            .await?;
        saga.step("third", &(), |_| async {
            Err::<(), _>(Failed("boom".into()))
        })
        .await
    });
    assert_eq!(saga.run("s1", &()).await, Err(Failed("boom".into())));
    assert_eq!(*attempts.lock().unwrap(), 3, "retried as configured");
    assert_eq!(*undone.lock().unwrap(), ["undo first"]);
    let err = saga.run("s1", &()).await.unwrap_err();
    assert!(
        err.0.contains("could not be fully compensated") && err.0.contains("refund service down"),
        "{err}"
    );
}

#[tokio::test]
async fn recovery_resumes_forward_answering_done_steps_and_rerunning_unknown_ones_with_their_key() {
    let store = AnyStore::open("memory:").await.unwrap();
    // What a crashed instance left: reserve done, charge's intent logged, no result; its lease
    // (zero) expired.
    store
        .start_run("r1", "order", "0", "dead", Duration::ZERO)
        .await
        .unwrap();
    let reserve = NewStep {
        seq: 0,
        step: "reserve",
        key: "r1/reserve/0",
        input: "0",
    };
    store.record_intent("r1", &reserve).await.unwrap();
    store
        .finish_step("r1", 0, StepState::Done, Some("\"reserve-ok\""))
        .await
        .unwrap();
    let charge = NewStep {
        seq: 1,
        step: "charge",
        key: "r1/charge/1",
        input: "0",
    };
    store.record_intent("r1", &charge).await.unwrap();

    let journal = Journal::default();
    let engine = SagaEngine::new(store).lease(Duration::from_millis(50));
    let _saga = order_saga(&engine, &journal);
    let recovered = engine.recover().await.unwrap();
    assert_eq!(recovered.completed, 1, "{recovered:?}");
    assert_eq!(
        *journal.lock().unwrap(),
        ["do r1/charge/1", "do r1/ship/2"],
        "reserve answered from the log; charge re-run with the same key"
    );
}

#[tokio::test]
async fn recovery_finishes_a_compensation_and_compensates_a_step_of_unknown_outcome() {
    let store = AnyStore::open("memory:").await.unwrap();
    store
        .start_run("r2", "order", "3", "dead", Duration::ZERO)
        .await
        .unwrap();
    for (seq, step) in ["reserve", "charge"].into_iter().enumerate() {
        let key = format!("r2/{step}/{seq}");
        let new = NewStep {
            seq: seq as u32,
            step,
            key: &key,
            input: "3",
        };
        store.record_intent("r2", &new).await.unwrap();
    }
    store
        .finish_step("r2", 0, StepState::Done, Some("\"reserve-ok\""))
        .await
        .unwrap();
    store
        .finish_run("r2", RunState::Compensating, Some("ship refused"))
        .await
        .unwrap();

    let journal = Journal::default();
    let engine = SagaEngine::new(store).lease(Duration::from_millis(50));
    let _saga = order_saga(&engine, &journal);
    let recovered = engine.recover().await.unwrap();
    assert_eq!(recovered.compensated, 1, "{recovered:?}");
    assert_eq!(
        *journal.lock().unwrap(),
        ["undo r2/charge/1 ", "undo r2/reserve/0 reserve-ok"],
        "charge's outcome is unknown: compensated with no output, by its key"
    );
}

#[tokio::test]
async fn a_replay_that_runs_other_steps_stops_instead_of_diverging() {
    let store = AnyStore::open("memory:").await.unwrap();
    store
        .start_run("r3", "order", "0", "dead", Duration::ZERO)
        .await
        .unwrap();
    let other = NewStep {
        seq: 0,
        step: "refund",
        key: "r3/refund/0",
        input: "0",
    };
    store.record_intent("r3", &other).await.unwrap();
    store
        .finish_step("r3", 0, StepState::Done, Some("null"))
        .await
        .unwrap();
    let journal = Journal::default();
    let engine = SagaEngine::new(store).lease(Duration::from_millis(50));
    let _saga = order_saga(&engine, &journal);
    engine.no_compensation("refund");
    let recovered = engine.recover().await.unwrap();
    assert!(
        journal
            .lock()
            .unwrap()
            .iter()
            .all(|entry| !entry.starts_with("do")),
        "{journal:?}"
    );
    assert_eq!(
        recovered.compensated, 1,
        "the divergence fails the run: {recovered:?}"
    );
}

#[tokio::test]
async fn a_compensation_finishes_even_when_the_caller_stops_waiting() {
    let engine = engine().await;
    let (started, mut wait_started) = tokio::sync::mpsc::channel::<()>(1);
    let release = Arc::new(tokio::sync::Notify::new());
    let released = Arc::clone(&release);
    engine.compensated("slow", move |_, (): (), _: Option<()>| {
        let started = started.clone();
        let released = Arc::clone(&released);
        async move {
            let _ = started.send(()).await;
            released.notified().await;
            Ok::<(), Failed>(())
        }
    });
    engine.no_compensation("fails");
    let saga = Arc::new(engine.register("abandoned", |saga, (): ()| async move {
        saga.step("slow", &(), |_| async { Ok::<_, Failed>(()) })
            .await?;
        saga.step("fails", &(), |_| async {
            Err::<(), _>(Failed("no".into()))
        })
        .await
    }));
    let running = Arc::clone(&saga);
    let caller = tokio::spawn(async move { running.run("a1", &()).await });
    wait_started.recv().await.expect("compensation started");
    caller.abort(); // the caller goes away mid-compensation
    let _ = caller.await;
    release.notify_one();
    // The compensation, in a task of its own, still ends the run compensated.
    let mut ended = None;
    for _ in 0..100 {
        let err = saga.run("a1", &()).await.unwrap_err();
        if err.0.contains("was compensated") {
            ended = Some(err);
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(ended.is_some(), "the run never ended compensated");
}

#[tokio::test]
async fn an_operator_retries_a_compensation_that_kept_failing_once_it_is_fixed() {
    let engine = engine().await;
    let fixed = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let undone = Journal::default();
    let (is_fixed, journal) = (Arc::clone(&fixed), Arc::clone(&undone));
    engine.compensated("refundable", move |key, (): (), output: Option<u32>| {
        let (is_fixed, journal) = (Arc::clone(&is_fixed), Arc::clone(&journal));
        async move {
            if is_fixed.load(std::sync::atomic::Ordering::SeqCst) {
                journal
                    .lock()
                    .unwrap()
                    .push(format!("undo {key} {output:?}"));
                Ok(())
            } else {
                Err(Failed("refund service down".into()))
            }
        }
    });
    engine.no_compensation("breaks");
    let saga = engine.register("retried", |saga, (): ()| async move {
        saga.step("refundable", &(), |_| async { Ok::<_, Failed>(7_u32) })
            .await?;
        saga.step("breaks", &(), |_| async {
            Err::<(), _>(Failed("boom".into()))
        })
        .await
    });
    assert_eq!(saga.run("op1", &()).await, Err(Failed("boom".into())));
    assert!(undone.lock().unwrap().is_empty());
    fixed.store(true, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(
        engine.retry_compensation("op1").await.unwrap(),
        RunState::Compensated
    );
    assert_eq!(*undone.lock().unwrap(), ["undo op1/refundable/0 Some(7)"]);
    let err = engine.retry_compensation("op1").await.unwrap_err();
    assert!(
        err.to_string()
            .contains("is compensated, not compensation_failed"),
        "{err}"
    );
}

#[tokio::test]
async fn recovery_skips_a_run_whose_saga_is_not_registered_and_ends() {
    let store = AnyStore::open("memory:").await.unwrap();
    store
        .start_run("u1", "not_here", "null", "dead", Duration::ZERO)
        .await
        .unwrap();
    // A zero lease makes the run claimable again at once: it is still tried once.
    let engine = SagaEngine::new(store).lease(Duration::ZERO);
    let recovered = tokio::time::timeout(Duration::from_secs(5), engine.recover())
        .await
        .expect("recover ends")
        .unwrap();
    assert_eq!(recovered.skipped, 1, "{recovered:?}");
}

#[tokio::test]
async fn settings_apply_to_clones_of_the_engine_too() {
    let engine = engine().await;
    let clone = engine.clone();
    let _ = engine.compensation_retries(1, Duration::from_millis(1));
    let attempts = Arc::new(Mutex::new(0));
    let counted = Arc::clone(&attempts);
    clone.compensated("once", move |_, (): (), _: Option<()>| {
        let counted = Arc::clone(&counted);
        async move {
            *counted.lock().unwrap() += 1;
            Err::<(), _>(Failed("down".into()))
        }
    });
    clone.no_compensation("fails");
    let saga = clone.register("settings", |saga, (): ()| async move {
        saga.step("once", &(), |_| async { Ok::<_, Failed>(()) })
            .await?;
        saga.step("fails", &(), |_| async { Err::<(), _>(Failed("x".into())) })
            .await
    });
    let _ = saga.run("st1", &()).await;
    assert_eq!(
        *attempts.lock().unwrap(),
        1,
        "the setting made on the original applies"
    );
}
