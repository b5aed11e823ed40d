// An objective is checked where it is written: no error budget, a percentile without a
// latency, a misspelt key, an unreadable latency, nothing to hold.
#[coord::track_performance(objective(success = 100))]
fn no_budget() -> Result<(), String> {
    Ok(())
}

#[coord::track_performance(objective(latency_percentile = 99))]
fn percentile_alone() -> Result<(), String> {
    Ok(())
}

#[coord::coordinate_operation(objective(sucess = 99.9))]
fn misspelt() -> Result<(), String> {
    Ok(())
}

#[coord::track_performance(objective(latency = "fast"))]
fn unreadable() -> Result<(), String> {
    Ok(())
}

#[coord::track_performance(objective())]
fn empty() -> Result<(), String> {
    Ok(())
}

fn main() {}
