trait Store {
    #[coord::track_performance]
    fn put(&mut self, key: &str);
}

fn main() {}
