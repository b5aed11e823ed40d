// A budget needs its ratio; a slow-call rate needs to know what slow is.
#[coord::handle_errors(budget(min_per_second = 5))]
fn no_ratio() -> Result<(), coord::Error> {
    Ok(())
}

#[coord::handle_errors(budget(ratio = 20.0))]
fn too_generous() -> Result<(), coord::Error> {
    Ok(())
}

#[coord::handle_errors(circuit_breaker(name = "ui.slow", slow_call_rate = 0.5))]
fn no_slow_duration() -> Result<(), coord::Error> {
    Ok(())
}

#[coord::coordinate_operation(circuit_breaker(name = "ui.slow0", slow_call_duration = "0s"))]
fn zero_slow_duration() -> Result<(), coord::Error> {
    Ok(())
}

fn main() {}
