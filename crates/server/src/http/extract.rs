//! Extractors that turn axum's plain-text rejections into the documented JSON error shape:
//! axum's own extractors, with their rejections converted into [`AppError`] (the `From`
//! impls below say how each one answers).

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};

use crate::error::AppError;

/// JSON body extractor: wrong content type → 415, malformed JSON → 400 `invalid_json`,
/// missing or mistyped fields → 400 `validation_failed`, too large → 413.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct ApiJson<T>(pub T);

/// Path parameters: a malformed id answers 404, like an unknown one.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct ApiPath<T>(pub T);

/// Query string: bad values answer 400 `validation_failed` naming the problem.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct ApiQuery<T>(pub T);

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => {
                AppError::UnsupportedMediaType("expected Content-Type: application/json".into())
            }
            JsonRejection::JsonDataError(e) => AppError::field("body", e.body_text()),
            JsonRejection::JsonSyntaxError(e) => AppError::InvalidJson(e.body_text()),
            other if other.status() == 413 => AppError::PayloadTooLarge,
            other => AppError::BadRequest(other.body_text()),
        }
    }
}

impl From<PathRejection> for AppError {
    fn from(_: PathRejection) -> Self {
        AppError::NotFound
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        AppError::field("query", rejection.body_text())
    }
}
