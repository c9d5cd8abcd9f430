//! WebSocket clients: connect (optionally from a chosen 127.0.0.x source address), `auth`,
//! wait for `ready`; and a cheap parser for the frames the bench looks at.

use std::borrow::Cow;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

pub type Ws = WebSocketStream<TcpStream>;

/// Where and how to connect.
#[derive(Clone)]
pub struct Target {
    pub addr: SocketAddr,
    pub url: String,
}

impl Target {
    pub async fn resolve(ws_url: &str) -> anyhow::Result<Self> {
        let rest = ws_url
            .strip_prefix("ws://")
            .context("only ws:// URLs are supported (run the bench next to the server)")?;
        let hostport = rest.split('/').next().unwrap_or(rest);
        let addr = tokio::net::lookup_host(hostport)
            .await?
            .next()
            .context("resolving the server address")?;
        Ok(Self {
            addr,
            url: ws_url.to_string(),
        })
    }
}

/// Small buffers: thousands of clients live in this one process.
pub fn small_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(8 * 1024)
        .write_buffer_size(0)
        .max_message_size(Some(1 << 20))
}

/// Opens a socket, authenticates and waits for `ready`.
pub async fn connect(target: &Target, source: Option<IpAddr>, token: &str) -> anyhow::Result<Ws> {
    let socket = if target.addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    if let Some(ip) = source {
        socket.bind(SocketAddr::new(ip, 0))?;
    }
    let stream = socket.connect(target.addr).await?;
    stream.set_nodelay(true)?;
    let (mut ws, _) = tokio_tungstenite::client_async_with_config(
        target.url.as_str(),
        stream,
        Some(small_config()),
    )
    .await?;
    let auth = format!(r#"{{"type":"auth","token":"{token}"}}"#);
    ws.send(Message::text(auth)).await?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let next = tokio::time::timeout_at(deadline, ws.next())
            .await
            .context("no ready frame within 30 s")?;
        match next {
            Some(Ok(Message::Text(t))) => {
                if let Ok(f) = serde_json::from_str::<Frame>(&t) {
                    match f.ty.as_ref() {
                        "ready" => return Ok(ws),
                        "error" => bail!("error before ready: {t}"),
                        _ => {}
                    }
                }
            }
            Some(Ok(Message::Close(c))) => bail!("closed before ready: {c:?}"),
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(e.into()),
            None => bail!("closed before ready"),
        }
    }
}

/// The fields of a server frame the bench reads; everything else is skipped.
#[derive(Deserialize)]
pub struct Frame<'a> {
    #[serde(rename = "type", borrow)]
    pub ty: Cow<'a, str>,
    #[serde(default, borrow)]
    pub message: Option<FrameMessage<'a>>,
    #[serde(default)]
    pub conversation_id: Option<i64>,
    #[serde(default)]
    pub last_seq: Option<i64>,
    #[serde(default, borrow)]
    pub code: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
pub struct FrameMessage<'a> {
    pub conversation_id: i64,
    pub seq: i64,
    #[serde(borrow)]
    pub body: Cow<'a, str>,
}

/// Bench message bodies are `"<message index> <send time in ns since the run started>"`.
pub fn parse_body(body: &str) -> Option<(usize, u64)> {
    let (id, t) = body.split_once(' ')?;
    Some((id.parse().ok()?, t.parse().ok()?))
}

/// A client id (the server wants a UUID) unique to this run and message.
pub fn client_id(run: u64, n: u64) -> String {
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        run as u32,
        (run >> 32) as u16,
        (run >> 48) & 0xfff,
        (n >> 48) & 0xfff,
        n & 0xffff_ffff_ffff
    )
}
