//! An axum service put under coord without one attribute: a `tower` layer tracks every route,
//! a second one puts the order route behind the `payments` circuit breaker, `Valid<Json<_>>`
//! checks new users against the rules on their type (422 with every broken rule), and
//! `coord::axum::endpoints` serves `/metrics`, `/health` and `/report` beside the routes.
//!
//! ```text
//! cargo run --example axum_service --features tower -- --listen 127.0.0.1:3000
//! curl -s localhost:3000/users/7
//! curl -si -XPOST localhost:3000/users -H 'content-type: application/json' -d '{"name":"","email":"x"}'  # 422
//! curl -s -XPOST localhost:3000/orders -d 1200     # amounts above 1000: the provider fails (500)
//! curl -si -XPOST localhost:3000/orders -d 10      # after 3 failures in a row: 503, Retry-After
//! curl -s localhost:3000/metrics | grep 'operation="/orders"'
//! ```
//!
//! `--duration SECONDS` stops the server after that long (it runs until interrupted otherwise).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{MatchedPath, Path, Request};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use coord::axum::Valid;
use coord::tower::CoordinationLayer;

/// The operation a request is counted under: its route pattern (`/users/{id}`, never
/// `/users/7`), so there is one series per route however many users there are.
fn route_name(request: &Request) -> &str {
    request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
}

async fn get_user(Path(id): Path<u64>) -> Result<String, StatusCode> {
    if id == 0 {
        return Err(StatusCode::NOT_FOUND);
    }
    Ok(format!("user {id}\n"))
}

/// Charges the amount in the body; the simulated provider fails above 1000.
async fn place_order(body: String) -> Result<String, StatusCode> {
    let amount: u64 = body.trim().parse().map_err(|_| StatusCode::BAD_REQUEST)?;
    tokio::time::sleep(Duration::from_millis(2)).await; // the provider's round trip
    if amount > 1_000 {
        return Err(StatusCode::BAD_GATEWAY);
    }
    Ok(format!("charged {amount}\n"))
}

/// A new user as the API accepts it: the rules sit on the type, and `Valid<Json<NewUser>>`
/// answers 422 with every broken rule before `create_user` runs.
#[coord::validated(
    required = [name, email],
    field(name, type = "string", min_length = 1, max_length = 64),
    field(email, type = "email"),
    field(age, type = "integer", min = 13)
)]
#[derive(serde::Serialize, serde::Deserialize)]
struct NewUser {
    name: String,
    email: String,
    age: Option<u32>,
}

async fn create_user(Valid(Json(user)): Valid<Json<NewUser>>) -> (StatusCode, String) {
    (StatusCode::CREATED, format!("created {}\n", user.name))
}

/// The application: its routes under coord's layers, coord's endpoints beside them.
fn app(exporter: coord::export::Exporter, payments: &'static coord::breaker::Breaker) -> Router {
    let routes = Router::new()
        .route("/users", post(create_user))
        .route("/users/{id}", get(get_user))
        .route(
            "/orders",
            post(place_order).layer(CoordinationLayer::named("payments").circuit_breaker(payments)),
        )
        .layer(CoordinationLayer::by(route_name));
    routes.merge(coord::axum::endpoints(exporter))
}

struct Options {
    listen: String,
    duration: Option<Duration>,
}

fn parse_args() -> Result<Options, String> {
    let mut options = Options {
        listen: "127.0.0.1:3000".to_owned(),
        duration: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => options.listen = args.next().ok_or("--listen needs host:port")?,
            "--duration" => {
                let value = args.next().ok_or("--duration needs a number of seconds")?;
                let seconds: u64 = value
                    .parse()
                    .map_err(|_| format!("--duration expects whole seconds, got `{value}`"))?;
                options.duration = Some(Duration::from_secs(seconds));
            }
            other => {
                return Err(format!(
                    "unknown argument `{other}`; usage: axum_service [--listen HOST:PORT (default 127.0.0.1:3000)] [--duration SECONDS]"
                ));
            }
        }
    }
    Ok(options)
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(options) => options,
        Err(err) => {
            eprintln!("axum_service: {err}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("axum_service: cannot start tokio: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("axum_service: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(options: Options) -> Result<(), Box<dyn std::error::Error>> {
    let exporter = coord::prometheus().install()?;
    let payments = coord::breaker::register_breaker(
        "payments",
        coord::breaker::BreakerConfig::new()
            .consecutive_failures(3)
            .open_for(Duration::from_secs(10)),
        Arc::new(coord::clock::SystemClock),
    )?;
    let listener = tokio::net::TcpListener::bind(&options.listen)
        .await
        .map_err(|err| format!("cannot listen on {}: {err}", options.listen))?;
    println!("serving on http://{}", listener.local_addr()?);
    let server = axum::serve(listener, app(exporter, payments));
    match options.duration {
        Some(duration) => {
            tokio::select! {
                served = server => served?,
                () = tokio::time::sleep(duration) => {}
            }
        }
        None => server.await?,
    }
    print!("{}", coord::report());
    Ok(())
}
