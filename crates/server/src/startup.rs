//! Builds the application (state + router) and serves it with graceful shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, Method, header};
use axum::routing::get;
use axum::serve::ListenerExt;
use tokio::net::{TcpListener, TcpSocket};
use tokio_util::sync::CancellationToken;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::password::PasswordHasher;
use crate::auth::ratelimit::AuthRateLimiter;
use crate::auth::sessions::Sessions;
use crate::auth::tokens::{TokenKeys, load_or_create_secret};
use crate::chat::audience::Audiences;
use crate::chat::recent::RecentMessages;
use crate::chat::writer::Writer;
use crate::config::Settings;
use crate::http::{docs::ApiDoc, middleware, ops};
use crate::realtime::Realtime;
use crate::realtime::broker::{Broker, LocalBroker};
use crate::realtime::hub::Hub;
use crate::realtime::redis::{Notice, RedisBroker};
use crate::state::{AppState, Shared};

/// Connects to the database, applies migrations and assembles the state.
pub async fn build_state(settings: Settings) -> anyhow::Result<AppState> {
    let db = crate::db::connect(&settings.database_url).await?;
    crate::db::migrate(&db).await?;
    let secret = load_or_create_secret(settings.jwt_secret.as_ref(), &settings.data_dir)?;
    let node_id = hex::encode(rand::random::<[u8; 4]>());
    let audiences = Arc::new(Audiences::default());
    let sessions = Arc::new(Sessions::default());
    let sla = Arc::new(crate::tickets::targets::SlaCache::default());
    let recent = Arc::new(RecentMessages::new(
        settings.recent_messages,
        settings.recent_messages_mb * 1024 * 1024,
    ));
    let hub = Arc::new(Hub::new(
        &node_id,
        settings.ws_max_connections_per_user,
        settings.ws_outbound_queue,
        audiences.clone(),
        sessions.clone(),
        recent.clone(),
        sla.clone(),
    ));
    let writer_db = crate::db::connect_writer(&settings.database_url, &db).await?;
    // A SQLite file (not in memory): read connections of our own, and the search indexer.
    let sqlite_file = crate::db::sqlite_path(&crate::db::normalise_url(&settings.database_url));
    let sqlite_reader = sqlite_file
        .as_deref()
        .map(|file| Arc::new(crate::db::sqlite_reader::SqliteReader::new(file)));
    let search_index = match &sqlite_file {
        Some(file) => Some(crate::search::index::start(
            file,
            settings.search_index_wait,
        )?),
        None => None,
    };
    let (writer, writer_rx) = Writer::channel();
    let (committed, committed_rx) = crate::chat::committed::channel();
    let shutdown = CancellationToken::new();
    let mut auth_limiter = AuthRateLimiter::new(
        settings.auth_rate_limit,
        settings.auth_rate_per_minute_ip,
        settings.auth_rate_per_minute_account,
    );
    let mut notices = None;
    let broker: Arc<dyn Broker> = match &settings.redis_url {
        None => Arc::new(LocalBroker::new(hub.clone())),
        Some(url) => {
            let (broker, rx) = RedisBroker::start(
                url,
                &settings.redis_prefix,
                hub.clone(),
                node_id.clone(),
                shutdown.clone(),
            )
            .await?;
            auth_limiter =
                auth_limiter.with_redis(redis_connection(url).await?, &settings.redis_prefix);
            notices = Some(rx);
            broker
        }
    };
    let webhooks = Arc::new(crate::webhooks::subscribers::Webhooks::new(
        hub.webhooks_changed.clone(),
    ));
    // Before the writer starts: its first batch already knows who wants `message.created`.
    webhooks.reload(&db).await?;
    let vapid = crate::push::vapid::Vapid::load_or_create(&settings.data_dir)?;
    // Before the writer starts, like the webhooks: who may be nudged (`push::nudge`).
    let owners = hub.push_owners.clone();
    owners.load(&db).await?;
    let (nudges, nudges_rx) =
        crate::push::nudge::Nudges::new(owners, settings.push_unread_delay_ms);
    let state = AppState::new(Shared {
        keys: Arc::new(TokenKeys::new(&secret, settings.access_token_ttl_secs)),
        hasher: PasswordHasher::new(settings.password_hash_concurrency)?,
        auth_limiter,
        realtime: Realtime::new(hub, broker, node_id),
        audiences,
        sessions,
        recent,
        sla,
        writer,
        committed,
        search_index,
        sqlite_reader,
        webhooks,
        calls: Arc::new(crate::calls::Calls::new(
            Duration::from_secs(settings.call_ring_timeout_secs),
            settings.call_invites_per_minute,
        )),
        push: Arc::new(crate::push::Push::new(vapid, nudges)),
        metrics: ops::metrics_handle(),
        shutdown,
        settings: Arc::new(settings),
        db,
    });
    crate::chat::writer::start(state.clone(), writer_db, writer_rx)?;
    tokio::spawn(crate::tickets::follow::run(state.clone(), committed_rx));
    if let Some(rx) = nudges_rx {
        tokio::spawn(crate::push::nudge::run(state.clone(), rx));
    }
    let (call_inbox, call_rx) = tokio::sync::mpsc::unbounded_channel();
    state.realtime.hub.set_call_inbox(call_inbox);
    tokio::spawn(crate::calls::remote::serve(state.clone(), call_rx));
    tokio::spawn(
        state
            .webhooks
            .clone()
            .follow(state.db.clone(), state.shutdown.clone()),
    );
    if let Some(rx) = notices {
        tokio::spawn(announce_remote_changes(state.clone(), rx));
    }
    Ok(state)
}

async fn redis_connection(url: &str) -> anyhow::Result<redis::aio::ConnectionManager> {
    let client = redis::Client::open(url)?;
    let config = redis::aio::ConnectionManagerConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(2)))
        .set_response_timeout(Some(Duration::from_secs(1)));
    Ok(client.get_connection_manager_with_config(config).await?)
}

/// Presence changes the broker discovers (a node died) are announced like local ones.
async fn announce_remote_changes(
    state: AppState,
    mut rx: tokio::sync::mpsc::UnboundedReceiver<Notice>,
) {
    while let Some(notice) = rx.recv().await {
        match notice {
            Notice::Offline(user_id) => crate::presence::announce(&state, user_id, false).await,
        }
    }
}

/// Every API route, with its OpenAPI description.
pub fn api_router() -> OpenApiRouter<crate::state::AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(crate::auth::routes::router())
        .merge(crate::users::routes::router())
        .merge(crate::users::admin_routes::router())
        .merge(crate::audit::routes::router())
        .merge(crate::exports::router())
        .merge(crate::conversations::routes::router())
        .merge(crate::conversations::changes::router())
        .merge(crate::tickets::routes::router())
        .merge(crate::canned::router())
        .merge(crate::search::router())
        .merge(crate::social::router())
        .merge(crate::files::router())
        .merge(crate::webhooks::router())
        .merge(crate::push::router())
        .merge(crate::stats::router())
        .merge(crate::calls::router())
        .merge(ops::router())
}

/// The OpenAPI document the server serves at `/openapi.json` (and `switchboard openapi`
/// prints; the app's TypeScript types are generated from it).
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_parts().1
}

/// The API's routes and their document, with the answers every route can give added.
fn api_parts() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (api, mut openapi) = api_router().split_for_parts();
    utoipa::Modify::modify(&crate::http::docs::CommonResponses, &mut openapi);
    (api, openapi)
}

pub fn build_router(state: AppState) -> Router {
    let (api, openapi) = api_parts();
    let settings = state.settings.clone();
    let api = api
        .route("/api/v1/ws", get(crate::realtime::ws::upgrade))
        .layer(DefaultBodyLimit::max(settings.max_body_bytes))
        .with_state(state);
    // The docs page and the document it shows, both served from the binary.
    let docs = Router::from(SwaggerUi::new("/docs").url("/openapi.json", openapi)).layer(
        SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(middleware::DOCS_CSP),
        ),
    );
    let routes = Router::new()
        .merge(api)
        .merge(docs)
        .merge(crate::http::web::router(settings.web_dir.clone()))
        .layer(axum::middleware::from_fn_with_state(
            Duration::from_secs(settings.request_timeout_secs),
            middleware::timeout,
        ))
        .layer(axum::middleware::from_fn(middleware::json_errors))
        .layer(cors(&settings));
    middleware::observed(routes)
}

fn cors(settings: &Settings) -> CorsLayer {
    let origins: Vec<HeaderValue> = settings
        .allowed_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PATCH,
            Method::PUT,
            Method::DELETE,
        ])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .max_age(Duration::from_secs(600))
}

/// Binds with a listen backlog large enough for a reconnect storm (tokio's default is 1024).
pub fn bind(addr: SocketAddr) -> anyhow::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket
        .bind(addr)
        .with_context(|| format!("binding {addr}"))?;
    Ok(socket.listen(16_384)?)
}

/// Serves until `state.shutdown` is cancelled (SIGTERM, Ctrl-C, or a test), then closes the
/// WebSockets with 1001 and waits for in-flight requests.
pub async fn serve(listener: TcpListener, state: AppState) -> anyhow::Result<()> {
    let shutdown = state.shutdown.clone();
    let tls = state.settings.tls.clone();
    crate::tickets::sla::spawn(state.clone());
    tokio::spawn(crate::webhooks::worker::run(
        state.clone(),
        crate::webhooks::worker::client(&state.settings)?,
    ));
    tokio::spawn(crate::push::worker::run(
        state.clone(),
        crate::push::worker::providers(&state)?,
    ));
    let app = build_router(state);
    let make = app.into_make_service_with_connect_info::<SocketAddr>();
    // TCP_NODELAY on every accepted socket: with Nagle's algorithm, a frame written while the
    // previous one is not yet acknowledged waits for the client's delayed ACK (40 to 200 ms);
    // at 5,000 msg/s one delivery in nine did (BENCHMARKS.md, session 11).
    match tls {
        None => {
            let listener = listener.tap_io(|tcp| {
                if let Err(e) = tcp.set_nodelay(true) {
                    tracing::warn!(error = %e, "could not set TCP_NODELAY on a connection");
                }
            });
            axum::serve(listener, make)
                .with_graceful_shutdown(async move { shutdown.cancelled().await })
                .await?;
        }
        Some((cert, key)) => {
            let _ = rustls::crypto::ring::default_provider().install_default();
            let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(&cert, &key)
                .await
                .with_context(|| {
                    format!(
                        "loading TLS certificate {} and key {}",
                        cert.display(),
                        key.display()
                    )
                })?;
            let handle = axum_server::Handle::new();
            let h = handle.clone();
            tokio::spawn(async move {
                shutdown.cancelled().await;
                h.graceful_shutdown(Some(Duration::from_secs(10)));
            });
            let acceptor = axum_server::tls_rustls::RustlsAcceptor::new(config)
                .acceptor(axum_server::accept::NoDelayAcceptor::new());
            axum_server::from_tcp(listener.into_std()?)?
                .acceptor(acceptor)
                .handle(handle)
                .serve(make)
                .await?;
        }
    }
    Ok(())
}

/// Cancels `token` on SIGTERM or Ctrl-C.
pub fn shutdown_on_signals(token: CancellationToken) {
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        let term = async {
            if let Ok(mut s) =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            {
                s.recv().await;
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => {},
            _ = term => {},
        }
        tracing::info!("shutting down: finishing in-flight work");
        token.cancel();
    });
}
