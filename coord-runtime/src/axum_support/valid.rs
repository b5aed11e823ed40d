//! `Valid<Json<T>>`, `Valid<Form<T>>`, `Valid<Query<T>>`: the payload extracted by axum, then
//! validated against `T`'s rules (`coord::validation::Validated`, written by
//! `#[coord::validated]`) before the handler runs.

use axum::extract::{Form, FromRequest, FromRequestParts, Json, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::validation::validated::Validated;
use crate::values::error::Error;
use crate::values::validation_result::ValidationResult;

/// A payload that passed its rules. Use it where the payload extractor would go:
/// `Valid(Json(order)): Valid<Json<Order>>`.
///
/// An invalid payload is answered `422 Unprocessable Entity` with its
/// [`ValidationResult`] as JSON (paths, codes and parameters of every error; sensitive fields'
/// values are never in it), and the handler does not run. A payload the inner extractor
/// refuses (malformed JSON, a wrong content type) gets that extractor's own answer. With
/// `enable_validation: false` every payload passes.
///
/// ```
/// use axum::{Json, Router, routing::post};
/// use coord::axum::Valid;
///
/// #[coord::validated(required = [email], field(email, type = "email"), field(age, type = "integer", min = 13))]
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Signup {
///     email: String,
///     age: u32,
/// }
///
/// async fn sign_up(Valid(Json(signup)): Valid<Json<Signup>>) -> String {
///     format!("welcome, {}", signup.email)
/// }
///
/// let app: Router = Router::new().route("/signup", post(sign_up));
/// # let _ = app;
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Valid<E>(pub E);

/// Why a [`Valid`] extractor refused the request.
#[derive(Debug)]
pub enum ValidRejection<R> {
    /// The inner extractor refused it (its own rejection, answered as it would be).
    Extract(R),
    /// The payload broke its rules: `422` with the result as JSON.
    Invalid(Box<ValidationResult>),
    /// The rules could not be applied (a named rule set that is not loaded): `500`, with a
    /// message that names nothing internal.
    Rules(Error),
}

impl<R: IntoResponse> IntoResponse for ValidRejection<R> {
    fn into_response(self) -> Response {
        match self {
            ValidRejection::Extract(rejection) => rejection.into_response(),
            ValidRejection::Invalid(result) => {
                (StatusCode::UNPROCESSABLE_ENTITY, Json(*result)).into_response()
            }
            ValidRejection::Rules(error) => {
                tracing::error!(error = %error, "coord: a request's payload could not be validated");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Json(serde_json::json!({"error": error.client_message()})),
                )
                    .into_response()
            }
        }
    }
}

/// The payload an inner extractor produced, validated as `#[validate_input]` would: the one
/// step every `Valid<_>` impl shares.
fn checked<E, T: Validated, R>(
    extracted: Result<E, R>,
    payload: impl FnOnce(&E) -> &T,
) -> Result<Valid<E>, ValidRejection<R>> {
    let extracted = extracted.map_err(ValidRejection::Extract)?;
    match payload(&extracted).ensure_valid() {
        Ok(()) => Ok(Valid(extracted)),
        Err(Error::Validation(result)) => Err(ValidRejection::Invalid(result)),
        Err(other) => Err(ValidRejection::Rules(other)),
    }
}

impl<S, T> FromRequest<S> for Valid<Json<T>>
where
    S: Send + Sync,
    T: DeserializeOwned + Validated,
    Json<T>: FromRequest<S>,
{
    type Rejection = ValidRejection<<Json<T> as FromRequest<S>>::Rejection>;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        checked(Json::<T>::from_request(request, state).await, |json| {
            &json.0
        })
    }
}

impl<S, T> FromRequest<S> for Valid<Form<T>>
where
    S: Send + Sync,
    T: DeserializeOwned + Validated,
    Form<T>: FromRequest<S>,
{
    type Rejection = ValidRejection<<Form<T> as FromRequest<S>>::Rejection>;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        checked(Form::<T>::from_request(request, state).await, |form| {
            &form.0
        })
    }
}

impl<S, T> FromRequestParts<S> for Valid<Query<T>>
where
    S: Send + Sync,
    T: DeserializeOwned + Validated,
    Query<T>: FromRequestParts<S>,
{
    type Rejection = ValidRejection<<Query<T> as FromRequestParts<S>>::Rejection>;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        checked(
            Query::<T>::from_request_parts(parts, state).await,
            |query| &query.0,
        )
    }
}
