//! The PostgreSQL server of the tests: `COORD_TEST_POSTGRES`, by default the one this machine
//! kind starts on loopback. A test that cannot reach it says it is skipped, unless
//! `COORD_REQUIRE_SERVICES=1` (set by CI), which makes that a failure.

/// The server's URL.
pub fn url() -> String {
    std::env::var("COORD_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// Reports that the server could not be reached: a failure when services are required,
/// else a line saying the test is skipped.
pub fn unreachable(err: &dyn std::fmt::Display) {
    let url = url();
    assert!(
        std::env::var("COORD_REQUIRE_SERVICES").as_deref() != Ok("1"),
        "PostgreSQL required (COORD_REQUIRE_SERVICES=1) but unreachable at {url}: {err}"
    );
    eprintln!("skipped: no PostgreSQL at {url} ({err})");
}

/// A session of the test's own (to drop schemas, find and kill other sessions), driven by a
/// task on the current runtime.
pub async fn admin() -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(&url(), tokio_postgres::NoTls)
        .await
        .expect("the test server answers");
    tokio::spawn(connection);
    client
}

/// Drops a test's schema and everything in it.
pub async fn drop_schema(schema: &str) {
    admin()
        .await
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .await
        .expect("drop the test schema");
}
