//! Functions in trait impls (sync and async) and provided trait methods with a body.

trait Store {
    fn put(&mut self, key: &str) -> Result<usize, String>;
    async fn size(&self) -> usize;

    #[coord::track_performance]
    fn describe(&self) -> String {
        String::from("a store")
    }
}

#[derive(Default)]
struct Memory {
    keys: Vec<String>,
}

impl Store for Memory {
    #[coord::track_performance(name = "memory.put")]
    fn put(&mut self, key: &str) -> Result<usize, String> {
        if key.is_empty() {
            return Err("empty key".into());
        }
        self.keys.push(key.to_owned());
        Ok(self.keys.len())
    }

    #[coord::track_performance]
    async fn size(&self) -> usize {
        self.keys.len()
    }
}

fn main() {
    let mut store = Memory::default();
    assert_eq!(store.put("a"), Ok(1));
    assert!(store.put("").is_err());
    assert_eq!(store.describe(), "a store");
    drop(store.size());
}
