//! Request ids, access logs, metrics, error logging and security headers.

use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{AppError, ErrorBody, ErrorDetail, InternalCause};

pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Gives every request an id (kept from `X-Request-Id` if the client sent a sane one), logs it
/// with the outcome, records metrics, and logs a 500's cause exactly once.
pub async fn observe(mut req: Request, next: Next) -> Response {
    let start = Instant::now();
    let request_id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    req.headers_mut().insert(
        &REQUEST_ID,
        HeaderValue::from_str(&request_id).expect("checked ascii"),
    );
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    // The path only, never the query string: nothing secret may reach the logs.
    let path = req.uri().path().to_owned();
    let span =
        tracing::info_span!("request", request_id = %request_id, method = %method, route = %route);
    let mut response = tracing::Instrument::instrument(next.run(req), span.clone()).await;
    let status = response.status().as_u16();
    let elapsed = start.elapsed();
    if let Some(cause) = response.extensions().get::<InternalCause>() {
        tracing::error!(parent: &span, status, path = %path, cause = %cause.0, "request failed");
    } else {
        tracing::info!(parent: &span, status, path = %path, ms = elapsed.as_secs_f64() * 1000.0, "request");
    }
    let labels = [
        ("method", method.to_string()),
        ("route", route),
        ("status", status.to_string()),
    ];
    metrics::counter!("switchboard_http_requests_total", &labels).increment(1);
    metrics::histogram!("switchboard_http_request_duration_seconds", &labels)
        .record(elapsed.as_secs_f64());
    response.headers_mut().insert(
        &REQUEST_ID,
        HeaderValue::from_str(&request_id).expect("checked ascii"),
    );
    response
}

/// Security headers on every response.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let is_docs = req.uri().path().starts_with("/docs");
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        // Swagger UI needs inline styles and scripts; the app and the API need neither.
        let csp = if is_docs {
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
        } else {
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; frame-ancestors 'none'"
        };
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(csp),
        );
    }
    response
}

/// Turns the plain-text answers of axum and tower-http (unknown method, body too large,
/// timeout) into the JSON error shape.
pub async fn json_errors(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (code, message) = match status.as_u16() {
        400 => ("bad_request", "bad request".to_string()),
        404 => ("not_found", AppError::NotFound.public_message()),
        405 => (
            "method_not_allowed",
            "this method is not allowed on this route".to_string(),
        ),
        408 => ("timeout", "the request took too long".to_string()),
        413 => (
            "payload_too_large",
            AppError::PayloadTooLarge.public_message(),
        ),
        415 => (
            "unsupported_media_type",
            "unsupported content type".to_string(),
        ),
        s if s >= 500 => ("unavailable", AppError::Unavailable.public_message()),
        _ => return response,
    };
    let body = ErrorBody {
        error: ErrorDetail {
            code: code.into(),
            message,
            fields: None,
            current: None,
        },
    };
    let mut out = (status, axum::Json(body)).into_response();
    if status == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        // The rest of the body is never read: the connection can't carry another request.
        out.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(v) = response.headers().get(&name) {
            out.headers_mut().insert(name, v.clone());
        }
    }
    out
}

/// Uploads get ten minutes: a 25 MiB file on a slow phone link needs more than the default.
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(600);

/// The request timeout (408 after it), longer for the two upload routes. WebSocket upgrades
/// are answered at once and then live outside any request, so the limit doesn't cut them.
pub async fn timeout(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let upload = (req.method() == axum::http::Method::POST && path == "/api/v1/files")
        || (req.method() == axum::http::Method::PUT && path == "/api/v1/users/me/avatar");
    let limit = if upload {
        UPLOAD_TIMEOUT.max(limit)
    } else {
        limit
    };
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            let body = ErrorBody {
                error: ErrorDetail {
                    code: "timeout".into(),
                    message: "the request took too long".into(),
                    fields: None,
                    current: None,
                },
            };
            (axum::http::StatusCode::REQUEST_TIMEOUT, axum::Json(body)).into_response()
        }
    }
}
