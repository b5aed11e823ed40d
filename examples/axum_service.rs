//! An axum service put under coord without one attribute: a `tower` layer tracks every route,
//! a second one puts the order route behind the `payments` circuit breaker, and coord's
//! `/metrics`, `/health` and `/report` are served beside the routes by the same router.
//!
//! ```text
//! cargo run --example axum_service --features tower -- --listen 127.0.0.1:3000
//! curl -s localhost:3000/users/7
//! curl -s -XPOST localhost:3000/orders -d 1200     # amounts above 1000: the provider fails (500)
//! curl -si -XPOST localhost:3000/orders -d 10      # after 3 failures in a row: 503, Retry-After
//! curl -s localhost:3000/metrics | grep 'operation="/orders"'
//! ```
//!
//! `--duration SECONDS` stops the server after that long (it runs until interrupted otherwise).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{MatchedPath, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
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

/// coord's endpoints, answered by the application's router.
async fn coord_endpoint(
    State(exporter): State<Arc<coord::export::Exporter>>,
    request: Request,
) -> Response {
    match exporter.endpoint(request.uri().path()) {
        Some(answer) => (
            StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            [(header::CONTENT_TYPE, answer.content_type)],
            answer.body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The application: its routes under coord's layers, coord's endpoints beside them.
fn app(
    exporter: Arc<coord::export::Exporter>,
    payments: &'static coord::breaker::Breaker,
) -> Router {
    let routes = Router::new()
        .route("/users/{id}", get(get_user))
        .route(
            "/orders",
            post(place_order).layer(CoordinationLayer::named("payments").circuit_breaker(payments)),
        )
        .layer(CoordinationLayer::by(route_name));
    let endpoints = Router::new()
        .route("/metrics", get(coord_endpoint))
        .route("/health", get(coord_endpoint))
        .route("/report", get(coord_endpoint))
        .with_state(exporter);
    routes.merge(endpoints)
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
    let exporter = Arc::new(coord::prometheus().install()?);
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
