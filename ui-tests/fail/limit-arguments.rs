// Each admission limit's mistakes, spanned at what was written.
#[coord::handle_errors(bulkhead(max_wait = "50ms"))]
fn no_size() -> Result<(), coord::Error> {
    Ok(())
}

#[coord::handle_errors(bulkhead(max_concurrent = 0))]
fn zero_slots() -> Result<(), coord::Error> {
    Ok(())
}

#[coord::coordinate_operation(rate_limit(per_sec = 10))]
fn misspelt() -> Result<(), coord::Error> {
    Ok(())
}

#[coord::coordinate_operation(rate_limit(per_second = 10, burst = 0, name = ""))]
fn zero_burst() -> Result<(), coord::Error> {
    Ok(())
}

fn main() {}
