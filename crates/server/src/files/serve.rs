//! Answering with stored bytes: streamed, with validators and safe headers.

use std::io;
use std::pin::Pin;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::io::{AsyncRead, AsyncReadExt};

/// Whether `If-None-Match` names `etag` (or `*`).
pub fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim())
        .any(|t| t == "*" || t.trim_start_matches("W/") == etag)
}

/// Reads a blob 64 KiB at a time: large files are never held in memory.
pub fn stream(reader: Pin<Box<dyn AsyncRead + Send>>) -> Body {
    let chunks = futures::stream::unfold(Some(reader), |state| async move {
        let mut reader = state?;
        let mut buf = vec![0u8; 64 * 1024];
        match reader.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, io::Error>(Bytes::from(buf)), Some(reader)))
            }
            Err(e) => Some((Err(e), None)),
        }
    });
    Body::from_stream(chunks)
}

pub struct Served<'a> {
    pub content_type: &'a str,
    pub etag: &'a str,
    pub cache_control: &'a str,
    pub disposition: Option<String>,
    pub length: Option<u64>,
}

fn value(s: &str) -> HeaderValue {
    HeaderValue::from_str(s).unwrap_or_else(|_| HeaderValue::from_static("invalid"))
}

/// A 200 with `body`, or a bodiless 304 when the client's copy is current.
pub fn respond(request: &HeaderMap, served: Served<'_>, body: impl FnOnce() -> Body) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(header::ETAG, value(served.etag));
    headers.insert(header::CACHE_CONTROL, value(served.cache_control));
    if not_modified(request, served.etag) {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    headers.insert(header::CONTENT_TYPE, value(served.content_type));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Even opened directly in a browser, stored content can run nothing.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"),
    );
    if let Some(d) = served.disposition {
        headers.insert(header::CONTENT_DISPOSITION, value(&d));
    }
    if let Some(len) = served.length {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    }
    (StatusCode::OK, headers, body()).into_response()
}
