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
        let page = not_built_page(&web_dir);
        return Router::new().fallback(move |uri: Uri| not_built(uri, page.clone()));
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

/// Says where the app was looked for: a binary started from another directory looks in that
/// directory's `client/dist`, and the fix is `SWITCHBOARD_WEB_DIR`, not a new build.
fn not_built_page(web_dir: &std::path::Path) -> String {
    let looked_in = std::path::absolute(web_dir).unwrap_or_else(|_| web_dir.to_path_buf());
    format!(
        "<!doctype html><title>Switchboard</title><h1>Switchboard is running</h1>\
         <p>No web app was found in <code>{}</code>.</p>\
         <p>If it is built elsewhere, point <code>SWITCHBOARD_WEB_DIR</code> at that \
         <code>client/dist</code> directory and restart. To build it, run <code>make web</code> \
         (needs Node.js 20) or <code>cd client &amp;&amp; npm ci &amp;&amp; npm run build:web</code> \
         at the top of the repository, then reload.</p>\
         <p>The API documentation is at <a href=\"/docs\">/docs</a>.</p>",
        escape_html(&looked_in.display().to_string())
    )
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn not_built(uri: Uri, page: String) -> Response {
    if is_api(uri.path()) || uri.path() != "/" {
        return AppError::NotFound.into_response();
    }
    (StatusCode::OK, Html(page)).into_response()
}
