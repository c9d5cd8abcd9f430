//! Serves the web build of the app at `/` with a fallback to `index.html` for client-side
//! routes. Without a build, `/` explains how to make one.

use std::path::PathBuf;

use axum::Router;
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use crate::error::AppError;

pub fn router(web_dir: PathBuf) -> Router {
    let index = web_dir.join("index.html");
    if !index.is_file() {
        return Router::new().fallback(not_built);
    }
    let serve = ServeDir::new(&web_dir).fallback(ServeFile::new(index));
    Router::new().fallback(move |uri: Uri, req: axum::extract::Request| {
        let serve = serve.clone();
        async move {
            // API-looking paths that matched no route are JSON 404s, never the app.
            if is_api(uri.path()) {
                return AppError::NotFound.into_response();
            }
            match serve.oneshot(req).await {
                Ok(r) => r.into_response(),
                Err(_) => AppError::NotFound.into_response(),
            }
        }
    })
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
        || path == "/api"
        || path.starts_with("/docs")
        || path == "/openapi.json"
}

async fn not_built(uri: Uri) -> Response {
    if is_api(uri.path()) || uri.path() != "/" {
        return AppError::NotFound.into_response();
    }
    (
        StatusCode::OK,
        Html(
            "<!doctype html><title>Switchboard</title><h1>Switchboard is running</h1>\
             <p>The web app is not built. Run <code>make web</code> (needs Node.js 20) or \
             <code>cd client &amp;&amp; npm ci &amp;&amp; npm run build:web</code>, then reload. \
             The API documentation is at <a href=\"/docs\">/docs</a>.</p>",
        ),
    )
        .into_response()
}
