//! Async functions keep their signature and are tracked from first poll to completion.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

#[coord::track_performance]
async fn fetch(id: u32) -> Result<String, std::io::Error> {
    if id == 0 {
        return Err(std::io::Error::other("no id"));
    }
    let name = ready(format!("item {id}")).await;
    Ok(name)
}

#[coord::track_performance]
pub async fn unit_async() {}

async fn ready<T>(value: T) -> T {
    value
}

fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut context) {
            return value;
        }
    }
}

fn main() {
    assert_eq!(block_on(fetch(3)).unwrap(), "item 3");
    assert!(block_on(fetch(0)).is_err());
    block_on(unit_async());
    // Still `Send` when the body is.
    fn assert_send<T: Send>(_: &T) {}
    assert_send(&fetch(1));
}
