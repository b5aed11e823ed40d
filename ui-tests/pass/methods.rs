//! Methods taking `self`, `&self`, `&mut self` and no receiver, sync and async.

struct Counter {
    count: u64,
}

impl Counter {
    #[coord::track_performance]
    fn new() -> Self {
        Self { count: 0 }
    }

    #[coord::track_performance]
    fn get(&self) -> u64 {
        self.count
    }

    #[coord::track_performance]
    fn bump(&mut self) -> &mut Self {
        self.count += 1;
        self
    }

    #[coord::track_performance]
    fn into_count(self) -> u64 {
        self.count
    }

    #[coord::track_performance]
    async fn bump_async(&mut self) -> u64 {
        self.count += 1;
        self.count
    }

    #[coord::track_performance]
    fn boxed(self: Box<Self>) -> u64 {
        self.count
    }
}

fn main() {
    let mut counter = Counter::new();
    counter.bump().bump();
    assert_eq!(counter.get(), 2);
    drop(counter.bump_async());
    assert_eq!(counter.into_count(), 2);
    assert_eq!(Box::new(Counter::new()).boxed(), 0);
}
