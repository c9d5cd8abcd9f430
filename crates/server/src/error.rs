//! One error type for the whole API. Every error becomes
//! `{"error": {"code": "snake_case", "message": "…", "fields"?: {…}}}` with the right status.

use std::collections::BTreeMap;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("validation failed")]
    Validation(BTreeMap<String, String>),
    #[error("{0}")]
    BadRequest(String),
    #[error("invalid json: {0}")]
    InvalidJson(String),
    #[error("unauthorized")]
    Unauthorized,
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    /// A stale write: the body carries the current state of the resource.
    #[error("stale version")]
    StaleVersion(serde_json::Value),
    #[error("email taken")]
    EmailTaken,
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    #[error("service unavailable")]
    Unavailable,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The JSON body of every error response.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

impl ErrorBody {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            error: ErrorDetail {
                code: code.into(),
                message: message.into(),
                fields: None,
                current: None,
            },
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `validation_failed`, `not_found`.
    pub code: String,
    pub message: String,
    /// Per-field problems for `validation_failed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, String>>,
    /// The current resource for a stale-version `conflict`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub current: Option<serde_json::Value>,
}

impl AppError {
    pub fn field(name: &str, problem: impl Into<String>) -> Self {
        AppError::Validation(BTreeMap::from([(name.to_string(), problem.into())]))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Validation(_) | AppError::BadRequest(_) | AppError::InvalidJson(_) => {
                StatusCode::BAD_REQUEST
            }
            AppError::Unauthorized | AppError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(_) | AppError::StaleVersion(_) | AppError::EmailTaken => {
                StatusCode::CONFLICT
            }
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Validation(_) => "validation_failed",
            AppError::BadRequest(_) => "bad_request",
            AppError::InvalidJson(_) => "invalid_json",
            AppError::Unauthorized => "unauthorized",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::Forbidden => "forbidden",
            AppError::NotFound => "not_found",
            AppError::Conflict(_) | AppError::StaleVersion(_) => "conflict",
            AppError::EmailTaken => "email_taken",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::UnsupportedMediaType(_) => "unsupported_media_type",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Unavailable => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    /// The message shown to clients: never internals.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Validation(fields) => fields
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join("; "),
            AppError::Unauthorized => "missing, invalid or expired access token".into(),
            AppError::InvalidCredentials => "wrong email or password".into(),
            AppError::Forbidden => "you may not do this".into(),
            AppError::NotFound => "no such resource".into(),
            AppError::StaleVersion(_) => {
                "the resource changed since you read it; see `current`".into()
            }
            AppError::EmailTaken => "an account with this email already exists".into(),
            AppError::PayloadTooLarge => "the request body is too large".into(),
            AppError::RateLimited { retry_after_secs } => {
                format!("too many requests; retry in {retry_after_secs} s")
            }
            AppError::Unavailable => "the service is temporarily unavailable".into(),
            AppError::Internal(_) => "internal error".into(),
            other => other.to_string(),
        }
    }

    pub fn body(&self) -> ErrorBody {
        let mut body = ErrorBody::new(self.code(), self.public_message());
        match self {
            AppError::Validation(f) => body.error.fields = Some(f.clone()),
            AppError::StaleVersion(v) => body.error.current = Some(v.clone()),
            _ => {}
        }
        body
    }
}

/// Marker put in the response extensions of a 500 so the logging middleware records the cause
/// chain exactly once, together with the request id.
#[derive(Clone)]
pub struct InternalCause(pub std::sync::Arc<String>);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut response = (self.status(), Json(self.body())).into_response();
        match &self {
            AppError::RateLimited { retry_after_secs } => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            }
            AppError::PayloadTooLarge => {
                // The rest of the body is never read: the connection can't carry another request.
                response
                    .headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            AppError::Internal(cause) => {
                response
                    .extensions_mut()
                    .insert(InternalCause(std::sync::Arc::new(format!("{cause:#}"))));
            }
            _ => {}
        }
        response
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        AppError::Internal(anyhow::Error::new(err))
    }
}

impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(err: sea_orm::TransactionError<AppError>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(e) => e.into(),
            sea_orm::TransactionError::Transaction(e) => e,
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// An error and its causes on one line, for a delivery's record (webhooks, pushes): the
/// outermost error of an HTTP client alone rarely says what failed.
pub fn describe(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
