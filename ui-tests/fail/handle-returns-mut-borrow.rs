struct Cache {
    value: String,
}

impl Cache {
    // A `&mut` borrow cannot escape a body that may run again: retrying needs `&self` here.
    #[coord::handle_errors(max_retries = 1)]
    fn value_mut(&mut self) -> Result<&mut String, String> {
        Ok(&mut self.value)
    }
}

fn main() {
    let mut cache = Cache { value: String::new() };
    cache.value_mut().unwrap().push('x');
}
