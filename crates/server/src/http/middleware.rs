//! The layers around every route: request ids, access logs and metrics, security headers
//! (tower-http's), and the two that are ours: plain-text errors turned into the JSON error
//! shape, and a request timeout that is longer for uploads.

use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;

use crate::error::{AppError, ErrorBody, InternalCause};

pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The app and the API need neither inline scripts nor other origins.
const APP_CSP: &str = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; frame-ancestors 'none'";
/// Swagger UI at `/docs` needs inline styles and scripts.
pub const DOCS_CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

/// Wraps the router in the layers every request passes, outermost first: a sane request id
/// (the client's `X-Request-Id` when it is one, else a new UUID, echoed on the response), the
/// request's span and its log line, metrics, and the security headers. A route that sets its
/// own `Content-Security-Policy` (the docs page, downloads) keeps it.
pub fn observed(router: Router) -> Router {
    router.layer(
        ServiceBuilder::new()
            .layer(axum::middleware::map_request(drop_unsafe_request_id))
            .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
            .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(request_span)
                    .on_request(())
                    .on_response(log_response)
                    .on_failure(()),
            )
            .layer(axum::middleware::from_fn(record_metrics))
            .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .layer(header_layer(header::X_FRAME_OPTIONS, "DENY"))
            .layer(header_layer(header::REFERRER_POLICY, "no-referrer"))
            .layer(header_layer(
                HeaderName::from_static("cross-origin-opener-policy"),
                "same-origin",
            ))
            .layer(SetResponseHeaderLayer::if_not_present(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(APP_CSP),
            )),
    )
}

fn header_layer(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
}

/// A client's request id reaches the logs only when it is short and plain (no log injection).
async fn drop_unsafe_request_id(mut req: Request) -> Request {
    let sane = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if !sane {
        req.headers_mut().remove(&REQUEST_ID);
    }
    req
}

fn route_of(req: &Request) -> String {
    req.extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".into(), |p| p.as_str().to_owned())
}

/// The path only, never the query string: nothing secret may reach the logs.
fn request_span(req: &Request) -> Span {
    let request_id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %req.method(),
        route = %route_of(req),
        path = %req.uri().path(),
    )
}

/// One line per request; a 500's cause (set by [`AppError`]) is logged here, exactly once.
fn log_response<B>(response: &Response<B>, latency: Duration, span: &Span) {
    let status = response.status().as_u16();
    if let Some(cause) = response.extensions().get::<InternalCause>() {
        tracing::error!(parent: span, status, cause = %cause.0, "request failed");
    } else {
        tracing::info!(parent: span, status, ms = latency.as_secs_f64() * 1000.0, "request");
    }
}

async fn record_metrics(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().to_string();
    let route = route_of(&req);
    let response = next.run(req).await;
    let labels = [
        ("method", method),
        ("route", route),
        ("status", response.status().as_u16().to_string()),
    ];
    metrics::counter!("switchboard_http_requests_total", &labels).increment(1);
    metrics::histogram!("switchboard_http_request_duration_seconds", &labels)
        .record(start.elapsed().as_secs_f64());
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
    let mut out = (status, axum::Json(ErrorBody::new(code, message))).into_response();
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
/// (tower-http's `TimeoutLayer` has one limit for everything it wraps; the upload routes live
/// in their domains' routers, so the choice is made here, per request.)
pub async fn timeout(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let upload = (req.method() == axum::http::Method::POST && path == "/api/v1/files")
        || (req.method() == axum::http::Method::PUT && path == "/api/v1/users/me/avatar");
    let limit = if upload {
        UPLOAD_TIMEOUT.max(limit)
    } else {
        limit
    };
    // A bare 408: `json_errors`, around this layer, gives it the JSON shape.
    tokio::time::timeout(limit, next.run(req))
        .await
        .unwrap_or_else(|_| axum::http::StatusCode::REQUEST_TIMEOUT.into_response())
}
