//! `coord::axum` through a real HTTP client: `Valid<Json<T>>`, `Valid<Query<T>>` and
//! `Valid<Form<T>>` answer an invalid payload 422 with the `ValidationResult` as JSON and keep
//! the handler from running, leave malformed payloads to the inner extractor, and
//! `coord::axum::endpoints` serves `/metrics`, `/health` and `/report` beside the routes.

mod support;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::routing::{get, post};
use axum::{Form, Json, Router};
use coord::axum::Valid;
use support::http;

/// Rules on the fields (`#[derive(coord::Validate)]`); `Search` below has them on the struct.
#[derive(serde::Serialize, serde::Deserialize, coord::Validate)]
struct Signup {
    #[rule(required, type = "email")]
    email: String,
    #[rule(required, type = "integer", min = 13, max = 130)]
    age: u32,
}

#[coord::validated(
    field(q, type = "string", min_length = 1),
    field(limit, type = "integer", max = 100)
)]
#[derive(serde::Serialize, serde::Deserialize)]
struct Search {
    q: String,
    limit: u32,
}

#[coord::validated(rules = "axum.feedback")]
#[derive(serde::Serialize, serde::Deserialize)]
struct Feedback {
    text: String,
}

#[coord::validated(rules = "axum.never_loaded")]
#[derive(serde::Serialize, serde::Deserialize)]
struct Unchecked {
    text: String,
}

static HANDLED: AtomicU32 = AtomicU32::new(0);

async fn sign_up(Valid(Json(signup)): Valid<Json<Signup>>) -> String {
    HANDLED.fetch_add(1, Ordering::SeqCst);
    format!("welcome {}", signup.email)
}

async fn search(
    Valid(axum::extract::Query(search)): Valid<axum::extract::Query<Search>>,
) -> String {
    format!("{} results for {}", search.limit, search.q)
}

async fn feedback(Valid(Form(feedback)): Valid<Form<Feedback>>) -> String {
    format!("thanks: {}", feedback.text)
}

async fn unchecked(Valid(Json(body)): Valid<Json<Unchecked>>) -> String {
    body.text
}

/// The application on a loopback port, served on a background runtime.
fn serve() -> SocketAddr {
    let spec = coord::validation::RuleSetSpec::new().field(
        "text",
        coord::validation::FieldSpec::of(coord::validation::FieldType::String).max_length(10),
    );
    coord::validation::register_rule_set("axum.feedback", &spec).expect("compiles");
    let exporter = coord::prometheus().install().expect("install");
    let app = Router::new()
        .route("/signup", post(sign_up))
        .route("/search", get(search))
        .route("/feedback", post(feedback))
        .route("/unchecked", post(unchecked))
        .merge(coord::axum::endpoints(exporter));
    let (ready, addr) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            ready
                .send(listener.local_addr().expect("addr"))
                .expect("send");
            axum::serve(listener, app).await.expect("serve");
        });
    });
    addr.recv().expect("the server starts")
}

const JSON: &str = "application/json";

#[test]
fn invalid_payloads_get_422_with_the_result_and_valid_ones_reach_the_handler() {
    let addr = serve();

    // A valid body reaches the handler.
    let (status, body) = http::send(
        addr,
        "POST",
        "/signup",
        Some((JSON, r#"{"email":"ada@example.com","age":36}"#)),
    )
    .expect("POST");
    assert_eq!((status, body.as_str()), (200, "welcome ada@example.com"));
    assert_eq!(HANDLED.load(Ordering::SeqCst), 1);

    // An invalid one gets 422 and the result; the handler does not run.
    let (status, body) = http::send(
        addr,
        "POST",
        "/signup",
        Some((JSON, r#"{"email":"not-an-email","age":9}"#)),
    )
    .expect("POST");
    assert_eq!(status, 422, "{body}");
    let result: serde_json::Value = serde_json::from_str(&body).expect("JSON result");
    assert_eq!(result["is_valid"], false);
    let mut paths: Vec<(&str, &str)> = result["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| (e["path"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        [("age", "below_minimum"), ("email", "invalid_email")]
    );
    assert_eq!(HANDLED.load(Ordering::SeqCst), 1);

    // Malformed JSON and a missing content type are the Json extractor's own answers.
    let (status, _) = http::send(addr, "POST", "/signup", Some((JSON, "{not json"))).expect("POST");
    assert_eq!(status, 400);
    let (status, _) =
        http::send(addr, "POST", "/signup", Some(("text/plain", "{}"))).expect("POST");
    assert_eq!(status, 415);

    // Query strings and forms alike.
    let (status, body) = http::get(addr, "/search?q=rust&limit=10").expect("GET");
    assert_eq!((status, body.as_str()), (200, "10 results for rust"));
    let (status, body) = http::get(addr, "/search?q=&limit=500").expect("GET");
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains(r#""path":"limit""#) && body.contains(r#""path":"q""#),
        "{body}"
    );
    let form = "application/x-www-form-urlencoded";
    let (status, body) =
        http::send(addr, "POST", "/feedback", Some((form, "text=great"))).expect("POST");
    assert_eq!((status, body.as_str()), (200, "thanks: great"));
    let (status, body) = http::send(
        addr,
        "POST",
        "/feedback",
        Some((form, "text=far+too+long+to+fit")),
    )
    .expect("POST");
    assert_eq!(status, 422, "{body}");

    // Rules that cannot be applied are the server's problem: 500, naming nothing internal.
    let (status, body) =
        http::send(addr, "POST", "/unchecked", Some((JSON, r#"{"text":"x"}"#))).expect("POST");
    assert_eq!(status, 500);
    assert_eq!(
        body,
        r#"{"error":"the request cannot be checked right now"}"#
    );

    // coord's endpoints beside the routes.
    let (status, metrics) = http::get(addr, "/metrics").expect("GET /metrics");
    assert_eq!(status, 200);
    assert!(
        metrics.contains(r#"coord_validations_total{rule_set="Signup",outcome="invalid"} 1"#),
        "{metrics}"
    );
    let (status, health) = http::get(addr, "/health").expect("GET /health");
    assert_eq!(status, 200);
    assert!(health.contains(r#""status":"healthy""#), "{health}");
    let (status, report) = http::get(addr, "/report").expect("GET /report");
    assert_eq!(status, 200);
    assert!(report.contains(r#""rule_set":"Signup""#), "{report}");
}
